"""Find, fetch, verify and cache Apache Kafka.

Order: ``KAFKA_HOME`` (the official tgz layout) -> the user's cache -> Apache's tgz -> Maven jars. The cache
entry appears by one atomic rename, so an interrupted or failed fetch never leaves a half-filled cache behind.

Supply chain. The SHA-512 digests of what kafkalab installs are kept in the package, in
``resources/digests-VERSION.txt`` (sha512sum's format): one line per Maven jar (``libs/NAME.jar``) and one
for Apache's tgz when it is known. Every download and every cache hit is checked against them:

- the tgz: against the pinned digest (when this version has none, against the ``.sha512`` Apache publishes
  next to it, and a note says so). Downloads retry and resume with HTTP ``Range``; a partial file waits in
  ``CACHE/downloads/`` for the next attempt; a file whose digest differs is deleted, never cached;
- Maven: ``mvn -C`` (strict checksums: every file downloaded must match Maven's published ``.sha1``), then
  every jar copied against the pinned digests: a jar that differs, is missing or is not pinned is refused;
- the cache: a Maven install against the pinned digests, a tgz install against the manifest
  (``.manifest.sha512``) written from the verified tgz; once per process while the files are unchanged.

    python scripts/pin_digests.py [--kafka 4]   # maintainers: rewrite the pinned jar digests from ~/.m2

Versions: 3.9.1 (the notes', ZooKeeper or KRaft; the default) and 4.x (KRaft only), chosen with
``kafka="4"`` / ``--kafka 4`` / ``KAFKALAB_KAFKA=4``; each has its own cache folder and digests file.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import report
from .errors import KafkaLabError
from .i18n import register, t

KAFKA_VERSION = "3.9.1"  # the notes' Kafka, the last line with ZooKeeper: the default
KAFKA4_VERSION = "4.4.0"  # the newest 4.x Maven resolves here: KRaft only, log4j2
SCALA_VERSION = "2.13"
VERSIONS = {"3.9": KAFKA_VERSION, "4": KAFKA4_VERSION}  # what `--kafka` / KAFKALAB_KAFKA accept
TGZ_NAME = f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.tgz"
DEFAULT_TGZ_URL = f"https://archive.apache.org/dist/kafka/{KAFKA_VERSION}/{TGZ_NAME}"
RESOURCES = Path(__file__).parent / "resources"
MANIFEST = ".manifest.sha512"
DOWNLOAD_ATTEMPTS = 5
RETRY_DELAYS = (1.0, 3.0, 10.0, 30.0)  # seconds before the 2nd, 3rd, ... attempt
CHUNK = 1 << 16

register({
    "kafka_version_unknown": {
        "en": "Unknown Kafka version '{kafka}'. kafkalab runs: {versions} (e.g. --kafka 4 or KAFKALAB_KAFKA=4).",
        "ru": "Неизвестная версия Kafka '{kafka}'. kafkalab запускает: {versions} (например, --kafka 4 или "
              "KAFKALAB_KAFKA=4).",
    },
    "kafka_missing_version": {
        "en": "Apache Kafka {version} is not installed yet. Fix: run `kafkalab fetch --kafka {short}`.",
        "ru": "Apache Kafka {version} ещё не установлена. Что сделать: выполните `kafkalab fetch --kafka {short}`.",
    },
    "download_retry": {
        "en": "Download of {url} interrupted ({error}); attempt {attempt} of {attempts} in {delay:g} s, "
              "resuming at byte {offset}.",
        "ru": "Загрузка {url} прервалась ({error}); попытка {attempt} из {attempts} через {delay:g} с, "
              "продолжу с байта {offset}.",
    },
    "tgz_unpinned": {
        "en": "kafkalab keeps no SHA-512 of {file} yet, so it is checked against the digest published next "
              "to it ({url}.sha512): that catches a broken download, not a tampered mirror.",
        "ru": "В kafkalab пока нет SHA-512 файла {file}, поэтому он сверяется с контрольной суммой, "
              "опубликованной рядом ({url}.sha512): это ловит повреждённую загрузку, но не подменённое зеркало.",
    },
    "jar_digest_bad": {
        "en": "The SHA-512 of {file} does not match the digest kafkalab pins for Kafka {version} "
              "(expected {expected}..., got {actual}...). Nothing was cached. The jar is corrupt or was "
              "tampered with. Fix: delete it from your local Maven repository ({where}) and run "
              "`kafkalab fetch` again, or use the Apache tgz (`kafkalab fetch --source tgz`).",
        "ru": "SHA-512 файла {file} не совпадает с закреплённой в kafkalab для Kafka {version} "
              "(ожидалась {expected}..., получена {actual}...). В кэш ничего не записано. Файл повреждён "
              "или подменён. Что сделать: удалите его из локального репозитория Maven ({where}) и повторите "
              "`kafkalab fetch` или возьмите tgz Apache (`kafkalab fetch --source tgz`).",
    },
    "jars_differ": {
        "en": "Maven delivered another set of jars than kafkalab pins for Kafka {version}; nothing was "
              "cached.\n{details}\nA Maven setting (settings.xml, a mirror) may have changed what was "
              "resolved. Fix: run `kafkalab fetch` without such settings, or use the Apache tgz "
              "(`kafkalab fetch --source tgz`).",
        "ru": "Maven выдал не тот набор jar-файлов, что закреплён в kafkalab для Kafka {version}; в кэш "
              "ничего не записано.\n{details}\nВозможно, настройка Maven (settings.xml, зеркало) изменила "
              "набор. Что сделать: запустите `kafkalab fetch` без таких настроек или возьмите tgz Apache "
              "(`kafkalab fetch --source tgz`).",
    },
    "jars_unpinned": {"en": "  not pinned: {files}", "ru": "  не закреплены: {files}"},
    "jars_missing": {"en": "  missing: {files}", "ru": "  отсутствуют: {files}"},
    "cache_bad": {
        "en": "The Kafka {version} in {path} fails its check: {problems}. The files were changed after "
              "they were verified. Fix: run `kafkalab fetch`; it replaces the damaged copy.",
        "ru": "Kafka {version} в {path} не прошла проверку: {problems}. Файлы изменились после проверки. "
              "Что сделать: выполните `kafkalab fetch` — повреждённая копия будет заменена.",
    },
    "cache_replaced": {
        "en": "Removing the damaged Kafka {version} in {path} ({problems}) and fetching it again.",
        "ru": "Удаляю повреждённую Kafka {version} в {path} ({problems}) и загружаю заново.",
    },
    "cached_download_bad": {
        "en": "The downloaded {file} kept in {path} no longer matches its SHA-512; deleted, downloading again.",
        "ru": "Сохранённый {file} в {path} больше не совпадает со своей SHA-512; удалён, скачиваю заново.",
    },
})

POM_TEMPLATE = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kafkalab</groupId><artifactId>kafka-distribution</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_{scala}</artifactId>
      <version>{version}</version>
      <exclusions><exclusion><groupId>ch.qos.logback</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId>
      <version>{version}</version>
      <exclusions><exclusion><groupId>ch.qos.logback</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
{logging}
  </dependencies>
</project>
"""


