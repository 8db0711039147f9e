"""The annotated review video's frames rendered to images: what text is drawn where, in
which words; the skeleton and the hold ring on a white wall; the labels on real clips."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posecheck.coach import labels, lettering
from posecheck.coach.overlay import DIM, GOOD, HOLD, NOTE, PAUSED, WARN, WHITE, _scale, annotate, hold_ring, skeleton
from posecheck.exercise.definition import load
from posecheck.exercise.state import EngineState
from posecheck.exercise.view import View
from posecheck.session.pipeline import Pipeline
from posecheck.session.poses import ModelPoses
from posecheck.sources.video import VideoFile

from stickfigure import REST, pose_of

BRIDGE = load("bridge")
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
WALL = (235, 235, 235)  # a white wall
GREY = (128, 128, 128)  # a plain background, where the words' colours stand out

HOLDING = EngineState(
    t_s=10.0, tracking=True, started=True, setup_ok=True, setup_message="", phase="up",
    instruction="Hold — knees, hips and shoulders in one line. Breathe deeply", side=None, next_side=None, round=1,
    reps_counted=0, reps_attempted=1, target=5, hold_s=3.0, hold_target_s=12.0, in_hold=True,
    holding=True, hold_done=False, faults=(), fault_message="", values={}, set_complete=False,
)  # fmt: skip
BLOCKED = replace(HOLDING, holding=False, faults=("hips_low",), fault_message=BRIDGE.fault_message("hips_low"))


def near(img: np.ndarray, colour, tol: int = 40) -> np.ndarray:
    return np.abs(img.astype(int) - np.array(colour)).sum(axis=2) < tol


def wall(w: int = 640, h: int = 480, colour=WALL) -> np.ndarray:
    return np.full((h, w, 3), colour, np.uint8)


def render(state: EngineState, exercise=BRIDGE, size=(640, 480), pose=None) -> np.ndarray:
    return annotate(wall(*size, GREY), View(pose=pose, state=state, exercise=exercise))


def ink_columns(img: np.ndarray, colour, rows: slice) -> np.ndarray:
    return np.flatnonzero(near(img[rows], colour, 60).any(axis=0))


# --- where the words are ---------------------------------------------------------------


@pytest.mark.parametrize("size", [(640, 480), (1280, 720), (480, 640)])
def test_each_line_of_text_ends_where_its_words_end(size):
    """No ghost glyphs: every line's ink stops within its measured width (plus the outline)."""
    img = render(BLOCKED, size=size)
    W, H = size
    s = _scale(img)
    pad = int(16 * s)
    big, unit, _ = labels.count_words(BRIDGE, BLOCKED)
    reach = lettering.outline_px(18 * s) + 2
    # the instruction, bottom left: white words from the left margin to their width
    line = lettering.wrap(BLOCKED.instruction, 18 * s, W - 2 * pad)[-1]
    cols = ink_columns(img, WHITE, slice(H - pad - int(20 * s), H - pad))
    assert cols.size and cols.min() >= pad - reach
    assert cols.max() <= pad + lettering.measure(line, 18 * s)[0] + reach
    # the fault line, in the warning colour, under the count
    fault = lettering.wrap(labels.fault_line(BRIDGE, BLOCKED), 18 * s, W - 2 * pad)[0]
    cols = ink_columns(img, WARN, slice(int(140 * s) - int(20 * s), int(140 * s)))
    assert cols.size and cols.max() <= pad + lettering.measure(fault, 18 * s)[0] + reach
    # the count: the big number, a gap, then its unit
    big_end = pad + lettering.measure(big, 40 * s)[0]
    unit_x = big_end + int(12 * s)
    cols = ink_columns(img, WHITE, slice(int(70 * s) - int(40 * s), int(70 * s)))
    gap = cols[(cols > big_end + lettering.outline_px(40 * s) + 1) & (cols < unit_x - reach)]
    assert gap.size == 0  # nothing of the last digit spills toward the unit
    assert cols.min() <= pad + 6 * s and cols.max() >= unit_x + lettering.measure(unit, 16 * s)[0] - reach


