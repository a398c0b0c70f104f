"""The engine boundary: engines get a Site (never a Cluster); the cluster folder's layout is named once."""
import inspect as pyinspect
import re
from pathlib import Path

import pytest

from kafkalab.cluster import state
from kafkalab.cluster.engines import base
from kafkalab.cluster.engines.base import Engine, Site, owner_exists
from kafkalab.cluster.engines.external import ExternalEngine
from kafkalab.cluster.engines.local import LocalEngine
from kafkalab.cluster.spec import ClusterSpec

pytestmark = pytest.mark.unit


def test_site_names_the_folders_inside_the_cluster_folder(tmp_path):
    spec = ClusterSpec.from_preset("three-brokers", "demo")
    site = Site(tmp_path, "demo", nodes=tuple(spec.nodes), config_files={"broker-0": "server0.properties"})
    assert site.dir == tmp_path / "clusters" / "demo"
    assert site.config_path(site.node("broker-0")) == site.dir / "config" / "server0.properties"
    assert site.data_root() == site.dir / "data"
    assert site.log_dir("broker-1") == site.dir / "logs" / "broker-1"
    assert [b.name for b in site.brokers] == ["broker-0", "broker-1", "broker-2"]
    assert LocalEngine().placement(site).data_dir(site.node("broker-2")).startswith(str(site.dir / "data"))


def test_logs_are_read_from_the_site_and_missing_ones_are_empty(tmp_path):
    spec = ClusterSpec.from_preset("single", "demo")
    site = Site(tmp_path, "demo", nodes=tuple(spec.nodes))
    broker = site.brokers[0]
    assert LocalEngine().read_log(site, broker) == ""
    site.log_dir(broker.name).mkdir(parents=True)
    (site.log_dir(broker.name) / "server.log").write_text("started (kafka.server.KafkaServer)\n")
    assert "started" in LocalEngine().read_log(site, broker)
    assert ExternalEngine().read_log(site, broker) == ""  # an external cluster has no folder of its logs


def test_a_process_belongs_to_a_cluster_while_its_state_file_exists(tmp_path):
    assert not owner_exists(str(tmp_path), "demo")
    folder = state.cluster_folder(tmp_path, "demo")
    folder.mkdir(parents=True)
    assert not owner_exists(str(tmp_path), "demo")  # a folder without state: a crashed start-up's leftovers
    (folder / state.STATE_FILE).write_text("{}")
    assert owner_exists(str(tmp_path), "demo")


def test_capabilities_are_declared_on_the_base_class():
    assert (Engine.controls_nodes, Engine.binds_host_ports) == (True, True)
    assert (ExternalEngine.controls_nodes, ExternalEngine.binds_host_ports) == (False, False)
    assert Engine().adopt(ClusterSpec.from_preset("single", "demo")) is None
    assert Engine().cluster_facts() == {}


def test_no_engine_method_takes_a_cluster():
    """Every per-cluster method of every engine is given a Site: the Cluster stays on its side."""
    classes = [Engine, LocalEngine, ExternalEngine]
    try:
        from kafkalab.cluster.engines.docker import DockerEngine
        classes.append(DockerEngine)
    except ImportError:
        pass
    for cls in classes:
        for name, method in vars(cls).items():
            if name.startswith("__") or not callable(method):
                continue
            params = list(pyinspect.signature(method).parameters)
            assert "cluster" not in params, f"{cls.__name__}.{name} takes a cluster"
            if params[:2] == ["self", "site"]:
                assert pyinspect.signature(method).parameters["site"].annotation in ("Site", Site)
    assert Path(base.__file__).read_text().count('"logs"') == 1  # the layout is named in one place


def test_servers_get_the_c1_compiler_only(tmp_path):
    """Every server (ZooKeeper, broker) runs with the C1 compiler only, as the helpers do."""
    spec = ClusterSpec.from_preset("three-brokers", "demo")
    site = Site(tmp_path, "demo", nodes=tuple(spec.nodes))
    place = LocalEngine().placement(site)
    opts = [base.node_program(node, "x.properties", None, place).server.jvm_opts for node in spec.nodes]
    assert opts == [["-XX:TieredStopAtLevel=1"]] * len(spec.nodes)


def test_a_kraft_node_formats_its_storage_only_until_it_is_formatted(tmp_path):
    spec = ClusterSpec.from_preset("kraft", "demo", kafka="4")
    site = Site(tmp_path, "demo", kafka=spec.kafka, nodes=tuple(spec.nodes), kraft_cluster_id="abc",
                config_files={n.name: f"{n.name}.properties" for n in spec.nodes})
    engine, controller = LocalEngine(), site.node("controller-1")
    [step] = engine._setup_steps(site, controller)
    assert step.main == base.STORAGE_MAIN and step.args[:3] == ["format", "-t", "abc"]
    assert "--ignore-formatted" in step.args
    folder = Path(engine.placement(site).data_dir(controller))
    folder.mkdir(parents=True)
    (folder / "meta.properties").write_text("cluster.id=abc\n")
    assert engine._setup_steps(site, controller) == []  # as --ignore-formatted decides, without a JVM
    assert engine._setup_steps(site, site.node("broker-0")) != []  # the other nodes still need theirs


def test_engines_do_not_reach_into_each_other():
    """What engines share (a host JVM's command line, the tools run from the host) is in `host` and `base`;
    no engine module imports another engine; the local and external engines run their tools on the host."""
    folder = Path(base.__file__).parent
    for module in ("local", "docker", "external", "host"):
        source = (folder / f"{module}.py").read_text()
        others = {"local", "docker", "external"} - {module}
        imported = set(re.findall(r"from \.(\w+) import|from \. import (\w+)", source))
        names = {a or b for a, b in imported}
        assert not names & others, f"{module}.py imports {names & others}"
        assert "LocalEngine" not in source or module == "local"
    assert (LocalEngine.tools_on_host, ExternalEngine.tools_on_host, Engine.tools_on_host) == (True, True, False)
