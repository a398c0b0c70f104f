"""The external engine: an existing cluster (a classroom cluster, a managed Kafka) given by its address.

    KAFKALAB_BOOTSTRAP=host:9092,host:9093 kafkalab up --engine external --name class
"""
from __future__ import annotations

import os

from ...errors import KafkaLabError
from ..configs import Placement
from ..spec import NodeSpec
from .base import Engine, JavaStep


class ExternalEngine(Engine):
    name = "external"
    controls_nodes = False
    binds_host_ports = False

    def check_available(self) -> None:
        if not os.environ.get("KAFKALAB_BOOTSTRAP"):
            raise KafkaLabError("external_needs_bootstrap")

    def placement(self, cluster) -> Placement:
        return Placement("(external)")

    def alive(self, cluster, node: NodeSpec) -> bool:
        from .. import probes

        return probes.tcp_open(node.host, node.port)

    def start_node(self, cluster, node: NodeSpec) -> None:
        """Nothing to start: the nodes run elsewhere."""

    def read_log(self, cluster, node: NodeSpec, name: str = "server.log") -> str:
        return ""

    def tool_command(self, cluster, step: JavaStep) -> list[str]:
        from .local import LocalEngine

        return LocalEngine().tool_command(cluster, step)

    def remove(self, cluster) -> None:
        """Nothing to remove: the cluster is not ours."""
