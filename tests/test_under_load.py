"""A slow laptop with other work running: lessons and labs still pass while both cores are kept busy.

Waits follow real conditions, never the clock, so CPU contention may slow a notebook but not fail it.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the timing-sensitive ones: quorum loss (01), failovers with acks=all (04, lab 04), rebalances (05, lab 05).
# Their nbval run in CI is this one (scripts/test leaves them out of the plain run): Russian output, under load.
NOTEBOOKS = ["course/ru/01_concepts_zookeeper.ipynb", "course/ru/04_replication_failover.ipynb",
             "course/ru/05_consumer_groups.ipynb", "solutions/ru/lab04_replication_failover.ipynb",
             "solutions/ru/lab05_consumer_groups.ipynb"]


@pytest.mark.slow
def test_lessons_and_labs_pass_while_every_core_is_busy():
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    began = time.monotonic()
    try:
        env = {k: v for k, v in os.environ.items() if k != "KAFKALAB_HOME"}  # the inner run makes its own
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", *NOTEBOOKS], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=2400)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    print(f"under load: {time.monotonic() - began:.0f} s")
    assert run.returncode == 0, run.stdout[-4000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
