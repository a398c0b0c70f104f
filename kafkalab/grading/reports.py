"""What the grader writes: per-student JSON and feedback (Markdown, HTML), Gradescope results, CSV exports.

Every file here is written by the grader process from the reports its workers returned; no kernel
ever sees the output folder.
"""
from __future__ import annotations

import contextlib
import csv
import html
import json
from pathlib import Path

from .. import i18n
from ..i18n import t
from . import messages  # noqa: F401


@contextlib.contextmanager
def using_lang(code: str):
    """Messages in `code` for a while (each report in its student's language)."""
    saved = i18n._forced
    i18n.set_lang(code if code in i18n.LANGS else "en")
    try:
        yield
    finally:
        i18n._forced = saved


def feedback_md(report: dict) -> str:
    """The student's feedback in their language: score, each check's verdict and the evidence."""
    with using_lang(report.get("lang") or "en"):
        lines = [f"# {t('grading_feedback_title', lab=report.get('lab'))}", "",
                 f"**{t('grading_feedback_score', score=report['score'], max_score=report['max_score'])}**", ""]
        if report.get("status") == "ungradable":
            lines += [t("grading_ungradable", error=report.get("error", "")), ""]
        elif report.get("error"):
            lines += [f"> {report['error']}", ""]
        for e in report.get("exercises", []):
            mark = "✔" if e["passed"] else "✘"
            lines.append(f"## {mark} {e['id']}: {e['points']}/{e['max_points']}")
            lines += ["", e["message"], ""]
            if e.get("evidence"):
                lines += [f"<details><summary>{t('grading_feedback_evidence')}</summary>", "", "```json",
                          json.dumps(e["evidence"], ensure_ascii=False, indent=2)[:4000], "```", "", "</details>", ""]
        return "\n".join(lines)


def feedback_html(report: dict) -> str:
    with using_lang(report.get("lang") or "en"):
        rows = []
        for e in report.get("exercises", []):
            color = "#1a7f37" if e["passed"] else "#cf222e"
            evidence = html.escape(json.dumps(e.get("evidence") or {}, ensure_ascii=False, indent=1)[:4000])
            rows.append(f'<tr><td>{html.escape(e["id"])}</td><td>{e["points"]}/{e["max_points"]}</td>'
                        f'<td style="color:{color}">{html.escape(e["message"])}</td>'
                        f'<td><details><summary>{t("grading_feedback_evidence")}</summary><pre>{evidence}</pre>'
                        f'</details></td></tr>')
        title = html.escape(t("grading_feedback_title", lab=report.get("lab")))
        score = html.escape(t("grading_feedback_score", score=report["score"], max_score=report["max_score"]))
        note = f"<p>{html.escape(report['error'])}</p>" if report.get("error") else ""
        return (f'<!doctype html><html lang="{report.get("lang") or "en"}"><meta charset="utf-8"><title>{title}</title>'
                f"<h1>{title}</h1><p><b>{score}</b></p>{note}<table>{''.join(rows)}</table></html>")


def gradescope(report: dict, visibility: dict[str, str]) -> dict:
    """Gradescope's results.json: Markdown output, per-test status and visibility."""
    tests = [{"name": e["id"], "score": e["points"], "max_score": e["max_points"], "output": e["message"],
              "output_format": "md", "status": "passed" if e["passed"] else "failed",
              "visibility": visibility.get(e["id"], "visible")} for e in report.get("exercises", [])]
    result = {"score": report["score"], "output_format": "md", "tests": tests,
              "output": feedback_md(report)[:50_000]}
    if report.get("status") == "ungradable":
        result["output"] = t("grading_ungradable", error=report.get("error", ""))
    return result


def write_csvs(out: Path, reports: list[dict]) -> None:
    """grades.csv (every exercise), moodle.csv and canvas.csv (one grade per student)."""
    ids: list[str] = []
    for r in reports:
        for e in r.get("exercises", []):
            if e["id"] not in ids:
                ids.append(e["id"])
    with (out / "grades.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "submission", "lab", "status", "score", "max_score", *ids, "seconds", "error"])
        for r in reports:
            points = {e["id"]: e["points"] for e in r.get("exercises", [])}
            writer.writerow([r["name"], r["submission"], r.get("lab"), r.get("status"), r["score"], r["max_score"],
                             *[points.get(i, "") for i in ids], r.get("seconds"), r.get("error", "")])
    graded = [r for r in reports if r.get("status") == "graded"]
    with (out / "moodle.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Identifier", "Grade", "Feedback"])
        for r in graded:
            writer.writerow([r["name"], r["score"], f"{r['score']}/{r['max_score']}"])
    lab = reports[0].get("lab") if reports else "lab"
    with (out / "canvas.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{lab} ({reports[0]['max_score'] if reports else 0})"])
        writer.writerow(["Points Possible", "", "", "", "", reports[0]["max_score"] if reports else 0])
        for r in graded:
            writer.writerow([r["name"], "", r["name"], r["name"], "", r["score"]])
