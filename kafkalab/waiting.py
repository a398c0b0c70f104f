"""Waiting for a real condition, with a deadline (never a fixed sleep): the one wait primitive."""
from __future__ import annotations

import time

from .errors import KafkaLabError


_COLLECTIONS = (list, tuple, dict, set, frozenset)  # empty ones mean "not yet"


def wait_for(condition, timeout: float = 120.0, what: str = "", every: float = 0.2,
             retry_on: tuple[type[BaseException], ...] = (KafkaLabError,), raise_last: bool = False):
    """Poll `condition()` until it gives a value (not None, False or empty); return (value, seconds).

    An exception of a `retry_on` type counts as "not yet" (a broker that has just died, a group not
    known yet); any other exception surfaces at once. At the deadline: TimeoutError saying what was
    awaited and the last cause, or with `raise_last` that cause itself when there is one (a check's
    verdict keeps its own words).

        >>> leader, seconds = wait_for(lambda: inspect.describe_topic(cluster, "months").partitions[0].leader,
        ...                            60, "a leader of months-0")
    """
    began = time.monotonic()
    last: BaseException | None = None
    try:
        while True:
            try:
                value = condition()
            except retry_on as err:
                value, last = None, err
            if value is not None and value is not False and not (isinstance(value, _COLLECTIONS) and not value):
                return value, time.monotonic() - began
            if time.monotonic() - began >= timeout:
                if raise_last and last is not None:
                    raise last
                cause = f"; last cause: {type(last).__name__}: {last}" if last else ""
                raise TimeoutError(f"waited {timeout} s for {what or 'a condition'}{cause}") from last
            time.sleep(every)
    finally:
        # `last`'s traceback holds this frame: kept, they form a cycle that only the garbage collector frees,
        # maybe in a librdkafka thread, and a Kafka client in it destroyed there aborts the process
        last = None
