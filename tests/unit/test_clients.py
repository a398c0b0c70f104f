"""A tracked consumer's close: bounded even when librdkafka's close hangs; errors and results pass through."""
import logging
import threading
import time

import pytest

from kafkalab.cluster import clients

pytestmark = pytest.mark.unit
_quiet = logging.getLogger("kafkalab.test.nowhere")
_quiet.propagate = False
_quiet.addHandler(logging.NullHandler())
# loopback, nothing listens; librdkafka's connection failures go to a silent logger, not the test run's stderr
NOWHERE = {"bootstrap.servers": "127.0.0.1:1", "group.id": "numbers-group", "logger": _quiet}


def test_a_hanging_close_returns_with_a_notice(monkeypatch, capsys):
    release = threading.Event()

    class Hanging(clients.Consumer):
        def close(self, *args, **kwargs):
            release.wait(30)

    monkeypatch.setattr(clients, "Consumer", Hanging)
    monkeypatch.setattr(clients, "CLOSE_SECONDS", 0.3)
    consumer = clients.TrackedConsumer(dict(NOWHERE))
    began = time.monotonic()
    assert consumer.close() is None
    took = time.monotonic() - began
    release.set()
    assert 0.3 <= took < 5
    assert "numbers-group" in capsys.readouterr().err
    assert consumer.close() is None  # a second close does nothing


def test_a_close_that_fails_raises_in_the_caller(monkeypatch):
    class Failing(clients.Consumer):
        def close(self, *args, **kwargs):
            raise RuntimeError("Consumer closed")

    monkeypatch.setattr(clients, "Consumer", Failing)
    with pytest.raises(RuntimeError, match="Consumer closed"):
        clients.TrackedConsumer(dict(NOWHERE)).close()


def test_a_real_close_is_quick_and_final():
    consumer = clients.TrackedConsumer(dict(NOWHERE))
    assert consumer.close() is None
    with pytest.raises(RuntimeError):
        consumer.poll(0)  # confluent-kafka refuses a closed consumer
