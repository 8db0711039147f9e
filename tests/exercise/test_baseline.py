"""The start position a baseline signal is measured against (exercise/baseline.py)."""

from statistics import median

from posecheck.exercise import definition
from posecheck.exercise.baseline import Baselines

FPS = 30.0


def test_a_start_position_taken_again_is_the_recent_window_itself():
    """Taken again at rest (a set begun mid-roll), the start position is the median of the
    last half window the person rested in: each frame of it once, the newest not twice."""
    ex = definition.load("lower_back_rotation")
    base = Baselines(ex)
    half = ex.tracking.baseline_window_s / 2
    seen: list[tuple[float, float]] = []
    taken = None
    for k in range(int(4 * FPS)):
        t = k / FPS
        # lying still part of the way into a roll, then at rest with the knees higher; a slow
        # drift makes every frame's value its own, so a frame counted twice moves the median
        raw = (0.0 if t < 2.0 else 0.15) + 1e-4 * k
        seen.append((t, raw))
        base.apply(t, {"knees_down": raw}, settled=True)
        if base.start["knees_down"] > 0.1:
            taken = t
            break
    assert taken is not None, "never taken again"
    window = [v for s, v in seen if s >= taken - half]
    assert base.start["knees_down"] == median(window)
