"""Fast mode's frame choice and interpolation (session/thinning.py), without the model."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.errors import DefinitionError
from posecheck.exercise.definition import load
from posecheck.pose.types import Detection, Pose
from posecheck.session.thinning import Due, between, pose_rate, thinned


def _pose(x: float, mask: float | None = None) -> Pose:
    return Pose(
        xy=np.full((33, 2), x),
        z=np.full(33, -x),
        visibility=np.full(33, 0.9),
        presence=np.full(33, 0.8),
        world=np.full((33, 3), x / 100),
        mask=None if mask is None else np.full((4, 4), mask, dtype=np.float32),
        width=4,
        height=4,
    )


def _taken(times, pose_fps, video_fps):
    due = Due(pose_fps, video_fps)
    return [t for t in times if due(t)]


def test_every_third_frame_at_a_third_of_the_rate_even_with_millisecond_timestamps():
    exact = [i / 30 for i in range(31)]
    rounded = [round(i * 1000 / 30) / 1000 for i in range(31)]  # what containers give
    for times in (exact, rounded):
        assert _taken(times, 10, 30) == times[::3]


def test_a_video_slower_than_the_pose_rate_keeps_every_frame():
    times = [i / 8 for i in range(20)]
    assert _taken(times, 10, 8) == times


def test_an_uneven_ratio_keeps_the_average_rate():
    times = [i / 30 for i in range(301)]  # 10 s
    taken = _taken(times, 12, 30)
    assert len(taken) == pytest.approx(121, abs=1)
    assert max(np.diff(taken)) <= 1 / 12 + 1 / 30 + 1e-9


def test_after_a_gap_the_rate_starts_again_from_the_frame_after_it():
    times = [0.0, 1 / 30, 2 / 30, 3 / 30, 1.0, *(1.0 + i / 30 for i in range(1, 10))]
    taken = _taken(times, 10, 30)
    assert taken[:3] == [0.0, 3 / 30, 1.0]
    assert taken[3] == pytest.approx(1.1, abs=1e-9)


def test_a_rate_of_zero_is_refused():
    with pytest.raises(ValueError):
        Due(0, 30)


def test_between_is_linear_in_every_point_and_takes_the_nearer_mask():
    a, b = Detection((_pose(10.0, mask=0.2),), people=1), Detection((_pose(20.0, mask=0.9),), people=1)
    mid = between(a, b, 0.25)
    assert mid.people is None  # the crowd check did not run on a frame between
    p = mid.poses[0]
    assert np.allclose(p.xy, 12.5) and np.allclose(p.z, -12.5) and np.allclose(p.world, 0.125)
    assert np.allclose(p.visibility, 0.9) and np.allclose(p.presence, 0.8)
    assert np.allclose(p.mask, 0.2)
    assert np.allclose(between(a, b, 0.75).poses[0].mask, 0.9)


def test_between_a_pose_and_nobody_takes_the_nearer_frame():
    a, b = Detection((_pose(10.0),), people=1), Detection((), people=0)
    assert between(a, b, 0.4).poses == a.poses
    assert between(a, b, 0.6).poses == ()
    assert between(a, b, 0.4).people is None


def test_thinned_detects_only_the_due_frames_and_keeps_order_and_times():
    times = [i / 30 for i in range(11)]
    detected = []

    def detect(item, t):
        detected.append(item)
        return Detection((_pose(float(item)),))

    out = list(thinned(((t, i) for i, t in enumerate(times)), detect, Due(10, 30)))
    assert detected == [0, 3, 6, 9]
    assert [t for t, _, _ in out] == times
    assert [i for _, i, _ in out] == list(range(11))
    xs = [d.poses[0].xy[0, 0] for _, _, d in out]
    # interpolated between the frames the model saw; the last ones hold the last detection
    assert xs[:10] == pytest.approx(list(range(10)))
    assert xs[10] == 9.0


def test_thinned_at_full_rate_detects_every_frame():
    calls = []
    items = [(i / 30, i) for i in range(5)]
    out = list(thinned(items, lambda x, t: calls.append(x) or Detection(()), lambda t: True))
    assert calls == [0, 1, 2, 3, 4] and len(out) == 5


def test_fast_takes_the_exercise_rate_and_pose_fps_overrides_it():
    bridge, cat_cow = load("bridge"), load("cat_cow")
    assert pose_rate(bridge, None, False) is None  # every frame
    assert pose_rate(bridge, None, True) == bridge.tracking.fast_pose_fps
    assert pose_rate(cat_cow, None, True) == cat_cow.tracking.fast_pose_fps != bridge.tracking.fast_pose_fps
    assert pose_rate(cat_cow, 7.0, True) == 7.0 and pose_rate(cat_cow, 7.0, False) == 7.0


def test_fast_on_an_exercise_without_a_rate_is_one_line():
    own = load("bridge")
    own = own.model_copy(update={"tracking": own.tracking.model_copy(update={"fast_pose_fps": None})})
    with pytest.raises(DefinitionError, match=r"^exercise 'bridge' sets no \[tracking\] fast_pose_fps.*--pose-fps N$"):
        pose_rate(own, None, True)
    assert pose_rate(own, 12.0, True) == 12.0
