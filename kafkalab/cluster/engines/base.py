"""The engine interface: what every engine (local, docker, external) does with a node.

An engine never decides *what* runs: :func:`node_program` says which Kafka main class runs with which
config file, and the engine only realises it (a JVM process, a container, or nothing for an external
cluster). An engine never sees the ``Cluster`` either: it is handed a :class:`Site` (where the cluster
lives, its nodes and their files, the facts engines reported before) and returns facts, which the
cluster keeps in its state.
"""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ...distribution import KAFKA_VERSION, major
from .. import state
from ..configs import Placement
from ..spec import NodeSpec

ZOOKEEPER_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
KAFKA_MAIN = "kafka.Kafka"
STORAGE_MAIN = "kafka.tools.StorageTool"

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
STOP_TIMEOUT = 30.0  # a node's clean shutdown, before SIGKILL
HEAPS = {"zookeeper": "128m", "broker": "256m", "controller": "192m"}
# Serial GC: on 2 cores with 256 MB heaps it needs far less memory than G1, pauses stay short.
JVM_OPTS = ["-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m",
            "-Xss512k", "-XX:+ExitOnOutOfMemoryError", "-Djava.net.preferIPv4Stack=true"]
# The C1 compiler only, for servers and short-lived helpers (storage format, quorum query). Measured on 2 cores
# (three-brokers, local): a helper takes about half the CPU of a default JVM start (1.3 s instead of 2.3 s for
# `kafka-storage format`); an idle cluster 3.9 CPU-seconds a minute instead of 5.4 (C2's tiers keep profiling
# code that an idle broker runs); 1,000,000 records of 500 B, acks=1, two runs: 51,700 and 46,600 records/s
# against 35,100 and 55,800 with both compilers, in 66 CPU-seconds instead of 84. Not for perf tools.
QUICK_JVM_OPTS = ["-XX:TieredStopAtLevel=1"]


@dataclass
class JavaStep:
    """One Java program: main class, its arguments and heap."""

    main: str
    args: list[str]
    heap: str = "128m"
    jvm_opts: list[str] = field(default_factory=list)  # extra JVM options of this program


@dataclass
class NodeProgram:
    """What a node runs: optional set-up steps (KRaft storage format), then its server."""

    server: JavaStep
    setup: list[JavaStep] = field(default_factory=list)


@dataclass(frozen=True)
class Site:
    """All an engine is told about a cluster. The folders inside the cluster's folder are named here
    and nowhere else: config/ (rendered files), data/ (log.dirs, dataDirs), logs/NODE/ (server.log,
    console.log)."""

    home: Path
    name: str
    kafka: str = KAFKA_VERSION
    nodes: tuple[NodeSpec, ...] = ()
    config_files: Mapping[str, str] = field(default_factory=dict)
    runtime: Mapping[str, dict] = field(default_factory=dict)  # per node: what start_node returned (pid, container)
    kraft_cluster_id: str | None = None
    created: str = ""
    image: str | None = None  # the docker engine's image, once chosen

    @property
    def dir(self) -> Path:
        return state.cluster_folder(self.home, self.name)

    @property
    def brokers(self) -> list[NodeSpec]:
        return [n for n in self.nodes if n.role == "broker"]

    def node(self, name: str) -> NodeSpec:
        return next(n for n in self.nodes if n.name == name)

    def config_dir(self) -> Path:
        return self.dir / "config"

    def config_path(self, node: NodeSpec) -> Path:
        return self.config_dir() / self.config_files[node.name]

    def data_root(self) -> Path:
        return self.dir / "data"

    def log_dir(self, node_name: str) -> Path:
        return self.dir / "logs" / node_name


def kafka_version(cluster) -> str:
    """The Kafka version a cluster's nodes run (clusters made before 4.x existed: 3.9.1)."""
    return getattr(getattr(cluster, "spec", None), "kafka", None) or KAFKA_VERSION


def log4j_config(version: str, server: bool) -> Path:
    """Our logging config: log4j 1.x syntax for Kafka 3.9, log4j2 for 4.x."""
    prefix = "log4j2" if major(version) >= 4 else "log4j"
    return RESOURCES / f"{prefix}-{'server' if server else 'tools'}.properties"


