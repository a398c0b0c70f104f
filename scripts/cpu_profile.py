"""Where a command's CPU goes: runs it, samples every process's CPU time four times a second, then prints
CPU-seconds by kind of process (Kafka servers, ZooKeeper, each Kafka tool, kernels, grading workers...) and
by test file (a process counts for the test that was running when it started: PYTEST_CURRENT_TEST in its
environment; grading sandboxes clear it).

    python scripts/cpu_profile.py [--json FILE] -- bash scripts/test

Linux only (/proc). A process that lives less than a sample's interval is missed, and one's last quarter
second is; processes of the whole machine are counted, so run it on an otherwise quiet machine.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")
JAVA_KINDS = [("QuorumPeerMain", "zookeeper"), ("ToolServer", "tool server"), ("StorageTool", "kafka-storage")]


def kind(argv: list[str]) -> str:
    """A short name for what a process is, from its command line."""
    line = " ".join(argv)
    if argv and os.path.basename(argv[0]) == "java":
        if " kafka.Kafka " in f" {line} ":
            return "kafka controller" if "process.roles=controller" in line else "kafka server"
        for marker, name in JAVA_KINDS:
            if marker in line:
                return name
        main = next((a for a in argv[1:] if "." in a and not a.startswith("-") and "/" not in a), "?")
        return f"java {main.rsplit('.', 1)[-1]}"
    for marker, name in (("ipykernel", "kernel"), ("kafkalab.grading.worker", "grading worker"),
                         ("pytest", "pytest"), ("execnet", "pytest worker"), ("sys.stdin.readline", "pytest worker")):
        if marker in line:
            return name
    return os.path.basename(argv[0]) if argv else "?"


def _read(pid: str) -> tuple[str, str, int] | None:
    """(start time, name, utime + stime) of a process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[19], stat[stat.index("(") + 1:stat.rindex(")")], int(fields[11]) + int(fields[12])


def _first_look(pid: str) -> tuple[str, str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0")[:-1]]
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = f.read().split(b"\0")
    except OSError:
        argv, env = [], []
    test = next((e.split(b"=", 1)[1].decode(errors="replace") for e in env
                 if e.startswith(b"PYTEST_CURRENT_TEST=")), "")
    return kind(argv), test.split("::")[0]


def sample(done: threading.Event, seen: dict) -> None:
    """Until `done`: every process's CPU ticks since the first sweep, keyed by (pid, start time). A process
    is looked at again when its name changes (an exec: a JVM started through a shell or Python)."""
    before: dict = {}  # ticks of the processes that ran before the command
    first = True
    while not done.is_set():
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            read = _read(pid)
            if read is None:
                continue
            start, name, ticks = read
            key = (pid, start)
            if first:
                before[key] = ticks
            if key not in seen or seen[key][3] != name:
                seen[key] = [*_first_look(pid), 0, name]
            seen[key][2] = ticks - before.get(key, 0)
        first = False
        done.wait(0.25)


def report(rows: list) -> str:
    by_kind, count, by_file = collections.Counter(), collections.Counter(), collections.Counter()
    for what, test, ticks, _ in rows:
        by_kind[what] += ticks / TICKS
        count[what] += 1
        by_file[test or "(no test: setup, sandboxes, system)"] += ticks / TICKS
    lines = [f"{sum(by_kind.values()):.0f} CPU-seconds in {len(rows)} processes", "", "by kind (CPU-s, processes):"]
    lines += [f"  {cpu:8.0f} {count[what]:6d}  {what}" for what, cpu in by_kind.most_common(25) if cpu >= 0.5]
    lines += ["", "by test file (CPU-s):"]
    lines += [f"  {cpu:8.0f}  {test}" for test, cpu in by_file.most_common(25) if cpu >= 0.5]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="also keep every process's row here")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    seen: dict = {}
    done = threading.Event()
    sampler = threading.Thread(target=sample, args=(done, seen), daemon=True)
    sampler.start()
    began = time.monotonic()
    try:
        code = subprocess.call(command)
    finally:
        done.set()
        sampler.join()
    rows = list(seen.values())
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f)
    print(f"\n{' '.join(command)}: exit {code}, {time.monotonic() - began:.0f} s\n" + report(rows))
    return code


if __name__ == "__main__":
    sys.exit(main())
