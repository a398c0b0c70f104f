"""Node configs: a ClusterSpec rendered into the notes' files (zookeeper.properties, server0.properties, ...).

A :class:`Placement` says where a node's data lives and how nodes and clients reach each other; the
local engine uses :class:`Placement` itself (everything on 127.0.0.1), the docker engine a subclass.
Everything else about the files is the same for every engine.
"""
from __future__ import annotations

from .spec import ClusterSpec, NodeSpec


class Placement:
    """Addresses and paths as the local engine sees them: one host, 127.0.0.1, folders under data_root."""

    def __init__(self, data_root: str):
        self.data_root = data_root.rstrip("/")

    def data_dir(self, node: NodeSpec) -> str:
        if node.role == "zookeeper":
            return f"{self.data_root}/zookeeper-{node.id}"
        if node.role == "controller":
            return f"{self.data_root}/kraft-controller-{node.id}"
        return f"{self.data_root}/kafka-logs-{node.id}"

    def peer_host(self, node: NodeSpec) -> str:
        """How other nodes reach `node`."""
        return "127.0.0.1"

    def client_port(self, node: NodeSpec) -> int:
        """The port `node` listens on for clients, inside its own host or container."""
        return node.port

    def controller_port(self, node: NodeSpec) -> int:
        """The port of a KRaft voter's CONTROLLER listener, inside its own host or container."""
        return node.quorum_port

    def quorum_ports(self, node: NodeSpec) -> tuple[int, int]:
        return node.quorum_ports or (2888, 3888)

    def bind_host(self, node: NodeSpec) -> str:
        return "127.0.0.1"

    def broker_listeners(self, node: NodeSpec) -> dict[str, str]:
        """listeners / advertised.listeners / protocol map / inter-broker listener of a broker."""
        address = f"{self.bind_host(node)}:{self.client_port(node)}"
        return {"listeners": f"PLAINTEXT://{address}",
                "advertised.listeners": f"PLAINTEXT://127.0.0.1:{node.port}",
                "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name": "PLAINTEXT"}


def file_name(spec: ClusterSpec, node: NodeSpec) -> str:
    """The notes' file names: zookeeper.properties and server.properties for one node of a kind."""
    if node.role == "zookeeper":
        return "zookeeper.properties" if spec.zookeepers == 1 else f"zookeeper{node.id}.properties"
    if node.role == "controller":
        return f"controller{node.id - 1000}.properties"
    return "server.properties" if spec.brokers == 1 else f"server{node.id}.properties"


def _lines(title: str, items: dict[str, object]) -> str:
    return "\n".join([f"# {title}", *(f"{key}={value}" for key, value in items.items())]) + "\n"


def zookeeper_config(spec: ClusterSpec, node: NodeSpec, place: Placement) -> str:
    items: dict[str, object] = {
        "dataDir": place.data_dir(node),
        "clientPort": place.client_port(node),
        "clientPortAddress": place.bind_host(node),
        "tickTime": 2000,
        "maxClientCnxns": 0,
        "admin.enableServer": "false",  # its web console would take port 8080
        "4lw.commands.whitelist": "ruok,srvr,stat,mntr,conf,dump",
    }
    if spec.zookeepers > 1:
        items.update({"initLimit": 10, "syncLimit": 5})
        for peer in spec.of_role("zookeeper"):
            quorum, election = place.quorum_ports(peer)
            items[f"server.{peer.id}"] = f"{place.peer_host(peer)}:{quorum}:{election}"
    return _lines(f"{node.name} of cluster '{spec.name}' (ZooKeeper, myid {node.id})", items)


