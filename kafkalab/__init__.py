"""Kafka Lab: real ZooKeeper + Kafka clusters for the course, one call away.

    import kafkalab
    cluster = kafkalab.up("three-brokers")
    cluster.bootstrap_servers                    # '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094'
    cluster.tool("kafka-topics.sh", "--bootstrap-server", "localhost:9092", "--list")
    cluster.kill("broker-1"); cluster.start("broker-1")
    cluster.down()
"""
from .cluster import PRESETS, Cluster, ClusterSpec, attach, clusters, down, up
from .distribution import KAFKA_VERSION, fetch
from .errors import KafkaLabError
from .i18n import lang, set_lang, t
from .waiting import wait_for

__all__ = ["Cluster", "ClusterSpec", "KAFKA_VERSION", "KafkaLabError", "PRESETS", "attach", "clusters",
           "down", "fetch", "lang", "set_lang", "t", "up", "wait_for"]
__version__ = "0.1.0"


def _register_magic() -> None:
    try:
        ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        return
    if ip is not None:
        from .magic import load_ipython_extension

        load_ipython_extension(ip)


_register_magic()
