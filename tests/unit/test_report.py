"""Notices go through the 'kafkalab' logger: shown as lines, collected per thread, never printed by the library."""
import re
import threading
from pathlib import Path

import pytest

from kafkalab import report

pytestmark = pytest.mark.unit
PACKAGE = Path(report.__file__).parent
FRONT_ENDS = {"cli.py", "doctor.py", "magic.py", "lesson.py", "tools.py", "notebooks.py", "classroom.py", "batch.py",
              "runner.py"}  # commands and the lesson's own display: their output is the point


def test_notices_are_lines_on_stdout_and_warnings_on_stderr(capsys):
    report.say("Кластер готов")
    report.warn("port taken")
    out, err = capsys.readouterr()
    assert out == "Кластер готов\n" and err == "port taken\n"


def test_a_thread_collects_its_own_notices(capsys):
    seen = {}

    def button():
        with report.captured() as lines:
            report.say("broker-1 killed")
        seen["lines"] = lines

    worker = threading.Thread(target=button)
    worker.start()
    worker.join()
    report.say("the cell's own")
    assert seen["lines"] == ["broker-1 killed"]
    assert capsys.readouterr().out == "the cell's own\n"


def test_the_library_itself_never_prints():
    printing = [f"{p.relative_to(PACKAGE)}:{n}" for p in PACKAGE.rglob("*.py") if p.name not in FRONT_ENDS
                for n, line in enumerate(p.read_text().splitlines(), 1)
                if re.search(r"(?<![\w.>])print\(", line) and not line.lstrip().startswith(("#", ">>>"))]
    assert not printing, printing
