"""A slow laptop with other work running: lessons and labs still pass on one core that a busy loop shares.

Waits follow real conditions, never the clock, so CPU contention may slow a notebook but not fail it.
The notebooks, their kernels, their clusters and the busy loop all run in a cgroup of one CPU: the
notebook gets half a core or less, whatever else the machine runs, and the test's load stays on that one
core (the other test worker keeps the other). Where no cgroup can be made, busy loops on every core instead.
"""
import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the timing-sensitive ones: quorum loss (01), failovers with acks=all (04, lab 04), rebalances (05, lab 05).
# Their nbval run in CI is this one (scripts/test leaves them out of the plain run): Russian output, under load.
NOTEBOOKS = ["course/ru/01_concepts_zookeeper.ipynb", "course/ru/04_replication_failover.ipynb",
             "course/ru/05_consumer_groups.ipynb", "solutions/ru/lab04_replication_failover.ipynb",
             "solutions/ru/lab05_consumer_groups.ipynb"]
CGROUP = Path("/sys/fs/cgroup")
PERIOD = 100000  # µs
WEIGHT = 16  # 16 processes' worth of share: its one CPU even beside dozens of busy JVM threads


@contextlib.contextmanager
def one_cpu_group():
    """A cgroup whose processes share one CPU (v2 cpu.max, else v1 cpu.cfs_quota_us); None where none can be made.
    On leaving, what is still in it moves back to the root group and the group is removed."""
    v2 = (CGROUP / "cgroup.controllers").exists()
    group = (CGROUP if v2 else CGROUP / "cpu") / f"kafkalab-test-one-cpu-{uuid.uuid4().hex[:8]}"
    try:
        if v2:
            (CGROUP / "cgroup.subtree_control").write_text("+cpu")
        group.mkdir()
        # the quota: one CPU at most; the weight: that CPU whenever the group wants it. A group weighs as much
        # as one process by default, so on a busy machine it would get far less than a core.
        if v2:
            (group / "cpu.max").write_text(f"{PERIOD} {PERIOD}")
            (group / "cpu.weight").write_text(str(WEIGHT * 100))
        else:
            (group / "cpu.cfs_period_us").write_text(str(PERIOD))
            (group / "cpu.cfs_quota_us").write_text(str(PERIOD))
            (group / "cpu.shares").write_text(str(WEIGHT * 1024))
    except OSError:
        group.exists() and group.rmdir()
        yield None
        return
    try:
        yield group
    finally:
        left: list[str] = []
        for _ in range(50):
            with contextlib.suppress(OSError):
                left = (group / "cgroup.procs").read_text().split()
            for pid in left:
                with contextlib.suppress(OSError):
                    (group.parent / "cgroup.procs").write_text(pid)
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def _enter(group: Path | None):
    """preexec_fn: the child process joins `group` (its children follow). Plain system calls only: it runs
    between fork and exec."""
    if group is None:
        return None
    path = str(group / "cgroup.procs")

    def join():
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)
    return join


@pytest.mark.slow
def test_lessons_and_labs_pass_on_one_core_shared_with_a_busy_loop():
    with one_cpu_group() as group:
        loops = 1 if group else (os.cpu_count() or 2)
        burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"], preexec_fn=_enter(group))
                   for _ in range(loops)]
        began = time.monotonic()
        try:
            env = {k: v for k, v in os.environ.items() if k != "KAFKALAB_HOME"}  # the inner run makes its own
            run = subprocess.run([sys.executable, "-m", "pytest", "-q", *NOTEBOOKS], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=2400, preexec_fn=_enter(group))
        finally:
            for burner in burners:
                burner.kill()
                burner.wait()
    where = f"one CPU ({group.parent.name if group.parent != CGROUP else 'v2'} cgroup)" if group else "every core"
    print(f"under load ({loops} busy loop(s), {where}): {time.monotonic() - began:.0f} s")
    assert run.returncode == 0, run.stdout[-4000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
