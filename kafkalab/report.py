"""Notices for people (progress, what a call did), through logging: the library itself never prints.

The "kafkalab" logger has one handler that shows each notice as a plain line, already in the student's
language: INFO on the current stdout (the running cell, or the terminal), WARNING and above on stderr.
`captured()` keeps the current thread's notices instead (a widget's button), so they never land in
whichever cell runs at that moment. Silence them with logging.getLogger("kafkalab").setLevel("WARNING").
"""
from __future__ import annotations

import contextlib
import logging
import sys
import threading

log = logging.getLogger("kafkalab")
_local = threading.local()


class _Lines(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        sink = getattr(_local, "sink", None)
        if sink is not None:
            sink.append(text)
            return
        stream = sys.stderr if record.levelno >= logging.WARNING else sys.stdout
        stream.write(text + "\n")
        stream.flush()


if not any(isinstance(h, _Lines) for h in log.handlers):
    log.addHandler(_Lines())
    log.setLevel(logging.INFO)
    log.propagate = False  # an application's own logging setup does not show them twice


def say(text: str) -> None:
    """A notice: what happened, or what is under way."""
    log.info("%s", text)


def warn(text: str) -> None:
    """Something the person should know that did not stop the call."""
    log.warning("%s", text)


@contextlib.contextmanager
def captured():
    """Collect this thread's notices in a list instead of showing them."""
    lines: list[str] = []
    outer = getattr(_local, "sink", None)
    _local.sink = lines
    try:
        yield lines
    finally:
        _local.sink = outer
