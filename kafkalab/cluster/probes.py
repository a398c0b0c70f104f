"""Readiness from real probes: a TCP connect, ZooKeeper's `srvr`, the brokers registered in metadata."""
from __future__ import annotations

import concurrent.futures
import logging
import socket

_quiet = logging.getLogger("kafkalab.librdkafka")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


def quiet_client_config(bootstrap: str) -> dict:
    """confluent-kafka settings for probes: fail fast, print nothing while a broker is still starting."""
    return {"bootstrap.servers": bootstrap, "logger": _quiet, "socket.connection.setup.timeout.ms": 2000,
            "reconnect.backoff.max.ms": 500}


def tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def four_letter(host: str, port: int, command: str, timeout: float = 2.0) -> str:
    """ZooKeeper's four-letter-word answer ('' when it does not answer)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(command.encode())
            chunks = []
            while data := sock.recv(4096):
                chunks.append(data)
            return b"".join(chunks).decode(errors="replace")
    except OSError:
        return ""


def zookeeper_mode(host: str, port: int) -> str | None:
    """'standalone', 'leader' or 'follower' when the node serves requests, else None."""
    for line in four_letter(host, port, "srvr").splitlines():
        if line.startswith("Mode:"):
            return line.split(":", 1)[1].strip()
    return None


NOT_SERVING = "not currently serving requests"  # ZooKeeper's `srvr` answer without a quorum


def zookeeper_serving(host: str, port: int) -> bool | None:
    """True when ZooKeeper serves requests, False when it answers that it does not (no quorum),
    None when it does not answer at all."""
    text = four_letter(host, port, "srvr")
    if not text:
        return None
    if NOT_SERVING in text:
        return False
    return any(line.startswith("Mode:") for line in text.splitlines()) or None


def cluster_metadata(bootstrap: str, timeout: float = 3.0) -> tuple[set[int], int | None] | None:
    """(ids of the brokers registered in the cluster, controller id) or None when nobody answers."""
    from confluent_kafka import KafkaException
    from .handles import SafeAdmin

    admin = SafeAdmin(quiet_client_config(bootstrap))
    try:
        desc = admin.describe_cluster(request_timeout=timeout).result(timeout=timeout + 1)
    except (KafkaException, concurrent.futures.TimeoutError):  # nobody answers in time
        return None
    controller = desc.controller.id if desc.controller is not None else None
    return {node.id for node in desc.nodes}, controller


def topic_names(bootstrap: str, timeout: float = 3.0) -> set[str] | None:
    """Topics in the metadata of the broker(s) at `bootstrap`, or None when nobody answers."""
    from confluent_kafka import KafkaException
    from .handles import SafeAdmin

    try:
        return set(SafeAdmin(quiet_client_config(bootstrap)).list_topics(timeout=timeout).topics)
    except KafkaException:  # nobody answers in time
        return None


def hosted_topics(log_dir) -> set[str]:
    """Topics with a partition folder (`name-N`) in a broker's log.dirs; folders being deleted end in
    `-delete` and are not counted."""
    from pathlib import Path

    found = set()
    for entry in Path(log_dir).iterdir() if Path(log_dir).is_dir() else ():
        name, _, number = entry.name.rpartition("-")
        if entry.is_dir() and name and number.isdigit():
            found.add(name)
    return found


def session_expired_at_start(server_log: str) -> bool:
    """Whether a ZooKeeper-mode broker's last start (its server.log) ended because its ZooKeeper session
    expired before it had registered: on a machine too busy to answer ZooKeeper for zookeeper.session.timeout.ms.
    Kafka then stops, where a broker that had started would simply open a new session."""
    fatal = server_log.rfind("Fatal error during KafkaServer startup")
    if fatal < 0 or fatal < server_log.rfind("] starting (kafka.server.KafkaServer)"):
        return False  # no failed start, or one from an earlier life of the node
    # a request then fails with SessionExpiredException, a wait for the connection with ZooKeeperClientExpired...
    cause = server_log[fatal:].splitlines()[1:2]
    return any(name in line for line in cause for name in ("SessionExpiredException", "ZooKeeperClientExpiredException"))
