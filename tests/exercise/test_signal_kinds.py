"""Signal kinds measured on a drawn pose: what the number means, not a threshold."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posecheck.exercise.definition import Signal
from posecheck.exercise.signals import measure
from posecheck.pose.landmarks import INDEX

from stickfigure import REST, pose_of

KNEE_SHARE = Signal(kind="height_share", points=["mid_hip", "mid_knee", "mid_ankle"])


def facing_camera(hip_y: float, knee_y: float, ankle_y: float, torso_px: float = 100.0):
    """A person seen from the front, shoulders `torso_px` above the hips (pixels, y down)."""
    pose = pose_of(REST)
    xy = pose.xy.copy()
    for side, x in (("left", 280.0), ("right", 360.0)):
        xy[INDEX[f"{side}_shoulder"]] = (x, hip_y - torso_px)
        xy[INDEX[f"{side}_hip"]] = (x, hip_y)
        xy[INDEX[f"{side}_knee"]] = (x, knee_y)
        xy[INDEX[f"{side}_ankle"]] = (x, ankle_y)
    return replace(pose, xy=xy, presence=np.ones(33), visibility=np.ones(33))


@pytest.mark.parametrize(
    ("name", "knee_y", "ankle_y", "share"),
    [
        ("standing: the knees halfway down", 200.0, 300.0, 0.5),
        ("on a chair: the knees level with the hips", 100.0, 200.0, 0.0),
        ("on a chair seen from above: the thighs drop a little", 130.0, 230.0, 0.23),
        # the feet level with the hips (sitting on the floor): no yardstick, no share
        ("the feet level with the hips", 105.0, 110.0, None),
    ],
)
def test_a_height_share_measures_against_the_persons_own_yardstick(name, knee_y, ankle_y, share):
    """How far down from the hips to the feet the knees sit: the same for a tall and a short
    person, near or far (the torso drawn 100 px here, and 50 px below)."""
    value = measure(KNEE_SHARE, facing_camera(100.0, knee_y, ankle_y), "right", 0.5)
    if share is None:
        assert value is None, name
        return
    assert value == pytest.approx(share, abs=0.01), name
    half = facing_camera(100.0, 100.0 + (knee_y - 100.0) / 2, 100.0 + (ankle_y - 100.0) / 2, torso_px=50.0)
    assert measure(KNEE_SHARE, half, "right", 0.5) == pytest.approx(share, abs=0.01), name
