"""Kafka's admin tools in one warm JVM per cluster (resources/ToolServer.java): a `%kafka kafka-topics.sh
--list` costs a method call, not a JVM start (about 1 s of CPU each on 2 cores).

The server is started by the first served call, which waits for it (a JVM start either way); while javac
builds the server's class, that call runs as a JVM of its own and the server starts in the background.
It listens on `tools.sock` in the cluster's folder, carries the cluster's process markers (so `down`, the
watchdog and sweeps end it with the nodes; an external cluster's `down` too) and ends itself after
IDLE_SECONDS without a call. Local and external clusters get one: their tools run on this machine. Tools
that read stdin, measure, or are not Kafka's admin commands run in a JVM of their own, and so does
everything when the server cannot run here (Java < 16, no javac to build it once, a socket path too long,
no SO_PEERCRED to know a server's user: not Linux, KAFKALAB_TOOL_SERVER=0). A server answers only its own
user, and a caller uses only a server of its own user.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
from pathlib import Path

SERVED = {"kafka-topics", "kafka-configs", "kafka-consumer-groups", "kafka-acls", "kafka-get-offsets",
          "kafka-delete-records", "kafka-leader-election", "kafka-log-dirs", "kafka-metadata-quorum",
          "kafka-broker-api-versions", "kafka-reassign-partitions"}
SOURCE = Path(__file__).parent / "resources" / "ToolServer.java"
IDLE_SECONDS = 900
NODE = "tool-server"  # its -Dkafkalab.node marker


def _built_dir(java: str) -> Path:
    from . import cds

    key = hashlib.sha256(SOURCE.read_bytes() + os.path.realpath(java).encode()).hexdigest()[:12]
    return cds.folder() / f"toolserver-{key}"


def _is_built() -> bool:
    """Whether the server's class for this machine's Java is there already (no javac to wait for)."""
    from .errors import KafkaLabError
    from .java import find_java

    try:
        java, java_version = find_java()
    except KafkaLabError:
        return False
    return java_version >= 16 and (_built_dir(java) / "ToolServer.class").is_file()


def class_dir(java: str, java_version: int) -> Path | None:
    """The compiled server for this Java (built once with javac, kept beside the class-data archives)."""
    if java_version < 16:  # Unix domain sockets in java.nio
        return None
    built = _built_dir(java)
    if (built / "ToolServer.class").is_file():
        return built
    javac = Path(os.path.realpath(java)).parent / "javac"
    try:
        built.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=".toolserver-", dir=built.parent))
    except OSError:
        return None  # a read-only cache (a grading sandbox): tools run as separate JVMs
    try:
        if not javac.is_file() or subprocess.run([str(javac), "-d", str(partial), str(SOURCE)], capture_output=True,
                                                 timeout=120).returncode != 0:
            return None
        os.chmod(partial, 0o755)
        os.replace(partial, built)
    except (OSError, subprocess.TimeoutExpired):
        pass  # another process built it first, or javac is not usable
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return built if (built / "ToolServer.class").is_file() else None


def _socket_path(cluster) -> Path | None:
    path = cluster.dir / "tools.sock"
    return path if len(str(path)) < 100 else None  # sun_path holds 108 bytes


def _usable(cluster, name: str) -> bool:
    return (name in SERVED and os.environ.get("KAFKALAB_TOOL_SERVER", "1") != "0"
            and cluster.engine.tools_on_host and _socket_path(cluster) is not None
            and hasattr(socket, "SO_PEERCRED"))  # Linux: a server's user can be known (_connect)


def _launch(cluster, path: Path) -> bool:
    from .cluster.engines.base import QUICK_JVM_OPTS, JavaStep
    from .cluster.engines.host import java_argv
    from .java import find_java

    classes = class_dir(*find_java())
    if classes is None:
        return False
    # as a tool's JVM: the tools' class-data archive too (its classpath is a prefix of this one)
    argv = java_argv(cluster.site, NODE, JavaStep("ToolServer", [str(path), str(IDLE_SECONDS)], "256m",
                                                  QUICK_JVM_OPTS), role=None, classpath=[classes])
    logs = cluster.site.log_dir(NODE)
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "console.log", "ab") as log:
        server = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                  cwd=cluster.dir, start_new_session=True)
    from .waiting import wait_for

    try:
        wait_for(lambda: server.poll() is not None or _connect(path) is not None, 60, "the tool server", every=0.05)
    except TimeoutError:
        server.kill()
    threading.Thread(target=server.wait, daemon=True).start()  # reaped when it ends (idle, or down)
    return server.poll() is None


def _connect(path: Path) -> socket.socket | None:
    """A connection to the server at `path`, if one listens there and runs as this process's user: a
    server of another user (a submission's, met by the grader's checks) could answer anything."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
        _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        if uid == os.geteuid():
            return conn
    except OSError:
        pass
    conn.close()
    return None


