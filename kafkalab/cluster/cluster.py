"""A running cluster: spec -> node configs -> engine, readiness, node control, state on disk.

    cluster = up("three-brokers")          # returns when every broker is registered
    cluster.kill("broker-1"); cluster.start("broker-1")
    cluster.down()
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from .. import namespace, report
from ..errors import KafkaLabError
from ..i18n import t
from . import kraft, ports, probes, procs, state  # kraft: also its messages (kafka_mismatch)
from .configs import render
from .engines import choose_engine, engine_classes, get_engine
from .engines.base import Site, kafka_version, new_cluster_id
from .spec import DEFAULT_PRESET, ClusterSpec, NodeSpec, assign_ports, port_is_free

READY_TIMEOUT = float(os.environ.get("KAFKALAB_READY_TIMEOUT", "120"))
OFFSETS_TOPIC = "__consumer_offsets"
WARM_UP_GROUP = "kafkalab-warm-up"  # looked up, never joined: the lookup makes a broker create OFFSETS_TOPIC
log = logging.getLogger("kafkalab.cluster")
_current: str | None = None  # the cluster up() or attach() gave last in this process


class Cluster:
    """A cluster known on disk by its name; every method works from any process."""

    def __init__(self, name: str, data: dict):
        self.name = name
        self.state = data
        self.spec = ClusterSpec.from_dict(data["spec"])
        self.engine = get_engine(data["engine"])
        self.home = state.home_dir()
        self.dir = state.cluster_dir(name)
        # an external cluster's settings, read once (the grader then reads files with a student's rights)
        self.pinned_connection = None
        self.pinned_tool_config = None

    # --- identity and addresses ---------------------------------------------------------------
    @classmethod
    def load(cls, name: str) -> "Cluster":
        """The cluster `name` from its state file; 'state_corrupt' when that file does not make sense."""
        data = state.load(name)
        try:
            cluster = cls(name, data)
            if not cluster.nodes:
                raise ValueError("no nodes")
            for n in cluster.nodes:
                if not isinstance(data["config_files"].get(n.name), str):
                    raise KeyError(n.name)
        except KafkaLabError as err:
            if err.key not in ("engine_unknown", "engine_unavailable"):
                raise
            raise KafkaLabError("state_corrupt", name=name, path=state.state_file(name),
                                why=t("state_why_bad_value", error=err)) from err
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise KafkaLabError("state_corrupt", name=name, path=state.state_file(name),
                                why=t("state_why_bad_value", error=f"{type(err).__name__}: {err}")) from err
        return cluster

    @property
    def runtime(self) -> dict:
        return self.state.setdefault("runtime", {})

    @property
    def site(self) -> Site:
        """All the engine is told of this cluster, as it is now."""
        return Site(home=self.home, name=self.name, kafka=kafka_version(self), nodes=tuple(self.nodes),
                    config_files=dict(self.state.get("config_files") or {}), runtime=dict(self.runtime),
                    kraft_cluster_id=self.state.get("kraft_cluster_id"),
                    created=str(self.state.get("created", "")), image=self.state.get("docker_image"))

    def save(self) -> None:
        self.state["spec"] = self.spec.to_dict()
        state.save(self.name, self.state)

    @property
    def mode(self) -> str:
        return self.spec.mode

    @property
    def nodes(self) -> list[NodeSpec]:
        return list(self.spec.nodes)

    @property
    def brokers(self) -> list[NodeSpec]:
        return self.spec.of_role("broker")

    @property
    def bootstrap_servers(self) -> str:
        """Comma-separated host:port of every broker, for clients and tools."""
        return self.state.get("bootstrap") or ",".join(f"{b.host}:{b.port}" for b in self.brokers)

    @property
    def zookeeper_connect(self) -> str | None:
        zks = self.spec.of_role("zookeeper")
        return ",".join(f"{z.host}:{z.port}" for z in zks) or self.state.get("zookeeper")

    def node(self, name: str) -> NodeSpec:
        return self.spec.node(name)

    def config_path(self, node: NodeSpec | str) -> Path:
        return self.site.config_path(self.node(node) if isinstance(node, str) else node)

    def config(self, node: str) -> str:
        """The node's rendered .properties file, as the notes show them."""
        return self.config_path(node).read_text()

    def data_dir(self, node: str) -> Path:
        """The node's data folder on this machine (log.dirs of a broker, dataDir of ZooKeeper)."""
        if not self.engine.controls_nodes:
            raise KafkaLabError("external_no_disk", name=self.name, node=node)
        return Path(self.engine.placement(self.site).data_dir(self.node(node)))

    def exists(self) -> bool:
        """Whether the cluster is still there (not removed by `down`, here or in another process)."""
        return state.state_file(self.name).exists()

    # --- status ---------------------------------------------------------------------------------
    def alive(self, node: str | NodeSpec) -> bool:
        """Whether the node's process or container runs (see service() for whether it serves)."""
        return self.engine.alive(self.site, self.node(node) if isinstance(node, str) else node)

    def service(self, node: str | NodeSpec) -> str:
        """'serving'; 'down' (no process); 'not_serving' (ZooKeeper runs but has no quorum); or
        'no_answer' (the process runs, its port does not answer yet)."""
        node = self.node(node) if isinstance(node, str) else node
        if not self.alive(node):
            return "down"
        if node.role == "zookeeper":
            serving = probes.zookeeper_serving(node.host, node.port)
            return {True: "serving", False: "not_serving", None: "no_answer"}[serving]
        return "serving" if probes.tcp_open(node.host, node.port) else "no_answer"

    def status(self, quorum: bool = True) -> dict:
        """The `kafkalab status --json` object: each node's process (alive) and service; for a KRaft
        cluster also its controller quorum (voters, leader, epoch, lag; see kafkalab.cluster.kraft)."""
        nodes = []
        for n in self.nodes:
            service = self.service(n)
            nodes.append({"name": n.name, "role": n.role, "id": n.id, "host": n.host, "port": n.port,
                          "alive": service != "down", "serving": service == "serving", "service": service})
        info = {
            "name": self.name, "engine": self.engine.name, "mode": self.mode, "kafka": self.spec.kafka,
            "bootstrap_servers": self.bootstrap_servers, "zookeeper_connect": self.zookeeper_connect,
            "nodes": nodes,
        }
        if quorum and self.mode == "kraft" and any(n["alive"] for n in nodes):
            info["quorum"] = self.quorum()
        return info

    # --- KRaft ----------------------------------------------------------------------------------
    def quorum(self, timeout: float = 30.0) -> dict:
        """The KRaft controller quorum: leader, epoch, voters with their lag ({'error': ...} without answer)."""
        from . import kraft

        return kraft.describe_quorum(self, timeout)

    def storage_format_commands(self) -> str:
        """The `kafka-storage.sh random-uuid` / `format -t ID -c FILE` commands this KRaft cluster's nodes
        were formatted with (kept in config/format-storage.sh)."""
        from . import kraft

        return kraft.format_commands(self)

    def __repr__(self) -> str:
        return f"<Cluster {self.name!r} {self.spec.preset} engine={self.engine.name} bootstrap={self.bootstrap_servers}>"

    def _repr_html_(self) -> str:
        info = self.status(quorum=False)  # no JVM tool run at each display
        marks = {"serving": "&#x1F7E2; ", "down": "&#x1F534; "}
        rows = "".join(
            f"<tr><td>{n['name']}</td><td>{n['role']}</td><td>{n['id']}</td><td>{n['host']}:{n['port']}</td>"
            f"<td>{marks.get(n['service'], '&#x1F7E1; ') + service_text(n['service'])}</td></tr>"
            for n in info["nodes"])
        head = t("status_header", name=self.name, engine=self.engine.name, mode=self.mode,
                 bootstrap=self.bootstrap_servers)
        return f"<p><b>{head}</b></p><table>{rows}</table>"

    # --- logs -----------------------------------------------------------------------------------
    def logs(self, node: str, lines: int | None = None, file: str = "server.log") -> str:
        """The node's server.log (or controller.log, state-change.log, console.log); `lines`: only the last ones."""
        text = self.engine.read_log(self.site, self.node(node), file)
        return "\n".join(text.splitlines()[-lines:]) if lines else text

    def _tail(self, node: NodeSpec, lines: int = 15) -> str:
        text = self.engine.read_log(self.site, node, "server.log") + self.engine.read_log(self.site, node, "console.log")
        interesting = [ln for ln in text.splitlines() if " ERROR " in ln or "Exception" in ln or "Error" in ln]
        return "\n".join((interesting or text.splitlines())[-lines:])

    # --- node control ---------------------------------------------------------------------------
    def _controllable(self, action: str) -> None:
        if not self.engine.controls_nodes:
            raise KafkaLabError("external_no_control", name=self.name, action=action)

    def stop(self, node: str) -> None:
        """Stop a node gracefully (SIGTERM); its data stays, `start` brings it back."""
        self._controllable("stop")
        self.engine.stop_node(self.site, self.node(node), kill=False)
        report.say(t("node_stopped", node=node))

    def kill(self, node: str) -> None:
        """Kill a node at once (SIGKILL), as a crash would (the page cache survives: not a power cut)."""
        self._controllable("kill")
        self.engine.stop_node(self.site, self.node(node), kill=True)
        report.say(t("node_killed", node=node))

    def pause(self, node: str) -> None:
        """Freeze a node (SIGSTOP, docker pause) as a long GC pause or a stuck disk would: it keeps its
        connections and, for replica.lag.time.max.ms, its place in the ISR, but answers nothing until `resume`."""
        self._controllable("pause")
        self.engine.freeze_node(self.site, self.node(node), True)
        report.say(t("node_paused", node=node))

    def resume(self, node: str) -> None:
        """Let a paused node go on where it stopped."""
        self._controllable("resume")
        self.engine.freeze_node(self.site, self.node(node), False)
        report.say(t("node_resumed", node=node))

    def start(self, node: str | None = None, timeout: float = READY_TIMEOUT) -> None:
        """Start a stopped node with its data (or every stopped node) and wait until it serves."""
        self._controllable("start")
        targets = [self.node(node)] if node else self.nodes
        dead = [n for n in targets if not self.alive(n)]
        if node and not dead:
            report.say(t("node_already_running", node=node))
            return
        expected = [n for n in self.nodes if n in dead or self.alive(n)]
        self._start_nodes(dead)
        self.wait_ready(timeout, expected)
        for n in dead:
            report.say(t("node_started", node=n.name))

    def restart(self, node: str) -> None:
        self.stop(node)
        self.start(node)

    def _start_nodes(self, nodes: list[NodeSpec]) -> None:
        for n in nodes:
            if self.engine.binds_host_ports and not port_is_free(n.port):
                raise KafkaLabError("port_in_use_start", node=n.name, port=n.port, name=self.name)
        self._wait_registrations_expired([n for n in nodes if n.role == "broker"])
        self.engine.prepare_nodes(self.site, nodes)
        for n in sorted(nodes, key=lambda n: n.role == "broker"):  # ZooKeeper and controllers first
            self.runtime[n.name] = self.engine.start_node(self.site, n)
        self.save()

    def _wait_registrations_expired(self, brokers: list[NodeSpec], timeout: float = 20.0) -> None:
        """A killed broker stays registered in ZooKeeper until its session times out (6 s here);
        starting it before that fails with NodeExists, so wait until ZooKeeper has let it go."""
        if self.mode != "zookeeper" or not brokers:
            return
        paths = [f"/brokers/ids/{b.id}" for b in brokers]
        from ..waiting import wait_for

        def released() -> bool:
            dumps = [probes.four_letter(z.host, z.port, "dump") for z in self.spec.of_role("zookeeper")
                     if self.alive(z)]
            return not any(path in line.split() for d in dumps for line in d.splitlines() for path in paths)

        try:
            wait_for(released, timeout, f"ZooKeeper to let {', '.join(paths)} go")
        except TimeoutError:
            pass  # the broker's own start-up then says NodeExists, in its log

    # --- readiness ------------------------------------------------------------------------------
    def wait_ready(self, timeout: float = READY_TIMEOUT, nodes: list[NodeSpec] | None = None) -> float:
        """Wait until `nodes` (default: the running ones) serve: ZooKeeper answers `srvr`, brokers
        are registered; KafkaLabError with the log's tail when one of them exits instead. A broker whose
        ZooKeeper session expired before it registered (a busy machine) is started once more, with a word."""
        if not self.engine.controls_nodes:
            return self._wait_connected(timeout)
        from ..waiting import wait_for

        expected = nodes if nodes is not None else [n for n in self.nodes if self.alive(n)]
        waiting = [""]
        started_again: set[str] = set()

        def ready() -> bool:
            for n in expected:
                if not self.alive(n):
                    if n.name not in started_again and self._lost_session_at_start(n):
                        started_again.add(n.name)  # once: a second loss says the machine cannot keep up
                        report.say(t("broker_lost_session_at_start", node=n.name))
                        self._start_nodes([n])
                        return False
                    self.state.setdefault("failed", []).append(n.name)
                    raise KafkaLabError("node_exited", node=n.name, code=self.engine.exit_code(self.site, n),
                                        log=self.site.log_dir(n.name) / "server.log", tail=self._tail(n))
            waiting[0] = self._not_ready(expected)
            return not waiting[0]

        try:
            return wait_for(ready, timeout, f"cluster {self.name} to serve", every=0.15, retry_on=())[1]
        except TimeoutError as err:
            raise KafkaLabError("not_ready", name=self.name, seconds=int(timeout), what=waiting[0]) from err

    def _lost_session_at_start(self, node: NodeSpec) -> bool:
        """Whether a ZooKeeper-mode broker's last start ended because its ZooKeeper session expired."""
        return node.role == "broker" and self.mode == "zookeeper" and \
            probes.session_expired_at_start(self.engine.read_log(self.site, node, "server.log"))

    def _wait_connected(self, timeout: float) -> float:
        """A cluster kafkalab does not run: connect with its settings (unreachable, a refused login or a
        TLS failure in words) and note the brokers it has."""
        from .connection import of_cluster, probe

        began = time.monotonic()
        self.runtime["brokers"] = probe(of_cluster(self), timeout=min(timeout, 15.0))["brokers"]
        return time.monotonic() - began

    def _not_ready(self, nodes: list[NodeSpec]) -> str:
        """'' when `nodes` all serve, else what is still awaited."""
        for n in nodes:
            if n.role == "zookeeper" and not probes.zookeeper_mode(n.host, n.port):
                return t("waiting_zookeeper", node=n.name)
            if n.role != "zookeeper" and not probes.tcp_open(n.host, n.port):
                return f"{n.name} {n.host}:{n.port}"
        brokers = {n.id for n in nodes if n.role == "broker"}
        if not brokers:
            return ""
        meta = probes.cluster_metadata(",".join(f"{b.host}:{b.port}" for b in self.brokers
                                                if b.id in brokers))
        seen = meta[0] if meta else set()
        if not (meta and brokers <= seen and meta[1] is not None):
            return t("waiting_brokers", seen=sorted(seen), expected=sorted(brokers))
        return self._topics_not_loaded([n for n in nodes if n.role == "broker"])

    def _topics_not_loaded(self, brokers: list[NodeSpec]) -> str:
        """With ZooKeeper, a restarted broker answers before the controller has sent it the topics
        (first the broker list, then the partitions): wait until it knows every topic on its disk."""
        if self.mode != "zookeeper" or not self.engine.controls_nodes:
            return ""
        for b in brokers:
            on_disk = probes.hosted_topics(self.data_dir(b.name))
            known = probes.topic_names(f"{b.host}:{b.port}") if on_disk else set()
            missing = on_disk - (known or set())
            if missing:
                return t("waiting_topics", node=b.name, topics=", ".join(sorted(missing)))
        return ""

    def _prepare_groups(self, timeout: float) -> float:
        """Multi-broker clusters: have the brokers create __consumer_offsets now, while every broker is
        alive (its replicas are chosen then, once), and wait until each of its partitions has a leader.
        Created on demand after a broker died, it would lack a replica (offsets.topic.replication.factor
        is 3) and no new consumer group could form. Returns the seconds it took."""
        if len(self.brokers) < 2 or not self.engine.controls_nodes:
            return 0.0
        from .handles import SafeConsumer

        from ..waiting import wait_for

        # A consumer with a group.id asks for its coordinator at once (FindCoordinator), and that makes a
        # broker create the topic with the brokers' offsets.topic.* settings. It never subscribes, so the
        # throwaway group never exists. (An AdminClient request waiting for a coordinator can abort the
        # process in librdkafka when it times out; a consumer's own lookups cannot.)
        consumer = SafeConsumer({**probes.quiet_client_config(self.bootstrap_servers), "group.id": WARM_UP_GROUP,
                             "enable.auto.commit": False})

        def ready() -> bool:
            consumer.poll(0.1)
            try:
                topic = consumer.list_topics(OFFSETS_TOPIC, timeout=3).topics.get(OFFSETS_TOPIC)
            except Exception:
                return False
            if not (topic is not None and topic.error is None and bool(topic.partitions)
                    and all(p.leader >= 0 for p in topic.partitions.values())):
                return False
            # the controller tells the brokers one by one: a client may ask any of them next
            return all(OFFSETS_TOPIC in (probes.topic_names(f"{b.host}:{b.port}") or ())
                       for b in self.brokers if self.alive(b))

        try:
            return wait_for(ready, timeout=max(timeout, 30.0), every=0.1)[1]
        except TimeoutError as err:
            raise KafkaLabError("not_ready", name=self.name, seconds=int(max(timeout, 30.0)),
                                what=t("waiting_offsets_topic")) from err
        finally:
            consumer.close()

    # --- clients and tools ----------------------------------------------------------------------
    def admin(self, **config):
        """A confluent-kafka AdminClient connected to this cluster (silent once the cluster is down)."""
        from . import clients

        return clients.admin(str(self.dir), self.name, {"bootstrap.servers": self.bootstrap_servers,
                                                        **self.client_settings(), **config},
                             namespace.prefix(self))

    def producer(self, **config):
        """A confluent-kafka Producer connected to this cluster; down() flushes it briefly and closes it."""
        from . import clients

        return clients.producer(str(self.dir), self.name,
                                {"bootstrap.servers": self.bootstrap_servers, **self.client_settings(), **config},
                                namespace.prefix(self))

    def consumer(self, group: str, **config):
        """A confluent-kafka Consumer in `group` (reads from the beginning unless told otherwise);
        down() closes it."""
        from . import clients

        return clients.consumer(str(self.dir), self.name,
                                {"bootstrap.servers": self.bootstrap_servers, **self.client_settings(),
                                 "group.id": namespace.name(group, self), "auto.offset.reset": "earliest", **config},
                                namespace.prefix(self))

    def client_settings(self) -> dict:
        """Security settings for confluent-kafka clients (SASL, TLS) of an external cluster, else {}."""
        from .connection import client_settings

        return client_settings(self)

    def create_topic(self, topic: str, partitions: int = 1, replication_factor: int = 1,
                     config: dict | None = None, timeout: float = 15.0) -> None:
        """Create a topic; a clear KafkaLabError when it exists, or when ZooKeeper or brokers are lost."""
        from confluent_kafka.admin import NewTopic

        from .connection import explain

        topic = namespace.name(topic, self)
        new = NewTopic(topic, partitions, replication_factor, config={k: str(v) for k, v in (config or {}).items()})
        admin = self.admin(**probes.quiet_client_config(self.bootstrap_servers))
        try:
            admin.create_topics([new], request_timeout=timeout)[topic].result(timeout=timeout + 5)
        except Exception as err:
            from .. import kafka_errors

            if not kafka_errors.is_kafka(err):
                raise
            if kafka_errors.topic_exists(err):
                raise KafkaLabError("topic_exists", topic=topic) from err
            text = str(err)
            from .kraft import no_quorum_error

            lost_quorum = no_quorum_error(self, topic)
            if lost_quorum is not None:
                raise lost_quorum from err
            zks = self.spec.of_role("zookeeper")  # before the generic reading: a lost quorum times out too
            alive = [z for z in zks if self.alive(z)]
            if zks and len(alive) < len(zks) // 2 + 1:
                raise KafkaLabError("zk_no_quorum", topic=topic, alive=len(alive), total=len(zks),
                                    need=len(zks) // 2 + 1) from err
            classified = explain(err, self, what=t("what_create_topic", topic=topic))
            if classified is not None:
                raise classified from err
            raise KafkaLabError("topic_create_failed", topic=topic, error=text.splitlines()[0][:300]) from err
        self._wait_topic_led(topic, timeout)

    def _wait_topic_led(self, topic: str, timeout: float) -> None:
        """Return once every partition of a new topic has a leader, and every live broker knows the
        topic: the controller tells the brokers one by one, and a client may ask any of them."""
        from .. import inspect
        from ..waiting import wait_for

        def known_everywhere() -> bool:
            try:
                if not all(p.leader is not None for p in inspect.describe_topic(self, topic).partitions):
                    return False
            except KafkaLabError:
                return False
            if not self.engine.controls_nodes:
                return True
            live = [b for b in self.brokers if self.alive(b)]
            return all(topic in (probes.topic_names(f"{b.host}:{b.port}") or ()) for b in live)

        try:
            wait_for(known_everywhere, timeout, t("what_topic_led", topic=topic), every=0.1)
        except TimeoutError:
            pass  # the caller's next question names what is missing

    def tool(self, tool: str, *args: str, input: str | None = None, timeout: float | None = None,
             echo: bool = True, idle_input: float | None = None):
        """Run one of Kafka's CLI tools (kafka-topics.sh ...) against this cluster; see kafkalab.tools.run_tool."""
        from ..tools import run_tool

        return run_tool(self, tool, list(args), input=input, timeout=timeout, echo=echo, idle_input=idle_input)

    # --- lifetime -------------------------------------------------------------------------------
    def down(self) -> None:
        """Stop every process or container of the cluster and delete its data."""
        with state.locked():
            self._remove()
        report.say(t("down_done", name=self.name))

    def _remove(self) -> None:
        """Clients of this process first, then processes or containers, then the folder (only if
        kafkalab marked it) and the ports."""
        from . import clients

        if self.engine.controls_nodes:
            self._resume_all()
        clients.close_all(str(self.dir))
        if self.engine.controls_nodes:
            self.engine.remove(self.site)
        else:  # a shared cluster: only the student's own topics and groups, and our tool server
            from .. import toolserver

            try:
                namespace.clear(self)
            finally:
                toolserver.end(self)
        _remove_folder(self.name)

    def _resume_all(self) -> list[NodeSpec]:
        """Let every paused node go on (a consumer leaving its group waits for its coordinator); return
        the running nodes."""
        alive = [n for n in self.nodes if self.alive(n)]
        for n in alive:
            self.engine.freeze_node(self.site, n, False)
        return alive

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        if self.dir.exists():
            self.down()


SERVICE_TEXTS = {"serving": "status_alive", "down": "status_dead", "not_serving": "status_not_serving",
                 "no_answer": "status_not_answering"}


def service_text(service: str) -> str:
    """A node's service state ('serving', 'down', ...) in words, in the current language."""
    return t(SERVICE_TEXTS[service])


def _remove_folder(name: str) -> None:
    """Release the cluster's ports and delete its folder; 'down_dir_kept' when the folder is not ours."""
    path = state.cluster_dir(name)
    ports.release(path)
    if not state.remove_dir(name):
        raise KafkaLabError("down_dir_kept", name=name, path=path, marker=state.MARKER)


def _docker_class():
    from .engines import _docker_engine_class

    return _docker_engine_class()


def _remove_remains(name: str) -> None:
    """Remove a cluster without trusting its state file: JVMs found by their markers (psutil),
    containers by their labels, then the folder if kafkalab marked it."""
    from . import clients

    home = state.home_dir()
    clients.close_all(str(state.cluster_dir(name)))
    procs.kill(procs.marked(home, name))
    docker = _docker_class()
    if docker is not None and docker.daemon_answers():
        docker().remove(Site(home, name))  # by its labels: home and name are all it needs
    _remove_folder(name)


def _remove_by_name(name: str) -> None:
    """Remove the cluster `name`, also when its state file is damaged (call under state.locked())."""
    try:
        cluster = Cluster.load(name)
    except KafkaLabError as err:
        if err.key != "state_corrupt":
            raise
        _remove_remains(name)
        return
    cluster._remove()


def _reserved_ports(except_name: str) -> set[int]:
    ports: set[int] = set()
    for other in state.names():
        if other == except_name:
            continue
        try:
            spec = Cluster.load(other).spec
        except KafkaLabError:
            continue
        for n in spec.nodes:
            ports.add(n.port)
            ports.update(n.quorum_ports or ())
            if n.controller_port:
                ports.add(n.controller_port)
    return ports


def _create(spec: ClusterSpec, engine_name: str) -> Cluster:
    """Ports, folder (with its marker), state file and node configs of a new cluster; no process yet."""
    owner = state.cluster_dir(spec.name)
    if (owner.exists() or owner.is_symlink()) and not state.is_ours(owner):
        raise KafkaLabError("cluster_dir_not_ours", path=owner, marker=state.MARKER)
    engine = get_engine(engine_name)
    engine.check_available()
    engine.check_kafka(spec.kafka)
    if owner.exists():
        _remove_remains(spec.name)  # a half-made or damaged cluster of this name: its processes too
    ports.release(owner)  # what an earlier cluster of this name held
    state.create_dir(spec.name)  # first: its marker keeps the ports reserved below until the state exists
    try:
        adopted = engine.adopt(spec)  # an external cluster: its brokers, no ports of ours
        said = [] if adopted is not None else assign_ports(
            spec, _reserved_ports(spec.name), is_free=lambda p: port_is_free(p) and ports.reserve(p, owner),
            holder=ports.holder_name)
    except BaseException:
        ports.release(owner)
        state.remove_dir(spec.name)
        raise
    for line in said:
        report.say(line)
    data = {"spec": spec.to_dict(), "engine": engine_name, "created": time.time(), "runtime": {},
            "config_files": {}, "course": os.environ.get("KAFKALAB_COURSE") == "1",
            **(adopted if adopted is not None else engine.cluster_facts())}
    if spec.mode == "kraft":
        data["kraft_cluster_id"] = new_cluster_id()
    state.save(spec.name, data)
    cluster = Cluster(spec.name, data)
    config_dir = cluster.site.config_dir()
    config_dir.mkdir(parents=True, exist_ok=True)
    for node_name, (file_name, text) in render(spec, engine.placement(cluster.site)).items():
        (config_dir / file_name).write_text(text)
        data["config_files"][node_name] = file_name
    cluster.save()
    if spec.mode == "kraft":
        from .kraft import write_format_script

        write_format_script(cluster)
    return cluster


def down_course() -> list[str]:
    """Remove every course cluster of this home (what scripts/start does when JupyterLab ends)."""
    removed = []
    for name in state.names():
        try:
            cluster = Cluster.load(name)
        except KafkaLabError:
            continue
        if cluster.state.get("course"):
            cluster.down()
            removed.append(name)
    return removed


def _one_course_cluster(name: str, say) -> None:
    """In the course (KAFKALAB_COURSE=1, set by scripts/start): one lesson cluster at a time. Every other
    course cluster of this home is removed first, so the lesson gets the notes' ports and the memory of
    one cluster. Clusters started outside the course are left alone."""
    for other in state.names():
        if other == name:
            continue
        try:
            cluster = Cluster.load(other)
        except KafkaLabError:
            continue
        if cluster.state.get("course") and cluster.engine.controls_nodes:
            cluster._remove()
            say(t("course_cluster_replaced", old=other, new=name))


def _reset_in_place(name: str, preset: str | None, kafka: str | None, broker_config: dict | None, engine: str,
                    timeout: float, say) -> Cluster | None:
    """`fresh` for a cluster of ours whose every node runs with the settings asked for: start its data over
    without restarting it (paused nodes resumed, this process's clients closed; every topic, consumer group,
    quota and dynamic broker setting deleted; the brokers' disks clear of them). None when it must be started
    anew: another spec or engine, a node that is down, or a reset that failed (then it says why)."""
    from . import clients
    from .reset import clear_settings, left_on_disk, wipe

    began = time.monotonic()
    with state.locked():
        if os.environ.get("KAFKALAB_COURSE") == "1":
            _one_course_cluster(name, say)
        if not state.state_file(name).exists():
            return None
        try:
            cluster = Cluster.load(name)
            wanted = ClusterSpec.from_preset(preset or DEFAULT_PRESET, name, kafka=kafka,
                                             broker_config=dict(broker_config or {}))
        except KafkaLabError:
            return None
        have = cluster.spec
        if not cluster.engine.controls_nodes or engine not in ("auto", cluster.engine.name) or \
                (have.preset, have.kafka, have.broker_config) != (wanted.preset, wanted.kafka, wanted.broker_config) or \
                [(n.name, n.role, n.id) for n in have.nodes] != [(n.name, n.role, n.id) for n in wanted.nodes]:
            return None
        if not all(cluster.alive(n) for n in cluster.nodes):
            return None  # a node to start: its disk would keep deleted topics' folders for 30 s, a new cluster is faster
        try:
            cluster._resume_all()
        except (KafkaLabError, TimeoutError) as err:
            say(t("reset_failed", name=name, error=err))
            return None
    try:
        cluster.wait_ready(timeout, cluster.nodes)
        clients.close_all(str(cluster.dir))  # now that every node serves: a consumer leaves its group at once
        topics, groups, left = wipe(cluster, lambda topic: not topic.startswith("__"))
        left_settings = clear_settings(cluster)
        if topics:  # a lesson may look at the disks next
            from ..waiting import wait_for

            wait_for(lambda: not left_on_disk(cluster, topics), max(10.0, timeout - (time.monotonic() - began)),
                     "the deleted topics' folders to go", every=0.1)
        cluster._prepare_groups(timeout - (time.monotonic() - began))
    except (KafkaLabError, TimeoutError) as err:
        say(t("reset_failed", name=name, error=err))
        return None
    what = t("reset_what", topics=len(topics), groups=len(groups))
    if left or left_settings:
        report.warn(t("reset_left", name=name, names=", ".join(sorted(left) + left_settings)))
    say(t("reset_done", name=name, what=what, seconds=time.monotonic() - began, bootstrap=cluster.bootstrap_servers))
    return cluster


def up(preset: str | None = None, name: str | None = None, engine: str = "auto", *, fresh: bool = False,
       ephemeral: bool = False, broker_config: dict | None = None, timeout: float = READY_TIMEOUT,
       quiet: bool = False, kafka: str | None = None) -> Cluster:
    """Start a cluster (or attach to the running one of that name) and return when it is ready.

    preset: single, three-brokers, zk-ensemble (ZooKeeper, Kafka 3.9 only), kraft (3 controllers +
    3 brokers), kraft-combined (3 broker+controller nodes). kafka: '3.9' (default) or '4' (KRaft only;
    KAFKALAB_KAFKA sets the default). fresh: start clean. A cluster of that name whose nodes all run with these
    settings starts over in place (its topics, consumer groups, quotas and dynamic broker settings deleted,
    paused nodes resumed, this process's clients closed); any other is removed first. ephemeral:
    remove the cluster when this Python process ends, even if it is killed.
    """
    global _current
    from ..distribution import resolve_version

    wanted_kafka = resolve_version(kafka) if kafka else None
    name = state.check_name(name if name is not None else state.default_name())
    say = (lambda *a: None) if quiet else report.say
    began = time.monotonic()
    reset = _reset_in_place(name, preset, kafka, broker_config, engine, timeout, say) if fresh else None
    if reset is not None:
        _current = name
        if ephemeral:
            _watch(reset)
        return reset
    for attempt in range(3):
        cluster, existing = None, True  # until known: a failure then touches nothing of an existing cluster
        try:
            with state.locked():
                if attempt == 0 and os.environ.get("KAFKALAB_COURSE") == "1":
                    _one_course_cluster(name, say)
                existing = state.state_file(name).exists()
                if existing and fresh:
                    _remove_by_name(name)
                    existing = False
                dead: list[NodeSpec] = []
                if existing:
                    cluster = Cluster.load(name)
                    if preset and preset != cluster.spec.preset:
                        raise KafkaLabError("preset_mismatch", name=name, existing=cluster.spec.preset,
                                            preset=preset)
                    if wanted_kafka and wanted_kafka != cluster.spec.kafka and cluster.engine.controls_nodes:
                        raise KafkaLabError("kafka_mismatch", name=name, existing=cluster.spec.kafka,
                                            wanted=wanted_kafka)
                    dead = [n for n in cluster.nodes if not cluster.alive(n)]
                    if dead and cluster.engine.controls_nodes:
                        say(t("restarting_dead", name=name, nodes=", ".join(n.name for n in dead)))
                        cluster._start_nodes(dead)
                    elif not dead:
                        say(t("attached", name=name, bootstrap=cluster.bootstrap_servers))
                else:
                    engine_name = choose_engine(engine, own=kafka is not None)
                    spec = ClusterSpec.from_preset(preset or DEFAULT_PRESET, name, kafka=kafka,
                                                   broker_config=dict(broker_config or {}))
                    if engine_name != "external" and engine == "auto" and \
                            os.environ.get("KAFKALAB_ENGINE") == "external":  # one's own, beside a shared cluster
                        say(t("own_beside_shared", kafka=spec.kafka, engine=engine_name))
                    say(t("starting", name=name, preset=spec.preset, engine=engine_name))
                    cluster = _create(spec, engine_name)
                    if ephemeral and cluster.engine.controls_nodes:
                        _watch(cluster)  # armed before the first node starts: an owner killed during up leaks nothing
                    cluster._start_nodes(cluster.nodes)
            cluster.wait_ready(timeout, cluster.nodes)
            if fresh and not cluster.engine.controls_nodes:  # a shared cluster: the student's data from before
                namespace.clear(cluster)
            cluster._prepare_groups(timeout - (time.monotonic() - began))
            break
        except BaseException as err:
            if not existing:
                if cluster is not None and cluster.engine.controls_nodes:
                    cluster.engine.remove(cluster.site)  # no half-started JVMs; the folder stays for its logs
                elif cluster is not None:  # external: a failed connection leaves nothing to attach to
                    _remove_folder(name)
                ports.release(state.cluster_dir(name))  # a failed cluster holds no port
            lost_port = isinstance(err, KafkaLabError) and (err.key == "port_in_use_start"
                                                            or "Address already in use" in str(err.values.get("tail")))
            if existing or not lost_port or attempt == 2:
                raise
            # another program took a port between our check and the node's bind: new ports, once more
            say(t("port_lost_retry", node=err.values["node"]))
            fresh = True
    _current = name
    if ephemeral and (existing or not cluster.engine.controls_nodes):
        _watch(cluster)
    if not existing or dead:
        say(t("ready", name=name, seconds=time.monotonic() - began, bootstrap=cluster.bootstrap_servers))
    return cluster


def _watch(cluster: Cluster) -> None:
    """A small process that removes the cluster when this one ends, however it ends."""
    env = {**os.environ, "KAFKALAB_HOME": str(cluster.home)}
    subprocess.Popen([sys.executable, "-m", "kafkalab.cluster.watchdog", str(os.getpid()), cluster.name],
                     env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def unnamed() -> str:
    """The cluster meant when none is named: KAFKALAB_CLUSTER; else, in the course (KAFKALAB_COURSE=1), the
    one course cluster there is (the lesson's, also for a terminal beside it); else 'kafkalab'."""
    if os.environ.get("KAFKALAB_CLUSTER") or os.environ.get("KAFKALAB_COURSE") != "1":
        return state.default_name()
    course = [c.name for c in clusters() if c.state.get("course")]
    return course[0] if len(course) == 1 else state.default_name()


def attach(name: str | None = None) -> Cluster:
    """The cluster `name` (default: see unnamed()) as started by any process."""
    global _current
    cluster = Cluster.load(state.check_name(name if name is not None else unnamed()))
    _current = cluster.name
    return cluster


def current(name: str | None = None) -> Cluster:
    """The cluster this process works with: `name`, else the last one up()/attach() gave, else unnamed()."""
    if name is None:
        name = _current or unnamed()
    return Cluster.load(state.check_name(name))


def clusters() -> list[Cluster]:
    """Every cluster of this KAFKALAB_HOME whose state is readable (see damaged() for the others)."""
    found = []
    for name in state.names():
        try:
            found.append(Cluster.load(name))
        except KafkaLabError:
            continue
    return found


def damaged() -> list[KafkaLabError]:
    """A 'state_corrupt' error for each cluster of this KAFKALAB_HOME whose state file is damaged."""
    found = []
    for name in state.names():
        try:
            Cluster.load(name)
        except KafkaLabError as err:
            if err.key == "state_corrupt":
                found.append(err)
    return found


def down(name: str | None = None, all: bool = False, all_homes: bool = False) -> list[str]:
    """Remove one cluster (also one whose state file is damaged), or every cluster of this
    KAFKALAB_HOME and what crashed ones left of it (all=True). all_homes=True also sweeps the
    leftovers of clusters of any home whose folder is gone."""
    if not all:
        name = state.check_name(name if name is not None else unnamed())
        try:
            cluster = Cluster.load(name)
        except KafkaLabError as err:
            if err.key != "state_corrupt":
                raise
            with state.locked():
                _remove_remains(name)
            report.say(t("down_done", name=name))
            return [name]
        cluster.down()
        return [name]
    removed, kept = [], []
    home = state.home_dir()
    with state.locked():
        for name_ in state.names():
            try:
                _remove_by_name(name_)
            except KafkaLabError as err:
                if err.key != "down_dir_kept":
                    raise
                kept.append(err)
                continue
            removed.append(name_)
            report.say(t("down_done", name=name_))
        _sweep(home, all_homes)
        ports.release(state.clusters_root())
        state.remove_root_if_empty()
    for err in kept:
        log.warning("%s", err)
    if not removed:
        report.say(t("down_nothing"))
    return removed


def _sweep(home, all_homes: bool) -> None:
    """Processes and containers left under `home` (any home's orphans too when `all_homes`)."""
    if all_homes:
        for engine_cls in engine_classes():
            engine_cls.sweep(home)
        return
    procs.kill(procs.marked(home))
    docker = _docker_class()
    if docker is not None and docker.daemon_answers():
        from .engines.docker import _labels

        docker._remove_labelled(_labels(home))
