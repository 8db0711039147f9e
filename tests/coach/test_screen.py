"""The live screen rendered to images: what is drawn where, in which colour, at which size."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from posecheck.coach.layout import Rect, layout
from posecheck.coach.overlay import GOOD, HOLD, NOTE, WARN, WHITE
from posecheck.coach.screen import SAFETY_NOTE, Board, render
from posecheck.exercise.definition import load
from posecheck.exercise.state import EngineState
from posecheck.exercise.view import View

from stickfigure import REST, pose_of

BRIDGE = load("bridge")
HD = (1280, 720)

COUNTING = EngineState(
    t_s=10.0, tracking=True, started=True, setup_ok=True, setup_message="", phase="up",
    instruction="Hold - knees, hips and shoulders in one line", side=None, next_side=None, round=1,
    reps_counted=2, reps_attempted=2, target=5, hold_s=3.0, hold_target_s=12.0, in_hold=True,
    holding=True, hold_done=False, faults=(), fault_message="", values={}, set_complete=False,
)  # fmt: skip
RESTING = replace(
    COUNTING, phase="rest", instruction="Raise your hips", in_hold=False, holding=False, hold_s=0.0, hold_target_s=0.0
)
SETUP = replace(
    RESTING,
    started=False,
    setup_ok=False,
    setup_message="I can't see your feet - move the camera back",
    instruction="I can't see your feet - move the camera back",
)


def frame(w=640, h=480) -> np.ndarray:
    img = np.full((h, w, 3), 110, np.uint8)
    img[:, : w // 2] = (40, 40, 160)  # left half red-ish, right half grey: shows a mirror
    return img


def board(state: EngineState = COUNTING, **kw) -> Board:
    return Board(BRIDGE, frame=frame(), view=View(pose=None, state=state, exercise=BRIDGE), keys=False, **kw)


def near(img: np.ndarray, colour, tol: int = 40) -> np.ndarray:
    return np.abs(img.astype(int) - np.array(colour)).sum(axis=2) < tol


def crop(img: np.ndarray, r) -> np.ndarray:
    return img[r.y : r.y + r.h, r.x : r.x + r.w]


def ink_rows(mask: np.ndarray) -> int:
    """How many rows hold drawn pixels: the height of a line of text."""
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def test_hold_ring_fills_clockwise_from_the_top_with_the_share_held():
    img = render(board(replace(COUNTING, hold_s=3.0)), HD)  # a quarter of 12 s
    lay = layout(img)
    cx, cy = lay.ring.centre
    r = int(max(4 * lay.u, (min(lay.ring.w, lay.ring.h) - 5 * lay.u) / 2))

    def at(deg: float) -> np.ndarray:  # clockwise from 12 o'clock
        a = math.radians(deg)
        return img[round(cy - r * math.cos(a)), round(cx + r * math.sin(a))]

    assert near(at(45)[None, None], HOLD)[0, 0]
    assert not near(at(135)[None, None], HOLD)[0, 0]
    assert not near(at(270)[None, None], HOLD)[0, 0]
    # the seconds left in the middle, in white
    middle = img[cy - r // 2 : cy + r // 2, cx - r // 2 : cx + r // 2]
    assert near(middle, WHITE, 60).mean() > 0.03


def test_hold_ring_turns_green_when_done_and_is_absent_outside_a_hold():
    done = render(board(replace(COUNTING, hold_s=12.0, hold_done=True)), HD)
    assert near(crop(done, layout(done).ring), GOOD).mean() > 0.02
    resting = render(board(RESTING), HD)
    assert near(crop(resting, layout(resting).ring), HOLD).mean() == 0
    assert near(crop(resting, layout(resting).ring), GOOD).mean() == 0


def test_rep_count_is_large_and_changes_with_the_count():
    a = render(board(replace(COUNTING, reps_counted=2)), HD)
    b = render(board(replace(COUNTING, reps_counted=4)), HD)
    box = layout(a).count
    ink = near(crop(a, box), WHITE, 60)
    assert ink.mean() > 0.04
    assert ink_rows(ink[: box.h // 2]) > 0.09 * HD[1]  # digits at least 9 % of the screen's height
    assert (crop(a, box) != crop(b, box)).any(axis=2).mean() > 0.01


def test_progress_shows_counted_reps_of_the_target():
    img = render(board(replace(COUNTING, reps_counted=2, target=5)), HD)
    bar = crop(img, layout(img).bar)
    cols = near(bar, GOOD).any(axis=0)
    share = cols.mean() / ((bar.shape[1] - 1) / bar.shape[1])
    assert 0.3 < share < 0.5  # two of five segments


def test_one_fault_in_the_warning_colour_only_while_it_lasts():
    with_fault = render(
        board(replace(COUNTING, faults=("hips_low", "head_lifted"), fault_message="Lift your hips higher")), HD
    )
    strip = crop(with_fault, layout(with_fault).fault)
    assert near(strip, WARN).mean() > 0.5  # the strip is in the warning colour...
    assert near(strip, (20, 20, 20), 60).mean() > 0.01  # ...with dark words on it
    assert ink_rows(near(strip, (20, 20, 20), 60)) < strip.shape[0]  # one line
    clean = render(board(COUNTING), HD)
    assert near(crop(clean, layout(clean).fault), WARN).mean() < 0.01


def test_instruction_across_the_bottom_legible_from_afar():
    img = render(board(COUNTING), (1920, 1080))
    band = crop(img, layout(img).band)
    ink = near(band, WHITE, 60)
    assert ink.mean() > 0.02
    line = ink_rows(ink[: band.shape[0] // 2 + 10])
    assert line > 0.04 * 1080  # capitals about 5 % of the height: ~1.5 cm on a laptop at 3 m


def test_setup_check_says_what_to_change_in_the_warning_colour():
    img = render(board(SETUP), HD)
    lay = layout(img)
    assert near(crop(img, lay.band), WARN).mean() > 0.01
    assert near(crop(img, lay.panel), WARN).mean() > 0.005
    # no count before counting starts
    ready = render(board(replace(SETUP, setup_ok=True, setup_message="")), HD)
    assert near(crop(ready, lay.panel), GOOD).mean() > 0.002


def test_start_card_has_the_safety_note_and_the_camera_placement():
    note = " ".join(SAFETY_NOTE).lower()
    assert "physical therapist" in note and "hurts" in note and "stop" in note
    first = render(Board(BRIDGE, mode="start", frame=frame(), seconds_left=5.0, first=True), HD)
    later = render(Board(BRIDGE, mode="start", frame=frame(), seconds_left=5.0, first=False), HD)
    assert near(first, WARN).mean() > 0.005  # the note, in the warning colour
    assert near(later, WARN).mean() < near(first, WARN).mean() / 5
    assert near(first, WHITE, 60).mean() > 0.01  # the name and the placement


@pytest.mark.parametrize("mode", ["rest", "paused", "camera_lost", "done"])
def test_cards_cover_the_picture_with_large_words(mode):
    img = render(
        board(COUNTING, mode=mode, seconds_left=12.0, next_exercise=BRIDGE, lines=("Bridge exercise: 2 of 5",)), HD
    )
    centre = img if mode == "done" else img[150:570, 200:1080]
    colour = WARN if mode == "camera_lost" else GOOD if mode == "done" else WHITE
    assert near(centre, colour, 60).mean() > 0.005
    plain = render(board(COUNTING), HD)
    assert (img != plain).any(axis=2).mean() > 0.3


def test_mirror_flips_the_picture_not_the_words():
    pose = pose_of(REST)
    view = View(pose=pose, state=COUNTING, exercise=BRIDGE)
    src = frame()
    plain = render(Board(BRIDGE, frame=src, view=view, keys=False), HD)
    mirrored = render(Board(BRIDGE, frame=src, view=view, mirror=True, keys=False), HD)
    v = layout(plain).video
    left_third = (slice(v.y + v.h // 3, v.y + v.h // 2), slice(v.x + 60, v.x + v.w // 4))
    assert near(plain[left_third], (40, 40, 160)).mean() > 0.8
    assert near(mirrored[left_third], (110, 110, 110)).mean() > 0.8
    # the panel's words are the same, not mirrored
    assert np.array_equal(crop(plain, layout(plain).count), crop(mirrored, layout(mirrored).count))
    assert np.array_equal(src, frame())  # the model's picture is left alone


@pytest.mark.parametrize("size", [(640, 360), (1920, 1080), (720, 1280), (800, 800)])
def test_everything_scales_with_the_window(size):
    img = render(board(replace(COUNTING, fault_message="Lift your hips higher")), size)
    assert img.shape[:2] == (size[1], size[0])
    lay = layout(img)
    # the count and the ring keep their share of the screen at any size
    assert near(crop(img, lay.count), WHITE, 60).mean() > 0.02
    assert near(crop(img, lay.ring), HOLD).mean() > 0.005
    assert near(crop(img, lay.fault), WARN).mean() > 0.4
    for r in (lay.video, lay.panel, lay.band, lay.count, lay.ring):
        assert r.x >= 0 and r.y >= 0 and r.x + r.w <= size[0] and r.y + r.h <= size[1]


@pytest.mark.parametrize("size", [HD, (720, 1280)])
def test_a_guided_exercise_says_under_its_name_whether_it_is_counted_from_the_picture(size):
    pelvic = load("pelvic_tilt")
    lying = replace(RESTING, instruction=pelvic.phase("rest").instruction, guided="paced")

    def shown(state: EngineState) -> np.ndarray:
        b = Board(pelvic, frame=frame(), view=View(pose=None, state=state, exercise=pelvic), keys=False)
        return render(b, size)

    paced, seen, plain = shown(lying), shown(replace(lying, guided="seen")), shown(replace(lying, guided=""))
    lay = layout(paced)
    u, v = lay.u, lay.video
    under_name = Rect(v.x, v.y + int(8 * u), v.w, int(14 * u))
    ink = near(crop(paced, under_name), NOTE, 30)
    assert ink.any() and ink_rows(ink) < 0.1 * size[1]  # a quiet line or two, not a card
    changed = np.flatnonzero((paced != plain).any(axis=(1, 2)))
    assert under_name.y <= changed.min() and changed.max() < under_name.y + under_name.h
    assert near(crop(seen, under_name), GOOD, 30).any() and not near(crop(seen, under_name), NOTE, 30).any()
    # not on the cards: resting between exercises shows none
    rest = Board(pelvic, mode="rest", frame=frame(), view=View(pose=None, state=lying, exercise=pelvic), keys=False)
    assert np.array_equal(
        render(rest, size), render(replace(rest, view=View(None, replace(lying, guided=""), pelvic)), size)
    )
