"""The looping demonstration on the start and rest cards: every exercise has one that decodes,
it moves, it sits clear of the card's words, and a missing or broken file only removes it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posecheck.coach.demo import DEMOS_DIR, Demos, load
from posecheck.coach.screen import Board, render
from posecheck.exercise.definition import load as load_exercise

from helpers import ROOT

EXERCISES = sorted(p.stem for p in (ROOT / "exercises").glob("*.toml") if not p.stem.startswith("_"))
SIZES = [(1280, 720), (1920, 1080), (720, 1280)]
MAGENTA = (255, 0, 255)


@pytest.fixture(scope="module")
def demos() -> Demos:
    return Demos(EXERCISES, note=lambda line: None)


def test_every_exercise_has_a_short_moving_demonstration(demos):
    for ex in EXERCISES:
        demo = demos.get(ex)
        assert demo is not None, f"{ex}: no demonstration in {DEMOS_DIR}"
        assert 2.0 <= demo.period_s <= 15.0 and 5 <= demo.fps <= 30
        h, w = demo.frames[0].shape[:2]
        assert 100 <= h <= 320 and 100 <= w <= 480
        assert float(demo.frames[0].std()) > 10  # a picture, not a blank
        moved = max(np.abs(f.astype(int) - demo.frames[0].astype(int)).mean() for f in demo.frames)
        assert moved > 1.5, f"{ex}: the loop barely moves"


def test_the_demonstrations_stay_small():
    total = sum(p.stat().st_size for p in DEMOS_DIR.glob("*.mp4"))
    assert total < 1.5e6


def test_a_missing_or_broken_file_gives_no_demonstration_and_one_note(tmp_path: Path):
    (tmp_path / "bridge.mp4").write_bytes(b"not a video at all")
    notes: list[str] = []
    demos = Demos(["bridge", "cat_cow", "bridge"], folder=tmp_path, note=notes.append)
    assert demos.get("bridge") is None and demos.get("cat_cow") is None
    assert demos.frame("cat_cow", 3.0) is None
    assert len(notes) == 2 and "cat_cow" in notes[1] and "bridge" in notes[0]
    assert load(tmp_path / "nothing.mp4", note=notes.append) is None and len(notes) == 3


def test_the_loop_runs_by_wall_time_at_its_own_rate(demos):
    demo = demos.get("bridge")
    assert demo is not None
    assert demos.frame("bridge", 0.0) is demo.frames[0]
    assert demos.frame("bridge", 1.0 / demo.fps + 1e-6) is demo.frames[1]
    assert demos.frame("bridge", demo.period_s + 1e-6) is demo.frames[0]  # a period on: the same frame


def _board(mode: str, demo: np.ndarray | None, first: bool = True) -> Board:
    bridge, cat = load_exercise("bridge"), load_exercise("cat_cow")
    return Board(
        bridge,
        mode=mode,
        frame=np.full((480, 640, 3), 110, np.uint8),
        seconds_left=12.3,
        next_exercise=cat,
        first=first,
        keys=False,
        notice="No voice: install espeak-ng" if first else "",
        demo=demo,
    )


def _box(mask: np.ndarray):
    ys, xs = np.nonzero(mask)
    return ys.min(), ys.max(), xs.min(), xs.max()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("mode", ["start", "rest"])
def test_cards_show_the_loop_moving_and_clear_of_their_words(demos, mode, size):
    demo = demos.get("bridge" if mode == "start" else "cat_cow")
    assert demo is not None
    half = demo.period_s / 2
    a = render(_board(mode, demo.frame_at(0.3)), size)
    b = render(_board(mode, demo.frame_at(0.3 + half)), size)
    c = render(_board(mode, demo.frame_at(0.3 + demo.period_s)), size)
    changed = np.abs(a.astype(int) - b.astype(int)).sum(axis=2) > 30
    assert changed.sum() > 0.002 * a.shape[0] * a.shape[1], "the loop does not move on the card"
    assert np.array_equal(a, c)  # a period apart: the same picture
    # a solid frame shows where the loop goes; nothing else on the card is drawn over it
    solid = np.full_like(demo.frames[0], MAGENTA)
    m = render(_board(mode, solid), size)
    region = np.abs(m.astype(int) - np.array(MAGENTA)).sum(axis=2) < 30
    assert region.sum() > 0.01 * m.shape[0] * m.shape[1], "no room was found for the loop"
    y0, y1, x0, x1 = _box(region)
    assert region[y0 : y1 + 1, x0 : x1 + 1].all(), "something is drawn over the loop"
    # the words are all still there, none in the loop's place, and they do not move as it plays
    outside = np.ones(a.shape[:2], bool)
    outside[y0 - 1 : y1 + 2, x0 - 1 : x1 + 2] = False
    assert np.array_equal(a[outside], b[outside])
    assert not changed[outside].any()
    plain = render(_board(mode, None), size)
    bright = lambda img: (img.max(axis=2) > 200) & outside  # noqa: E731 (the lettering's ink)
    assert bright(a).sum() > 0.6 * bright(plain).sum()


@pytest.mark.parametrize("mode", ["start", "rest"])
def test_portrait_cards_keep_their_words_in_place(demos, mode):
    """Portrait: the loop goes into the free space below the words, which stay where they were."""
    demo = demos.get("bridge")
    assert demo is not None
    size = (720, 1280)
    plain = render(_board(mode, None), size)
    shown = render(_board(mode, demo.frame_at(1.0)), size)
    differs = np.abs(plain.astype(int) - shown.astype(int)).sum(axis=2) > 0
    y0, y1, x0, x1 = _box(differs)
    inside = plain[y0 : y1 + 1, x0 : x1 + 1].reshape(-1, 3)
    assert len(np.unique(inside, axis=0)) <= 3  # only the card's shaded background was there


def test_only_the_start_and_rest_cards_draw_it():
    for mode in ("start", "rest"):
        counting = render(replace(_board(mode, None), mode="count"), (1280, 720))
        with_demo = render(replace(_board(mode, np.zeros((50, 50, 3), np.uint8)), mode="count"), (1280, 720))
        assert np.array_equal(counting, with_demo)  # only the start and rest cards draw it
