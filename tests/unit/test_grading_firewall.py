"""The kernels' network on a class cluster: iptables rules (recorded here, not applied)."""
import subprocess

import pytest

from kafkalab.grading import firewall

pytestmark = pytest.mark.unit


@pytest.fixture
def commands(monkeypatch):
    done = []
    chains = {"existing": ["-P OUTPUT ACCEPT", "-N KAFKALAB-GRADE-999999999", "-N OTHER"]}

    def run(tool, *args, check=True):
        done.append((tool, *args))
        out = "\n".join(chains["existing"]) if args == ("-S",) else ""
        code = 1 if args[0] == "-D" and done.count((tool, *args)) > 1 else 0  # one jump each to delete
        return subprocess.CompletedProcess([tool, *args], code, out, "")

    monkeypatch.setattr(firewall, "_run", run)
    monkeypatch.setattr(firewall, "_tools", lambda: ["iptables"])
    return done


def test_only_the_brokers_and_replies_pass(commands):
    wall = firewall.Firewall([("127.0.0.1", 29300), ("localhost", 29301)])
    wall.open()
    chain = wall.chain
    appended = [c[3:] for c in commands if c[1:3] == ("-A", chain)]
    assert appended[0] == ("-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT")
    assert ("-p", "tcp", "-d", "127.0.0.1", "--dport", "29300", "-j", "ACCEPT") in appended
    assert ("-p", "tcp", "-d", "127.0.0.1", "--dport", "29301", "-j", "ACCEPT") in appended
    assert appended[-1] == ("-j", "REJECT")  # anything else, loopback included
    uids = f"{firewall.UID_BASE}-{firewall.UID_BASE + firewall.SLOTS - 1}"
    assert ("iptables", "-I", "OUTPUT", "-m", "owner", "--uid-owner", uids, "-j", chain) in commands
    # the chain of a grader that is gone was removed first
    assert ("iptables", "-X", "KAFKALAB-GRADE-999999999") in commands
    assert not any("OTHER" in c for c in commands[1:] if c[1] in ("-F", "-X"))
    commands.clear()
    wall.close()
    assert ("iptables", "-D", "OUTPUT", "-m", "owner", "--uid-owner", uids, "-j", chain) in commands
    assert ("iptables", "-X", chain) in commands
