"""The lesson helpers of kafkalab.inspect that need no cluster: assignment() and replica_map()'s marks."""
from types import SimpleNamespace

import pytest

from kafkalab import inspect
from kafkalab.i18n import set_lang

pytestmark = pytest.mark.unit


def test_assignment_by_client_id():
    info = inspect.GroupInfo("g", "STABLE", {"c2-9a": [("numbers", 3), ("numbers", 4)], "c1-0f": [("numbers", 0)],
                                             "c3-77": []}, [])
    assert inspect.assignment(info) == {"c1": [0], "c2": [3, 4], "c3": []}
    assert list(inspect.assignment(info)) == ["c1", "c2", "c3"]


def test_replica_map_marks(monkeypatch):
    topic = inspect.TopicInfo("t", [inspect.PartitionInfo(0, 1, [1, 0, 2], [1, 0]),
                                    inspect.PartitionInfo(1, None, [2], [])])
    monkeypatch.setattr(inspect, "describe_topic", lambda target, name: topic)
    cluster = SimpleNamespace(brokers=[SimpleNamespace(id=i) for i in (0, 1, 2)])
    try:
        set_lang("en")
        table = inspect.replica_map(cluster, "t")
        assert table.to_dict(orient="index") == {0: {"broker 0": "F", "broker 1": "L", "broker 2": "x"},
                                                 1: {"broker 0": "", "broker 1": "", "broker 2": "x"}}
        set_lang("ru")
        table = inspect.replica_map("localhost:9092", "t")  # a bootstrap string: the brokers holding replicas
        assert list(table.columns) == ["брокер 0", "брокер 1", "брокер 2"] and table.index.name == "партиция"
    finally:
        set_lang(None)
