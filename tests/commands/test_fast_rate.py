"""`--fast` runs the pose model at the exercise's own rate (`[tracking] fast_pose_fps`),
`--pose-fps N` overrides it, and a batch gives each file its exercise's rate; the report's
settings say which (issue 12). The real model on a one-second clip: cheap, but real."""

from __future__ import annotations

import csv
import json

import pytest

from posecheck.exercise.definition import load

from helpers import BRIDGE, posecheck, read_frames, write_video


def test_fast_with_a_replay_is_one_line(tmp_path):
    record = tmp_path / "kept.npz"
    record.write_bytes(b"not read")
    proc = posecheck("review", "--landmarks", record, "-e", "bridge", "--fast", "--no-history")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "posecheck: error: --fast and --pose-fps set the pose model's rate; a replay (--landmarks) runs no model"
    ]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    frames, fps = read_frames(BRIDGE, 0.0, 1.0)
    return write_video(tmp_path_factory.mktemp("fast") / "clip.mp4", frames, fps)


@pytest.mark.model
@pytest.mark.parametrize(
    ("exercise", "extra", "rate"),
    [("cat_cow", [], None), ("bridge", [], None), ("cat_cow", ["--pose-fps", "7"], 7.0)],
    ids=["cat_cow", "bridge", "pose-fps-overrides"],
)
def test_review_fast_runs_at_the_exercises_rate(clip, tmp_path, exercise, extra, rate):
    rate = rate or load(exercise).tracking.fast_pose_fps
    report = tmp_path / "r.json"
    proc = posecheck("review", clip, "-e", exercise, "--fast", *extra, "-r", report, "--no-progress", "--no-history")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(report.read_text())["settings"]["pose_fps"] == rate
    assert f"about {rate:g} frames a second" in proc.stdout


@pytest.mark.model
def test_batch_fast_gives_each_file_its_exercises_rate(clip, tmp_path):
    manifest = tmp_path / "list.csv"
    manifest.write_text(f"file,exercise\n{clip},bridge\n{clip},cat_cow\n")
    reports = tmp_path / "reports"
    proc = posecheck("batch", "--manifest", manifest, "-r", reports, "--fast", "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rates = {}
    for path in reports.glob("*.json"):
        rep = json.loads(path.read_text())
        rates[rep["exercise"]] = rep["settings"]["pose_fps"]
    assert rates == {ex: load(ex).tracking.fast_pose_fps for ex in ("bridge", "cat_cow")}
    with open(reports / "summary.csv", newline="") as f:  # the summary table says the rate too
        assert {r["exercise"]: float(r["pose_fps"]) for r in csv.DictReader(f)} == rates
    assert "every frame" not in (reports / "index.html").read_text()
    # a re-run without --fast is not the same review: nothing skipped
    again = posecheck("batch", "--manifest", manifest, "-r", reports, "--no-progress")
    assert again.returncode == 0 and "0 already done" in again.stdout, again.stdout
    with open(reports / "summary.csv", newline="") as f:
        assert {r["pose_fps"] for r in csv.DictReader(f)} == {""}
    assert "every frame" in (reports / "index.html").read_text()
