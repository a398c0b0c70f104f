"""The external engine: an existing cluster (a classroom cluster, a managed Kafka) given by its address.

    KAFKALAB_BOOTSTRAP=host:9092,host:9093 kafkalab up --engine external --name class
    KAFKALAB_CLIENT_CONFIG=~/alice.properties kafkalab up --engine external   # SASL / TLS

Its "nodes" are the bootstrap addresses (brokers it cannot start or stop); the connection settings
are kept in the cluster's state by reference (the properties file is read again at each use, so a
password is never copied into cluster.json). See kafkalab.cluster.connection; the cluster waits for it
by connecting (Cluster.wait_ready) and `down` deletes only the student's own data (namespace.clear).
"""
from __future__ import annotations

import os

from ..configs import Placement
from ..spec import NodeSpec
from .base import Engine, JavaStep, Site


class ExternalEngine(Engine):
    name = "external"
    controls_nodes = False
    binds_host_ports = False
    tools_on_host = True  # the class's tools run here, as JVMs of this machine

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

    def placement(self, site: Site) -> Placement:
        return Placement("(external)")

    def alive(self, site: Site, node: NodeSpec) -> bool:
        from .. import probes

        return probes.tcp_open(node.host, node.port, timeout=2.0)

    def start_node(self, site: Site, node: NodeSpec) -> dict:
        """Nothing to start: the nodes run elsewhere."""
        return {}

    def read_log(self, site: Site, node: NodeSpec, name: str = "server.log") -> str:
        return ""  # its logs are on its own machines

    def tool_command(self, site: Site, step: JavaStep) -> list[str]:
        from . import host

        return host.tool_command(site, step, train=False)

    def remove(self, site: Site) -> None:
        """Nothing of ours runs there (a student's own topics and groups go with `namespace.clear`)."""
