"""No JVM: cluster names, folder markers, damaged state files, the port folder, the scope of sweeps.

The fake clusters here use the external engine (nothing to start or stop), so every test runs in seconds.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from waits import until

import kafkalab
from kafkalab.cluster import cluster as clusters
from kafkalab.cluster import ports, procs, state
from kafkalab.cluster.spec import ClusterSpec
from kafkalab.errors import KafkaLabError
from kafkalab.i18n import set_lang

pytestmark = pytest.mark.unit

KAFKALAB = str(Path(sys.executable).with_name("kafkalab"))
BAD_NAMES = ["", "/some/folder", "../x", "a/b", "x" * 300, "..", ".", "Upper", "-x", "_x", "a b", "a.b",
             "x" * 64, "name\n", "é"]
GOOD_NAMES = ["a", "0", "lab04", "my-cluster", "t-three-brokers-1a2b3c", "a_b", "x" * 63]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A KAFKALAB_HOME and a port folder of this test only."""
    home = tmp_path / "home"
    monkeypatch.setenv("KAFKALAB_HOME", str(home))
    monkeypatch.setenv("KAFKALAB_PORTS_DIR", str(tmp_path / "ports"))
    monkeypatch.delenv("KAFKALAB_CLUSTER", raising=False)
    monkeypatch.setenv("KAFKALAB_LANG", "en")
    return home


def cli(*args, env=None, lang="en"):
    return subprocess.run([KAFKALAB, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "KAFKALAB_LANG": lang, **(env or {})})


def fake_state(name: str) -> dict:
    spec = ClusterSpec.from_preset("single", name)
    for i, node in enumerate(spec.nodes):
        node.port = 1 + i  # nothing listens there: probes fail at once
    return {"spec": spec.to_dict(), "engine": "external", "created": 0, "runtime": {},
            "config_files": {n.name: f"{n.name}.properties" for n in spec.nodes}}


def make_fake(name: str, marked: bool = True) -> Path:
    """A cluster folder as kafkalab makes it (marked), or an unmarked one with a state file."""
    if marked:
        path = state.create_dir(name)
    else:
        path = state.clusters_root() / name
        path.mkdir(parents=True)
    (path / "cluster.json").write_text(json.dumps(fake_state(name)))
    (path / "data.txt").write_text("payload")
    return path


def precious_folder(tmp_path) -> Path:
    folder = tmp_path / "precious"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "file.txt").write_text("keep me")
    (folder / "cluster.json").write_text("{}")
    return folder


def assert_untouched(folder: Path):
    assert (folder / "sub" / "file.txt").read_text() == "keep me"
    assert (folder / "cluster.json").read_text() == "{}"


# --- 1. names are names ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_refused_everywhere(home, name):
    for call in (lambda: kafkalab.up("single", name=name, engine="external"),
                 lambda: kafkalab.attach(name),
                 lambda: kafkalab.down(name=name),
                 lambda: state.cluster_dir(name),
                 lambda: clusters.current(name)):
        with pytest.raises(KafkaLabError) as err:
            call()
        assert err.value.key == "cluster_name_bad"
        assert "1 to 63 characters" in str(err.value)
    assert not home.exists() or not (home / "clusters").exists()


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_names_pass(home, name):
    assert state.check_name(name) == name
    assert state.cluster_dir(name) == home.resolve() / "clusters" / name


def test_bad_name_message_in_both_languages(home):
    try:
        for lang, words in (("en", "is not a cluster name"), ("ru", "не годится в имена кластера")):
            set_lang(lang)
            with pytest.raises(KafkaLabError) as err:
                kafkalab.attach("../x")
            assert words in str(err.value) and "'../x'" in str(err.value)
    finally:
        set_lang(None)


def test_a_300_char_name_is_shown_shortened(home):
    with pytest.raises(KafkaLabError) as err:
        kafkalab.attach("y" * 300)
    assert "300 chars" in str(err.value) and "y" * 100 not in str(err.value)


