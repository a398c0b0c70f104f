"""Benchmark: time to ready and total memory of each preset, on every engine that runs here.

    .venv/bin/python scripts/benchmark.py [--runs 3] [--engines local,docker] [--presets single,three-brokers]
    .venv/bin/python scripts/benchmark.py --presets kraft,kraft-combined --kafka 4

Prints a table of figures (median of the runs). Goals on a 2-core machine: three-brokers ready in
<= 3 s (local) / <= 4 s (docker, image built), all nodes together <= 1.5 GB resident; kraft on
Kafka 4.x (3 controllers + 3 brokers) ready in <= 8 s, <= 1.5 GB resident.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kafkalab  # noqa: E402
from kafkalab.cluster.engines import choose_engine  # noqa: E402
from kafkalab.cluster.engines.local import marked_pids  # noqa: E402


def resident_mib_local(cluster) -> float:
    total = 0
    for pid in marked_pids(cluster.home, cluster.name):
        with open(f"/proc/{pid}/status") as f:
            total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return total / 1024


def cpu_seconds_local(cluster) -> float:
    """CPU time the cluster's processes used so far, set-up steps (storage format) included: each node's
    /bin/sh ran them as children, then exec'd the server, so they count in its cutime. On a busy machine
    this, divided by the cores, is what time to ready would be on an idle one (a lower bound)."""
    total = 0
    for pid in marked_pids(cluster.home, cluster.name):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def resident_mib_docker(cluster) -> float:
    import docker

    client = docker.from_env()
    total = 0
    for container in client.containers.list(filters={"label": f"kafkalab.cluster={cluster.name}"}):
        stats = container.stats(stream=False)["memory_stats"]
        cache = stats.get("stats", {}).get("inactive_file", stats.get("stats", {}).get("cache", 0))
        total += stats.get("usage", 0) - cache
    return total / 1024 / 1024


def reaped_children_cpu() -> float:
    """CPU time of this process's children that ended (the KRaft nodes' storage-format JVM, tools)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(preset: str, engine: str, kafka: str | None = None) -> tuple[float, float, float]:
    began, reaped = time.monotonic(), reaped_children_cpu()
    cluster = kafkalab.up(preset, name=f"bench-{preset}", engine=engine, fresh=True, quiet=True, kafka=kafka)
    ready = time.monotonic() - began
    cpu = cpu_seconds_local(cluster) + reaped_children_cpu() - reaped if engine == "local" else float("nan")
    # let the brokers settle (internal topics, first GCs) before reading memory
    cluster.create_topic("bench", partitions=3, replication_factor=min(3, len(cluster.brokers)))
    time.sleep(2)
    memory = resident_mib_local(cluster) if engine == "local" else resident_mib_docker(cluster)
    cluster.down()
    return ready, memory, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="")
    parser.add_argument("--presets", default="single,three-brokers,zk-ensemble")
    parser.add_argument("--kafka", default=None, help="3.9 (default) or 4 (KRaft presets only)")
    args = parser.parse_args()
    version = kafkalab.distribution.resolve_version(args.kafka)
    engines = args.engines.split(",") if args.engines else ["local"]
    if not args.engines and choose_engine("auto") == "docker":
        engines.append("docker")
    os.environ.setdefault("KAFKALAB_HOME", tempfile.mkdtemp(prefix="kafkalab-bench-"))
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f}; {args.runs} runs each, median shown")
    print(f"{'engine':<8} {'preset':<14} {'kafka':<6} {'ready s':>8} {'min s':>7} {'max s':>7} {'memory MiB':>11} "
          f"{'cpu s to ready':>15}")
    for engine in engines:
        for preset in args.presets.split(","):
            results = [measure(preset, engine, args.kafka) for _ in range(args.runs)]
            ready = [r for r, _, _ in results]
            memory = statistics.median(m for _, m, _ in results)
            cpu = statistics.median(c for _, _, c in results)
            print(f"{engine:<8} {preset:<14} {version:<6} {statistics.median(ready):>8.1f} {min(ready):>7.1f} "
                  f"{max(ready):>7.1f} {memory:>11.0f} {cpu:>15.1f}", flush=True)


if __name__ == "__main__":
    main()