def test_the_text_regions_sit_in_their_places():
    img = render(BLOCKED)
    H, W = img.shape[:2]
    white, warn = near(img, WHITE, 60), near(img, WARN, 60)
    # count top left, fault under it, instruction at the bottom, ring top right
    assert white[: H // 5, : W // 4].mean() > 0.03
    assert warn[H // 8 : H // 4, : W // 2].mean() > 0.02
    assert white[-H // 10 :, : W // 2].mean() > 0.03
    assert (img[H // 4 : H - H // 8] == GREY).all()  # the middle stays the picture's
    assert near(img[: H // 4, -W // 4 :], PAUSED, 60).mean() > 0.02


# --- which words -------------------------------------------------------------------------


def test_a_rep_that_failed_is_not_called_too_short():
    st = replace(HOLDING, reps_counted=1, reps_attempted=2, in_hold=False)
    assert labels.not_counted(st) == "1 not counted"
    assert labels.not_counted(replace(st, reps_attempted=1)) == ""


def test_a_hold_stopped_by_a_fault_says_so_in_the_fault_s_own_words():
    assert labels.fault_line(BRIDGE, BLOCKED) == "Not counting: lift your hips higher, into a straight line"
    # a running hold (the fault not yet reported, or one of another phase) names the fault alone
    assert labels.fault_line(BRIDGE, replace(BLOCKED, holding=True)) == BLOCKED.fault_message
    assert labels.fault_line(BRIDGE, replace(BLOCKED, in_hold=False)) == BLOCKED.fault_message
    assert labels.fault_line(BRIDGE, HOLDING) == ""


def test_the_ring_is_grey_while_a_fault_stops_the_hold():
    blocked, running = render(BLOCKED), render(HOLDING)
    corner = (slice(0, 140), slice(480, 640))
    assert near(blocked[corner], HOLD).mean() == 0
    assert near(blocked[corner], PAUSED, 60).mean() > 0.02
    assert near(running[corner], HOLD).mean() > 0.01  # a quarter of the ring, in the hold colour


@pytest.mark.parametrize(
    ("exercise", "state", "big", "line"),
    [
        ("bridge", {"reps_counted": 2, "target": 5}, "2/5", ""),
        # one round is left, right, both: nothing done until all three are
        ("knee_to_chest", {"round": 1, "reps_counted": 2, "target": 2, "side": "both"}, "0/2", "round 1 of 2 – both"),
        (
            "knee_to_chest",
            {"round": 2, "reps_counted": 3, "target": 2, "next_side": "left"},
            "1/2",
            "round 2 of 2 – left",
        ),
        # each side counts the side with fewest: one on the right is not "1 each side"
        (
            "seated_rotation",
            {"reps_counted": 1, "target": 3, "next_side": "left", "side_counts": (("right", 1), ("left", 0))},
            "0/3",
            "left side · right 1, left 0",
        ),
        (
            "lower_back_rotation",
            {"reps_counted": 4, "target": 2, "side_counts": (("left", 2), ("right", 2))},
            "2/2",
            "left 2, right 2",
        ),
    ],
)
def test_count_words_in_the_exercise_s_unit(exercise, state, big, line):
    ex = load(exercise)
    st = replace(HOLDING, **{"side": None, "next_side": None, **state})
    got = labels.count_words(ex, st)
    assert got[0] == big and got[2] == line
    assert got[1] == {"reps": "reps", "rounds": "rounds", "each_side": "each side"}[ex.reps.counting]


def replay_until_first_rep(name: str) -> list[EngineState]:
    """The engine's state on a sample clip's frames, with the real pose model, up to the
    frame that counts its first rep."""
    ex = load(name)
    pipe = Pipeline(ex)
    states: list[EngineState] = []
    with closing(ModelPoses(VideoFile(SAMPLES / f"{name}.mp4"), None).frames(masks=ex.needs_mask)) as frames:
        for p in frames:
            states.append(pipe.step(p.t_s, p.detection).view.state)
            if states[-1].reps_counted:
                break
    return states


@pytest.mark.model
def test_a_real_clip_counts_no_side_until_each_side_is_done():
    # seated rotation, right side first: after it, 0 of 3 each side, and which side is done
    sides = load("seated_rotation")
    states = replay_until_first_rep("seated_rotation")
    after_one = states[-1]
    assert after_one.reps_counted == 1
    assert dict(after_one.side_counts) == {"right": 1, "left": 0}
    assert labels.count_words(sides, after_one) == ("0/3", "each side", "left side · right 1, left 0")
    assert labels.progress(sides, after_one) == (1, 6)
    assert {labels.count_words(sides, st)[0] for st in states} == {"0/3"}


# --- seen on a white wall ------------------------------------------------------------------


def test_the_skeleton_shows_on_a_white_wall_and_a_dark_floor():
    state = replace(HOLDING, faults=())
    view = View(pose=pose_of(REST), state=state, exercise=BRIDGE)
    for background in (WALL, (20, 20, 20)):
        img = skeleton(np.full((480, 640, 3), background, np.uint8), view)
        changed = (img != np.array(background, np.uint8)).any(axis=2)
        assert changed.mean() > 0.005
        # against either background, a share of the drawn pixels has strong contrast
        contrast = np.abs(img.astype(int) - np.array(background)).sum(axis=2)
        assert (contrast[changed] > 300).mean() > 0.3


def test_the_hold_seconds_read_on_a_white_wall():
    img = wall(300, 300)
    hold_ring(img, (150, 150), 60, 3.0, 12.0, False)
    inside = img[110:190, 110:190]
    assert inside.mean() < np.mean(WALL) * 0.6  # the ring's middle is darkened...
    assert near(inside, WHITE, 60).mean() > 0.03  # ...and the white seconds stand on it
    assert near(img, DIM, 30).any()
    done = wall(300, 300)
    hold_ring(done, (150, 150), 60, 12.0, 12.0, True)
    assert near(done, GOOD).mean() > 0.01


# --- a guided exercise says whether its movement is counted from the picture, and why ----------

PELVIC = load("pelvic_tilt")
LYING = replace(
    HOLDING, phase="rest", instruction=PELVIC.phase("rest").instruction, in_hold=False, holding=False, guided="unseen"
)


def test_the_guided_note_says_why_in_the_exercise_s_own_words():
    reason = PELVIC.guided.reason
    assert labels.guided_line(PELVIC, LYING) == f"Not counted from the video: {reason}"
    assert labels.guided_line(PELVIC, replace(LYING, guided="paced")).startswith(f"Guided: {reason}, so I pace")
    assert labels.guided_line(PELVIC, replace(LYING, guided="seen")) == "Now counting from the video"
    assert "checking" in labels.guided_line(PELVIC, replace(LYING, guided="checking"))
    # nothing before counting starts, nor for an exercise the camera sees
    assert labels.guided_line(PELVIC, replace(LYING, started=False)) == ""
    assert labels.guided_line(BRIDGE, replace(HOLDING, guided="")) == ""


@pytest.mark.parametrize("size", [(640, 480), (1280, 720), (480, 640)])
def test_the_review_video_shows_the_note_above_the_instruction(size):
    W, H = size
    unseen, seen, plain = (render(replace(LYING, guided=g), PELVIC, size) for g in ("unseen", "seen", ""))
    s = _scale(unseen)
    pad = int(16 * s)
    note = lettering.wrap(labels.guided_line(PELVIC, LYING), 12 * s, W - 2 * pad)
    instruction = lettering.wrap(LYING.instruction, 18 * s, W - 2 * pad)
    first = H - pad - int(36 * s) * (len(instruction) - 1)  # the instruction's first baseline
    above = slice(first - int(36 * s) - int(24 * s) * len(note), first - int(30 * s))
    # the note's quiet grey ink only above the instruction, ending where its words end
    cols = ink_columns(unseen, NOTE, above)
    assert cols.size and cols.max() <= pad + max(lettering.measure(x, 12 * s)[0] for x in note) + 4
    changed = np.flatnonzero((unseen != plain).any(axis=(1, 2)))
    assert changed.min() >= above.start - 2  # nothing else moved: the note and its dark backing
    assert not ink_columns(plain, NOTE, above).size  # no note: no such ink
    # once the picture shows the movement, the note turns green: counting from the video
    assert ink_columns(seen, GOOD, above).size and not ink_columns(seen, NOTE, above).size
    # the instruction stays where it was
    rows = slice(H - pad - int(20 * s), H - pad)
    assert np.array_equal(near(unseen[rows], WHITE, 60), near(plain[rows], WHITE, 60))
