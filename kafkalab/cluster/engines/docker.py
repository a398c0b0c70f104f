"""The docker engine: each node in its own container on one testcontainers ``Network`` per cluster.

The containers run the same Java main classes with the same rendered files as the local engine. The
cluster's folder is bind-mounted at the *same* path inside every container, so data folders, logs and
config paths read identically on the host and in a container (``cluster.data_dir``, ``kafka-dump-log``
and ``down`` work as with the local engine). Brokers have two listeners: INTERNAL (``broker-N:19092``,
replication) and EXTERNAL (advertised as ``127.0.0.1:<host port>``, published on the host's loopback).

No Ryuk here (its image may not be pullable), so cleanup is ours: every container and network carries
the labels ``kafkalab.cluster`` and ``kafkalab.home``; ``remove`` and ``sweep`` delete by label.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
from pathlib import Path

# This sandbox and many CI machines: the Ryuk image cannot be pulled, and /.dockerenv makes
# testcontainers talk to the bridge gateway. Both must be set before testcontainers reads them.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")

from testcontainers.core.container import DockerContainer  # noqa: E402
from testcontainers.core.network import Network  # noqa: E402

from ...errors import KafkaLabError  # noqa: E402
from ...i18n import register  # noqa: E402
from ...java import java_command  # noqa: E402
from ..configs import Placement  # noqa: E402
from ..spec import NodeSpec  # noqa: E402
from ... import distribution  # noqa: E402
from .base import (JVM_OPTS, Engine, JavaStep, kafka_version, log4j_config, node_program,  # noqa: E402
                   owner_exists, prepare_node_folders)
from .docker_image import (CONTAINER_LIBS, build_image, container_libs, image_versions,  # noqa: E402,F401
                           resolve_image)
from .local import RESOURCES, STOP_TIMEOUT, LocalEngine  # noqa: E402

register({
    "docker_no_daemon": {
        "en": "The docker engine needs a running Docker daemon, and none answers (DOCKER_HOST or "
              "/var/run/docker.sock). Start Docker (Docker Desktop, or `sudo systemctl start docker`), "
              "or use the local engine: kafkalab up --engine local",
        "ru": "Движку docker нужен работающий демон Docker, но он не отвечает (DOCKER_HOST или "
              "/var/run/docker.sock). Запустите Docker (Docker Desktop или `sudo systemctl start docker`) "
              "либо используйте локальный движок: kafkalab up --engine local",
    },
    "docker_nothing_runs": {
        "en": "No container of cluster '{name}' is running, so the tool has nowhere to run. "
              "Start the cluster again: kafkalab up --name {name}",
        "ru": "Ни один контейнер кластера '{name}' не запущен, инструменту негде выполниться. "
              "Запустите кластер снова: kafkalab up --name {name}",
    },
})

LABEL_CLUSTER = "kafkalab.cluster"
LABEL_HOME = "kafkalab.home"
LABEL_CREATED = "kafkalab.created"
# ports inside a container (each container has its own address, so they never clash)
ZOOKEEPER_PORT, BROKER_EXTERNAL_PORT, BROKER_INTERNAL_PORT, CONTROLLER_PORT = 2181, 9092, 19092, 9093
_client_cache = None


def _client():
    global _client_cache
    if _client_cache is None:
        import docker

        _client_cache = docker.from_env(timeout=60)
    return _client_cache


def _home_tag(home) -> str:
    return hashlib.sha1(str(home).encode()).hexdigest()[:8]


def _labels(home, cluster: str | None = None) -> dict[str, str]:
    labels = {LABEL_HOME: str(home)}
    if cluster:
        labels[LABEL_CLUSTER] = cluster
    return labels


def _filters(labels: dict[str, str]) -> dict:
    return {"label": [f"{k}={v}" for k, v in labels.items()]}


@contextlib.contextmanager
def _port_taken(cluster, node: NodeSpec):
    """Docker's 'port is already allocated' (another program took the port since it was chosen) as our error."""
    try:
        yield
    except Exception as err:
        if "already allocated" in str(err) or "address already in use" in str(err):
            raise KafkaLabError("port_in_use_start", node=node.name, port=node.port, name=cluster.name) from None
        raise


class DockerPlacement(Placement):
    """Nodes reach each other by network alias (the node name); data paths are the host's own."""

    def peer_host(self, node: NodeSpec) -> str:
        return node.name

    def client_port(self, node: NodeSpec) -> int:
        if node.role == "zookeeper":
            return ZOOKEEPER_PORT
        return CONTROLLER_PORT if node.role == "controller" else BROKER_INTERNAL_PORT

    def controller_port(self, node: NodeSpec) -> int:
        return CONTROLLER_PORT

    def quorum_ports(self, node: NodeSpec) -> tuple[int, int]:
        return (2888, 3888)

    def bind_host(self, node: NodeSpec) -> str:
        return "0.0.0.0"

    def broker_listeners(self, node: NodeSpec) -> dict[str, str]:
        return {"listeners": f"INTERNAL://0.0.0.0:{BROKER_INTERNAL_PORT},EXTERNAL://0.0.0.0:{BROKER_EXTERNAL_PORT}",
                "advertised.listeners": f"INTERNAL://{node.name}:{BROKER_INTERNAL_PORT},"
                                        f"EXTERNAL://127.0.0.1:{node.port}",
                "listener.security.protocol.map": "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name": "INTERNAL"}


