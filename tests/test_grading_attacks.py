"""Hostile submissions, graded in one batch between two copies of the real solution (DESIGN.md section 7).

Each attack is what a student could write in a cell: forge the result, patch the grader, steal the
solution or a classmate's work, kill clusters, write everywhere, leave setsid children, loop past
SIGINT, flood output, fork, fill memory, or send a file that is no notebook at all. Every attack must
score 0 and harm nothing else: both controls keep full marks, the cluster outside the batch still
serves, no file appears outside the sandbox, and no process of any submission outlives the batch.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest

import kafkalab
from kafkalab.grading.sandbox import UID_BASE

ROOT = Path(__file__).resolve().parent.parent
CANARY = "kafkalab-canary-7f3e"  # a grader secret: must reach no kernel
MARK = "CONTROL-SOLUTION-MARK-91b2"  # in the control's source: must reach no other submission


def _lab03_max() -> int:
    from kafkalab.grading.registry import exercises

    return sum(e.max_points for e in exercises("lab03"))


LAB03_MAX = _lab03_max()  # visible and hidden points of lab03, as the grader counts them

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox needs root (CI runs as root)")]


def notebook(cells: list[str]) -> bytes:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb).encode()


def solution(lab_md: str, mark: str = "") -> bytes:
    import jupytext

    nb = jupytext.reads((ROOT / "solutions" / "en" / lab_md).read_text(), fmt="md")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if mark:
        nb.cells.insert(0, nbformat.v4.new_code_cell(f"# {mark}"))
    return jupytext.writes(nb, fmt="ipynb").encode()


def attacks(out: Path, subs: Path) -> dict[str, bytes]:
    checks = ROOT / "checks"
    fake = {"lab": "lab03", "score": LAB03_MAX, "max_score": LAB03_MAX, "status": "graded",
            "exercises": [{"id": f"lab03.ex{i}", "points": 3, "max_points": 3, "passed": True, "message": "ok",
                           "evidence": {"x": 1}} for i in range(1, 6)]}
    targets = [str(out / "control_first.json"), str(out / "intruder.json"), str(out / "grades.csv"),
               "/root/pwned", str(Path.home() / "pwned"), "/tmp/pwned-kafkalab", "../pwned", "../../pwned"]
    return {
        "forged_result": notebook([
            f"import atexit, json, os\nFAKE = {json.dumps(fake)!r}\nTARGETS = {targets!r}\n"
            "def forge():\n"
            "    for target in TARGETS + [os.environ.get('KAFKALAB_GRADE_RESULT', 'result.json')]:\n"
            "        try:\n            open(target, 'w').write(FAKE)\n        except Exception:\n            pass\n"
            "atexit.register(forge)\nforge()\nprint(FAKE)"]),
        "patched_grader": notebook([
            "import kafkalab.grading as g, kafkalab.grading.runner as r, kafkalab.grading.context as c\n"
            "from kafkalab.grading.runner import Result, LabResult\n"
            "full = lambda *a, **k: LabResult('lab03', [Result(f'lab03.ex{i}', 3, 3, True, 'ok') for i in range(1, 6)])\n"
            "r.run_lab = g.run_lab = full\n"
            "r.run_exercise = g.run_exercise = lambda *a, **k: Result('lab03.ex1', 3, 3, True, 'ok')\n"
            "c.Context.expect = lambda *a, **k: None\n"
            "animals_partitions = 3\npartition_of = {'cat': 0, 'dog': 1, 'cow': 2}\ndog_from_1 = ['growl', 'whine']"]),
        "lab_swap": solution("lab00_setup.md"),
        "steal": notebook([
            "import glob, os, subprocess\n"
            f"patterns = ['../**/*.ipynb', '/tmp/**/*.ipynb', {str(ROOT / 'solutions')!r} + '/**/*',\n"
            f"            {str(checks)!r} + '/**/*.py', {str(subs)!r} + '/*', {str(out)!r} + '/*',\n"
            "            os.path.expanduser('~') + '/**/*', '/root/**/*.py', '/grader/**/*']\n"
            "found = []\nfor p in patterns:\n    found += glob.glob(p, recursive=True)[:50]\n"
            "texts = []\nfor path in found:\n    try:\n        texts.append(open(path, errors='replace').read()[:20000])\n"
            "    except Exception:\n        pass\n"
            "print('FOUND', found)\nprint('TEXTS', texts)\nprint('ENV', dict(os.environ))\n"
            "print(subprocess.run(['ps', 'axeww'], capture_output=True, text=True).stdout[:20000])"]),
        "kill_everything": notebook([
            "import os, signal, subprocess, psutil\n"
            "for p in psutil.process_iter():\n    try:\n        p.kill() if p.pid != os.getpid() else None\n"
            "    except Exception:\n        pass\n"
            "for pid in range(2, 200000):\n    if pid != os.getpid():\n        try:\n            os.kill(pid, 9)\n"
            "        except Exception:\n            pass\n"
            "subprocess.run(['kafkalab', 'down', '--all'])\nsubprocess.run(['kafkalab', 'down', '--all', '--all-homes'])\n"
            "os.kill(os.getppid(), signal.SIGKILL)"]),
        "sabotage": notebook([
            f"import os, shutil, subprocess\nTARGETS = {targets!r}\n"
            "for t in TARGETS:\n    try:\n        open(t, 'w').write('pwned')\n    except Exception:\n        pass\n"
            f"shutil.rmtree({str(checks)!r}, ignore_errors=True)\n"
            "for i in range(10):\n"
            f"    subprocess.Popen(['setsid', 'sh', '-c', 'while true; do echo hacked > {out}/grades.csv; "
            f"rm -rf {checks}; sleep 1; done'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"]),
        "ignores_sigint": notebook([
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
            *["import time\ntime.sleep(1)"] * 8]),
        "slow_cell": notebook(["import time\ntime.sleep(3600)", "print('went on')", "1 / 0"]),  # stops at an interrupt
        "flood": notebook(["import sys\nfor i in range(60):\n    sys.stdout.write('x' * 1_000_000)"]),
        "fork_bomb": notebook([
            "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', "
            "'import os\\nwhile True:\\n    try:\\n        os.fork()\\n    except OSError:\\n        pass'], "
            "start_new_session=True)"]),
        "fills_memory": notebook(["hog = []\nwhile True:\n    hog.append(bytearray(50_000_000))"]),
        "not_json": b"{ this is not a notebook",
        "empty": b"",
        "nbformat3": json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}).encode(),
    }


def checks_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "checks").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def sandbox_processes(uids: set[int] | None = None) -> list:
    """Live processes of sandbox users: of `uids` (one batch's), else of every slot (other batches may run).
    A zombie has ended already (its new parent, init, reaps it when it gets to it)."""
    uids = uids or set(range(UID_BASE, UID_BASE + 64))
    return [p for p in psutil.process_iter(["uids", "status"]) if p.info["uids"] and p.info["uids"].real in uids
            and p.info["status"] != psutil.STATUS_ZOMBIE]


PWNED = ("/root/pwned", Path.home() / "pwned", "/tmp/pwned-kafkalab")


def grading_containers(slots: set[int]) -> list[str]:
    """Grading containers of these slots (one batch's: other batches may be running)."""
    from kafkalab.grading import container

    if not container.docker_cli():
        return []
    found = []
    for slot in slots:
        found += subprocess.run(["docker", "ps", "-aq", "--filter", f"label={container.LABEL_SLOT}={slot}"],
                                capture_output=True, text=True).stdout.split()
    return found


ISOLATIONS = [pytest.param("docker", marks=pytest.mark.docker), "namespaces"]
# a looping cell is stopped after this; the controls' first cell starts a broker in it, under the load of the
# other test worker (20 s was too short there: a control's broker was not up in time in one CI run)
CELL_SECONDS = "60"


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_hostile_batch_scores_zero_and_harms_nothing(tmp_path, isolation):
    if isolation == "docker":
        from kafkalab.grading import container

        if not container.available():
            pytest.skip("no Docker daemon or no course image")
    subs, out = tmp_path / "lab03", tmp_path / "out"
    subs.mkdir()
    for path in PWNED:  # left by an earlier weak-isolation run, where nothing stops these writes
        Path(path).unlink(missing_ok=True)
    before = checks_digest()
    outside = kafkalab.up("single", name="outside", quiet=True)  # a cluster the batch must not touch
    try:
        files = {"control_first": solution("lab03_partitions.md", MARK), **attacks(out, subs),
                 "control_last": solution("lab03_partitions.md", MARK)}
        paths = []
        for name, data in files.items():
            (subs / f"{name}.ipynb").write_bytes(data)
            paths.append(subs / f"{name}.ipynb")
        env = {**os.environ, "KAFKALAB_TEST_CANARY": CANARY}
        env.pop("KAFKALAB_CHECKS", None)
        run = subprocess.run([sys.executable, "-m", "kafkalab.cli", "grade", *map(str, paths), "--out", str(out),
                              "--timeout", CELL_SECONDS, "--total-timeout", "300", "--memory", "1.5", "--gradescope",
                              "--isolation", isolation],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)
        assert run.returncode == 0, run.stderr[-3000:]

        reports = {n: json.loads((out / f"{n}.json").read_text()) for n in files}
        for name in ("control_first", "control_last"):
            r = reports[name]
            assert (r["status"], r["score"]) == ("graded", r["max_score"]) and r["max_score"] == LAB03_MAX, (
                name, r.get("error"), [e["message"] for e in r["exercises"]])
        for name, r in reports.items():
            if name.startswith("control"):
                continue
            assert r["status"] == "graded" and r["score"] == 0, (name, r["score"], r.get("error"),
                                                                  [e["message"] for e in r["exercises"]])
        assert "lab00" in reports["lab_swap"]["error"]
        for name in ("not_json", "empty", "nbformat3"):
            assert "not a notebook" in reports[name]["error"], reports[name]["error"]
        assert f"{CELL_SECONDS} s" in (reports["ignores_sigint"].get("error") or ""), reports["ignores_sigint"].get("error")
        slow = reports["slow_cell"]
        from kafkalab.grading.reports import using_lang
        from kafkalab.i18n import t

        said = []
        for lang in ("en", "ru"):
            with using_lang(lang):
                said.append(t("grading_cells_interrupted", cells="1", seconds=int(CELL_SECONDS)))
        assert slow["error"] in said and "went on" in (out / "slow_cell.executed.ipynb").read_text(), slow["error"]
        assert (slow["cells_interrupted"], slow["cells_failed"]) == ([1], [3])  # told apart for the instructor

        # nothing outside the sandbox was touched
        assert checks_digest() == before, "the checks changed"
        uids = {r["sandbox_uid"] for r in reports.values() if r.get("sandbox_uid")}
        assert uids and not sandbox_processes(uids), "a submission's process outlived the batch"
        assert not grading_containers({u - UID_BASE for u in uids}), "a submission's container outlived the batch"
        assert all(reports[n]["isolation"].startswith(isolation) for n in ("control_first", "control_last"))
        for path in (*PWNED, out / "intruder.json"):
            assert not Path(path).exists(), path
        rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
        assert rows["control_first"]["score"] == str(LAB03_MAX) and rows["forged_result"]["score"] == "0"
        assert outside.alive("broker-0") and kafkalab.inspect.brokers(outside), "the outside cluster was harmed"

        # what the kernels printed: no secret, no solution, no hidden check
        hidden = (ROOT / "checks" / "hidden" / "lab03_partitions.py").read_text().splitlines()[0]
        for name in files:
            executed = out / f"{name}.executed.ipynb"
            if not executed.exists():
                continue
            text = executed.read_text()
            assert len(text) < 3_000_000, (name, len(text))
            if not name.startswith("control"):
                assert CANARY not in text and MARK not in text and hidden not in text, name
        assert "output capped" in (out / "flood.executed.ipynb").read_text()
    finally:
        outside.down()


def test_no_lab_or_no_checks_is_a_hard_error(tmp_path):
    sub = tmp_path / "x.ipynb"
    sub.write_bytes(notebook(["x = 1"]))
    for args, words in ((["--lab", "lab42"], "lab42"), ([], "--lab")):
        run = subprocess.run([sys.executable, "-m", "kafkalab.cli", "grade", str(sub), "--out", str(tmp_path / "o"), *args],
                             cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "KAFKALAB_LANG": "en"})
        assert run.returncode == 2 and words in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_weak_isolation_still_decides_outside_the_kernel(tmp_path):
    """Without root (forced here): no namespaces, but the grade is still decided by the grader."""
    subs, out = tmp_path / "lab03", tmp_path / "out"
    subs.mkdir()
    files = {"control": solution("lab03_partitions.md"), "forged_result": attacks(out, subs)["forged_result"],
             "patched_grader": attacks(out, subs)["patched_grader"]}
    for name, data in files.items():
        (subs / f"{name}.ipynb").write_bytes(data)
    env = {**os.environ, "KAFKALAB_GRADE_ISOLATION": "weak"}
    env.pop("KAFKALAB_CHECKS", None)
    run = subprocess.run([sys.executable, "-m", "kafkalab.cli", "grade", *(str(subs / f"{n}.ipynb") for n in files),
                          "--out", str(out), "--timeout", "60"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    reports = {n: json.loads((out / f"{n}.json").read_text()) for n in files}
    assert reports["control"]["score"] == reports["control"]["max_score"] == LAB03_MAX, reports["control"].get("error")
    assert reports["forged_result"]["score"] == reports["patched_grader"]["score"] == 0
    assert all(r["isolation"] == "weak" and "weaker" in r["isolation_note"] for r in reports.values())
    # weak isolation keeps no file away from the kernel (it wrote out/intruder.json): the report says so
    for path in PWNED:
        Path(path).unlink(missing_ok=True)

    # --only regrades a subset; the others' reports stay and the CSVs still list everyone
    before = {n: (out / f"{n}.json").read_text() for n in ("forged_result", "patched_grader")}
    run = subprocess.run([sys.executable, "-m", "kafkalab.cli", "grade", *(str(subs / f"{n}.ipynb") for n in files),
                          "--out", str(out), "--only", "control"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert before == {n: (out / f"{n}.json").read_text() for n in before}
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert sorted(r["student"] for r in rows) == sorted(files) and len(list(csv.reader((out / "moodle.csv").open()))) == 4


def _slots_of(grader: psutil.Process) -> set[int]:
    """The slots a running `kafkalab grade` works in: its docker-run children's labels, its descendants' uids."""
    from kafkalab.grading import container

    slots = set()
    for child in grader.children(recursive=True):
        try:
            argv, uid = child.cmdline(), child.uids().real
        except psutil.Error:
            continue
        slots |= {int(a.split("=", 1)[1]) for a in argv if a.startswith(f"{container.LABEL_SLOT}=")}
        if UID_BASE <= uid < UID_BASE + 64:
            slots.add(uid - UID_BASE)
    return slots


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_a_grader_stopped_by_sigterm_ends_its_submissions(tmp_path, isolation):
    """An instructor's grader killed mid-batch (SIGTERM: `kill`, a CI timeout, a closed terminal) ends the
    running submissions' kernels, clusters and containers, says so in words, and starts no other one."""
    from kafkalab.grading import container
    from kafkalab.waiting import wait_for

    if isolation == "docker" and not container.available():
        pytest.skip("no Docker daemon or no course image")
    subs = tmp_path / "lab03"
    subs.mkdir()
    waits = notebook(["import kafkalab\ncluster = kafkalab.up('single', quiet=True)", "import time\ntime.sleep(900)"])
    for i in range(3):  # more than run at once: the queued ones must not start after the signal
        (subs / f"waits{i}.ipynb").write_bytes(waits)
    env = {**os.environ, "KAFKALAB_LANG": "en"}
    env.pop("KAFKALAB_CHECKS", None)
    proc = subprocess.Popen([sys.executable, "-m", "kafkalab.cli", "grade", *map(str, sorted(subs.iterdir())),
                             "--out", str(tmp_path / "out"), "--jobs", "1", "--isolation", isolation],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        grader = psutil.Process(proc.pid)

        def a_jvm_runs():  # the submission's cluster is starting: its first JVM (ZooKeeper) runs
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            uids = {UID_BASE + s for s in _slots_of(grader)}
            return [p for p in sandbox_processes(uids) if p.name() == "java"] if uids else None
        wait_for(a_jvm_runs, timeout=300, what="a JVM of the submission's cluster")
        slots = _slots_of(grader)
        proc.terminate()
        _, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err[-2000:]
    assert "Grading stopped (SIGTERM): 0 of 3" in err and "Traceback" not in err, err[-2000:]
    uids = {UID_BASE + s for s in slots}
    assert not sandbox_processes(uids), "a submission's process outlived the grader"
    assert not grading_containers(slots), "a submission's container outlived the grader"
    assert not list((tmp_path / "out").glob("*.json")), "a stopped submission got a report"


def test_a_submission_gets_its_cpu_quota_and_the_weight_to_use_it(tmp_path):
    """Its cgroup caps a submission at its quota (one core) and weighs 16 processes' worth, so a machine busy
    with other work still gives it that core: not the share of a single process, which timed cells out."""
    from kafkalab.grading.sandbox import Sandbox

    box = Sandbox(tmp_path / "work", slot=63)
    box._make_cgroups()
    try:
        if not box.cgroups:
            pytest.skip("no cgroup can be made here")
        if box.cgroup_kind == "v2":
            cpu = box.cgroups[0]
            assert (cpu / "cpu.max").read_text().split() == ["100000", "100000"]
            assert (cpu / "cpu.weight").read_text().strip() == "1600"
        else:
            cpu = next(g for g in box.cgroups if g.parent.name == "cpu")
            assert (cpu / "cpu.cfs_quota_us").read_text().strip() == "100000"
            assert (cpu / "cpu.shares").read_text().strip() == str(16 * 1024)
    finally:
        box.end()
    assert not any(g.exists() for g in box.cgroups)
