"""ClusterSpec: how many ZooKeeper nodes, brokers and controllers, the mode, the Kafka version, their ports.

Ports (the notes' ones when free, else free ones and a message): ZooKeeper 2181.., brokers 9092..9094,
KRaft controllers 19091..19093 (controller-N, or the controller listener of combined node broker-N at
19091+N). Presets ``kraft`` (3 controllers + 3 brokers) and ``kraft-combined`` (3 nodes, each
process.roles=broker,controller) run on Kafka 3.9 and 4.x; the ZooKeeper presets on 3.9 only.
"""
from __future__ import annotations

import random
import socket
import time
from dataclasses import asdict, dataclass, field

from ..distribution import KAFKA_VERSION, major, resolve_version, short_version
from ..errors import KafkaLabError
from ..i18n import register, t
from ..waiting import wait_for

register({
    "kafka4_no_zookeeper": {
        "en": "Kafka {version} has no ZooKeeper mode (it was removed in 4.0), so preset '{preset}' cannot run "
              "on it. Fix: a KRaft preset ({kraft}) with --kafka {short}, or this preset on Kafka 3.9 "
              "(--kafka 3.9).",
        "ru": "В Kafka {version} нет режима ZooKeeper (его убрали в 4.0), поэтому пресет '{preset}' на ней "
              "не запустить. Что сделать: KRaft-пресет ({kraft}) с --kafka {short} или этот пресет на Kafka "
              "3.9 (--kafka 3.9).",
    },
})

# preset -> (mode, zookeepers, brokers, controllers)
PRESETS: dict[str, tuple[str, int, int, int]] = {
    "single": ("zookeeper", 1, 1, 0),
    "three-brokers": ("zookeeper", 1, 3, 0),
    "zk-ensemble": ("zookeeper", 3, 3, 0),
    "kraft": ("kraft", 0, 3, 3),  # a 3-controller quorum + 3 brokers
    "kraft-combined": ("kraft", 0, 3, 0),  # 3 nodes, each broker and controller
}
COMBINED_PRESETS = {"kraft-combined"}  # brokers that are controllers too (process.roles=broker,controller)
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
    combined: bool = False  # a KRaft broker that is a controller too (process.roles=broker,controller)
    controller_port: int = 0  # a combined node's CONTROLLER listener

    @property
    def is_controller(self) -> bool:
        """A KRaft quorum voter: a controller node, or a combined broker."""
        return self.role == "controller" or self.combined

    @property
    def quorum_port(self) -> int:
        """The port of this voter's CONTROLLER listener."""
        return self.port if self.role == "controller" else self.controller_port

    @property
    def preferred_controller_port(self) -> int:
        return 19091 + self.id

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
    kafka: str = KAFKA_VERSION  # the Kafka version the nodes run: 3.9.1 or 4.x
    combined: bool = False  # brokers are controllers too (kraft-combined)

    @classmethod
    def from_preset(cls, preset: str = DEFAULT_PRESET, name: str = DEFAULT_NAME, kafka: str | None = None,
                    **overrides) -> "ClusterSpec":
        """kafka: '3.9' or '4' (None: KAFKALAB_KAFKA, else 3.9); a ZooKeeper preset on 4.x is refused."""
        if preset not in PRESETS:
            raise KafkaLabError("preset_unknown", preset=preset, presets=", ".join(PRESETS))
        version = resolve_version(kafka)
        mode, zks, brokers, controllers = PRESETS[preset]
        if mode == "zookeeper" and major(version) >= 4:
            raise KafkaLabError("kafka4_no_zookeeper", version=version, preset=preset, short=short_version(version),
                                kraft=", ".join(p for p, v in PRESETS.items() if v[0] == "kraft"))
        spec = cls(name=name, preset=preset, mode=mode, zookeepers=zks, brokers=brokers,
                   controllers=controllers, kafka=version, combined=preset in COMBINED_PRESETS, **overrides)
        spec.nodes = spec.planned_nodes()
        return spec

    def planned_nodes(self) -> list[NodeSpec]:
        nodes = [NodeSpec(f"zookeeper-{i}", "zookeeper", i) for i in range(1, self.zookeepers + 1)]
        nodes += [NodeSpec(f"controller-{i}", "controller", CONTROLLER_ID_BASE + i)
                  for i in range(1, self.controllers + 1)]
        nodes += [NodeSpec(f"broker-{i}", "broker", i, combined=self.combined) for i in range(self.brokers)]
        return nodes

    def voters(self) -> list[NodeSpec]:
        """The KRaft controller quorum's voters (controller nodes, or combined brokers)."""
        return [n for n in self.nodes if n.is_controller]

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


def assign_ports(spec: ClusterSpec, reserved: set[int] = frozenset(), is_free=port_is_free,
                 holder=lambda port: None) -> list[str]:
    """Give every node its notes' port when free, else a free one; return the messages saying so.

    `reserved` holds ports of other kafkalab clusters, which may be stopped but will come back;
    `holder(port)` names the kafkalab cluster that holds a port, if one does.
    """
    messages: list[str] = []
    used: set[int] = set(reserved)
    patience = time.monotonic() + 2.0  # a port of a cluster removed a moment ago may still be closing

    def preferred_free(port: int) -> bool:
        try:
            return wait_for(lambda: is_free(port), max(0.0, patience - time.monotonic()), f"port {port}",
                            every=0.1)[0]
        except TimeoutError:
            return False

    def take(preferred: int, node: str) -> int:
        if preferred not in used and preferred_free(preferred):
            port = preferred
        else:
            port = _free_port(used, is_free)
            cluster = holder(preferred)
            messages.append(t("port_held_by_cluster", port=preferred, node=node, new=port, cluster=cluster)
                            if cluster else t("port_taken", port=preferred, node=node, new=port))
        used.add(port)
        return port

    for node in spec.nodes:
        node.port = take(node.preferred_port, node.name)
        if node.combined:
            node.controller_port = take(node.preferred_controller_port, node.name)
        if node.role == "zookeeper" and spec.zookeepers > 1:
            node.quorum_ports = (take(2887 + node.id, node.name), take(3887 + node.id, node.name))
    return messages
