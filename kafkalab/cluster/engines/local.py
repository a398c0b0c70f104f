"""The local engine: each node a JVM process on this machine, running Kafka's own main classes (their
command lines, with the markers that find them again, come from `host`)."""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
from pathlib import Path

import psutil

from ... import cds, distribution
from ...errors import KafkaLabError
from ...i18n import register
from ...java import find_java
from ...waiting import wait_for
from .. import procs
from ..spec import NodeSpec
from . import host
from .base import (QUICK_JVM_OPTS, STOP_TIMEOUT, Engine, JavaStep, Site, formatted, node_program, owner_exists,
                   prepare_node_folders)

FORMAT_NODE = "storage-format"  # the -Dkafkalab.node marker and log folder of the batch that formats the nodes
register({
    "java_too_old_kafka4": {
        "en": "Kafka {kafka} needs Java 17 or newer; the Java found is {version} ({path}). Fix: install "
              "Java 17 (e.g. openjdk-17-jre-headless) and point JAVA_HOME at it, or run Kafka 3.9 (--kafka 3.9).",
        "ru": "Kafka {kafka} нужна Java 17 или новее; найдена Java {version} ({path}). Что сделать: "
              "установите Java 17 (например, openjdk-17-jre-headless) и укажите её в JAVA_HOME или "
              "запустите Kafka 3.9 (--kafka 3.9).",
    },
})
_children: dict[int, subprocess.Popen] = {}  # nodes this process started, so they are reaped, not zombies


