"""Benchmark: a class of copies of a lab's solution graded with `kafkalab grade`, one at a time and pooled.

    .venv/bin/python scripts/bench_grading.py [--lab lab04] [--copies 20] [--jobs 1,default]

Prints, per --jobs value, the wall time of the whole batch, seconds per submission, the CPU time each
submission used (its sandbox's cgroup) and whether every copy scored full marks; then the floor that CPU
time sets on the batch on this machine's cores. Goal on 2 cores: 20 copies of lab04 in at most 4 minutes with the default pool.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_copies(lab: str, copies: int, folder: Path) -> list[Path]:
    import jupytext

    source = next((ROOT / "solutions" / "en").glob(f"{lab}_*.md"))
    notebook = jupytext.reads(source.read_text(), fmt="md")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True)
    paths = []
    for i in range(copies):
        path = folder / f"student-{i:02d}.ipynb"
        jupytext.write(notebook, path, fmt="ipynb")
        paths.append(path)
    return paths


def run(paths: list[Path], lab: str, jobs: str, out: Path) -> tuple[float, int, int, float]:
    args = [sys.executable, "-m", "kafkalab.cli", "grade", *map(str, paths), "--lab", lab, "--out", str(out)]
    if jobs != "default":
        args += ["--jobs", jobs]
    began = time.monotonic()
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.monotonic() - began
    reports = [json.loads((out / f"{p.stem}.json").read_text()) for p in paths]
    full = sum(r["score"] == r["max_score"] > 0 for r in reports)
    cpu = [r["cpu_seconds"] for r in reports if r.get("cpu_seconds")]
    return seconds, full, len(reports), sum(cpu) / len(cpu) if cpu else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab04")
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--jobs", default="1,default", help="comma-separated --jobs values to compare")
    args = parser.parse_args()
    from kafkalab.grading.batch import default_jobs

    with tempfile.TemporaryDirectory(prefix="kafkalab-bench-") as tmp:
        paths = make_copies(args.lab, args.copies, Path(tmp) / args.lab)
        print(f"{args.copies} copies of the {args.lab} solution; default pool here: {default_jobs()} job(s)")
        print(f"{'jobs':>8} {'batch':>9} {'per submission':>15} {'CPU each':>9} {'full marks':>11}")
        for jobs in args.jobs.split(","):
            seconds, full, total, cpu = run(paths, args.lab, jobs, Path(tmp) / f"out-{jobs}")
            print(f"{jobs:>8} {seconds:>8.0f}s {seconds / total:>14.1f}s {cpu:>8.1f}s {full:>6}/{total}")
        cores = os.cpu_count() or 1
        print(f"CPU bound: {args.copies} x {cpu:.1f} s of CPU on {cores} cores = at least "
              f"{args.copies * cpu / cores:.0f} s for the batch, whatever the pool")


if __name__ == "__main__":
    main()
