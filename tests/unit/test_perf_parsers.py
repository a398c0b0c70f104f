"""The perf tools' output parsed into numbers: kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh."""
import pytest

from kafkalab import perf

pytestmark = pytest.mark.unit

PRODUCER = """\
[2026-11-27 10:00:00,000] WARN something the tool logs (org.apache.kafka.clients.NetworkClient)
49996 records sent, 9999.2 records/sec (9.54 MB/sec), 1.6 ms avg latency, 209.0 ms max latency.
50004 records sent, 10000.8 records/sec (9.54 MB/sec), 1.2 ms avg latency, 15.0 ms max latency.
100000 records sent, 9998.000400 records/sec (9.53 MB/sec), 1.40 ms avg latency, 209.00 ms max latency, 1 ms 50th, 3 ms 95th, 12 ms 99th, 17 ms 99.9th.
"""

CONSUMER = """\
start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
WARNING: Exiting before consuming the expected number of messages: timeout (10000 ms) exceeded.
2026-11-27 10:00:00:123, 2026-11-27 10:00:01:456, 0.9537, 0.7155, 1000, 750.1875, 345, 988, 0.9653, 1012.1457
"""


def test_producer_summary_and_progress():
    out = perf.parse_producer_output(PRODUCER)
    assert out["ok"] is True
    assert out["records"] == 100000 and isinstance(out["records"], int)
    assert out["records_per_sec"] == pytest.approx(9998.0004)
    assert out["mb_per_sec"] == 9.53 and out["avg_latency_ms"] == 1.40 and out["max_latency_ms"] == 209.0
    assert (out["p50_ms"], out["p95_ms"], out["p99_ms"], out["p999_ms"]) == (1, 3, 12, 17)
    progress = out["progress"]
    assert list(progress.columns) == ["records", "records_per_sec", "mb_per_sec", "avg_latency_ms", "max_latency_ms"]
    assert progress["records"].tolist() == [49996, 50004]
    assert out["output"] == PRODUCER


def test_producer_without_summary_is_not_ok():
    out = perf.parse_producer_output(PRODUCER.splitlines()[1] + "\nERROR TimeoutException\n")
    assert out["ok"] is False and len(out["progress"]) == 1
    assert perf.parse_producer_output("")["ok"] is False


def test_consumer_row_after_a_warning():
    out = perf.parse_consumer_output(CONSUMER)
    assert out["ok"] is True
    assert out["start"] == "2026-11-27 10:00:00:123" and out["end"] == "2026-11-27 10:00:01:456"
    assert out["nmsg"] == 1000 and out["records"] == 1000 and isinstance(out["nmsg"], int)
    assert out["mb"] == 0.9537 and out["mb_per_sec"] == 0.7155 and out["nmsg_per_sec"] == 750.1875
    assert out["rebalance_ms"] == 345 and out["fetch_ms"] == 988
    assert out["fetch_mb_per_sec"] == 0.9653 and out["fetch_nmsg_per_sec"] == 1012.1457


def test_consumer_without_a_row_is_not_ok():
    assert perf.parse_consumer_output(CONSUMER.splitlines()[0])["ok"] is False
    assert perf.parse_consumer_output("Exception in thread main")["ok"] is False


METRICS = """\
1000 records sent, 999.0 records/sec (0.10 MB/sec), 1.20 ms avg latency, 150.00 ms max latency, 1 ms 50th, 2 ms 95th, 9 ms 99th, 150 ms 99.9th.

Metric Name                                                                           Value
app-info:commit-id:{client-id=perf-producer-client}                                 : 7bf4e5bd1d7d0e8f
app-info:version:{client-id=perf-producer-client}                                   : 3.9.1
producer-metrics:record-queue-time-avg:{client-id=perf-producer-client}             : 0.412
producer-metrics:records-per-request-avg:{client-id=perf-producer-client}           : 1.087
producer-metrics:request-total:{client-id=perf-producer-client}                     : 931.000
producer-node-metrics:request-total:{client-id=perf-producer-client, node-id=node-1} : 310.000
"""


def test_producer_metrics_parsed():
    metrics = perf.parse_producer_metrics(METRICS)
    assert metrics["app-info:version"] == "3.9.1"
    assert metrics["producer-metrics:request-total"] == "931.000"  # the producer's, not a node's
    assert float(metrics["producer-metrics:records-per-request-avg"]) == 1.087
    assert all(f"producer-metrics:{name}" in metrics for name in perf.BATCHING_METRICS)
    assert perf.parse_producer_metrics(PRODUCER) == {}


def test_table_headers_in_the_students_language():
    from kafkalab.i18n import set_lang

    run = perf.parse_producer_output(PRODUCER)
    try:
        set_lang("ru")
        shown = perf.table(run)
        assert list(shown.columns)[:3] == ["записей", "записей/с", "МБ/с"] and "progress" not in shown.columns
        assert shown["записей"].tolist() == [100000]
        assert perf.label("linger.ms") == "linger.ms"  # a property is its own header
        set_lang("en")
        assert list(perf.table(run["progress"]).columns) == ["records", "records/s", "MB/s", "avg latency, ms",
                                                             "max latency, ms"]
        assert list(run["progress"].columns)[1] == "records_per_sec"  # the data keeps its field names
    finally:
        set_lang(None)
