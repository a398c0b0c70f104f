"""Grading users on a class cluster name their grader (machine, pid, start), so that the next grader of the
same machine can remove those a killed grader left (kafkalab.grading.class_users.stale)."""
import os
import subprocess

import psutil
import pytest
from waits import until

from kafkalab import namespace
from kafkalab.grading import batch, class_users

pytestmark = pytest.mark.unit


def test_a_grading_user_names_its_grader():
    user = class_users.grading_user()
    found = class_users.GRADING_USER.match(user)
    assert found and namespace.STUDENT_RE.match(user), user
    assert found.group(1) == class_users.host_tag() and int(found.group(2)) == os.getpid()
    assert class_users._running(os.getpid(), int(found.group(3)))
    assert class_users.grading_user() != user  # one per submission


def test_only_users_of_gone_graders_of_this_machine_are_stale():
    host, other = "0123abcd", "fedc9876"
    running = {(41, 500)}  # (pid, start) of the graders that run

    def stale(user):
        return class_users.stale(user, host, running=lambda pid, start: (pid, start) in running)

    assert stale(f"kl-grade-{host}-42-500-a1b2c3d4")  # its grader is gone
    assert stale(f"kl-grade-{host}-41-400-a1b2c3d4")  # pid 41 now belongs to a later process
    assert not stale(f"kl-grade-{host}-41-500-a1b2c3d4")  # its grader runs
    assert not stale(f"kl-grade-{other}-42-500-a1b2c3d4")  # another machine's pid 42: not ours to judge
    for user in ("kl-grade-a1b2c3d4e5", "alice", f"kl-grade-{host}-42-500", f"x-kl-grade-{host}-42-500-a1"):
        assert not stale(user), user  # not a grading user of this format


def test_dead_zombie_and_reused_pids_are_not_running():
    me = psutil.Process()
    assert class_users._running(me.pid, class_users._start(me))
    assert not class_users._running(me.pid, class_users._start(me) - 1)  # the pid of an earlier process
    child = subprocess.Popen(["true"])
    start = class_users._start(psutil.Process(child.pid))
    until(lambda: psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE, 10, "the child to exit", every=0.01)
    assert not class_users._running(child.pid, start)  # exited, not yet waited for
    child.wait()
    assert not class_users._running(child.pid, start)


class _Listing:
    def __init__(self, users):
        self.users = users

    def describe_user_scram_credentials(self, request_timeout=None):
        if isinstance(self.users, Exception):
            raise self.users
        return self

    def result(self, timeout=None):
        return {user: None for user in self.users}


def test_the_sweep_removes_stale_users_and_reports_failures_without_raising(monkeypatch, capsys):
    from kafkalab import classroom, i18n

    i18n.set_lang("en")
    host = class_users.host_tag()
    gone = f"kl-grade-{host}-999999999-1-a1b2c3d4"  # beyond any pid_max
    live = class_users.grading_user()
    removed = []

    def remove_students(cluster, students, say):
        removed.extend(s.name for s in students)
        raise RuntimeError("broker down")

    monkeypatch.setattr(classroom, "remove_students", remove_students)
    grader = type("Grader", (), {"_remove_student": batch.Batch._remove_student})()
    grader.shared = type("Shared", (), {"admin": lambda self: _Listing([gone, live, "alice"])})()
    try:
        batch.Batch._sweep_students(grader)
        assert removed == [gone]
        assert f"{gone}, left on the class cluster by a killed grader" in capsys.readouterr().err
        grader.shared.admin = lambda: _Listing(RuntimeError("no route"))
        batch.Batch._sweep_students(grader)
        assert "Could not list the class cluster's users" in capsys.readouterr().err
    finally:
        i18n.set_lang(None)
