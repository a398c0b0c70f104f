"""Node configs rendered from a ClusterSpec: the notes' files, names and values, for every preset."""
import pytest

from kafkalab.cluster import configs
from kafkalab.cluster.spec import ClusterSpec, assign_ports
from kafkalab.errors import KafkaLabError

pytestmark = pytest.mark.unit


def spec_for(preset: str, **overrides) -> ClusterSpec:
    spec = ClusterSpec.from_preset(preset, name="t", **overrides)
    assert assign_ports(spec, is_free=lambda port: True) == []  # every notes' port free
    return spec


def props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def rendered(spec: ClusterSpec) -> dict[str, tuple[str, dict[str, str]]]:
    return {node: (name, props(text)) for node, (name, text) in
            configs.render(spec, configs.Placement("/data/")).items()}


def test_three_brokers_are_the_notes_files():
    files = rendered(spec_for("three-brokers"))
    assert {node: name for node, (name, _) in files.items()} == {
        "zookeeper-1": "zookeeper.properties", "broker-0": "server0.properties",
        "broker-1": "server1.properties", "broker-2": "server2.properties"}
    zk = files["zookeeper-1"][1]
    assert zk["clientPort"] == "2181" and zk["dataDir"] == "/data/zookeeper-1"
    assert zk["clientPortAddress"] == "127.0.0.1" and "server.1" not in zk  # standalone ZooKeeper
    for i in range(3):
        broker = files[f"broker-{i}"][1]
        assert broker["broker.id"] == str(i)
        assert broker["listeners"] == f"PLAINTEXT://127.0.0.1:{9092 + i}"
        assert broker["advertised.listeners"] == f"PLAINTEXT://127.0.0.1:{9092 + i}"
        assert broker["log.dirs"] == f"/data/kafka-logs-{i}"
        assert broker["zookeeper.connect"] == "127.0.0.1:2181"
        assert broker["offsets.topic.replication.factor"] == "3"
        assert broker["transaction.state.log.min.isr"] == "2"
        assert "process.roles" not in broker


def test_single_broker_uses_server_properties_and_replication_factor_one():
    files = rendered(spec_for("single"))
    assert files["broker-0"][0] == "server.properties"
    broker = files["broker-0"][1]
    assert broker["offsets.topic.replication.factor"] == "1"
    assert broker["transaction.state.log.replication.factor"] == "1"
    assert broker["transaction.state.log.min.isr"] == "1"


def test_zookeeper_ensemble_lists_every_peer():
    spec = spec_for("zk-ensemble")
    files = rendered(spec)
    assert [files[f"zookeeper-{i}"][0] for i in (1, 2, 3)] == [f"zookeeper{i}.properties" for i in (1, 2, 3)]
    for i in (1, 2, 3):
        zk = files[f"zookeeper-{i}"][1]
        assert zk["clientPort"] == str(2180 + i)
        assert zk["initLimit"] == "10" and zk["syncLimit"] == "5"
        for peer in (1, 2, 3):
            assert zk[f"server.{peer}"] == f"127.0.0.1:{2887 + peer}:{3887 + peer}"
    assert files["broker-0"][1]["zookeeper.connect"] == "127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183"


VOTERS = "1001@127.0.0.1:19091,1002@127.0.0.1:19092,1003@127.0.0.1:19093"


def test_kraft_has_a_three_controller_quorum_and_no_zookeeper():
    files = rendered(spec_for("kraft"))
    assert [files[f"controller-{i}"][0] for i in (1, 2, 3)] == [f"controller{i}.properties" for i in (1, 2, 3)]
    controller = files["controller-2"][1]
    assert controller["process.roles"] == "controller" and controller["node.id"] == "1002"
    assert controller["listeners"] == "CONTROLLER://127.0.0.1:19092"
    assert controller["controller.quorum.voters"] == VOTERS
    broker = files["broker-0"][1]
    assert broker["process.roles"] == "broker" and broker["node.id"] == "0"
    assert broker["controller.quorum.voters"] == VOTERS
    assert broker["controller.listener.names"] == "CONTROLLER"
    assert "zookeeper.connect" not in broker and "broker.id" not in broker
    assert not any(node.startswith("zookeeper") for node in files)


def test_kraft_combined_nodes_are_brokers_and_controllers():
    files = rendered(spec_for("kraft-combined", kafka="4"))
    assert sorted(files) == ["broker-0", "broker-1", "broker-2"]
    node = files["broker-1"][1]
    assert node["process.roles"] == "broker,controller" and node["node.id"] == "1"
    assert node["listeners"] == "PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:19092"
    assert node["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9093"
    assert node["controller.quorum.voters"] == "0@127.0.0.1:19091,1@127.0.0.1:19092,2@127.0.0.1:19093"


def test_kafka_versions_and_zookeeper_on_4():
    assert ClusterSpec.from_preset("kraft").kafka == "3.9.1"
    assert ClusterSpec.from_preset("kraft", kafka="4").kafka.startswith("4.")
    for preset in ("single", "three-brokers", "zk-ensemble"):
        with pytest.raises(KafkaLabError) as err:
            ClusterSpec.from_preset(preset, kafka="4")
        assert err.value.key == "kafka4_no_zookeeper"
    with pytest.raises(KafkaLabError) as err:
        ClusterSpec.from_preset("kraft", kafka="2.8")
    assert err.value.key == "kafka_version_unknown"


def test_extra_broker_config_overrides_the_defaults():
    files = rendered(spec_for("three-brokers", broker_config={"num.partitions": "3", "log.retention.ms": "1000"}))
    broker = files["broker-1"][1]
    assert broker["num.partitions"] == "3" and broker["log.retention.ms"] == "1000"


def test_small_machine_settings():
    broker = rendered(spec_for("three-brokers"))["broker-0"][1]
    assert int(broker["log.cleaner.dedupe.buffer.size"]) <= 16 * 1024 * 1024  # default 128 MiB of heap
    assert broker["group.initial.rebalance.delay.ms"] == "0"


def test_moved_ports_are_rendered():
    spec = ClusterSpec.from_preset("three-brokers", name="t")
    assign_ports(spec, reserved={9093}, is_free=lambda port: True)
    port = spec.node("broker-1").port
    assert port != 9093
    broker = rendered(spec)["broker-1"][1]
    assert broker["listeners"] == f"PLAINTEXT://127.0.0.1:{port}"


def test_unknown_preset_names_the_presets():
    with pytest.raises(KafkaLabError) as err:
        ClusterSpec.from_preset("huge")
    assert err.value.key == "preset_unknown" and "three-brokers" in str(err.value)


def test_spec_round_trips_through_a_dict():
    spec = spec_for("zk-ensemble")
    again = ClusterSpec.from_dict(spec.to_dict())
    assert again == spec and again.node("zookeeper-2").quorum_ports == (2889, 3889)
