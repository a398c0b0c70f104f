"""Local node processes found with psutil by the markers in their command line.

Every JVM the local engine starts carries ``-Dkafkalab.home=HOME -Dkafkalab.cluster=NAME
-Dkafkalab.node=NODE``; before it execs java, its ``/bin/sh -c`` wrapper carries the same words in its
script. So a cluster's processes are found without its state file (a damaged cluster.json).
"""
from __future__ import annotations

import os
import shlex
from pathlib import Path

import psutil

from ..waiting import wait_for


def _words(cmdline: list[str]) -> list[str]:
    """The command line's arguments, with a `sh -c SCRIPT` script split into its words."""
    words = list(cmdline)
    if len(cmdline) >= 3 and os.path.basename(cmdline[0]) in ("sh", "bash", "dash") and cmdline[1] == "-c":
        try:
            words += shlex.split(cmdline[2])
        except ValueError:
            words += cmdline[2].split()
    return words


def markers_of(cmdline: list[str]) -> dict[str, str]:
    """{'home': ..., 'cluster': ..., 'node': ...} from a command line's -Dkafkalab.* words."""
    found = {}
    for word in _words(cmdline):
        if word.startswith("-Dkafkalab.") and "=" in word:
            key, value = word[len("-Dkafkalab."):].split("=", 1)
            found.setdefault(key, value)
    return found


def alive(proc: psutil.Process) -> bool:
    """Running, and not a zombie waiting for its parent to reap it."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def pid_alive(pid: int) -> bool:
    """The process `pid` runs and is not a zombie (a killed kernel its parent has not reaped yet is gone
    for us); one we may not look at counts as alive."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:
        return True


def same_mounts(pid: int) -> bool:
    """Whether the process sees the same files as we do (the same mount namespace). A grading sandbox's
    cluster folder does not exist out here, yet its nodes are not orphans: never judge them from outside."""
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt") == os.readlink("/proc/self/ns/mnt")
    except OSError:
        return False  # not ours to look into, so not ours to judge


def marked(home: Path | str | None = None, cluster: str | None = None,
           node: str | None = None) -> list[psutil.Process]:
    """Live processes with our markers, in our mount namespace: of `home` (None: of any home), of one
    `cluster` and `node` if given. Each one's markers are in `proc.info["marks"]`."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        if proc.pid == os.getpid():
            continue
        cmdline = proc.info.get("cmdline") or []
        if not any("-Dkafkalab." in arg for arg in cmdline):
            continue
        marks = markers_of(cmdline)
        if "home" not in marks or "cluster" not in marks:
            continue
        if home is not None and marks["home"] != str(home):
            continue
        if cluster is not None and marks["cluster"] != cluster:
            continue
        if node is not None and marks.get("node") != node:
            continue
        if not same_mounts(proc.pid):  # a sandbox's or a container's: their paths are not ours
            continue
        proc.info["marks"] = marks
        if alive(proc):
            found.append(proc)
    return found


def kill(procs: list[psutil.Process], timeout: float = 10.0) -> list[psutil.Process]:
    """SIGKILL each process and wait until it is gone (or a zombie); return those still alive."""
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    try:
        wait_for(lambda: not any(alive(p) for p in procs), timeout, every=0.05)
    except TimeoutError:
        pass
    return [p for p in procs if alive(p)]
