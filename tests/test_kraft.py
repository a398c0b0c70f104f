"""KRaft clusters on real JVMs: Kafka 4.x beside 3.9.1, the 3-controller quorum, failover without loss,
what losing one and two controllers does (and does not) stop. Local engine: these are about Kafka, not
about the engine. Every wait is on a real condition (kafkalab.waiting.wait_for), never a fixed sleep."""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kafkalab import inspect
from kafkalab.distribution import KAFKA4_VERSION, KAFKA_VERSION
from kafkalab.errors import KafkaLabError
from kafkalab.waiting import wait_for

KAFKALAB = str(Path(sys.executable).with_name("kafkalab"))
SLOW = 180  # seconds: a loaded 2-core machine starts six JVMs slowly


def consume_all(cluster, topic, expected, timeout=90.0):
    """Every message of `topic`, read by assignment from the start (no group coordinator needed)."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": cluster.bootstrap_servers, "group.id": f"check-{time.monotonic_ns()}",
                         "enable.auto.commit": False})
    partitions = inspect.describe_topic(cluster, topic).partitions
    consumer.assign([TopicPartition(topic, p.partition, OFFSET_BEGINNING) for p in partitions])
    seen = []

    def all_read():
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error():
            seen.append(msg.value())
        return len(seen) >= expected
    try:
        wait_for(all_read, timeout, f"{expected} messages of {topic}", every=0)
    finally:
        consumer.close()
    return seen


def quorum_of(cluster):
    """The quorum as `kafkalab status --json` reports it, once it has a leader."""
    def answered():
        out = subprocess.run([KAFKALAB, "status", "--name", cluster.name, "--json"], capture_output=True,
                             text=True, timeout=120)
        quorum = json.loads(out.stdout).get("quorum", {}) if out.returncode == 0 else {}
        return quorum if quorum.get("leader") is not None else None
    return wait_for(answered, SLOW, "a KRaft quorum leader in kafkalab status --json", every=1)[0]


def created(cluster, topic, timeout=15):
    """create_topic succeeded (or had succeeded on an earlier, timed-out attempt)."""
    try:
        cluster.create_topic(topic, partitions=1, replication_factor=3, timeout=timeout)
    except KafkaLabError as err:
        if err.key == "topic_exists":
            return True
        raise
    return True


def produce_and_count(cluster, topic, count, timeout=60.0, idempotent=True):
    """Produce `count` messages with acks=all; (number delivered, the first errors)."""
    producer = cluster.producer(**{"acks": "all", "enable.idempotence": idempotent, "message.timeout.ms": 30000})
    delivered, errors = [], []
    for i in range(count):
        producer.produce(topic, value=f"late-{i}".encode(),
                         on_delivery=lambda err, msg: errors.append(err) if err else delivered.append(msg.offset()))
    producer.flush(timeout)
    return len(delivered), errors[:3]


def test_kraft_on_kafka4_quorum_failover_and_lost_majority(make_cluster):
    cluster = make_cluster("kraft", "local", kafka="4", timeout=SLOW)
    assert cluster.spec.kafka == KAFKA4_VERSION
    assert [n.name for n in cluster.spec.voters()] == ["controller-1", "controller-2", "controller-3"]
    # the format step is kept where a lesson can show it
    script = (cluster.dir / "config" / "format-storage.sh").read_text()
    assert script.count("kafka-storage.sh format -t") == 6 and cluster.state["kraft_cluster_id"] in script
    # one JVM formatted the six nodes (the tool server's batch mode), each node's own folder
    batch = (cluster.dir / "logs" / "storage-format" / "console.log").read_text()
    assert sorted(line.split()[3] for line in batch.splitlines() if line.startswith("Formatting metadata directory")) \
        == sorted(str(cluster.data_dir(n.name)) for n in cluster.nodes)
    assert "controller.quorum.voters=1001@127.0.0.1:" in cluster.config("broker-0")

    # status --json: three voters, one leader among them, the brokers as observers
    quorum = quorum_of(cluster)
    assert [v["id"] for v in quorum["voters"]] == [1001, 1002, 1003]
    assert quorum["leader"] in (1001, 1002, 1003) and quorum["epoch"] >= 1
    assert sorted(o["id"] for o in quorum["observers"]) == [0, 1, 2]
    assert [v["status"] for v in quorum["voters"]].count("Leader") == 1

    # acks=all, RF 3, min.insync.replicas 2: SIGKILL the partition leader mid-stream, lose nothing
    cluster.create_topic("months", partitions=3, replication_factor=3, config={"min.insync.replicas": 2},
                         timeout=60)
    victim = inspect.describe_topic(cluster, "months").partitions[0].leader
    producer = cluster.producer(**{"acks": "all", "enable.idempotence": True, "linger.ms": 5,
                                   "message.timeout.ms": 120000})
    delivered, failed = [], []

    def report(err, msg):
        (failed if err else delivered).append(err or msg.value())

    total = 3000
    killed = threading.Event()

    def produce():
        for i in range(total):
            while i == total // 3 and not killed.is_set():
                producer.poll(0.1)  # the victim dies while a third is written
            while True:
                try:
                    producer.produce("months", value=str(i).encode(), on_delivery=report)
                    break
                except BufferError:
                    producer.poll(0.1)
            producer.poll(0)
        producer.flush(180)

    writer = threading.Thread(target=produce)
    writer.start()
    wait_for(lambda: len(delivered) >= total // 4, SLOW, "a quarter of the messages delivered")
    cluster.kill(f"broker-{victim}")
    killed.set()

    def leadership_moved():
        info = inspect.describe_topic(cluster, "months").partitions[0]
        return info.leader not in (None, victim) and info
    wait_for(leadership_moved, SLOW, f"a new leader of months-0 (not broker-{victim})")
    writer.join(240)
    assert not writer.is_alive()
    assert not failed, failed[:3]
    assert len(delivered) == total
    seen = consume_all(cluster, "months", total)
    assert sorted(int(v) for v in seen) == list(range(total))  # every message, exactly once
    cluster.start(f"broker-{victim}", timeout=SLOW)

    # one controller lost (the active one): a new leader is elected, topics can still be created
    leader = f"controller-{quorum_of(cluster)['leader'] - 1000}"
    cluster.kill(leader)
    wait_for(lambda: created(cluster, "with-two-controllers"), SLOW, "a topic created with 2 of 3 controllers",
             every=1)
    assert "with-two-controllers" in inspect.topics(cluster)

    # two lost: no majority. Creating a topic fails within a bounded time, with the reason...
    second = next(v.name for v in cluster.spec.voters() if v.name != leader)
    cluster.kill(second)
    began = time.monotonic()
    with pytest.raises(KafkaLabError) as err:
        cluster.create_topic("with-one-controller", partitions=1, replication_factor=3, timeout=10)
    assert time.monotonic() - began < 60
    assert err.value.key == "kraft_no_quorum" and "1" in str(err.value)
    # ...while the existing partitions still take writes (acks=all) and serve reads. (Not a *new*
    # idempotent producer: its producer id comes from a block the controller quorum hands out.)
    assert produce_and_count(cluster, "months", 100, idempotent=False) == (100, [])
    assert len(consume_all(cluster, "months", total + 100)) >= total + 100

    # the two controllers back: the quorum elects a leader and creation works again
    cluster.start(leader, timeout=SLOW)
    cluster.start(second, timeout=SLOW)
    wait_for(lambda: created(cluster, "back-again"), SLOW, "a topic created after the quorum came back", every=1)
    assert "back-again" in inspect.topics(cluster)
    assert len(quorum_of(cluster)["voters"]) == 3


def test_kraft_on_kafka39_comes_up(make_cluster):
    cluster = make_cluster("kraft", "local", kafka="3.9", timeout=SLOW)
    assert cluster.spec.kafka == KAFKA_VERSION
    quorum = cluster.quorum()
    assert [v["id"] for v in quorum["voters"]] == [1001, 1002, 1003] and quorum["leader"] in (1001, 1002, 1003)
    cluster.create_topic("modern", partitions=3, replication_factor=3, timeout=60)
    assert produce_and_count(cluster, "modern", 30) == (30, [])
    assert {b.id for b in inspect.brokers(cluster)} == {0, 1, 2}


def test_kraft_combined_on_kafka4(make_cluster):
    cluster = make_cluster("kraft-combined", "local", kafka="4", timeout=SLOW)
    assert [n.name for n in cluster.nodes] == ["broker-0", "broker-1", "broker-2"]
    assert "process.roles=broker,controller" in cluster.config("broker-1")
    quorum = wait_for(lambda: (q := cluster.quorum()).get("leader") is not None and q, SLOW, "a quorum leader")[0]
    assert [v["node"] for v in quorum["voters"]] == ["broker-0", "broker-1", "broker-2"]
    cluster.create_topic("combined", partitions=1, replication_factor=3, timeout=60)
    assert produce_and_count(cluster, "combined", 10) == (10, [])


def test_zookeeper_presets_are_refused_on_kafka4():
    for lang, words in (("en", "no ZooKeeper mode"), ("ru", "нет режима ZooKeeper")):
        out = subprocess.run([KAFKALAB, "up", "three-brokers", "--kafka", "4", "--engine", "local"],
                             capture_output=True, text=True, env={**os.environ, "KAFKALAB_LANG": lang}, timeout=120)
        assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr
