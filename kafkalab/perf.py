"""Load tests: Kafka's perf-test tools run against a cluster, their output as numbers, tables and plots.

    from kafkalab import perf
    r = perf.producer_test(cluster, "perf", num_records=2000, record_size=1000)
    r["records_per_sec"], r["avg_latency_ms"], r["p99_ms"]
    c = perf.consumer_test(cluster, "perf", messages=2000)
    c["nmsg"], c["mb_per_sec"]
    p = perf.python_producer_test(cluster, "perf", num_records=2000, record_size=1000)   # confluent-kafka
    m = perf.producer_metrics_test(cluster, "perf", producer_props={"linger.ms": 0})     # + batching metrics
    df = perf.sweep(cluster, "perf", "record_size", [100, 1000, 10000], num_records=2000)
    perf.plot(df, "record_size")

Every result is a plain dict (the fields below); `sweep` puts one row per run into a pandas DataFrame.
Producer fields: records, records_per_sec, mb_per_sec, avg_latency_ms, max_latency_ms, p50_ms, p95_ms,
p99_ms, p999_ms, progress (DataFrame of the tool's periodic lines), ok, output.
Consumer fields: records (= nmsg), mb, mb_per_sec, nmsg, nmsg_per_sec, rebalance_ms, fetch_ms,
fetch_mb_per_sec, fetch_nmsg_per_sec, start, end, ok, output.
`table(result_or_dataframe)` shows any of them with headers in the student's language.
"""
from __future__ import annotations

import re
import time

from .errors import KafkaLabError
from .i18n import MESSAGES, register, t

register({
    "perf_no_summary": {
        "en": "{tool} printed no summary line (exit code {code}). Its output:\n{output}",
        "ru": "{tool} не напечатал итоговую строку (код выхода {code}). Его вывод:\n{output}",
    },
    "perf_bad_param": {
        "en": "sweep: unknown parameter {param!r}; use record_size, num_records, throughput or a producer "
              "property such as acks, linger.ms, batch.size, compression.type",
        "ru": "sweep: неизвестный параметр {param!r}; используйте record_size, num_records, throughput или "
              "свойство продюсера, например acks, linger.ms, batch.size, compression.type",
    },
    # the headers table() and plot() show for the fields of a result
    "perf_col_records": {"en": "records", "ru": "записей"},
    "perf_col_records_per_sec": {"en": "records/s", "ru": "записей/с"},
    "perf_col_mb_per_sec": {"en": "MB/s", "ru": "МБ/с"},
    "perf_col_avg_latency_ms": {"en": "avg latency, ms", "ru": "средняя задержка, мс"},
    "perf_col_max_latency_ms": {"en": "max latency, ms", "ru": "макс. задержка, мс"},
    "perf_col_p50_ms": {"en": "p50, ms", "ru": "p50, мс"},
    "perf_col_p95_ms": {"en": "p95, ms", "ru": "p95, мс"},
    "perf_col_p99_ms": {"en": "p99, ms", "ru": "p99, мс"},
    "perf_col_p999_ms": {"en": "p99.9, ms", "ru": "p99.9, мс"},
    "perf_col_record_size": {"en": "record size, bytes", "ru": "размер записи, байт"},
    "perf_col_client": {"en": "client", "ru": "клиент"},
    "perf_col_version": {"en": "client version", "ru": "версия клиента"},
    "perf_col_mb": {"en": "MB", "ru": "МБ"},
    "perf_col_nmsg": {"en": "records", "ru": "записей"},
    "perf_col_nmsg_per_sec": {"en": "records/s", "ru": "записей/с"},
    "perf_col_rebalance_ms": {"en": "joining the group, ms", "ru": "вход в группу, мс"},
    "perf_col_fetch_ms": {"en": "fetching, ms", "ru": "выборка, мс"},
    "perf_col_fetch_mb_per_sec": {"en": "fetching: MB/s", "ru": "выборка: МБ/с"},
    "perf_col_fetch_nmsg_per_sec": {"en": "fetching: records/s", "ru": "выборка: записей/с"},
    "perf_col_seconds": {"en": "seconds", "ru": "секунд"},
    "perf_col_start": {"en": "start", "ru": "начало"},
    "perf_col_end": {"en": "end", "ru": "конец"},
    "perf_no_metrics": {
        "en": "kafka-producer-perf-test.sh --print-metrics printed no producer metrics (exit code {code}). Its output:\n"
              "{output}",
        "ru": "kafka-producer-perf-test.sh --print-metrics не напечатал метрик продюсера (код выхода {code}). "
              "Его вывод:\n{output}",
    },
    "perf_delivery_failed": {
        "en": "{failed} of {total} records were not delivered; first error: {error}",
        "ru": "{failed} из {total} записей не доставлены; первая ошибка: {error}",
    },
})

