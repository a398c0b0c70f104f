"""Fetching Kafka: Apache's tgz path against a local HTTP server (loopback only), pinned digests, retry and
resume, cache hits verified, Maven jars checked against the pinned digests. No JVM: the unit tier."""
import hashlib
import http.server
import io
import os
import re
import stat
import tarfile
import threading
from pathlib import Path

import pytest

from kafkalab import distribution, i18n
from kafkalab.errors import KafkaLabError

pytestmark = pytest.mark.unit

VERSION = distribution.KAFKA_VERSION
TOP = f"kafka_2.13-{VERSION}"
NAME = distribution.TGZ_NAME
MAIN_JAR = f"kafka_2.13-{VERSION}.jar"


def gpg_style(digest: str, name: str) -> str:
    """The layout of Apache's .sha512 files: upper-case hex in groups of 8, wrapped."""
    groups = [digest[i:i + 8].upper() for i in range(0, 128, 8)]
    return f"{name}: " + " ".join(groups[:8]) + "\n" + " " * (len(name) + 2) + " ".join(groups[8:]) + "\n"


def sha512(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


@pytest.fixture(scope="module")
def tgz() -> bytes:
    """A small tgz in the official layout (incompressible jars, so a cut transfer is a real partial file)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, data in ((f"{TOP}/libs/{MAIN_JAR}", os.urandom(300_000)),
                           (f"{TOP}/libs/kafka-clients-{VERSION}.jar", os.urandom(100_000)),
                           (f"{TOP}/bin/kafka-topics.sh", b"#!/bin/sh\n")):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Server:
    """A loopback HTTP server: path -> bytes, with HTTP Range; `cuts[path]` lists, per GET of that path,
    after how many body bytes the connection drops (None: no drop). `requests` logs (path, Range)."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.cuts: dict[str, list] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.honour_range = True
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                wanted = self.headers.get("Range")
                server.requests.append((self.path, wanted))
                if self.path not in server.files:
                    self.send_error(404)
                    return
                body = server.files[self.path]
                match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
                if match and server.honour_range:
                    start = int(match.group(1))
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                    body = body[start:]
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cuts = server.cuts.get(self.path)
                cut = cuts.pop(0) if cuts else None
                self.wfile.write(body if cut is None else body[:cut])  # short: the connection drops

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def gets(self, path: str) -> list[str | None]:
        return [r for p, r in self.requests if p == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("KAFKALAB_CACHE", str(cache))
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    monkeypatch.setattr(distribution, "RETRY_DELAYS", (0,))
    return cache


@pytest.fixture
def pinned(monkeypatch):
    """Pin a tgz digest for the test (the package's own is not known for 3.9.1)."""
    def pin(digest):
        monkeypatch.setattr(distribution, "pinned_tgz_sha512", lambda version=VERSION: digest)
    return pin


def files_in(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*")) if cache.exists() else []


def fetch_tgz(server, **kw):
    return distribution.fetch("tgz", url=f"{server.base}/{NAME}", progress=False, **kw)


def test_pinned_digest_download_is_cached_and_the_cache_hit_is_verified(server, empty_cache, tgz, pinned, capsys):
    pinned(sha512(tgz))
    server.files[f"/{NAME}"] = tgz
    dist = fetch_tgz(server)
    assert dist.source == "tgz" and (dist.libs / MAIN_JAR).exists()
    assert server.gets(f"/{NAME}.sha512") == []  # a pinned digest needs no published one
    home = f"kafka-{VERSION}"
    assert files_in(empty_cache) == ["downloads", home, f"{home}/.manifest.sha512", f"{home}/.source",
                                     f"{home}/bin", f"{home}/bin/kafka-topics.sh", f"{home}/libs",
                                     f"{home}/libs/kafka-clients-{VERSION}.jar", f"{home}/libs/{MAIN_JAR}"]
    assert distribution.verify_home(dist.home) == []
    # a second fetch finds the verified cache and downloads nothing
    server.files.clear()
    capsys.readouterr()
    again = distribution.fetch(progress=False)
    assert again.home == dist.home and "Kafka" in capsys.readouterr().out
    assert len(server.requests) == 1


def test_unpinned_version_uses_the_published_sha512_and_says_so(server, empty_cache, tgz, pinned, capsys):
    pinned(None)
    server.files[f"/{NAME}"] = tgz
    server.files[f"/{NAME}.sha512"] = gpg_style(sha512(tgz), NAME).encode()
    i18n.set_lang("en")
    try:
        dist = fetch_tgz(server)
    finally:
        i18n.set_lang(None)
    assert dist.source == "tgz"
    assert "kafkalab keeps no SHA-512" in capsys.readouterr().err


@pytest.mark.parametrize("lang, words", [("en", "does not match"), ("ru", "не совпадает")])
def test_tampered_tgz_is_refused_and_nothing_cached(server, empty_cache, tgz, pinned, lang, words):
    pinned(sha512(tgz))
    tampered = bytearray(tgz)
    tampered[len(tampered) // 2] ^= 0xFF
    server.files[f"/{NAME}"] = bytes(tampered)
    # the mirror's own .sha512 matches the tampered file: the pinned digest is what counts
    server.files[f"/{NAME}.sha512"] = gpg_style(sha512(bytes(tampered)), NAME).encode()
    i18n.set_lang(lang)
    try:
        with pytest.raises(KafkaLabError) as err:
            fetch_tgz(server)
        message = str(err.value)
    finally:
        i18n.set_lang(None)
    assert err.value.key == "checksum_bad" and "SHA-512" in message and words in message
    assert files_in(empty_cache) == ["downloads"]  # no tgz, no partial file, no Kafka
    assert distribution.find() is None


def test_bad_published_checksum_is_refused(server, empty_cache, tgz, pinned):
    pinned(None)
    server.files[f"/{NAME}"] = tgz
    server.files[f"/{NAME}.sha512"] = gpg_style("0" * 128, NAME).encode()
    with pytest.raises(KafkaLabError) as err:
        fetch_tgz(server)
    assert err.value.key == "checksum_bad"
    assert files_in(empty_cache) == ["downloads"] and distribution.find() is None


def test_a_dropped_connection_is_retried_and_resumed_with_range(server, empty_cache, tgz, pinned, capsys):
    pinned(sha512(tgz))
    server.files[f"/{NAME}"] = tgz
    third = len(tgz) // 3
    server.cuts[f"/{NAME}"] = [third, third]  # two drops, then the rest
    i18n.set_lang("en")
    try:
        dist = fetch_tgz(server)
    finally:
        i18n.set_lang(None)
    assert (dist.libs / MAIN_JAR).exists()
    assert server.gets(f"/{NAME}") == [None, f"bytes={third}-", f"bytes={2 * third}-"]
    assert f"resuming at byte {2 * third}" in capsys.readouterr().err


def test_an_interrupted_download_resumes_on_the_next_fetch(server, empty_cache, tgz, pinned, monkeypatch):
    pinned(sha512(tgz))
    server.files[f"/{NAME}"] = tgz
    half = len(tgz) // 2
    server.cuts[f"/{NAME}"] = [half]
    monkeypatch.setattr(distribution, "DOWNLOAD_ATTEMPTS", 1)
    with pytest.raises(KafkaLabError) as err:
        fetch_tgz(server)
    assert err.value.key == "download_failed"
    assert files_in(empty_cache) == ["downloads", f"downloads/{NAME}.part"]  # kept to resume, not cached
    assert distribution.find() is None
    dist = fetch_tgz(server)
    assert (dist.libs / MAIN_JAR).exists()
    assert server.gets(f"/{NAME}") == [None, f"bytes={half}-"]


def test_a_server_without_range_support_sends_it_all_again(server, empty_cache, tgz, pinned):
    pinned(sha512(tgz))
    server.files[f"/{NAME}"] = tgz
    server.honour_range = False
    server.cuts[f"/{NAME}"] = [len(tgz) // 2]
    dist = fetch_tgz(server)
    assert (dist.libs / MAIN_JAR).exists()
    assert len(server.gets(f"/{NAME}")) == 2


def test_retries_give_up_with_a_clear_message(server, empty_cache, tgz, pinned, monkeypatch):
    pinned(sha512(tgz))
    server.files[f"/{NAME}"] = tgz
    server.cuts[f"/{NAME}"] = [10] * 10
    monkeypatch.setattr(distribution, "DOWNLOAD_ATTEMPTS", 3)
    with pytest.raises(KafkaLabError) as err:
        fetch_tgz(server)
    assert err.value.key == "download_failed" and len(server.gets(f"/{NAME}")) == 3
    assert distribution.find() is None


def test_a_missing_file_is_not_retried(server, empty_cache, pinned):
    pinned("0" * 128)
    with pytest.raises(KafkaLabError) as err:
        fetch_tgz(server)
    assert err.value.key == "download_failed" and "404" in str(err.value)
    assert len(server.requests) == 1


def test_a_tampered_cache_is_refused_then_replaced(server, empty_cache, tgz, pinned, capsys):
    pinned(sha512(tgz))
    server.files[f"/{NAME}"] = tgz
    dist = fetch_tgz(server)
    jar = dist.libs / MAIN_JAR
    jar.write_bytes(jar.read_bytes() + b"evil")
    assert distribution.find() is None
    assert f"libs/{MAIN_JAR}: SHA-512 differs" in capsys.readouterr().err
    with pytest.raises(KafkaLabError) as err:
        distribution.require()
    assert err.value.key == "cache_bad" and "kafkalab fetch" in str(err.value)
    again = fetch_tgz(server)  # fetch replaces the damaged copy
    assert again.home == dist.home and distribution.verify_home(again.home) == []
    assert len(server.gets(f"/{NAME}")) == 2


def test_an_extra_jar_in_the_cache_is_refused(server, empty_cache, tgz, pinned):
    pinned(sha512(tgz))
    server.files[f"/{NAME}"] = tgz
    dist = fetch_tgz(server)
    (dist.libs / "backdoor.jar").write_bytes(b"PK")
    assert distribution.verify_home(dist.home) == ["libs/backdoor.jar: not expected"]
    assert distribution.find() is None


# --- Maven -----------------------------------------------------------------------------------------------

def make_jars(folder: Path, names=(MAIN_JAR, "zookeeper-3.8.4.jar")) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    pins = {}
    for name in names:
        data = f"jar {name}".encode()
        (folder / name).write_bytes(data)
        pins[f"libs/{name}"] = sha512(data)
    return pins


@pytest.fixture
def fake_mvn(tmp_path, monkeypatch):
    """An `mvn` on PATH that copies the jars of `repo` to -DoutputDirectory and logs its argv."""
    repo = tmp_path / "repo"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "mvn-argv"
    script = bin_dir / "mvn"
    script.write_text(f"""#!/bin/sh
echo "$@" > {log}
for a in "$@"; do case "$a" in -DoutputDirectory=*) out="${{a#-DoutputDirectory=}}";; esac; done
mkdir -p "$out" && cp {repo}/*.jar "$out"/ && echo "Copying jars"
""")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return repo, log


def test_maven_jars_are_checked_against_the_pinned_digests(empty_cache, fake_mvn, monkeypatch):
    repo, log = fake_mvn
    pins = make_jars(repo)
    monkeypatch.setattr(distribution, "_pinned_jars", lambda: pins)
    dist = distribution.fetch("maven", progress=False)
    assert dist.source == "maven" and " -C " in f" {log.read_text()} "  # strict checksums
    assert distribution.verify_home(dist.home) == []
    # a jar changed in the cache afterwards is caught on the next cache hit
    (dist.libs / "zookeeper-3.8.4.jar").write_bytes(b"changed")
    assert distribution.verify_home(dist.home) == ["libs/zookeeper-3.8.4.jar: SHA-512 differs"]


def test_a_tampered_maven_jar_is_refused_and_nothing_cached(empty_cache, fake_mvn, monkeypatch):
    repo, _ = fake_mvn
    pins = make_jars(repo)
    (repo / "zookeeper-3.8.4.jar").write_bytes(b"tampered")
    monkeypatch.setattr(distribution, "_pinned_jars", lambda: pins)
    with pytest.raises(KafkaLabError) as err:
        distribution.fetch("maven", progress=False)
    assert err.value.key == "jar_digest_bad" and "zookeeper-3.8.4.jar" in str(err.value)
    assert files_in(empty_cache) == [] and distribution.find() is None


def test_unpinned_or_missing_maven_jars_are_refused(empty_cache, fake_mvn, monkeypatch):
    repo, _ = fake_mvn
    pins = make_jars(repo)
    (repo / "surprise-1.0.jar").write_bytes(b"?")
    pins["libs/expected-2.0.jar"] = "0" * 128
    monkeypatch.setattr(distribution, "_pinned_jars", lambda: pins)
    i18n.set_lang("en")
    try:
        with pytest.raises(KafkaLabError) as err:
            distribution.fetch("maven", progress=False)
        message = str(err.value)
    finally:
        i18n.set_lang(None)
    assert err.value.key == "jars_differ"
    assert "not pinned: surprise-1.0.jar" in message and "missing: expected-2.0.jar" in message
    assert files_in(empty_cache) == []


def test_the_package_pins_every_jar_of_kafka():
    pins = distribution.pinned_digests()
    jars = [name for name in pins if name.startswith("libs/")]
    assert f"libs/{MAIN_JAR}" in jars and f"libs/kafka-tools-{VERSION}.jar" in jars and len(jars) > 50
    assert all(re.fullmatch(r"[0-9a-f]{128}", d) for d in pins.values())
    tgz_digest = distribution.pinned_tgz_sha512()
    assert tgz_digest is None or re.fullmatch(r"[0-9a-f]{128}", tgz_digest)
    # a Maven install on this machine (scripts/setup) matches them
    home = distribution._cached_home()
    if os.environ.get("KAFKALAB_CACHE") is None and (home / ".source").exists() \
            and distribution._source_of(home) == "maven":
        assert distribution.verify_home(home) == []


# --- the rest --------------------------------------------------------------------------------------------

def test_kafka_home_in_the_official_layout_is_used(tmp_path, monkeypatch, tgz):
    with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
        tar.extractall(tmp_path, filter="data")
    monkeypatch.setenv("KAFKA_HOME", str(tmp_path / TOP))
    monkeypatch.setenv("KAFKALAB_CACHE", str(tmp_path / "no-cache"))
    dist = distribution.find()
    assert dist is not None and dist.source == "KAFKA_HOME" and dist.home == tmp_path / TOP


def test_missing_kafka_says_how_to_get_it(empty_cache):
    with pytest.raises(KafkaLabError) as err:
        distribution.require()
    assert "kafkalab fetch" in str(err.value)


def test_sha512_file_formats():
    digest = hashlib.sha512(b"x").hexdigest()
    assert distribution.parse_sha512(gpg_style(digest, "kafka.tgz")) == digest
    assert distribution.parse_sha512(f"{digest}  kafka.tgz\n") == digest
    with pytest.raises(ValueError):
        distribution.parse_sha512("kafka.tgz: not a digest")


def test_a_cache_without_kafka_is_replaced(server, empty_cache, tgz, pinned):
    pinned(sha512(tgz))
    server.files[f"/{NAME}"] = tgz
    (empty_cache / f"kafka-{VERSION}" / "libs").mkdir(parents=True)  # a half-deleted copy
    dist = fetch_tgz(server)
    assert (dist.libs / MAIN_JAR).exists() and distribution.verify_home(dist.home) == []
