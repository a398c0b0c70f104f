"""librdkafka clients that are never destroyed in one of librdkafka's own threads.

librdkafka aborts the whole process ("calling rd_kafka_destroy() from librdkafka owned thread is
prohibited") when a client's last reference goes away in one of its threads: for example when nobody
waits on a future that holds the client and librdkafka's thread, completing it, drops the future last,
or when the garbage collector runs during one of librdkafka's callbacks. A client of these classes that
ends there is handed to a Python thread of ours, which lets it go.

    admin = SafeAdmin(config)   # an AdminClient; SafeConsumer, SafeProducer likewise
"""
from __future__ import annotations

import queue
import threading

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

_handed: queue.SimpleQueue = queue.SimpleQueue()
_reaper: threading.Thread | None = None
_lock = threading.Lock()


def _foreign() -> bool:
    """Is this thread one the threading module did not start (librdkafka's, entering Python for a callback)?"""
    thread = threading._active.get(threading.get_ident())  # current_thread() would register a dummy for it
    return thread is None or isinstance(thread, threading._DummyThread)


def _let_go() -> None:
    while True:
        client = _handed.get()
        del client  # its last reference: destroyed here, in a Python thread


class DestroyedInPython:
    """Mixin for a confluent-kafka client class: see the module's doc."""

    def __del__(self):
        global _reaper
        try:
            if not _foreign():
                return
        except Exception:  # the interpreter is ending: this module's names are gone already
            return
        with _lock:
            if _reaper is None or not _reaper.is_alive():
                _reaper = threading.Thread(target=_let_go, name="kafkalab-client-reaper", daemon=True)
                _reaper.start()
        _handed.put(self)  # resurrected: the reaper drops it, and Python does not call __del__ twice


class SafeAdmin(DestroyedInPython, AdminClient):
    """An AdminClient never destroyed in librdkafka's own threads."""


class SafeConsumer(DestroyedInPython, Consumer):
    """A Consumer never destroyed in librdkafka's own threads."""


class SafeProducer(DestroyedInPython, Producer):
    """A Producer never destroyed in librdkafka's own threads."""