def test_kafkalab_cluster_variable_is_validated(home, monkeypatch):
    monkeypatch.setenv("KAFKALAB_CLUSTER", "/some/folder")
    for call in (lambda: kafkalab.up("single", engine="external"), lambda: kafkalab.attach(),
                 lambda: kafkalab.down(), state.default_name):
        with pytest.raises(KafkaLabError) as err:
            call()
        assert err.value.key == "cluster_name_bad_env" and "KAFKALAB_CLUSTER" in str(err.value)
    monkeypatch.setenv("KAFKALAB_CLUSTER", "")
    assert state.default_name() == "kafkalab"


@pytest.mark.parametrize("args", [["up", "single", "--name"], ["up", "--fresh", "--name"], ["down", "--name"],
                                  ["status", "--name"], ["kill", "broker-0", "--name"],
                                  ["logs", "broker-0", "--name"], ["tool", "--name"]])
def test_cli_refuses_bad_names_without_traceback(home, tmp_path, args):
    folder = precious_folder(tmp_path)
    for lang, words in (("en", "is not a cluster name"), ("ru", "не годится в имена кластера")):
        extra = ["kafka-topics.sh", "--list"] if args[0] == "tool" else []
        out = cli(*args, str(folder), *extra, lang=lang)
        assert out.returncode != 0
        assert words in out.stderr and str(folder)[:60] in out.stderr  # a long name is shown shortened
        assert "Traceback" not in out.stderr
    assert_untouched(folder)


def test_cli_refuses_a_bad_kafkalab_cluster(home):
    for args in (["down"], ["kill", "broker-0"], ["logs", "broker-0"], ["up", "single"]):
        out = cli(*args, env={"KAFKALAB_CLUSTER": "../x", "KAFKALAB_HOME": str(home)})
        assert out.returncode == 2 and "KAFKALAB_CLUSTER='../x'" in out.stderr
        assert "Traceback" not in out.stderr


def test_a_real_folder_given_as_a_name_survives_up_and_down(home, tmp_path):
    folder = precious_folder(tmp_path)
    relative = os.path.relpath(folder, state.clusters_root())
    for name in (str(folder), relative, str(folder) + "/"):
        for call in (lambda: kafkalab.up("single", name=name, engine="external", fresh=True),
                     lambda: kafkalab.down(name=name)):
            with pytest.raises(KafkaLabError):
                call()
        for args in (["up", "single", "--fresh", "--engine", "external", "--name", name], ["down", "--name", name]):
            assert cli(*args, env={"KAFKALAB_BOOTSTRAP": "127.0.0.1:1"}).returncode == 2
    kafkalab.down(all=True)
    assert cli("down", "--all").returncode == 0
    assert_untouched(folder)


# --- 2. only marked folders inside clusters/ are removed --------------------------------------------------
def test_create_dir_writes_the_marker(home):
    path = state.create_dir("mine")
    assert (path / state.MARKER).is_file()
    assert state.is_ours(path)
    assert state.remove_dir("mine") and not path.exists()


def test_unmarked_folder_is_neither_removed_nor_reused(home):
    path = make_fake("legacy", marked=False)
    assert "legacy" in state.names()
    with pytest.raises(KafkaLabError) as err:
        kafkalab.down(name="legacy")
    assert err.value.key == "down_dir_kept" and state.MARKER in str(err.value)
    assert (path / "data.txt").read_text() == "payload"
    (path / "cluster.json").unlink()  # not a cluster any more: up must not take the folder over
    with pytest.raises(KafkaLabError) as err:
        kafkalab.up("single", name="legacy", engine="external")
    assert err.value.key == "cluster_dir_not_ours"
    assert (path / "data.txt").read_text() == "payload"


def test_down_all_removes_only_marked_cluster_folders(home, tmp_path):
    ours = [make_fake("one"), make_fake("two")]
    legacy = make_fake("legacy", marked=False)
    root = state.clusters_root()
    (root / "Notes").mkdir()  # not a valid name: not a cluster at all
    (root / "Notes" / "todo.txt").write_text("x")
    (root / "readme.txt").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / state.MARKER).write_text("a marker, but not in the clusters folder")
    (outside / "cluster.json").write_text(json.dumps(fake_state("link")))
    (root / "link").symlink_to(outside)
    removed = kafkalab.down(all=True)
    assert sorted(removed) == ["link", "one", "two"] or sorted(removed) == ["one", "two"]
    assert not any(p.exists() for p in ours)
    assert (legacy / "data.txt").read_text() == "payload"
    assert (root / "Notes" / "todo.txt").exists() and (root / "readme.txt").exists()
    assert (outside / "cluster.json").exists() and (outside / state.MARKER).exists()
    assert root.is_dir()  # not empty: kept


