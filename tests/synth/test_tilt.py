"""The performer's pelvic tilt is a real one (issue 14): the pelvis and lowest lumbar bone
rotate 10-20 deg, the chest stays on the floor, and the lower belly's outline seen from the
side rises on the arch and sinks on the flatten by about what a real close clip shows
(0.016-0.025 torso lengths between them); the subtle tilt stays under the app's bound.
Checked on the posed body (no video): the side silhouette is painted from the mesh."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

pytest.importorskip("torch", reason="the performer needs the synth extra (torch, anny)")
pytest.importorskip("anny", reason="the performer needs the synth extra (torch, anny)")

from posecheck.synth import poses as P
from posecheck.synth.body import COCO_LABELS, Body, Shape
from posecheck.synth.choreography import RepPlan, perform
from posecheck.synth.manner import SUBTLE_TILT_GAIN, Manner
from posecheck.synth.variants import HeadTipSupine

KP = {n: i for i, n in enumerate(COCO_LABELS)}
PX_PER_M = 1000.0
SPAN = (0.2, 0.35)  # exercises/pelvic_tilt.toml's belly_rise span (hip -> shoulder)
APP_BOUND = 0.006  # ... and its tilt bound (torso lengths): the subtle tilt stays under it


@pytest.fixture(scope="module")
def lying():
    return HeadTipSupine(Body(Shape()))


def _mid(kp, name):
    return 0.5 * (kp[KP[f"left_{name}"]] + kp[KP[f"right_{name}"]])


def measure(posture, tilt: float) -> dict:
    """Side-view facts of a posed body: the lower belly's outline over the hip-shoulder line
    (torso lengths), the lumbar bone's pitch (deg, + toward the ceiling), the shoulders' and
    the lowest trunk point's heights (m)."""
    posed = posture.solve({"tilt": tilt})
    v, kp = posed.vertices, posed.keypoints
    hip, sh = _mid(kp, "hip"), _mid(kp, "shoulder")
    torso = float(np.linalg.norm((sh - hip)[[0, 2]]))
    img = np.zeros((900, 2600), np.uint8)  # x: along the body, z: up (1 mm a pixel)
    px = np.stack([v[:, 0] * PX_PER_M + 1300, 800 - v[:, 2] * PX_PER_M], 1)
    for tri in np.round(px[posture.body.faces] * 4).astype(np.int32):
        cv2.fillConvexPoly(img, tri, 1, shift=2)
    rises = []
    for f in np.linspace(*SPAN, 8):
        x, z_line = hip[[0, 2]] + (sh - hip)[[0, 2]] * f
        top = int(np.argmax(img[:, round(x * PX_PER_M + 1300)] > 0))
        rises.append(((800 - top) / PX_PER_M - z_line) / torso)
    heads = dict(zip(posture.body.labels, posed.heads, strict=True))
    lumbar = heads["spine04"] - heads["spine05"]
    trunk = posture.body.segment_mask("pelvis", "spine")
    return {
        "rise": float(np.mean(rises)),
        "lumbar_deg": float(np.degrees(np.arctan2(lumbar[2], lumbar[0]))),
        "shoulder_z": float(sh[2]),
        "hip_z": float(hip[2]),
        "trunk_floor_z": float(v[trunk, 2].min()),
        "torso": torso,
    }


@pytest.fixture(scope="module")
def tilts(lying):
    return {
        "rest": measure(lying, 0.0),
        "arch": measure(lying, P.PELVIC_ARCH["tilt"]),
        "flat": measure(lying, P.PELVIC_FLAT["tilt"]),
        "subtle_arch": measure(lying, SUBTLE_TILT_GAIN * P.PELVIC_ARCH["tilt"]),
        "subtle_flat": measure(lying, SUBTLE_TILT_GAIN * P.PELVIC_FLAT["tilt"]),
    }


def test_pelvis_and_lumbar_rotate_10_to_20_degrees(tilts):
    rest = tilts["rest"]["lumbar_deg"]
    assert 10.0 <= tilts["arch"]["lumbar_deg"] - rest <= 20.0  # arch: toward the ceiling
    assert 10.0 <= rest - tilts["flat"]["lumbar_deg"] <= 20.0  # flatten: toward the floor


def test_belly_rises_on_the_arch_and_sinks_on_the_flatten(tilts):
    rest = tilts["rest"]["rise"]
    up, down = tilts["arch"]["rise"] - rest, tilts["flat"]["rise"] - rest
    assert up > 0.01 and down < -0.008  # the sign mask_rise reads on the real clip
    assert 0.016 <= up - down <= 0.06  # about the real clip's swing (0.016-0.025), not tenfold


def test_chest_and_hips_stay_on_the_floor(tilts):
    rest = tilts["rest"]
    for name in ("arch", "flat"):
        t = tilts[name]
        assert abs(t["shoulder_z"] - rest["shoulder_z"]) < 0.01  # no floating body
        assert abs(t["hip_z"] - rest["hip_z"]) < 0.01
        assert abs(t["trunk_floor_z"] - rest["trunk_floor_z"]) < 0.005  # the back still lies on the floor


def test_subtle_tilt_stays_under_the_apps_bound(tilts):
    rest = tilts["rest"]["rise"]
    up, down = tilts["subtle_arch"]["rise"] - rest, tilts["subtle_flat"]["rise"] - rest
    assert 0 < up < APP_BOUND and -APP_BOUND < down < 0


def test_tilt_depth_scales_the_keyframes():
    class Stand:
        DEFAULTS = HeadTipSupine.DEFAULTS

    def tilts(manner):
        perf = perform("pelvic_tilt", [RepPlan()], Stand(), np.random.default_rng(3), 1.0, manner)
        return sorted({k.pose["tilt"] for k in perf.keys if k.pose.get("tilt")})

    assert tilts(None) == [P.PELVIC_FLAT["tilt"], P.PELVIC_ARCH["tilt"]]
    subtle = tilts(Manner(tilt_gain=SUBTLE_TILT_GAIN))
    assert subtle == pytest.approx([SUBTLE_TILT_GAIN * P.PELVIC_FLAT["tilt"], SUBTLE_TILT_GAIN * P.PELVIC_ARCH["tilt"]])
    with pytest.raises(ValueError, match="tilt depth is for pelvic_tilt"):
        perform("bridge", [RepPlan()], Stand(), np.random.default_rng(3), 1.0, Manner(tilt_gain=0.5))
