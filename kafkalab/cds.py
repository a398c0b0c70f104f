"""Class-data sharing (AppCDS) for Kafka's CLI tools: the classes a tool loads, archived once per Java and
Kafka install, make every later tool start in about half the time (`kafka-topics --list`: 1.0 s -> 0.5 s
on 2 cores). The archive is made by one training run of a tool against a live cluster; a stale or
foreign archive is ignored by the JVM without a word, and KAFKALAB_CDS=0 turns the whole thing off.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
from pathlib import Path

QUIET = ["-Xlog:cds=off", "-Xlog:cds+dynamic=off"]  # a mismatched archive is skipped silently
_tried: set[Path] = set()  # one training attempt per archive and process


def enabled(java_version: int) -> bool:
    # dynamic archives (-XX:ArchiveClassesAtExit) exist since Java 13; 17 is what we test
    return java_version >= 17 and os.environ.get("KAFKALAB_CDS", "1") != "0"


def folder() -> Path:
    from .distribution import cache_dir

    return cache_dir() / "cds"


def archive_path(java: str, libs: Path) -> Path:
    """Where the tools' archive of this Java and these jars lives (in the user's cache)."""
    jars = sorted(libs.glob("*.jar"))
    key = hashlib.sha256("\n".join([os.path.realpath(java), str(libs),
                                    *(f"{j.name}:{j.stat().st_size}" for j in jars)]).encode()).hexdigest()[:16]
    return folder() / f"tools-{key}.jsa"


def options(archive: Path) -> list[str]:
    """JVM options that use the archive, or [] while there is none."""
    return [f"-XX:SharedArchiveFile={archive}", *QUIET] if archive.is_file() else []


def train(argv: list[str], archive: Path, timeout: float = 60) -> bool:
    """Run the tool `argv` once with -XX:ArchiveClassesAtExit and keep the archive when it succeeds.
    Once per process and archive; another process training the same archive makes this one skip."""
    if archive in _tried or archive.is_file():
        return archive.is_file()
    _tried.add(archive)
    try:
        archive.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(archive.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o644)
    except OSError:
        return False  # a read-only cache: tools just start without it
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        return False
    partial = archive.with_suffix(f".{os.getpid()}.tmp")
    try:
        done = subprocess.run([argv[0], f"-XX:ArchiveClassesAtExit={partial}", *QUIET, *argv[1:]],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        if done.returncode == 0 and partial.is_file():
            os.replace(partial, archive)
    except (OSError, subprocess.TimeoutExpired):
        pass
    finally:
        partial.unlink(missing_ok=True)
        os.close(lock)
    return archive.is_file()
