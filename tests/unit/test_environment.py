"""environment.yml is generated from pyproject.toml and kept in step with it; the wheel holds no checks."""
import importlib.util
import shutil
from pathlib import Path

import pytest

from kafkalab import notebooks

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def generator():
    spec = importlib.util.spec_from_file_location("environment_script", ROOT / "scripts" / "environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_environment_yml_is_up_to_date():
    assert not generator().stale(ROOT), "run `python scripts/environment.py`"


def test_environment_has_conda_forge_python_java_and_the_pip_dependencies():
    module = generator()
    text = (ROOT / "environment.yml").read_text()
    project = module._load_toml((ROOT / "pyproject.toml").read_text())["project"]
    assert "channels:\n  - conda-forge\n" in text
    assert "  - openjdk=17\n" in text and f"  - python{project['requires-python']}\n" in text
    for dep in project["dependencies"]:
        assert f"      - {dep}\n" in text
    for test_only in ("pytest", "nbval", "playwright"):  # students do not need the test tools
        assert f"- {test_only}" not in text


def test_a_stale_environment_fails_the_check(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "environment.py", tmp_path / "scripts")
    shutil.copy(ROOT / "environment.yml", tmp_path)
    pyproject = (ROOT / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(pyproject)
    assert notebooks.environment_problems(tmp_path) == []
    (tmp_path / "pyproject.toml").write_text(pyproject.replace('"tqdm>=4.60",', '"tqdm>=4.60",\n    "rich>=13",'))
    assert notebooks.environment_problems(tmp_path) == [
        "environment.yml is stale (pyproject.toml changed): run `python scripts/environment.py`"]
    assert notebooks.environment_problems(tmp_path) == [p for p in notebooks.problems(tmp_path)
                                                        if "environment.yml" in p]


def test_packaging_keeps_test_tools_and_checks_out_of_the_student_install():
    project = generator()._load_toml((ROOT / "pyproject.toml").read_text())
    deps = " ".join(project["project"]["dependencies"])
    assert not any(name in deps for name in ("pytest", "nbval", "playwright"))
    assert {"pytest", "nbval", "playwright"} <= {d.split(">")[0] for d in project["project"]["optional-dependencies"]["test"]}
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["kafkalab*"]
    assert project["project"]["license"] == "Apache-2.0"
    markers = " ".join(project["tool"]["pytest"]["ini_options"]["markers"])
    assert "unit:" in markers and "integration:" in markers
