"""Instructor grading: run each submission in a fresh kernel against a fresh cluster, collect the checks.

    kafkalab grade submissions/*.ipynb --out grades/ [--timeout 300] [--gradescope]

Each submission runs in a temporary copy of its folder, with its own KAFKALAB_HOME and KAFKALAB_CLUSTER
(so its clusters never meet another's), every cell even after errors, and a per-cell timeout. Then, in the
same kernel, the lab's checks (visible and hidden, from the instructor's checks/ folder) run and their
results come back as JSON. The cluster is removed afterwards. One bad notebook never stops the batch.
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from ..i18n import t
from . import messages  # noqa: F401
from .registry import checks_dir, exercises, lab_of

RESULT_ENV = "KAFKALAB_GRADE_RESULT"
_CHECK_CALL = re.compile(r"""check(?:_all)?\(\s*["'](lab\d\d)""")


def emit(lab: str) -> None:
    """Run in the submission's kernel: grade `lab` with the kernel's namespace, write JSON to $KAFKALAB_GRADE_RESULT."""
    from .runner import _caller_ns, run_lab

    result = run_lab(lab, _caller_ns())
    Path(os.environ[RESULT_ENV]).write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def submission_lab(path: Path, notebook) -> str | None:
    """The lab a submission belongs to: from its check() calls, else from its file name."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            found = _CHECK_CALL.search(cell.source)
            if found:
                return found.group(1)
    return lab_of(path.name)


def _lang_of(path: Path) -> str | None:
    for part in reversed(path.resolve().parts):
        if part in ("en", "ru"):
            return part
    return None


@contextlib.contextmanager
def _environ(**values):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _empty(lab: str | None, message: str) -> dict:
    """The report of a submission that produced no result: every exercise at 0 with the reason."""
    rows = []
    try:
        rows = [{"id": e.id, "points": 0, "max_points": e.max_points, "passed": False, "message": message,
                 "evidence": {}} for e in exercises(lab)] if lab else []
    except Exception:
        pass
    return {"lab": lab, "score": 0, "max_score": sum(r["max_points"] for r in rows), "exercises": rows,
            "error": message}


def grade_one(path: Path, workroot: Path, cell_timeout: int, checks: Path | None, lang: str | None,
              index: int = 0) -> dict:
    """Execute one submission and return its report (never raises)."""
    import nbformat
    from nbclient import NotebookClient

    began = time.monotonic()
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as err:
        report = _empty(lab_of(path.name), t("grading_notebook_failed", error=f"{type(err).__name__}: {err}"))
        return {**report, "submission": str(path), "seconds": round(time.monotonic() - began, 1)}
    lab = submission_lab(path, notebook)
    # a copy of its folder: other files it may read, and the en/ru folder name that picks the language
    lang = lang or _lang_of(path)
    work = workroot / f"{index:03d}-{re.sub(r'[^A-Za-z0-9_.-]', '_', path.stem)}"
    folder = work / (lang or path.parent.name or "submission")
    shutil.copytree(path.parent, folder, ignore=lambda d, names: [
        n for n in names if (n.endswith(".ipynb") and n != path.name) or n in (".ipynb_checkpoints", "__pycache__")
        or (Path(d) / n).is_dir()])
    home = work / "home"
    result_file = work / "result.json"
    notebook.cells.append(nbformat.v4.new_code_cell(
        f"from kafkalab.grading import batch as _kafkalab_batch\n_kafkalab_batch.emit({lab!r})"))
    env = {**os.environ, "KAFKALAB_HOME": str(home), "KAFKALAB_CLUSTER": f"grade-{index:03d}",
           RESULT_ENV: str(result_file), "PYTHONUNBUFFERED": "1"}
    if checks:
        env["KAFKALAB_CHECKS"] = str(checks)
    if lang:
        env["KAFKALAB_LANG"] = lang
    error = None
    client = NotebookClient(notebook, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, startup_timeout=120,
                            error_on_timeout={"ename": "CellTimeoutError", "evalue": f"cell timed out ({cell_timeout} s)",
                                              "traceback": []},
                            resources={"metadata": {"path": str(folder)}})
    try:
        client.execute(env=env)
    except Exception as err:  # kernel died, could not start ...
        error = f"{type(err).__name__}: {str(err).strip().splitlines()[-1] if str(err).strip() else ''}"
    finally:
        with _environ(KAFKALAB_HOME=str(home)):
            try:
                from ..cluster import cluster as clusters

                with contextlib.redirect_stdout(open(os.devnull, "w")):
                    clusters.down(all=True)
            except Exception:
                pass
    with _environ(KAFKALAB_LANG=lang):
        if result_file.exists():
            report = json.loads(result_file.read_text())
        else:
            report = _empty(lab, t("grading_notebook_failed", error=error) if error else t("grading_no_result"))
    try:
        nbformat.write(notebook, work / f"executed-{path.name}")
    except Exception:
        pass
    return {**report, "submission": str(path), "seconds": round(time.monotonic() - began, 1)}


def _gradescope(report: dict) -> dict:
    return {"score": report["score"], "tests": [
        {"name": e["id"], "score": e["points"], "max_score": e["max_points"], "output": e["message"],
         "visibility": "visible"} for e in report["exercises"]]}


def grade(paths: list[str | Path], out: str | Path, cell_timeout: int = 300, gradescope: bool = False,
          lang: str | None = None, keep: bool = False, progress: bool = True) -> list[dict]:
    """Grade every submission; write OUT/<name>.json, OUT/grades.csv (and Gradescope results.json)."""
    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    checks = checks_dir()
    workroot = Path(tempfile.mkdtemp(prefix="kafkalab-grade-"))
    reports = []
    try:
        bar = tqdm([Path(p) for p in paths], desc="grading", unit="nb", disable=not progress)
        for index, path in enumerate(bar):
            bar.set_postfix_str(path.name)
            report = grade_one(path, workroot, cell_timeout, checks, lang, index)
            stem = path.stem if sum(Path(p).stem == path.stem for p in paths) == 1 else f"{path.stem}-{index:03d}"
            report["name"] = stem
            (out / f"{stem}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
            if gradescope:
                target = out / "gradescope" / stem / "results.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(_gradescope(report), ensure_ascii=False, indent=2))
                if len(paths) == 1:
                    (out / "results.json").write_text(json.dumps(_gradescope(report), ensure_ascii=False, indent=2))
            reports.append(report)
            bar.write(f"{path}: {report['score']}/{report['max_score']} ({report['seconds']} s)")
    finally:
        if not keep:
            shutil.rmtree(workroot, ignore_errors=True)
    _write_csv(out / "grades.csv", reports)
    return reports


def _write_csv(path: Path, reports: list[dict]) -> None:
    ids = []
    for r in reports:
        for e in r["exercises"]:
            if e["id"] not in ids:
                ids.append(e["id"])
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "lab", "score", "max_score", *ids, "seconds", "error"])
        for r in reports:
            points = {e["id"]: e["points"] for e in r["exercises"]}
            writer.writerow([r["submission"], r.get("lab"), r["score"], r["max_score"],
                             *[points.get(i, "") for i in ids], r.get("seconds"), r.get("error", "")])


def main(args) -> int:
    """Entry of `kafkalab grade` (args from the CLI parser)."""
    reports = grade(args.submissions, args.out, cell_timeout=args.timeout, gradescope=args.gradescope,
                    lang=args.lang, keep=args.keep)
    total = sum(r["score"] for r in reports)
    print(f"{len(reports)} submission(s) graded; {total} point(s) in total; see {Path(args.out) / 'grades.csv'}")
    return 0


def add_parser(sub) -> None:
    """The `grade` subcommand of the kafkalab CLI."""
    p = sub.add_parser("grade", help="grade lab submissions: run each in a fresh kernel and cluster")
    p.add_argument("submissions", nargs="+", help="submitted .ipynb files")
    p.add_argument("--out", required=True, help="folder for <submission>.json and grades.csv")
    p.add_argument("--timeout", type=int, default=300, help="per-cell timeout in seconds (default 300)")
    p.add_argument("--gradescope", action="store_true", help="also write Gradescope results.json")
    p.add_argument("--lang", choices=["en", "ru"], help="language of messages (default: the submission's folder)")
    p.add_argument("--keep", action="store_true", help="keep the executed copies (for debugging)")
