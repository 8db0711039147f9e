"""A rep's holds judged from its visits (exercise/judge.py), table-driven on the seated twist:
its hold step holds a counting position (legs crossed) and a wrong one (legs uncrossed)."""

from __future__ import annotations

import pytest

from posecheck.exercise.definition import load
from posecheck.exercise.hold import Visit
from posecheck.exercise.judge import fill, judge
from posecheck.exercise.state import Rep

SEATED = load("seated_rotation")
STEPS = SEATED.reps.steps


def visit(phase: str, elapsed: float, settled: float, start: float = 0.0) -> Visit:
    end = start + max(elapsed, settled) + 0.5
    return Visit(SEATED.phase(phase), SEATED.phase(phase).side, start, end, elapsed, start + 0.2, end - 0.3, settled)


@pytest.mark.parametrize(
    ("name", "visits", "hold", "done", "short", "rushed"),
    [
        ("held its time", [visit("twist_right", 10.5, 10.5)], 10.5, True, False, False),
        ("held, not long enough", [visit("twist_right", 6.0, 6.0)], 6.0, False, True, True),
        # still in the position its time, the timer stopped by a fault: short, not rushed
        ("stayed, faulted", [visit("twist_right", 3.0, 10.2)], 3.0, False, True, False),
        # the legs uncrossed (no timer runs there) stayed in longer: the crossed visit is the best
        (
            "a wrong position stayed in longer",
            [visit("twist_right_open", 0.0, 9.0), visit("twist_right", 4.0, 4.0, start=12.0)],
            4.0,
            False,
            True,
            True,
        ),
        # only the wrong position: not a short hold of a position that counts (its fault says why)
        ("only the wrong position", [visit("twist_right_open", 0.0, 10.5)], 0.0, False, False, False),
        ("never held", [], 0.0, False, True, False),
    ],
)
def test_each_hold_step_is_judged_by_its_best_visit(name, visits, hold, done, short, rushed):
    judged = judge(STEPS, visits, SEATED, lambda p: 10.0)
    assert judged.holds == [pytest.approx(hold)] and judged.done == [done], name
    assert bool(judged.short) is short, name
    if short:
        assert judged.short[0].rushed is rushed and judged.short[0].target == 10.0, name
    rep = Rep(index=1, side=None, start_s=0.0)
    fill(rep, judged, visits, SEATED)
    assert rep.hold_s == pytest.approx(hold), name
    if visits:
        assert rep.side == "right" and rep.hold_start_s is not None and rep.hold_end_s is not None
