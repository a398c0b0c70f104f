"""The widgets against a real three-broker cluster: snapshots show the real state and follow changes."""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from waits import until

import kafkalab
from kafkalab import inspect
from kafkalab.i18n import set_lang
from kafkalab.widgets import common

kw = pytest.importorskip("kafkalab.widgets")


def create_topic(cluster, name, partitions=3, rf=3):
    from confluent_kafka.admin import NewTopic

    admin = inspect.admin(cluster)
    admin.create_topics([NewTopic(name, partitions, rf)])[name].result(90)
    until(lambda: len(inspect.describe_topic(cluster, name).partitions) == partitions, 60, f"topic {name}")


pytestmark = pytest.mark.usefixtures("english")  # conftest.py


@pytest.fixture(scope="module")
def cluster():
    c = kafkalab.up("three-brokers", name="widgets-test", fresh=True, quiet=True)
    create_topic(c, "map")
    yield c
    common.stop_all()
    c.down()


def test_cluster_map_snapshot_shows_real_state(cluster):
    m = kw.cluster_map(cluster, topics=["map", "no-such-topic"], live=False)
    info = inspect.describe_topic(cluster, "map")
    bundle = m._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    html, text = bundle["text/html"], bundle["text/plain"]
    assert html.count('class="kl-node kl-broker"') == 3
    assert html.count('data-alive="true"') == 4  # three brokers and ZooKeeper
    controller = inspect.controller(cluster)
    assert f'data-node="broker-{controller}" data-id="{controller}" data-alive="true" data-controller="true"' in html
    for p in info.partitions:
        assert f'data-partition="{p.partition}" data-leader="{p.leader}"' in html
        assert f"partition {p.partition}: leader {p.leader}," in text
    assert "does not exist" in text  # an unknown topic is explained, not a blank


def test_labels_in_russian(cluster):
    set_lang("ru")
    m = kw.cluster_map(cluster, topics=["map"], live=False)
    text = m.snapshot_text()
    assert "Кластер 'widgets-test'" in text and "лидер" in text and "работает" in text
    assert m.kill_buttons["broker-0"].description == "убить"


def test_cluster_map_follows_a_kill_and_a_restart(cluster):
    m = kw.cluster_map(cluster, topics=["map"], interval=0.5)
    try:
        before = inspect.describe_topic(cluster, "map").leaders()
        victim = before[0]
        led = [p for p, leader in before.items() if leader == victim]
        m.act("kill", f"broker-{victim}").join(30)
        # the live map shows the broker down and its partitions led by the others
        until(lambda: f'data-node="broker-{victim}" data-id="{victim}" data-alive="false"'
                 in m.badges[f"broker-{victim}"].value, 30, "broker shown down")
        try:
            until(lambda: all(f'data-partition="{p}" data-leader=""' not in m.partitions.value and
                                 f'data-partition="{p}" data-leader="{victim}"' not in m.partitions.value
                                 for p in led), 90, "leaders moved in the widget")
        except AssertionError as err:
            try:
                seen = inspect.describe_topic(cluster, "map").leaders()
            except Exception as why:  # the brokers themselves do not answer
                seen = why
            raise AssertionError(f"{err}; brokers say leaders {seen}; widget status {m.status.value!r}; "
                                 f"widget says {m.snapshot_text()}") from None
        assert m.kill_buttons[f"broker-{victim}"].disabled and not m.start_buttons[f"broker-{victim}"].disabled
        assert "down" in m.snapshot_text()
        m.act("start", f"broker-{victim}").join(180)
        until(lambda: 'data-alive="false"' not in "".join(b.value for b in m.badges.values()), 30,
                 "broker shown up again")
        assert f"broker-{victim} killed" in m.message.value or "started" in m.message.value
    finally:
        m.close()
        if not cluster.alive(f"broker-{victim}"):  # leave the cluster whole for the next tests
            cluster.start(f"broker-{victim}")
    assert not m.polling


def test_polling_stops_on_close_on_rerun_and_backs_off(cluster):
    common._on_pre_run_cell(SimpleNamespace(cell_id="cell-A"))
    a = kw.cluster_map(cluster, topics=["map"], interval=0.2)
    common._on_pre_run_cell(SimpleNamespace(cell_id="cell-B"))
    b = kw.group_view(cluster, "nobody", interval=0.2)
    assert a.polling and b.polling
    common._on_pre_run_cell(SimpleNamespace(cell_id="cell-A"))  # the map's cell runs again
    until(lambda: not a._poller.thread.is_alive(), 5, "map poller to end")
    assert b.polling
    b.close()
    until(lambda: not b._poller.thread.is_alive(), 5, "group poller to end")
    # backoff: a failing fetch is retried after 2, 4, 8... x the interval, up to max_delay (the delays it
    # announces, and no retry sooner than announced: a busy machine may only make a pause longer), and stop()
    # ends it at once
    calls, announced = [], []

    def failing():
        calls.append(time.monotonic())
        raise RuntimeError("cluster gone")

    p = common.Poller(failing, lambda e, d: announced.append(d), interval=0.05, max_delay=0.4).start(delay=0)
    until(lambda: len(calls) >= 5, 5, "five attempts")
    p.stop(wait=2)
    assert not p.thread.is_alive()
    assert announced[:4] == [0.1, 0.2, 0.4, 0.4]
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    assert all(gap >= delay - 0.01 for gap, delay in zip(gaps, announced)), (gaps, announced)