def published_port(node: NodeSpec) -> int:
    """The container port that is published on 127.0.0.1:<node.port> of the host."""
    return {"zookeeper": ZOOKEEPER_PORT, "controller": CONTROLLER_PORT}.get(node.role, BROKER_EXTERNAL_PORT)


class DockerEngine(Engine):
    name = "docker"

    # --- availability ------------------------------------------------------------------------------
    @classmethod
    def daemon_answers(cls, timeout: float = 2.0) -> bool:
        """True when a Docker daemon answers within `timeout` seconds; never raises."""
        try:
            import docker

            client = docker.from_env(timeout=timeout)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except Exception:
            return False

    def check_available(self) -> None:
        if not self.daemon_answers(5):
            raise KafkaLabError("docker_no_daemon")
        resolve_image()

    def check_kafka(self, version: str) -> None:
        """Kafka `version` is in the image, or on the host to be mounted (`kafkalab fetch --kafka 4`)."""
        if version not in image_versions(resolve_image()):
            distribution.require(version)

    def placement(self, cluster) -> Placement:
        return DockerPlacement(str(cluster.dir / "data"))

    # --- names ---------------------------------------------------------------------------------------
    def _container_name(self, cluster, node: NodeSpec) -> str:
        return f"kafkalab-{_home_tag(cluster.home)}-{cluster.name}-{node.name}"

    def _container(self, cluster, node: NodeSpec):
        """The node's container, or None."""
        import docker

        try:
            return _client().containers.get(self._container_name(cluster, node))
        except docker.errors.NotFound:
            return None

    def _network(self, cluster) -> Network:
        """The cluster's network (created on first use), as a testcontainers Network."""
        net = Network(docker_network_kw={"labels": _labels(cluster.home, cluster.name)})
        net.name = f"kafkalab-{_home_tag(cluster.home)}-{cluster.name}"
        found = _client().networks.list(names=[net.name], filters=_filters(_labels(cluster.home, cluster.name)))
        net._network = found[0] if found else None
        return net if found else net.create()

    # --- node control ----------------------------------------------------------------------------
    def _script(self, cluster, node: NodeSpec) -> str:
        """The container's command: set-up steps, then `exec` the server, output in console.log."""
        program = node_program(node, str(cluster.config_path(node)), cluster.state.get("kraft_cluster_id"),
                               self.placement(cluster))
        logs = cluster.dir / "logs" / node.name
        version = kafka_version(cluster)

        def argv(step: JavaStep, server: bool) -> str:
            return shlex.join(java_command(
                step.main, Path(container_libs(version)), heap=step.heap, jvm_opts=JVM_OPTS + step.jvm_opts,
                args=step.args,
                java="java", log4j=log4j_config(version, server), logs_dir=logs if server else None))

        console = shlex.quote(str(logs / "console.log"))
        steps = [argv(s, server=False) for s in program.setup]
        steps.append("exec " + argv(program.server, server=True))
        return f"exec >>{console} 2>&1; " + " && ".join(steps)

    def start_node(self, cluster, node: NodeSpec) -> None:
        existing = self._container(cluster, node)
        created = str(cluster.state.get("created", ""))
        if existing is not None and existing.labels.get(LABEL_CREATED) == created:
            with _port_taken(cluster, node):
                existing.start()  # the same container again: its data is in the mounted folder anyway
            cluster.runtime[node.name] = {"container": existing.name, "id": existing.id}
            return
        if existing is not None:  # left by an earlier cluster of the same name
            existing.remove(force=True)
        prepare_node_folders(cluster, node, self.placement(cluster))
        image = cluster.state.get("docker_image") or resolve_image()
        cluster.state["docker_image"] = image
        container = DockerContainer(
            image, name=self._container_name(cluster, node), command=["sh", "-c", self._script(cluster, node)],
            network=self._network(cluster), network_aliases=[node.name],
            labels={**_labels(cluster.home, cluster.name), LABEL_CREATED: created, "kafkalab.node": node.name},
            user=f"{os.getuid()}:{os.getgid()}", hostname=node.name, env={"HOME": "/tmp"},
            entrypoint=[], working_dir="/tmp", stop_signal="SIGTERM")
        container.ports[f"{published_port(node)}/tcp"] = ("127.0.0.1", node.port)
        container.with_volume_mapping(str(cluster.dir), str(cluster.dir), "rw")
        container.with_volume_mapping(str(RESOURCES), str(RESOURCES), "ro")
        version = kafka_version(cluster)
        if version not in image_versions(image):  # an image built before 4.x was fetched: the host's jars
            container.with_volume_mapping(str(distribution.require(version).libs), container_libs(version), "ro")
        try:
            with _port_taken(cluster, node):
                container.start()
        except Exception:  # a half-made container must not stay
            self._remove_labelled({**_labels(cluster.home, cluster.name), "kafkalab.node": node.name})
            raise
        wrapped = container.get_wrapped_container()
        cluster.runtime[node.name] = {"container": wrapped.name, "id": wrapped.id}

    def stop_node(self, cluster, node: NodeSpec, kill: bool = False) -> None:
        container = self._container(cluster, node)
        if container is None:
            return
        if kill:
            if self._state(container).get("Running"):
                container.kill()
        else:
            container.stop(timeout=int(STOP_TIMEOUT))
        from ...waiting import wait_for

        try:
            wait_for(lambda: not self._state(container).get("Running"), 10, f"{node.name}'s container to stop",
                     every=0.05)
        except TimeoutError:
            pass

    @staticmethod
    def _state(container) -> dict:
        import docker

        try:
            container.reload()
        except docker.errors.NotFound:
            return {}
        return container.attrs.get("State", {})

    def alive(self, cluster, node: NodeSpec) -> bool:
        container = self._container(cluster, node)
        return container is not None and container.status == "running"

    def exit_code(self, cluster, node: NodeSpec) -> int | None:
        container = self._container(cluster, node)
        if container is None or container.status == "running":
            return None
        return container.attrs.get("State", {}).get("ExitCode")

    def read_log(self, cluster, node: NodeSpec, name: str = "server.log") -> str:
        path = cluster.dir / "logs" / node.name / name
        return path.read_text(errors="replace") if path.exists() else ""

    # --- tools -----------------------------------------------------------------------------------
    def tool_command(self, cluster, step: JavaStep) -> list[str]:
        """On the host when Java and Kafka are here (as the local engine), else `docker exec` in a broker."""
        try:
            LocalEngine().check_available()  # Java and Kafka's jars on the host
            return LocalEngine().tool_command(cluster, step)
        except KafkaLabError:
            pass
        running = [n for n in sorted(cluster.nodes, key=lambda n: n.role != "broker") if self.alive(cluster, n)]
        if not running:
            raise KafkaLabError("docker_nothing_runs", name=cluster.name)
        args = self._inside_addresses(cluster, step.args)
        version = kafka_version(cluster)
        argv = java_command(step.main, Path(container_libs(version)), heap=step.heap,
                            jvm_opts=JVM_OPTS + step.jvm_opts, args=args,
                            java="java", log4j=log4j_config(version, server=False))
        return ["docker", "exec", "-i", self._container_name(cluster, running[0]), *argv]

    def _inside_addresses(self, cluster, args: list[str]) -> list[str]:
        """Host addresses (127.0.0.1:<host port>) -> the nodes' addresses on the cluster's network."""
        inside = {n.port: f"{n.name}:{DockerPlacement('').client_port(n)}" for n in cluster.nodes}
        pattern = re.compile(r"(?:localhost|127\.0\.0\.1):(\d+)")
        return [pattern.sub(lambda m: inside.get(int(m.group(1)), m.group(0)), a) for a in args]

    # --- cleanup ---------------------------------------------------------------------------------
    def remove(self, cluster) -> None:
        self._remove_labelled(_labels(cluster.home, cluster.name))

    @classmethod
    def sweep(cls, home) -> list[str]:
        """Everything labelled with `home`, and orphans of any home whose cluster folder is gone."""
        if not cls.daemon_answers():
            return []
        removed = cls._remove_labelled(_labels(Path(home)))
        client = _client()
        for kind in (client.containers.list(all=True, filters={"label": LABEL_CLUSTER}),
                     client.networks.list(filters={"label": LABEL_CLUSTER})):
            for obj in kind:
                labels = obj.attrs.get("Labels") or obj.attrs.get("Config", {}).get("Labels") or {}
                if LABEL_HOME in labels and not owner_exists(labels[LABEL_HOME], labels[LABEL_CLUSTER]):
                    removed += cls._remove_labelled({LABEL_HOME: labels[LABEL_HOME],
                                                     LABEL_CLUSTER: labels[LABEL_CLUSTER]})
        return removed

    @staticmethod
    def _remove_labelled(labels: dict[str, str]) -> list[str]:
        import docker

        client = _client()
        removed = []
        for container in client.containers.list(all=True, filters=_filters(labels)):
            try:
                container.remove(force=True)
                removed.append(container.name)
            except docker.errors.NotFound:
                pass
        for network in client.networks.list(filters=_filters(labels)):
            try:
                network.remove()
                removed.append(network.name)
            except docker.errors.NotFound:
                pass
        return removed
