"""Every sample clip through the real pipeline (MediaPipe included), against its truth.

Counts and sides exact; every truth fault found with the right id; negatives count
nothing; holds within HOLD_TOLERANCE_S (seated rotation: its own, wider). A guided exercise (pelvic tilt) is not counted
from video: its clips must report nothing counted, and still find their faults.
"""

from __future__ import annotations

import json

import pytest

from posecheck.evaluation.accuracy import compare, match_reps, truth_hold_s
from posecheck.exercise import definition
from posecheck.records.summary import summary_lines
from posecheck.session.review import ReviewOptions, review

from helpers import SAMPLES

pytestmark = pytest.mark.model

CLIPS = sorted(p.stem for p in SAMPLES.glob("*.mp4") if p.with_suffix(".json").exists())
# Holds are timed from settling to starting to move; the performer's eased moves read as
# still for a few tenths of a second at the ends (0.18 s median error, measured). A seated
# twist's last degrees barely move the landmarks, so its holds read up to 1.0 s long (the
# stillness limit fitted to the person's own speeds lets the hold start a little sooner).
HOLD_TOLERANCE_S = 0.6
HOLD_TOLERANCE_BY_EXERCISE_S = {"seated_rotation": 1.2}
# Faults the rendered clips show too faintly for the landmarks, per clip and fault id, with
# the measurement; the rest of the clip is still checked, and finding one fails the test
# so that the entry is removed.
KNOWN_MISSES: dict[str, dict[str, str]] = {
    "bridge_head_feet": {
        "head_lifted": "the render flexes the neck 38 deg (its true ear-nose line turns +38 deg), "
        "but the pose model's ear and nose on the rendered face turn only +12 deg; real heads "
        "resting on the floor tip up to 8-10 deg, so the check needs 18 (see exercises/bridge.toml)",
    },
}

# Faults the exercise does not judge from the picture (its `hidden_in`): the rep where the
# render shows one must say it was not seen, and its count then rests on its hold alone.
UNJUDGED: dict[str, set[str]] = {"lower_back_rotation_faults": {"knees_apart"}}


def without(truth: dict, ids: dict[str, str] | set[str]) -> dict:
    """The truth without the given fault ids (known misses)."""
    out = dict(truth)
    out["reps"] = [{**r, "faults": [f for f in r["faults"] if f not in ids]} for r in truth["reps"]]
    out["faults"] = [f for f in truth.get("faults", []) if f["id"] not in ids]
    return out


@pytest.fixture(scope="module")
def reviewed():
    cache: dict[str, tuple[dict, dict]] = {}

    def get(name: str) -> tuple[dict, dict]:
        if name not in cache:
            video = SAMPLES / f"{name}.mp4"
            truth = json.loads(video.with_suffix(".json").read_text())
            exercise = definition.load(truth["exercise"])
            report = review(video, exercise, ReviewOptions(hold_s=truth["hold_s"], progress=False))
            cache[name] = (report, truth)
        return cache[name]

    return get


@pytest.mark.parametrize("name", CLIPS)
def test_sample_matches_truth(reviewed, name):
    report, truth = reviewed(name)
    known = KNOWN_MISSES.get(name, {})
    found = {f["id"] for f in report["faults"]} & set(known)
    assert not found, f"known misses now found, remove them from KNOWN_MISSES: {sorted(found)}"
    truth = without(truth, known)
    unjudged = UNJUDGED.get(name, set())
    said = [set(w["faults"]) & unjudged for w in truth["reps"]]
    truth = without(truth, unjudged)
    result = compare(name, report, truth)
    if truth.get("kind") == "negative":
        assert report["summary"]["reps_attempted"] == 0, report["reps"]
        return
    if report.get("countable") is False:
        assert report["summary"]["reps_counted"] == 0  # never an invented count
    else:
        got = [(r["side"], r["counted"], sorted(r["faults"])) for r in report["reps"]]
        want = [(r["side"], r["counted"], sorted(r["faults"])) for r in truth["reps"]]
        # a rep with an unjudged fault: its count is not the truth's (that fault ended the hold there)
        got = [(g[0], None, g[2]) if said[i : i + 1] and said[i] else g for i, g in enumerate(got)]
        want = [(w[0], None, w[2]) if said[i] else w for i, w in enumerate(want)]
        assert got == want
        for r, unseen in zip(report["reps"], said, strict=True):
            assert unseen <= set(r["faults_unseen"]), (r, unseen)
        for g, w in match_reps(report["reps"], truth["reps"]):
            if g["counted"] and w["counted"]:
                tolerance = HOLD_TOLERANCE_BY_EXERCISE_S.get(truth["exercise"], HOLD_TOLERANCE_S)
                assert abs(g["hold_s"] - truth_hold_s(w)) <= tolerance, (g, w)
    spans = [(f["id"], f["start_s"]) for f in report["faults"]]
    assert len(spans) == len(set(spans)), f"a fault reported twice: {report['faults']}"
    assert result.faults.fn == 0, f"missed faults: {truth['faults']} vs {report['faults']}"
    assert result.faults.fp == 0, f"extra faults: {report['faults']} vs {truth['faults']}"


def test_a_leg_hidden_from_the_camera_is_said_not_seen(reviewed):
    """With the near knee pulled in, the far leg hides behind it: that rep says its other foot
    was not seen (not judged, not passed); the reps where it shows say nothing of the kind."""
    report, truth = reviewed("knee_to_chest")
    near = truth["camera"]["body_side_to_camera"]
    unseen = {r["side"]: r["faults_unseen"] for r in report["reps"]}
    assert unseen.pop(near) == ["other_leg_lifted"]
    assert unseen and all(v == [] for v in unseen.values())
    assert "not seen by the camera: keep your other foot flat on the floor" in " ".join(summary_lines(report))
