"""The external engine: an existing cluster (a classroom cluster, a managed Kafka) given by its address.

    KAFKALAB_BOOTSTRAP=host:9092,host:9093 kafkalab up --engine external --name class
    KAFKALAB_CLIENT_CONFIG=~/alice.properties kafkalab up --engine external   # SASL / TLS

Its "nodes" are the bootstrap addresses (brokers it cannot start or stop); the connection settings
are kept in the cluster's state by reference (the properties file is read again at each use, so a
password is never copied into cluster.json). See kafkalab.cluster.connection.
"""
from __future__ import annotations

import os

from ..configs import Placement
from ..spec import NodeSpec
from .base import Engine, JavaStep


class ExternalEngine(Engine):
    name = "external"
    controls_nodes = False
    binds_host_ports = False

    def check_available(self) -> None:
        from ..connection import Connection

        Connection.from_env()  # 'external_needs_bootstrap' or a bad properties file, in words

    def adopt(self, spec) -> dict:
        """Make `spec` the existing cluster's: one broker node per bootstrap address, no ports of ours.
        Returns what the cluster's state keeps: the address and where the settings come from."""
        from ..connection import Connection

        conn = Connection.from_env()
        spec.preset, spec.mode = "external", "external"
        spec.zookeepers, spec.controllers = 0, 0
        nodes = []
        for i, address in enumerate(a for a in conn.bootstrap.split(",") if a):
            host, _, port = address.rpartition(":")
            nodes.append(NodeSpec(f"broker-{i}", "broker", i, int(port), host.strip("[]") or "127.0.0.1"))
        spec.brokers, spec.nodes = len(nodes), nodes
        config = os.environ.get("KAFKALAB_CLIENT_CONFIG")
        info = {"bootstrap": conn.bootstrap,
                "config": os.path.abspath(os.path.expanduser(config)) if config else None,
                "bootstrap_env": os.environ.get("KAFKALAB_BOOTSTRAP") or None}
        state = {"bootstrap": conn.bootstrap, "connection": info}
        student = os.environ.get("KAFKALAB_STUDENT", "").strip()
        if student:
            state["student"] = student
        return state

    def wait_ready(self, cluster, timeout: float) -> float:
        """Connect with the cluster's settings; unreachable, a refused login or TLS failure in words."""
        import time

        from ..connection import of_cluster, probe

        began = time.monotonic()
        info = probe(of_cluster(cluster), timeout=min(timeout, 15.0))
        cluster.runtime["brokers"] = info["brokers"]
        return time.monotonic() - began

    def placement(self, cluster) -> Placement:
        return Placement("(external)")

    def alive(self, cluster, node: NodeSpec) -> bool:
        from .. import probes

        return probes.tcp_open(node.host, node.port, timeout=2.0)

    def start_node(self, cluster, node: NodeSpec) -> None:
        """Nothing to start: the nodes run elsewhere."""

    def read_log(self, cluster, node: NodeSpec, name: str = "server.log") -> str:
        return ""

    def tool_command(self, cluster, step: JavaStep) -> list[str]:
        from .local import LocalEngine

        return LocalEngine().tool_command(cluster, step)

    def remove(self, cluster) -> None:
        """The cluster is not ours: only a student's own data goes, as a local cluster's data does.

        With a student namespace (KAFKALAB_STUDENT=alice) every topic and consumer group named alice.*
        is deleted, so a lesson run again (`up(..., fresh=True)`) starts clean; without one, nothing."""
        from confluent_kafka.admin import AdminClient

        from ... import namespace
        from ...waiting import wait_for

        pre = namespace.prefix(cluster)
        if not pre:
            return
        try:  # a cluster gone, or its properties file: nothing to delete now
            admin = AdminClient({"bootstrap.servers": cluster.bootstrap_servers, **cluster.client_settings()})
            groups = admin.list_consumer_groups(request_timeout=15).result(timeout=20).valid
            mine = [g.group_id for g in groups if g.group_id.startswith(pre)]
            for future in (admin.delete_consumer_groups(mine, request_timeout=15).values() if mine else ()):
                try:
                    future.result(timeout=20)
                except Exception:
                    pass  # a group with live members stays; its members are the student's own clients

            def topics() -> list[str]:
                return [name for name in admin.list_topics(timeout=10).topics if name.startswith(pre)]

            doomed = topics()
            if doomed:
                for future in admin.delete_topics(doomed, operation_timeout=30).values():
                    try:
                        future.result(timeout=40)
                    except Exception:
                        pass
                wait_for(lambda: not set(doomed) & set(topics()), 30, "the student's topics to be deleted")
        except Exception:
            pass  # `up(fresh=True)` deletes it next time