# Kafka 3.9 logs through reload4j (log4j 1.x); Kafka 4.x through log4j2 (its bin scripts' choice)
LOGGING_DEPS = {
    3: '    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId>'
       '<version>1.7.36</version></dependency>',
    4: '    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId>'
       '<version>2.24.3</version></dependency>\n'
       '    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId>'
       '<version>2.24.3</version></dependency>',
}


def major(version: str) -> int:
    return int(version.split(".")[0])


def pom(version: str = KAFKA_VERSION) -> str:
    """The small POM whose runtime dependencies are Kafka `version`'s jars."""
    return POM_TEMPLATE.format(version=version, scala=SCALA_VERSION, logging=LOGGING_DEPS[major(version)])


POM = pom()


def resolve_version(kafka: str | None = None) -> str:
    """'3.9', '4', '4.4.0' ... (None: KAFKALAB_KAFKA, else 3.9) -> the full pinned version kafkalab runs."""
    wanted = str(kafka if kafka not in (None, "") else os.environ.get("KAFKALAB_KAFKA") or "3.9").strip()
    for short, full in VERSIONS.items():
        if wanted in (short, full) or (wanted.count(".") == 1 and full.startswith(wanted + ".")):
            return full
    raise KafkaLabError("kafka_version_unknown", kafka=wanted,
                        versions=", ".join(f"{s} ({f})" for s, f in VERSIONS.items()))


