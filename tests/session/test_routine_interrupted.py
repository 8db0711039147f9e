"""Pausing or quitting mid-hold is not a failed attempt (issue 11): a rep the user paused or
ended with q, n or r is forgotten unless its holds were complete; the end of a video is not
the user's choice and still records the attempt."""

from __future__ import annotations

from posecheck.exercise.definition import load
from posecheck.pose.types import Detection
from posecheck.session.routine import Item, Routine

from stickfigure import REST, Body, Key, lift_for_line, perform

BRIDGE = load("bridge")
TOP = Body(lift_deg=lift_for_line(0.0))
FPS = 15.0
HOLD_S = 4.0


def run(keys: list[Key], presses: dict[float, str], stop: str | None = None) -> Routine:
    """The performance through a one-exercise routine (hold HOLD_S), keys pressed at times;
    `stop`: how the session ends when the performance does ("video": its end, "q": quit)."""
    routine = Routine([Item(BRIDGE, HOLD_S, 5)], intro_s=0.0)
    pending = sorted(presses.items())
    t = 0.0
    for t, pose in perform(keys, FPS):
        while pending and pending[0][0] <= t:
            routine.key(pending.pop(0)[1], t)
        routine.tick(t)
        if routine.wants_pose:
            routine.step(t, Detection(poses=(pose,)))
    if stop == "video":
        routine.stop(t)
    elif stop == "q":
        routine.key("q", t)
    return routine


def reps(routine: Routine) -> list[bool]:
    (rec,) = routine.sets
    return [r.counted for r in rec.pipeline.engine.reps]


# up at ~3 s, holding from about 3.5 s; a 4 s hold is complete near 7.5 s
SHORT = [Key(REST, stay_s=2.0), Key(TOP, 1.0, 2.0), Key(REST, 1.0, 3.0)]  # held ~2 s: too short
PAUSED = [Key(REST, stay_s=2.0), Key(TOP, 1.0, 2.0), Key(REST, 1.0, 1.0), Key(REST, 0.0, 3.0)]
STILL_UP = [Key(REST, stay_s=2.0), Key(TOP, 1.0, 2.5)]


def test_a_short_hold_without_a_pause_is_an_attempt():
    assert reps(run(SHORT, {})) == [False]  # what the cases below must not record


def test_pausing_mid_hold_and_coming_back_down_is_no_attempt():
    # paused at 4.5 s mid-hold; back down during the pause; resumed at 7 s in the start position
    routine = run(PAUSED, {4.5: " ", 7.0: " "})
    assert reps(routine) == []
    routine.stop(routine._last_t or 0.0)
    assert reps(routine) == []


def test_a_paused_rep_still_counts_when_its_hold_is_completed():
    keys = [Key(REST, stay_s=2.0), Key(TOP, 1.0, 7.0), Key(REST, 1.0, 3.0)]
    assert reps(run(keys, {4.5: " ", 5.5: " "})) == [True]


def test_quitting_mid_hold_is_no_attempt():
    assert reps(run(STILL_UP, {}, stop="q")) == []


def test_next_mid_hold_is_no_attempt():
    routine = Routine([Item(BRIDGE, HOLD_S, 5), Item(BRIDGE, HOLD_S, 5)], intro_s=0.0, rest_s=30.0)
    t = 0.0
    for t, pose in perform(STILL_UP, FPS):
        routine.tick(t)
        routine.step(t, Detection(poses=(pose,)))
    routine.key("n", t)
    assert [r.counted for r in routine.sets[0].pipeline.engine.reps] == []
    assert routine.sets[0].outcome == "stopped"


def test_the_end_of_a_video_mid_hold_is_still_an_attempt():
    assert reps(run(STILL_UP, {}, stop="video")) == [False]
