"""Reading kafka-metadata-quorum.sh's output (Kafka 3.9 and 4.x forms), tools per Kafka version."""
import pytest

from kafkalab.cluster.kraft import parse_replication, parse_status
from kafkalab.errors import KafkaLabError
from kafkalab.tools import main_class

pytestmark = pytest.mark.unit

STATUS_4 = """ClusterId:              Xp4tIJ9sRM2sxZ0qrIOW9Q
LeaderId:               1002
LeaderEpoch:            2
HighWatermark:          142
MaxFollowerLag:         0
MaxFollowerLagTimeMs:   286
CurrentVoters:          [{"id": 1001, "endpoints": ["CONTROLLER://127.0.0.1:19091"]}, {"id": 1002, "endpoints": ["CONTROLLER://127.0.0.1:19092"]}, {"id": 1003, "endpoints": ["CONTROLLER://127.0.0.1:19093"]}]
CurrentObservers:       [{"id": 0, "directoryId": "dRqQj1T6peFxCf59XO3D8A"}, {"id": 2, "directoryId": "XuOrBBqGqfuy5t_Gabxp1g"}]
"""
STATUS_OLD = "LeaderId: 1\nLeaderEpoch: 7\nCurrentVoters: [1,2,3]\nCurrentObservers: [4]\n"
REPLICATION = """NodeId  DirectoryId             LogEndOffset    Lag     LastFetchTimestamp      LastCaughtUpTimestamp   Status
1002    pqhWZq2jAOqhtbYpxqkNXg  142             0       1795753425474           1795753425474           Leader
1001    A2aV9Mk2Q8Sx0h7XqI3PNQ  140             2       1795753425200           1795753425200           Follower
0       dRqQj1T6peFxCf59XO3D8A  142             0       1795753425199           1795753425199           Observer
"""


def test_status_of_4x_and_older_forms():
    info = parse_status(STATUS_4)
    assert info["leader"] == 1002 and info["epoch"] == 2 and info["high_watermark"] == 142
    assert info["voter_ids"] == [1001, 1002, 1003] and info["observer_ids"] == [0, 2]
    old = parse_status(STATUS_OLD)
    assert old["voter_ids"] == [1, 2, 3] and old["observer_ids"] == [4] and old["leader"] == 1
    assert parse_status("LeaderId: -1\n")["leader"] is None


def test_replication_table():
    rows = parse_replication(REPLICATION)
    assert [(r["id"], r["lag"], r["status"]) for r in rows] == [(1002, 0, "Leader"), (1001, 2, "Follower"),
                                                                 (0, 0, "Observer")]
    assert parse_replication("") == []


def test_tool_classes_per_kafka_version():
    assert main_class("kafka-console-producer", "3.9.1") == "kafka.tools.ConsoleProducer"
    assert main_class("kafka-console-producer", "4.4.0") == "org.apache.kafka.tools.ConsoleProducer"
    assert main_class("kafka-topics", "4.4.0") == "org.apache.kafka.tools.TopicCommand"
    with pytest.raises(KafkaLabError) as err:
        main_class("zookeeper-shell", "4.4.0")
    assert err.value.key == "tool_not_in_kafka4"


def test_a_new_cluster_id_never_reads_as_an_option(monkeypatch):
    import base64
    import uuid

    from kafkalab.cluster.engines import base
    dash_first = uuid.UUID(bytes=base64.urlsafe_b64decode("-" + "A" * 21 + "=="))  # encodes to "-AAA..."
    draws = iter([dash_first, uuid.UUID(int=7)])
    monkeypatch.setattr(base.uuid, "uuid4", lambda: next(draws))
    cluster_id = base.new_cluster_id()
    assert cluster_id == base64.urlsafe_b64encode(uuid.UUID(int=7).bytes).decode().rstrip("=")
    assert len(cluster_id) == 22 and not cluster_id.startswith("-")


def test_wait_for_quorum_asks_again_until_a_leader_then_explains(monkeypatch):
    """A busy machine's first questions may get no answer: the lessons wait for the leader, and a quorum that
    never names one is a message in the student's language, not a KeyError."""
    from types import SimpleNamespace

    from kafkalab.cluster import kraft
    from kafkalab.i18n import set_lang

    answers = [{"error": "no answer within 30 s"}, {"leader": None, "voters": []},
               {"leader": 2, "leader_node": "node-2", "voters": []}]
    monkeypatch.setattr(kraft, "describe_quorum", lambda cluster: answers.pop(0) if len(answers) > 1 else answers[0])
    cluster = SimpleNamespace(name="kraft-lab")
    assert kraft.wait_for_quorum(cluster, timeout=10)["leader_node"] == "node-2" and len(answers) == 1

    monkeypatch.setattr(kraft, "describe_quorum", lambda cluster: {"error": "no answer within 30 s"})
    with pytest.raises(KafkaLabError) as err:
        kraft.wait_for_quorum(cluster, timeout=0.6)
    try:
        set_lang("en")
        assert "'kraft-lab' named no leader within 0.6 s (last answer: no answer within 30 s)" in str(err.value)
        set_lang("ru")
        assert "не назвал лидера за 0.6 с" in str(err.value)
    finally:
        set_lang(None)
