"""The users a grader makes on a class cluster (`kafkalab grade --class`), one per submission, named after
their grader: kl-grade-<host>-<pid>-<start>-<random>. A grader killed mid-batch cannot remove its users;
the next grader of the same machine finds them by name (stale) and removes them."""
from __future__ import annotations

import hashlib
import re
import secrets
import socket
from pathlib import Path

# a grading user on a class cluster: kl-grade-<host>-<pid>-<start>-<random>, its grader's machine, pid and start
GRADING_USER = re.compile(r"^kl-grade-([0-9a-f]{8})-(\d+)-(\d+)-[0-9a-f]+$")


def host_tag() -> str:
    """This machine in 8 hex digits (its host name and machine id): graders on several machines may share a
    class cluster, and each sweeps the users of its own machine's graders only."""
    try:
        machine = Path("/etc/machine-id").read_text().strip()
    except OSError:
        machine = ""
    return hashlib.sha256(f"{socket.gethostname()} {machine}".encode()).hexdigest()[:8]


def _start(proc) -> int:
    """When a process (psutil) started, in hundredths of a second since boot: no clock change moves it."""
    import psutil

    return round((proc.create_time() - psutil.boot_time()) * 100)


def grading_user(pid: int | None = None, host: str | None = None) -> str:
    """The name of a grading user of this grader (or of process `pid` of machine `host`)."""
    import psutil

    proc = psutil.Process(pid)
    return f"kl-grade-{host or host_tag()}-{proc.pid}-{_start(proc)}-{secrets.token_hex(4)}"


def _running(pid: int, start: int) -> bool:
    """Whether process `pid` still runs and is the one that started at `start` (not a later one given the pid)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and _start(proc) == start
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # cannot tell: kept
        return True


def stale(user: str, host: str, running=_running) -> bool:
    """Whether `user` is a grading user left by a grader of machine `host` that no longer runs (killed before
    it could remove the user)."""
    found = GRADING_USER.match(user)
    return bool(found) and found.group(1) == host and not running(int(found.group(2)), int(found.group(3)))
