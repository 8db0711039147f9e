"""The committed samples/: every clip's truth is self-consistent, its video opens with the
stated frame count, and the folder stays within its size limits. No torch needed."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from posecheck.synth import truth as T

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CLIP_MAX_BYTES = 3_000_000
FOLDER_MAX_BYTES = 40_000_000
EXERCISES = (
    "knee_to_chest", "lower_back_rotation", "pelvic_tilt", "bridge",
    "cat_cow", "seated_rotation", "shoulder_blade_squeeze",
)  # fmt: skip
NEGATIVES = ("lying_still", "fidgeting", "sit_stand", "walk_through")

CLIPS = sorted(p for p in SAMPLES.glob("*.json") if p.name != "mediapipe_check.json")


def _ids(paths):
    return [p.stem for p in paths]


def test_there_are_samples():
    assert CLIPS, "samples/ has no clips: run scripts/make_samples.py"


@pytest.mark.parametrize("path", CLIPS, ids=_ids(CLIPS))
def test_truth_is_consistent(path):
    truth, npz = T.load(path)
    assert T.problems(truth, npz) == []
    assert truth["video"] == f"{path.stem}.mp4" and truth["keypoints"] == f"{path.stem}.npz"


@pytest.mark.parametrize("path", CLIPS, ids=_ids(CLIPS))
def test_video_opens_with_the_stated_frames(path):
    truth = json.loads(path.read_text())
    video = path.with_name(truth["video"])
    cap = cv2.VideoCapture(str(video))
    assert cap.isOpened(), f"{video} does not open"
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == truth["frames"]
    assert (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (
        truth["width"],
        truth["height"],
    )
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(truth["fps"], abs=0.01)
    ok, _ = cap.read()
    assert ok, "the first frame does not decode"
    cap.set(cv2.CAP_PROP_POS_FRAMES, truth["frames"] - 1)
    ok, _ = cap.read()
    assert ok, "the last frame does not decode"
    cap.release()


@pytest.mark.parametrize("path", CLIPS, ids=_ids(CLIPS))
def test_clip_size(path):
    video = path.with_suffix(".mp4")
    assert video.stat().st_size <= CLIP_MAX_BYTES


def test_folder_size():
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total <= FOLDER_MAX_BYTES, f"samples/ is {total / 1e6:.1f} MB"


def test_the_set_covers_what_it_should():
    truths = [json.loads(p.read_text()) for p in CLIPS]
    good = {t["exercise"] for t in truths if t["kind"] == "good"}
    assert set(EXERCISES) <= good
    assert {t.get("negative") for t in truths if t["kind"] == "negative"} >= set(NEGATIVES)
    assert any(t["kind"] == "short_hold" for t in truths)
    assert (SAMPLES / "bridge.mp4").exists()
    faulted = {t["exercise"] for t in truths if t["kind"] == "fault"}
    assert set(EXERCISES) <= faulted
    index = (SAMPLES / "INDEX.md").read_text()
    for p in CLIPS:
        assert f"{p.stem}.mp4" in index, f"INDEX.md does not list {p.stem}.mp4"
