"""kafkalab.perf on a real single-broker cluster: the tools' real output parsed, records counted."""
import pytest

import kafkalab
from kafkalab import inspect, perf


@pytest.fixture(scope="module")
def cluster():
    c = kafkalab.up("single", name="perf-test", fresh=True, quiet=True)
    c.tool("kafka-topics.sh", "--bootstrap-server", c.bootstrap_servers, "--create", "--topic", "perf",
           "--partitions", "3", "--replication-factor", "1", echo=False)
    yield c
    c.down()


def test_producer_summary_and_progress_lines(cluster):
    before = inspect.message_count(cluster, "perf")
    # 600 records at 100/s take ~6 s: the tool prints a progress line every 5 s, then the summary
    r = perf.producer_test(cluster, "perf", num_records=600, record_size=200, throughput=100)
    assert r["ok"] and r["records"] == 600
    assert 0 < r["records_per_sec"] <= 110          # paced: never faster than asked (slower on a busy machine)
    assert 0 <= r["p50_ms"] <= r["p95_ms"] <= r["p99_ms"] <= r["p999_ms"] <= r["max_latency_ms"]
    assert len(r["progress"]) >= 1 and r["progress"]["records"].sum() > 0
    assert inspect.message_count(cluster, "perf") - before == 600


def test_consumer_reads_what_was_written(cluster):
    total = inspect.message_count(cluster, "perf")
    assert total > 0
    r = perf.consumer_test(cluster, "perf", messages=total, timeout_ms=15000)
    assert r["ok"] and r["nmsg"] == total == r["records"]
    assert r["mb"] > 0 and r["start"] < r["end"]


def test_python_producer_counts_and_latency(cluster):
    before = inspect.message_count(cluster, "perf")
    r = perf.python_producer_test(cluster, "perf", num_records=1000, record_size=500, producer_props={"acks": "all"})
    assert r["records"] == 1000 and r["records_per_sec"] > 0
    assert r["p50_ms"] <= r["p99_ms"] <= r["max_latency_ms"]
    assert inspect.message_count(cluster, "perf") - before == 1000


def test_sweep_and_plot(cluster):
    before = inspect.message_count(cluster, "perf")
    df = perf.sweep(cluster, "perf", "acks", ["0", "all"], num_records=500, record_size=100, client="both")
    assert list(df["acks"]) == ["0", "0", "all", "all"] and list(df["client"]) == ["java", "python"] * 2
    assert (df["records"] == 500).all()
    assert inspect.message_count(cluster, "perf") - before == 2000
    fig = perf.plot(df, "acks")
    assert len(fig.axes) == 2


def test_parsers_reject_other_text():
    assert not perf.parse_producer_output("nothing here")["ok"]
    assert not perf.parse_consumer_output("start.time, end.time\nWARNING: x")["ok"]
    with pytest.raises(kafkalab.KafkaLabError):
        perf.sweep(None, "perf", "colour", [1])


def test_producer_metrics_test_reports_batching(cluster):
    before = inspect.message_count(cluster, "perf")
    r = perf.producer_metrics_test(cluster, "perf", num_records=300, throughput=300, producer_props={"linger.ms": 0})
    assert r["version"] == "3.9.1" and r["records"] == 300
    assert 0 < r["records_per_sec"] <= 330  # paced: never faster than asked
    assert r["request-total"] >= 1 and r["records-per-request-avg"] >= 1 and r["record-queue-time-avg"] >= 0
    assert inspect.message_count(cluster, "perf") - before == 300
