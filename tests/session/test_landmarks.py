"""Landmarks kept (session/landmarks.py): `posecheck review --landmarks-out` saves a review's
detections, `--landmarks` re-scores them without the model, and a record that is not one,
or is of another video or model, is refused in one line."""

from __future__ import annotations

import json

import pytest

from posecheck.pose.types import Detection
from posecheck.session import landmarks
from posecheck.session.poses import Posed, RecordedPoses, VideoFacts, keep

from helpers import SAMPLES, blank_frames, posecheck, write_video

# What a report says that depends on the detections and the settings, not on paths.
SAME = ("reps", "faults", "summary", "frames", "frames_with_pose", "duration_s", "setup", "second_person",
        "timeline", "hold_s", "target")  # fmt: skip
SHORT = SAMPLES / "sweep_shoulder_blade_squeeze_106.mp4"  # 12.6 s, one squeeze held about 6 s


def _one_line_error(proc, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("posecheck: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in lines[0], lines[0]


def _record(tmp_path, video, model_sha=None):
    """A small record naming `video` (no model run: no one is in it)."""
    facts = VideoFacts(fps=10.0, width=64, height=48, frame_count=3, last_t_s=0.2)
    frames = [keep(Posed(i / 10, Detection(poses=())), False) for i in range(3)]
    about = {"kind": landmarks.KIND, "video": landmarks.video_identity(video), "model": landmarks.model_identity(None)}
    if model_sha:
        about["model"] = {"name": "older.task", "sha256": model_sha}
    path = tmp_path / "r.npz"
    RecordedPoses(facts, frames, False, about).save(path)
    return path


@pytest.fixture
def tiny_video(tmp_path):
    return write_video(tmp_path / "tiny.mp4", blank_frames(3, (64, 48)), fps=10)


def test_a_record_replays_without_the_video_or_the_model(tmp_path, tiny_video):
    record = _record(tmp_path, tiny_video)
    tiny_video.unlink()
    proc = posecheck("review", "--landmarks", record, "-e", "bridge", "--report", tmp_path / "r.json", "--no-history")
    assert proc.returncode == 3, proc.stderr  # nobody in it, as the review of the video said
    assert json.loads((tmp_path / "r.json").read_text())["frames"] == 3
    # an annotated copy needs the video, which is gone
    proc = posecheck("review", "--landmarks", record, "-e", "bridge", "--output", tmp_path / "a.mp4", "--no-history")
    _one_line_error(proc, "needs the video")


def test_a_replay_with_its_video_writes_an_annotated_copy(tmp_path, tiny_video):
    record = _record(tmp_path, tiny_video)
    out = tmp_path / "a.mp4"
    proc = posecheck("review", tiny_video, "--landmarks", record, "-e", "bridge", "--output", out, "--no-history")
    assert proc.returncode == 3, proc.stderr  # nobody in it; the outputs are still written
    from helpers import read_frames

    frames, _ = read_frames(out)
    assert len(frames) == 3


def test_landmarks_out_is_not_for_a_replay_nor_over_an_input(tmp_path, tiny_video):
    record = _record(tmp_path, tiny_video)
    proc = posecheck("review", "--landmarks", record, "--landmarks-out", tmp_path / "b.npz", "-e", "bridge")
    _one_line_error(proc, "--landmarks-out")
    proc = posecheck("review", tiny_video, "--landmarks-out", tiny_video, "-e", "bridge", "--no-history")
    _one_line_error(proc, "would overwrite the video")
    assert tiny_video.stat().st_size > 0


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not ours", "another video", "another model"])
def test_a_bad_record_is_one_line_and_exit_2(tmp_path, tiny_video, damage):
    record = _record(tmp_path, tiny_video, model_sha="0" * 64 if damage == "another model" else None)
    video = []
    if damage == "garbage":
        record.write_bytes(b"\x00garbage, not a record")
    elif damage == "truncated":
        record.write_bytes(record.read_bytes()[: record.stat().st_size // 2])
    elif damage == "not ours":  # a record without its origin (the accuracy benchmark's)
        facts = VideoFacts(fps=10.0, width=64, height=48, frame_count=1)
        RecordedPoses(facts, [keep(Posed(0.0, Detection(poses=())), False)], False).save(record)
    elif damage == "another video":
        video = [write_video(tmp_path / "other.mp4", blank_frames(4, (64, 48)), fps=10)]
    proc = posecheck("review", *video, "--landmarks", record, "-e", "bridge", "--no-history")
    words = {"another video": ["another video"], "another model": ["another pose model"]}.get(damage, [str(record)])
    _one_line_error(proc, *words)


def test_a_review_needs_a_video_or_a_record():
    _one_line_error(posecheck("review", "-e", "bridge", "--no-history"), "--landmarks")


@pytest.mark.model
def test_a_replay_with_another_hold_reports_what_a_review_with_that_hold_reports(tmp_path):
    """One short sample through the model twice: saved at its own hold, and reviewed
    directly at another; the replay at that other hold gives the same report."""
    kept, direct, replayed = tmp_path / "kept.npz", tmp_path / "direct.json", tmp_path / "replayed.json"
    proc = posecheck("review", SHORT, "-e", "shoulder_blade_squeeze", "--landmarks-out", kept,
                     "--report", tmp_path / "first.json", "--no-progress", "--no-history")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert kept.stat().st_size < SHORT.stat().st_size
    proc = posecheck("review", SHORT, "-e", "shoulder_blade_squeeze", "--hold", "7", "--target", "2",
                     "--report", direct, "--no-progress", "--no-history")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = posecheck("review", "--landmarks", kept, "-e", "shoulder_blade_squeeze", "--hold", "7", "--target", "2",
                     "--report", replayed, "--no-history")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    a, b = json.loads(direct.read_text()), json.loads(replayed.read_text())
    first = json.loads((tmp_path / "first.json").read_text())
    assert first["summary"]["reps_counted"] != a["summary"]["reps_counted"]  # the hold mattered
    for key in SAME:
        assert a[key] == b[key], key
    assert b["video"] == str(SHORT)
