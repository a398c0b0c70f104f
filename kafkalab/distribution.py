"""Find, fetch, verify and cache Apache Kafka.

Order: ``KAFKA_HOME`` (the official tgz layout) -> the user's cache -> Apache's tgz, SHA-512 checked
-> Maven jars. The cache entry appears by one atomic rename, so an interrupted or failed fetch never
leaves a half-filled cache behind.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import KafkaLabError
from .i18n import t

KAFKA_VERSION = "3.9.1"
SCALA_VERSION = "2.13"
TGZ_NAME = f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.tgz"
DEFAULT_TGZ_URL = f"https://archive.apache.org/dist/kafka/{KAFKA_VERSION}/{TGZ_NAME}"
RESOURCES = Path(__file__).parent / "resources"

POM = f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kafkalab</groupId><artifactId>kafka-distribution</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_{SCALA_VERSION}</artifactId>
      <version>{KAFKA_VERSION}</version>
      <exclusions><exclusion><groupId>ch.qos.logback</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId>
      <version>{KAFKA_VERSION}</version>
      <exclusions><exclusion><groupId>ch.qos.logback</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
"""


@dataclass(frozen=True)
class Distribution:
    """An installed Kafka: `libs` holds its jars."""

    home: Path
    source: str  # "KAFKA_HOME", "tgz" or "maven"
    version: str = KAFKA_VERSION

    @property
    def libs(self) -> Path:
        return self.home / "libs"


