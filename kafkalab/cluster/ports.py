"""Machine-wide port reservations: clusters of other users or other KAFKALAB_HOMEs never take the
ports of each other's nodes, even while a node is stopped and its port looks free.

One file per port in a folder every kafkalab process on the machine sees whatever its TMPDIR:
/tmp/kafkalab-ports, else /dev/shm/kafkalab-ports when /tmp is not writable, else (no machine-wide
folder at all) $KAFKALAB_HOME/ports. KAFKALAB_PORTS_DIR overrides. A file is created atomically and
holds the owning cluster's folder. A reservation is stale, and taken over, when that folder has no state
file and the process that made the folder (its marker names it) has ended: a cluster being created writes
its state only after its ports are chosen.
"""
from __future__ import annotations

import os
from pathlib import Path

SHARED = (Path("/tmp/kafkalab-ports"), Path("/dev/shm/kafkalab-ports"))


def _usable(path: Path) -> bool:
    """The folder exists (made if need be, open to every user) and we may create files in it."""
    try:
        if path.is_symlink():
            return False
        if not path.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            try:
                path.chmod(0o1777)  # every user may reserve; only the owner may release (sticky bit)
            except OSError:
                pass
        return path.is_dir() and os.access(path, os.W_OK | os.X_OK)
    except OSError:
        return False


def registry() -> Path:
    """The folder of reservations (see the module's doc for the order tried)."""
    if os.environ.get("KAFKALAB_PORTS_DIR"):
        path = Path(os.environ["KAFKALAB_PORTS_DIR"])
        path.mkdir(parents=True, exist_ok=True)
        return path
    for path in SHARED:
        if _usable(path):
            return path
    from .state import home_dir

    path = home_dir() / "ports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _holder(path: Path) -> str | None:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    return lines[0] if lines else None


def _owner_alive(holder: str) -> bool:
    """Whether the cluster folder holding a reservation still has its state, or is still being created
    (unreadable counts as yes)."""
    from .state import creator_alive

    try:
        return (Path(holder) / "cluster.json").stat() is not None
    except FileNotFoundError:
        return creator_alive(Path(holder))
    except OSError:
        return True  # another user's folder we may not look into: theirs, keep off


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
            if holder is None or _owner_alive(holder):
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


def holder_name(port: int) -> str | None:
    """The name of the live kafkalab cluster holding `port` (its folder's name), else None."""
    holder = _holder(registry() / str(port))
    return Path(holder).name if holder and _owner_alive(holder) else None


def held_by(owner_prefix: Path) -> list[int]:
    """Ports reserved by the cluster folder `owner_prefix` (or by any cluster below it)."""
    prefix = str(owner_prefix)
    found = []
    for path in registry().iterdir():
        holder = _holder(path)
        if holder and (holder == prefix or holder.startswith(prefix.rstrip("/") + "/")) and path.name.isdigit():
            found.append(int(path.name))
    return sorted(found)


def release(owner_prefix: Path) -> None:
    """Release every port held by the cluster folder `owner_prefix` (or by any cluster below it)."""
    for port in held_by(owner_prefix):
        try:
            (registry() / str(port)).unlink()
        except OSError:
            pass
