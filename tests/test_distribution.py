"""Fetching Kafka: Apache's tgz path against a local HTTP server, checksum and interruption handling."""
import hashlib
import http.server
import io
import tarfile
import threading
from pathlib import Path

import pytest

from kafkalab import distribution
from kafkalab.errors import KafkaLabError

TOP = f"kafka_2.13-{distribution.KAFKA_VERSION}"


def gpg_style(digest: str, name: str) -> str:
    """The layout of Apache's .sha512 files: upper-case hex in groups of 8, wrapped."""
    groups = [digest[i:i + 8].upper() for i in range(0, 128, 8)]
    return f"{name}: " + " ".join(groups[:8]) + "\n" + " " * (len(name) + 2) + " ".join(groups[8:]) + "\n"


@pytest.fixture(scope="module")
def real_tgz(tmp_path_factory) -> bytes:
    """A tgz in the official layout, made of the real jars (so the result can run Kafka)."""
    libs = distribution.require().libs
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for jar in sorted(libs.glob("*.jar")):
            tar.add(jar, arcname=f"{TOP}/libs/{jar.name}")
        info = tarfile.TarInfo(f"{TOP}/bin/kafka-topics.sh")
        script = b"#!/bin/sh\n"
        info.size = len(script)
        tar.addfile(info, io.BytesIO(script))
    return buf.getvalue()


class Server:
    """A local HTTP server with a table of path -> (bytes, declared length or None)."""

    def __init__(self):
        self.files: dict[str, tuple[bytes, int | None]] = {}
        files = self.files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path not in files:
                    self.send_error(404)
                    return
                body, declared = files[self.path]
                self.send_response(200)
                self.send_header("Content-Length", str(declared or len(body)))
                self.end_headers()
                self.wfile.write(body)  # shorter than declared: the connection drops mid-download

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

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
    return cache


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_good_checksum_is_cached_and_fetch_is_idempotent(server, empty_cache, real_tgz, capsys):
    name = distribution.TGZ_NAME
    server.files[f"/{name}"] = (real_tgz, None)
    server.files[f"/{name}.sha512"] = (gpg_style(hashlib.sha512(real_tgz).hexdigest(), name).encode(), None)
    dist = distribution.fetch("tgz", url=f"{server.base}/{name}", progress=False)
    assert dist.source == "tgz"
    assert (dist.libs / f"kafka_2.13-{distribution.KAFKA_VERSION}.jar").exists()
    assert leftovers(empty_cache) == [f"kafka-{distribution.KAFKA_VERSION}"]
    # a second fetch finds the cache and downloads nothing
    server.files.clear()
    again = distribution.fetch(progress=False)
    assert again.home == dist.home and "Kafka" in capsys.readouterr().out


def test_bad_checksum_is_refused_and_nothing_cached(server, empty_cache, real_tgz):
    name = distribution.TGZ_NAME
    server.files[f"/{name}"] = (real_tgz, None)
    server.files[f"/{name}.sha512"] = (gpg_style("0" * 128, name).encode(), None)
    with pytest.raises(KafkaLabError) as err:
        distribution.fetch("tgz", url=f"{server.base}/{name}", progress=False)
    assert err.value.key == "checksum_bad" and "SHA-512" in str(err.value)
    assert leftovers(empty_cache) == []
    assert distribution.find() is None


def test_interrupted_download_leaves_no_cache(server, empty_cache, real_tgz):
    name = distribution.TGZ_NAME
    server.files[f"/{name}"] = (real_tgz[: len(real_tgz) // 3], len(real_tgz))
    server.files[f"/{name}.sha512"] = (gpg_style(hashlib.sha512(real_tgz).hexdigest(), name).encode(), None)
    with pytest.raises(KafkaLabError) as err:
        distribution.fetch("tgz", url=f"{server.base}/{name}", progress=False)
    assert err.value.key == "download_failed"
    assert leftovers(empty_cache) == []


def test_kafka_home_in_the_official_layout_is_used(tmp_path, monkeypatch, real_tgz):
    with tarfile.open(fileobj=io.BytesIO(real_tgz)) as tar:
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
