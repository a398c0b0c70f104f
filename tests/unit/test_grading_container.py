"""The per-submission container's command: what it mounts, limits and passes, and what it never does."""
import sys
from pathlib import Path

import pytest

import kafkalab
from kafkalab.errors import KafkaLabError
from kafkalab.grading import batch, container
from kafkalab.grading.sandbox import WORK, Limits

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def argv(tmp_path, monkeypatch):
    monkeypatch.setattr(container, "image", lambda: "kafkalab/kafka:test")
    monkeypatch.setenv("KAFKALAB_TEST_SECRET", "s3cret")
    kafka_home = tmp_path / "kafka"
    kafka_home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    return container.worker_argv(3, "abc123", work, Limits(memory=1 << 30, pids=500, cpus=0.5), kafka_home,
                                 None, ROOT / "checks", "ru"), work, kafka_home


def _mounts(argv: list[str]) -> dict[str, str]:
    found = {}
    for i, word in enumerate(argv):
        if word == "--mount":
            fields = dict(f.split("=", 1) if "=" in f else (f, "") for f in argv[i + 1].split(","))
            found[fields["dst"]] = argv[i + 1]
    return found


def test_container_has_no_network_and_the_limits(argv):
    """The container's task limit leaves the worker room above the kernel's own (its uid's RLIMIT_NPROC)."""
    argv, _, _ = argv
    line = " ".join(argv)
    for expected in ("--network none", "--memory 1073741824", "--memory-swap 1073741824",
                     f"--pids-limit {500 + container.WORKER_TASKS}",
                     "--cpus 0.5", "--cpu-shares 16384", "--cap-drop ALL", "--read-only", "--rm", "--init",
                     "--name kafkalab-grade-3-abc123", f"--label {container.LABEL}=abc123"):
        assert expected in line, expected
    assert "--privileged" not in argv and "SYS_ADMIN" not in line
    assert argv[-3:] == [sys.executable, "-m", "kafkalab.grading.worker"]


def test_only_what_the_worker_needs_is_mounted(argv):
    argv, work, kafka_home = argv
    mounts = _mounts(argv)
    assert f"src={work.resolve()}" in mounts[str(WORK)] and "readonly" not in mounts[str(WORK)]
    package = str(Path(kafkalab.__file__).resolve().parent)
    for path in (package, str(Path(sys.prefix).resolve()), str(kafka_home.resolve())):
        bound = [dst for dst in mounts if "type=bind" in mounts[dst] and (path == dst or path.startswith(dst + "/"))]
        assert bound and all("readonly" in mounts[d] for d in bound), path
    assert "readonly" in mounts[str(container.CHECKS_INSIDE)]
    assert "tmpfs-mode=0700" in mounts[str(container.CHECKS_INSIDE.parent)]  # only root (the worker) enters
    # nothing of the course repository but the package: no solutions, tests or the checks at their own path
    for folder in ("solutions", "tests", "checks"):
        assert str(ROOT / folder) not in mounts


def test_the_grader_environment_does_not_pass(argv):
    argv, _, _ = argv
    env = [argv[i + 1] for i, w in enumerate(argv) if w == "--env"]
    assert not any("s3cret" in e for e in env)
    assert f"KAFKALAB_CHECKS={container.CHECKS_INSIDE}" in env and "KAFKALAB_LANG=ru" in env


def test_isolation_choice(monkeypatch):
    monkeypatch.setattr(container, "available", lambda: False)
    monkeypatch.setattr(container, "docker_cli", lambda: "/usr/bin/docker")
    with pytest.raises(KafkaLabError) as err:
        batch.choose_isolation("docker")
    assert err.value.key == "grading_docker_unavailable"
    with pytest.raises(KafkaLabError):
        batch.choose_isolation("chroot")
    assert batch.choose_isolation("weak") == "weak"
    monkeypatch.setattr(container, "available", lambda: True)
    assert batch.choose_isolation(None) == "docker"
    monkeypatch.setenv("KAFKALAB_GRADE_ISOLATION", "weak")
    assert batch.choose_isolation(None) == "weak"


def test_grading_on_a_class_cluster_takes_namespaces_or_refuses(monkeypatch):
    """The kernel needs the grader's network there and must not read the instructor's credentials: docker
    and weak are refused in words, even where a Docker daemon answers; without root, so is the default."""
    monkeypatch.delenv("KAFKALAB_GRADE_ISOLATION", raising=False)
    monkeypatch.setattr(container, "available", lambda: True)
    monkeypatch.setattr(batch, "strong_possible", lambda: True)
    assert batch.choose_isolation(None, shared=True) == "namespaces"
    assert batch.choose_isolation("namespaces", shared=True) == "namespaces"
    for wanted in ("docker", "weak"):
        with pytest.raises(KafkaLabError) as err:
            batch.choose_isolation(wanted, shared=True)
        assert err.value.key == "grading_class_isolation" and wanted in str(err.value)
    monkeypatch.setattr(batch, "strong_possible", lambda: False)
    with pytest.raises(KafkaLabError) as err:
        batch.choose_isolation(None, shared=True)
    assert err.value.key == "grading_class_isolation"
