"""A broker's failed start read from its log: which failures a second start mends (a ZooKeeper session lost)."""
import pytest

from kafkalab.cluster.probes import session_expired_at_start

pytestmark = pytest.mark.unit

STARTING = "[2026-11-29 15:42:40,101] INFO [KafkaServer id=0] starting (kafka.server.KafkaServer)\n"
FATAL = "[2026-11-29 15:42:57,968] ERROR [KafkaServer id=0] Fatal error during KafkaServer startup. " \
        "Prepare to shutdown (kafka.server.KafkaServer)\n"
# ci60: the registration's request failed once the session had expired (a loaded machine, the first docker start)
REQUEST_EXPIRED = "org.apache.zookeeper.KeeperException$SessionExpiredException: KeeperErrorCode = Session expired\n" \
                  "\tat org.apache.zookeeper.KeeperException.create(KeeperException.java:134)\n"
# tests/test_runtime.py: ZooKeeper silent from the session's opening until it has expired that session
WAIT_EXPIRED = "kafka.zookeeper.ZooKeeperClientExpiredException: Session expired either before or while waiting " \
               "for connection\n"
STARTED = "[2026-11-29 15:43:05,002] INFO [KafkaServer id=0] started (kafka.server.KafkaServer)\n"


@pytest.mark.parametrize("log", [STARTING + FATAL + REQUEST_EXPIRED, STARTING + FATAL + WAIT_EXPIRED,
                                 STARTED + STARTING + FATAL + WAIT_EXPIRED])
def test_a_session_lost_during_the_last_start(log):
    assert session_expired_at_start(log)


@pytest.mark.parametrize("log", [
    "",
    STARTING + STARTED,  # a broker that started, then was killed
    STARTING + FATAL + "org.apache.zookeeper.KeeperException$NodeExistsException: KeeperErrorCode = NodeExists\n"
    + "WARN a session expired earlier: SessionExpiredException\n",  # another cause: a second start fails alike
    STARTING + FATAL + REQUEST_EXPIRED + STARTING,  # an earlier life's failure; the last start has not failed
])
def test_other_failures_and_earlier_lives(log):
    assert not session_expired_at_start(log)
