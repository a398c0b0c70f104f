"""Machine-wide port reservations: clusters of other users or other KAFKALAB_HOMEs never take the
ports of each other's nodes, even while a node is stopped and its port looks free.

One file per port in a shared folder (/tmp/kafkalab-ports), created atomically, holding the owning
cluster's folder. A reservation whose cluster folder is gone is stale and taken over.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def registry() -> Path:
    path = Path(os.environ.get("KAFKALAB_PORTS_DIR") or Path(tempfile.gettempdir()) / "kafkalab-ports")
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        try:
            path.chmod(0o1777)  # every user may reserve; only the owner may release (sticky bit)
        except OSError:
            pass
    return path


def _holder(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def reserve(port: int, owner: Path) -> bool:
    """Reserve `port` for the cluster in folder `owner`; False when another live cluster holds it."""
    path = registry() / str(port)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder == str(owner):
                return True
            if holder is None or (Path(holder) / "cluster.json").exists():
                return False
            try:
                path.unlink()  # stale: its cluster is gone
            except OSError:
                return False
            continue
        with os.fdopen(fd, "w") as f:
            f.write(str(owner))
        return True
    return False


def release(owner_prefix: Path) -> None:
    """Release every port held by the cluster folder `owner_prefix` (or by any cluster below it)."""
    prefix = str(owner_prefix)
    for path in registry().iterdir():
        holder = _holder(path)
        if holder and (holder == prefix or holder.startswith(prefix.rstrip("/") + "/")):
            try:
                path.unlink()
            except OSError:
                pass