def short_version(version: str) -> str:
    """'4.4.0' -> '4', '3.9.1' -> '3.9': what `--kafka` takes."""
    return next((s for s, f in VERSIONS.items() if f == version), version)


@dataclass(frozen=True)
class Distribution:
    """An installed Kafka: `libs` holds its jars."""

    home: Path
    source: str  # "KAFKA_HOME", "tgz" or "maven"
    version: str = KAFKA_VERSION

    @property
    def libs(self) -> Path:
        return self.home / "libs"


# --- digests ---------------------------------------------------------------------------------------------

def digests_file(version: str = KAFKA_VERSION) -> Path:
    return RESOURCES / f"digests-{version}.txt"


def read_digests(path: Path) -> dict[str, str]:
    """name -> lower-case hex SHA-512 from a sha512sum-style file; '#' lines are comments."""
    found: dict[str, str] = {}
    if not path.exists():
        return found
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-fA-F]{128}", digest) or not name:
            raise ValueError(f"{path}: not a sha512sum line: {line!r}")
        found[name.strip()] = digest.lower()
    return found


def pinned_digests(version: str = KAFKA_VERSION) -> dict[str, str]:
    """The digests kept in the package for `version`: 'libs/NAME.jar' (Maven) and the tgz's name."""
    return read_digests(digests_file(version))


def _pinned_jars(version: str = KAFKA_VERSION) -> dict[str, str]:
    return {name: digest for name, digest in pinned_digests(version).items() if name.startswith("libs/")}


def _jars_pinned_for(version: str) -> dict[str, str]:
    return _pinned_jars() if version == KAFKA_VERSION else _pinned_jars(version)


def pinned_tgz_sha512(version: str = KAFKA_VERSION) -> str | None:
    """The SHA-512 of Apache's kafka_2.13-VERSION.tgz kept in the package, or None when it is not known."""
    return pinned_digests(version).get(f"kafka_{SCALA_VERSION}-{version}.tgz")


def sha512_of(path: Path) -> str:
    digest = hashlib.sha512()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def parse_sha512(text: str) -> str:
    """The hex digest from Apache's `.sha512` file (gpg's grouped upper-case form or sha512sum's)."""
    text = text.strip()
    if re.match(r"^[0-9a-fA-F]{128}\b", text):
        return text[:128].lower()
    digest = "".join(re.findall(r"[0-9A-Fa-f]+", text.partition(":")[2])).lower()
    if len(digest) != 128:
        raise ValueError("no SHA-512 digest in checksum file")
    return digest[:128]


# --- the cache --------------------------------------------------------------------------------------------

