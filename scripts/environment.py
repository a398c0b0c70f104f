#!/usr/bin/env python3
"""environment.yml (the students' conda environment) generated from pyproject.toml.

    python scripts/environment.py           # write environment.yml
    python scripts/environment.py --check   # exit 1 when environment.yml is stale

conda-forge gives Python and Java 17; every Python package comes from pyproject's dependencies through
pip, then the course's own package (`-e .`), so pip and conda users get the same versions.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"
JAVA = "openjdk=17"


def _load_toml(text: str) -> dict:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def render(pyproject_text: str) -> str:
    """The text of environment.yml for this pyproject.toml."""
    project = _load_toml(pyproject_text)["project"]
    python = project.get("requires-python", "").replace(" ", "")
    lines = [
        "# Generated from pyproject.toml by scripts/environment.py: do not edit by hand.",
        "# Regenerate: python scripts/environment.py   (python -m kafkalab.notebooks check fails when stale)",
        "# Use: conda env create -f environment.yml; conda activate kafkalab; kafkalab fetch; kafkalab doctor;",
        "#      kafkalab up three-brokers; jupyter lab course/",
        f"name: {project['name']}",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python{python}",
        f"  - {JAVA}",
        "  - pip",
        "  - pip:",
        *(f"      - {dep}" for dep in project.get("dependencies", [])),
        "      - -e .",
    ]
    return "\n".join(lines) + "\n"


def stale(root: Path = ROOT) -> bool:
    """True when environment.yml is missing or differs from what pyproject.toml gives."""
    env = root / "environment.yml"
    return not env.exists() or env.read_text() != render((root / "pyproject.toml").read_text())


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if stale():
            print("environment.yml is stale: run `python scripts/environment.py`")
            return 1
        return 0
    ENVIRONMENT.write_text(render(PYPROJECT.read_text()))
    print(f"wrote {ENVIRONMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
