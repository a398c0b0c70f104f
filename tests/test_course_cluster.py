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


def test_a_lesson_run_again_starts_its_cluster_over_in_place(monkeypatch, capsys, english):
    """scripts/start's cluster, the lesson's `up(..., fresh=True)` on it, then the lesson run again after it
    killed and paused brokers and left topics, a group, a quota and broker settings: the same cluster,
    reset in place (its live JVMs kept), serves the lesson's steps again from a clean start."""
    monkeypatch.setenv("KAFKALAB_COURSE", "1")
    name = f"lesson-r-{uuid.uuid4().hex[:6]}"
    kafkalab.up("three-brokers", name=name, engine="local")  # what scripts/start does
    try:
        before = _pids(name)
        lesson = kafkalab.up("three-brokers", name=name, engine="local", fresh=True)
        assert _pids(name) == before  # attached and reset, not started a second time
        assert t("reset_what", topics=0, groups=0) in capsys.readouterr().out

        lesson.create_topic("orders", partitions=3, replication_factor=3)
        lesson.create_topic("notes")
        expected = [str(i).encode() for i in range(20)]
        assert _produce_and_read(lesson, "orders", "readers") == expected
        open_consumer = lesson.consumer("watchers")
        open_consumer.subscribe(["orders"])
        kafkalab.wait_for(lambda: (m := open_consumer.poll(0.5)) is not None and not m.error(), 60,
                          "a message for 'watchers'")  # a member still when the lesson runs again
        lesson.tool("kafka-configs.sh", "--bootstrap-server", lesson.bootstrap_servers, "--alter", "--entity-type",
                    "clients", "--entity-name", "loadgen", "--add-config", "producer_byte_rate=10240", echo=False)
        for target in (["--entity-default"], ["--entity-name", "1"]):
            lesson.tool("kafka-configs.sh", "--bootstrap-server", lesson.bootstrap_servers, "--alter",
                        "--entity-type", "brokers", *target, "--add-config", "log.cleaner.threads=2", echo=False)
        assert "producer_byte_rate=10240" in _describe(lesson, "--entity-type", "clients")
        lesson.kill("broker-2")
        lesson.pause("broker-1")

        again = kafkalab.up("three-brokers", name=name, engine="local", fresh=True)
        said = capsys.readouterr().out
        assert t("reset_nodes", nodes="broker-2") in said and "topics deleted: 2" in said
        now = _pids(name)
        assert {n: now[n] == before[n] for n in before} == {"zookeeper-1": True, "broker-0": True,
                                                             "broker-1": True, "broker-2": False}
        assert [again.service(n) for n in again.nodes] == ["serving"] * 4
        assert inspect.topics(again) == [] and inspect.groups(again) == []
        assert open_consumer._kl_closed  # the lesson's clients of its first run are closed
        assert "Quota configs" not in _describe(again, "--entity-type", "clients")
        for target in (["--entity-default"], ["--entity-name", "1"]):
            assert "log.cleaner.threads" not in _describe(again, "--entity-type", "brokers", *target)
        # the lesson's first steps again, with the same names, at once: offsets start over, the group too
        again.create_topic("orders", partitions=3, replication_factor=3)
        again.create_topic("notes")
        assert _produce_and_read(again, "orders", "readers") == expected
        assert inspect.describe_group(again, "readers").total_lag == 0

        other = kafkalab.up("single", name=name, engine="local", fresh=True)  # another preset: started anew
        assert [n.name for n in other.nodes] == ["zookeeper-1", "broker-0"]
    finally:
        kafkalab.down(name)
