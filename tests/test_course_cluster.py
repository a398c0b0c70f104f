"""The course (KAFKALAB_COURSE=1, exported by scripts/start): one lesson cluster at a time."""
import uuid

import kafkalab
from kafkalab import inspect
from kafkalab.cluster import cluster as clusters
from kafkalab.cluster import state
from kafkalab.i18n import t
from waits import read


def test_each_lesson_cluster_replaces_the_one_before(monkeypatch, capsys):
    tag = uuid.uuid4().hex[:6]
    outside = kafkalab.up("single", name=f"own-{tag}", engine="local")  # started outside the course
    try:
        monkeypatch.setenv("KAFKALAB_COURSE", "1")
        first = kafkalab.up("single", name=f"lesson-a-{tag}", engine="local", fresh=True)
        first_port = first.brokers[0].port
        assert clusters.unnamed() == first.name  # a terminal's `kafkalab tool ...` means the lesson's cluster
        assert kafkalab.attach().name == first.name
        second = kafkalab.up("single", name=f"lesson-b-{tag}", engine="local", fresh=True)
        said = capsys.readouterr().out
        assert t("course_cluster_replaced", old=first.name, new=second.name) in said
        assert not state.state_file(first.name).exists() and not first.dir.exists()
        assert second.alive("broker-0")
        if first_port == second.brokers[0].preferred_port:
            assert second.brokers[0].port == first_port  # the notes' port came free for the next lesson
        assert outside.alive("broker-0")  # not a course cluster: left alone

        assert clusters.unnamed() == second.name
        monkeypatch.delenv("KAFKALAB_COURSE")
        assert clusters.unnamed() == "kafkalab"  # outside the course: the default name, as always
        assert clusters.down_course() == [second.name]
        assert not second.dir.exists() and outside.alive("broker-0")
    finally:
        outside.down()


def _pids(name: str) -> dict[str, int]:
    return {node: info["pid"] for node, info in clusters.Cluster.load(name).runtime.items()}


def _describe(cluster, *target: str) -> str:
    return cluster.tool("kafka-configs.sh", "--bootstrap-server", cluster.bootstrap_servers, "--describe",
                        *target, echo=False).stdout


def _produce_and_read(cluster, topic: str, group: str) -> list[bytes]:
    producer = cluster.producer(acks="all")
    for i in range(20):
        producer.produce(topic, str(i).encode())
    assert producer.flush(30) == 0
    consumer = cluster.consumer(group)
    consumer.subscribe([topic])
    return sorted((m.value() for m in read(consumer, 20, 60)), key=int)  # read() closes it: offsets committed


def _leave_traces(cluster) -> None:
    """What a lesson's first run leaves: topics with data, a committed group, an open consumer, a quota,
    dynamic broker settings."""
    if "orders" not in inspect.topics(cluster):  # the second time, _assert_clean_and_usable made them
        cluster.create_topic("orders", partitions=3, replication_factor=3)
        cluster.create_topic("notes")
        assert _produce_and_read(cluster, "orders", "readers") == EXPECTED
    watcher = cluster.consumer("watchers")
    watcher.subscribe(["orders"])
    kafkalab.wait_for(lambda: (m := watcher.poll(0.5)) is not None and not m.error(), 60,
                      "a message for 'watchers'")  # a member still when the lesson runs again
    cluster.tool("kafka-configs.sh", "--bootstrap-server", cluster.bootstrap_servers, "--alter", "--entity-type",
                 "clients", "--entity-name", "loadgen", "--add-config", "producer_byte_rate=10240", echo=False)
    for target in (["--entity-default"], ["--entity-name", "1"]):
        cluster.tool("kafka-configs.sh", "--bootstrap-server", cluster.bootstrap_servers, "--alter",
                     "--entity-type", "brokers", *target, "--add-config", "log.cleaner.threads=2", echo=False)
    assert "producer_byte_rate=10240" in _describe(cluster, "--entity-type", "clients")
    return watcher


