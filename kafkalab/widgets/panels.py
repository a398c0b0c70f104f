"""Producer and consumer panels: send messages with key, value and partition; watch them arrive.

    kafkalab.widgets.producer_panel(cluster, "months")
    kafkalab.widgets.consumer_panel(cluster, "months")
"""
from __future__ import annotations

import threading
import time
import uuid

import ipywidgets as widgets

from ..i18n import t
from ..waiting import wait_for
from .common import LiveWidget, esc

KEEP = 50  # rows a panel shows


def _when(ms: int | None) -> str:
    if not ms or ms < 0:
        return "-"
    return time.strftime("%H:%M:%S", time.localtime(ms / 1000)) + f".{ms % 1000:03d}"


def _text(raw) -> str:
    if raw is None:
        return "null"
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def rows_html(rows: list[dict], css: str, empty: str) -> str:
    if not rows:
        return f'<div class="{css}"><i>{esc(empty)}</i></div>'
    head = "".join(f"<th>{esc(t(h))}</th>" for h in ("w_key", "w_value", "w_partition", "w_offset", "w_timestamp"))
    body = "".join(
        f'<tr class="{css}-row" data-key="{esc(r["key"])}" data-partition="{r["partition"]}" '
        f'data-offset="{r["offset"]}"><td>{esc(r["key"])}</td><td>{esc(r["value"])}</td><td>{r["partition"]}</td>'
        f'<td>{r["offset"]}</td><td>{esc(r["time"])}</td></tr>' if not r.get("error") else
        f'<tr class="{css}-error"><td>{esc(r["key"])}</td><td>{esc(r["value"])}</td>'
        f'<td colspan="3" style="color:#c62828">{esc(t("w_error"))}: {esc(r["error"])}</td></tr>'
        for r in reversed(rows))
    return f'<table class="{css}" style="border-collapse:collapse"><tr>{head}</tr>{body}</table>'


def rows_text(title: str, rows: list[dict], empty: str) -> str:
    lines = [title] + [f"  {r['key']}={r['value']}: " + (f"{t('w_error')} {r['error']}" if r.get("error") else
                       f"{t('w_partition')} {r['partition']}, {t('w_offset')} {r['offset']}, {r['time']}")
                       for r in rows]
    return "\n".join(lines if rows else [title, "  " + empty])


class ProducerPanel(LiveWidget):
    """Key, value, optional partition and a send button; each delivery report shows where it went."""

    def __init__(self, cluster, topic: str, **producer_config):
        super().__init__()
        self.add_class("kl-producer-panel")
        self.cluster, self.topic = cluster, topic
        self.producer = cluster.producer(**producer_config)
        self.sent: list[dict] = []
        self._lock = threading.Lock()
        self.key = widgets.Text(placeholder=t("w_key"), description=t("w_key"))
        self.value = widgets.Text(placeholder=t("w_value"), description=t("w_value"))
        self.partition = widgets.Text(placeholder=t("w_partition_opt"), description=t("w_partition"))
        self.button = widgets.Button(description=t("w_send"), button_style="primary", icon="paper-plane")
        self.button.add_class("kl-send")
        self.button.on_click(lambda _b: self._send_form())
        self.history = widgets.HTML(self._html())
        self.children = [widgets.HTML(f"<b>{esc(t('w_producer_title', topic=topic))}</b>"),
                         widgets.HBox([self.key, self.value]), widgets.HBox([self.partition, self.button]),
                         self.status, self.history]

    def _html(self) -> str:
        return rows_html(self.sent[-KEEP:], "kl-sent", t("w_no_messages"))

    def _send_form(self) -> None:
        text = self.partition.value.strip()
        if text and not text.lstrip("-").isdigit():
            self.status.value = f'<span style="color:#c62828">{esc(t("w_bad_partition"))}</span>'
            return
        self.status.value = ""
        threading.Thread(target=self.send, args=(self.key.value, self.value.value, int(text) if text else None),
                         daemon=True, name="kafkalab-action-send").start()

    def send(self, key: str | None, value: str, partition: int | None = None, timeout: float = 10.0) -> dict:
        """Produce one message, wait for its delivery report and return it as a row."""
        row = {"key": key if key not in (None, "") else "null", "value": value}
        done = threading.Event()

        def report(err, msg):
            if err is not None:
                row["error"] = str(err)
            else:
                row.update(partition=msg.partition(), offset=msg.offset(), time=_when(msg.timestamp()[1]))
            done.set()

        extra = {} if partition is None else {"partition": partition}
        try:
            self.producer.produce(self.topic, value=value.encode(), key=key.encode() if key else None,
                                  on_delivery=report, **extra)
            try:  # poll() serves the delivery report
                wait_for(lambda: self.producer.poll(0.1) >= 0 and done.is_set(), timeout, "a delivery report",
                         every=0)
            except TimeoutError:
                row["error"] = f"no delivery report within {timeout:.0f} s"
        except Exception as err:  # unknown partition, buffer full, ...
            row["error"] = str(err)
        with self._lock:
            self.sent.append(row)
            self.history.value = self._html()
        return row

    def close(self) -> None:
        if self.producer is not None:
            self.producer.flush(1)
            self.producer = None  # librdkafka's threads go with it
        super().close()

    def snapshot_html(self) -> str:
        return f"<b>{esc(t('w_producer_title', topic=self.topic))}</b>{self._html()}"

    def snapshot_text(self) -> str:
        return rows_text(t("w_producer_title", topic=self.topic), self.sent[-KEEP:], t("w_no_messages"))


