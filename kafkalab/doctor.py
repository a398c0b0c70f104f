"""`kafkalab doctor`: Java, Kafka, Docker, ports, memory, disk; each problem with its fix."""
from __future__ import annotations

import shutil

import psutil

from . import distribution
from .cluster import state
from .cluster.spec import port_is_free
from .errors import KafkaLabError
from .i18n import t

NOTES_PORTS = {2181: "ZooKeeper", 9092: "broker-0", 9093: "broker-1", 9094: "broker-2"}


def _available_memory_gib() -> float:
    return psutil.virtual_memory().available / 1024 ** 3


def _docker() -> tuple[bool, str]:
    try:
        import docker

        client = docker.from_env(timeout=5)
        return True, client.version().get("Version", "?")
    except Exception as err:
        return False, str(err).splitlines()[0][:120] if str(err) else type(err).__name__


def checks() -> list[tuple[str, str]]:
    """(level, message) pairs: level is 'ok', 'note' or 'problem'."""
    from .java import find_java

    found: list[tuple[str, str]] = []
    try:
        path, version = find_java()
        found.append(("ok", t("doctor_java", version=version, path=path)))
    except KafkaLabError as err:
        found.append(("problem", str(err)))
    dist = distribution.find()
    if dist:
        found.append(("ok", t("kafka_found", version=dist.version, path=dist.home)))
    else:
        found.append(("problem", t("kafka_missing", version=distribution.KAFKA_VERSION)))
    answers, info = _docker()
    found.append(("ok", t("doctor_docker_ok", version=info)) if answers
                 else ("note", t("doctor_docker_missing", why=info)))
    from .cluster.cluster import Cluster

    ours = {}
    for name in state.names():
        try:
            cluster = Cluster.load(name)
        except KafkaLabError as err:
            if err.key == "state_corrupt":
                found.append(("note", t("doctor_cluster_corrupt", name=name, path=err.values["path"])))
            continue
        for node in cluster.nodes:
            ours[node.port] = name
    for port, what in NOTES_PORTS.items():
        if port in ours:
            found.append(("ok", t("doctor_port_ours", port=port, what=what, name=ours[port])))
        elif port_is_free(port):
            found.append(("ok", t("doctor_port_free", port=port, what=what)))
        else:
            found.append(("note", t("doctor_port_taken", port=port, what=what)))
    free = _available_memory_gib()
    found.append(("ok", t("doctor_memory", free=free)) if free >= 1.5
                 else ("problem", t("doctor_memory_low", free=free)))
    home = state.home_dir()
    probe = home if home.exists() else home.parent if home.parent.exists() else state.home_dir().anchor
    disk = shutil.disk_usage(probe).free / 1024 ** 3
    found.append(("ok", t("doctor_disk", free=disk, path=probe)) if disk >= 1
                 else ("problem", t("doctor_disk_low", free=disk, path=probe)))
    if state.names():
        found.append(("note", t("doctor_clusters", names=", ".join(state.names()))))
    return found


def doctor() -> int:
    """Print the checks; return the number of problems."""
    labels = {"ok": t("doctor_ok"), "note": t("doctor_note"), "problem": t("doctor_problem")}
    width = max(len(label) for label in labels.values())
    results = checks()
    for level, message in results:
        print(f"[{labels[level]:^{width}}] {message}")
    problems = sum(level == "problem" for level, _ in results)
    print(t("doctor_summary_ok") if not problems else t("doctor_summary_bad", n=problems))
    return problems
