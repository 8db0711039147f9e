"""A slow machine (issue 11): the live loop at a few pictures a second says so on the screen
and at the end, and still counts every rep apart (never two reps as one)."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.coach.overlay import WARN
from posecheck.coach.screen import Board, render
from posecheck.coach.slow import LIVE_PAINTERS
from posecheck.exercise.definition import load
from posecheck.pose.types import Detection
from posecheck.session.pace import SLOW_WORDS, WINDOW_S, Pace
from posecheck.session.pipeline import Pipeline

from stickfigure import bridge_reps, perform

BRIDGE = load("bridge")
MIN_FPS = BRIDGE.tracking.min_fps


def test_every_exercise_says_its_slowest_rate():
    from posecheck.exercise.definition import exercise_files

    assert all(load(i).tracking.min_fps for i in exercise_files())


def test_pace_is_measured_over_a_window_and_forgets_rests():
    pace = Pace()
    for i in range(int(WINDOW_S * 30)):
        pace.frame(i / 30)
    assert pace.fps() == pytest.approx(30, rel=0.05) and not pace.slow(MIN_FPS)
    pace.reset()
    assert pace.fps() is None and not pace.slow(MIN_FPS)  # not measured yet: not slow
    for i in range(12):
        pace.frame(100 + i / 3)
    assert pace.fps() == pytest.approx(3, rel=0.05) and pace.slow(MIN_FPS) and pace.slowest_fps == pytest.approx(3)
    assert not pace.slow(None)  # an exercise without a rate never says it
    slow = Pace()
    for i in range(4):
        slow.frame(i * 4.0)  # one picture every 4 s: still measured
    assert slow.fps() == pytest.approx(0.25)


@pytest.mark.parametrize("fps", [30.0, 4.0, 2.5])
def test_reps_are_counted_apart_at_a_few_frames_a_second(fps):
    """Below min_fps the screen says so; down to 2.5 fps four bridges with short rests between
    are still four reps (what the warning's rate leaves room for)."""
    p = Pipeline(BRIDGE, hold_s=2.0)
    for t, pose in perform(bridge_reps(4, hold_s=3.0, rest_s=1.0), fps):
        p.step(t, Detection(poses=(pose,)))
    p.finish()
    assert [r.counted for r in p.engine.reps] == [True] * 4


def _warn_band(canvas: np.ndarray) -> float:
    h = canvas.shape[0]
    band = canvas[int(0.05 * h) : int(0.25 * h)].astype(int)
    return float((np.abs(band - np.array(WARN)).sum(axis=2) < 60).mean())


def test_the_screen_says_running_slowly():
    board = Board(BRIDGE, mode="count", frame=np.full((480, 640, 3), 90, np.uint8), keys=False)
    plain = render(board, (1280, 720), LIVE_PAINTERS)
    slow = render(Board(**{**board.__dict__, "message": SLOW_WORDS}), (1280, 720), LIVE_PAINTERS)
    assert _warn_band(plain) < 0.001 < _warn_band(slow)


def test_the_live_loop_on_a_slow_machine_warns_and_counts(monkeypatch):
    """Pictures through the model at 3 a second (a camera second): the screen says so, the
    session records the rate, and three bridges are three reps, all counted."""
    from session import test_live
    from session.test_live import ScriptedCamera, mute, options

    from posecheck.session.live import Headless, run_live

    monkeypatch.setattr(test_live, "SPEED", 2.0)  # 6 pictures a wall second: none dropped on a busy machine
    from posecheck.session.routine import Item

    cam = ScriptedCamera(bridge_reps(3, hold_s=3.0))
    cam.samples = cam.samples[::10]  # 30 -> 3 pictures a second, whatever the machine does
    ui = Headless((640, 360))
    shown = []
    real_show = ui.show
    ui.show = lambda canvas: (shown.append(_warn_band(canvas)), real_show(canvas))
    session = run_live(cam, [Item(BRIDGE, 2.0, 5)], options(hold_s=2.0), ui=ui, speaker=mute(), detector=cam.detector)
    assert 1.5 < session.stats.slowest_fps < MIN_FPS  # about 3 (a picture may be dropped)
    assert max(shown) > 0.001 and min(shown) < 0.001  # the warning came once a rate was measured
    assert [r.counted for r in session.sets[0].pipeline.engine.reps] == [True] * 3
