"""A shared class cluster: the external engine with SCRAM-SHA-512 logins, per-student namespaces, and
`kafkalab classroom` (users, prefixed ACLs, quotas), on a real three-broker cluster that kafkalab starts.

The class cluster: ZooKeeper mode, AclAuthorizer, a SASL_PLAINTEXT (SCRAM-SHA-512) listener per broker for
clients; brokers talk to each other on PLAINTEXT (super user ANONYMOUS: that listener stands for the
cluster's private network). admin's SCRAM credentials are written through ZooKeeper before any client.
"""
import os
import threading
import time
import uuid
from pathlib import Path

import pytest
from waits import read
from confluent_kafka import KafkaError, KafkaException, TopicPartition

import kafkalab
from kafkalab import classroom, inspect
from kafkalab.cluster import ports
from kafkalab.cluster.connection import Connection, explain, read_properties
from kafkalab.cluster.spec import port_is_free
from kafkalab.errors import KafkaLabError
from kafkalab.waiting import wait_for

ADMIN_PASSWORD = "admin-secret"
ALICE_RATE = 65536  # bytes/s per broker (Kafka's quotas are per broker): alice's, the flooding student
CLASS_RATE = 8 * 1048576  # everyone else's


def sasl_broker_config(base: int) -> dict:
    """Extra listener SASL_PLAINTEXT on base+id (base a multiple of 10) and the ACL authorizer."""
    sasl = f"SASL_PLAINTEXT://127.0.0.1:{base // 10}{{id}}"
    return {
        "listeners": f"PLAINTEXT://127.0.0.1:{{port}},{sasl}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{{port}},{sasl}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config":
            "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
        "super.users": "User:admin;User:ANONYMOUS",
    }


def join(name: str, config: str | None = None, student: str | None = None, bootstrap: str | None = None,
         fresh: bool = False):
    """`kafkalab up --engine external` as a student's kernel does it, with these variables set."""
    saved = {k: os.environ.get(k) for k in ("KAFKALAB_CLIENT_CONFIG", "KAFKALAB_STUDENT", "KAFKALAB_BOOTSTRAP")}
    for key, value in (("KAFKALAB_CLIENT_CONFIG", config), ("KAFKALAB_STUDENT", student),
                       ("KAFKALAB_BOOTSTRAP", bootstrap)):
        os.environ.pop(key, None)
        if value:
            os.environ[key] = str(value)
    try:
        return kafkalab.up(name=name, engine="external", quiet=True, fresh=fresh)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value


def _reserve_three(base: int, holder: Path) -> bool:
    """Reserve base..base+2 for `holder`, all or none."""
    if not all(port_is_free(base + i) for i in range(3)):
        return False
    taken = [base + i for i in range(3) if ports.reserve(base + i, holder)]
    if len(taken) < 3:
        ports.release(holder)
        return False
    return True


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """The class cluster, admin's external view of it, and alice and bob made by `classroom create`."""
    folder = tmp_path_factory.mktemp("class")
    holder = folder / "ports"  # holds the SASL listeners' ports until the cluster does (another test
    holder.mkdir()             # process may be choosing ports at the same time)
    (holder / "cluster.json").write_text("{}")
    base = next(b for b in range(29300, 31990, 10) if _reserve_three(b, holder))
    try:
        cluster = kafkalab.up("three-brokers", name=f"class-{uuid.uuid4().hex[:6]}", engine="local",
                              broker_config=sasl_broker_config(base), quiet=True)
    finally:
        ports.release(holder)
    made = [cluster]
    for i in range(3):  # held like the nodes' own ports until down()
        assert ports.reserve(base + i, cluster.dir), f"port {base + i} was taken meanwhile"
    try:
        result = cluster.tool("kafka-configs", "--zookeeper", cluster.zookeeper_connect, "--alter", "--add-config",
                              f"SCRAM-SHA-512=[password={ADMIN_PASSWORD}]", "--entity-type", "users",
                              "--entity-name", "admin", echo=False)
        assert result.ok, result.stderr
        sasl = ",".join(f"127.0.0.1:{base + i}" for i in range(3))
        admin_props = folder / "admin.properties"
        admin_props.write_text(
            f"bootstrap.servers={sasl}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
            f'    username="admin" password="{ADMIN_PASSWORD}";\n')
        admin = join(f"admin-{uuid.uuid4().hex[:4]}", admin_props)
        made.append(admin)
        roster = folder / "roster.csv"
        roster.write_text(f"student,password,producer_byte_rate\nalice,,{ALICE_RATE}\nbob,bob-pass,\n")
        lines = []
        classroom.create(admin, roster, folder / "students", {"producer_byte_rate": CLASS_RATE}, say=lines.append)
        alice = join(f"alice-{uuid.uuid4().hex[:4]}", folder / "students" / "alice.properties", "alice")
        bob = join(f"bob-{uuid.uuid4().hex[:4]}", folder / "students" / "bob.properties", "bob")
        # alice's own login without a namespace: names go to the cluster exactly as written (the attacks)
        raw = join(f"raw-{uuid.uuid4().hex[:4]}", folder / "students" / "alice.properties")
        made += [alice, bob, raw]
        yield {"cluster": cluster, "admin": admin, "alice": alice, "bob": bob, "raw": raw, "folder": folder,
               "roster": roster, "sasl": sasl, "create_lines": lines}
    finally:
        for c in reversed(made):
            if c.dir.exists():
                c.down()


