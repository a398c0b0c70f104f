"""ClusterSpec: how many ZooKeeper nodes, brokers and controllers, the mode, and their ports."""
from __future__ import annotations

import random
import socket
import time
from dataclasses import asdict, dataclass, field

from ..errors import KafkaLabError
from ..i18n import t

# preset -> (mode, zookeepers, brokers, controllers)
PRESETS: dict[str, tuple[str, int, int, int]] = {
    "single": ("zookeeper", 1, 1, 0),
    "three-brokers": ("zookeeper", 1, 3, 0),
    "zk-ensemble": ("zookeeper", 3, 3, 0),
    "kraft": ("kraft", 0, 3, 1),
}
DEFAULT_PRESET = "three-brokers"
DEFAULT_NAME = "kafkalab"
CONTROLLER_ID_BASE = 1000  # controller-N has node.id 1000+N, apart from the brokers' 0, 1, 2


@dataclass
class NodeSpec:
    """One node: its name (zookeeper-1, broker-0, controller-1), role, id and ports."""

    name: str
    role: str  # "zookeeper", "broker" or "controller"
    id: int
    port: int = 0  # the client port: ZooKeeper clientPort, broker or controller listener
    host: str = "127.0.0.1"  # where clients on this machine reach it
    quorum_ports: tuple[int, int] | None = None  # ZooKeeper ensemble: peer and election ports

    @property
    def preferred_port(self) -> int:
        if self.role == "zookeeper":
            return 2180 + self.id
        if self.role == "broker":
            return 9092 + self.id
        return 19090 + self.id - CONTROLLER_ID_BASE


@dataclass
class ClusterSpec:
    """What to run. ``nodes`` is filled by :func:`assign_ports`."""

    name: str = DEFAULT_NAME
    preset: str = DEFAULT_PRESET
    mode: str = "zookeeper"
    zookeepers: int = 1
    brokers: int = 3
    controllers: int = 0
    broker_config: dict[str, str] = field(default_factory=dict)  # extra server.properties lines
    nodes: list[NodeSpec] = field(default_factory=list)

    @classmethod
    def from_preset(cls, preset: str = DEFAULT_PRESET, name: str = DEFAULT_NAME, **overrides) -> "ClusterSpec":
        if preset not in PRESETS:
            raise KafkaLabError("preset_unknown", preset=preset, presets=", ".join(PRESETS))
        mode, zks, brokers, controllers = PRESETS[preset]
        spec = cls(name=name, preset=preset, mode=mode, zookeepers=zks, brokers=brokers,
                   controllers=controllers, **overrides)
        spec.nodes = spec.planned_nodes()
        return spec

    def planned_nodes(self) -> list[NodeSpec]:
        nodes = [NodeSpec(f"zookeeper-{i}", "zookeeper", i) for i in range(1, self.zookeepers + 1)]
        nodes += [NodeSpec(f"controller-{i}", "controller", CONTROLLER_ID_BASE + i)
                  for i in range(1, self.controllers + 1)]
        nodes += [NodeSpec(f"broker-{i}", "broker", i) for i in range(self.brokers)]
        return nodes

    def node(self, name: str) -> NodeSpec:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KafkaLabError("node_unknown", name=self.name, node=name,
                            nodes=", ".join(n.name for n in self.nodes))

    def of_role(self, role: str) -> list[NodeSpec]:
        return [n for n in self.nodes if n.role == role]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ClusterSpec":
        data = dict(data)
        nodes = [NodeSpec(**{**n, "quorum_ports": tuple(n["quorum_ports"]) if n.get("quorum_ports") else None})
                 for n in data.pop("nodes", [])]
        return cls(**data, nodes=nodes)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when a server could listen on host:port now (SO_REUSEADDR, as the JVM servers set it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(avoid: set[int], is_free) -> int:
    # below Linux's ephemeral range (32768+), so outgoing connections never take it from us
    candidates = list(range(20000, 32000))
    random.shuffle(candidates)
    for port in candidates:
        if port not in avoid and is_free(port):
            return port
    raise OSError("no free port")


def assign_ports(spec: ClusterSpec, reserved: set[int] = frozenset(), is_free=port_is_free) -> list[str]:
    """Give every node its notes' port when free, else a free one; return the messages saying so.

    `reserved` holds ports of other kafkalab clusters, which may be stopped but will come back.
    """
    messages: list[str] = []
    used: set[int] = set(reserved)
    patience = time.monotonic() + 2.0  # a port of a cluster removed a moment ago may still be closing

    def preferred_free(port: int) -> bool:
        while True:
            if is_free(port):
                return True
            if time.monotonic() > patience:
                return False
            time.sleep(0.1)

    def take(preferred: int, node: str) -> int:
        if preferred not in used and preferred_free(preferred):
            port = preferred
        else:
            port = _free_port(used, is_free)
            messages.append(t("port_taken", port=preferred, node=node, new=port))
        used.add(port)
        return port

    for node in spec.nodes:
        node.port = take(node.preferred_port, node.name)
        if node.role == "zookeeper" and spec.zookeepers > 1:
            node.quorum_ports = (take(2887 + node.id, node.name), take(3887 + node.id, node.name))
    return messages
