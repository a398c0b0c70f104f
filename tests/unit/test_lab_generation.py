"""Labs from solutions: BEGIN/END SOLUTION blocks become placeholders; bad markers fail with file and line."""
import textwrap
from pathlib import Path

import pytest

from kafkalab import notebooks
from kafkalab.notebooks import PLACEHOLDER, MarkerError, lab_text, marker_problems

pytestmark = pytest.mark.unit


def md(body: str) -> str:
    return textwrap.dedent(body).lstrip("\n")


GOOD = md("""
    # Lab

    ```python
    x = 1
    # BEGIN SOLUTION
    y = x + 1
    # END SOLUTION
    ```

    ```python
    def f():
        # BEGIN SOLUTION
        return 42
        # END SOLUTION
    ```
    """)


def test_blocks_become_indented_placeholders():
    lab = lab_text(GOOD)
    assert "y = x + 1" not in lab and "return 42" not in lab
    assert f"x = 1\n{PLACEHOLDER}\n```" in lab
    assert f"def f():\n    {PLACEHOLDER}\n```" in lab
    assert lab.startswith("# Lab\n") and marker_problems(GOOD) == []


def test_trailing_words_after_a_marker_are_allowed():
    text = GOOD.replace("# BEGIN SOLUTION\ny", "# BEGIN SOLUTION NO PROMPT\ny")
    assert marker_problems(text) == [] and "y = x + 1" not in lab_text(text)


def only_problem(text: str) -> tuple[int, str]:
    found = marker_problems(text)
    assert len(found) == 1, found
    return found[0]


def test_unterminated_at_end_of_file():
    line, message = only_problem(md("""
        ```python
        a = 1
        # BEGIN SOLUTION
        b = 2
        """))
    assert line == 3 and "unterminated" in message


def test_unterminated_inside_its_cell_even_when_a_later_cell_closes():
    text = md("""
        ```python
        # BEGIN SOLUTION
        b = 2
        ```

        Some prose a greedy regex would swallow.

        ```python
        # END SOLUTION
        ```
        """)
    found = marker_problems(text)
    assert (2, "unterminated # BEGIN SOLUTION: its code cell ends at line 4 without # END SOLUTION") in found
    assert any(line == 9 and "stray" in message for line, message in found)


def test_nested():
    line, message = only_problem(md("""
        ```python
        # BEGIN SOLUTION
        a = 1
        # BEGIN SOLUTION
        b = 2
        # END SOLUTION
        # END SOLUTION
        ```
        """))
    assert line == 4 and "nested" in message and "line 2" in message


def test_stray_end():
    line, message = only_problem(md("""
        ```python
        a = 1
        # END SOLUTION
        ```
        """))
    assert line == 3 and "stray" in message


def test_marker_outside_a_code_cell():
    line, message = only_problem(md("""
        Prose.
        # BEGIN SOLUTION

        ```python
        a = 1
        ```
        """))
    assert line == 2 and "outside a code cell" in message


def test_misspelt_or_trailing_marker():
    found = marker_problems(md("""
        ```python
        #BEGIN SOLUTION
        a = 1  # END SOLUTION
        # BEGIN SOLUTIONS
        ```
        """))
    assert [line for line, _ in found] == [2, 3, 4]
    assert all("malformed" in message for _, message in found)


def test_lab_text_raises_with_file_and_line():
    with pytest.raises(MarkerError) as err:
        lab_text("```python\n# END SOLUTION\n```\n", "solutions/en/lab09_x.md")
    assert str(err.value).startswith("solutions/en/lab09_x.md:2: stray")


def write_course(root: Path, solution: str) -> None:
    """A minimal course tree with one lab in both languages."""
    for lang in ("en", "ru"):
        (root / "solutions" / lang).mkdir(parents=True)
        (root / "solutions" / lang / "lab09_x.md").write_text(solution)


def test_check_reports_file_and_line_and_sync_writes_nothing(tmp_path):
    write_course(tmp_path, md("""
        ```python
        a = 1
        # BEGIN SOLUTION
        b = 2
        ```
        """))
    found = notebooks.problems(tmp_path)
    assert "solutions/en/lab09_x.md:3: unterminated # BEGIN SOLUTION: its code cell ends at line 5 " \
           "without # END SOLUTION" in found
    assert any(p.startswith("solutions/ru/lab09_x.md:3: unterminated") for p in found)
    with pytest.raises(MarkerError):
        notebooks.sync(tmp_path)
    assert not (tmp_path / "labs").exists()


def test_check_is_quiet_on_good_markers_and_labs_in_sync(tmp_path):
    write_course(tmp_path, GOOD)
    assert any("labs/en/lab09_x.md is stale" in p for p in notebooks.problems(tmp_path))
    for lang in ("en", "ru"):
        (tmp_path / "labs" / lang).mkdir(parents=True)
        (tmp_path / "labs" / lang / "lab09_x.md").write_text(lab_text(GOOD))
    assert not [p for p in notebooks.problems(tmp_path) if "lab09_x.md" in p and "ipynb" not in p]


def test_sync_of_named_notebooks_leaves_the_others_alone(tmp_path):
    write_course(tmp_path, GOOD)
    for lang in ("en", "ru"):
        (tmp_path / "solutions" / lang / "lab08_y.md").write_text(GOOD)
    written = notebooks.sync(tmp_path, only=["solutions/ru/lab09_x.md"])
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        f"{kind}/{lang}/lab09_x.{ext}" for kind in ("labs", "solutions") for lang in ("en", "ru")
        for ext in ("md", "ipynb") if not (kind == "solutions" and ext == "md")}
    assert not (tmp_path / "labs" / "en" / "lab08_y.md").exists()