def produce(cluster, topic: str, values: list[str]) -> list:
    errors = []
    producer = cluster.producer(**{"error_cb": errors.append})
    delivered = []
    for v in values:
        producer.produce(topic, v.encode(), on_delivery=lambda err, msg: delivered.append(err or msg))
    producer.flush(30)
    return delivered


def consume(cluster, group: str, topic: str, want: int, timeout: float = 30.0) -> list[str]:
    consumer = cluster.consumer(group)
    consumer.subscribe([topic])
    return [m.value().decode() for m in read(consumer, want, timeout, errors="raise")]


def test_connection_settings_map_to_librdkafka_and_java(tmp_path):
    props = tmp_path / "c.properties"
    props.write_text("bootstrap.servers=h1:9096, h2:9096\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                     "username=alice\npassword=p w\nssl.truststore.location=" + str(props) + "\n")
    conn = Connection.from_file(props)
    assert conn.bootstrap == "h1:9096,h2:9096"
    assert conn.librdkafka() == {"security.protocol": "sasl_ssl", "sasl.mechanism": "SCRAM-SHA-512",
                                 "sasl.username": "alice", "sasl.password": "p w", "ssl.ca.location": str(props)}
    java = read_properties(conn.java_properties())
    assert java["sasl.jaas.config"].endswith('username="alice" password="p w";')
    assert java["ssl.truststore.type"] == "PEM"
    props.write_text("bootstrap.servers=h:1\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n")
    with pytest.raises(KafkaLabError) as err:
        Connection.from_file(props)
    assert err.value.key == "external_config_bad"


def test_students_work_in_their_namespaces(klass):
    alice, bob = klass["alice"], klass["bob"]
    assert klass["create_lines"], "classroom create says what it does"
    for who, cluster in (("alice", alice), ("bob", bob)):
        cluster.create_topic("cities", partitions=3, replication_factor=3)
        delivered = produce(cluster, "cities", [f"{who}-{i}" for i in range(20)])
        assert all(not isinstance(d, KafkaError) for d in delivered), delivered
        assert {d.topic() for d in delivered} == {f"{who}.cities"}
        got = consume(cluster, "g1", "cities", 20)
        assert sorted(got) == sorted(f"{who}-{i}" for i in range(20))
        # inspect and the checks speak the course's names
        assert inspect.topics(cluster) == ["cities"]
        assert inspect.describe_topic(cluster, "cities").replication_factor == 3
        assert inspect.message_count(cluster, "cities") == 20
        group = inspect.describe_group(cluster, "g1")
        assert group.group == "g1" and group.total_lag == 0 and {p.topic for p in group.partitions} == {"cities"}
        # Kafka's tools: the notes' address, the student's names, the client config added
        result = cluster.tool("kafka-topics.sh", "--bootstrap-server", "localhost:9092", "--describe",
                              "--topic", "cities", echo=False)
        assert result.ok and f"{who}.cities" in result.stdout, result.stderr
        result = cluster.tool("kafka-console-consumer.sh", "--bootstrap-server", "localhost:9092", "--topic",
                              "cities", "--group", "g2", "--from-beginning", "--max-messages", "20", echo=False)
        assert result.ok and len(result.lines) == 20, result.stderr
        result = cluster.tool("kafka-consumer-groups.sh", "--bootstrap-server", "localhost:9092", "--describe",
                              "--group", "g2", "--timeout", "60000", echo=False)
        assert result.ok and f"{who}.g2" in result.stdout, result.stderr
    from kafkalab.grading.context import Context

    assert len(Context(cluster=alice).messages("cities")) == 20
    # the raw AdminClient speaks the course's names too: results keyed by what the lesson wrote
    from confluent_kafka import TopicCollection
    from confluent_kafka.admin import ConfigResource, NewPartitions, NewTopic

    admin = alice.admin()
    admin.create_topics([NewTopic("two-parts", 2, 3)])["two-parts"].result(timeout=30)
    described = admin.describe_topics(TopicCollection(["two-parts"]))["two-parts"].result(timeout=30)
    assert described.name == "alice.two-parts" and len(described.partitions) == 2
    admin.create_partitions([NewPartitions("two-parts", 3)])["two-parts"].result(timeout=30)
    resource = ConfigResource("topic", "two-parts")
    configs = admin.describe_configs([resource])[resource].result(timeout=30)
    assert "retention.ms" in configs
    assert inspect.describe_topic(alice, "two-parts").partitions[2].partition == 2
    admin.delete_topics(["two-parts"])["two-parts"].result(timeout=30)


def test_a_fresh_start_and_down_clear_only_my_namespace(klass, monkeypatch):
    """A lesson run again on the shared cluster starts clean: alice's old topics and groups go, bob's stay."""
    alice, bob = klass["alice"], klass["bob"]
    for cluster in (alice, bob):
        cluster.create_topic("leftover", partitions=1, replication_factor=3)
        produce(cluster, "leftover", ["old"])
        assert consume(cluster, "old-group", "leftover", 1) == ["old"]
    again = join(f"alice-again-{uuid.uuid4().hex[:4]}", klass["folder"] / "students" / "alice.properties", "alice",
                 fresh=True)
    server = []
    try:
        assert "leftover" not in inspect.topics(again) and "old-group" not in inspect.groups(again)
        assert "leftover" in inspect.topics(bob) and "old-group" in inspect.groups(bob)
        again.create_topic("mine", partitions=1, replication_factor=3)
        # the tools run on this machine: alice's tool server answers, with her login and her names, as a
        # JVM of its own would
        server = _served_tool_calls(again, "mine", "alice", monkeypatch)
    finally:
        again.down()  # alice's data goes with it, as a local cluster's does
    assert "mine" not in inspect.topics(alice) and "leftover" in inspect.topics(bob)
    from kafkalab.cluster import procs

    assert server and not any(procs.alive(p) for p in server), "down left the tool server running"
    admin = bob.admin()  # kept: a client that is let go ends its requests
    admin.delete_topics(["leftover"])["leftover"].result(timeout=30)


def _served_tool_calls(cluster, topic: str, student: str, monkeypatch) -> list:
    """Describe `topic` through the cluster's tool server (the first call starts it), then as a JVM of its
    own: the same answer. Returns the server's process."""
    from kafkalab import toolserver
    from kafkalab.cluster import procs, state

    describe = lambda: cluster.tool("kafka-topics.sh", "--bootstrap-server", "localhost:9092", "--describe",
                                    "--topic", topic, echo=False)
    monkeypatch.setenv("KAFKALAB_TOOL_SERVER", "1")
    served = describe()
    assert served.ok and f"{student}.{topic}" in served.stdout, served.stderr
    server = procs.marked(state.home_dir(), cluster.name, toolserver.NODE)
    assert len(server) == 1 and toolserver._connect(cluster.dir / "tools.sock")
    monkeypatch.setenv("KAFKALAB_TOOL_SERVER", "0")
    own_jvm = describe()
    assert (own_jvm.returncode, own_jvm.stdout) == (0, served.stdout), own_jvm.stderr
    return server


# what a student runs on the shared cluster under nbval: lessons (up to their Kafka 4.x part, which
# starts a cluster of one's own beside the shared one; WHOLE ones with it), and lab solutions that must
# earn full marks from their own checks
LESSONS_ON_SHARED = ["course/en/03_partitions.ipynb", "course/en/05_consumer_groups.ipynb"]  # both, at once
MORE_LESSONS = {"alice": ["course/en/02_topics_messages.ipynb", "course/en/00_setup.ipynb",
                          "course/en/01_concepts_zookeeper.ipynb"],
                "bob": ["course/en/06_load_testing.ipynb", "course/en/04_replication_failover.ipynb"]}
WHOLE = {"course/en/04_replication_failover.ipynb"}
LABS_ON_SHARED = ["solutions/en/lab02_topics_messages.ipynb", "solutions/en/lab03_partitions.ipynb",
                  "solutions/en/lab05_consumer_groups.ipynb"]


def _lesson_copy(lesson: Path, folder: Path, whole: bool = False) -> Path:
    """The lesson up to its "Kafka 4.x (KRaft)" part (that part starts a KRaft cluster of its own), or
    `whole`; node steps (own_nodes) keep no output to compare."""
    import nbformat

    nb = nbformat.read(str(lesson), as_version=4)
    cut = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("#")
                and "KRaft" in c.source.splitlines()[0]), len(nb.cells))
    nb.cells = nb.cells if whole else nb.cells[:cut]
    for cell in nb.cells:  # a node step shows its recorded outcome here, not the output stored for nbval
        if cell.cell_type == "code" and "own_nodes(" in cell.source:
            cell.source = cell.source.replace("# NBVAL_CHECK_OUTPUT\n", "")
            cell.outputs = []
    target = folder / lesson.name
    nbformat.write(nb, str(target))
    return target