def cache_dir() -> Path:
    """The user's cache folder for kafkalab (KAFKALAB_CACHE overrides)."""
    if os.environ.get("KAFKALAB_CACHE"):
        return Path(os.environ["KAFKALAB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kafkalab"


def _downloads() -> Path:
    return cache_dir() / "downloads"


def _has_kafka(home: Path, version: str = KAFKA_VERSION) -> bool:
    return any((home / "libs").glob(f"kafka_{SCALA_VERSION}-{version}*.jar"))


def _cached_home(version: str = KAFKA_VERSION) -> Path:
    return cache_dir() / f"kafka-{version}"


def _source_of(home: Path) -> str:
    return (home / ".source").read_text().strip() if (home / ".source").exists() else "cache"


def _signature(home: Path) -> tuple:
    entries = []
    libs = sorted((home / "libs").iterdir()) if (home / "libs").is_dir() else []
    for path in libs + [home / MANIFEST]:
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(entries)


_verified: dict[Path, tuple] = {}  # home -> signature of the files when they last passed


def _compare(home: Path, expected: dict[str, str]) -> list[str]:
    """Problems of `home` against expected 'libs/NAME' digests: differing, missing and extra jars."""
    problems = []
    for name, digest in sorted(expected.items()):
        path = home / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha512_of(path) != digest:
            problems.append(f"{name}: SHA-512 differs")
    for jar in sorted((home / "libs").glob("*.jar")):
        if f"libs/{jar.name}" not in expected:
            problems.append(f"libs/{jar.name}: not expected")
    return problems


def verify_home(home: Path, source: str | None = None, version: str = KAFKA_VERSION) -> list[str]:
    """Problems of a cached Kafka (empty when sound): Maven installs against the pinned digests, tgz
    installs against the manifest written from the verified tgz. Checked once while files are unchanged."""
    source = source or _source_of(home)
    signature = _signature(home)
    if _verified.get(home) == signature:
        return []
    expected = _jars_pinned_for(version) if source == "maven" else {}
    if not expected:  # a tgz install, or a version without pinned jar digests: the install's manifest
        try:
            expected = {k: v for k, v in read_digests(home / MANIFEST).items() if k.startswith("libs/")}
        except ValueError:
            expected = {}
    if not expected:
        return [f"no {MANIFEST}"]
    problems = _compare(home, expected)
    if not problems:
        _verified[home] = signature
    return problems


def _cache_state(version: str = KAFKA_VERSION) -> tuple[Distribution | None, list[str]]:
    """(the cached Kafka if sound, problems if there is one but it fails its check)."""
    home = _cached_home(version)
    if not _has_kafka(home, version):
        return None, []
    source = _source_of(home)
    problems = verify_home(home, source, version)
    return (None, problems) if problems else (Distribution(home, source, version), [])


def _short(problems: list[str]) -> str:
    return "; ".join(problems[:3]) + (f"; ... ({len(problems)} in all)" if len(problems) > 3 else "")


def _find(version: str = KAFKA_VERSION) -> tuple[Distribution | None, list[str]]:
    env = os.environ.get("KAFKA_HOME")
    if env:
        home = Path(env).expanduser()
        if _has_kafka(home, version):
            return Distribution(home, "KAFKA_HOME", version), []
        if not any(_has_kafka(home, v) for v in VERSIONS.values()):  # another version there: no note
            report.warn(t("kafka_home_bad", path=home, version=version))
    return _cache_state(version)


def find(version: str = KAFKA_VERSION) -> Distribution | None:
    """The Kafka already at hand (KAFKA_HOME or a verified cache), or None (a damaged cache: a note)."""
    dist, problems = _find(version)
    if problems:
        report.warn(t("cache_bad", version=version, path=_cached_home(version), problems=_short(problems)))
    return dist


def require(version: str = KAFKA_VERSION) -> Distribution:
    """The installed Kafka; KafkaLabError telling how to get it when there is none (or it is damaged)."""
    dist, problems = _find(version)
    if problems:
        raise KafkaLabError("cache_bad", version=version, path=_cached_home(version), problems=_short(problems))
    if dist is None:
        if version == KAFKA_VERSION:
            raise KafkaLabError("kafka_missing", version=version)
        raise KafkaLabError("kafka_missing_version", version=version, short=short_version(version))
    return dist


def _drop_damaged_cache(version: str = KAFKA_VERSION) -> None:
    home = _cached_home(version)
    _, problems = _cache_state(version)
    if not problems and home.exists() and not _has_kafka(home, version):
        problems = [f"no libs/kafka_{SCALA_VERSION}-{version}.jar"]
    if problems:
        report.say(t("cache_replaced", version=version, path=home, problems=_short(problems)))
        shutil.rmtree(home, ignore_errors=True)
        _verified.pop(home, None)


def fetch(source: str = "auto", *, url: str | None = None, progress: bool = True,
          kafka: str | None = None) -> Distribution:
    """Make Kafka available, fetching it if needed; idempotent. source: auto, tgz or maven.
    kafka: '3.9' (default, or KAFKALAB_KAFKA) or '4'."""
    version = resolve_version(kafka)
    if source == "auto":
        found, _ = _find(version)  # a damaged cache is replaced below, with a note
        if found:
            report.say(t("kafka_found", version=found.version, path=found.home))
            return found
    else:
        found, _ = _cache_state(version)
        if found:
            report.say(t("kafka_found", version=found.version, path=found.home))
            return found
    _drop_damaged_cache(version)
    default_url = DEFAULT_TGZ_URL.replace(KAFKA_VERSION, version)
    ways = {"tgz": lambda: _fetch_tgz(url or os.environ.get("KAFKALAB_KAFKA_URL") or default_url, progress,
                                      version),
            "maven": lambda: _fetch_maven(progress, version)}
    order = list(ways) if source == "auto" else [source]
    reasons = []
    for way in order:
        try:
            dist = ways[way]()
            report.say(t("fetch_done", version=version, path=dist.home))
            return dist
        except KafkaLabError as err:
            if err.key in ("checksum_bad", "jar_digest_bad", "jars_differ") or source != "auto":
                raise
            reasons.append(f"  - {way}: {err}")
    raise KafkaLabError("fetch_failed", version=version, reasons="\n".join(reasons))


def _write_manifest(home: Path) -> None:
    """The digests of the jars as installed (verified just before), for later cache hits."""
    lines = [f"{sha512_of(p)}  libs/{p.name}" for p in sorted((home / "libs").glob("*.jar"))]
    (home / MANIFEST).write_text("\n".join(lines) + "\n")


def _install(staged_home: Path, source: str, version: str = KAFKA_VERSION) -> Distribution:
    """Move a complete, verified Kafka into the cache with one rename."""
    (staged_home / ".source").write_text(source + "\n")
    _write_manifest(staged_home)
    final = _cached_home(version)
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(staged_home, final)
    except OSError:
        if not _has_kafka(final, version):  # someone else won the race only if they left a good copy
            raise
    return Distribution(final, source, version)


def _staging() -> tempfile.TemporaryDirectory:
    cache_dir().mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=".fetch-", dir=cache_dir())


# --- downloads: retry, resume, verify ---------------------------------------------------------------------

class _Retry(Exception):
    """A transient failure: the next attempt resumes where this one stopped."""


def _download_once(url: str, part: Path, progress: bool) -> None:
    from tqdm.auto import tqdm

    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # nothing after byte `have`: the part is complete (or too long)
            total = re.search(r"/(\d+)", err.headers.get("Content-Range") or "")
            if total and int(total.group(1)) == have:
                return
            part.unlink()
            raise _Retry(f"HTTP 416 at byte {have}") from err
        if err.code in (408, 425, 429) or err.code >= 500:
            raise _Retry(f"HTTP {err.code}") from err
        raise KafkaLabError("download_failed", url=url, error=err) from err
    except (OSError, ValueError, http.client.HTTPException) as err:  # URLError, timeouts, refused, reset
        raise _Retry(str(getattr(err, "reason", err)) or type(err).__name__) from err
    with response:
        if response.status == 206:
            start = re.match(r"bytes (\d+)-", response.headers.get("Content-Range") or "")
            if not start or int(start.group(1)) != have:
                part.unlink()
                raise _Retry("the server resumed at the wrong byte")
            mode = "ab"
        else:  # 200: the server sends it all again
            have, mode = 0, "wb"
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        got = 0
        with open(part, mode) as out, tqdm(total=(have + expected) if expected is not None else None,
                                           initial=have, unit="B", unit_scale=True, desc=part.name,
                                           disable=not progress) as bar:
            try:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    got += len(chunk)
                    bar.update(len(chunk))
            except (OSError, ValueError, http.client.HTTPException) as err:  # dropped: keep what came
                raise _Retry(f"{type(err).__name__}: {err}") from err
        if expected is not None and got != expected:
            raise _Retry(f"got {have + got} of {have + expected} bytes")


def download(url: str, dest: Path, sha512: str | None = None, *, progress: bool = False,
             file: str | None = None) -> Path:
    """Download `url` to `dest`: retried, resumed from `dest.part` (HTTP Range), and, with `sha512`,
    verified before `dest` appears: a file whose digest differs is deleted and KafkaLabError raised."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        try:
            _download_once(url, part, progress)
            break
        except _Retry as err:
            if attempt == DOWNLOAD_ATTEMPTS:
                raise KafkaLabError("download_failed", url=url, error=err) from err
            delay = RETRY_DELAYS[min(attempt - 1, len(RETRY_DELAYS) - 1)]
            offset = part.stat().st_size if part.exists() else 0
            report.warn(t("download_retry", url=url, error=err, attempt=attempt + 1, attempts=DOWNLOAD_ATTEMPTS,
                              delay=delay, offset=offset))
            time.sleep(delay)
    if sha512 is not None:
        actual = sha512_of(part)
        if actual != sha512:
            part.unlink()
            raise KafkaLabError("checksum_bad", file=file or dest.name, expected=sha512[:16], actual=actual[:16])
    os.replace(part, dest)
    return dest


def _expected_tgz_digest(url: str, staging: Path, version: str = KAFKA_VERSION) -> str:
    pinned = pinned_tgz_sha512() if version == KAFKA_VERSION else pinned_tgz_sha512(version)
    if pinned:
        return pinned
    tgz_name = f"kafka_{SCALA_VERSION}-{version}.tgz"
    report.warn(t("tgz_unpinned", file=tgz_name, url=url))
    sums = download(url + ".sha512", staging / (tgz_name + ".sha512"))
    try:
        return parse_sha512(sums.read_text(errors="replace"))
    except ValueError as err:
        raise KafkaLabError("download_failed", url=url + ".sha512", error=err) from err


def _fetch_tgz(url: str, progress: bool, version: str = KAFKA_VERSION) -> Distribution:
    report.say(t("fetch_tgz", version=version, url=url))
    tgz_name = f"kafka_{SCALA_VERSION}-{version}.tgz"
    with _staging() as tmp:
        tmp = Path(tmp)
        expected = _expected_tgz_digest(url, tmp, version)
        tgz = _downloads() / tgz_name
        if tgz.exists() and sha512_of(tgz) != expected:  # a verified download kept from an earlier run
            report.warn(t("cached_download_bad", file=tgz_name, path=tgz.parent))
            tgz.unlink()
        if not tgz.exists():
            download(url, tgz, expected, progress=progress, file=tgz_name)
        unpacked = tmp / "unpacked"
        try:
            with tarfile.open(tgz) as archive:
                archive.extractall(unpacked, filter="data")
        except (tarfile.TarError, OSError) as err:
            raise KafkaLabError("download_failed", url=url, error=err) from err
        homes = [p for p in unpacked.iterdir() if _has_kafka(p, version)]
        if not homes:
            raise KafkaLabError("download_failed", url=url, error="no libs/ in the archive")
        dist = _install(homes[0], "tgz", version)
        tgz.unlink()  # the manifest of the unpacked copy verifies it from now on
        return dist


# --- Maven --------------------------------------------------------------------------------------------------

def _m2_copies(name: str) -> list[Path]:
    repo = Path.home() / ".m2" / "repository"
    return sorted(repo.rglob(name)) if repo.is_dir() else []


def verify_jars(libs: Path, expected: dict[str, str], version: str = KAFKA_VERSION) -> None:
    """Every jar in `libs` against the pinned 'libs/NAME' digests; KafkaLabError on any difference."""
    jars = {f"libs/{p.name}": p for p in libs.glob("*.jar")}
    unpinned = sorted(set(jars) - set(expected))
    missing = sorted(set(expected) - set(jars))
    if unpinned or missing:
        details = []
        if unpinned:
            details.append(t("jars_unpinned", files=", ".join(n[5:] for n in unpinned)))
        if missing:
            details.append(t("jars_missing", files=", ".join(n[5:] for n in missing)))
        raise KafkaLabError("jars_differ", version=version, details="\n".join(details))
    for name, path in sorted(jars.items()):
        actual = sha512_of(path)
        if actual != expected[name]:
            where = ", ".join(str(p) for p in _m2_copies(path.name)) or "~/.m2/repository"
            raise KafkaLabError("jar_digest_bad", file=path.name, version=version,
                                expected=expected[name][:16], actual=actual[:16], where=where)


def maven_command(mvn: str, pom: Path, libs: Path) -> list[str]:
    """mvn with strict checksums (-C): a downloaded file whose published .sha1 differs fails the build."""
    return [mvn, "-B", "-C", "-f", str(pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={libs}"]


def _fetch_maven(progress: bool, version: str = KAFKA_VERSION) -> Distribution:
    mvn = shutil.which("mvn")
    if not mvn:
        raise KafkaLabError("maven_missing")
    report.say(t("fetch_maven", version=version))
    from tqdm.auto import tqdm

    with _staging() as tmp:
        tmp = Path(tmp)
        (tmp / "pom.xml").write_text(pom(version))
        home = tmp / f"kafka-{version}"
        cmd = maven_command(mvn, tmp / "pom.xml", home / "libs")
        lines: list[str] = []
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc, \
                tqdm(unit=" files", desc="maven", disable=not progress) as bar:
            for line in proc.stdout:  # type: ignore[union-attr]
                lines.append(line.rstrip())
                if "Downloaded from" in line or "Copying " in line:
                    bar.update(1)
        if proc.returncode != 0 or not _has_kafka(home, version):
            raise KafkaLabError("maven_failed", code=proc.returncode, tail="\n".join(lines[-15:]))
        expected = _jars_pinned_for(version)
        if expected:
            verify_jars(home / "libs", expected, version)
        return _install(home, "maven", version)


# --- maintainers: pin the jar digests ----------------------------------------------------------------------

def pin(libs: Path | None = None, m2: Path | None = None, out: Path | None = None,
        version: str = KAFKA_VERSION) -> Path:
    """Write resources/digests-VERSION.txt from Maven's local repository.

    Every jar of a Maven-installed Kafka (`libs`, by default the cache's) must have a byte-identical copy in
    `m2` whose SHA-1 equals the `.sha1` Maven Central published beside it (mvn stores it on download); its
    SHA-512 is then pinned. A pinned tgz digest already in the file is kept.
    """
    libs = libs or _cached_home(version) / "libs"
    m2 = m2 or Path.home() / ".m2" / "repository"
    out = out or digests_file(version)
    tgz_name = f"kafka_{SCALA_VERSION}-{version}.tgz"
    tgz = read_digests(out).get(tgz_name) if out.exists() else None
    in_m2: dict[str, list[Path]] = {}
    for path in m2.rglob("*.jar"):
        in_m2.setdefault(path.name, []).append(path)
    lines = []
    for jar in sorted(libs.glob("*.jar")):
        digest = sha512_of(jar)
        copies = [p for p in in_m2.get(jar.name, []) if sha512_of(p) == digest]
        checked = [p for p in copies if p.with_name(p.name + ".sha1").exists() and
                   p.with_name(p.name + ".sha1").read_text().split()[0].lower() ==
                   hashlib.sha1(p.read_bytes()).hexdigest()]
        if not checked:
            raise SystemExit(f"{jar.name}: no copy in {m2} whose published .sha1 matches; not pinned")
        lines.append(f"{digest}  libs/{jar.name}")
    header = [
        f"# SHA-512 digests kafkalab pins for Kafka {version} (sha512sum format). Checked on every",
        "# download and cache hit by kafkalab/distribution.py.",
        "# libs/*.jar: the runtime jars `mvn dependency:copy-dependencies` resolves for kafkalab's POM; written",
        "# by `python scripts/pin_digests.py` after each jar's SHA-1 matched the .sha1 published with it.",
    ]
    if tgz:
        lines.append(f"{tgz}  {tgz_name}")
    else:
        header += [f"# {tgz_name}: not pinned yet (the Apache download site was not reachable when this file",
                   "# was written); add its line from Apache's published .sha512 after checking the signature."]
    out.write_text("\n".join(header + lines) + "\n")
    return out
