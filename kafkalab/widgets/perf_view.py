"""Perf view: run Kafka's producer / consumer perf tests with a progress bar; a table and plots of the runs.

    v = kafkalab.widgets.perf_view(cluster, "perf", kind="producer", num_records=20000, record_size=100)
    v.run()                    # or press the button; v.results is a pandas DataFrame, one row per run

The numbers come from kafkalab.perf (the real kafka-*-perf-test.sh tools, parsed there).
"""
from __future__ import annotations

import base64
import io
import threading
import time

import ipywidgets as widgets

from .. import inspect, perf
from ..i18n import t
from .common import LiveWidget, esc

PRODUCER_COLUMNS = ["records", "record_size", "records_per_sec", "mb_per_sec", "avg_latency_ms", "p50_ms",
                    "p95_ms", "p99_ms", "max_latency_ms", "seconds"]
CONSUMER_COLUMNS = ["records", "mb", "mb_per_sec", "nmsg_per_sec", "rebalance_ms", "fetch_ms", "seconds"]


class PerfView(LiveWidget):
    """A run button, a progress bar measured on the topic's offsets, a table of runs and two plots."""

    def __init__(self, cluster, topic: str, kind: str = "producer", num_records: int = 10000,
                 record_size: int = 100, throughput: int = -1, producer_props: dict | None = None):
        super().__init__()
        if kind not in ("producer", "consumer"):
            raise ValueError("kind must be 'producer' or 'consumer'")
        self.add_class("kl-perf-view")
        self.cluster, self.topic, self.kind = cluster, topic, kind
        self.params = {"num_records": num_records, "record_size": record_size, "throughput": throughput,
                       "producer_props": producer_props}
        self.rows: list[dict] = []
        self.png: bytes | None = None
        self.records = widgets.IntText(value=num_records, description=t("w_perf_records"))
        self.size = widgets.IntText(value=record_size, description=t("w_perf_record_size"))
        self.size.layout.display = None if kind == "producer" else "none"
        self.button = widgets.Button(description=t("w_perf_run"), button_style="primary", icon="tachometer")
        self.button.add_class("kl-perf-run")
        self.button.on_click(lambda _b: self.run_async())
        self.progress = widgets.FloatProgress(value=0, min=0, max=1, bar_style="info")
        self.table = widgets.HTML(self._table_html())
        self.plot = widgets.Image(format="png", layout=widgets.Layout(display="none"))
        self.children = [widgets.HTML(f"<b>{esc(self._title())}</b>"),
                         widgets.HBox([self.records, self.size, self.button]), self.progress, self.status,
                         self.table, self.plot]

    def _title(self) -> str:
        return t("w_perf_title", kind=t(f"w_perf_{self.kind}"), topic=self.topic)

    @property
    def results(self):
        import pandas as pd

        cols = PRODUCER_COLUMNS if self.kind == "producer" else CONSUMER_COLUMNS
        return pd.DataFrame(self.rows, columns=cols)

    def _table_html(self) -> str:
        if not self.rows:
            return f'<i class="kl-perf-empty">{esc(t("w_perf_none"))}</i>'
        return perf.table(self.results.round(2)).to_html(classes="kl-perf-table", index_names=False)

    def _offsets(self) -> int:
        return sum(inspect.end_offsets(self.cluster, self.topic).values())

    def run_async(self) -> threading.Thread:
        thread = threading.Thread(target=self._run_safely, daemon=True, name="kafkalab-action-perf")
        thread.start()
        return thread

    def _run_safely(self) -> None:
        try:
            self.run()
        except Exception as err:
            self.progress.bar_style = "danger"
            self.status.value = f'<span style="color:#c62828">{esc(err)}</span>'

    def run(self) -> dict:
        """Run one test now (blocking) and add it to the table and plots; returns kafkalab.perf's dict."""
        n = int(self.records.value)
        self.button.disabled = True
        self.progress.value, self.progress.max, self.progress.bar_style = 0, max(n, 1), "info"
        self.status.value = esc(t("w_perf_running"))
        began = time.monotonic()
        watching = threading.Event()
        watcher = None
        if self.kind == "producer":
            try:
                base = self._offsets()
            except Exception:  # a topic just created may not be known to every broker yet
                base = 0

            def watch():  # progress = records that reached the topic so far
                while not watching.wait(0.5):
                    try:
                        self.progress.value = min(self._offsets() - base, n)
                    except Exception:
                        pass

            watcher = threading.Thread(target=watch, daemon=True, name="kafkalab-action-perf-progress")
            watcher.start()
        try:
            if self.kind == "producer":
                r = perf.producer_test(self.cluster, self.topic, num_records=n, record_size=int(self.size.value),
                                       throughput=self.params["throughput"],
                                       producer_props=self.params["producer_props"])
                row = {c: r.get(c) for c in PRODUCER_COLUMNS}
                row["record_size"] = int(self.size.value)
            else:
                r = perf.consumer_test(self.cluster, self.topic, messages=n)
                row = {c: r.get(c) for c in CONSUMER_COLUMNS}
        finally:
            watching.set()
            self.button.disabled = False
        row["seconds"] = round(time.monotonic() - began, 2)
        self.rows.append(row)
        self.progress.value = self.progress.max
        self.progress.bar_style = "success"
        self.status.value = esc(t("w_perf_done", seconds=row["seconds"]))
        self.table.value = self._table_html()
        self.png = self._plot_png()
        self.plot.value = self.png
        self.plot.layout.display = None
        return r

    def _plot_png(self) -> bytes:
        import matplotlib
        from matplotlib.figure import Figure

        matplotlib.use("Agg", force=False)
        df = self.results
        runs = [str(i + 1) for i in range(len(df))]
        fig = Figure(figsize=(9, 3))
        left, right = fig.subplots(1, 2)
        left.bar(runs, df["records_per_sec"] if self.kind == "producer" else df["nmsg_per_sec"], color="#1565c0")
        left.set_title(t("w_perf_throughput"))
        if self.kind == "producer":
            for col, style in (("avg_latency_ms", "o-"), ("p95_ms", "s--"), ("p99_ms", "^:")):
                right.plot(runs, df[col], style, label=perf.label(col))
            right.set_title(t("w_perf_latency"))
            right.legend(fontsize=8)
        else:
            right.bar(runs, df["mb_per_sec"], color="#2e7d32")
            right.set_title(perf.label("mb_per_sec"))
        for ax in (left, right):
            ax.set_xlabel(t("w_perf_run_n"))
            ax.grid(True, alpha=.3)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        return buf.getvalue()

    def snapshot_html(self) -> str:
        img = (f'<img src="data:image/png;base64,{base64.b64encode(self.png).decode()}">' if self.png else "")
        return f"<b>{esc(self._title())}</b>{self._table_html()}{img}"

    def snapshot_text(self) -> str:
        body = perf.table(self.results.round(2)).to_string() if self.rows else t("w_perf_none")
        return f"{self._title()}\n{body}"


def perf_view(cluster, topic: str, kind: str = "producer", num_records: int = 10000, record_size: int = 100,
              throughput: int = -1, producer_props: dict | None = None) -> PerfView:
    """A load-test panel for `topic`: kind 'producer' (kafka-producer-perf-test) or 'consumer'."""
    return PerfView(cluster, topic, kind, num_records, record_size, throughput, producer_props)
