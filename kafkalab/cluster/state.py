"""Cluster state on disk: one folder per cluster, so any process (CLI, a new kernel) can reattach by name.

    $KAFKALAB_HOME/clusters/NAME/cluster.json   spec, engine, runtime facts (pids, containers)
                                 config/         the rendered .properties files
                                 data/           log.dirs and ZooKeeper dataDirs (local engine)
                                 logs/NODE/      server.log and console.log of each node
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path

from ..errors import KafkaLabError
from ..i18n import t
from .spec import DEFAULT_NAME


def home_dir() -> Path:
    """Where clusters live (KAFKALAB_HOME overrides ~/.local/state/kafkalab)."""
    if os.environ.get("KAFKALAB_HOME"):
        return Path(os.environ["KAFKALAB_HOME"]).expanduser().resolve()
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base).resolve() / "kafkalab"


def default_name() -> str:
    return os.environ.get("KAFKALAB_CLUSTER") or DEFAULT_NAME


def cluster_dir(name: str) -> Path:
    return home_dir() / "clusters" / name


def names() -> list[str]:
    root = home_dir() / "clusters"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "cluster.json").is_file())


def load(name: str) -> dict:
    path = cluster_dir(name) / "cluster.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise KafkaLabError("cluster_unknown", name=name, names=", ".join(names()) or t("none")) from None


def save(name: str, state: dict) -> None:
    path = cluster_dir(name) / "cluster.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, path)


@contextlib.contextmanager
def locked():
    """One process at a time creates or removes clusters (ports and names must not collide)."""
    home = home_dir()
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
