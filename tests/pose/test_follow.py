"""Following one person and smoothing their landmarks: time-based, and kept to the person
who was there, whichever the model lists first."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.pose.follow import Follower
from posecheck.pose.smoothing import OneEuroFilter
from posecheck.pose.types import Detection, Pose

from stickfigure import REST, pose_of


def _moved(pose: Pose, dx: float, scale: float = 1.0) -> Pose:
    centre = pose.xy.mean(axis=0)
    return pose.with_points((pose.xy - centre) * scale + centre + (dx, 0.0), pose.z, pose.world)


def _step_response(fps: float, t_end: float = 0.5) -> float:
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0, d_cutoff=1.0)
    out = 0.0
    for i in range(round(t_end * fps) + 1):
        t = i / fps
        out = float(f(t, np.array([0.0 if t < 0.1 else 1.0]))[0])
    return out


def test_one_euro_answers_alike_at_15_and_60_fps():
    # the same step, sampled at two rates: within a few percent of each other half a second on
    assert _step_response(15.0) == pytest.approx(_step_response(60.0), abs=0.05)


def test_one_euro_passes_nan_through_and_restarts_there():
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0, d_cutoff=1.0)
    f(0.0, np.array([0.0, 0.0]))
    out = f(0.1, np.array([np.nan, 1.0]))
    assert np.isnan(out[0]) and 0.0 < out[1] < 1.0
    out = f(0.2, np.array([5.0, 1.0]))
    assert out[0] == 5.0  # a point back from NaN starts where it is, not smoothed from before


def test_follower_starts_with_the_largest_person_then_keeps_to_them():
    near, far = pose_of(REST), _moved(pose_of(REST), 300.0, scale=0.5)
    follow = Follower()
    assert follow.pick(0.0, Detection(poses=(far, near), people=2)) is near
    # the model lists the other person first; the one followed moved a little
    moved = _moved(near, 10.0)
    assert follow.pick(0.1, Detection(poses=(far, moved))) is moved
    assert follow.crowded and follow.crowded_frames == 2


def test_follower_counts_crowded_spans_and_nobody():
    follow = Follower()
    assert follow.pick(0.0, Detection(poses=(), people=2)) is None
    follow.pick(0.5, Detection(poses=(pose_of(REST),), people=1))
    follow.pick(3.0, Detection(poses=(pose_of(REST),), people=2))
    assert follow.crowded_spans == [[0.0, 0.0], [3.0, 3.0]]
