"""A Docker container per submission: the default isolation where a Docker daemon answers.

The grading worker (kafkalab.grading.worker) itself runs in the container, as its root; it starts the
student's kernel as an unprivileged user of the slot (kafkalab.grading.sandbox's launcher), and runs the
checks against the cluster the kernel started, all inside:
- `--network none`: only loopback, so the kernel, its cluster and the checks talk over 127.0.0.1 and
  nobody else is reachable; the host name resolves to 127.0.0.1 (Kafka's tools look it up);
- memory, CPU and process-count limits for the whole submission; the worker is spared by the OOM killer
  before the kernel and its JVMs;
- a read-only root filesystem from the course image; what the worker needs from the grader's machine is
  mounted read-only at its own path (Python and the venv, the kafkalab package, Java, Kafka's jars, the
  class-data archives) and the submission's folder read-write at /tmp/work;
- the checks are mounted in a folder only root (the worker) may enter;
- when the worker ends, every process of the container ends with it, setsid ones too.
The report comes back on the worker's stdout, which the kernel never holds.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .sandbox import WORK, Limits

CHECKS_INSIDE = Path("/grader/checks")   # mode 0700, root's: the kernel's user cannot enter it
LABEL = "kafkalab.grade"                 # value: the submission's token
LABEL_SLOT = "kafkalab.grade.slot"
# what the worker needs as root and nothing more: run the kernel as another user, end its processes,
# read and own the files of the work folder
CAPS = ("SETUID", "SETGID", "KILL", "CHOWN", "DAC_OVERRIDE", "FOWNER")


def docker_cli() -> str | None:
    return shutil.which("docker")


def available() -> bool:
    """A Docker daemon answers and the course image is here (never pulled while grading)."""
    if not docker_cli():
        return False
    from ..cluster.engines.docker import DockerEngine

    if not DockerEngine.daemon_answers():
        return False
    try:
        image()
    except Exception:
        return False
    return True


def image() -> str:
    """The course image (a local build, or KAFKALAB_IMAGE); a KafkaLabError when it is not here."""
    from ..cluster.engines.docker_image import LOCAL_IMAGE, image_exists

    wanted = os.environ.get("KAFKALAB_IMAGE") or LOCAL_IMAGE
    if not image_exists(wanted):
        from ..errors import KafkaLabError

        raise KafkaLabError("docker_image_missing", image=wanted, why="grading never pulls")
    return wanted


def name(slot: int, token: str) -> str:
    return f"kafkalab-grade-{slot}-{token}"


def _java_home() -> Path | None:
    from ..java import find_java

    try:
        java, _ = find_java()
    except Exception:
        return None
    return Path(java).resolve().parent.parent


def mounts(work: Path, kafka_home: Path | None, cds_dir: Path | None, checks: Path,
           extra: tuple[Path, ...] = ()) -> list[str]:
    """docker run arguments for the file system: read-only binds at their own paths, tmpfs where written.
    `extra`: more read-only folders (the other Kafka lines, e.g. 4.x for the KRaft lab)."""
    import kafkalab

    keep = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(kafkalab.__file__).resolve().parent}
    keep |= {p.resolve() for p in (kafka_home, cds_dir, _java_home(), *extra) if p}
    keep = {p for p in keep if not any(p != q and p.is_relative_to(q) for q in keep)}
    args = ["--read-only"]
    for folder in ("/tmp", "/var/tmp", "/run", "/dev/shm"):
        args += ["--mount", f"type=tmpfs,dst={folder},tmpfs-mode=1777"]
    # the image's own /root and /home hide what is mounted below them: tmpfs the worker opens (0755)
    for top in sorted({f"/{p.parts[1]}" for p in keep if len(p.parts) > 1} & {"/root", "/home"}):
        args += ["--mount", f"type=tmpfs,dst={top}"]
    args += ["--mount", f"type=tmpfs,dst={CHECKS_INSIDE.parent},tmpfs-mode=0700"]
    for path in sorted(keep):
        args += ["--mount", f"type=bind,src={path},dst={path},readonly"]
    args += ["--mount", f"type=bind,src={checks.resolve()},dst={CHECKS_INSIDE},readonly",
             "--mount", f"type=bind,src={work.resolve()},dst={WORK}"]
    return args


# The worker's own tasks (nbclient, zmq, the checks' Kafka clients, the helper that ends the kernel's uid), on top
# of the kernel's uid limit: a fork bomb that fills its limit must not leave the worker unable to start a thread.
WORKER_TASKS = 256


def worker_argv(slot: int, token: str, work: Path, limits: Limits, kafka_home: Path | None,
                cds_dir: Path | None, checks: Path, lang: str, extra: tuple[Path, ...] = ()) -> list[str]:
    """The command that runs one submission's worker in its own container (job on stdin, report on stdout)."""
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": "/root",
           "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "KAFKALAB_CHECKS": str(CHECKS_INSIDE), "KAFKALAB_LANG": lang, "KAFKALAB_GRADE_IN_CONTAINER": "1"}
    java_home = _java_home()
    if java_home:
        env["JAVA_HOME"] = str(java_home)
    argv = [docker_cli() or "docker", "run", "--rm", "-i", "--init", "--name", name(slot, token),
            "--label", f"{LABEL}={token}", "--label", f"{LABEL_SLOT}={slot}",
            "--network", "none", "--hostname", "kafkalab-grader", "--add-host", "kafkalab-grader:127.0.0.1",
            "--memory", str(limits.memory), "--memory-swap", str(limits.memory),
            "--pids-limit", str(limits.pids + WORKER_TASKS), "--cpus", str(limits.cpus),
            "--cpu-shares", str(limits.cpu_weight * 1024),
            "--cap-drop", "ALL", *(a for cap in CAPS for a in ("--cap-add", cap)),
            "--security-opt", "no-new-privileges", "--workdir", "/root",
            *mounts(work, kafka_home, cds_dir, checks, extra)]
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    return [*argv, image(), sys.executable, "-m", "kafkalab.grading.worker"]


def remove(token: str | None = None, slot: int | None = None) -> int:
    """Remove the grading containers of one submission (token) or of a slot; how many there were."""
    if not docker_cli():
        return 0
    label = f"{LABEL}={token}" if token else f"{LABEL_SLOT}={slot}"
    found = subprocess.run([docker_cli(), "ps", "-aq", "--filter", f"label={label}"], capture_output=True,
                           text=True, timeout=60).stdout.split()
    if found:
        subprocess.run([docker_cli(), "rm", "-f", *found], capture_output=True, timeout=120)
    return len(found)
