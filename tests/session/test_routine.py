"""The routine's course, pure: modes, keys, pauses left out of engine time, the page's order."""

from __future__ import annotations

import pytest

from posecheck.exercise.definition import load
from posecheck.pose.types import Detection
from posecheck.session.routine import ROUTINE_IDS, Item, Routine, routine_items

from stickfigure import bridge_reps, perform

BRIDGE = load("bridge")
FPS = 30.0


def _items(*ids: str) -> list[Item]:
    return [Item(BRIDGE.model_copy(update={"id": i, "name": i})) for i in ids]


NOBODY = Detection(poses=())


def drive(
    routine: Routine, script: list[tuple[float, str | None]], until: float, fps: float = 10.0
) -> list[tuple[float, str, int]]:
    """Feed frames with nobody in view at fps and press keys at times; returns (t, mode, index) changes."""
    keys = sorted(script)
    seen = []
    t = 0.0
    while t <= until:
        while keys and keys[0][0] <= t:
            routine.key(keys.pop(0)[1], t)
        routine.tick(t)
        if routine.wants_pose:
            routine.step(t, NOBODY)
        mode = "paused" if routine.paused else routine.mode
        if not seen or seen[-1][1:] != (mode, routine.index):
            seen.append((round(t, 2), mode, routine.index))
        t += 1 / fps
    return seen


# case: items, intro_s, rest_s, keys (t, key), run until, expected modes in order, outcomes
ROUTINE_CASES = {
    "start card times out": (1, 2.0, 5.0, [], 3.0, [("start", 0), ("count", 0)], []),
    "space starts now": (1, 8.0, 5.0, [(1.0, " ")], 2.0, [("start", 0), ("count", 0)], []),
    "n moves on through a rest": (
        2,
        0.0,
        3.0,
        [(1.0, "n")],
        5.0,
        [("count", 0), ("rest", 0), ("count", 1)],
        ["stopped"],
    ),
    "n during a rest skips it": (
        2,
        0.0,
        30.0,
        [(1.0, "n"), (2.0, "n")],
        3.0,
        [("count", 0), ("rest", 0), ("count", 1)],
        ["stopped"],
    ),
    "r redoes the set": (2, 0.0, 3.0, [(1.0, "r")], 2.0, [("count", 0)], ["redone"]),
    "r in a rest redoes the set just done": (
        2,
        0.0,
        30.0,
        [(1.0, "n"), (2.0, "r")],
        3.0,
        [("count", 0), ("rest", 0), ("count", 0)],
        ["stopped"],
    ),
    "q ends, keeping the set": (2, 0.0, 3.0, [(1.0, "q")], 2.0, [("count", 0), ("done", 0)], ["stopped"]),
    "space pauses and resumes": (
        1,
        0.0,
        3.0,
        [(1.0, " "), (2.0, " ")],
        3.0,
        [("count", 0), ("paused", 0), ("count", 0)],
        [],
    ),
    "last exercise done ends the session": (1, 0.0, 3.0, [(1.0, "n")], 2.0, [("count", 0), ("done", 0)], ["stopped"]),
}


@pytest.mark.parametrize("name", list(ROUTINE_CASES))
def test_routine_course(name):
    n, intro, rest, keys, until, modes, outcomes = ROUTINE_CASES[name]
    routine = Routine(_items(*ROUTINE_IDS[:n]), intro_s=intro, rest_s=rest, single=False)
    seen = drive(routine, keys, until)
    assert [(m, i) for _, m, i in seen] == modes
    assert [r.outcome for r in routine.pop_finished()] == outcomes


def test_routine_pause_is_left_out_of_engine_time():
    routine = Routine(_items("bridge"), intro_s=0.0)
    drive(routine, [(1.0, " "), (6.0, " ")], 7.0)
    # 5 s paused: the engine saw about 2 s (one frame of the pause is kept so time moves on)
    assert routine.current.pipeline.last_t == pytest.approx(7.0 - 5.0 + 0.1 / 3, abs=0.15)


def test_routine_is_the_pages_order_and_says_what_is_missing(tmp_path):
    text = (load.__globals__["builtin_dir"]() / "bridge.toml").read_text()
    for i, order in (("cat_cow", 5), ("bridge", 4), ("knee_to_chest", 1)):
        t = text.replace('id = "bridge"', f'id = "{i}"').replace("order = 4", f"order = {order}")
        (tmp_path / f"{i}.toml").write_text(t)
    items, missing = routine_items(folder=tmp_path, target=2)
    assert [it.exercise.id for it in items] == ["knee_to_chest", "bridge", "cat_cow"]
    assert all(it.target == 2 for it in items)
    assert missing == ["lower_back_rotation", "pelvic_tilt", "seated_rotation", "shoulder_blade_squeeze"]


def test_set_complete_moves_the_routine_to_a_rest():
    # two scripted exercises, target 1: the first rep completes the set, then a rest follows
    items = [Item(BRIDGE, 1.0, 1), Item(BRIDGE.model_copy(update={"id": "bridge_again"}), 1.0, 1)]
    routine = Routine(items, intro_s=0.0, rest_s=1.0)
    samples = list(perform(bridge_reps(1), FPS))
    modes = []
    for t, pose in samples:
        routine.tick(t)
        if routine.wants_pose:
            routine.step(t, Detection(poses=(pose,)))
        modes.append(routine.mode)
    t = samples[-1][0]
    while t < samples[-1][0] + 4:
        t += 1 / FPS
        routine.tick(t)
        modes.append((routine.mode, routine.index))
    assert ("rest", 0) in modes
    assert ("count", 1) in modes
    assert [r.outcome for r in routine.pop_finished()] == ["done"]