def _append_cell(nb, source: str) -> None:
    """A last code cell in `nb`, without an id: the course's notebooks are nbformat 4.4, whose cells have none
    (an id on one cell only makes nbformat warn of the others)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    del cell["id"]
    nb.cells.append(cell)


def _graded_copy(solution: Path, folder: Path) -> Path:
    """The solution with a last cell that fails unless its own checks give full marks, and an exercise
    on a broker's disk is not graded (its cell stops with the ru/en error that says why)."""
    import nbformat

    nb = nbformat.read(str(solution), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and ".data_dir(" in cell.source:
            cell.metadata.setdefault("tags", []).append("raises-exception")
    _append_cell(nb, "from kafkalab.grading.registry import EXERCISES\n"
                     "_result = check_all()\nassert _result.score == _result.max_score > 0, str(_result)\n"
                     "assert all(r.max_points == 0 and 'KAFKALAB_ENGINE=local' in r.message\n"
                     "           for r in _result.results if EXERCISES[r.id].needs_nodes), str(_result)")
    target = folder / solution.name
    nbformat.write(nb, str(target))
    return target


def test_two_students_run_the_course_at_once(klass, tmp_path):
    """alice and bob run the same lessons and labs at the same time, each in kernels of their own, on the
    class cluster: every cell passes, and each lab's checks give full marks on the student's namespace.
    Lesson 04 runs whole: its Kafka 4.x part starts a KRaft cluster of bob's own beside the class cluster."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    runs = {}
    for who in ("alice", "bob"):
        env = {**os.environ, "KAFKALAB_ENGINE": "external", "KAFKALAB_STUDENT": who,
               "KAFKALAB_CLIENT_CONFIG": str(klass["folder"] / "students" / f"{who}.properties")}
        for key in ("KAFKALAB_BOOTSTRAP", "KAFKALAB_CLUSTER", "KAFKALAB_COURSE"):
            env.pop(key, None)
        own = tmp_path / who
        own.mkdir()
        env.update(KAFKALAB_HOME=str(own / "home"), KAFKALAB_TEST_KEEP_HOME="1")
        notebooks = [str(_lesson_copy(root / lesson, own, lesson in WHOLE))
                     for lesson in LESSONS_ON_SHARED + MORE_LESSONS[who]]
        notebooks += [str(_graded_copy(root / lab, own)) for lab in LABS_ON_SHARED]
        log = open(own / "nbval.log", "w")
        # -p conftest: the project's conftest.py for these copies outside the project (its nbval output rule)
        runs[who] = (subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "conftest", "--rootdir", str(root),
                                       "-c", str(root / "pyproject.toml"), *notebooks], cwd=root, env=env,
                                      stdout=log, stderr=subprocess.STDOUT), log)
    for who, (proc, log) in runs.items():
        proc.wait(timeout=1500)
        log.close()
        text = (tmp_path / who / "nbval.log").read_text()
        assert proc.returncode == 0, f"{who}:\n{text[-5000:]}"


def _refused(call) -> KafkaLabError:
    with pytest.raises(KafkaLabError) as err:
        call()
    assert err.value.key == "not_authorized", str(err.value)
    return err.value


def test_alice_cannot_touch_bobs_things(klass):
    raw, bob = klass["raw"], klass["bob"]
    if "cities" not in inspect.topics(bob):
        bob.create_topic("cities", 3, 3)
        produce(bob, "cities", ["b"])
    # create outside her prefix: bob's, or anyone's
    for name in ("bob.stolen", "cities", "public"):
        err = _refused(lambda name=name: raw.create_topic(name))
        assert "TOPIC_AUTHORIZATION_FAILED" in str(err) and "alice." in str(err)
    # describe
    err = _refused(lambda: inspect.describe_topic(raw, "bob.cities"))
    assert "bob.cities" in str(err)
    assert all(t.startswith("alice.") for t in inspect.topics(raw))  # bob's topics are not even listed
    # write
    delivered = produce(raw, "bob.cities", ["x"])
    assert isinstance(delivered[0], KafkaError)
    assert explain(delivered[0], raw).key == "not_authorized"
    assert delivered[0].name() == "TOPIC_AUTHORIZATION_FAILED"
    # read with her own group, and with bob's group
    for group, code in (("alice.spy", "TOPIC_AUTHORIZATION_FAILED"), ("bob.g1", "GROUP_AUTHORIZATION_FAILED")):
        with pytest.raises(KafkaException) as caught:
            consume(raw, group, "bob.cities", 1, timeout=20)
        assert caught.value.args[0].name() == code
        assert explain(caught.value, raw).key == "not_authorized"
    # bob's group: describe and delete; bob's topic: delete
    admin = raw.admin()
    with pytest.raises(KafkaException) as caught:
        admin.describe_consumer_groups(["bob.g1"], request_timeout=10)["bob.g1"].result(timeout=20)
    assert caught.value.args[0].name() == "GROUP_AUTHORIZATION_FAILED"
    with pytest.raises(KafkaException) as caught:
        admin.delete_consumer_groups(["bob.g1"], request_timeout=10)["bob.g1"].result(timeout=20)
    assert caught.value.args[0].name() == "GROUP_AUTHORIZATION_FAILED"
    with pytest.raises(KafkaException) as caught:
        admin.delete_topics(["bob.cities"], operation_timeout=10)["bob.cities"].result(timeout=20)
    assert caught.value.args[0].name() == "TOPIC_AUTHORIZATION_FAILED"
    assert explain(caught.value, raw).key == "not_authorized"
    assert "cities" in inspect.topics(bob)  # still there
    # through a student's namespace the same names cannot even be spelled: bob.cities is alice.bob.cities
    with pytest.raises(KafkaLabError) as err:
        inspect.describe_topic(klass["alice"], "bob.cities")
    assert err.value.key == "topic_unknown"


def test_node_control_is_refused_on_the_shared_cluster(klass):
    """A student's stop, kill, pause or resume of a class cluster's node is refused in words; the node runs on."""
    for action in ("stop", "kill", "pause", "resume"):
        with pytest.raises(KafkaLabError) as err:
            getattr(klass["alice"], action)("broker-0")
        assert err.value.key == "external_no_control" and action in str(err.value)
    assert klass["cluster"].alive("broker-0")
    assert len(inspect.brokers(klass["bob"])) == 3  # every broker still serves


def test_a_kafka_4_part_beside_the_shared_cluster_is_a_cluster_of_ones_own(klass, monkeypatch, capsys):
    """A lesson's Kafka 4.x part, run by a student of the class (KAFKALAB_ENGINE=external): its cluster starts
    here, in KRaft mode, with the course's bare names; the class cluster gets nothing of it."""
    monkeypatch.setenv("KAFKALAB_ENGINE", "external")
    monkeypatch.setenv("KAFKALAB_CLIENT_CONFIG", str(klass["folder"] / "students" / "alice.properties"))
    monkeypatch.setenv("KAFKALAB_STUDENT", "alice")
    own = kafkalab.up("kraft-combined", name=f"own-{uuid.uuid4().hex[:4]}", kafka="4", fresh=True)
    try:
        assert own.engine.controls_nodes and own.spec.mode == "kraft" and own.spec.kafka.startswith("4.")
        assert "Kafka 4" in capsys.readouterr().out  # it says where this part runs
        own.create_topic("months", partitions=2)
        assert "months" in own.admin().list_topics(timeout=10).topics  # no alice. on a cluster of one's own
        assert "months" not in inspect.topics(klass["alice"])
    finally:
        own.down()


def test_wrong_password_and_unreachable_in_words(klass, tmp_path):
    props = tmp_path / "wrong.properties"
    props.write_text((klass["folder"] / "students" / "bob.properties").read_text().replace("bob-pass", "nope"))
    with pytest.raises(KafkaLabError) as err:
        join(f"wrong-{uuid.uuid4().hex[:4]}", props, "bob")
    assert err.value.key == "external_auth_failed"
    assert "bob" in str(err.value) and "SASL" in str(err.value)
    assert isinstance(err.value.__cause__, KafkaException)
    assert err.value.__cause__.args[0].name() in ("_AUTHENTICATION", "SASL_AUTHENTICATION_FAILED")
    kafkalab.set_lang("ru")
    try:
        assert "не пустил" in str(err.value)
    finally:
        kafkalab.set_lang(None)
    # a TLS client on a SASL_PLAINTEXT port, and nobody at all
    tls = tmp_path / "tls.properties"
    tls.write_text(f"bootstrap.servers={klass['sasl'].split(',')[0]}\nsecurity.protocol=SSL\n")
    with pytest.raises(KafkaLabError) as err:
        join(f"tls-{uuid.uuid4().hex[:4]}", tls)
    assert err.value.key in ("external_tls_failed", "external_unreachable"), str(err.value)
    with pytest.raises(KafkaLabError) as err:
        join(f"none-{uuid.uuid4().hex[:4]}", bootstrap="127.0.0.1:1")
    assert err.value.key == "external_unreachable" and "127.0.0.1:1" in str(err.value)
    assert not [n for n in os.listdir(kafkalab.cluster.state.clusters_root()) if n.startswith(("wrong-", "none-"))]


def _rate(cluster, topic: str, total: int, size: int = 10000) -> float:
    producer = cluster.producer(**{"linger.ms": 5, "batch.size": 65536})
    payload = b"x" * size
    began = time.monotonic()
    for _ in range(total // size):
        while True:
            try:
                producer.produce(topic, payload)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    assert producer.flush(120) == 0
    return total / (time.monotonic() - began)


def test_quota_throttles_the_flooding_student_only(klass, capsys):
    alice, bob = klass["alice"], klass["bob"]
    alice.create_topic("flood", 3, 3)
    bob.create_topic("work", 1, 3)
    # the quota reaches the brokers through ZooKeeper: measure once a broker has throttled alice at least once
    throttled = []
    warm = alice.producer(**{"linger.ms": 5, "throttle_cb": throttled.append})

    def throttle_seen():
        for _ in range(20):
            try:
                warm.produce("flood", b"x" * 10000)
            except BufferError:
                break
        warm.poll(0.2)
        return throttled

    wait_for(throttle_seen, 120, "a broker to throttle alice (her quota in effect)")
    warm.flush(120)
    figures = {}
    written = sum(inspect.end_offsets(alice, "flood").values())
    flood = threading.Thread(target=lambda: figures.__setitem__("alice", _rate(alice, "flood", 1_500_000)))
    flood.start()
    # bob starts once alice's flood has written 400 KB: past her quota's first seconds, so she is throttled
    wait_for(lambda: sum(inspect.end_offsets(alice, "flood").values()) >= written + 40, 60, "alice's flood under way")
    began = time.monotonic()
    delivered = produce(bob, "work", [f"m{i}" for i in range(200)])
    got = consume(bob, "w1", "work", 200)
    figures["bob_roundtrip_s"] = time.monotonic() - began
    flood.join(180)
    figures["bob"] = _rate(bob, "work", 3_000_000)
    with capsys.disabled():
        print(f"\nquota figures: alice {figures['alice'] / 1024:.0f} KiB/s (quota {ALICE_RATE / 1024:.0f} KiB/s per "
              f"broker, 3 partition leaders), "
              f"bob {figures['bob'] / 1024:.0f} KiB/s (quota {CLASS_RATE / 1024:.0f} KiB/s), "
              f"bob's 200 messages produced+consumed during alice's flood in {figures['bob_roundtrip_s']:.1f} s")
    assert len(got) == 200 and all(not isinstance(d, KafkaError) for d in delivered)
    assert figures["alice"] < 3 * ALICE_RATE * 1.5, figures  # three leaders: three brokers' quota
    assert figures["bob"] > figures["alice"] * 2, figures
    assert figures["bob_roundtrip_s"] < 15, figures


def test_classroom_status_create_again_and_remove(klass, capsys):
    admin, roster, out = klass["admin"], klass["roster"], klass["folder"] / "students"
    if "cities" not in inspect.topics(klass["alice"]):
        klass["alice"].create_topic("cities", 3, 3)
        produce(klass["alice"], "cities", ["a"])
    before = (out / "alice.properties").read_text()
    classroom.create(admin, roster, out, {"producer_byte_rate": CLASS_RATE}, say=lambda *a: None)  # idempotent
    assert (out / "alice.properties").read_text() == before  # the kept password stays
    rows = {r["student"]: r for r in classroom.status(admin, roster)}
    with capsys.disabled():
        print("\n" + classroom.format_status(list(rows.values())))
    assert rows["alice"]["user"] and rows["alice"]["acls"] == 3
    assert "alice.cities" in rows["alice"]["topics"] and rows["alice"]["partitions"] >= 3
    assert rows["alice"]["bytes"] > 0
    assert rows["alice"]["quotas"]["producer_byte_rate"] == ALICE_RATE
    assert rows["bob"]["quotas"]["producer_byte_rate"] == CLASS_RATE
    lines = []
    classroom.remove(admin, roster, out, dry_run=True, say=lines.append)
    assert (out / "alice.properties").exists() and any("alice.cities" in ln for ln in lines)
    saved = (out / "alice.properties").read_text()
    classroom.remove(admin, roster, out, say=lambda *a: None)
    classroom.remove(admin, roster, out, say=lambda *a: None)  # again: nothing left, no error
    rows = {r["student"]: r for r in classroom.status(admin, roster)}
    assert not rows["alice"]["user"] and rows["alice"]["acls"] == 0 and not rows["alice"]["topics"]
    assert not rows["alice"]["quotas"] and not (out / "alice.properties").exists()
    stale = klass["folder"] / "stale.properties"
    stale.write_text(saved)
    with pytest.raises(KafkaLabError) as err:
        join(f"gone-{uuid.uuid4().hex[:4]}", stale, "alice")
    assert err.value.key == "external_auth_failed"


def test_tls_failure_in_words(tmp_path):
    """A TLS client meeting a server that does not speak TLS: 'external_tls_failed', _SSL chained."""
    import socket

    from kafkalab.cluster.connection import probe

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            try:
                conn.recv(1024)
                conn.sendall(b"\x00\x00\x00\x10not TLS at all, sorry")
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    props = tmp_path / "tls.properties"
    props.write_text(f"bootstrap.servers=127.0.0.1:{server.getsockname()[1]}\nsecurity.protocol=SSL\n")
    try:
        with pytest.raises(KafkaLabError) as err:
            probe(Connection.from_file(props), timeout=8)
    finally:
        stop.set()
        thread.join()
        server.close()
    assert err.value.key == "external_tls_failed", str(err.value)
    assert err.value.__cause__.args[0].name() == "_SSL"


def test_namespace_mapping(monkeypatch):
    from kafkalab import namespace

    monkeypatch.setenv("KAFKALAB_STUDENT", "alice")
    assert namespace.name("cities") == "alice.cities"
    assert namespace.name("alice.cities") == "alice.cities" and namespace.name("__consumer_offsets").startswith("__")
    assert namespace.short("alice.cities") == "cities"
    args, notes = namespace.map_tool_args(None, ["--bootstrap-server", "localhost:9092", "--topic", "cities",
                                                 "--group=g1", "--partitions", "3"])
    assert args == ["--bootstrap-server", "localhost:9092", "--topic", "alice.cities", "--group=alice.g1",
                    "--partitions", "3"]
    assert len(notes) == 2
    args, _ = namespace.map_tool_args(None, ["--alter", "--entity-type", "topics", "--entity-name", "cities",
                                             "--add-config", "retention.ms=1000"])
    assert args[4] == "alice.cities"
    args, _ = namespace.map_tool_args(None, ["--describe", "--entity-type", "brokers", "--entity-name", "0"])
    assert args[4] == "0"  # a broker keeps its id
    args, notes = namespace.console_group(None, "kafka-console-consumer", ["--topic", "alice.cities"])
    assert args[2] == "--group" and args[3].startswith("alice.console-consumer-") and notes
    for given in (["--group", "alice.g1"], ["--partition", "0"]):  # a group of its own, or none at all
        assert namespace.console_group(None, "kafka-console-consumer", given) == (given, [])
    assert namespace.console_group(None, "kafka-topics", ["--list"]) == (["--list"], [])
    args, _ = namespace.console_group(None, "kafka-consumer-perf-test", ["--topic", "alice.perf", "--messages", "9"])
    assert args[-2] == "--group" and args[-1].startswith("alice.perf-consumer-")
    monkeypatch.setenv("KAFKALAB_STUDENT", "al ice")
    with pytest.raises(KafkaLabError):
        namespace.prefix()
    monkeypatch.delenv("KAFKALAB_STUDENT")
    assert namespace.map_tool_args(None, ["--topic", "cities"]) == (["--topic", "cities"], [])


def _openssl(*args: str, cwd) -> None:
    import subprocess

    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder) -> dict:
    """A test CA, a broker certificate for 127.0.0.1/localhost signed by it, and a stranger CA."""
    for name in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.crt",
                 "-days", "2", "-subj", f"/CN=kafkalab-test-{name}", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", cwd=folder)
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf", cwd=folder)
    _openssl("pkcs8", "-topk8", "-nocrypt", "-in", "server.key", "-out", "server.pk8", cwd=folder)
    keystore = folder / "server-keystore.pem"  # Kafka's PEM keystore: the PKCS#8 key, then the chain
    keystore.write_text((folder / "server.pk8").read_text() + (folder / "server.crt").read_text())
    return {"ca": folder / "ca.crt", "other": folder / "other-ca.crt", "keystore": keystore}


@pytest.mark.skipif(not __import__("shutil").which("openssl"), reason="openssl makes the test certificates")
def test_sasl_ssl_cluster_and_a_wrong_ca(tmp_path):
    """SASL_SSL with SCRAM-SHA-512 and a PEM CA: confluent-kafka (ssl.ca.location) and Kafka's tools
    (PEM truststore) both connect; `kafkalab grade --class` grades a submission there, although the CA
    file sits under /tmp, which the namespaces sandbox replaces (the kernel gets a copy); a CA that did not
    sign the broker's certificate: 'external_tls_failed'."""
    certs = make_certificates(tmp_path)
    base = next(b for b in range(29500, 31990, 10) if port_is_free(b))
    config = {
        "listeners": f"PLAINTEXT://127.0.0.1:{{port}},SASL_SSL://127.0.0.1:{base}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{{port}},SASL_SSL://127.0.0.1:{base}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config":
            "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "ssl.keystore.type": "PEM", "ssl.keystore.location": str(certs["keystore"]),
        "authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
        "super.users": "User:admin;User:ANONYMOUS",
    }
    cluster = kafkalab.up("single", name=f"tls-{uuid.uuid4().hex[:6]}", engine="local", broker_config=config,
                          quiet=True)
    made = [cluster]
    try:
        assert cluster.tool("kafka-configs", "--zookeeper", cluster.zookeeper_connect, "--alter", "--add-config",
                            f"SCRAM-SHA-512=[password={ADMIN_PASSWORD}]", "--entity-type", "users",
                            "--entity-name", "admin", echo=False).ok
        props = tmp_path / "admin.properties"
        text = (f"bootstrap.servers=localhost:{base}\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                f"username=admin\npassword={ADMIN_PASSWORD}\nssl.truststore.location={{ca}}\n")
        props.write_text(text.format(ca=certs["ca"]))
        admin = join(f"tls-admin-{uuid.uuid4().hex[:4]}", props)
        made.append(admin)
        admin.create_topic("secret", 1, 1)
        assert inspect.topics(admin) == ["secret"]
        delivered = produce(admin, "secret", ["over TLS"])
        assert not isinstance(delivered[0], KafkaError), delivered
        result = admin.tool("kafka-console-consumer.sh", "--bootstrap-server", "localhost:9092", "--topic", "secret",
                            "--from-beginning", "--max-messages", "1", echo=False)
        assert result.ok and result.lines == ["over TLS"], result.stderr
        assert str(certs["ca"]).startswith("/tmp/")
        report = _grade_first_exercise_of_lab02(admin, tmp_path)
        assert report["status"] == "graded" and report["isolation"].startswith("namespaces"), report
        first = report["exercises"][0]
        assert first["id"] == "lab02.ex1" and first["points"] == first["max_points"] > 0, first
        props.write_text(text.format(ca=certs["other"]))
        with pytest.raises(KafkaLabError) as err:
            join(f"tls-wrong-{uuid.uuid4().hex[:4]}", props)
        assert err.value.key == "external_tls_failed", str(err.value)
        assert err.value.__cause__.args[0].name() == "_SSL"
    finally:
        for c in reversed(made):
            if c.dir.exists():
                c.down()


def _grade_first_exercise_of_lab02(cluster, tmp_path: Path) -> dict:
    """Grade the lab 02 solution's cells up to its first check (the topic `cities`, made with
    kafka-topics.sh) on `cluster` as a class cluster; its report."""
    import json
    import subprocess
    import sys

    import nbformat

    root = Path(__file__).resolve().parent.parent
    notebook = nbformat.read(str(root / "solutions/en/lab02_topics_messages.ipynb"), as_version=4)
    first = next(i for i, c in enumerate(notebook.cells) if 'check("lab02.ex1")' in c.source)
    notebook.cells = notebook.cells[:first + 1]
    path = tmp_path / "first" / "first.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook, str(path))
    run = subprocess.run([sys.executable, "-m", "kafkalab.cli", "grade", str(path), "--out", str(tmp_path / "graded"),
                          "--lab", "lab02", "--class", cluster.name, "--timeout", "120"],
                         cwd=root, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads((tmp_path / "graded" / "first.json").read_text())


ATTACK = """
from confluent_kafka.admin import AdminClient
from kafkalab.cluster.connection import Connection

try:
    print("ADMIN-READ", open({admin!r}).read())
except OSError as err:
    print("ADMIN-REFUSED", err)
conn = Connection.from_env()
client = AdminClient({{"bootstrap.servers": conn.bootstrap, **conn.librdkafka()}})
for future in client.delete_topics(["alice.grading-target"], operation_timeout=10).values():
    try:
        future.result(timeout=30)
        print("DELETED")
    except Exception as err:
        print("DELETE-REFUSED", err)
# the class cluster's inter-broker listener (no login, super user) and ZooKeeper, on the grader's network
plain = AdminClient({{"bootstrap.servers": {plain!r}, "socket.connection.setup.timeout.ms": 5000}})
for future in plain.delete_topics(["alice.grading-target"], operation_timeout=10, request_timeout=15).values():
    try:
        future.result(timeout=30)
        print("PLAIN-DELETED")
    except Exception as err:
        print("PLAIN-REFUSED", type(err).__name__)
import socket
try:
    socket.create_connection({zookeeper!r}, timeout=5).close()
    print("ZK-REACHED")
except OSError as err:
    print("ZK-REFUSED", err)
"""


def test_kafkalab_grade_on_the_class_cluster(klass, tmp_path):
    """`kafkalab grade --class`: each submission runs on the class cluster as a user of its own, in the
    namespaces sandbox. The lab 02 solution gets full marks, the exercise on a broker's disk is 0 of 0;
    the unsolved lab gets 0; a submission that goes for the instructor's credentials and alice's topic
    (with its login, then through the cluster's inter-broker listener and ZooKeeper, which the grader's
    network reaches) gets neither; afterwards no grading user, ACL, topic, group or firewall rule is left.
    Before it, a grader of this machine that was killed left its user, ACLs, quotas, a topic and a group: the
    batch removes them, and keeps the users of a running grader and of another machine's grader."""
    import json
    import subprocess
    import sys

    import nbformat
    from confluent_kafka.admin import (AclBindingFilter, AclOperation, AclPermissionType, NewTopic, ResourcePatternType,
                                       ResourceType)

    from kafkalab.grading.class_users import grading_user

    root = Path(__file__).resolve().parent.parent
    admin = klass["admin"]
    admin.admin().create_topics([NewTopic("alice.grading-target", 1, 3)])["alice.grading-target"].result(timeout=30)
    produce(admin, "alice.grading-target", ["keep me"])
    subs = tmp_path / "lab02"
    subs.mkdir()
    solution = subs / "solved.ipynb"
    solution.write_bytes((root / "solutions/en/lab02_topics_messages.ipynb").read_bytes())
    unsolved = subs / "unsolved.ipynb"
    unsolved.write_bytes((root / "labs/ru/lab02_topics_messages.ipynb").read_bytes())
    hostile = nbformat.read(str(root / "labs/en/lab02_topics_messages.ipynb"), as_version=4)
    host, port = klass["cluster"].zookeeper_connect.split(",")[0].rsplit(":", 1)
    _append_cell(hostile, ATTACK.format(admin=str(klass["folder"] / "admin.properties"),
                                        plain=klass["cluster"].bootstrap_servers, zookeeper=(host, int(port))))
    nbformat.write(hostile, str(subs / "hostile.ipynb"))
    out = tmp_path / "out"
    killed = subprocess.Popen(["true"])  # a grader of this machine, SIGKILLed mid-batch: its pid is free again
    left = classroom.Student(grading_user(killed.pid))
    elsewhere = classroom.Student(grading_user(killed.pid, host="00000000"))  # the same pid on another machine
    killed.wait()
    kept = [classroom.Student(grading_user()), elsewhere]  # and this process's: a grader that runs
    client = admin.admin()
    try:
        classroom.create_students(admin, [left, *kept], tmp_path / "users", say=lambda _line: None)
        client.create_topics([NewTopic(f"{left.prefix}work", 1, 3)])[f"{left.prefix}work"].result(timeout=30)
        produce(admin, f"{left.prefix}work", ["left behind"])
        assert consume(admin, f"{left.prefix}group", f"{left.prefix}work", 1) == ["left behind"]
        groups = client.list_consumer_groups(request_timeout=30).result(timeout=40).valid
        assert f"{left.prefix}group" in [g.group_id for g in groups]  # its offsets committed
        (subs / "broken.ipynb").write_text("{ not a notebook")  # refused before any kernel starts
        run = subprocess.run([sys.executable, "-m", "kafkalab.cli", "grade", str(solution), str(unsolved),
                              str(subs / "hostile.ipynb"), str(subs / "broken.ipynb"), "--out", str(out), "--lab", "lab02", "--class", admin.name,
                              "--timeout", "120"], cwd=root, capture_output=True, text=True, timeout=1200)
        assert run.returncode == 0, run.stderr[-3000:]
        users = client.describe_user_scram_credentials().result(timeout=30)
        assert left.name not in users and all(s.name in users for s in kept), sorted(users)
        acls = client.describe_acls(AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                                     AclOperation.ANY, AclPermissionType.ANY)).result(timeout=30)
        assert not [a for a in acls if a.principal == left.principal], acls
        assert all(len([a for a in acls if a.principal == s.principal]) == 3 for s in kept), acls
        assert not [t for t in client.list_topics(timeout=30).topics if t.startswith(left.prefix)]
        groups = client.list_consumer_groups(request_timeout=30).result(timeout=40).valid
        assert not [g.group_id for g in groups if g.group_id.startswith(left.prefix)]
        quotas = classroom.quotas(admin)
        assert left.name not in quotas and all(s.name in quotas for s in kept), quotas
    finally:
        classroom.remove_students(admin, [left, *kept], say=lambda _line: None)
    reports = {name: json.loads((out / f"{name}.json").read_text())
               for name in ("solved", "unsolved", "hostile", "broken")}
    solved = reports["solved"]
    assert solved["status"] == "graded" and solved["isolation"].startswith("namespaces"), solved
    assert solved["score"] == solved["max_score"] > 0, solved["exercises"]
    not_graded = [e for e in solved["exercises"] if e["max_points"] == 0]
    assert [e["id"] for e in not_graded] == ["lab02.ex4"] and "KAFKALAB_ENGINE=local" in not_graded[0]["message"]
    assert reports["unsolved"]["score"] == 0 and reports["hostile"]["score"] == 0
    broken = reports["broken"]  # its exercises are worth what the class cluster grades, as the others'
    assert broken["score"] == 0 and broken["error"] and broken["max_score"] == solved["max_score"], broken
    assert sum(e["max_points"] for e in broken["exercises"]) == broken["max_score"], broken["exercises"]
    last = nbformat.read(str(out / "hostile.executed.ipynb"), as_version=4).cells[-1]
    printed = "".join(o.get("text", "") for o in last.outputs).split()
    assert "ADMIN-REFUSED" in printed and "DELETE-REFUSED" in printed, last.outputs
    assert "ADMIN-READ" not in printed and "DELETED" not in printed, last.outputs
    assert "PLAIN-REFUSED" in printed and "ZK-REFUSED" in printed, last.outputs
    assert "PLAIN-DELETED" not in printed and "ZK-REACHED" not in printed, last.outputs
    rules = subprocess.run(["iptables", "-S"], capture_output=True, text=True).stdout
    assert "KAFKALAB-GRADE-" not in rules, rules  # the kernels' firewall left with the batch
    assert consume(admin, f"check-{uuid.uuid4().hex[:6]}", "alice.grading-target", 1) == ["keep me"]
    assert not [u for u in client.describe_user_scram_credentials().result(timeout=30) if u.startswith("kl-grade-")]
    acls = client.describe_acls(AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                                 AclOperation.ANY, AclPermissionType.ANY)).result(timeout=30)
    assert not [a for a in acls if a.principal.startswith("User:kl-grade-")], acls
    assert not [t for t in client.list_topics(timeout=30).topics if t.startswith("kl-grade-")]
    groups = client.list_consumer_groups(request_timeout=30).result(timeout=40).valid
    assert not [g.group_id for g in groups if g.group_id.startswith("kl-grade-")]
