"""Running the checks of an exercise or a lab: never raises, always a Result with points and a message."""
from __future__ import annotations

import html
import json
import os
import sys
from dataclasses import asdict, dataclass, field

from ..errors import KafkaLabError
from ..i18n import t
from . import messages  # noqa: F401  (registers the framework's messages)
from .context import Context, Fail
from .registry import EXERCISES, exercises, lab_of, load

_last_lab: str | None = None


@dataclass
class Result:
    id: str
    points: int
    max_points: int
    passed: bool
    message: str
    evidence: dict = field(default_factory=dict)
    reason: str = field(default="", repr=False)  # why it failed, without the id and points (for tables)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("reason")
        return data

    def __str__(self) -> str:
        return ("✔ " if self.passed else "✘ ") + self.message

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        color, mark = ("#1a7f37", "✔") if self.passed else ("#cf222e", "✘")
        text = html.escape(self.message).replace("\n", "<br>")
        return (f'<div style="border-left:4px solid {color};padding:4px 10px;margin:4px 0">'
                f'<b style="color:{color}">{mark}</b> {text}</div>')


@dataclass
class LabResult:
    lab: str
    results: list[Result]

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_points for r in self.results)

    def to_dict(self) -> dict:
        return {"lab": self.lab, "score": self.score, "max_score": self.max_score,
                "exercises": [r.to_dict() for r in self.results]}

    def _rows(self):
        for r in self.results:
            yield r.id, f"{r.points}/{r.max_points}", t("grading_ok") if r.passed else t("grading_not_ok"), r

    def __str__(self) -> str:
        lines = [f"{t('grading_col_exercise'):<12} {t('grading_col_points'):>8}  {t('grading_col_result')}"]
        for ex_id, pts, verdict, r in self._rows():
            lines.append(f"{ex_id:<12} {pts:>8}  {verdict}" + ("" if r.passed else f": {r.reason or r.message}"))
        lines.append(f"{t('grading_summary_total'):<12} {self.score:>5}/{self.max_score}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        rows = []
        for ex_id, pts, verdict, r in self._rows():
            color = "#1a7f37" if r.passed else "#cf222e"
            detail = "" if r.passed else html.escape(r.reason or r.message)
            rows.append(f'<tr><td>{ex_id}</td><td style="text-align:right">{pts}</td>'
                        f'<td style="color:{color}">{verdict}</td><td style="text-align:left">{detail}</td></tr>')
        return (f'<table><tr><th>{t("grading_col_exercise")}</th><th>{t("grading_col_points")}</th>'
                f'<th>{t("grading_col_result")}</th><th></th></tr>{"".join(rows)}'
                f'<tr><td><b>{t("grading_summary_total")}</b></td><td style="text-align:right"><b>'
                f'{self.score}/{self.max_score}</b></td><td></td><td></td></tr></table>')


def _plain(evidence) -> dict:
    """Evidence as JSON-safe data (tuples -> lists, odd objects -> str)."""
    if evidence is None:
        return {}
    if not isinstance(evidence, dict):
        evidence = {"value": evidence}
    return json.loads(json.dumps(evidence, default=str))


def run_exercise(ex_id: str, ns: dict | None = None, ctx: Context | None = None) -> Result:
    """Run every part of exercise `ex_id`; all must pass for the points. Never raises."""
    try:
        return _run_exercise(ex_id, ns, ctx)
    except Exception as err:  # a bug in the framework itself still gives 0 points and a message
        return Result(ex_id, 0, 0, False, t("grading_check_error", error=f"{type(err).__name__}: {err}"))


def _run_exercise(ex_id: str, ns: dict | None, ctx: Context | None) -> Result:
    global _last_lab
    lab = lab_of(ex_id) or "?"
    try:
        load(lab)
    except Exception as err:  # a broken check module must not break the notebook
        return Result(ex_id, 0, 0, False, t("grading_check_error", error=f"{type(err).__name__}: {err}"))
    _last_lab = lab
    ex = EXERCISES.get(ex_id)
    if ex is None:
        known = ", ".join(e.id for e in exercises(lab))
        from .registry import checks_dir

        key = "grading_unknown_exercise" if known else "grading_no_checks"
        return Result(ex_id, 0, 0, False, t(key, id=ex_id, lab=lab, known=known or "-",
                                             where=str(checks_dir() or "checks/")))
    ctx = ctx or Context(ns)
    if ex.needs_nodes and not _own_nodes(ctx):
        return Result(ex_id, 0, 0, True, t("grading_needs_nodes", id=ex_id), {"graded": False})
    evidence: dict = {}
    reason = None
    for part in sorted(ex.parts, key=lambda p: p.hidden):  # visible parts speak first
        try:
            found = part.fn(ctx)
            evidence.update(_plain(found))
        except Fail as fail:
            reason = str(fail)
        except KafkaLabError as err:
            reason = str(err)
        except Exception as err:  # any bug or surprise in a check: 0 points and a message, no traceback
            reason = t("grading_check_error", error=f"{type(err).__name__}: {err}")
        if reason is not None:
            break
    if reason is None:
        return Result(ex_id, ex.max_points, ex.max_points, True,
                      t("grading_passed", id=ex_id, points=ex.max_points, max_points=ex.max_points), evidence)
    return Result(ex_id, 0, ex.max_points, False,
                  t("grading_failed", id=ex_id, max_points=ex.max_points, reason=reason), evidence, reason)


def _own_nodes(ctx: Context) -> bool:
    """Whether the notebook's cluster lets kafkalab reach its nodes (False on a shared class cluster)."""
    try:
        return ctx.cluster.engine.controls_nodes
    except Fail:
        return True  # no cluster: the exercise's own parts say so


def run_lab(lab: str, ns: dict | None = None) -> LabResult:
    """Run every exercise of `lab` against one shared context."""
    try:
        found = exercises(lab)
    except Exception as err:
        return LabResult(lab, [Result(f"{lab}.?", 0, 0, False, t("grading_check_error", error=str(err)))])
    ctx = Context(ns)
    return LabResult(lab, [run_exercise(e.id, ns, ctx) for e in found])


def _caller_ns(depth: int = 2) -> dict:
    try:
        ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        ip = None
    if ip is not None:
        return ip.user_ns
    return sys._getframe(depth).f_globals


def _in_ipython() -> bool:
    try:
        return get_ipython() is not None  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        return False


def guess_lab(ns: dict | None = None) -> str | None:
    """The lab of this notebook: the last one check() ran, the notebook's file name, or the folder."""
    if _last_lab:
        return _last_lab
    ns = ns or {}
    for hint in (ns.get("__session__"), os.environ.get("JPY_SESSION_NAME"), ns.get("__vsc_ipynb_file__")):
        if hint and lab_of(os.path.basename(str(hint))):
            return lab_of(os.path.basename(str(hint)))
    cwd = os.getcwd()
    if lab_of(os.path.basename(cwd)):
        return lab_of(os.path.basename(cwd))
    labs = {lab_of(n) for n in os.listdir(cwd) if n.endswith(".ipynb") and lab_of(n)}
    return labs.pop() if len(labs) == 1 else None


def check(ex_id: str, ns: dict | None = None) -> Result:
    """Check exercise `ex_id` (e.g. 'lab03.ex2') against the live cluster and your variables."""
    result = run_exercise(ex_id, ns if ns is not None else _caller_ns())
    if not _in_ipython():
        print(result)
    return result


def check_all(lab: str | None = None, ns: dict | None = None) -> LabResult:
    """Check every exercise of the lab and show a table with points."""
    ns = ns if ns is not None else _caller_ns()
    lab = lab or guess_lab(ns)
    if lab is None:
        result = LabResult("?", [Result("?", 0, 0, False, t("grading_lab_unknown"))])
    else:
        result = run_lab(lab, ns)
    if not _in_ipython():
        print(result)
    return result
