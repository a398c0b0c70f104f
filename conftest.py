"""pytest set-up shared by tests/ and the notebook runs (nbval) of course/, solutions/ and labs/.

Every test session gets its own KAFKALAB_HOME, so tests never touch a student's clusters, and it is
exported before any kernel starts, so notebook kernels inherit it. At the end every cluster of the
session is removed: no JVM, container, port or folder is left behind, also when the session is killed
(a watcher process does it then).
"""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

_home = None


# run beside each session: when the session's process ends without its own clean-up (SIGKILL, a crash),
# every cluster of its home (the notebooks' kernels' too) is removed, and the home with them
_SESSION_WATCH = """
import os, shutil, sys, time
import psutil
owner, home = int(sys.argv[1]), sys.argv[2]
def alive():
    try:
        return psutil.Process(owner).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
while alive() and os.path.isdir(home):
    time.sleep(2)
if os.path.isdir(home):
    os.environ["KAFKALAB_HOME"] = home
    from kafkalab.cluster import down
    try:
        down(all=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)
"""


def pytest_configure(config):
    global _home
    if os.environ.get("KAFKALAB_TEST_KEEP_HOME"):
        return
    _home = tempfile.mkdtemp(prefix="kafkalab-test-")
    os.environ["KAFKALAB_HOME"] = _home
    os.environ.pop("KAFKALAB_CLUSTER", None)
    subprocess.Popen([sys.executable, "-c", _SESSION_WATCH, str(os.getpid()), _home], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pytest_unconfigure(config):
    if _home is None:
        return
    from kafkalab.cluster import down

    try:
        down(all=True)
    finally:
        shutil.rmtree(_home, ignore_errors=True)


def _client_log_line():
    """A line kafkalab's client logger writes (ru or en): a live cluster's event, not a lesson's output."""
    import re

    from kafkalab.cluster.clients import MESSAGES_CLIENT_LOG

    forms = [re.escape(text).replace(re.escape("{client}"), r"\S+").replace(re.escape("{cluster!r}"), ".+")
             .replace(re.escape("{text}"), ".*") for text in MESSAGES_CLIENT_LOG.values()]
    return re.compile("^(?:" + "|".join(forms) + ")$")


def _without_client_logs(outputs: list) -> list:
    """The cell's outputs without the stderr lines of kafkalab's client logger: a notebook that checks its
    output (# NBVAL_CHECK_OUTPUT) compares what the lesson prints, not a reconnect a busy machine logged."""
    import nbformat

    line = _client_log_line()
    kept = []
    for out in outputs:
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            text = "".join(ln for ln in out.get("text", "").splitlines(keepends=True) if not line.match(ln.rstrip("\n")))
            if not text:
                continue
            out = nbformat.from_dict({**out, "text": text})
        kept.append(out)
    return kept


def _compare_without_client_logs() -> None:
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # the unit tier's install has no nbval
        return
    compare = IPyNbCell.compare_outputs
    if getattr(compare, "_kafkalab", False):
        return

    def compare_outputs(self, test, ref, skip_compare=None):
        return compare(self, _without_client_logs(test), ref, skip_compare)
    compare_outputs._kafkalab = True
    IPyNbCell.compare_outputs = compare_outputs


_compare_without_client_logs()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Test tiers: every test not marked `unit` (no JVM, seconds) is `integration` (clusters, notebooks).

    So `pytest -m unit` runs the fast tier only (the nbval notebook items are deselected with the rest),
    and `pytest -m integration` everything else. Runs before pytest's own -m selection.
    """
    for item in items:
        if item.get_closest_marker("unit") is None:
            item.add_marker(pytest.mark.integration)
    # the longest files first: the test workers take files in this order (the scheduler below)
    items.sort(key=lambda item: next((i for i, f in enumerate(LONGEST_FIRST) if item.nodeid.startswith(f)),
                                     len(LONGEST_FIRST)))


# the files that take 25 s or more, longest first, by their time in CI (3 workers on 2 cores): the class
# cluster's tests 700 s, the under-load run (half a CPU) 530, runtime 330, the grading attacks 280, lab 07's
# grading (four KRaft clusters of 6 JVMs) 270, the docker engine 145, the other labs' grading 25-120, ...
LONGEST_FIRST = ("tests/test_classroom.py", "tests/test_under_load.py", "tests/test_runtime.py",
                 "tests/test_grading_attacks.py", "tests/test_grading_lab07.py", "tests/test_docker_engine.py",
                 "tests/test_grading_lab04.py", "tests/test_grading_lab01.py", "course/ru/06_load_testing.ipynb",
                 "tests/test_grading_lab06.py", "tests/test_grading_lab00.py", "tests/test_kraft.py",
                 "tests/test_grading_lab05.py", "course/ru/02_topics_messages.ipynb", "tests/test_course_cluster.py",
                 "tests/test_grading_lab03.py", "tests/test_cds.py", "tests/test_lesson_helpers.py",
                 "tests/test_grading.py", "tests/test_widgets.py", "tests/test_browser.py",
                 "course/ru/03_partitions.ipynb", "course/ru/00_setup.ipynb", "tests/test_grading_lab02.py")


def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, files in the order collected (LONGEST_FIRST first).

    xdist's own order puts the files with the most tests first, so the long one-test files (the under-load run,
    the labs' grading) started last, while the other worker ran out of work. And a worker starts a test only
    once it knows the next one: a worker about to run the last test of a long file gets a file of unit tests
    (seconds) to follow it, not the next long file, which would wait behind it while another worker is free.
    """
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LongestFirst(LoadFileScheduling):
        def __init__(self, config, log=None):
            super().__init__(config, log)
            config.option.loadscopereorder = False  # keep the collected order

        def _reschedule(self, node):
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            pending = [test for unit in self.assigned_work[node].values() for test, done in unit.items() if not done]
            if len(pending) > 1:
                return
            if pending and pending[0].startswith(LONGEST_FIRST):
                short = next((f for f in self.workqueue if f.startswith("tests/unit/")), next(reversed(self.workqueue)))
                self.workqueue.move_to_end(short, last=False)
            self._assign_work_unit(node)

    return LongestFirst(config, log)


_began: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """With KAFKALAB_TEST_TIMELINE=FILE, a line of JSON per test (set-up to teardown): worker, test, start, end
    (epoch seconds), for `python scripts/test_timeline.py FILE`."""
    path = os.environ.get("KAFKALAB_TEST_TIMELINE")
    if not path or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if report.when == "setup":
        _began[report.nodeid] = report.start
    elif report.when == "teardown":
        import json

        node = getattr(report, "node", None)
        line = {"worker": node.gateway.id if node else "main", "test": report.nodeid,
                "start": _began.pop(report.nodeid, report.start), "end": report.stop}
        with open(path, "a") as f:
            f.write(json.dumps(line) + "\n")


def pytest_terminal_summary(terminalreporter):
    """At the very end, each failure in a few lines (the exception and its message, no colours), so a
    log cut in the middle still says why every test failed."""
    import re

    failed = terminalreporter.stats.get("failed", []) + terminalreporter.stats.get("error", [])
    if not failed:
        return
    terminalreporter.section("failures in brief")
    for report in failed:
        text = re.sub(r"\x1b\[[0-9;]*m", "", report.longreprtext or "").rstrip().splitlines()
        raised = [i for i, line in enumerate(text) if re.match(r"^(E\s+)?[\w.]*(Error|Exception|Exit|Interrupt)\b", line)]
        brief = text[raised[-1]:raised[-1] + 5] if raised else text[-5:]
        terminalreporter.write_line(f"{report.nodeid}")
        for line in brief:
            terminalreporter.write_line(f"    {line[:300]}")
