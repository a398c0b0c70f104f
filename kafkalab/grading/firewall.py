"""The network of kernels graded on a shared class cluster: only the cluster's brokers.

There the kernel keeps the grader's network namespace (it must reach the cluster), so iptables rules on the
sandbox uids decide what it may open: TCP to the brokers' addresses and DNS. Replies on connections opened
to it (its kernel ports, by the worker) pass; everything else is rejected, loopback included (another
listener of the cluster, another kernel's ports, the grader's own services). One chain per grader,
named after its pid; the chain of a grader that died is removed by the next one.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess

from ..errors import KafkaLabError
from .sandbox import SLOTS, UID_BASE

PREFIX = "KAFKALAB-GRADE-"


def _run(tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    run = subprocess.run([tool, "-w", *args], capture_output=True, text=True, timeout=60)
    if check and run.returncode != 0:
        raise KafkaLabError("grading_firewall_failed", command=f"{tool} {' '.join(args)}",
                            error=(run.stderr or run.stdout).strip()[-300:])
    return run


def _tools() -> list[str]:
    found = [shutil.which(t) for t in ("iptables", "ip6tables")]
    if not found[0]:
        raise KafkaLabError("grading_firewall_failed", command="iptables", error="not installed")
    return [t for t in found if t]


def addresses(brokers: list[tuple[str, int]]) -> dict[int, set[tuple[str, int]]]:
    """(host, port) of each broker as IP addresses, by address family (4 or 6)."""
    found: dict[int, set[tuple[str, int]]] = {4: set(), 6: set()}
    for host, port in brokers:
        for family, *_, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
            found[4 if family == socket.AF_INET else 6].add((sockaddr[0], int(port)))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Firewall:
    """Install with `open()`, remove with `close()` (also a context manager)."""

    def __init__(self, brokers: list[tuple[str, int]]):
        self.chain = f"{PREFIX}{os.getpid()}"
        self.allowed = addresses(brokers)
        self.uids = f"{UID_BASE}-{UID_BASE + SLOTS - 1}"

    def open(self) -> "Firewall":
        for tool in _tools():
            self._sweep(tool)
            family = 6 if tool.endswith("ip6tables") else 4
            _run(tool, "-N", self.chain)
            rules = [["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
                     ["-p", "udp", "--dport", "53", "-j", "ACCEPT"], ["-p", "tcp", "--dport", "53", "-j", "ACCEPT"]]
            rules += [["-p", "tcp", "-d", ip, "--dport", str(port), "-j", "ACCEPT"]
                      for ip, port in sorted(self.allowed[family])]
            rules.append(["-j", "REJECT"])
            for rule in rules:
                _run(tool, "-A", self.chain, *rule)
            _run(tool, "-I", "OUTPUT", "-m", "owner", "--uid-owner", self.uids, "-j", self.chain)
        return self

    def close(self) -> None:
        for tool in _tools():
            self._remove(tool, self.chain)

    def __enter__(self) -> "Firewall":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def _remove(self, tool: str, chain: str) -> None:
        while _run(tool, "-D", "OUTPUT", "-m", "owner", "--uid-owner", self.uids, "-j", chain,
                   check=False).returncode == 0:
            pass
        _run(tool, "-F", chain, check=False)
        _run(tool, "-X", chain, check=False)

    def _sweep(self, tool: str) -> None:
        """Chains of graders that died (and our own, from an earlier batch of this process)."""
        listed = _run(tool, "-S", check=False).stdout.splitlines()
        for line in listed:
            parts = line.split()
            if len(parts) == 2 and parts[0] == "-N" and parts[1].startswith(PREFIX):
                pid = parts[1][len(PREFIX):]
                if not pid.isdigit() or not _alive(int(pid)) or parts[1] == self.chain:
                    self._remove(tool, parts[1])
