"""Cluster state on disk: one folder per cluster, so any process (CLI, a new kernel) can reattach by name.

    $KAFKALAB_HOME/clusters/NAME/.kafkalab-cluster  marker: kafkalab made this folder and may delete it
                                 cluster.json        spec, engine, runtime facts (pids, containers)
                                 config/             the rendered .properties files
                                 data/               log.dirs and ZooKeeper dataDirs (local engine)
                                 logs/NODE/          server.log and console.log of each node

A cluster name is a name, never a path: ``[a-z0-9][a-z0-9_-]{0,62}``. Nothing outside
``$KAFKALAB_HOME/clusters/NAME`` is ever removed, and only a folder that carries the marker.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from pathlib import Path

from ..errors import KafkaLabError
from ..i18n import t
from .spec import DEFAULT_NAME

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
MARKER = ".kafkalab-cluster"
STATE_FILE = "cluster.json"


def home_dir() -> Path:
    """Where clusters live (KAFKALAB_HOME overrides ~/.local/state/kafkalab)."""
    if os.environ.get("KAFKALAB_HOME"):
        return Path(os.environ["KAFKALAB_HOME"]).expanduser().resolve()
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base).resolve() / "kafkalab"


def clusters_root() -> Path:
    return home_dir() / "clusters"


def cluster_folder(home: Path, name: str) -> Path:
    """HOME/clusters/NAME for a name already checked (cluster_dir checks it)."""
    return Path(home) / "clusters" / name


def _shown(name) -> str:
    text = repr(name) if not isinstance(name, str) else name
    return text if len(text) <= 70 else text[:60] + f"... ({len(text)} chars)"


def valid_name(name) -> bool:
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None


def check_name(name) -> str:
    """`name` itself when it is a valid cluster name, else a KafkaLabError saying what a name is."""
    if not valid_name(name):
        raise KafkaLabError("cluster_name_bad", name=_shown(name))
    return name


def default_name() -> str:
    """KAFKALAB_CLUSTER (validated like any name), else 'kafkalab'."""
    value = os.environ.get("KAFKALAB_CLUSTER")
    if value is None or value == "":
        return DEFAULT_NAME
    if not valid_name(value):
        raise KafkaLabError("cluster_name_bad_env", name=_shown(value))
    return value


def cluster_dir(name: str) -> Path:
    """$KAFKALAB_HOME/clusters/NAME; a KafkaLabError for anything that is not a valid name."""
    return cluster_folder(home_dir(), check_name(name))


def state_file(name: str) -> Path:
    return cluster_dir(name) / STATE_FILE


def names() -> list[str]:
    """Valid names of the folders under clusters/ that hold a state file or our marker."""
    root = clusters_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if valid_name(p.name) and ((p / STATE_FILE).is_file() or (p / MARKER).is_file()))


# --- folders kafkalab may delete ----------------------------------------------------------------------
def create_dir(name: str) -> Path:
    """Make the cluster's folder with the marker that lets kafkalab delete it later (it names the process
    creating the cluster: until the state file exists, the cluster is alive while that process is)."""
    path = cluster_dir(name)
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text(f"kafkalab cluster '{name}', created {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
                               f"pid {os.getpid()}\n")
    return path


def creator_alive(folder: Path) -> bool:
    """Whether the process that made the cluster folder `folder` (its marker says which) still runs."""
    from .procs import pid_alive

    try:
        found = re.search(r"^pid (\d+)$", (folder / MARKER).read_text(), re.MULTILINE)
    except OSError:
        return False
    return found is not None and pid_alive(int(found.group(1)))


def is_ours(path: Path) -> bool:
    """True for a real folder directly inside the clusters folder that carries our marker."""
    try:
        if path.is_symlink() or not path.is_dir() or not valid_name(path.name):
            return False
        if path.resolve().parent != clusters_root().resolve():
            return False
        return (path / MARKER).is_file() and not (path / MARKER).is_symlink()
    except OSError:
        return False


def remove_dir(name: str) -> bool:
    """Delete the cluster's folder if it is ours; True when it is gone, False when it was left alone."""
    path = cluster_dir(name)
    if not path.exists() and not path.is_symlink():
        return True
    if not is_ours(path):
        return False
    shutil.rmtree(path, ignore_errors=True)
    return not path.exists()


def remove_root_if_empty() -> None:
    """Remove the clusters folder itself when nothing is left in it."""
    with contextlib.suppress(OSError):
        clusters_root().rmdir()


# --- the state file ----------------------------------------------------------------------------------
def _corrupt(name: str, path: Path, why: str) -> KafkaLabError:
    return KafkaLabError("state_corrupt", name=name, path=path, why=why)


def load(name: str) -> dict:
    """The parsed cluster.json; KafkaLabError 'cluster_unknown', or 'state_corrupt' naming the file."""
    path = state_file(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        if (path.parent / MARKER).is_file():
            raise _corrupt(name, path, t("state_why_missing")) from err
        raise KafkaLabError("cluster_unknown", name=name, names=", ".join(names()) or t("none")) from err
    except (OSError, UnicodeDecodeError) as err:
        raise _corrupt(name, path, str(err)) from err
    try:
        data = json.loads(text)
    except ValueError as err:
        raise _corrupt(name, path, t("state_why_json", error=err)) from err
    if not isinstance(data, dict):
        raise _corrupt(name, path, t("state_why_shape", what=type(data).__name__))
    missing = [key for key, kind in (("spec", dict), ("engine", str), ("config_files", dict))
               if not isinstance(data.get(key), kind)]
    if missing:
        raise _corrupt(name, path, t("state_why_missing_keys", keys=", ".join(missing)))
    return data


def save(name: str, state: dict) -> None:
    """Write cluster.json atomically (a temporary file, then os.replace)."""
    path = state_file(name)
    if not path.parent.exists():
        create_dir(name)
    tmp = path.with_name(f"{STATE_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
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