_NUM = r"([\d.]+)"
# "3000 records sent, 1901.14 records/sec (1.81 MB/sec), 510.09 ms avg latency, 877.00 ms max latency"
# followed, on the final line only, by ", 533 ms 50th, 710 ms 95th, 727 ms 99th, 733 ms 99.9th."
_PRODUCER_LINE = re.compile(
    rf"^{_NUM} records sent, {_NUM} records/sec \({_NUM} MB/sec\), {_NUM} ms avg latency, "
    rf"{_NUM} ms max latency(?:, {_NUM} ms 50th, {_NUM} ms 95th, {_NUM} ms 99th, {_NUM} ms 99\.9th)?")
_PRODUCER_FIELDS = ("records", "records_per_sec", "mb_per_sec", "avg_latency_ms", "max_latency_ms",
                    "p50_ms", "p95_ms", "p99_ms", "p999_ms")
_CONSUMER_FIELDS = {"start.time": "start", "end.time": "end", "data.consumed.in.MB": "mb", "MB.sec": "mb_per_sec",
                    "data.consumed.in.nMsg": "nmsg", "nMsg.sec": "nmsg_per_sec",
                    "rebalance.time.ms": "rebalance_ms", "fetch.time.ms": "fetch_ms",
                    "fetch.MB.sec": "fetch_mb_per_sec", "fetch.nMsg.sec": "fetch_nmsg_per_sec"}
# the knobs a sweep can turn that are not producer properties
_TOOL_PARAMS = ("record_size", "num_records", "throughput")
# what producer_metrics_test keeps of the producer's metrics (--print-metrics): how it batched
BATCHING_METRICS = ("record-queue-time-avg", "records-per-request-avg", "request-total")
# "producer-metrics:request-total:{client-id=perf-producer-client}           : 36.000"
_METRIC_LINE = re.compile(r"^(app-info:version|producer-metrics:[\w-]+):\{client-id=[^}]*\}\s*:\s*(\S+)$", re.M)


def label(field: str) -> str:
    """The header of a result's field in the current language ('records_per_sec' -> 'записей/с'); a field
    without one (a producer property such as linger.ms, a metric name) is its own header."""
    key = f"perf_col_{field}"
    return t(key) if key in MESSAGES else field


def table(result):
    """A result (a dict of producer_test & co.) or a DataFrame of them (sweep, progress), for display:
    one row per run, the headers in the student's language. The data keeps its field names."""
    import pandas as pd

    if isinstance(result, dict):
        result = pd.DataFrame([{k: v for k, v in result.items() if k not in ("progress", "output", "ok")}])
    return result.rename(columns=label)


def parse_producer_metrics(text: str) -> dict:
    """The metrics kafka-producer-perf-test.sh --print-metrics prints at its end: {'app-info:version': '3.9.1',
    'producer-metrics:request-total': '36.000', ...} (values as printed)."""
    return dict(_METRIC_LINE.findall(text))


def parse_producer_output(text: str) -> dict:
    """Fields of kafka-producer-perf-test.sh's output: the final summary and the periodic progress lines."""
    import pandas as pd

    progress, summary = [], None
    for line in text.splitlines():
        m = _PRODUCER_LINE.match(line.strip())
        if not m:
            continue
        values = [float(v) if v is not None else None for v in m.groups()]
        row = dict(zip(_PRODUCER_FIELDS, values))
        row["records"] = int(row["records"])
        if row["p50_ms"] is None:
            progress.append({k: row[k] for k in _PRODUCER_FIELDS[:5]})
        else:
            summary = row
    if summary is None:
        return {"ok": False, "progress": pd.DataFrame(progress), "output": text}
    return {**summary, "progress": pd.DataFrame(progress, columns=list(_PRODUCER_FIELDS[:5])), "ok": True,
            "output": text}