def cache_dir() -> Path:
    """The user's cache folder for kafkalab (KAFKALAB_CACHE overrides)."""
    if os.environ.get("KAFKALAB_CACHE"):
        return Path(os.environ["KAFKALAB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kafkalab"


def _has_kafka(home: Path) -> bool:
    return any((home / "libs").glob(f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}*.jar"))


def _cached_home() -> Path:
    return cache_dir() / f"kafka-{KAFKA_VERSION}"


def find() -> Distribution | None:
    """The Kafka already at hand (KAFKA_HOME or the cache), or None."""
    env = os.environ.get("KAFKA_HOME")
    if env:
        home = Path(env).expanduser()
        if _has_kafka(home):
            return Distribution(home, "KAFKA_HOME")
        print(t("kafka_home_bad", path=home, version=KAFKA_VERSION), file=sys.stderr)
    home = _cached_home()
    if _has_kafka(home):
        source = (home / ".source").read_text().strip() if (home / ".source").exists() else "cache"
        return Distribution(home, source)
    return None


def require() -> Distribution:
    """The installed Kafka; KafkaLabError telling how to get it when there is none."""
    dist = find()
    if dist is None:
        raise KafkaLabError("kafka_missing", version=KAFKA_VERSION)
    return dist


def fetch(source: str = "auto", *, url: str | None = None, progress: bool = True) -> Distribution:
    """Make Kafka available, fetching it if needed; idempotent. source: auto, tgz or maven."""
    if source == "auto":
        found = find()
        if found:
            print(t("kafka_found", version=found.version, path=found.home))
            return found
    elif _has_kafka(_cached_home()):
        found = find()
        print(t("kafka_found", version=found.version, path=found.home))  # type: ignore[union-attr]
        return found  # type: ignore[return-value]
    ways = {"tgz": lambda: _fetch_tgz(url or os.environ.get("KAFKALAB_KAFKA_URL") or DEFAULT_TGZ_URL, progress),
            "maven": lambda: _fetch_maven(progress)}
    order = list(ways) if source == "auto" else [source]
    reasons = []
    for way in order:
        try:
            dist = ways[way]()
            print(t("fetch_done", version=KAFKA_VERSION, path=dist.home))
            return dist
        except KafkaLabError as err:
            if err.key == "checksum_bad" or source != "auto":
                raise
            reasons.append(f"  - {way}: {err}")
    raise KafkaLabError("fetch_failed", version=KAFKA_VERSION, reasons="\n".join(reasons))


def _install(staged_home: Path, source: str) -> Distribution:
    """Move a complete, verified Kafka into the cache with one rename."""
    (staged_home / ".source").write_text(source + "\n")
    final = _cached_home()
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(staged_home, final)
    except OSError:
        if not _has_kafka(final):  # someone else won the race only if they left a good copy
            raise
    return Distribution(final, source)


def _staging() -> tempfile.TemporaryDirectory:
    cache_dir().mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=".fetch-", dir=cache_dir())


def parse_sha512(text: str) -> str:
    """The hex digest from Apache's `.sha512` file (gpg's grouped upper-case form or sha512sum's)."""
    text = text.strip()
    if re.match(r"^[0-9a-fA-F]{128}\b", text):
        return text[:128].lower()
    digest = "".join(re.findall(r"[0-9A-Fa-f]+", text.partition(":")[2])).lower()
    if len(digest) != 128:
        raise ValueError("no SHA-512 digest in checksum file")
    return digest[:128]


def _download(url: str, dest: Path, progress: bool) -> None:
    from tqdm.auto import tqdm

    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(dest, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            got = 0
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name, disable=not progress) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    got += len(chunk)
                    bar.update(len(chunk))
            if total is not None and got != total:
                raise OSError(f"got {got} of {total} bytes")
    except (OSError, ValueError) as err:
        raise KafkaLabError("download_failed", url=url, error=err) from None


def _fetch_tgz(url: str, progress: bool) -> Distribution:
    print(t("fetch_tgz", version=KAFKA_VERSION, url=url))
    with _staging() as tmp:
        tmp = Path(tmp)
        tgz = tmp / TGZ_NAME
        sums = tmp / (TGZ_NAME + ".sha512")
        _download(url + ".sha512", sums, progress=False)
        _download(url, tgz, progress)
        try:
            expected = parse_sha512(sums.read_text(errors="replace"))
        except ValueError as err:
            raise KafkaLabError("download_failed", url=url + ".sha512", error=err) from None
        digest = hashlib.sha512()
        with open(tgz, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            raise KafkaLabError("checksum_bad", file=TGZ_NAME, expected=expected[:16],
                                actual=digest.hexdigest()[:16])
        unpacked = tmp / "unpacked"
        try:
            with tarfile.open(tgz) as archive:
                archive.extractall(unpacked, filter="data")
        except (tarfile.TarError, OSError) as err:
            raise KafkaLabError("download_failed", url=url, error=err) from None
        homes = [p for p in unpacked.iterdir() if _has_kafka(p)]
        if not homes:
            raise KafkaLabError("download_failed", url=url, error="no libs/ in the archive")
        return _install(homes[0], "tgz")


def _fetch_maven(progress: bool) -> Distribution:
    mvn = shutil.which("mvn")
    if not mvn:
        raise KafkaLabError("maven_missing")
    print(t("fetch_maven", version=KAFKA_VERSION))
    from tqdm.auto import tqdm

    with _staging() as tmp:
        tmp = Path(tmp)
        (tmp / "pom.xml").write_text(POM)
        home = tmp / f"kafka-{KAFKA_VERSION}"
        cmd = [mvn, "-B", "-f", str(tmp / "pom.xml"), "dependency:copy-dependencies",
               "-DincludeScope=runtime", f"-DoutputDirectory={home / 'libs'}"]
        lines: list[str] = []
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc, \
                tqdm(unit=" files", desc="maven", disable=not progress) as bar:
            for line in proc.stdout:  # type: ignore[union-attr]
                lines.append(line.rstrip())
                if "Downloaded from" in line or "Copying " in line:
                    bar.update(1)
        if proc.returncode != 0 or not _has_kafka(home):
            raise KafkaLabError("maven_failed", code=proc.returncode, tail="\n".join(lines[-15:]))
        return _install(home, "maven")