def test_down_all_removes_the_empty_clusters_folder(home):
    make_fake("one")
    assert kafkalab.down(all=True) == ["one"]
    assert not state.clusters_root().exists() and home.is_dir()


def test_marker_outside_the_clusters_folder_does_not_count(home, tmp_path):
    outside = tmp_path / "elsewhere" / "x"
    outside.mkdir(parents=True)
    (outside / state.MARKER).write_text("")
    assert not state.is_ours(outside)
    state.clusters_root().mkdir(parents=True)
    (state.clusters_root() / "x").symlink_to(outside)
    assert not state.is_ours(state.clusters_root() / "x")
    assert not state.remove_dir("x") and outside.exists()


# --- 3. damaged state files -------------------------------------------------------------------------
def damaged_texts() -> dict[str, str]:
    good = json.dumps(fake_state("broken"), indent=2)
    return {"empty": "", "truncated": good[: len(good) // 2], "half-line": "{\"spec\": {", "object": "{}",
            "garbage": "\x00\x01 not json at all", "list": "[1, 2]", "null": "null",
            "no-nodes": json.dumps({**fake_state("broken"), "spec": {}}),
            "bad-engine": json.dumps({**fake_state("broken"), "engine": "steam"}),
            "bad-node": json.dumps({**fake_state("broken"), "spec": {**fake_state("broken")["spec"],
                                                                     "nodes": [{"nom": 1}]}}),
            "no-config": json.dumps({**fake_state("broken"), "config_files": {}})}


def break_state(name: str, text: str) -> Path:
    path = state.create_dir(name) / "cluster.json"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return path


@pytest.mark.parametrize("kind", sorted(damaged_texts()))
def test_damaged_state_gives_a_message_naming_file_and_fix(home, kind):
    path = break_state("broken", damaged_texts()[kind])
    for call in (lambda: kafkalab.attach("broken"), lambda: kafkalab.up("single", name="broken"),
                 lambda: clusters.current("broken")):
        with pytest.raises(KafkaLabError) as err:
            call()
        assert err.value.key == "state_corrupt"
        assert str(path) in str(err.value) and "kafkalab down --name broken" in str(err.value)
    assert path.exists()  # up without --fresh does not remove it


def test_damaged_state_in_both_languages_from_the_cli(home):
    path = break_state("broken", "{")
    for lang, words in (("en", "is damaged"), ("ru", "повреждён")):
        for args in (["status", "--name", "broken"], ["kill", "broker-0", "--name", "broken"],
                     ["up", "single", "--name", "broken"]):
            out = cli(*args, lang=lang)
            assert out.returncode == 2, out
            assert words in out.stderr and str(path) in out.stderr and "down --name broken" in out.stderr
            assert "Traceback" not in out.stderr


def test_other_clusters_status_and_doctor_are_unaffected(home):
    make_fake("good")
    path = break_state("broken", "{}")
    assert [c.name for c in clusters.clusters()] == ["good"]
    assert [e.values["name"] for e in clusters.damaged()] == ["broken"]
    assert kafkalab.attach("good").name == "good"
    out = cli("status")
    assert out.returncode == 0, out.stderr
    assert "Cluster 'good'" in out.stdout and "Cluster 'broken': damaged state" in out.stdout
    listed = json.loads(cli("status", "--json").stdout)
    assert {c["name"] for c in listed} == {"good", "broken"}
    assert [c for c in listed if c.get("corrupt")][0]["state_file"] == str(path)
    from kafkalab import doctor

    notes = [m for level, m in doctor.checks() if level == "note"]
    assert any("'broken'" in m and str(path) in m for m in notes)


def test_down_removes_a_damaged_cluster_and_only_it(home):
    good = make_fake("good")
    path = break_state("broken", "garbage")
    assert kafkalab.down(name="broken") == ["broken"]
    assert not path.parent.exists()
    assert (good / "data.txt").exists() and kafkalab.attach("good").name == "good"
    break_state("broken2", "")
    out = cli("down", "--name", "broken2")
    assert out.returncode == 0 and not (state.clusters_root() / "broken2").exists()


def test_up_fresh_replaces_a_damaged_cluster(home, monkeypatch):
    path = break_state("broken", "{")
    monkeypatch.setenv("KAFKALAB_BOOTSTRAP", "127.0.0.1:1")
    called = []
    monkeypatch.setattr(clusters.Cluster, "wait_ready", lambda self, *a, **k: called.append(self.name) or 0.0)
    monkeypatch.setattr(clusters.Cluster, "_prepare_groups", lambda self, *a, **k: None, raising=False)
    cluster = kafkalab.up("single", name="broken", engine="external", fresh=True, quiet=True)
    assert called == ["broken"] and cluster.engine.name == "external"
    assert json.loads(path.read_text())["engine"] == "external"
    assert (path.parent / state.MARKER).exists()


def test_down_of_a_damaged_cluster_kills_its_processes_found_by_markers(home):
    break_state("broken", "{")
    mark = lambda cluster, node: [f"-Dkafkalab.home={state.home_dir()}", f"-Dkafkalab.cluster={cluster}",
                                  f"-Dkafkalab.node={node}"]
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    victims = [subprocess.Popen(sleeper + mark("broken", "broker-0")),
               subprocess.Popen(["/bin/sh", "-c", " ".join([":", *mark("broken", "zookeeper-1"), "&& sleep 120"])])]
    bystander = subprocess.Popen(sleeper + mark("other", "broker-0"))
    try:
        # the shell's child carries its markers for a moment, until it becomes `sleep`
        until(lambda: {p.pid for p in procs.marked(state.home_dir(), "broken")} == {v.pid for v in victims}, 10,
              "the victims alone to carry the markers")
        kafkalab.down(name="broken")
        for v in victims:
            assert v.wait(10) is not None
        assert bystander.poll() is None
    finally:
        for p in victims + [bystander]:
            p.kill()
            p.wait()


def test_state_file_is_replaced_atomically(home):
    make_fake("atomic")
    path = state.state_file("atomic")
    before = path.stat().st_ino
    state.save("atomic", fake_state("atomic"))
    assert path.stat().st_ino != before  # a new file renamed over the old one, never rewritten in place
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert kafkalab.attach("atomic").name == "atomic"


# --- 4. the port folder -------------------------------------------------------------------------------
def test_port_folder_is_machine_wide_whatever_tmpdir(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "KAFKALAB_PORTS_DIR"}
    seen = set()
    for tmpdir in (tmp_path / "a", tmp_path / "b"):
        tmpdir.mkdir()
        out = subprocess.run([sys.executable, "-c", "from kafkalab.cluster import ports; print(ports.registry())"],
                             env={**env, "TMPDIR": str(tmpdir)}, capture_output=True, text=True, check=True)
        seen.add(out.stdout.strip())
    assert seen == {str(ports.SHARED[0])} or seen == {str(ports.SHARED[1])}


def test_port_folder_falls_back_when_not_writable(tmp_path, monkeypatch):
    monkeypatch.delenv("KAFKALAB_PORTS_DIR", raising=False)
    monkeypatch.setenv("KAFKALAB_HOME", str(tmp_path / "home"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    second = tmp_path / "shm" / "kafkalab-ports"
    monkeypatch.setattr(ports, "SHARED", (blocker / "kafkalab-ports", second))
    assert ports.registry() == second and second.is_dir()
    assert oct(second.stat().st_mode & 0o7777) == oct(0o1777)
    monkeypatch.setattr(ports, "SHARED", (blocker / "x", blocker / "y"))
    assert ports.registry() == tmp_path / "home" / "ports"


def test_reservations_hold_release_and_expire(home, tmp_path):
    mine, theirs, gone = state.create_dir("mine"), state.create_dir("theirs"), tmp_path / "gone"
    (theirs / "cluster.json").write_text("{}")
    assert ports.reserve(20001, mine) and ports.reserve(20001, mine)  # twice by the same owner: fine
    assert ports.reserve(20002, theirs)
    assert not ports.reserve(20002, mine)  # a live cluster holds it
    (ports.registry() / "20003").write_text(str(gone))
    assert ports.reserve(20003, mine)  # stale: its cluster folder is gone
    assert ports.held_by(mine) == [20001, 20003]
    ports.release(mine)
    assert ports.held_by(mine) == [] and ports.held_by(theirs) == [20002]


# --- 5. sweeps stay in their home -------------------------------------------------------------------
def test_down_all_sweeps_only_its_own_home_unless_all_homes(home, tmp_path):
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    other_home = tmp_path / "other-home"
    own = subprocess.Popen(sleeper + [f"-Dkafkalab.home={state.home_dir()}", "-Dkafkalab.cluster=ghost"])
    other = subprocess.Popen(sleeper + [f"-Dkafkalab.home={other_home}", "-Dkafkalab.cluster=ghost"])
    try:
        procs_seen = lambda: {p.pid for p in procs.marked()}
        assert {own.pid, other.pid} <= procs_seen()
        kafkalab.down(all=True)
        assert own.wait(10) is not None
        assert other.poll() is None  # an orphan of another home: not ours to kill
        out = cli("down", "--all", "--all-homes")
        assert out.returncode == 0, out.stderr
        assert other.wait(10) is not None
        assert cli("down", "--all-homes").returncode == 2  # only together with --all
    finally:
        for p in (own, other):
            p.kill()
            p.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="a mount namespace of its own needs root")
def test_down_all_homes_never_sweeps_another_mount_namespace(home, tmp_path):
    """A grading sandbox's nodes: their cluster folder exists only inside the sandbox's mounts, so from
    outside they look like orphans of a home that is gone. `down --all --all-homes` must leave them."""
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)", f"-Dkafkalab.home={tmp_path / 'gone'}",
               "-Dkafkalab.cluster=sandboxed", "-Dkafkalab.node=broker-0"]
    inside = subprocess.Popen(["unshare", "--mount", "--propagation", "private", *sleeper])
    outside = subprocess.Popen(sleeper)
    try:
        out = cli("down", "--all", "--all-homes")
        assert out.returncode == 0, out.stderr
        assert outside.wait(10) is not None  # a real orphan in our namespace: swept
        assert inside.poll() is None  # another namespace's: left alone
    finally:
        for p in (inside, outside):
            p.kill()
            p.wait()