def open_call(cluster, name: str, main: str, args: list[str]) -> ServedCall | None:
    """The tool call, sent to the cluster's server; None: run it as a JVM of its own. The first call starts
    the server and waits for it (a JVM start either way, and the server's is then not paid twice); when
    javac must build the server first, or another process is starting it, the call runs as a JVM of its
    own while the server starts in the background for the next ones."""
    if not _usable(cluster, name):
        return None
    path = _socket_path(cluster)
    conn = _connect(path)
    if conn is None:
        if not _is_built():
            threading.Thread(target=_launch_once, args=(cluster, path), daemon=True,
                             name="kafkalab-tool-server").start()
            return None
        _launch_once(cluster, path)
        conn = _connect(path)
        if conn is None:
            return None
    words = [w.encode() for w in (main, *args)]
    try:
        conn.sendall(struct.pack(">i", len(words)) + b"".join(struct.pack(">i", len(w)) + w for w in words))
    except OSError:  # the server went away meanwhile (ended idle, or down)
        conn.close()
        return None
    return ServedCall(conn, cluster)


def _launch_once(cluster, path: Path) -> None:
    """Start the server unless another thread or process is starting it (the lock) or it runs."""
    try:
        with open(cluster.dir / "tools.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            probe = _connect(path)
            if probe is not None:
                probe.close()
                return
            _launch(cluster, path)
    except OSError:
        pass  # being started elsewhere, or the cluster's folder is gone (down)


def prepare() -> Path | None:
    """Build the server once for this machine's Java (kafkalab fetch does it), so no call waits for javac."""
    from .errors import KafkaLabError
    from .java import find_java

    try:
        return class_dir(*find_java())
    except KafkaLabError:
        return None


def end(cluster) -> None:
    """End the cluster's server: a call cut short, or `down` of a cluster whose nodes are not ours (an
    external one: no engine.remove ends its processes)."""
    from .cluster import procs

    procs.kill(procs.marked(cluster.home, cluster.name, NODE))


class ServedCall:
    """A served tool call that looks like a subprocess.Popen: stdout, stderr (text), wait(), kill()."""

    stdin = None

    def __init__(self, conn: socket.socket, cluster):
        self._conn, self._cluster = conn, cluster
        self.returncode: int | None = None
        out_r, self._out = os.pipe()
        err_r, self._err = os.pipe()
        self.stdout = open(out_r, encoding="utf-8", errors="replace")
        self.stderr = open(err_r, encoding="utf-8", errors="replace")
        self._done = threading.Event()
        threading.Thread(target=self._read, daemon=True, name="kafkalab-tool-call").start()

    def _read(self) -> None:
        reader = self._conn.makefile("rb")
        try:
            while True:
                head = reader.read(5)
                if len(head) < 5:
                    break  # the server went away: killed, or timed out by us
                kind, size = head[0], struct.unpack(">i", head[1:])[0]
                if kind == 0:
                    self.returncode = size
                    break
                os.write(self._out if kind == 1 else self._err, reader.read(size))
        except OSError:
            pass
        finally:
            if self.returncode is None:
                self.returncode = 1
            with contextlib.suppress(OSError):
                reader.close()
                self._conn.close()
            os.close(self._out)
            os.close(self._err)
            self._done.set()

    def wait(self, timeout: float | None = None) -> int:
        if not self._done.wait(timeout):
            raise subprocess.TimeoutExpired("tool server call", timeout)
        return self.returncode

    def poll(self) -> int | None:
        return self.returncode if self._done.is_set() else None

    def kill(self) -> None:
        """A call cannot be cut short inside the server: end the server (the next call starts a new one)."""
        end(self._cluster)
        with contextlib.suppress(OSError):
            self._conn.shutdown(socket.SHUT_RDWR)
