"""librdkafka's log of a course client: one readable line per event, in the student's language, and
nothing after down()."""
import logging
import re
import socket

import pytest

from kafkalab import i18n, report
from kafkalab.cluster import clients
from kafkalab.waiting import wait_for

pytestmark = pytest.mark.unit


def set_lang(monkeypatch, language: str) -> None:
    monkeypatch.setattr(i18n, "_forced", language)  # put back after the test


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _record(text: str) -> logging.LogRecord:
    return logging.LogRecord("kafkalab.client.demo", logging.ERROR, __file__, 1, "%s [%s] %s",
                             ("FAIL", "rdkafka#producer-1", text), None)


def _refused(port: int, after: int) -> str:
    return (f"[thrd:127.0.0.1:{port}/bootstrap]: 127.0.0.1:{port}/bootstrap: Connect to ipv4#127.0.0.1:{port} "
            f"failed: Connection refused (after {after}ms in state CONNECT)")


def test_repeats_of_one_event_show_once_per_broker_and_again_after_a_quiet_spell(monkeypatch):
    set_lang(monkeypatch, "en")
    now = [100.0]
    monkeypatch.setattr(clients.time, "monotonic", lambda: now[0])
    events = clients._Events("demo")
    shown = []
    for attempt in range(10):
        for port in (9092, 9093):
            record = _record(_refused(port, attempt))
            if events.filter(record):
                shown.append(record.getMessage())
        now[0] += 1.0
    assert shown == [f"Kafka client producer-1 of cluster 'demo': 127.0.0.1:{port}/bootstrap: Connect to "
                     f"ipv4#127.0.0.1:{port} failed: Connection refused" for port in (9092, 9093)]
    now[0] += events.QUIET + 1  # the broker came back, and later fails again: a new event
    assert events.filter(_record(_refused(9092, 0)))
    events.down = True
    assert not events.filter(_record("127.0.0.1:9094/3: something new"))


def test_a_live_client_floods_no_more(monkeypatch):
    set_lang(monkeypatch, "ru")
    seen = []
    original = clients._Events.filter
    monkeypatch.setattr(clients._Events, "filter", lambda self, rec: seen.append(1) or original(self, rec))
    ports = [_closed_port(), _closed_port()]
    producer = clients.producer("test-client-logs", "demo",
                                {"bootstrap.servers": ",".join(f"127.0.0.1:{p}" for p in ports)})
    producer.produce("t", b"v")
    with report.captured() as lines:
        wait_for(lambda: producer.poll(0.2) is not None and len(seen) >= 8, 60, "8 log records of librdkafka")
    shown = sorted(re.sub(r"producer-\d+", "producer-N", line) for line in lines)  # N: the process's count
    assert shown == sorted(f"Клиент Kafka producer-N кластера 'demo': 127.0.0.1:{p}/bootstrap: "
                           f"Connect to ipv4#127.0.0.1:{p} failed: Connection refused" for p in ports)
    assert clients.close_all("test-client-logs") == 1
    assert producer._kl_muted.down