def test_psutil_replaces_proc_reading():
    root = Path(kafkalab.__file__).parent
    mine = [*sorted((root / "cluster").glob("*.py")), root / "cli.py", root / "doctor.py"]
    # a process's mount namespace (procs.same_mounts) is the one thing psutil does not tell
    assert [str(p) for p in mine if "/proc" in re.sub(r"/proc/(self|\{pid\})/ns/mnt", "", p.read_text())] == []


# --- 7. clients made through a cluster are closed by its down() ---------------------------------------
def test_down_closes_the_clients_it_handed_out(home):
    import gc
    import threading

    from kafkalab.cluster import clients

    make_fake("withclients")
    cluster = kafkalab.attach("withclients")
    quiet = {"log_level": 0}
    producer, consumer, admin = cluster.producer(**quiet), cluster.consumer("g", **quiet), cluster.admin(**quiet)
    other = cluster.consumer("g2", **quiet)
    assert len(clients.live(str(cluster.dir))) == 4
    del other
    gc.collect()
    assert len(clients.live(str(cluster.dir))) == 3  # weak references: a dropped client is not kept

    polling = threading.Thread(target=lambda: consumer.poll(3.0))
    polling.start()

    def inside_poll() -> bool:  # the polling thread holds the consumer's lock
        if consumer._kl_lock.acquire(blocking=False):
            consumer._kl_lock.release()
            return False
        return True
    until(inside_poll, 10, "the other thread inside poll()", every=0.01)  # down() must not free the handle under it
    cluster.down()
    assert polling.is_alive()  # down() did not wait for the 3 s poll: the consumer closes when it returns
    polling.join(10)
    with pytest.raises(RuntimeError, match="closed"):
        consumer.poll(0)
    with pytest.raises(RuntimeError, match="closed"):
        producer.produce("t", b"x")
    assert admin._kl_muted.down
    consumer.close()  # a second close after down() is harmless
    assert clients.live(str(cluster.dir)) == []