def broker_config(spec: ClusterSpec, node: NodeSpec, place: Placement) -> str:
    brokers = spec.brokers
    items: dict[str, object] = {}
    if spec.mode == "kraft":
        items.update({"process.roles": "broker,controller" if node.combined else "broker", "node.id": node.id})
    else:
        items["broker.id"] = node.id
    items.update(place.broker_listeners(node))
    if node.combined:  # its own CONTROLLER listener beside the broker's (not advertised to clients)
        items["listeners"] += f",CONTROLLER://{place.bind_host(node)}:{place.controller_port(node)}"
    items["log.dirs"] = place.data_dir(node)
    if spec.mode == "kraft":
        items.update(_kraft_common(spec, place))
    else:
        items["zookeeper.connect"] = ",".join(f"{place.peer_host(z)}:{place.client_port(z)}"
                                              for z in spec.of_role("zookeeper"))
        # a killed broker's ZooKeeper session ends after this: failover in seconds, not 18 s
        items["zookeeper.session.timeout.ms"] = 6000
        items["zookeeper.connection.timeout.ms"] = 18000
    items.update({
        "num.partitions": 1,
        "default.replication.factor": 1,
        "offsets.topic.replication.factor": min(3, brokers),
        "offsets.topic.num.partitions": 10,
        "transaction.state.log.replication.factor": min(3, brokers),
        "transaction.state.log.min.isr": min(2, brokers),
        "group.initial.rebalance.delay.ms": 0,
        "replica.lag.time.max.ms": 10000,
        # retention is checked every 5 s (default 5 min), so the retention lesson can watch it work
        "log.retention.check.interval.ms": 5000,
        # deleted files go after 1 s, not 60 (the topic setting file.delete.delay.ms): a deleted topic's folders
        # (renamed *-delete) too, so a cluster started over in place shows its disks as a new one would
        "log.segment.delete.delay.ms": 1000,
        # the log manager's tasks (that deletion among them, retention checks) begin 1 s after start, not 30
        "log.initial.task.delay.ms": 1000,
        # small machine: fewer threads and a small cleaner buffer (128 MiB of heap by default)
        "num.network.threads": 2,
        "num.io.threads": 4,
        "background.threads": 4,
        "log.cleaner.threads": 1,
        "log.cleaner.dedupe.buffer.size": 8 * 1024 * 1024,
    })
    items.update({key: per_broker(value, node) for key, value in spec.broker_config.items()})
    id_key = "node.id" if spec.mode == "kraft" else "broker.id"
    return _lines(f"{node.name} of cluster '{spec.name}' ({id_key} {node.id})", items)


def per_broker(value: object, node: NodeSpec) -> object:
    """broker_config values may name the broker: '{id}' -> its id, '{port}' -> its client port
    (e.g. an extra listener per broker: 'SASL_PLAINTEXT://127.0.0.1:2939{id}')."""
    if not isinstance(value, str):
        return value
    return value.replace("{id}", str(node.id)).replace("{port}", str(node.port))


def controller_config(spec: ClusterSpec, node: NodeSpec, place: Placement) -> str:
    items: dict[str, object] = {
        "process.roles": "controller",
        "node.id": node.id,
        "listeners": f"CONTROLLER://{place.bind_host(node)}:{place.controller_port(node)}",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT",
        "log.dirs": place.data_dir(node),
        **_kraft_common(spec, place),
    }
    return _lines(f"{node.name} of cluster '{spec.name}' (KRaft controller, node.id {node.id})", items)


def _kraft_common(spec: ClusterSpec, place: Placement) -> dict[str, object]:
    # A static quorum (controller.quorum.voters): `kafka-storage format` needs neither --standalone nor
    # --initial-controllers then, and the same files work on Kafka 3.9 and 4.x.
    voters = ",".join(f"{c.id}@{place.peer_host(c)}:{place.controller_port(c)}" for c in spec.voters())
    return {"controller.quorum.voters": voters, "controller.listener.names": "CONTROLLER",
            # a killed broker is fenced after 6 s (default 9 s), as ZooKeeper mode's session timeout here
            "broker.session.timeout.ms": 6000, "broker.heartbeat.interval.ms": 1000}


RENDERERS = {"zookeeper": zookeeper_config, "broker": broker_config, "controller": controller_config}


def render(spec: ClusterSpec, place: Placement) -> dict[str, tuple[str, str]]:
    """node name -> (file name, file text) for every node of the spec."""
    return {node.name: (file_name(spec, node), RENDERERS[node.role](spec, node, place)) for node in spec.nodes}
