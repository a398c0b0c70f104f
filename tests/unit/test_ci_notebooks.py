"""Every notebook's code runs in CI: what scripts/test leaves out of the plain nbval run runs elsewhere:
three lessons in tests/test_under_load.py, every lab's solution in its grading test."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_the_lessons_left_out_of_the_plain_run_are_the_ones_run_under_load():
    script = (ROOT / "scripts" / "test").read_text()
    left_out = re.search(r"UNDER_LOAD=\(([^)]*)\)", script)[1].split()
    source = (ROOT / "tests" / "test_under_load.py").read_text()
    under_load = re.findall(r'"([^"]+\.ipynb)"', re.search(r"NOTEBOOKS = \[(.*?)\]", source, re.S)[1])
    assert left_out == [n for n in under_load if n.startswith("course/")]
    assert all((ROOT / path).is_file() for path in under_load)


def test_every_solution_is_graded_from_its_russian_notebook():
    script = (ROOT / "scripts" / "test").read_text()
    assert "--ignore=solutions/en --ignore=solutions/ru " in script
    grading = (ROOT / "tests" / "test_grading.py").read_text()
    assert '(ROOT / "solutions" / "ru" / f"{lab}.md")' in grading and 'sol["cells_failed"] == []' in grading
    for lab in sorted(p.stem for p in (ROOT / "solutions" / "ru").glob("lab[0-9][0-9]_*.md")):
        test = ROOT / "tests" / f"test_grading_{lab[:5]}.py"
        assert f'lab_grading_test("{lab}")' in test.read_text(), lab
