"""Lab 06's acks ratio: a rounded ratio passes, its inverse never does, however close the two rates are."""
from pathlib import Path
from types import SimpleNamespace

import pytest

from kafkalab.grading import Context, Fail
from kafkalab.grading import registry

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def _visible_part(monkeypatch):
    monkeypatch.setenv("KAFKALAB_CHECKS", str(ROOT / "checks"))
    registry.load("lab06")
    return next(p.fn for p in registry.EXERCISES["lab06.ex4"].parts if not p.hidden)


def _grade(part, one: float, all_: float, ratio: float) -> str | None:
    """None when the part passes, else the Fail's message key."""
    ctx = Context({"acks_throughput": {"1": one, "all": all_}, "acks_ratio": ratio}, cluster=object())
    ctx.inspect = SimpleNamespace(message_count=lambda cluster, topic: 10**6)  # the records are there
    try:
        part(ctx)
    except Fail as failed:
        return failed.key
    return None


@pytest.mark.parametrize("one, all_", [(1500.0, 1200.0), (1200.0, 1500.0), (1000.0, 998.0), (1000.0, 1000.0),
                                       (2345.6, 2345.5)])
def test_the_inverse_ratio_fails_and_the_right_one_passes(monkeypatch, one, all_):
    part = _visible_part(monkeypatch)
    assert _grade(part, one, all_, one / all_) is None
    if one != all_:
        assert _grade(part, one, all_, all_ / one) == "lab06_acks_ratio"


def test_a_rounded_ratio_passes_where_the_rates_differ(monkeypatch):
    part = _visible_part(monkeypatch)
    assert _grade(part, 1500.0, 1200.0, round(1500 / 1200, 2)) is None
    assert _grade(part, 1500.0, 1200.0, 1.3) == "lab06_acks_ratio"