def _running(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        return False
    try:
        return procs.alive(psutil.Process(pid))
    except psutil.Error:
        return False


def _cmdline(pid: int) -> list[str]:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []


def marked_pids(home: Path, cluster: str | None = None, node: str | None = None) -> list[int]:
    """PIDs of live processes carrying our markers (all clusters under `home`, or one cluster/node)."""
    return [p.pid for p in procs.marked(home, cluster, node)]


def _signal_and_wait(pids: list[int], sig: int, timeout: float) -> list[int]:
    """Send `sig` to each pid, wait up to `timeout` s; return those still running."""
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    try:
        wait_for(lambda: not any(_running(pid) for pid in pids), timeout, f"signal {sig} to end {pids}", every=0.05)
    except TimeoutError:
        pass
    return [pid for pid in pids if _running(pid)]


def _status(pid: int) -> str | None:
    try:
        return psutil.Process(pid).status()
    except psutil.Error:
        return None


class LocalEngine(Engine):
    name = "local"

    tools_on_host = True

    def check_available(self) -> None:
        host.check_available()

    def check_kafka(self, version: str) -> None:
        distribution.require(version)
        java, java_version = find_java()
        if distribution.major(version) >= 4 and java_version < 17:
            raise KafkaLabError("java_too_old_kafka4", path=java, version=java_version, kafka=version)

    def _setup_steps(self, site: Site, node: NodeSpec) -> list[JavaStep]:
        """The node's set-up steps still to do: none once its storage is formatted (as --ignore-formatted
        would decide, without a JVM start)."""
        place = self.placement(site)
        if formatted(place, node):
            return []
        return node_program(node, str(site.config_path(node)), site.kraft_cluster_id, place).setup

    def prepare_nodes(self, site: Site, nodes: list[NodeSpec]) -> None:
        """Format the KRaft nodes' storage in one JVM (the tool server's batch mode): one JVM start instead
        of one per node. Output in logs/storage-format/console.log; on any failure the nodes format
        themselves, and their own logs say what went wrong."""
        from ... import toolserver

        steps = [s for n in nodes for s in self._setup_steps(site, n)]
        java, java_version = find_java()
        classes = toolserver.class_dir(java, java_version) if len(steps) > 1 else None
        if classes is None:
            return
        calls = [word for i, s in enumerate(steps) for word in (["--then"] if i else []) + [s.main, *s.args]]
        argv = host.java_argv(site, FORMAT_NODE, JavaStep("ToolServer", ["--batch", *calls], "128m", QUICK_JVM_OPTS),
                              role=None, classpath=[classes])
        site.log_dir(FORMAT_NODE).mkdir(parents=True, exist_ok=True)
        with open(site.log_dir(FORMAT_NODE) / "console.log", "ab") as console:
            try:
                subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                               cwd=site.dir, timeout=120)
            except subprocess.TimeoutExpired:
                pass

    def start_node(self, site: Site, node: NodeSpec) -> dict:
        program = node_program(node, str(site.config_path(node)), site.kraft_cluster_id, self.placement(site))
        prepare_node_folders(site, node, self.placement(site))
        steps = [shlex.join(host.java_argv(site, node.name, s, role=None)) for s in self._setup_steps(site, node)]
        steps.append("exec " + shlex.join(host.java_argv(site, node.name, program.server, role=node.role)))
        with open(site.log_dir(node.name) / "console.log", "ab") as console:
            proc = subprocess.Popen(["/bin/sh", "-c", " && ".join(steps)], stdin=subprocess.DEVNULL,
                                    stdout=console, stderr=subprocess.STDOUT, cwd=site.dir,
                                    start_new_session=True)  # outlives this process: reattach later
        _children[proc.pid] = proc
        return {"pid": proc.pid}

    def _pid(self, site: Site, node: NodeSpec) -> int | None:
        pid = site.runtime.get(node.name, {}).get("pid")
        if pid and _running(pid) and f"-Dkafkalab.node={node.name}" in " ".join(_cmdline(pid)):
            return pid
        if pid and pid in _children:  # still starting: /bin/sh has not exec'd java yet
            if _running(pid):
                return pid
        found = marked_pids(site.home, site.name, node.name)
        return found[0] if found else None

    def alive(self, site: Site, node: NodeSpec) -> bool:
        return self._pid(site, node) is not None

    def exit_code(self, site: Site, node: NodeSpec) -> int | None:
        child = _children.get(site.runtime.get(node.name, {}).get("pid", -1))
        return child.poll() if child else None

    def _node_pids(self, site: Site, node: NodeSpec) -> list[int]:
        return [p for p in {self._pid(site, node), *marked_pids(site.home, site.name, node.name)} if p]

    def freeze_node(self, site: Site, node: NodeSpec, frozen: bool) -> None:
        pids = self._node_pids(site, node)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGSTOP if frozen else signal.SIGCONT)
            except ProcessLookupError:
                pass

        def settled() -> bool:  # a signal is delivered a moment after kill() returns
            return all(not _running(pid) or (_status(pid) == psutil.STATUS_STOPPED) == frozen for pid in pids)
        wait_for(settled, 10, f"{node.name} to {'stop' if frozen else 'go on'}", every=0.01)

    def stop_node(self, site: Site, node: NodeSpec, kill: bool = False) -> None:
        pids = self._node_pids(site, node)
        if kill:
            _signal_and_wait(pids, signal.SIGKILL, 10)
            return
        self.freeze_node(site, node, False)  # a frozen JVM would keep SIGTERM pending
        left = _signal_and_wait(pids, signal.SIGTERM, STOP_TIMEOUT)
        _signal_and_wait(left, signal.SIGKILL, 10)

    def tool_command(self, site: Site, step: JavaStep) -> list[str]:
        return host.tool_command(site, step, train=True)

    def remove(self, site: Site) -> None:
        # runtime pids too: a node still in /bin/sh (before exec java) has no markers of its own yet
        pids = set(marked_pids(site.home, site.name))
        pids.update(p for p in (self._pid(site, n) for n in site.nodes) if p)
        _signal_and_wait(sorted(pids), signal.SIGKILL, 10)
        try:  # the class lists this cluster's nodes wrote become archives, once per Java and Kafka
            java, java_version = find_java()
            if cds.enabled(java_version):
                cds.build_servers(java, distribution.require(site.kafka).libs)
        except KafkaLabError:
            pass

    @classmethod
    def sweep(cls, home) -> list[str]:
        """Every process of clusters under `home`, and orphans of any home whose cluster folder is gone."""
        pids = marked_pids(Path(home)) + orphan_pids()
        _signal_and_wait(pids, signal.SIGKILL, 10)
        return [str(p) for p in pids]


def orphan_pids() -> list[int]:
    """Live processes with our markers whose cluster folder no longer exists (a crashed test or session)."""
    return [p.pid for p in procs.marked() if not owner_exists(p.info["marks"]["home"], p.info["marks"]["cluster"])]
