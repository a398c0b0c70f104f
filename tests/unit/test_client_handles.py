"""A client whose last reference goes away in one of librdkafka's threads does not abort the process.

No broker: a request to a closed loopback port fails after a second, in librdkafka's thread, and that
thread drops the future last; the future holds the client (as `cluster.admin()`'s futures do).
"""
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.unit

DROPPED = textwrap.dedent("""
    import logging, sys, threading, time, weakref
    from confluent_kafka.admin import AdminClient
    from kafkalab.cluster.handles import SafeAdmin

    cls = SafeAdmin if sys.argv[1] == "safe" else AdminClient
    ended_in = []
    for _ in range(5):
        admin = cls({"bootstrap.servers": "127.0.0.1:1", "logger": logging.getLogger("quiet")})
        future = admin.describe_cluster(request_timeout=1)
        future.client = admin  # nobody waits on it; librdkafka's thread drops it last
        weakref.finalize(admin, lambda: ended_in.append(threading.current_thread().name))
        del admin, future
    deadline = time.monotonic() + 30
    while len(ended_in) < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    print("ended in", sorted(set(ended_in)), len(ended_in))
""")


def run(kind: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", DROPPED, kind], capture_output=True, text=True, timeout=60)


def test_a_client_dropped_in_librdkafkas_thread_is_destroyed_in_ours():
    done = run("safe")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ended in ['kafkalab-client-reaper'] 5" in done.stdout, done.stdout + done.stderr[-2000:]


def test_a_plain_client_dropped_there_aborts_the_process():
    """What the safe classes are for: librdkafka's own verdict on a plain client."""
    done = run("plain")
    assert done.returncode != 0 and "librdkafka owned thread is prohibited" in done.stderr, done.stderr[-2000:]
