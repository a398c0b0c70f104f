"""Class-data sharing for the CLI tools: trained once against a live cluster, then used; a broken archive
is ignored without a word."""
import pytest

from kafkalab import cds


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(cds, "folder", lambda: tmp_path / "cds")
    cds._tried.clear()
    return tmp_path


def archive_in(argv):
    return next((a.split("=", 1)[1] for a in argv if a.startswith("-XX:SharedArchiveFile=")), None)


def test_tools_share_one_trained_archive_and_survive_a_broken_one(make_cluster, own_cache):
    cluster = make_cluster("single", "local")
    cluster.create_topic("cds-topic")
    from kafkalab import tools

    argv, _ = tools.command(cluster, "kafka-consumer-groups.sh", ["--bootstrap-server", cluster.bootstrap_servers,
                                                                  "--list"])
    archive = archive_in(argv)
    assert archive and archive.startswith(str(own_cache)), argv  # trained on the first tool call
    listed = cluster.tool("kafka-topics.sh", "--bootstrap-server", cluster.bootstrap_servers, "--list", echo=False)
    assert listed.ok and "cds-topic" in listed.lines and listed.stderr == ""

    with open(archive, "r+b") as f:  # a damaged archive (or one of another Java): the JVM must just skip it
        f.seek(64)
        f.write(b"\0" * 4096)
    listed = cluster.tool("kafka-topics.sh", "--bootstrap-server", cluster.bootstrap_servers, "--list", echo=False)
    assert listed.ok and "cds-topic" in listed.lines, listed.stderr
    assert listed.stderr == ""


def test_off_switch(make_cluster, own_cache, monkeypatch):
    monkeypatch.setenv("KAFKALAB_CDS", "0")
    cluster = make_cluster("single", "local")
    from kafkalab import tools

    argv, _ = tools.command(cluster, "kafka-topics.sh", ["--bootstrap-server", cluster.bootstrap_servers, "--list"])
    assert archive_in(argv) is None and not (own_cache / "cds").exists()


def test_servers_list_their_classes_then_start_from_the_archive(make_cluster, tmp_path, monkeypatch):
    import psutil

    monkeypatch.setenv("KAFKALAB_CDS_DIR", str(tmp_path / "archives"))

    def flags(cluster):
        found = {}
        for p in psutil.process_iter(["cmdline"]):
            cmd = p.info["cmdline"] or []
            if f"-Dkafkalab.cluster={cluster.name}" in cmd:
                node = next(a.split("=", 1)[1] for a in cmd if a.startswith("-Dkafkalab.node="))
                found[node] = [a.split("=")[0] for a in cmd if "SharedArchiveFile" in a or "DumpLoadedClassList" in a]
        return found

    first = make_cluster("single", "local")
    assert flags(first) == {"zookeeper-1": ["-XX:DumpLoadedClassList"], "broker-0": ["-XX:DumpLoadedClassList"]}
    first.down()
    archives = sorted(p.name.split("-")[0] for p in (tmp_path / "archives").glob("*.jsa"))
    assert archives == ["broker", "zookeeper"] and not list((tmp_path / "archives").glob("*.classlist"))

    second = make_cluster("single", "local")
    assert flags(second) == {"zookeeper-1": ["-XX:SharedArchiveFile"], "broker-0": ["-XX:SharedArchiveFile"]}
    second.create_topic("after-cds")
    producer = second.producer()
    producer.produce("after-cds", b"x")
    assert producer.flush(30) == 0