def parse_consumer_output(text: str) -> dict:
    """Fields of kafka-consumer-perf-test.sh's output (a header line and one comma-separated row)."""
    lines = [ln.strip() for ln in text.splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("start.time"):
            header = [h.strip() for h in line.split(",")]
            for row in lines[i + 1:]:
                cells = [c.strip() for c in row.split(",")]
                if len(cells) != len(header) or not re.match(r"\d{4}-\d\d-\d\d", cells[0]):
                    continue  # a WARNING line between header and row
                out = {}
                for name, cell in zip(header, cells):
                    key = _CONSUMER_FIELDS.get(name, name)
                    out[key] = cell if key in ("start", "end") else float(cell)
                out["nmsg"] = int(out["nmsg"])
                out["records"] = out["nmsg"]
                return {**out, "ok": True, "output": text}
    return {"ok": False, "output": text}


def _props(cluster, producer_props: dict | None) -> list[str]:
    props = {"bootstrap.servers": cluster.bootstrap_servers, **(producer_props or {})}
    return [f"{k}={v}" for k, v in props.items()]


def producer_test(cluster, topic: str, num_records: int, record_size: int, throughput: int = -1,
                  producer_props: dict | None = None, echo: bool = False, timeout: float = 300) -> dict:
    """Run kafka-producer-perf-test.sh (the Java producer) and return its parsed numbers.

    throughput: records per second the tool aims at (-1: as fast as it can). producer_props: e.g.
    {"acks": "all", "linger.ms": 5, "compression.type": "lz4"}.
    """
    res = cluster.tool("kafka-producer-perf-test.sh", "--topic", topic, "--num-records", str(num_records),
                       "--record-size", str(record_size), "--throughput", str(throughput),
                       "--producer-props", *_props(cluster, producer_props), timeout=timeout, echo=echo)
    out = parse_producer_output(res.stdout)
    if not out["ok"]:
        raise KafkaLabError("perf_no_summary", tool="kafka-producer-perf-test.sh", code=res.returncode,
                            output=(res.stdout + res.stderr)[-2000:])
    return out


def producer_metrics_test(cluster, topic: str, num_records: int = 2000, record_size: int = 100,
                          throughput: int = 1000, producer_props: dict | None = None, timeout: float = 300) -> dict:
    """kafka-producer-perf-test.sh with --print-metrics: the Java producer's own account of how it batched.

    Returns the summary (records, records_per_sec, avg_latency_ms, p50_ms), `version` (the client's,
    app-info:version) and the BATCHING_METRICS as floats: record-queue-time-avg (ms a record waited in the
    producer's buffer, its linger included), records-per-request-avg and request-total. The defaults (2000
    records of 100 bytes at 1000/s) keep the load low, where linger.ms shows best.
    """
    res = cluster.tool("kafka-producer-perf-test.sh", "--topic", topic, "--num-records", str(num_records),
                       "--record-size", str(record_size), "--throughput", str(throughput), "--print-metrics",
                       "--producer-props", *_props(cluster, producer_props), timeout=timeout, echo=False)
    summary = parse_producer_output(res.stdout)
    metrics = parse_producer_metrics(res.stdout)
    if not summary["ok"]:
        raise KafkaLabError("perf_no_summary", tool="kafka-producer-perf-test.sh", code=res.returncode,
                            output=(res.stdout + res.stderr)[-2000:])
    names = [f"producer-metrics:{name}" for name in BATCHING_METRICS]
    if "app-info:version" not in metrics or not all(name in metrics for name in names):
        raise KafkaLabError("perf_no_metrics", code=res.returncode, output=(res.stdout + res.stderr)[-2000:])
    return {"version": metrics["app-info:version"],
            **{key: summary[key] for key in ("records", "records_per_sec", "avg_latency_ms", "p50_ms")},
            **{name: float(metrics[f"producer-metrics:{name}"]) for name in BATCHING_METRICS}}


def consumer_test(cluster, topic: str, messages: int, group: str | None = None, timeout_ms: int = 30000,
                  consumer_props: dict | None = None, echo: bool = False) -> dict:
    """Run kafka-consumer-perf-test.sh: read `messages` records of `topic` and return its parsed numbers.

    The tool stops when it has read `messages` records or when no record came for `timeout_ms`;
    `records` says how many it really read.
    """
    args = ["--bootstrap-server", cluster.bootstrap_servers, "--topic", topic, "--messages", str(messages),
            "--timeout", str(timeout_ms)]
    if group:
        args += ["--group", group]
    props_file = None
    if consumer_props:
        import tempfile

        props_file = tempfile.NamedTemporaryFile("w", suffix=".properties", delete=False)
        props_file.write("".join(f"{k}={v}\n" for k, v in consumer_props.items()))
        props_file.close()
        args += ["--consumer.config", props_file.name]
    try:
        res = cluster.tool("kafka-consumer-perf-test.sh", *args, timeout=timeout_ms / 1000 + 120, echo=echo)
    finally:
        if props_file:
            import os

            os.unlink(props_file.name)
    out = parse_consumer_output(res.stdout)
    if not out["ok"]:
        raise KafkaLabError("perf_no_summary", tool="kafka-consumer-perf-test.sh", code=res.returncode,
                            output=(res.stdout + res.stderr)[-2000:])
    return out


def _percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def python_producer_test(cluster, topic: str, num_records: int, record_size: int, throughput: int = -1,
                         producer_props: dict | None = None) -> dict:
    """The same test with confluent-kafka's Producer (librdkafka), measured like the Java tool.

    Latency of a record = time from produce() to its delivery report; the fields match producer_test's.
    Property names are librdkafka's (acks, linger.ms, batch.size, compression.type are shared).
    """
    props = {k: str(v) for k, v in (producer_props or {}).items()}
    producer = cluster.producer(**props)
    payload = b"x" * record_size
    latencies: list[float] = []
    errors: list[str] = []

    def report(err, _msg, sent_at):
        if err is not None:
            errors.append(str(err))
        else:
            latencies.append((time.perf_counter() - sent_at) * 1000)

    began = time.perf_counter()
    for i in range(num_records):
        if throughput > 0:  # pace like the Java tool: never ahead of i / throughput seconds
            ahead = began + i / throughput - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
        sent_at = time.perf_counter()
        while True:
            try:
                producer.produce(topic, payload, on_delivery=lambda e, m, s=sent_at: report(e, m, s))
                break
            except BufferError:  # local queue full: let deliveries drain
                producer.poll(0.05)
        producer.poll(0)
    producer.flush(120)
    elapsed = time.perf_counter() - began
    if errors:
        raise KafkaLabError("perf_delivery_failed", failed=len(errors), total=num_records, error=errors[0])
    latencies.sort()
    n = len(latencies)
    return {"records": n, "records_per_sec": n / elapsed, "mb_per_sec": n * record_size / elapsed / 2**20,
            "avg_latency_ms": sum(latencies) / n, "max_latency_ms": latencies[-1],
            "p50_ms": _percentile(latencies, .50), "p95_ms": _percentile(latencies, .95),
            "p99_ms": _percentile(latencies, .99), "p999_ms": _percentile(latencies, .999), "ok": True}


def sweep(cluster, topic: str, param: str, values, num_records: int = 2000, record_size: int = 1000,
          throughput: int = -1, producer_props: dict | None = None, client: str = "java"):
    """One producer test per value of `param`; a DataFrame with a row per run (param, client, fields).

    param: record_size, num_records, throughput, or a producer property (acks, linger.ms, batch.size,
    compression.type). client: "java" (kafka-producer-perf-test.sh), "python" (confluent-kafka) or "both".
    """
    import pandas as pd

    if not (param in _TOOL_PARAMS or "." in param or param == "acks"):
        raise KafkaLabError("perf_bad_param", param=param)
    clients = ("java", "python") if client == "both" else (client,)
    rows = []
    for value in values:
        for who in clients:
            kw = {"num_records": num_records, "record_size": record_size, "throughput": throughput}
            props = dict(producer_props or {})
            if param in _TOOL_PARAMS:
                kw[param] = int(value)
            else:
                props[param] = value
            run = producer_test if who == "java" else python_producer_test
            r = run(cluster, topic, producer_props=props, **kw)
            rows.append({param: value, "client": who,
                         **{k: r[k] for k in _PRODUCER_FIELDS}})
    return pd.DataFrame(rows)


def plot(df, x: str, y=("records_per_sec", "avg_latency_ms"), by: str | None = "client", logx: bool = False,
         title: str | None = None):
    """Plot `y` columns of a sweep against `x`, one panel per column, one line per `by` value."""
    import matplotlib.pyplot as plt

    ys = [y] if isinstance(y, str) else list(y)
    fig, axes = plt.subplots(1, len(ys), figsize=(5 * len(ys), 3.5), squeeze=False)
    groups = df.groupby(by) if by and by in df.columns else [(None, df)]
    categorical = df[x].dtype == object
    for ax, col in zip(axes[0], ys):
        for name, part in groups:
            xs = part[x].astype(str) if categorical else part[x]
            ax.plot(xs, part[col], marker="o", label=name)
        ax.set_xlabel(label(x))
        ax.set_ylabel(label(col))
        if logx and not categorical:
            ax.set_xscale("log")
        ax.grid(True, alpha=.3)
        if by and by in df.columns:
            ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
