"""Text-first notebooks: jupytext Markdown sources -> the .ipynb students open; labs from solutions.

    python -m kafkalab.notebooks sync     # solutions -> labs, every .md -> .ipynb
    python -m kafkalab.notebooks sync lab01_concepts_zookeeper   # only these (both languages)
    python -m kafkalab.notebooks check    # fail when an .ipynb or a lab is stale, or ru and en differ in code
    python -m kafkalab.notebooks record course/en/02_topics_messages.ipynb   # store outputs nbval compares

Layout: course/{en,ru}/NN_slug.md, solutions/{en,ru}/labNN_slug.md; labs/ is generated from solutions/
by replacing each `# BEGIN SOLUTION` ... `# END SOLUTION` block with a placeholder. A marker that is
unterminated, nested, stray or outside a code cell is an error with its file and line (`check` reports it,
`sync` refuses the file). Outputs already in a committed .ipynb are kept for cells whose source did not
change (nbval compares the marked ones). `check` also fails when environment.yml is stale.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT_DIRS = ("course", "solutions", "labs")
LANGS = ("en", "ru")
PLACEHOLDER = "...  # YOUR CODE HERE / ВАШ КОД ЗДЕСЬ"
_BLOCK = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION[^\n]*\n.*?^[ \t]*# END SOLUTION[^\n]*(\n|$)",
                    re.MULTILINE | re.DOTALL)
BEGIN_MARK = "# BEGIN SOLUTION"
END_MARK = "# END SOLUTION"
_MARK_LINE = re.compile(r"^[ \t]*(# BEGIN SOLUTION|# END SOLUTION)\b")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")


class MarkerError(ValueError):
    """Solution markers that cannot be stripped safely; `lines` holds one "file:line: message" each."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def marker_problems(source: str) -> list[tuple[int, str]]:
    """(line, message) for every BEGIN/END SOLUTION marker that is unterminated, nested, stray, misspelt or
    outside a code cell. A block must open and close inside one fenced code cell."""
    found: list[tuple[int, str]] = []
    opened: list[int] = []  # lines of the BEGINs not closed yet (more than one: nested)
    in_code = False
    for number, line in enumerate(source.splitlines(), start=1):
        if _FENCE.match(line):
            if in_code:
                found += [(begin, f"unterminated {BEGIN_MARK}: its code cell ends at line {number} "
                                  f"without {END_MARK}") for begin in opened]
                opened = []
            in_code = not in_code
            continue
        mark = _MARK_LINE.match(line)
        if mark is None:
            if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
                found.append((number, f"malformed solution marker {line.strip()!r}: write "
                                      f"`{BEGIN_MARK}` or `{END_MARK}` at the start of a line of its own"))
        elif not in_code:
            found.append((number, f"{mark.group(1)} outside a code cell"))
        elif mark.group(1) == BEGIN_MARK:
            if opened:
                found.append((number, f"nested {BEGIN_MARK}: the block opened at line {opened[-1]} "
                                      f"is not closed yet"))
            opened.append(number)
        elif not opened:
            found.append((number, f"stray {END_MARK}: no open {BEGIN_MARK} before it"))
        else:
            opened.pop()
    found += [(begin, f"unterminated {BEGIN_MARK}: no {END_MARK} before the end of the file")
              for begin in opened]
    return sorted(found)


def lab_text(source: str, name: str = "<solution>") -> str:
    """A lab from a solution: each solution block becomes one placeholder line, nothing else changes.

    MarkerError (with file and line) when a marker is unterminated, nested, stray or outside a code cell.
    """
    found = marker_problems(source)
    if found:
        raise MarkerError([f"{name}:{line}: {message}" for line, message in found])
    return _BLOCK.sub(lambda m: f"{m.group('indent')}{PLACEHOLDER}\n", source)


def _read(path: Path):
    import jupytext

    return jupytext.read(path, fmt="md")


def _write_ipynb(notebook, target: Path) -> bool:
    """Write `notebook` to `target`, keeping outputs of unchanged cells; True when the file changed."""
    import nbformat

    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    old = nbformat.read(target, as_version=4) if target.exists() else None
    if old is not None:
        kept = {c.source: c for c in old.cells if c.cell_type == "code"}
        for cell in notebook.cells:
            if cell.cell_type == "code" and cell.source in kept:
                cell.outputs = kept[cell.source].get("outputs", [])
                cell.execution_count = kept[cell.source].get("execution_count")
    for cell in notebook.cells:
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    notebook.nbformat, notebook.nbformat_minor = 4, 4
    text = nbformat.writes(notebook, version=4) + "\n"
    if target.exists() and target.read_text() == text:
        return False
    target.write_text(text)
    return True


def sources(root: Path = ROOT) -> list[Path]:
    return sorted(p for d in TEXT_DIRS for lang in LANGS for p in (root / d / lang).glob("*.md"))


