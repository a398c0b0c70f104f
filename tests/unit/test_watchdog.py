"""The ephemeral clusters' watchdog sees its owner's end, even when the owner is a zombie not reaped yet."""
import os
import subprocess
import sys

import pytest

from kafkalab.cluster import procs
from kafkalab.waiting import wait_for

pytestmark = pytest.mark.unit


def test_a_zombie_owner_counts_as_gone():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        import psutil

        wait_for(lambda: psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE, 30, "the child to end")
        assert not procs.pid_alive(child.pid)  # exited, not reaped: os.kill(pid, 0) would still succeed
        assert procs.pid_alive(os.getpid())
    finally:
        child.wait()
    assert not procs.pid_alive(child.pid)


def test_wait_for_takes_empty_collections_as_not_yet_and_zero_as_a_value():
    answers = iter([set(), (), {}, [], None, False, {"broker-0"}])
    value, _ = wait_for(lambda: next(answers), 10, every=0)
    assert value == {"broker-0"}
    assert wait_for(lambda: 0, 1)[0] == 0  # lag 0 is an answer
    with pytest.raises(TimeoutError, match="an empty set"):
        wait_for(set, 0.05, "an empty set", every=0.01)
