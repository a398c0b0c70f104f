"""The image the docker engine runs: Java 17 + Kafka's jars under /opt/kafka/libs.

Order: ``KAFKALAB_IMAGE`` -> the locally built ``kafkalab/kafka:3.9.1-local`` -> the official
``apache/kafka:3.9.1`` (pulled once). :func:`build_image` makes the local one without any container
registry: a Debian minbase root file system (debootstrap, from this machine's own apt sources), the JRE,
the jars of ``kafkalab fetch``, then ``docker import``.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ... import distribution, report
from ...errors import KafkaLabError
from ...i18n import register, t

OFFICIAL_IMAGE = f"apache/kafka:{distribution.KAFKA_VERSION}"
LOCAL_IMAGE = f"kafkalab/kafka:{distribution.KAFKA_VERSION}-local"
SUITE = "bookworm"
PACKAGES = "openjdk-17-jre-headless"
CONTAINER_LIBS = "/opt/kafka/libs"  # Kafka 3.9.1; another version (4.x) in /opt/kafka-VERSION/libs
LABEL_KAFKA = "kafkalab.kafka"  # the image's label: the Kafka versions it carries, comma-separated
PATH = "/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

register({
    "docker_image_missing": {
        "en": "The Docker image {image} is not here and could not be pulled ({why}).\n"
              "Build the course's image on this machine (no registry needed): kafkalab image build\n"
              "Or use the local engine: kafkalab up --engine local",
        "ru": "Docker-образа {image} здесь нет, и скачать его не удалось ({why}).\n"
              "Соберите образ курса на этой машине (реестр не нужен): kafkalab image build\n"
              "Или используйте локальный движок: kafkalab up --engine local",
    },
    "docker_image_exists": {
        "en": "The image {image} is already built ({size} MB): nothing to do.",
        "ru": "Образ {image} уже собран ({size} МБ): делать нечего.",
    },
    "docker_image_step": {
        "en": "[{n}/4] {what}",
        "ru": "[{n}/4] {what}",
    },
    "docker_image_built": {
        "en": "Built {image} in {seconds:.0f} s ({size} MB).",
        "ru": "Образ {image} собран за {seconds:.0f} с ({size} МБ).",
    },
    "docker_image_no_mirror": {
        "en": "No Debian mirror found in this machine's apt sources (/etc/apt/sources.list.d/*.sources, "
              "/etc/apt/sources.list); set KAFKALAB_DEBIAN_MIRROR to one.",
        "ru": "В источниках apt этой машины (/etc/apt/sources.list.d/*.sources, /etc/apt/sources.list) "
              "не найдено зеркало Debian; укажите его в KAFKALAB_DEBIAN_MIRROR.",
    },
    "docker_image_tool_missing": {
        "en": "Building the image needs {tool} (apt-get install {tool}) and root rights.",
        "ru": "Для сборки образа нужны {tool} (apt-get install {tool}) и права root.",
    },
    "docker_image_failed": {
        "en": "Building the image failed at '{step}' (exit code {code}). Its output ends with:\n{tail}",
        "ru": "Сборка образа не удалась на шаге «{step}» (код выхода {code}). Конец вывода:\n{tail}",
    },
})

_STEPS = {
    "en": ["Debian {suite} minbase + {packages} (debootstrap from {mirror})", "Kafka jars -> /opt/kafka/libs",
           "docker import -> {image}", "clean up"],
    "ru": ["Debian {suite} minbase + {packages} (debootstrap с {mirror})", "jar-файлы Kafka -> /opt/kafka/libs",
           "docker import -> {image}", "уборка"],
}


def _client():
    import docker

    return docker.from_env(timeout=10)


def image_exists(image: str) -> bool:
    import docker

    try:
        _client().images.get(image)
        return True
    except docker.errors.ImageNotFound:
        return False


def container_libs(version: str) -> str:
    """Where Kafka `version`'s jars are inside the image (or mounted from the host)."""
    return CONTAINER_LIBS if version == distribution.KAFKA_VERSION else f"/opt/kafka-{version}/libs"


def image_versions(image: str) -> set[str]:
    """The Kafka versions the image carries (an image without our label: 3.9.1 only)."""
    labels = _client().images.get(image).attrs.get("Config", {}).get("Labels") or {}
    return set(filter(None, labels.get(LABEL_KAFKA, distribution.KAFKA_VERSION).split(",")))


def _size_mb(image: str) -> int:
    return round(_client().images.get(image).attrs.get("Size", 0) / 1e6)


def resolve_image() -> str:
    """The image to run: KAFKALAB_IMAGE, else the local build, else the official one (pulled if needed)."""
    wanted = os.environ.get("KAFKALAB_IMAGE")
    candidates = [wanted] if wanted else [LOCAL_IMAGE, OFFICIAL_IMAGE]
    for image in candidates:
        if image_exists(image):
            return image
    image = candidates[-1]
    if os.environ.get("KAFKALAB_PULL") == "never":  # tests and offline machines: ask no registry
        raise KafkaLabError("docker_image_missing", image=image, why="KAFKALAB_PULL=never")
    try:
        _client().images.pull(image)
    except Exception as err:  # no registry, no such image, no network: the message says what to do
        why = str(err).splitlines()[0][:160] if str(err) else type(err).__name__
        raise KafkaLabError("docker_image_missing", image=image, why=why) from err
    return image


