"""Port assignment: the notes' ports when free, else free ones, said in a message; machine-wide reservations."""
import os
import subprocess
import sys

import pytest

from kafkalab import i18n
from kafkalab.cluster import ports, state
from kafkalab.cluster.spec import ClusterSpec, assign_ports

pytestmark = pytest.mark.unit


def test_the_notes_ports_when_free():
    spec = ClusterSpec.from_preset("three-brokers")
    assert assign_ports(spec, is_free=lambda port: True) == []
    assert {n.name: n.port for n in spec.nodes} == {"zookeeper-1": 2181, "broker-0": 9092, "broker-1": 9093,
                                                    "broker-2": 9094}
    assert all(n.quorum_ports is None for n in spec.nodes)


def test_kraft_controller_port():
    spec = ClusterSpec.from_preset("kraft")
    assign_ports(spec, is_free=lambda port: True)
    assert spec.node("controller-1").port == 19091 and spec.node("broker-2").port == 9094


def test_ensemble_gets_quorum_and_election_ports():
    spec = ClusterSpec.from_preset("zk-ensemble")
    assign_ports(spec, is_free=lambda port: True)
    assert [spec.node(f"zookeeper-{i}").quorum_ports for i in (1, 2, 3)] == [(2888, 3888), (2889, 3889), (2890, 3890)]


def test_reserved_ports_are_skipped_with_a_message():
    spec = ClusterSpec.from_preset("three-brokers")
    i18n.set_lang("en")
    try:
        messages = assign_ports(spec, reserved={9092, 2181}, is_free=lambda port: True)
    finally:
        i18n.set_lang(None)
    moved = {n.name: n.port for n in spec.nodes if n.port != n.preferred_port}
    assert set(moved) == {"zookeeper-1", "broker-0"}
    assert all(20000 <= port < 32000 for port in moved.values())
    assert len(messages) == 2 and "Port 2181 for zookeeper-1" in messages[0]
    assert f"uses port {moved['zookeeper-1']}" in messages[0]


def test_a_port_taken_by_another_program_is_replaced_and_ports_never_repeat():
    spec = ClusterSpec.from_preset("zk-ensemble")
    taken = {9093, 2889}
    messages = assign_ports(spec, is_free=lambda port: port not in taken)  # waits its short patience once
    assert spec.node("broker-1").port not in taken and spec.node("zookeeper-2").quorum_ports[0] not in taken
    assert len(messages) == 2
    used = [n.port for n in spec.nodes] + [p for n in spec.nodes for p in (n.quorum_ports or ())]
    assert len(used) == len(set(used))


def test_reservations_are_per_cluster_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KAFKALAB_PORTS_DIR", str(tmp_path / "ports"))
    a, b = tmp_path / "home" / "a", tmp_path / "home" / "b"
    a.mkdir(parents=True)
    (a / "cluster.json").write_text("{}")
    assert ports.reserve(9092, a) and ports.reserve(9092, a)  # idempotent for its owner
    assert not ports.reserve(9092, b)  # a live cluster holds it, even while stopped
    ports.release(a)
    assert ports.reserve(9092, b)


def test_a_reservation_is_stale_once_its_cluster_is_gone_or_its_creator_ended(tmp_path, monkeypatch):
    monkeypatch.setenv("KAFKALAB_PORTS_DIR", str(tmp_path / "ports"))
    monkeypatch.setenv("KAFKALAB_HOME", str(tmp_path / "home"))
    gone, new = tmp_path / "gone", state.cluster_dir("new")
    assert ports.reserve(9093, gone)  # its folder (and cluster.json) does not exist
    creating = state.create_dir("creating")  # made by this live process; no state file yet
    assert ports.reserve(9093, creating)
    assert not ports.reserve(9093, new) and ports.holder_name(9093) == "creating"
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    marker = creating / state.MARKER
    marker.write_text(marker.read_text().replace(f"pid {os.getpid()}", f"pid {ended.pid}"))  # its creator ended
    assert ports.reserve(9093, new)
    assert (tmp_path / "ports" / "9093").read_text() == str(new)  # one line: what every kafkalab version reads


def test_a_port_held_by_another_kafkalab_cluster_names_it():
    spec = ClusterSpec.from_preset("single")
    i18n.set_lang("en")
    try:
        messages = assign_ports(spec, reserved={9092}, is_free=lambda port: True,
                                holder=lambda port: "lesson04" if port == 9092 else None)
    finally:
        i18n.set_lang(None)
    assert len(messages) == 1 and "cluster 'lesson04'" in messages[0]
    assert "kafkalab down --name lesson04" in messages[0]
