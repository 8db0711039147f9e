"""The progression rule: the target rises, stays and caps as the exercise data says; a hand-set target wins."""

from __future__ import annotations

import pytest

from posecheck.exercise import progression
from posecheck.exercise.definition import load
from posecheck.exercise.progression import SessionResult, achieved, planned, target

BRIDGE = load("bridge")  # reps 5 -> 30, step 1 after 3 sessions, >= 80 % counted, <= 20 % with a fault
RULE = BRIDGE.progression


def ok(n: int) -> SessionResult:
    """n reps, all counted, no faults."""
    return SessionResult(achieved=n, attempted=n, counted=n, fault_reps=0)


def sloppy(n: int, faults: int) -> SessionResult:
    return SessionResult(achieved=n, attempted=n, counted=n, fault_reps=faults)


def tried(counted: int, attempted: int) -> SessionResult:
    return SessionResult(achieved=counted, attempted=attempted, counted=counted, fault_reps=0)


EMPTY = SessionResult(0, 0, 0, 0)

# case: sessions (oldest first) -> the planned target
CASES = {
    "no sessions: the page's start": ([], 5),
    "two good sessions: not yet": ([ok(5)] * 2, 5),
    "three good sessions: rises by step": ([ok(5)] * 3, 6),
    "a fourth at the old number: stays": ([ok(5)] * 4, 6),
    "three more at the new number: rises again": ([ok(5)] * 3 + [ok(6)] * 3, 7),
    "doing more than asked counts for the next step": ([ok(6)] * 4, 7),
    "one step per session at most": ([ok(9)] * 3, 6),
    "below target breaks the run": ([ok(5), ok(5), ok(4), ok(5), ok(5)], 5),
    "too many faults: stays": ([sloppy(5, 2)] * 3, 5),
    "faults within the ratio: rises": ([sloppy(5, 1)] * 3, 6),
    "too few counted: stays": ([tried(5, 7)] * 3, 5),
    "enough counted: rises": ([tried(5, 6)] * 3, 6),
    "sessions with no attempt are skipped": ([ok(5), EMPTY, ok(5), EMPTY, ok(5)], 6),
    "caps at target_max": ([ok(40)] * 60, 30),
}


@pytest.mark.parametrize("name", list(CASES))
def test_planned_target(name):
    sessions, want = CASES[name]
    assert planned(BRIDGE, sessions) == want


def test_numbers_come_from_the_exercise_data():
    faster = BRIDGE.model_copy(
        update={
            "progression": RULE.model_copy(update={"step": 5, "sessions_to_advance": 1}),
            "reps": BRIDGE.reps.model_copy(update={"target": 10, "target_max": 20}),
        }
    )
    assert planned(faster, []) == 10
    assert planned(faster, [ok(10)]) == 15
    assert planned(faster, [ok(10), ok(15)]) == 20
    assert planned(faster, [ok(10), ok(15), ok(20), ok(25)]) == 20  # capped


def test_manual_target_wins_until_cleared():
    sessions = [ok(5)] * 3
    t = target(BRIDGE, sessions, manual=12)
    assert (t.reps, t.planned, t.manual) == (12, 6, 12)
    assert "by hand" in t.reason
    cleared = target(BRIDGE, sessions, manual=None)
    assert (cleared.reps, cleared.manual) == (6, None)


def test_reason_says_why():
    assert "starting value" in target(BRIDGE, []).reason
    assert "2 of the last 2 sessions" in target(BRIDGE, [ok(5)] * 2).reason
    assert "maximum" in target(BRIDGE, [ok(40)] * 60).reason


def test_achieved_counts_in_the_target_unit():
    # reps: every counted rep
    assert achieved(BRIDGE, [(None, True), (None, False), (None, True)]) == 2
    # each side: the side with fewest; rounds: rounds with every side done
    sided = BRIDGE.model_copy(update={"reps": BRIDGE.reps.model_copy(update={"counting": "each_side"})})
    rounds = BRIDGE.model_copy(
        update={"reps": BRIDGE.reps.model_copy(update={"counting": "rounds", "rounds": ["left", "right", "both"]})}
    )
    reps = [("left", True), ("right", True), ("both", True), ("left", True), ("right", False), ("right", True)]
    assert achieved(rounds, reps) == 1
    assert achieved(rounds, [*reps, ("both", True)]) == 2
    # bridge has no sided phases: each_side falls back to the reps counted
    assert achieved(sided, reps) == 5
    assert progression.session_result(BRIDGE, [(None, True, False), (None, False, True)]) == SessionResult(1, 2, 1, 1)
