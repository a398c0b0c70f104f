"""Kafka's CLI tools as the notes write them: hints for the notes' mistakes, the notes' addresses mapped to
the cluster's real ports, and the %kafka magic's parsing. No JVM: argv is built, never run."""
import pytest

from kafkalab import i18n, magic, tools
from kafkalab.cluster.spec import ClusterSpec, assign_ports
from kafkalab.errors import KafkaLabError

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def english():
    i18n.set_lang("en")
    yield
    i18n.set_lang(None)


class FakeCluster:
    """What the tools read of a cluster: its nodes."""

    def __init__(self, preset="three-brokers", moved=None):
        import types

        self.name = "fake"
        self.engine = types.SimpleNamespace(controls_nodes=False)  # no nodes run: nothing to probe
        self.spec = ClusterSpec.from_preset(preset)
        assign_ports(self.spec, is_free=lambda port: True)
        for name, port in (moved or {}).items():
            self.spec.node(name).port = port

    @property
    def nodes(self):
        return list(self.spec.nodes)


def test_tool_names():
    assert tools.tool_name("bin/kafka-topics.sh") == "kafka-topics"
    assert tools.tool_name("kafka-console-consumer") == "kafka-console-consumer"
    with pytest.raises(KafkaLabError) as err:
        tools.tool_name("kafka-topic.sh")
    assert err.value.key == "tool_unknown" and "kafka-topics.sh" in str(err.value)


def test_hint_spaced_server_list():
    found = tools.hints("kafka-console-consumer", ["--bootstrap-server", "localhost:9092,", "localhost:9093"])
    assert len(found) == 1 and "without spaces" in found[0] and "'localhost:9092,'" in found[0]


def test_hint_from_begining():
    found = tools.hints("kafka-console-consumer", ["--topic", "cities", "--from-begining"])
    assert found == [i18n.t("hint_from_begining")]


def test_hint_zookeeper_option_removed():
    found = tools.hints("kafka-topics", ["--zookeeper", "localhost:2181", "--list"])
    assert found == [i18n.t("hint_zookeeper_option")]
    assert tools.hints("zookeeper-shell", ["--zookeeper"]) == []


def test_hint_broker_list_and_producer_used_as_consumer():
    found = tools.hints("kafka-console-producer", ["--broker-list", "localhost:9092", "--topic", "t",
                                                   "--from-beginning"])
    assert found == [i18n.t("hint_broker_list"), i18n.t("hint_producer_as_consumer")]


def test_correct_commands_get_no_hints():
    assert tools.hints("kafka-console-consumer", ["--bootstrap-server", "localhost:9092,localhost:9093",
                                                  "--topic", "t", "--from-beginning"]) == []
    assert tools.hints("kafka-topics", ["--bootstrap-server", "localhost:9092", "--list"]) == []


def test_hints_speak_russian():
    i18n.set_lang("ru")
    assert "подсказка" in tools.hints("kafka-console-consumer", ["--from-begining"])[0]


def test_notes_addresses_unchanged_when_the_cluster_has_the_notes_ports():
    args = ["--bootstrap-server", "localhost:9092,localhost:9093"]
    assert tools.map_notes_ports(FakeCluster(), args) == (args, [])


def test_notes_addresses_mapped_to_the_real_ports():
    cluster = FakeCluster(moved={"broker-1": 23456, "zookeeper-1": 22181})
    args, notes = tools.map_notes_ports(cluster, ["--bootstrap-server", "localhost:9092,localhost:9093",
                                                  "--zookeeper", "127.0.0.1:2181", "--other", "localhost:9999"])
    assert args == ["--bootstrap-server", "localhost:9092,127.0.0.1:23456", "--zookeeper", "127.0.0.1:22181",
                    "--other", "localhost:9999"]
    assert notes == [i18n.t("tool_ports_rewritten", old="localhost:9093", new="127.0.0.1:23456"),
                     i18n.t("tool_ports_rewritten", old="127.0.0.1:2181", new="127.0.0.1:22181")]


