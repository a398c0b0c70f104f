"""Which engine a cluster gets: $KAFKALAB_ENGINE, and a cluster of one's own beside a shared class cluster."""
import pytest

from kafkalab.cluster import engines
from kafkalab.cluster.engines import choose_engine, host
from kafkalab.errors import KafkaLabError

pytestmark = pytest.mark.unit


@pytest.fixture
def no_docker(monkeypatch):
    docker = engines._docker_engine_class()
    if docker is not None:
        monkeypatch.setattr(docker, "daemon_answers", classmethod(lambda cls: False))


def test_the_environment_chooses_unless_told(monkeypatch, no_docker):
    monkeypatch.setattr(host, "check_available", lambda: None)
    monkeypatch.setenv("KAFKALAB_ENGINE", "external")
    assert choose_engine() == "external"
    assert choose_engine("local") == "local"
    monkeypatch.delenv("KAFKALAB_ENGINE")
    assert choose_engine() == "local"


def test_a_chosen_kafka_version_beside_the_shared_cluster_runs_here(monkeypatch, no_docker):
    """A lesson's Kafka 4.x part on a class cluster: its cluster is started here, not the class cluster."""
    monkeypatch.setenv("KAFKALAB_ENGINE", "external")
    monkeypatch.setattr(host, "check_available", lambda: None)
    assert choose_engine(own=True) == "local"
    assert choose_engine("external", own=True) == "external"  # asked for by name: kept

    def no_java():
        raise KafkaLabError("java_missing")
    monkeypatch.setattr(host, "check_available", no_java)
    with pytest.raises(KafkaLabError) as err:
        choose_engine(own=True)
    assert err.value.key == "own_beside_shared_none" and "KAFKALAB_ENGINE=local" in str(err.value)
    assert err.value.__cause__.key == "java_missing"  # the cause is kept
    monkeypatch.delenv("KAFKALAB_ENGINE")
    with pytest.raises(KafkaLabError) as err:
        choose_engine(own=True)
    assert err.value.key == "engine_none"  # no shared cluster: the usual words
