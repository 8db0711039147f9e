"""A person's heights and inclines are read against the floor they are on, not the picture.

A phone propped on the floor is often rolled a few degrees. Read against the picture, every
movement along the body then leaks sin(roll) of itself into the heights, and lower back
rotation's bands are a few hundredths of a torso length (it counted sit-ups and heel touches
on real clips rolled 5°). Measured square to the trunk where the person lay, it does not.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from posecheck.exercise.definition import load
from posecheck.exercise.signals import SignalReader
from posecheck.pose.landmarks import INDEX
from posecheck.pose.types import Pose

from stickfigure import HEIGHT, REST, WIDTH, Body, pose_of

LOWER_BACK_ROTATION = load("lower_back_rotation")
LEVELLED = [n for n, s in LOWER_BACK_ROTATION.signals.items() if s.level is not None]
# The same exercise with its heights read against the picture's up, as before the floor line.
PICTURE_UP = LOWER_BACK_ROTATION.model_copy(
    update={"signals": {n: s.model_copy(update={"level": None}) for n, s in LOWER_BACK_ROTATION.signals.items()}}
)
FPS = 30.0
FEET_IN = replace(REST, heel_x_m=0.80)  # the feet slid toward the hips: the knees move along the body and up


def rolled(pose: Pose, deg: float, shift_px: tuple[float, float] = (0.0, 0.0)) -> Pose:
    """The picture of a camera rolled `deg` about its centre (and the person `shift_px` along)."""
    a = math.radians(deg)
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    centre = np.array([WIDTH / 2, HEIGHT / 2])
    return replace(pose, xy=(pose.xy - centre) @ turn.T + centre + np.array(shift_px))


def change(exercise, deg: float, signal: str, moved: Body = FEET_IN) -> float:
    """The signal's change from lying at rest (1.5 s: the floor line is placed) to `moved`."""
    reader = SignalReader(exercise)
    t = 0.0
    for _ in range(int(1.5 * FPS)):
        rest = reader.read(t, rolled(pose_of(REST), deg))
        t += 1 / FPS
    now = reader.read(t, rolled(pose_of(moved), deg))
    assert rest is not None and now is not None
    return float(now[signal] - rest[signal])


def test_lower_back_rotation_reads_its_position_heights_over_the_floor():
    assert set(LEVELLED) == {"knees_down", "left_knee_above", "left_shoulder_above"}


@pytest.mark.parametrize("deg", [-5.0, 5.0, 12.0])
def test_a_rolled_camera_reads_the_knees_height_as_a_level_one(deg):
    level = change(LOWER_BACK_ROTATION, 0.0, "knees_down")
    assert abs(level) > 0.05  # the knees did rise: a movement to read, not nothing
    assert change(LOWER_BACK_ROTATION, deg, "knees_down") == pytest.approx(level, abs=1e-6)
    # ...where the picture's up takes sin(roll) of the knees' slide along the body into it
    picture = change(PICTURE_UP, deg, "knees_down")
    assert change(PICTURE_UP, 0.0, "knees_down") == pytest.approx(level, abs=1e-6)
    assert abs(picture - level) > 0.1 * abs(level)  # 14 % off at 5°, a third at 12°


def test_the_floor_line_stays_where_the_person_lay_and_moves_with_them():
    reader = SignalReader(LOWER_BACK_ROTATION)
    (floor,) = reader.floors.values()
    t = 0.0

    def lie(body: Body, seconds: float, shift_px=(0.0, 0.0)) -> None:
        nonlocal t
        for _ in range(int(seconds * FPS)):
            reader.read(t, rolled(pose_of(body), 5.0, shift_px))
            t += 1 / FPS

    lie(REST, 0.5)
    assert floor.placed == 0  # still reading where they lie
    lie(REST, 1.0)
    assert floor.placed == 1
    lie(replace(REST, lift_deg=4.0), 3.0)  # the pelvis tips a little as the knees roll: the floor stays
    assert floor.placed == 1
    lie(REST, 3.0, shift_px=(-120.0, 0.0))  # they lay down again further along: the floor follows
    assert floor.placed == 2


def test_without_its_floor_points_a_height_keeps_the_last_floor_or_the_picture():
    reader = SignalReader(LOWER_BACK_ROTATION)
    hidden = pose_of(REST)
    presence = hidden.presence.copy()
    presence[[11, 12]] = 0.0  # both shoulders unseen
    hidden = replace(hidden, presence=presence)
    first = reader.read(0.0, rolled(hidden, 5.0))
    picture = SignalReader(PICTURE_UP).read(0.0, rolled(hidden, 5.0))
    assert first is not None and picture is not None
    assert first["knees_down"] == pytest.approx(picture["knees_down"])  # no floor yet: the picture's up
    t = 0.0
    for _ in range(int(1.5 * FPS)):
        t += 1 / FPS
        seen = reader.read(t, rolled(pose_of(REST), 5.0))
    later = reader.read(t + 1 / FPS, rolled(hidden, 5.0))
    assert seen is not None and later is not None
    assert later["knees_down"] == pytest.approx(seen["knees_down"], abs=1e-6)  # the floor where they lay