class ConsumerPanel(LiveWidget):
    """A consumer in its own thread; every message that arrives shows its partition, offset and time."""

    interval = 0.0  # the consumer's poll() itself waits

    def __init__(self, cluster, topic: str, group: str | None = None, from_beginning: bool = True,
                 live: bool = True, **consumer_config):
        super().__init__()
        self.add_class("kl-consumer-panel")
        self.cluster, self.topic = cluster, topic
        self.group = group or f"kafkalab-panel-{uuid.uuid4().hex[:8]}"
        self.config = {"auto.offset.reset": "earliest" if from_beginning else "latest", **consumer_config}
        self.received: list[dict] = []
        self.count = 0
        self._consumer = None
        self.title = widgets.HTML(f"<b>{esc(t('w_consumer_title', topic=topic, group=self.group))}</b>")
        self.counter = widgets.HTML(esc(t("w_received", n=0)))
        self.pause = widgets.ToggleButton(description=t("w_pause"), icon="pause")
        self.pause.observe(lambda ch: setattr(self.pause, "description", t("w_resume") if ch["new"] else t("w_pause")),
                           "value")
        self.history = widgets.HTML(self._html())
        self.children = [self.title, widgets.HBox([self.counter, self.pause]), self.status, self.history]
        if live:
            self.start_polling()

    def _html(self) -> str:
        return rows_html(self.received[-KEEP:], "kl-received", t("w_no_messages"))

    def keep_going(self) -> bool:
        return self.cluster.exists()

    def refresh(self) -> None:
        if self.pause.value:
            time.sleep(0.3)
            return
        if self._consumer is None:
            self._consumer = self.cluster.consumer(self.group, **self.config)
            self._consumer.subscribe([self.topic])
        batch = self._consumer.consume(100, timeout=0.5)
        got = []
        for msg in batch:
            if msg.error():
                continue
            got.append({"key": _text(msg.key()), "value": _text(msg.value()), "partition": msg.partition(),
                        "offset": msg.offset(), "time": _when(msg.timestamp()[1])})
        if got:
            self.count += len(got)
            self.received = (self.received + got)[-KEEP:]
            self.counter.value = esc(t("w_received", n=self.count))
            self.history.value = self._html()

    def _poll(self) -> None:
        self.refresh()
        if self.status.value:
            self.status.value = ""

    def on_exit(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None

    def snapshot_html(self) -> str:
        return (f"<b>{esc(t('w_consumer_title', topic=self.topic, group=self.group))}</b> "
                f"{esc(t('w_received', n=self.count))}{self._html()}")

    def snapshot_text(self) -> str:
        return rows_text(t("w_consumer_title", topic=self.topic, group=self.group), self.received[-KEEP:],
                         t("w_no_messages"))


def producer_panel(cluster, topic: str, **producer_config) -> ProducerPanel:
    """A form that sends messages (key, value, optional partition) and shows where each one landed."""
    return ProducerPanel(cluster, topic, **producer_config)


def consumer_panel(cluster, topic: str, group: str | None = None, from_beginning: bool = True,
                   **consumer_config) -> ConsumerPanel:
    """A live list of the messages arriving in `topic` with partition, offset and timestamp."""
    return ConsumerPanel(cluster, topic, group=group, from_beginning=from_beginning, **consumer_config)
