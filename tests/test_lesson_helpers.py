"""The lessons' helpers in kafkalab.inspect against a real three-broker cluster: the replica map, reading a
topic whole, a group settling and its assignment, and the rebalance experiment (classic protocol)."""
from __future__ import annotations

import pytest
from waits import until

import kafkalab
from kafkalab import inspect
from kafkalab.i18n import set_lang


pytestmark = pytest.mark.usefixtures("english")  # conftest.py


@pytest.fixture(scope="module")
def cluster():
    c = kafkalab.up("three-brokers", name="helpers-test", fresh=True, quiet=True)
    yield c
    c.down()


def test_replica_map_and_read_all_through_a_dead_broker(cluster):
    cluster.create_topic("rm", partitions=3, replication_factor=3)
    producer = cluster.producer(acks="all")
    for i in range(300):
        producer.produce("rm", key=str(i), value=str(i))
    assert producer.flush(30) == 0
    info = inspect.describe_topic(cluster, "rm")
    table = inspect.replica_map(cluster, "rm")
    assert list(table.columns) == ["broker 0", "broker 1", "broker 2"] and table.index.name == "partition"
    for p in info.partitions:
        row = table.loc[p.partition]
        assert row[f"broker {p.leader}"] == "L"
        assert sorted(row[f"broker {b}"] for b in p.replicas if b != p.leader) == ["F", "F"]
    set_lang("ru")
    assert list(inspect.replica_map(cluster, "rm").columns)[0] == "брокер 0"
    assert inspect.replica_map(cluster, "rm").index.name == "партиция"
    set_lang("en")

    victim = info.partitions[0].leader
    cluster.kill(f"broker-{victim}")
    try:
        def failed_over():
            """The map shows the dead broker's replicas out of sync (x) and every partition led by a live broker
            (L). Both read from one map: two calls may be answered by brokers a metadata update apart."""
            table = inspect.replica_map(cluster, "rm")
            return set(table[f"broker {victim}"]) == {"x"} and all("L" in set(table.loc[p]) for p in table.index)
        until(failed_over, 90, "the dead broker out of every ISR, a live leader everywhere",
              retry_on=(kafkalab.KafkaLabError,))
        assert inspect.read_all(cluster, "rm", "helpers-read", expected=300) == 300
        # fewer than expected at the deadline: the count, not an exception
        assert inspect.read_all(cluster, "rm", "helpers-read-more", expected=301, timeout=10) == 300
    finally:
        cluster.start(f"broker-{victim}")


def test_settle_group_assignment_and_classic_rebalances(cluster):
    cluster.create_topic("five", partitions=5, replication_factor=1)
    consumers = {}
    try:
        for n in (1, 2, 3):
            consumers[f"c{n}"] = cluster.consumer("helpers-group", **{"client.id": f"c{n}"})
            consumers[f"c{n}"].subscribe(["five"])
            info, seconds = inspect.settle_group(cluster, "helpers-group", consumers, members=n, partitions=5)
            owned = inspect.assignment(info)
            assert sorted(owned) == [f"c{i}" for i in range(1, n + 1)] and seconds >= 0
            assert sorted(p for ps in owned.values() for p in ps) == [0, 1, 2, 3, 4]
        assert sorted(map(len, owned.values())) == [1, 2, 2]  # range: 2 + 2 + 1
    finally:
        for c in consumers.values():
            c.close()

    members, rows = inspect.rebalances(cluster, "five", "classic")
    try:
        assert [r["step"] for r in rows] == ["+c1", "+c2", "+c3", "-c1"]
        assert all(r["group.protocol"] == "classic" and r["seconds"] >= 0 for r in rows)
        assert [r["on_revoke"] for r in rows] == [0, 5, 5, 3]          # eager: everything, every time
        assert all(r["on_revoke"] == r["held"] for r in rows)
        assert sorted(members) == ["c2", "c3"]
        assert sorted(int(p) for m in ("c2", "c3") for p in rows[-1][m].split(",")) == [0, 1, 2, 3, 4]
    finally:
        for c in members.values():
            c.close()
