"""Grading slots (one uid each) are claimed machine-wide: two graders never share one."""
import subprocess
import sys

import pytest

from kafkalab.errors import KafkaLabError
from kafkalab.grading import sandbox

pytestmark = pytest.mark.unit


@pytest.fixture
def claims_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "CLAIMS", tmp_path / "claims")
    monkeypatch.setattr(sandbox, "SLOTS", 4)
    return tmp_path / "claims"


def test_two_graders_get_different_slots(claims_dir):
    first = sandbox.claim_slots(2)
    second = sandbox.claim_slots(2)
    try:
        assert set(first) == {0, 1} and set(second) == {2, 3}
        with pytest.raises(KafkaLabError) as err:
            sandbox.claim_slots(1)
        assert err.value.key == "grading_no_slots"
    finally:
        sandbox.release_slots(first)
        sandbox.release_slots(second)
    again = sandbox.claim_slots(4)
    assert set(again) == {0, 1, 2, 3}
    sandbox.release_slots(again)


def test_slots_of_a_killed_grader_are_free_at_once(claims_dir):
    code = ("import sys, time\nfrom pathlib import Path\nfrom kafkalab.grading import sandbox\n"
            f"sandbox.CLAIMS = Path({str(claims_dir)!r}); sandbox.SLOTS = 4\n"
            "print(sorted(sandbox.claim_slots(3)), flush=True)\ntime.sleep(60)\n")
    other = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "[0, 1, 2]"
        assert set(mine := sandbox.claim_slots(1)) == {3}
        sandbox.release_slots(mine)
    finally:
        other.kill()
        other.wait()
    mine = sandbox.claim_slots(4)
    assert set(mine) == {0, 1, 2, 3}
    sandbox.release_slots(mine)


def test_a_lab_weighing_two_clusters_grades_half_as_many_submissions_at_once(monkeypatch):
    """Three workers per two cores; lab07's checks declare weight 2 (a ZooKeeper cluster, then a KRaft
    one), lab03's none."""
    from kafkalab.grading import batch, registry

    assert registry.weight_of("lab03") == 1 and registry.weight_of("lab07") == 2

    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    assert batch.default_jobs(lab="lab03") == 3 and batch.default_jobs(lab="lab07") == 1
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 8)
    assert batch.default_jobs(per_job=1, lab="lab03") == 12 and batch.default_jobs(per_job=1, lab="lab07") == 6


def test_a_weight_names_a_lab_and_at_least_one_cluster():
    from kafkalab.grading import registry

    for lab, clusters in (("lab07.ex1", 2), ("kraft", 2), ("lab07", 0)):
        with pytest.raises(ValueError):
            registry.weight(lab, clusters)
