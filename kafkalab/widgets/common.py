"""What every live widget shares: a polling thread with backoff, its lifetime, snapshots, quiet actions.

A live widget polls the cluster in a daemon thread. The thread stops when the widget is closed, when
the notebook cell that made it runs again, when the cluster is removed, or when the kernel exits; a
cluster that does not answer is asked less and less often (backoff), never hammered.
"""
from __future__ import annotations

import atexit
import html
import threading
import time
import weakref
from typing import Callable

import ipywidgets as widgets

from .. import report
from ..i18n import t
from . import labels  # noqa: F401  (registers the widget texts)

_live: "weakref.WeakSet[LiveWidget]" = weakref.WeakSet()
_cell_id: str | None = None
_hooked = False


class Poller:
    """Calls `fetch()` every `interval` seconds in a daemon thread; on errors waits 2, 4, 8... x longer."""

    def __init__(self, fetch: Callable[[], None], on_error: Callable[[Exception, float], None],
                 interval: float = 1.0, max_delay: float = 15.0, keep_going: Callable[[], bool] = lambda: True,
                 name: str = "kafkalab-widget", on_exit: Callable[[], None] | None = None):
        self.fetch, self.on_error, self.keep_going, self.on_exit = fetch, on_error, keep_going, on_exit
        self.interval, self.max_delay = interval, max_delay
        self.failures = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self, delay: float | None = None) -> "Poller":
        self._first_delay = self.interval if delay is None else delay
        self.thread.start()
        return self

    def next_delay(self) -> float:
        return self.interval if not self.failures else min(self.interval * 2 ** self.failures, self.max_delay)

    def _run(self) -> None:
        delay = self._first_delay
        while True:
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set() or not self.keep_going():
                break
            try:
                self.fetch()
                self.failures = 0
            except Exception as err:  # an unreachable cluster, a topic deleted meanwhile, ...
                self.failures += 1
                try:
                    self.on_error(err, self.next_delay())
                except Exception:
                    pass
            delay = self.next_delay()
        self._stop.set()
        if self.on_exit is not None:
            try:
                self.on_exit()
            except Exception:
                pass

    def wake(self) -> None:
        """Poll now instead of after the current pause (after a kill or start)."""
        self.failures = 0
        self._wake.set()

    def stop(self, wait: float = 0.0) -> None:
        self._stop.set()
        self._wake.set()
        if wait and self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(wait)

    @property
    def running(self) -> bool:
        return self.thread.is_alive() and not self._stop.is_set()


def _on_pre_run_cell(info=None) -> None:
    """A cell runs: widgets its previous run made go quiet; new widgets remember this cell."""
    global _cell_id
    _cell_id = getattr(info, "cell_id", None)
    if _cell_id is None:
        return
    for w in list(_live):
        if w._cell_id == _cell_id:
            w.stop()


def _hook_ipython() -> None:
    global _hooked
    if _hooked:
        return
    _hooked = True
    try:
        ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        ip = None
    if ip is not None:
        ip.events.register("pre_run_cell", _on_pre_run_cell)


@atexit.register
def stop_all() -> None:
    """Stop every live widget's polling (kernel shutdown, tests)."""
    for w in list(_live):
        w.stop()


def running_pollers() -> list[threading.Thread]:
    """Polling threads still alive (for tests and for the curious)."""
    return [th for th in threading.enumerate() if th.name.startswith("kafkalab-widget") and th.is_alive()]


def run_quietly(func: Callable[[], object]) -> str:
    """Run func() and return the notices it gave, without them landing in whichever cell runs now."""
    with report.captured() as lines:
        func()
    return "\n".join(lines)


def esc(value) -> str:
    return html.escape(str(value))


def now() -> str:
    return time.strftime("%H:%M:%S")


class LiveWidget(widgets.VBox):
    """A VBox that polls in the background and shows an HTML/text snapshot where widgets cannot render."""

    interval = 1.0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        _hook_ipython()
        self._cell_id = _cell_id
        self._poller: Poller | None = None
        self.status = widgets.HTML(layout=widgets.Layout(margin="2px 0"))
        self.status.add_class("kl-status")
        _live.add(self)

    # --- to be provided by each widget ------------------------------------------------------------
    def refresh(self) -> None:
        """Read the cluster and update the children (called from the polling thread)."""

    def snapshot_html(self) -> str:
        raise NotImplementedError

    def snapshot_text(self) -> str:
        raise NotImplementedError

    def keep_going(self) -> bool:
        return True

    def on_exit(self) -> None:
        """Called in the polling thread when it ends (close clients made there)."""

    # --- lifetime -----------------------------------------------------------------------------------
    def start_polling(self) -> None:
        if self._poller is not None and self._poller.running:
            return
        self._poller = Poller(self._poll, self._failed, self.interval, keep_going=self.keep_going,
                              name=f"kafkalab-widget-{type(self).__name__}", on_exit=self.on_exit).start()

    def _poll(self) -> None:
        self.refresh()
        self.status.value = f'<small style="color:#888">{esc(t("w_updated", time=now()))}</small>'

    def _failed(self, err: Exception, delay: float) -> None:
        message = esc(t("w_unreachable", error=str(err).splitlines()[0][:200], seconds=delay))
        self.status.value = f'<small style="color:#b00">{message}</small>'

    def poll_now(self) -> None:
        if self._poller is not None:
            self._poller.wake()

    @property
    def polling(self) -> bool:
        return self._poller is not None and self._poller.running

    def stop(self) -> None:
        """Stop live updates (the widget keeps showing the last state)."""
        if self._poller is not None:
            self._poller.stop()
            self.status.value = f'<small style="color:#888">{esc(t("w_stopped"))}</small>'

    def close(self) -> None:
        self.stop()
        super().close()

    # --- display where widgets cannot render ----------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        try:
            data["text/html"] = self.snapshot_html()
            data["text/plain"] = self.snapshot_text()
        except Exception as err:  # a snapshot must never hide the widget
            data["text/plain"] = f"{type(self).__name__}: {err}"
        return data
