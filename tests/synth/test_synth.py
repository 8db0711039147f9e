"""The performer renders every exercise, a fault, a short hold and negatives, and its truth
is written and self-consistent. Small and coarse (160x120 at 2 fps) to stay fast; needs the
synth extra (torch + anny). The first anny load builds its cache (about a minute)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

pytest.importorskip("torch", reason="the performer needs the synth extra (torch, anny): pip install 'posecheck[synth]'")
pytest.importorskip("anny", reason="the performer needs the synth extra (torch, anny): pip install 'posecheck[synth]'")

from posecheck.synth import truth as T
from posecheck.synth.choreography import RepPlan
from posecheck.synth.clip import ClipSpec, build, make_clip

SMALL = {"width": 160, "height": 120, "fps": 2.0}

# name: (spec, what the truth must say) -- one row per case
CASES = {
    "knee_to_chest": (
        ClipSpec(exercise="knee_to_chest", plan=[RepPlan("left")], seed=1),
        {"kind": "good", "sides": ["left"], "counted": [True]},
    ),
    "lower_back_rotation": (
        ClipSpec(exercise="lower_back_rotation", plan=[RepPlan("right")], seed=2),
        {"kind": "good", "sides": ["right"], "counted": [True]},
    ),
    "pelvic_tilt": (
        ClipSpec(exercise="pelvic_tilt", plan=[RepPlan()], seed=3),
        {"kind": "good", "sides": [None], "counted": [True]},
    ),
    "bridge": (
        ClipSpec(exercise="bridge", plan=[RepPlan()], seed=4),
        {"kind": "good", "sides": [None], "counted": [True]},
    ),
    "cat_cow": (
        ClipSpec(exercise="cat_cow", plan=[RepPlan()], seed=5),
        {"kind": "good", "sides": [None], "counted": [True]},
    ),
    "seated_rotation": (
        ClipSpec(exercise="seated_rotation", plan=[RepPlan("left")], seed=6),
        {"kind": "good", "sides": ["left"], "counted": [True]},
    ),
    "shoulder_blade_squeeze": (
        ClipSpec(exercise="shoulder_blade_squeeze", plan=[RepPlan()], seed=7),
        {"kind": "good", "sides": [None], "counted": [True]},
    ),
    "bridge_hips_low": (
        ClipSpec(exercise="bridge", plan=[RepPlan(), RepPlan(faults=("hips_low",))], seed=8),
        {"kind": "fault", "sides": [None, None], "counted": [True, False], "faults": ["hips_low"]},
    ),
    "cat_cow_too_fast": (
        ClipSpec(exercise="cat_cow", plan=[RepPlan(faults=("too_fast",))], seed=9),
        {"kind": "fault", "sides": [None], "counted": [False], "faults": ["too_fast"]},
    ),
    "bridge_short_hold": (
        ClipSpec(exercise="bridge", plan=[RepPlan(hold_s=4.0)], seed=10),
        {"kind": "short_hold", "sides": [None], "counted": [False]},
    ),
    "fidgeting": (
        ClipSpec(negative="fidgeting", duration_s=8, seed=11),
        {"kind": "negative", "sides": [], "counted": []},
    ),
    "walk_through": (ClipSpec(negative="walk_through", seed=12), {"kind": "negative", "sides": [], "counted": []}),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    for name, (spec, _) in CASES.items():
        for k, v in SMALL.items():
            setattr(spec, k, v)
        make_clip(spec, out, name)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_truth_is_written_and_consistent(rendered, name):
    truth, npz = T.load(rendered / f"{name}.json")
    assert T.problems(truth, npz) == []
    want = CASES[name][1]
    assert truth["kind"] == want["kind"]
    assert [r["side"] for r in truth["reps"]] == want["sides"]
    assert [r["counted"] for r in truth["reps"]] == want["counted"]
    assert sorted({f["id"] for f in truth["faults"]}) == want.get("faults", [])
    assert (truth["width"], truth["height"], truth["fps"]) == (160, 120, 2.0)


@pytest.mark.parametrize("name", list(CASES))
def test_video_has_the_stated_frames(rendered, name):
    truth = json.loads((rendered / f"{name}.json").read_text())
    cap = cv2.VideoCapture(str(rendered / truth["video"]))
    frames = 0
    while cap.read()[0]:
        frames += 1
    assert frames == truth["frames"]


def test_reps_nest_and_faults_sit_in_their_rep(rendered):
    truth, _ = T.load(rendered / "bridge_hips_low.json")
    good, bad = truth["reps"]
    assert good["end_s"] < bad["start_s"]
    span = truth["faults"][0]
    assert bad["start_s"] < span["start_s"] < bad["hold_start_s"]
    assert bad["hold_end_s"] < span["end_s"] < bad["end_s"]


def test_short_hold_is_an_attempt(rendered):
    truth, _ = T.load(rendered / "bridge_short_hold.json")
    (rep,) = truth["reps"]
    assert rep["hold_s"] == pytest.approx(4.0, abs=1e-3)
    assert truth["summary"] == {"reps_counted": 0, "reps_attempted": 1}


def test_cat_cow_rep_holds_both_end_positions(rendered):
    truth, _ = T.load(rendered / "cat_cow.json")
    (rep,) = truth["reps"]
    assert rep["phase_order"] == ["cat", "cow"]
    assert rep["hold_s"] >= truth["hold_s"]


def test_the_walker_leaves_the_frame(rendered):
    _truth, npz = T.load(rendered / "walk_through.json")
    share = npz["in_frame"].mean(axis=1)
    assert share[0] < 0.5 and share[-1] < 0.5 and share.max() == 1.0


def test_bridge_hips_low_is_below_the_line(rendered):
    """The faulty hold's shoulder-hip-knee angle (truth keypoints) is well below the good one."""
    from posecheck.synth.body import COCO_LABELS
    from posecheck.synth.choreography import shk_signed

    truth, npz = T.load(rendered / "bridge_hips_low.json")
    t = npz["t_s"].astype(float)
    kp = npz["kp3d_mm"].astype(float) / 1000.0

    def mean_angle(rep):
        sel = (t > rep["hold_start_s"]) & (t < rep["hold_end_s"])
        return np.mean([shk_signed(kp[i], COCO_LABELS) for i in np.nonzero(sel)[0]])

    good, bad = (mean_angle(r) for r in truth["reps"])
    assert good == pytest.approx(180.0, abs=4.0)
    assert good - bad > 20.0


def test_same_seed_same_clip():
    spec = ClipSpec(exercise="knee_to_chest", plan=[RepPlan("both")], seed=42, **SMALL)
    a, b = build(spec), build(spec)
    assert a[2].truth_reps() == b[2].truth_reps()
    assert np.allclose(a[3].eye, b[3].eye) and a[6] == b[6]
