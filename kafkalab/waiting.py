"""Waiting for a real condition of the cluster, with a deadline (never a fixed sleep)."""
from __future__ import annotations

import time

from .errors import KafkaLabError


def wait_for(condition, timeout: float = 120.0, every: float = 0.2):
    """Poll `condition()` until it gives a value (not None, False or empty); return (value, seconds).

    A KafkaLabError inside counts as "not yet" (a broker that has just died, a group not known yet).
    TimeoutError at the deadline.

        >>> leader, seconds = wait_for(lambda: inspect.describe_topic(cluster, "months").partitions[0].leader)
    """
    began = time.monotonic()
    while True:
        try:
            value = condition()
        except KafkaLabError:
            value = None
        if value is not None and value is not False and value != [] and value != {}:
            return value, time.monotonic() - began
        if time.monotonic() - began >= timeout:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(every)