def test_prepare_adds_a_consumer_timeout_in_notebooks_and_maps_ports():
    cluster = FakeCluster(moved={"broker-0": 24000})
    name, args, notes = tools.prepare(cluster, "kafka-console-consumer.sh",
                                      ["--bootstrap-server", "localhost:9092", "--topic", "t", "--from-begining"],
                                      notebook=True)
    assert name == "kafka-console-consumer"
    assert args[:2] == ["--bootstrap-server", "127.0.0.1:24000"]
    assert args[-2:] == ["--timeout-ms", str(tools.NOTEBOOK_CONSUMER_TIMEOUT_MS)]
    assert notes[0] == i18n.t("hint_from_begining") and len(notes) == 3
    _, args, _ = tools.prepare(cluster, "kafka-console-consumer.sh", ["--max-messages", "1"], notebook=True)
    assert "--timeout-ms" not in args
    _, args, _ = tools.prepare(cluster, "kafka-console-consumer.sh", ["--topic", "t"], notebook=False)
    assert "--timeout-ms" not in args


def test_prepare_zookeeper_shell_takes_server_like_the_script():
    _, args, _ = tools.prepare(FakeCluster(), "zookeeper-shell.sh", ["localhost:2181", "ls", "/brokers/ids"],
                               notebook=True)
    assert args == ["-server", "localhost:2181", "ls", "/brokers/ids"]


def test_magic_splits_like_a_shell():
    assert magic._split("kafka-topics.sh --list --bootstrap-server localhost:9092") == (
        None, ["kafka-topics.sh", "--list", "--bootstrap-server", "localhost:9092"])
    assert magic._split("--name other kafka-topics.sh \\\n --list") == ("other", ["kafka-topics.sh", "--list"])
    assert magic._split("kafka-configs.sh --add-config 'retention.ms=1000'")[1][-1] == "retention.ms=1000"


def test_magic_runs_the_tool_of_the_current_cluster(monkeypatch, capsys):
    calls = []

    class Current:
        def tool(self, *args, input=None):
            calls.append((args, input))

    import kafkalab.cluster.cluster as cluster_module

    monkeypatch.setattr(cluster_module, "current", lambda name=None: Current())
    magic.kafka("kafka-console-producer.sh --bootstrap-server localhost:9092 --topic cities", "Moscow\nParis\n")
    assert calls == [(("kafka-console-producer.sh", "--bootstrap-server", "localhost:9092", "--topic", "cities"),
                      "Moscow\nParis\n")]
    magic.kafka("")
    assert "usage" in capsys.readouterr().out


def test_magic_prints_a_kafkalab_error_instead_of_a_traceback(monkeypatch, capsys):
    import kafkalab.cluster.cluster as cluster_module

    def no_cluster(name=None):
        raise KafkaLabError("tool_unknown", tool="x", tools="y")

    monkeypatch.setattr(cluster_module, "current", no_cluster)
    magic.kafka("kafka-topics.sh --list")
    assert "Unknown Kafka tool 'x'" in capsys.readouterr().out


def test_a_dead_bootstrap_broker_is_named_before_any_jvm_starts():
    import socket
    import types

    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    cluster = FakeCluster(moved={"broker-0": free_port(), "broker-1": free_port(), "broker-2": free_port()})
    cluster.engine = types.SimpleNamespace(controls_nodes=True)
    b0, b1 = cluster.spec.node("broker-0").port, cluster.spec.node("broker-1").port
    with socket.socket() as alive:  # broker-1 answers, broker-0 (killed) and broker-2 do not
        alive.bind(("127.0.0.1", b1))
        alive.listen()
        with pytest.raises(KafkaLabError) as err:
            tools.check_bootstrap(cluster, "kafka-topics", ["--bootstrap-server", f"localhost:{b0}", "--list"])
        assert err.value.key == "tool_bootstrap_down"
        assert "broker-0 is down" in str(err.value) and f"--bootstrap-server 127.0.0.1:{b1}" in str(err.value)
        tools.check_bootstrap(cluster, "kafka-topics", ["--bootstrap-server", f"localhost:{b0},localhost:{b1}"])
        tools.check_bootstrap(cluster, "kafka-topics", ["--bootstrap-server", "kafka.example:9092"])  # not ours
    with pytest.raises(KafkaLabError) as err:
        tools.check_bootstrap(cluster, "kafka-topics", ["--bootstrap-server", f"localhost:{b0}", "--list"])
    assert err.value.key == "tool_cluster_down"