def apt_mirror() -> str:
    """The Debian mirror of this machine's own apt sources, read now (never written into a file)."""
    if os.environ.get("KAFKALAB_DEBIAN_MIRROR"):
        return os.environ["KAFKALAB_DEBIAN_MIRROR"]
    uris: list[str] = []
    for source in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for line in source.read_text(errors="replace").splitlines():
            if line.strip().lower().startswith("uris:"):
                uris += line.split(":", 1)[1].split()
    try:
        for line in Path("/etc/apt/sources.list").read_text(errors="replace").splitlines():
            match = re.match(r"\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)", line)
            if match:
                uris.append(match.group(1))
    except OSError:
        pass
    plain = [u for u in uris if "security" not in u and u.startswith(("http://", "https://", "file:/"))]
    if not plain:
        raise KafkaLabError("docker_image_no_mirror")
    return plain[0]


def _run(step: str, argv: list[str], **kwargs) -> None:
    """Run one build command, showing its output as it goes; KafkaLabError with the tail on failure."""
    tail: list[str] = []
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    for line in proc.stdout:
        tail = (tail + [line.rstrip()])[-15:]
        report.say("    " + line.rstrip())
    code = proc.wait()
    if code != 0:
        raise KafkaLabError("docker_image_failed", step=step, code=code, tail="\n".join(tail))


def _root(argv: list[str]) -> list[str]:
    if os.geteuid() != 0 and shutil.which("sudo"):
        return ["sudo", *argv]
    return argv


def build_image(image: str = LOCAL_IMAGE, force: bool = False) -> str:
    """Build the course's image offline (cached: nothing happens when it exists). Returns its tag."""
    if not force and image_exists(image):
        report.say(t("docker_image_exists", image=image, size=_size_mb(image)))
        return image
    for tool in ("debootstrap", "tar"):
        if not shutil.which(tool):
            raise KafkaLabError("docker_image_tool_missing", tool=tool)
    dist = distribution.require()
    mirror = apt_mirror()
    from ...i18n import lang

    steps = [s.format(suite=SUITE, packages=PACKAGES, mirror=mirror, image=image) for s in _STEPS[lang()]]
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="kafkalab-image-"))
    rootfs = work / "rootfs"
    try:
        report.say(t("docker_image_step", n=1, what=steps[0]))
        _run(steps[0], _root(["debootstrap", "--variant=minbase", f"--include={PACKAGES}", SUITE,
                              str(rootfs), mirror]))
        report.say(t("docker_image_step", n=2, what=steps[1]))
        libs = rootfs / CONTAINER_LIBS.lstrip("/")
        _run(steps[1], _root(["mkdir", "-p", str(libs)]))
        _run(steps[1], _root(["cp", "-r", "--", *map(str, sorted(dist.libs.glob("*.jar"))), str(libs)]))
        versions = [distribution.KAFKA_VERSION]
        for version in distribution.VERSIONS.values():  # 4.x too, when it was fetched
            other = distribution.find(version) if version != distribution.KAFKA_VERSION else None
            if other is not None:
                target = rootfs / container_libs(version).lstrip("/")
                _run(steps[1], _root(["mkdir", "-p", str(target)]))
                _run(steps[1], _root(["cp", "-r", "--", *map(str, sorted(other.libs.glob("*.jar"))), str(target)]))
                versions.append(version)
        # what a runtime image does not need: apt lists and caches, docs, man pages
        _run(steps[1], _root(["rm", "-rf", *(str(rootfs / p) for p in (
            "var/lib/apt/lists", "var/cache/apt", "usr/share/doc", "usr/share/man", "usr/share/locale"))]))
        report.say(t("docker_image_step", n=3, what=steps[2]))
        tar = subprocess.Popen(_root(["tar", "-C", str(rootfs), "-c", "."]), stdout=subprocess.PIPE)
        _run(steps[2], ["docker", "import", "--change", f"ENV PATH={PATH}", "--change", "WORKDIR /opt/kafka",
                        "--change", f"LABEL {LABEL_KAFKA}={','.join(versions)}",
                        "--message", f"Kafka Lab: Java 17 + Kafka {', '.join(versions)}", "-", image],
             stdin=tar.stdout)
        tar.stdout.close()
        if tar.wait() != 0:
            raise KafkaLabError("docker_image_failed", step=steps[2], code=tar.returncode, tail="tar")
    finally:
        report.say(t("docker_image_step", n=4, what=steps[3]))
        subprocess.run(_root(["rm", "-rf", "--one-file-system", str(work)]), check=False)
    report.say(t("docker_image_built", image=image, seconds=time.monotonic() - began, size=_size_mb(image)))
    return image


if __name__ == "__main__":
    build_image(force="--force" in sys.argv)