def _assert_clean_and_usable(cluster) -> None:
    """As a new cluster: every node serves, no topic, group, quota, broker setting or folder of the first run;
    the lesson's first steps again, with the same names, at once: offsets and the group start over."""
    assert [cluster.service(n) for n in cluster.nodes] == ["serving"] * 4
    assert inspect.topics(cluster) == [] and inspect.groups(cluster) == []
    assert "Quota configs" not in _describe(cluster, "--entity-type", "clients")
    for target in (["--entity-default"], ["--entity-name", "1"]):
        assert "log.cleaner.threads" not in _describe(cluster, "--entity-type", "brokers", *target)
    on_disk = [p.name for b in cluster.brokers for p in cluster.data_dir(b.name).iterdir()]
    assert not [f for f in on_disk if f.startswith(("orders-", "notes-"))], on_disk
    cluster.create_topic("orders", partitions=3, replication_factor=3)
    cluster.create_topic("notes")
    assert _produce_and_read(cluster, "orders", "readers") == EXPECTED
    assert inspect.describe_group(cluster, "readers").total_lag == 0


EXPECTED = [str(i).encode() for i in range(20)]


def test_a_lesson_run_again_starts_its_cluster_over_in_place(monkeypatch, capsys, english):
    """scripts/start's cluster, the lesson's `up(..., fresh=True)` on it, then the lesson run again after it
    paused a broker and left topics, groups, a quota and broker settings: the same cluster, reset in place
    (its JVMs kept), serves the lesson's steps from a clean start. With a node down, it is started anew."""
    monkeypatch.setenv("KAFKALAB_COURSE", "1")
    name = f"lesson-r-{uuid.uuid4().hex[:6]}"
    kafkalab.up("three-brokers", name=name, engine="local")  # what scripts/start does
    try:
        before = _pids(name)
        lesson = kafkalab.up("three-brokers", name=name, engine="local", fresh=True)
        assert _pids(name) == before  # attached and reset, not started a second time
        assert t("reset_what", topics=0, groups=0) in capsys.readouterr().out

        watcher = _leave_traces(lesson)
        lesson.pause("broker-1")
        again = kafkalab.up("three-brokers", name=name, engine="local", fresh=True)
        assert "starts over in place: topics deleted: 2" in capsys.readouterr().out
        assert _pids(name) == before
        assert watcher._kl_closed  # the lesson's clients of its first run are closed
        _assert_clean_and_usable(again)

        _leave_traces(again)
        again.kill("broker-2")
        anew = kafkalab.up("three-brokers", name=name, engine="local", fresh=True)
        assert t("starting", name=name, preset="three-brokers", engine="local") in capsys.readouterr().out
        assert not set(_pids(name).values()) & set(before.values())
        _assert_clean_and_usable(anew)

        other = kafkalab.up("single", name=name, engine="local", fresh=True)  # another preset: started anew
        assert [n.name for n in other.nodes] == ["zookeeper-1", "broker-0"]
    finally:
        kafkalab.down(name)


def test_a_kafka_4_cluster_starts_over_in_place_and_keeps_what_its_format_wrote():
    """KRaft on Kafka 4.x: the reset deletes topics, groups and the cluster-wide settings a lesson set, and
    keeps min.insync.replicas, which the storage format wrote itself."""
    name = f"kraft-r-{uuid.uuid4().hex[:6]}"
    cluster = kafkalab.up("kraft-combined", name=name, kafka="4", engine="local", quiet=True)
    try:
        before = _pids(name)
        cluster.create_topic("orders", partitions=3, replication_factor=3)
        assert _produce_and_read(cluster, "orders", "readers") == EXPECTED
        cluster.tool("kafka-configs.sh", "--bootstrap-server", cluster.bootstrap_servers, "--alter", "--entity-type",
                     "brokers", "--entity-default", "--add-config", "log.cleaner.threads=2", echo=False)
        again = kafkalab.up("kraft-combined", name=name, kafka="4", engine="local", fresh=True, quiet=True)
        assert _pids(name) == before
        assert inspect.topics(again) == [] and inspect.groups(again) == []
        defaults = _describe(again, "--entity-type", "brokers", "--entity-default")
        assert "log.cleaner.threads" not in defaults and "min.insync.replicas=" in defaults, defaults
        again.create_topic("orders", partitions=3, replication_factor=3)
        assert _produce_and_read(again, "orders", "readers") == EXPECTED
    finally:
        kafkalab.down(name)
