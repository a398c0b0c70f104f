"""Every notebook's code runs in CI: what scripts/test leaves out of the plain nbval run is exactly what
tests/test_under_load.py runs."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_the_notebooks_left_out_of_the_plain_run_are_the_ones_run_under_load():
    script = (ROOT / "scripts" / "test").read_text()
    left_out = re.search(r"UNDER_LOAD=\(([^)]*)\)", script)[1].split()
    source = (ROOT / "tests" / "test_under_load.py").read_text()
    under_load = re.findall(r'"([^"]+\.ipynb)"', re.search(r"NOTEBOOKS = \[(.*?)\]", source, re.S)[1])
    assert left_out == under_load
    assert all((ROOT / path).is_file() for path in left_out)
