"""When each test worker was busy: reads the lines `KAFKALAB_TEST_TIMELINE=FILE bash scripts/test` wrote
(conftest.py) and prints, per worker, its files in the order it ran them, its busy and idle seconds, and
when it ran out of work.

    python scripts/test_timeline.py FILE
"""
from __future__ import annotations

import collections
import json
import sys


def main(path: str) -> None:
    tests = [json.loads(line) for line in open(path) if line.strip()]
    if not tests:
        sys.exit(f"{path}: no tests")
    began = min(t["start"] for t in tests)
    ended = max(t["end"] for t in tests)
    by_worker: dict[str, list[dict]] = collections.defaultdict(list)
    for t in tests:
        by_worker[t["worker"]].append(t)
    total = 0.0
    for worker, runs in sorted(by_worker.items()):
        runs.sort(key=lambda t: t["start"])
        busy = sum(t["end"] - t["start"] for t in runs)
        total += busy
        last = runs[-1]["end"] - began
        print(f"{worker}: {len(runs)} tests, busy {busy:.0f} s, out of work at {last:.0f} s "
              f"(idle {ended - began - busy:.0f} s)")
        files: list[list] = []  # [file, first start, last end, tests]
        for t in runs:
            name = t["test"].split("::")[0]
            if files and files[-1][0] == name:
                files[-1][2], files[-1][3] = t["end"], files[-1][3] + 1
            else:
                files.append([name, t["start"], t["end"], 1])
        for name, start, end, count in files:
            if end - start >= 20:
                print(f"  {start - began:6.0f} - {end - began:6.0f} s  {end - start:5.0f} s  {name} ({count})")
    print(f"all: {len(tests)} tests in {ended - began:.0f} s; {total:.0f} worker-seconds busy, "
          f"{total / (ended - began):.2f} workers on average")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__))