def lie(reader: SignalReader, t: float, body: Body, seconds: float, deg: float = 5.0) -> float:
    for _ in range(int(seconds * FPS)):
        reader.read(t, rolled(pose_of(body), deg))
        t += 1 / FPS
    return t


def test_the_floor_is_placed_again_where_the_person_settled_in_the_start_position():
    """The hips still coming down for the first second (the trunk 9° off the floor), then lying
    flat: the first line placed is the trunk's on the way down, and the hips' last move onto
    the floor is too small to move it (a sixth of a torso); once the start position is taken there
    (start_taken), the line lies where they lie, and a knee's rise reads as it does level."""
    level = change(LOWER_BACK_ROTATION, 0.0, "knees_down")
    readings = {}
    for started in (False, True):
        reader = SignalReader(LOWER_BACK_ROTATION)
        t = lie(reader, 0.0, replace(REST, lift_deg=9.0), 1.2)
        t = lie(reader, t, REST, 0.8)
        (floor,) = reader.floors.values()
        assert floor.placed == 1  # the line of the way down
        if started:
            reader.start_taken()
        rest = reader.read(t, rolled(pose_of(REST), 5.0))
        now = reader.read(t + 1 / FPS, rolled(pose_of(FEET_IN), 5.0))
        assert rest is not None and now is not None
        readings[started] = now["knees_down"] - rest["knees_down"]
    assert readings[True] == pytest.approx(level, abs=1e-3)
    assert abs(readings[False] - level) > 0.1 * abs(level)  # the line of the way down: 9° off


# Cat-cow reads its arm and thigh twice: from the picture's level (`arm_upright`,
# `thigh_upright`) and from the floor under the hands and knees (`arm_on_floor`,
# `thigh_on_floor`); a misplaced hand or knee is named only when both agree (test_person_fit).
CAT_COW = load("cat_cow")


def on_all_fours(knee_behind_m: float) -> Pose:
    """On hands and knees, seen from the side (metres as pose_of: x toward the feet, y up), the
    knees `knee_behind_m` behind the hips: the thigh leans back from upright."""
    pose = pose_of(REST)
    xy = pose.xy.copy()
    parts = {
        "wrist": (0.02, 0.0),
        "elbow": (0.01, 0.3),
        "shoulder": (0.0, 0.6),
        "hip": (0.5, 0.58),
        "knee": (0.5 + knee_behind_m, 0.0),
        "ankle": (0.9 + knee_behind_m, 0.0),
        "ear": (-0.12, 0.66),
    }
    for name, (x, y) in parts.items():
        for side in ("left", "right"):
            xy[INDEX[f"{side}_{name}"]] = (120.0 + x * 300.0, 400.0 - y * 300.0)
    return replace(pose, xy=xy)


@pytest.mark.parametrize("deg", [-5.0, 5.0])
def test_on_all_fours_an_arm_and_thigh_on_a_floor_line_stand_from_it_once_the_start_is_taken(deg):
    """Knees a little behind the hips (the thigh 75° from the floor): a camera rolled 5° reads
    70 or 80 against the picture's level, and 70 is a misplaced knee. Before the start the
    hands may not be on the floor yet (kneeling up first), so the floor reading is the
    picture's too; from the start it stands from the line under hands and knees, while the
    picture's reading keeps the roll."""
    pose = on_all_fours(knee_behind_m=0.16)
    level = SignalReader(CAT_COW).read(0.0, pose)
    assert level is not None and level["thigh_upright"] == pytest.approx(74.8, abs=0.5)
    reader = SignalReader(CAT_COW)
    t = 0.0
    for _ in range(int(1.5 * FPS)):
        before = reader.read(t, rolled(pose, deg))
        t += 1 / FPS
    assert before is not None
    for name in ("thigh_upright", "thigh_on_floor"):  # both the picture's before the start
        assert abs(before[name] - level["thigh_upright"]) == pytest.approx(abs(deg), abs=0.5)
    reader.start_taken()
    after = reader.read(t, rolled(pose, deg))
    assert after is not None
    for name in ("thigh", "arm"):
        assert after[f"{name}_on_floor"] == pytest.approx(level[f"{name}_upright"], abs=1e-6)
    assert abs(after["thigh_upright"] - level["thigh_upright"]) == pytest.approx(abs(deg), abs=0.5)  # the picture's
