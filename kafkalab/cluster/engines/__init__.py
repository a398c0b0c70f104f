"""Engines realise nodes: local (JVM processes), docker (testcontainers), external (an existing cluster)."""
from __future__ import annotations

import os

from ...errors import KafkaLabError
from . import host
from .base import Engine
from .external import ExternalEngine
from .local import LocalEngine

ENGINES = ("local", "docker", "external")


def _docker_engine_class():
    try:
        from .docker import DockerEngine
    except ImportError:
        return None
    return DockerEngine


def engine_classes() -> list[type[Engine]]:
    classes: list[type[Engine]] = [LocalEngine, ExternalEngine]
    docker = _docker_engine_class()
    if docker:
        classes.append(docker)
    return classes


def get_engine(name: str) -> Engine:
    if name == "local":
        return LocalEngine()
    if name == "external":
        return ExternalEngine()
    if name == "docker":
        docker = _docker_engine_class()
        if docker is None:
            raise KafkaLabError("engine_unavailable", engine="docker", why="testcontainers is not installed")
        return docker()
    raise KafkaLabError("engine_unknown", engine=name)


def choose_engine(requested: str = "auto", own: bool = False) -> str:
    """auto: $KAFKALAB_ENGINE, else docker when a Docker daemon answers, else local when Java is found, else a
    clear error. own: a cluster of a chosen Kafka version (a lesson's Kafka 4.x part), which only an engine that
    starts nodes gives: beside a shared class cluster (KAFKALAB_ENGINE=external) it is docker or local."""
    from_env = os.environ.get("KAFKALAB_ENGINE", "auto") if requested == "auto" else requested
    beside_shared = own and requested == "auto" and from_env == "external"
    requested = "auto" if beside_shared else from_env
    if requested != "auto":
        if requested not in ENGINES:
            raise KafkaLabError("engine_unknown", engine=requested)
        return requested
    docker = _docker_engine_class()
    if docker is not None and docker.daemon_answers():
        return "docker"
    try:
        host.check_available()
    except KafkaLabError as err:
        if err.key == "java_missing":
            raise KafkaLabError("own_beside_shared_none" if beside_shared else "engine_none") from err
        raise
    return "local"