def sync(root: Path = ROOT, only: list[str] | None = None) -> list[Path]:
    """Regenerate labs/*.md from solutions and every .ipynb from its .md; return the files changed.
    only: names or paths (lab01_concepts_zookeeper, course/ru/02_topics_messages.md): just those, in
    both languages, so others' work in progress elsewhere in the tree is left alone."""
    stems = {Path(name).stem for name in only} if only else None
    wanted = (lambda path: stems is None or path.stem in stems)
    changed = []
    labs: list[tuple[Path, str]] = []
    bad: list[str] = []
    for lang in LANGS:
        for sol in sorted(p for p in (root / "solutions" / lang).glob("*.md") if wanted(p)):
            try:
                labs.append((root / "labs" / lang / sol.name, lab_text(sol.read_text(), str(sol.relative_to(root)))))
            except MarkerError as err:
                bad += err.lines
    if bad:  # nothing is written while any solution's markers are wrong
        raise MarkerError(bad)
    for lab, text in labs:
        lab.parent.mkdir(parents=True, exist_ok=True)
        if not lab.exists() or lab.read_text() != text:
            lab.write_text(text)
            changed.append(lab)
    for md in filter(wanted, sources(root)):
        if _write_ipynb(_read(md), md.with_suffix(".ipynb")):
            changed.append(md.with_suffix(".ipynb"))
    return changed


def _cells(path: Path) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in _read(path).cells]


def environment_problems(root: Path = ROOT) -> list[str]:
    """environment.yml against pyproject.toml, through scripts/environment.py (in a checkout only)."""
    script = root / "scripts" / "environment.py"
    if not script.exists() or not (root / "pyproject.toml").exists():
        return []
    import importlib.util

    spec = importlib.util.spec_from_file_location("_kafkalab_environment", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    if module.stale(root):
        return ["environment.yml is stale (pyproject.toml changed): run `python scripts/environment.py`"]
    return []


def problems(root: Path = ROOT) -> list[str]:
    """Everything that makes the committed notebooks stale or the languages differ."""
    import nbformat

    found = environment_problems(root)
    for lang in LANGS:
        for sol in sorted((root / "solutions" / lang).glob("*.md")):
            lab = root / "labs" / lang / sol.name
            try:
                text = lab_text(sol.read_text(), str(sol.relative_to(root)))
            except MarkerError as err:
                found += err.lines
                continue
            if not lab.exists() or lab.read_text() != text:
                found.append(f"{lab.relative_to(root)} is stale: run `python -m kafkalab.notebooks sync`")
    for md in sources(root):
        ipynb = md.with_suffix(".ipynb")
        if not ipynb.exists():
            found.append(f"{ipynb.relative_to(root)} is missing: run `python -m kafkalab.notebooks sync`")
            continue
        committed = [(c.cell_type, c.source) for c in nbformat.read(ipynb, as_version=4).cells]
        if committed != _cells(md):
            found.append(f"{ipynb.relative_to(root)} is stale: run `python -m kafkalab.notebooks sync`")
    for d in TEXT_DIRS:
        en = {p.name for p in (root / d / "en").glob("*.md")}
        ru = {p.name for p in (root / d / "ru").glob("*.md")}
        for name in sorted(en ^ ru):
            found.append(f"{d}/{name} exists in one language only")
        for name in sorted(en & ru):
            a, b = _cells(root / d / "en" / name), _cells(root / d / "ru" / name)
            if [t for t, _ in a] != [t for t, _ in b]:
                found.append(f"{d}/{{en,ru}}/{name}: cell structure differs ({len(a)} vs {len(b)} cells)")
                continue
            for i, ((kind, src_en), (_, src_ru)) in enumerate(zip(a, b)):
                if kind == "code" and src_en != src_ru:
                    found.append(f"{d}/{{en,ru}}/{name}: code cell {i} differs between en and ru")
    return found


CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def record(path: Path, timeout: int = 600) -> int:
    """Run a notebook in its own folder; keep outputs only of cells marked CHECK_MARK; return how many."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path).resolve()
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    kept = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if CHECK_MARK in cell.source:
            kept += 1
            cell.execution_count = kept  # nbval skips a cell with outputs but no execution count
            for output in cell.outputs:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = kept
        else:
            cell.outputs, cell.execution_count = [], None
    notebook.metadata.pop("language_info", None)
    path.unlink()  # else _write_ipynb would keep the old outputs of unchanged cells
    _write_ipynb(notebook, path)
    return kept


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "sync":
        try:
            changed = sync(only=argv[1:] or None)
        except MarkerError as err:
            print(err)
            return 1
        for path in changed:
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if command == "record":
        for name in argv[1:]:
            print(f"recorded {record(Path(name))} checked cell(s) of {name}")
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