def storage_format_step(cluster_id: str, config_path: str) -> JavaStep:
    """`kafka-storage.sh format -t ID -c FILE --ignore-formatted` (the same class in 3.9 and 4.x). The
    quorum is static (controller.quorum.voters in FILE), so no --standalone / --initial-controllers."""
    return JavaStep(STORAGE_MAIN, ["format", "-t", cluster_id, "-c", config_path, "--ignore-formatted"], "64m",
                    QUICK_JVM_OPTS)


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as kafka-storage random-uuid).
    Like Kafka's Uuid.randomUuid, never one that starts with '-': `format -t -abc` reads it as an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def node_program(node: NodeSpec, config_path: str, kraft_cluster_id: str | None, place: Placement) -> NodeProgram:
    """The same main classes for every engine; only the config path differs (host or container)."""
    jit = list(QUICK_JVM_OPTS)
    if node.role == "zookeeper":
        return NodeProgram(JavaStep(ZOOKEEPER_MAIN, [config_path], HEAPS["zookeeper"], jit))
    server = JavaStep(KAFKA_MAIN, [config_path], HEAPS[node.role], jit)
    if kraft_cluster_id:
        return NodeProgram(server, [storage_format_step(kraft_cluster_id, config_path)])
    return NodeProgram(server)


def formatted(place: Placement, node: NodeSpec) -> bool:
    """Whether a KRaft node's storage is formatted (what `format --ignore-formatted` checks): its folder has
    meta.properties."""
    return (Path(place.data_dir(node)) / "meta.properties").is_file()


def prepare_node_folders(site: Site, node: NodeSpec, place: Placement) -> None:
    """The node's log folder, and for ZooKeeper its dataDir with the `myid` file an ensemble needs."""
    site.log_dir(node.name).mkdir(parents=True, exist_ok=True)
    if node.role == "zookeeper":
        data = Path(place.data_dir(node))
        data.mkdir(parents=True, exist_ok=True)
        (data / "myid").write_text(f"{node.id}\n")


def owner_exists(home: str, cluster: str) -> bool:
    """Whether the cluster a process or container was started for still has its state file."""
    return (state.cluster_folder(Path(home), cluster) / state.STATE_FILE).exists()


class Engine:
    """Realises nodes. Subclasses: LocalEngine, DockerEngine, ExternalEngine. Every method is given a
    Site (never the Cluster); start_node returns the facts to find the node again."""

    name = "base"
    tools_on_host = False  # its Kafka tools are JVMs of this machine (so a tool server may serve them)
    controls_nodes = True  # False for an external cluster: no start/stop/kill, no disk, no logs
    binds_host_ports = True  # its nodes listen on ports of this machine that kafkalab picks

    def check_available(self) -> None:
        """Raise KafkaLabError saying what is missing and how to fix it."""

    def check_kafka(self, version: str) -> None:
        """Raise KafkaLabError when this engine cannot run Kafka `version` (3.9.1, 4.x) here."""

    def adopt(self, spec) -> dict | None:
        """An existing cluster's engine makes `spec` describe it and returns what its state keeps;
        an engine that starts its own nodes returns None (kafkalab then picks the ports)."""
        return None

    def cluster_facts(self) -> dict:
        """What a new cluster's state keeps of this engine before its first node starts."""
        return {}

    def placement(self, site: Site) -> Placement:
        return Placement(str(site.data_root()))

    def prepare_nodes(self, site: Site, nodes: list[NodeSpec]) -> None:
        """Before `nodes` start: set-up work done for all of them at once, where the engine can (the local
        engine formats KRaft storage in one JVM). Each node's own set-up steps still run if this did not."""

    def start_node(self, site: Site, node: NodeSpec) -> dict:
        """Start `node` without waiting for it; return what finds it again (kept in the cluster's state)."""
        raise NotImplementedError

    def stop_node(self, site: Site, node: NodeSpec, kill: bool = False) -> None:
        """SIGTERM (kill=False, waits for a clean exit) or SIGKILL the node; its data stays."""
        raise NotImplementedError

    def freeze_node(self, site: Site, node: NodeSpec, frozen: bool) -> None:
        """Freeze the node (SIGSTOP, docker pause) or let it go on: frozen, it keeps its sockets, its sessions
        and its place in the ISR, and answers nothing."""
        raise NotImplementedError

    def alive(self, site: Site, node: NodeSpec) -> bool:
        raise NotImplementedError

    def exit_code(self, site: Site, node: NodeSpec) -> int | None:
        """The exit code of a node that has ended, if known."""
        return None

    def read_log(self, site: Site, node: NodeSpec, name: str = "server.log") -> str:
        """A node's log file ('' when there is none): every engine writes them in the cluster's folder."""
        path = site.log_dir(node.name) / name
        return path.read_text(errors="replace") if path.exists() else ""

    def tool_command(self, site: Site, step: JavaStep) -> list[str]:
        """argv that runs a Kafka CLI tool against the cluster, from the host."""
        raise NotImplementedError

    def remove(self, site: Site) -> None:
        """Remove every process/container of the cluster (its folder is removed by the caller)."""
        raise NotImplementedError

    @classmethod
    def sweep(cls, home) -> list[str]:
        """Remove whatever of this engine was left by clusters under `home` whose state is gone."""
        return []
