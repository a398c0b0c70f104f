"""Java on this machine: the one place a JVM command line for a Kafka class is built, for the local
engine's nodes and for every engine's tools run from the host.

Every JVM carries ``-Dkafkalab.home/cluster/node`` markers, so a node is recognised by its command line
(never by a PID alone, which the system may reuse) and leftovers of a crashed session can be swept.
"""
from __future__ import annotations

from pathlib import Path

from ... import cds, distribution
from ...errors import KafkaLabError
from ...java import find_java, java_command
from .base import JVM_OPTS, QUICK_JVM_OPTS, JavaStep, Site, log4j_config

TRAINING_TOOL = "org.apache.kafka.tools.TopicCommand"  # its classes (admin client) serve most tools


def markers(home: Path, cluster: str, node: str) -> list[str]:
    return [f"-Dkafkalab.home={home}", f"-Dkafkalab.cluster={cluster}", f"-Dkafkalab.node={node}"]


def check_available() -> None:
    """Java and a Kafka here (3.9.1, or only 4.x for a student who fetched just that); else KafkaLabError."""
    find_java()
    try:
        distribution.require()
    except KafkaLabError as err:
        if err.key != "kafka_missing" or not any(distribution.find(v) for v in distribution.VERSIONS.values()):
            raise


def java_argv(site: Site, node_name: str, step: JavaStep, role: str | None,
              classpath: list[Path] = ()) -> list[str]:
    """The java command of one step; `role` for a server (its class-data archive), None for a tool or a
    set-up step (the tools' archive, once made). `classpath`: folders beside Kafka's jars."""
    dist = distribution.require(site.kafka)
    java, java_version = find_java()
    shared = []
    if role:
        shared = cds.server_options(java, java_version, dist.libs, role)
    elif cds.enabled(java_version):
        shared = cds.options(cds.archive_path(java, dist.libs))
    return java_command(
        step.main, dist.libs, heap=step.heap,
        jvm_opts=JVM_OPTS + shared + step.jvm_opts + markers(site.home, site.name, node_name),
        args=step.args, log4j=log4j_config(site.kafka, server=role is not None),
        logs_dir=site.log_dir(node_name) if role else None, java=java, classpath=classpath)


def tool_command(site: Site, step: JavaStep, train: bool) -> list[str]:
    """The one way every engine runs a Kafka CLI tool from this machine: a JVM with Kafka's jars and,
    where Java allows, the tools' class-data archive (`train`: made on first use with a serving broker)."""
    java, java_version = find_java()
    if train and cds.enabled(java_version):
        archive = cds.archive_path(java, distribution.require(site.kafka).libs)
        broker = _serving_broker(site) if not archive.is_file() else None
        if broker:
            cds.train(java_argv(site, "tool", JavaStep(TRAINING_TOOL, ["--bootstrap-server", broker, "--list"],
                                                       "256m", QUICK_JVM_OPTS), role=None), archive)
    return java_argv(site, "tool", step, role=None)


def _serving_broker(site: Site) -> str | None:
    from ..probes import tcp_open

    return next((f"{b.host}:{b.port}" for b in site.brokers if tcp_open(b.host, b.port)), None)
