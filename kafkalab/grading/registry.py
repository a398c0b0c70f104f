"""Exercises and their check functions; finding and importing the check modules of a lab.

Check modules live in the course's checks/ folder: visible ones in checks/labNN_slug.py, hidden ones in
checks/hidden/labNN_slug.py (kept apart so an instructor can withhold them). Both are imported when present.
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

_LAB = re.compile(r"(lab\d\d)")


@dataclass
class Part:
    fn: Callable
    points: int
    hidden: bool
    visibility: str = "visible"  # visible | hidden | after_due_date (Gradescope's words)
    nodes: bool = False  # reads a node's disk or stops a node: not graded on a shared cluster

    @property
    def key(self) -> tuple:
        return (self.fn.__module__.rsplit(".", 1)[-1], self.hidden, self.fn.__name__)


@dataclass
class Exercise:
    id: str
    parts: list[Part] = field(default_factory=list)

    @property
    def max_points(self) -> int:
        return sum(p.points for p in self.parts)

    @property
    def lab(self) -> str:
        return lab_of(self.id)

    @property
    def needs_nodes(self) -> bool:
        return any(p.nodes for p in self.parts)


EXERCISES: dict[str, Exercise] = {}
_loaded: set[Path] = set()


def lab_of(text: str) -> str | None:
    """'lab03' from 'lab03.ex2', 'lab03_partitions.ipynb', '/x/labs/en/lab03_partitions.ipynb'."""
    found = _LAB.findall(str(text))
    return found[-1] if found else None


def exercise(id: str, points: int, hidden: bool = False, visibility: str | None = None, nodes: bool = False):
    """Register `fn(ctx) -> dict | None` as a part of exercise `id`; all parts must pass to earn the points.

    visibility: what a student sees of it in Gradescope; hidden parts default to after_due_date.
    nodes: the exercise needs the cluster's nodes (a broker's disk, a stopped broker); on a shared class
    cluster it is not graded (0 of 0 points, and it says why).
    """
    if lab_of(id) is None or "." not in id:
        raise ValueError(f"exercise id must look like 'lab03.ex2', not {id!r}")
    visibility = visibility or ("after_due_date" if hidden else "visible")
    if visibility not in ("visible", "hidden", "after_due_date"):
        raise ValueError(f"visibility must be visible, hidden or after_due_date, not {visibility!r}")

    def register(fn):
        ex = EXERCISES.setdefault(id, Exercise(id))
        part = Part(fn, int(points), bool(hidden), visibility, bool(nodes))
        ex.parts = [p for p in ex.parts if p.key != part.key] + [part]  # re-import replaces, never doubles
        return fn

    return register


WEIGHTS: dict[str, int] = {}


def weight(lab: str, clusters: int) -> None:
    """Declare, in a lab's check module, that one submission runs `clusters` clusters' worth of JVMs
    (default 1): the grader then runs proportionally fewer submissions at once."""
    if lab_of(lab) != lab or int(clusters) < 1:
        raise ValueError(f"weight needs a lab like 'lab07' and at least 1 cluster, not {lab!r}, {clusters!r}")
    WEIGHTS[lab] = int(clusters)


def weight_of(lab: str) -> int:
    """The clusters' worth of JVMs one submission of `lab` runs, as its checks declare (1 if they do not)."""
    load(lab)
    return WEIGHTS.get(lab, 1)


def _order(ex_id: str) -> tuple:
    return tuple(int(n) if n.isdigit() else n for n in re.split(r"(\d+)", ex_id))


def exercises(lab: str) -> list[Exercise]:
    load(lab)
    return sorted((e for e in EXERCISES.values() if e.lab == lab), key=lambda e: _order(e.id))


def _is_checks_dir(path: Path) -> bool:
    return path.is_dir() and any(path.glob("lab[0-9][0-9]_*.py"))


def checks_dir() -> Path | None:
    """KAFKALAB_CHECKS, else a checks/ folder in the working directory or above, else next to the package."""
    env = os.environ.get("KAFKALAB_CHECKS")
    if env:
        path = Path(env).expanduser()
        return path.resolve() if path.is_dir() else None
    try:
        here = Path.cwd().resolve()
    except OSError:
        here = None
    starts = [here] if here else []
    starts.append(Path(__file__).resolve().parent.parent.parent)  # the repository of an editable install
    for start in starts:
        for folder in [start, *start.parents]:
            if _is_checks_dir(folder / "checks"):
                return folder / "checks"
    return None


def check_files(lab: str) -> list[Path]:
    root = checks_dir()
    if root is None:
        return []
    return sorted(root.glob(f"{lab}_*.py")) + sorted((root / "hidden").glob(f"{lab}_*.py"))


def _import(path: Path):
    """Import one check module once per process, under kafkalab_checks[.hidden].NAME."""
    path = path.resolve()
    hidden = path.parent.name == "hidden"
    name = f"kafkalab_checks.{'hidden.' if hidden else ''}{path.stem}"
    if path not in _loaded or name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _loaded.add(path)
    return sys.modules[name]


_labs: dict[str, list[Path]] = {}


def load(lab: str) -> list[Path]:
    """Import the visible and hidden check modules of `lab` (once per process); return their files.

    Once found, a lab's files are not looked for again: the grader runs its checks with the student's
    file rights, which do not reach the checks folder."""
    if _labs.get(lab):
        return _labs[lab]
    files = check_files(lab)
    for path in files:
        _import(path)
    _labs[lab] = files
    return files


def visible_module(hidden_file: str):
    """In a hidden check module: the lab's visible module, to share its helpers."""
    path = Path(hidden_file).resolve()
    return _import(path.parent.parent / path.name)
