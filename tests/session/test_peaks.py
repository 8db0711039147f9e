"""A fault's clearest moment: the deepest the measurement stayed for the fault's own duration,
not a one-frame dip (coming down out of a bridge), nor a moment outside the span."""

from __future__ import annotations

import numpy as np

from posecheck.exercise.definition import load
from posecheck.exercise.state import FaultSpan
from posecheck.pose.types import Pose
from posecheck.session.peaks import FaultPeaks

BRIDGE = load("bridge")  # hips_low: hip_line at most -12 deg for 1 s (min_duration_s)


def _pose(x: float) -> Pose:
    xy = np.full((33, 2), x)
    ones = np.ones(33)
    return Pose(xy=xy, z=np.zeros(33), visibility=ones, presence=ones, world=None, mask=None, width=640, height=480)


def _run(values: list[float], dt: float = 0.1, close_at: int | None = None) -> dict | None:
    peaks = FaultPeaks(BRIDGE)
    span = FaultSpan("hips_low", "", 0.0)
    for i, v in enumerate(values):
        if close_at is not None and i == close_at:
            span.end_s = i * dt
        peaks.update(i * dt, [span], {"hip_line": v}, _pose(float(i)), "right")
    return peaks.of(span)


def test_a_sustained_sag_not_the_dip_on_the_way_down():
    # 2 s of a steady sag at -20, deepening to -24 for 1.2 s, then a 0.3 s plunge to -45 (lowering)
    values = [-20.0] * 20 + [-24.0] * 12 + [-45.0] * 3
    peak = _run(values)
    assert peak is not None
    assert peak["value"] == -24.0 and 2.0 <= peak["t_s"] <= 3.1  # held for a second, not the plunge
    assert peak["max"] == -12.0 and peak["min"] is None and peak["signal"] == "hip_line"
    # the bridge reads its line through the middle of each pair (exercises/bridge.toml)
    pairs = [["left_shoulder", "right_shoulder"], ["left_hip", "right_hip"], ["left_knee", "right_knee"]]
    assert peak["points"] == pairs
    assert peak["xy"][0] == [peak["t_s"] * 10, peak["t_s"] * 10]  # the pose of that very frame


def test_a_short_span_keeps_its_deepest_frame_and_a_closed_span_takes_no_more():
    peak = _run([-15.0, -19.0, -17.0])
    assert peak is not None and peak["value"] == -19.0
    peak = _run([-15.0, -19.0, -17.0, -60.0], close_at=3)  # after the span closed: not part of it
    assert peak is not None and peak["value"] == -19.0
