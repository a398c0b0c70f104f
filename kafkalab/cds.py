"""Class-data sharing (AppCDS): the classes a Kafka JVM loads, archived once per Java and Kafka install.

- CLI tools: one archive, made by one training run of a tool against a live cluster; later tools start
  in about half the time (`kafka-topics --list`: 1.16 s -> 0.61 s on 2 cores).
- Servers: one archive per role (zookeeper, broker, controller). The first nodes started without one
  write the list of classes they load; the cluster's `down` turns the list into the archive. Later
  clusters start with 40% less CPU (three-brokers: 15.3 -> 9.3 CPU-seconds, 8.0 -> 5.5 s to ready).
- Docker containers: the same per role, kept per image (`docker_archive`) and dumped by a container of
  that image (three-brokers on docker: 6.8 -> 4.3 s to ready).

A stale or foreign archive is skipped by the JVM without a word. KAFKALAB_CDS=0 turns it all off;
KAFKALAB_CDS_DIR names a folder of archives to use (read-only is fine: nothing is trained there then).
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import subprocess
from pathlib import Path

QUIET = ["-Xlog:cds=off", "-Xlog:cds+dynamic=off"]  # a mismatched archive is skipped silently
_tried: set[Path] = set()  # one training attempt per archive and process


def enabled(java_version: int) -> bool:
    # dynamic archives (-XX:ArchiveClassesAtExit) exist since Java 13; 17 is what we test
    return java_version >= 17 and os.environ.get("KAFKALAB_CDS", "1") != "0"


def folder() -> Path:
    if os.environ.get("KAFKALAB_CDS_DIR"):
        return Path(os.environ["KAFKALAB_CDS_DIR"])
    from .distribution import cache_dir

    return cache_dir() / "cds"


def archive_path(java: str, libs: Path, kind: str = "tools") -> Path:
    """Where the archive of `kind` (tools or a server role) for this Java and these jars lives."""
    jars = sorted(libs.glob("*.jar"))
    key = hashlib.sha256("\n".join([os.path.realpath(java), str(libs),
                                    *(f"{j.name}:{j.stat().st_size}" for j in jars)]).encode()).hexdigest()[:16]
    return folder() / f"{kind}-{key}.jsa"


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def options(archive: Path) -> list[str]:
    """JVM options that use the archive, or [] while there is none."""
    return [f"-XX:SharedArchiveFile={archive}", *QUIET] if archive.is_file() else []


def _make(archive: Path, argv_to, timeout: float) -> bool:
    """Run the JVM that `argv_to(partial)` gives, which writes an archive to `partial`, and keep it as
    `archive` when it succeeds. Skipped (False) when the folder is read-only or another process is at it."""
    try:
        archive.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(archive.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o644)
    except OSError:
        return False  # a read-only cache: the JVMs just start without it
    partial = archive.with_suffix(f".{os.getpid()}.tmp")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = subprocess.run(argv_to(partial), stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        if done.returncode == 0 and partial.is_file():
            os.replace(partial, archive)
    except (OSError, subprocess.TimeoutExpired):  # BlockingIOError: another process makes it
        pass
    finally:
        partial.unlink(missing_ok=True)
        os.close(lock)
    return archive.is_file()


def train(argv: list[str], archive: Path, timeout: float = 60) -> bool:
    """Run the tool `argv` once with -XX:ArchiveClassesAtExit and keep the archive when it succeeds.
    Once per process and archive."""
    if archive in _tried or archive.is_file():
        return archive.is_file()
    _tried.add(archive)
    return _make(archive, lambda partial: [argv[0], f"-XX:ArchiveClassesAtExit={partial}", *QUIET, *argv[1:]],
                 timeout)


def server_options(java: str, java_version: int, libs: Path, role: str) -> list[str]:
    """JVM options of a server node: its role's archive, or else the list of the classes it loads."""
    if not enabled(java_version):
        return []
    return archive_options(archive_path(java, libs, role))


def archive_options(archive: Path) -> list[str]:
    """Use `archive`; while there is none, write the list of the classes loaded (made into it at `down`)."""
    if archive.is_file():
        return options(archive)
    if not _writable(archive.parent):
        return []
    return [f"-XX:DumpLoadedClassList={archive.with_suffix(f'.{secrets.token_hex(4)}.classlist')}"]


def docker_archive(image_id: str, version: str, role: str) -> Path:
    """The archive of a server role in the containers of one image (its Java, its jars of Kafka `version`)."""
    key = hashlib.sha256(f"{image_id}\n{version}".encode()).hexdigest()[:16]
    return folder() / f"docker-{role}-{key}.jsa"


def build_archive(archive: Path, dump, timeout: float = 180) -> bool:
    """Turn the class lists nodes wrote for `archive` into it; `dump(classlist, partial)` is the argv of the
    JVM that writes the archive to `partial`. True when it was made now."""
    lists = sorted(archive.parent.glob(f"{archive.stem}.*.classlist"), key=lambda p: p.stat().st_size)
    if not lists or archive.is_file():
        return False
    classlist = archive.with_suffix(f".{os.getpid()}.list")
    try:
        text = lists[-1].read_text(errors="replace")
        classlist.write_text(text[:text.rfind("\n") + 1])  # a JVM may still be appending to it
        return _make(archive, lambda partial: dump(classlist, partial), timeout)
    except OSError:
        return False
    finally:
        for path in (classlist, *lists):
            path.unlink(missing_ok=True)


def build_servers(java: str, libs: Path, roles=("zookeeper", "broker", "controller"), timeout: float = 180) -> list[Path]:
    """Turn the class lists that nodes wrote into their roles' archives; returns the archives made."""
    def dump(classlist: Path, partial: Path) -> list[str]:
        return [java, "-Xshare:dump", f"-XX:SharedClassListFile={classlist}", f"-XX:SharedArchiveFile={partial}",
                *QUIET, "-cp", f"{libs}/*"]

    return [archive for archive in (archive_path(java, libs, role) for role in roles)
            if build_archive(archive, dump, timeout)]
