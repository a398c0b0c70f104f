"""The autograder is not vacuous: solutions score full marks, unsolved labs score 0, wrong answers fail.

For every lab in solutions/en/ (its test lives in tests/test_grading_labNN.py, one file per lab so the
test workers share them; a test here checks that each lab has one), one `kafkalab grade` run (the instructor's path: fresh kernel, fresh cluster per submission) grades

- the solution (ru; the same code as en): every exercise passes, full marks, no cell raises (this is the
  solution's nbval-like run in CI: scripts/test runs no solutions/ notebook under nbval);
- the generated, unsolved lab (ru): every exercise 0 points, messages in Russian;
- the wrong variants of tests/wrong_variants/labNN.py, in two notebooks: exactly those exercises fail.

Framework tests without a cluster come first: missing variables, crashing checks, no cluster, finding checks/.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kafkalab.grading import Context, Fail, exercise, run_exercise, run_lab
from kafkalab.grading import registry
from kafkalab.notebooks import _BLOCK

ROOT = Path(__file__).resolve().parent.parent
LABS = sorted(p.stem for p in (ROOT / "solutions" / "en").glob("lab[0-9][0-9]_*.md"))
VARIANTS_DIR = Path(__file__).resolve().parent / "wrong_variants"
CHECK_CELL = re.compile(r"""check\(\s*["'](lab\d\d\.[\w.]+)["']\s*\)""")


# --- the framework, no cluster needed -------------------------------------------------------------------
@pytest.fixture
def checks_folder(tmp_path, monkeypatch):
    folder = tmp_path / "checks"
    (folder / "hidden").mkdir(parents=True)
    (folder / "lab97_unit.py").write_text(
        "from kafkalab.grading import exercise, Fail\n"
        "@exercise('lab97.ex1', points=2)\n"
        "def needs_x(ctx):\n"
        "    ctx.expect(ctx.var('x', int) == 3, 'grading_wrong_type', name='x', expected='3', actual=ctx.get('x'),\n"
        "               key='a value named key')\n"
        "    return {'x': 3}\n"
        "@exercise('lab97.ex2', points=1)\n"
        "def crashes(ctx):\n"
        "    return 1 / 0\n"
        "@exercise('lab97.ex3', points=1)\n"
        "def needs_cluster(ctx):\n"
        "    return {'topics': ctx.inspect.topics(ctx.cluster)}\n"
        "@exercise('lab97.ex4', points=2, nodes=True)\n"
        "def reads_a_disk(ctx):\n"
        "    ctx.expect(ctx.var('seen', bool), 'grading_missing_var', name='seen')\n")
    (folder / "hidden" / "lab97_unit.py").write_text(
        "from kafkalab.grading import exercise\n"
        "@exercise('lab97.ex1', points=1, hidden=True)\n"
        "def hidden_y(ctx):\n"
        "    ctx.expect(ctx.var('y') == 'secret', 'grading_missing_var', name='y')\n")
    monkeypatch.setenv("KAFKALAB_CHECKS", str(folder))
    monkeypatch.setenv("KAFKALAB_HOME", str(tmp_path / "home"))  # no cluster here
    monkeypatch.setenv("KAFKALAB_LANG", "en")
    return folder


def test_parts_are_all_or_nothing_and_never_raise(checks_folder, monkeypatch):
    ok = run_exercise("lab97.ex1", {"x": 3, "y": "secret"})
    assert (ok.passed, ok.points, ok.max_points, ok.evidence) == (True, 3, 3, {"x": 3})
    hidden_fails = run_exercise("lab97.ex1", {"x": 3, "y": "guess"})
    assert (hidden_fails.passed, hidden_fails.points, hidden_fails.max_points) == (False, 0, 3)
    wrong = run_exercise("lab97.ex1", {"x": 4, "y": "secret"})
    assert not wrong.passed and "`x` should be 3, but it is 4" in wrong.message
    missing = run_exercise("lab97.ex1", {})
    assert not missing.passed and "`x` is not defined" in missing.message
    placeholder = run_exercise("lab97.ex1", {"x": ...})  # the unsolved lab's `...`
    assert "`x` is not defined" in placeholder.message
    crash = run_exercise("lab97.ex2", {})
    assert crash.points == 0 and "ZeroDivisionError" in crash.message and "Traceback" not in crash.message
    no_cluster = run_exercise("lab97.ex3", {})
    assert no_cluster.points == 0 and "No cluster is running" in no_cluster.message
    monkeypatch.setenv("KAFKALAB_LANG", "ru")
    assert "Для этого ноутбука не запущен кластер" in run_exercise("lab97.ex3", {}).message
    unknown = run_exercise("lab97.ex9", {})
    assert not unknown.passed and "lab97.ex1" in unknown.message
    lab = run_lab("lab97", {"x": 3, "y": "secret"})
    assert [r.id for r in lab.results] == ["lab97.ex1", "lab97.ex2", "lab97.ex3", "lab97.ex4"]
    assert (lab.score, lab.max_score) == (3, 7)
    assert "3/7" in str(lab) and "<table>" in lab._repr_html_()


def test_an_exercise_on_nodes_is_not_graded_on_a_shared_cluster(checks_folder, monkeypatch):
    from types import SimpleNamespace

    def on(controls_nodes: bool, ns: dict):
        ctx = Context(ns)
        ctx._cluster = SimpleNamespace(engine=SimpleNamespace(controls_nodes=controls_nodes))
        return run_exercise("lab97.ex4", ns, ctx)

    shared = on(False, {})
    assert (shared.passed, shared.points, shared.max_points) == (True, 0, 0)
    assert "not graded on the shared class cluster" in shared.message and shared.evidence == {"graded": False}
    assert (on(True, {"seen": True}).points, on(True, {}).points, on(True, {}).max_points) == (2, 0, 2)
    monkeypatch.setenv("KAFKALAB_LANG", "ru")
    assert "не оценивается" in on(False, {}).message


def test_fail_and_context_helpers(checks_folder):
    ctx = Context({"n": 1})
    with pytest.raises(Fail) as err:
        ctx.var("n", str)
    assert "`n` should be str" in str(err.value)
    with pytest.raises(Fail):
        ctx.expect(False, "grading_missing_var", name="key is a fine value name", key=1)


def test_checks_folder_found_from_a_lab_folder(monkeypatch):
    monkeypatch.delenv("KAFKALAB_CHECKS", raising=False)
    monkeypatch.chdir(ROOT / "labs" / "en")
    assert registry.checks_dir() == ROOT / "checks"


def test_every_lab_has_checks_hidden_parts_and_messages_in_both_languages():
    from kafkalab.i18n import MESSAGES

    assert LABS, "no solutions found"
    for lab in LABS:
        lab_id = lab[:5]
        exercises = registry.exercises(lab_id)
        assert len(exercises) >= 4, f"{lab}: at least four exercises"
        assert any(p.hidden for e in exercises for p in e.parts), f"{lab}: no hidden check"
        assert (ROOT / "checks" / "hidden" / f"{lab}.py").exists()
        for key in re.findall(r'"(lab\d\d_[a-z0-9_]+)": \{', (ROOT / "checks" / f"{lab}.py").read_text()):
            assert MESSAGES[key]["en"] and MESSAGES[key]["ru"]
        cells = CHECK_CELL.findall((ROOT / "solutions" / "en" / f"{lab}.md").read_text())
        assert sorted(set(cells)) == sorted(e.id for e in exercises), f"{lab}: a check() cell per exercise"


# --- the labs, graded through `kafkalab grade` ---------------------------------------------------------
def blocks_by_exercise(text: str) -> dict[str, list[re.Match]]:
    """Each solution block belongs to the exercise of the next check("...") call after it."""
    found: dict[str, list[re.Match]] = {}
    for match in _BLOCK.finditer(text):
        after = CHECK_CELL.search(text, match.end())
        if after:
            found.setdefault(after.group(1), []).append(match)
    return found


def variant_text(text: str, ex_id: str, replacement: str | list[str]) -> str:
    blocks = blocks_by_exercise(text)[ex_id]
    codes = [replacement] if isinstance(replacement, str) else list(replacement)
    for match, code in sorted(zip(blocks, codes), key=lambda pair: -pair[0].start()):
        indent = match.group("indent")
        body = "".join(f"{indent}{line}\n" if line else "\n" for line in code.rstrip("\n").split("\n"))
        text = text[:match.start()] + body + text[match.end():]
    return text


def load_variants(lab: str) -> dict:
    path = VARIANTS_DIR / f"{lab[:5]}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"wrong_{lab[:5]}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VARIANTS


def write_ipynb(text: str, target: Path) -> Path:
    import jupytext

    target.parent.mkdir(parents=True, exist_ok=True)
    notebook = jupytext.reads(text, fmt="md")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    jupytext.write(notebook, target, fmt="ipynb")
    return target


def grade(submissions: list[Path], out: Path, lab: str) -> dict[str, dict]:
    env = {**os.environ, "KAFKALAB_ENGINE": os.environ.get("KAFKALAB_TEST_GRADING_ENGINE", "local")}
    env.pop("KAFKALAB_CHECKS", None)
    run = subprocess.run([sys.executable, "-m", "kafkalab.cli", "grade", *map(str, submissions), "--out", str(out),
                          "--lab", lab, "--timeout", "360", "--gradescope"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    reports = {}
    for path in out.glob("*.json"):
        if path.name != "results.json" and not path.name.endswith(".executed.ipynb"):
            report = json.loads(path.read_text())
            reports[report["submission"]] = report
    return reports


def variant_groups(ids: list[str]) -> list[list[str]]:
    """Two notebooks (default): the wrong variants of every other exercise, then of the rest. Each check then
    fails on its own wrong code and passes beside the others' wrong code, in 4 submissions a lab instead of
    10 (grading of the 8 labs: 1462 s of test time against 3185 s). KAFKALAB_TEST_VARIANTS=each: one
    notebook per wrong variant."""
    if os.environ.get("KAFKALAB_TEST_VARIANTS") == "each":
        return [[i] for i in ids]
    return [ids[0::2], ids[1::2]] if len(ids) > 1 else [ids]


def verdicts(report: dict) -> dict[str, bool]:
    return {e["id"]: e["passed"] for e in report["exercises"]}


def lab_grading_test(lab: str):
    """The grading test of one lab, for its own file tests/test_grading_labNN.py: with a file per worker
    (scripts/test), the labs' gradings (3-10 min each) spread over the workers instead of one taking all."""
    @pytest.mark.slow
    def test(tmp_path):
        lab_grading_is_not_vacuous(lab, tmp_path)
    return test


def test_every_lab_has_its_grading_test_file():
    for lab in LABS:
        path = Path(__file__).with_name(f"test_grading_{lab[:5]}.py")
        assert path.exists() and f'lab_grading_test("{lab}")' in path.read_text(), f"{path.name} grades {lab}"


def lab_grading_is_not_vacuous(lab: str, tmp_path: Path) -> None:
    source = (ROOT / "solutions" / "en" / f"{lab}.md").read_text()
    ids = sorted(blocks_by_exercise(source))
    variants = load_variants(lab)
    assert sorted(variants) == sorted(set(ids) | set(variants)) and set(ids) <= set(variants), \
        f"{lab}: every exercise needs a wrong variant in tests/wrong_variants/{lab[:5]}.py (missing: {sorted(set(ids) - set(variants))})"
    # the Russian solution (its code is the English one's): its only run in CI, so every cell must pass
    solution = write_ipynb((ROOT / "solutions" / "ru" / f"{lab}.md").read_text(),
                           tmp_path / "subs" / "ru" / f"{lab}__solution.ipynb")
    unsolved = write_ipynb((ROOT / "labs" / "ru" / f"{lab}.md").read_text(), tmp_path / "subs" / "ru" / f"{lab}.ipynb")
    expected = {solution: {i: True for i in ids}, unsolved: {i: False for i in ids}}
    for group in variant_groups(sorted(variants)):
        text = source
        for ex_id in group:
            text = variant_text(text, ex_id, variants[ex_id])
        path = write_ipynb(text, tmp_path / "subs" / "en" / f"{lab}__{'_'.join(g.replace('.', '') for g in group)}.ipynb")
        expected[path] = {i: i not in group for i in ids}

    reports = grade(list(expected), tmp_path / "out", lab[:5])  # no regrade: a disagreement is a failure

    for path, want in expected.items():
        report = reports[str(path)]
        assert report["status"] == "graded", (path.name, report.get("error"))
        assert verdicts(report) == want, (path.name, [(e["id"], e["message"]) for e in report["exercises"]])
    sol = reports[str(solution)]
    assert sol["score"] == sol["max_score"] > 0
    assert sol["cells_failed"] == [] and sol["cells_interrupted"] == [] and not sol["kernel_stopped"], sol
    assert all(e["evidence"] for e in sol["exercises"]), "a passing check returns what it read"
    empty = reports[str(unsolved)]
    assert empty["score"] == 0 and all(e["points"] == 0 for e in empty["exercises"])
    assert all(re.search("[а-яА-Я]", e["message"]) for e in empty["exercises"]), "the ru lab speaks Russian"

    # the documented output: one JSON per submission, grades.csv, Gradescope results
    out = tmp_path / "out"
    for report in reports.values():
        assert {"score", "max_score", "exercises", "submission", "lab"} <= set(report)
        assert {"kafkalab_version", "checks_hash", "notebook_hash", "cluster_id", "isolation", "status"} <= set(report)
        for e in report["exercises"]:
            assert set(e) == {"id", "points", "max_points", "passed", "message", "evidence"}
    assert sol["cluster_id"] and sol["isolation"].split("+")[0] in (("docker", "namespaces") if os.geteuid() == 0 else ("docker", "weak"))
    assert (out / f"{sol['name']}.feedback.md").read_text().count("✔") == len(ids)
    assert {"moodle.csv", "canvas.csv"} <= {p.name for p in out.iterdir()}
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert len(rows) == len(expected)
    assert {"submission", "lab", "score", "max_score", *ids} <= set(rows[0])
    row = next(r for r in rows if r["submission"] == str(solution))
    assert int(row["score"]) == sol["score"]
    scope = json.loads(next((out / "gradescope").glob(f"{lab}*/results.json")).read_text())
    assert {"score", "tests"} <= set(scope) and {"name", "score", "max_score", "output"} <= set(scope["tests"][0])
    assert {t["status"] for t in scope["tests"]} <= {"passed", "failed"} and scope["tests"][0]["output_format"] == "md"
    assert {t["visibility"] for t in scope["tests"]} >= {"after_due_date"}, "hidden parts are not shown before the due date"


def test_reports_folder_inside_the_submissions_folder(tmp_path):
    """`kafkalab grade subs/*.ipynb --out subs/graded`: the reports folder is hidden with its parent."""
    subs = tmp_path / "subs"
    solution = write_ipynb((ROOT / "solutions" / "en" / "lab00_setup.md").read_text(), subs / "lab00_setup.ipynb")
    reports = grade([solution], subs / "graded", "lab00")
    report = reports[str(solution)]
    assert report["status"] == "graded", report.get("error")
    assert report["score"] == report["max_score"] > 0