def test_group_view_shows_lag_and_members(cluster):
    create_topic(cluster, "lagging", partitions=2, rf=1)
    producer = cluster.producer()
    for i in range(40):
        producer.produce("lagging", value=b"x", partition=i % 2)
    producer.flush(10)
    del producer
    v = kw.group_view(cluster, "readers", interval=0.3)
    try:
        assert "no members" in v.snapshot_text()
        consumer = cluster.consumer("readers", **{"enable.auto.commit": False})
        consumer.subscribe(["lagging"])
        got = []
        until(lambda: got.extend(m for m in consumer.consume(10, 1.0) if not m.error()) or len(got) >= 10, 60,
                 "ten messages")
        consumer.commit(asynchronous=False)
        committed = {}
        for m in got:
            committed[m.partition()] = max(committed.get(m.partition(), 0), m.offset() + 1)
        expected_lag = 40 - sum(committed.values())
        until(lambda: v.info is not None and v.info.total_lag == expected_lag and len(v.info.members) == 1,
                 30, f"lag {expected_lag} with one member")
        html = v.snapshot_html()
        assert f'data-total-lag="{expected_lag}"' in html and 'data-members="1"' in html
        assert 'data-end="20"' in html
        consumer.close()
        until(lambda: v.info is not None and not v.info.members, 30, "member to leave")
        assert "no active members" in v.snapshot_html()
    finally:
        v.close()


def test_producer_and_consumer_panels(cluster):
    create_topic(cluster, "panels", partitions=3, rf=1)
    prod = kw.producer_panel(cluster, "panels")
    cons = kw.consumer_panel(cluster, "panels")
    try:
        r1 = prod.send("k1", "hello", partition=2)
        r2 = prod.send("k2", "world", partition=2)
        assert (r1["partition"], r1["offset"], r2["offset"]) == (2, 0, 1)
        bad = prod.send("k3", "nowhere", partition=7)
        assert "error" in bad
        assert 'data-key="k1" data-partition="2" data-offset="0"' in prod.history.value
        until(lambda: cons.count >= 2, 60, "two messages in the consumer panel")
        assert [(r["key"], r["value"], r["partition"], r["offset"]) for r in cons.received] == \
            [("k1", "hello", 2, 0), ("k2", "world", 2, 1)]
        text = cons._repr_mimebundle_()["text/plain"]
        assert "k2=world: partition 2, offset 1" in text
    finally:
        prod.close()
        cons.close()
    until(lambda: not cons._poller.thread.is_alive(), 10, "consumer thread to end")
    assert cons._consumer is None  # closed in its own thread


def test_perf_view_runs_the_real_tool(cluster, monkeypatch):
    create_topic(cluster, "perf", partitions=1, rf=1)
    v = kw.perf_view(cluster, "perf", num_records=3000, record_size=100)
    assert "not run yet" in v.snapshot_text()
    r = v.run()
    assert r["records"] == 3000 and r["records_per_sec"] > 0
    assert inspect.message_count(cluster, "perf") == 3000
    assert v.progress.value == v.progress.max and v.progress.bar_style == "success"
    assert len(v.results) == 1 and v.results["records"][0] == 3000
    assert v.png.startswith(b"\x89PNG")
    assert "kl-perf-table" in v.snapshot_html() and "<img" in v.snapshot_html()
    from kafkalab import i18n

    for language, header in (("ru", "записей/с"), ("en", "records/s")):  # the table's headers in the student's language
        monkeypatch.setattr(i18n, "_forced", language)
        assert header in v.snapshot_text() and header in v.snapshot_html()


def test_cluster_map_press_kills_and_starts_from_code(cluster):
    """press() is the button's own click, for a notebook run without a mouse (lesson 04 kills a leader so)."""
    m = kw.cluster_map(cluster, topics=["map"], interval=0.5)
    leader = inspect.describe_topic(cluster, "map").partitions[0].leader
    victim = f"broker-{leader}"
    try:
        began = time.monotonic()
        pressed = m.press("kill", victim)
        assert began <= pressed <= time.monotonic() and not cluster.alive(victim)
        assert m.pressed[("kill", victim)] == pressed and f"{victim} killed" in m.message.value
        assert m.press("kill", victim) == pressed  # pressed already and the broker is down: that press
        until(lambda: f'data-partition="0" data-leader="{leader}"' not in m.partitions.value
              and 'data-partition="0" data-leader=""' not in m.partitions.value, 90, "partition 0 led by another broker")
        assert f"partition 0: leader {leader}," not in m.snapshot_text() and "down" in m.snapshot_text()
        other = next(b.name for b in cluster.brokers if b.name != victim)
        with pytest.raises(RuntimeError, match="already"):
            m.press("start", other)  # running, never pressed: nothing to start
        with pytest.raises(ValueError):
            m.press("restart", victim)
        started = m.press("start", victim)
        assert started > pressed and cluster.alive(victim)
    finally:
        m.close()
        if not cluster.alive(victim):  # leave the cluster whole for the next tests
            cluster.start(victim)


def test_no_widget_threads_left(cluster):
    common.stop_all()
    until(lambda: not kw.running_pollers(), 10, "all pollers to end")
    assert all(not th.name.startswith("kafkalab-widget") for th in threading.enumerate() if th.is_alive())
