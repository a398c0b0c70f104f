"""The docker engine: each node in its own container on one testcontainers ``Network`` per cluster.

The containers run the same Java main classes with the same rendered files as the local engine. The
cluster's folder is bind-mounted at the *same* path inside every container, so data folders, logs and
config paths read identically on the host and in a container (``cluster.data_dir``, ``kafka-dump-log``
and ``down`` work as with the local engine). Brokers have two listeners: INTERNAL (``broker-N:19092``,
replication) and EXTERNAL (advertised as ``127.0.0.1:<host port>``, published on the host's loopback).

No Ryuk here (its image may not be pullable; TESTCONTAINERS_RYUK_DISABLED=false asks for it), so cleanup
is ours: every container and network carries the labels ``kafkalab.cluster`` and ``kafkalab.home``;
``remove`` and ``sweep`` delete by label.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
from pathlib import Path

from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer
from testcontainers.core.network import Network

from ... import cds, distribution
from ...errors import KafkaLabError
from ...i18n import register
from ...java import java_command
from ..configs import Placement
from ..spec import NodeSpec
from . import host
from .base import (JVM_OPTS, RESOURCES, STOP_TIMEOUT, Engine, JavaStep, Site, log4j_config, node_program,
                   owner_exists, prepare_node_folders)
from .docker_image import CONTAINER_LIBS, build_image, container_libs, image_versions, resolve_image  # noqa: F401

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
    "docker_pause_failed": {
        "en": "Docker could not freeze {node}'s container ({attempts} tries: the machine is too busy for the "
              "container's threads to stop in time); {node} runs on. Try again when the machine is less busy. "
              "Docker said: {error}",
        "ru": "Docker не смог заморозить контейнер {node} ({attempts} попыток: машина слишком занята, и потоки "
              "контейнера не успевают остановиться); {node} работает дальше. Попробуйте снова, когда машина "
              "будет менее занята. Ответ Docker: {error}",
    },
})
# runc gives up freezing a container whose threads do not stop in time on a busy machine ("unable to
# freeze"; it thaws them and the container runs on): a pause is asked for this many times
PAUSE_ATTEMPTS = 5

LABEL_CLUSTER = "kafkalab.cluster"
LABEL_HOME = "kafkalab.home"
LABEL_CREATED = "kafkalab.created"
_image_ids: dict[str, str] = {}
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


def _no_ryuk() -> None:
    """Cleanup is by label (see above), so no Ryuk container unless TESTCONTAINERS_RYUK_DISABLED says so."""
    if os.environ.get("TESTCONTAINERS_RYUK_DISABLED") is None:
        testcontainers_config.ryuk_disabled = True


@contextlib.contextmanager
def _port_taken(site: Site, node: NodeSpec):
    """Docker's 'port is already allocated' (another program took the port since it was chosen) as our error."""
    try:
        yield
    except Exception as err:
        if "already allocated" in str(err) or "address already in use" in str(err):
            raise KafkaLabError("port_in_use_start", node=node.name, port=node.port, name=site.name) from err
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

    def cluster_facts(self) -> dict:
        return {"docker_image": resolve_image()}  # kept: the cluster's nodes all run this one

    def placement(self, site: Site) -> Placement:
        return DockerPlacement(str(site.data_root()))

    # --- names ---------------------------------------------------------------------------------------
    def _container_name(self, site: Site, node: NodeSpec) -> str:
        return f"kafkalab-{_home_tag(site.home)}-{site.name}-{node.name}"

    def _container(self, site: Site, node: NodeSpec):
        """The node's container, or None."""
        import docker

        try:
            return _client().containers.get(self._container_name(site, node))
        except docker.errors.NotFound:
            return None

    def _network(self, site: Site) -> Network:
        """The cluster's network as a testcontainers Network, created on first use (a container joins
        a network by its name)."""
        labels = _labels(site.home, site.name)
        net = Network(docker_network_kw={"labels": labels})
        net.name = f"kafkalab-{_home_tag(site.home)}-{site.name}"
        return net if _client().networks.list(names=[net.name], filters=_filters(labels)) else net.create()

    # --- node control ----------------------------------------------------------------------------
    def _script(self, site: Site, node: NodeSpec) -> str:
        """The container's command: set-up steps, then `exec` the server, output in console.log."""
        program = node_program(node, str(site.config_path(node)), site.kraft_cluster_id, self.placement(site))
        logs = site.log_dir(node.name)
        version = site.kafka

        shared = self._server_archive_options(site, node)

        def argv(step: JavaStep, server: bool) -> str:
            return shlex.join(java_command(
                step.main, Path(container_libs(version)), heap=step.heap,
                jvm_opts=JVM_OPTS + (shared if server else []) + step.jvm_opts,
                args=step.args,
                java="java", log4j=log4j_config(version, server), logs_dir=logs if server else None))

        console = shlex.quote(str(logs / "console.log"))
        steps = [argv(s, server=False) for s in program.setup]
        steps.append("exec " + argv(program.server, server=True))
        return f"exec >>{console} 2>&1; " + " && ".join(steps)

    # --- class-data sharing: as the local engine, one archive per role, made for the image's own Java --------
    @staticmethod
    def _image_id(image: str) -> str:
        if image not in _image_ids:
            _image_ids[image] = _client().images.get(image).id
        return _image_ids[image]

    def _archive(self, site: Site, role: str) -> Path | None:
        if os.environ.get("KAFKALAB_CDS", "1") == "0" or role not in ("zookeeper", "broker", "controller"):
            return None
        return cds.docker_archive(self._image_id(site.image or resolve_image()), site.kafka, role)

    def _server_archive_options(self, site: Site, node: NodeSpec) -> list[str]:
        archive = self._archive(site, node.role)
        return cds.archive_options(archive) if archive else []

    def _build_archives(self, site: Site) -> None:
        """After `down`: the class lists the cluster's containers wrote become archives, each dumped by a
        throwaway container of the same image (its Java, its paths)."""
        image = site.image or resolve_image()
        mounts = ["-v", f"{cds.folder()}:{cds.folder()}"]
        if site.kafka not in image_versions(image):
            mounts += ["-v", f"{distribution.require(site.kafka).libs}:{container_libs(site.kafka)}:ro"]

        def dump(classlist: Path, partial: Path) -> list[str]:
            return ["docker", "run", "--rm", "--network", "none", "-u", f"{os.getuid()}:{os.getgid()}", *mounts,
                    "--label", LABEL_CLUSTER + "=" + site.name, "--label", f"{LABEL_HOME}={site.home}",
                    "--entrypoint", "java", image, "-Xshare:dump", f"-XX:SharedClassListFile={classlist}",
                    f"-XX:SharedArchiveFile={partial}", *cds.QUIET, "-cp", f"{container_libs(site.kafka)}/*"]

        for role in sorted({n.role for n in site.nodes}):
            archive = self._archive(site, role)
            if archive:
                cds.build_archive(archive, dump)

    def start_node(self, site: Site, node: NodeSpec) -> dict:
        existing = self._container(site, node)
        if existing is not None and existing.labels.get(LABEL_CREATED) == site.created:
            with _port_taken(site, node):
                existing.start()  # the same container again: its data is in the mounted folder anyway
            return {"container": existing.name, "id": existing.id}
        if existing is not None:  # left by an earlier cluster of the same name
            existing.remove(force=True)
        prepare_node_folders(site, node, self.placement(site))
        image = site.image or resolve_image()
        _no_ryuk()
        container = DockerContainer(
            image, name=self._container_name(site, node), command=["sh", "-c", self._script(site, node)],
            network=self._network(site), network_aliases=[node.name],
            labels={**_labels(site.home, site.name), LABEL_CREATED: site.created, "kafkalab.node": node.name},
            user=f"{os.getuid()}:{os.getgid()}", hostname=node.name, env={"HOME": "/tmp"},
            entrypoint=[], working_dir="/tmp", stop_signal="SIGTERM")
        container.ports[f"{published_port(node)}/tcp"] = ("127.0.0.1", node.port)
        container.with_volume_mapping(str(site.dir), str(site.dir), "rw")
        container.with_volume_mapping(str(RESOURCES), str(RESOURCES), "ro")
        if self._archive(site, node.role):  # its class list is written there, or its archive read
            cds.folder().mkdir(parents=True, exist_ok=True)
            container.with_volume_mapping(str(cds.folder()), str(cds.folder()), "rw")
        if site.kafka not in image_versions(image):  # an image built before 4.x was fetched: the host's jars
            container.with_volume_mapping(str(distribution.require(site.kafka).libs), container_libs(site.kafka), "ro")
        try:
            with _port_taken(site, node):
                container.start()
        except Exception:  # a half-made container must not stay
            self._remove_labelled({**_labels(site.home, site.name), "kafkalab.node": node.name})
            raise
        wrapped = container.get_wrapped_container()
        return {"container": wrapped.name, "id": wrapped.id}

    def freeze_node(self, site: Site, node: NodeSpec, frozen: bool) -> None:
        container = self._container(site, node)
        if container is None:
            return
        paused = self._state(container).get("Paused")
        if frozen and not paused:
            self._pause(container, node)
        elif paused and not frozen:
            container.unpause()

    def _pause(self, container, node: NodeSpec) -> None:
        import docker

        for _ in range(PAUSE_ATTEMPTS):
            try:
                container.pause()
                return
            except docker.errors.APIError as err:
                if "unable to freeze" not in str(err):
                    raise
                if self._state(container).get("Paused"):
                    return
                failed = err
        raise KafkaLabError("docker_pause_failed", node=node.name, attempts=PAUSE_ATTEMPTS,
                            error=str(failed.explanation or failed)[-300:]) from failed

    def stop_node(self, site: Site, node: NodeSpec, kill: bool = False) -> None:
        container = self._container(site, node)
        if container is None:
            return
        self.freeze_node(site, node, False)  # the daemon neither stops nor kills a paused container
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

    def alive(self, site: Site, node: NodeSpec) -> bool:
        container = self._container(site, node)
        return container is not None and container.status in ("running", "paused")

    def exit_code(self, site: Site, node: NodeSpec) -> int | None:
        container = self._container(site, node)
        if container is None or container.status in ("running", "paused"):
            return None
        return container.attrs.get("State", {}).get("ExitCode")

    # --- tools -----------------------------------------------------------------------------------
    def tool_command(self, site: Site, step: JavaStep) -> list[str]:
        """On the host when Java and Kafka are here (as the local engine), else `docker exec` in a broker."""
        try:
            host.check_available()  # Java and Kafka's jars on the host
            return host.tool_command(site, step, train=False)
        except KafkaLabError:
            pass
        running = [n for n in sorted(site.nodes, key=lambda n: n.role != "broker") if self.alive(site, n)]
        if not running:
            raise KafkaLabError("docker_nothing_runs", name=site.name)
        args = self._inside_addresses(site, step.args)
        argv = java_command(step.main, Path(container_libs(site.kafka)), heap=step.heap,
                            jvm_opts=JVM_OPTS + step.jvm_opts, args=args,
                            java="java", log4j=log4j_config(site.kafka, server=False))
        return ["docker", "exec", "-i", self._container_name(site, running[0]), *argv]

    def _inside_addresses(self, site: Site, args: list[str]) -> list[str]:
        """Host addresses (127.0.0.1:<host port>) -> the nodes' addresses on the cluster's network."""
        inside = {n.port: f"{n.name}:{DockerPlacement('').client_port(n)}" for n in site.nodes}
        pattern = re.compile(r"(?:localhost|127\.0\.0\.1):(\d+)")
        return [pattern.sub(lambda m: inside.get(int(m.group(1)), m.group(0)), a) for a in args]

    # --- cleanup ---------------------------------------------------------------------------------
    def remove(self, site: Site) -> None:
        self._remove_labelled(_labels(site.home, site.name))
        try:
            self._build_archives(site)
        except Exception:  # noqa: BLE001 (the daemon, the image, the disk): the next cluster starts without it
            pass

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
