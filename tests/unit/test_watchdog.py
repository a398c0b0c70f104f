"""The ephemeral clusters' watchdog sees its owner's end, even when the owner is a zombie not reaped yet."""
import os
import subprocess
import sys

import pytest

from kafkalab.cluster import watchdog
from kafkalab.waiting import wait_for

pytestmark = pytest.mark.unit


def test_a_zombie_owner_counts_as_gone():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        import psutil

        wait_for(lambda: psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE, 30, "the child to end")
        assert not watchdog._owner_alive(child.pid)  # exited, not reaped: os.kill(pid, 0) would still succeed
        assert watchdog._owner_alive(os.getpid())
    finally:
        child.wait()
    assert not watchdog._owner_alive(child.pid)
