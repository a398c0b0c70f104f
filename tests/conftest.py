"""Fixtures of the runtime tests: which engines to test, clusters that are always removed."""
import os
import uuid

import pytest

import kafkalab


def engines() -> list[str]:
    """local always; docker when a daemon answers, and always in CI (where it must work)."""
    found = ["local"]
    from kafkalab.cluster.engines import _docker_engine_class

    docker = _docker_engine_class()
    if os.environ.get("CI") or (docker is not None and docker.daemon_answers()):
        found.append("docker")
    return found


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", engines())


@pytest.fixture
def make_cluster():
    """make_cluster(preset, engine) -> a fresh cluster with a unique name, removed after the test."""
    made = []

    def make(preset: str, engine: str = "local", **kw):
        cluster = kafkalab.up(preset, name=f"t-{preset}-{uuid.uuid4().hex[:6]}", engine=engine, **kw)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        if cluster.dir.exists():
            cluster.down()


@pytest.fixture
def english():
    """Messages in English for the test (its assertions read them), whatever the machine's locale."""
    from kafkalab.i18n import set_lang

    set_lang("en")
    yield
    set_lang(None)
