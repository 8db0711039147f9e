"""Bad input: each a one-line error on stderr, a non-zero exit, and no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import BRIDGE, ROOT, blank_frames, posecheck, write_video


def _one_line_error(proc, code: int | None = None, match: str = "") -> str:
    err = proc.stderr.strip()
    assert proc.returncode != 0, f"expected a failure, got 0: {proc.stdout}"
    if code is not None:
        assert proc.returncode == code, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert lines[0].startswith("posecheck: error: "), lines[0]
    assert match in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "notes.mp4").write_text("this is not a video\n")
    (d / "empty.mp4").write_bytes(b"")
    # a container with no frames: OpenCV writes only the header
    import cv2

    w = cv2.VideoWriter(str(d / "zero.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 30, (320, 240))
    w.release()
    data = BRIDGE.read_bytes()
    (d / "cut.mp4").write_bytes(data[: len(data) // 2])  # index at the end: cut off
    write_video(d / "nobody.mp4", blank_frames(20))
    (d / "bad.toml").write_text(
        (ROOT / "exercises" / "bridge.toml").read_text().replace("hold_s = 12.0 ", 'hold_s = "x" ', 1)
    )
    (d / "model.task").write_bytes(b"PK\x03\x04 not really")
    # values that parse but are not sane (issue 10): nan and inf are valid TOML floats
    bridge_text = (ROOT / "exercises" / "bridge.toml").read_text()
    (d / "inf.toml").write_text(bridge_text.replace("hold_s = 12.0 ", "hold_s = inf ", 1))
    (d / "nan.toml").write_text(bridge_text.replace("min_torso_len = 0.4,", "min_torso_len = nan,", 1))
    (d / "folder.toml").mkdir()
    (d / "settings_inf.toml").write_text("[exercises.bridge]\nhold_s = inf\n")
    (d / "settings_nan.toml").write_text("[exercises.bridge]\nhold_s = nan\n")
    (d / "settings_target.toml").write_text("[exercises.bridge]\ntarget = 99999999999999999999\n")
    import numpy as np

    still = np.full((240, 320, 3), 128, np.uint8)
    cv2.imwrite(str(d / "still.png"), still)
    cv2.imwrite(str(d / "still.jpg"), still)
    (d / "photo.mp4").write_bytes((d / "still.png").read_bytes())  # a picture named like a video
    report = {
        "exercise": "bridge",
        "video": "bridge.mp4",
        "hold_s": 12.0,
        "reps": [{"index": 1, "side": None, "start_s": 1.0, "end_s": 9.0, "hold_s": "long", "counted": True}],
        "faults": [],
        "summary": {"reps_counted": 1, "reps_attempted": 1, "fault_ids": []},
    }
    (d / "report_types.json").write_text(json.dumps(report))
    (d / "report_hold.json").write_text(json.dumps({**report, "reps": [], "hold_s": [12]}))
    (d / "report_summary.json").write_text(json.dumps({**report, "reps": [], "summary": "2 reps"}))
    (d / "report_nan.json").write_text(json.dumps({**report, "reps": [], "hold_s": float("nan")}))
    return d


CASES = {
    "missing file": (["review", "nope.mp4", "-e", "bridge"], 2, "no such file"),
    "not a video": (["review", "{d}/notes.mp4", "-e", "bridge"], 2, "not a video"),
    "empty file": (["review", "{d}/empty.mp4", "-e", "bridge"], 2, "empty"),
    "zero frames": (["review", "{d}/zero.mp4", "-e", "bridge"], 2, "holds no frames"),
    "truncated": (["review", "{d}/cut.mp4", "-e", "bridge"], 2, "damaged or truncated"),
    "unknown exercise": (["review", str(BRIDGE), "-e", "brige"], 2, "(did you mean 'bridge'?); known: "),
    "malformed exercise file": (["review", str(BRIDGE), "-e", "{d}/bad.toml"], 2, "hold.hold_s: "),
    "no person": (["review", "{d}/nobody.mp4", "-e", "bridge"], 3, "no person found"),
    "output folder missing": (
        ["review", str(BRIDGE), "-e", "bridge", "-o", "{d}/no/such/out.mp4"],
        2,
        "does not exist",
    ),
    "output under a file": (["review", str(BRIDGE), "-e", "bridge", "-r", "{d}/notes.mp4/r.json"], 2, "is a file"),
    "output type": (["review", str(BRIDGE), "-e", "bridge", "-o", "{d}/out.txt"], 2, "cannot write .txt"),
    "not a model": (
        ["review", "{d}/nobody.mp4", "-e", "bridge", "--model", "{d}/notes.mp4"],
        2,
        "not a MediaPipe .task bundle",
    ),
    "model lacks parts": (
        ["review", "{d}/nobody.mp4", "-e", "bridge", "--model", "{d}/model.task"],
        2,
        "not a MediaPipe .task",
    ),
    "bad hold": (["review", str(BRIDGE), "-e", "bridge", "--hold", "-1"], 2, "--hold: expected a finite number"),
    # values checked where they enter (issue 10): finite, in a sane range, the option or key named
    "hold inf": (["review", str(BRIDGE), "-e", "bridge", "--hold", "inf"], 2, "--hold: expected a finite number"),
    "hold nan": (["review", str(BRIDGE), "-e", "bridge", "--hold", "nan"], 2, "got 'nan'"),
    "hold zero": (["review", str(BRIDGE), "-e", "bridge", "--hold", "0"], 2, "from 0.1 to 600"),
    "hold not a number": (["review", str(BRIDGE), "-e", "bridge", "--hold", "long"], 2, "--hold: "),
    "hold huge": (["review", str(BRIDGE), "-e", "bridge", "--hold", "1e300"], 2, "--hold: "),
    "batch hold inf": (["batch", "{d}/nobody.mp4", "-e", "bridge", "-r", "{d}/reps", "--hold", "inf"], 2, "--hold"),
    "live hold nan": (["live", "-e", "bridge", "--camera", "{d}/nobody.mp4", "--hold", "nan"], 2, "--hold"),
    "batch timeout nan": (
        ["batch", "{d}/nobody.mp4", "-e", "bridge", "-r", "{d}/reps", "--timeout", "nan"],
        2,
        "--timeout",
    ),
    "live rest inf": (["live", "-e", "bridge", "--rest", "inf"], 2, "--rest: expected a finite number"),
    "live camera wait nan": (["live", "-e", "bridge", "--camera-wait", "nan"], 2, "--camera-wait: expected a finite"),
    "target huge": (
        ["review", str(BRIDGE), "-e", "bridge", "--target", "99999999999999999999"],
        2,
        "--target: expected a whole number of reps from 1 to 1000",
    ),
    "target zero": (["review", str(BRIDGE), "-e", "bridge", "--target", "0"], 2, "--target: "),
    "live target huge": (["live", "-e", "bridge", "--target", "99999999999999999999"], 2, "from 1 to 1000"),
    "target command huge": (["target", "bridge", "99999999999999999999"], 2, "REPS: expected a whole number"),
    "exercise hold inf": (["review", str(BRIDGE), "-e", "{d}/inf.toml"], 2, "hold.hold_s: input should be a finite"),
    "exercise bound nan": (["review", str(BRIDGE), "-e", "{d}/nan.toml"], 2, "min_torso_len: expected a finite"),
    "exercise is a folder": (["review", str(BRIDGE), "-e", "{d}/folder.toml"], 2, "is a folder, not an exercise"),
    "exercise id is a folder": (["review", str(BRIDGE), "-e", "{d}"], 2, "is a folder, not an exercise"),
    "settings hold inf": (
        ["review", str(BRIDGE), "-e", "bridge"],
        2,
        "settings_inf.toml: exercises.bridge.hold_s: input should be a finite number",
        {"POSECHECK_CONFIG": "{d}/settings_inf.toml"},
    ),
    "settings hold nan": (
        ["review", str(BRIDGE), "-e", "bridge"],
        2,
        "exercises.bridge.hold_s: input should be a finite",
        {"POSECHECK_CONFIG": "{d}/settings_nan.toml"},
    ),
    "settings target huge": (
        ["review", str(BRIDGE), "-e", "bridge"],
        2,
        "exercises.bridge.target: input should be less than or equal to 1000",
        {"POSECHECK_CONFIG": "{d}/settings_target.toml"},
    ),
    "still png": (["review", "{d}/still.png", "-e", "bridge", "--data-dir", "{d}/hist"], 2, "not a video (a still PNG"),
    "still jpg": (
        ["review", "{d}/still.jpg", "-e", "bridge", "--data-dir", "{d}/hist"],
        2,
        "not a video (a still JPEG",
    ),
    "picture named .mp4": (["review", "{d}/photo.mp4", "-e", "bridge", "--data-dir", "{d}/hist"], 2, "not a video"),
    "report wrong type": (
        ["report", "{d}/report_types.json", "-o", "{d}/page.html"],
        2,
        "report_types.json: reps.0.hold_s: ",
    ),
    "report hold a list": (["report", "{d}/report_hold.json", "-o", "{d}/page.html"], 2, "report_hold.json: hold_s: "),
    "report summary text": (["report", "{d}/report_summary.json", "-o", "{d}/page.html"], 2, ": summary: "),
    "report of a video": (["report", str(BRIDGE), "-o", "{d}/page.html"], 2, "is a video; `posecheck report` wants"),
    "report nan": (["report", "{d}/report_nan.json", "-o", "{d}/page.html"], 2, "hold_s: input should be a finite"),
}


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in [*folder.rglob("*"), BRIDGE] if p.is_file()}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(files, name, monkeypatch):
    args, code, match, *env = CASES[name]
    for key, value in (env[0] if env else {}).items():
        monkeypatch.setenv(key, value.format(d=files))  # the helper runs posecheck with os.environ
    before = _contents(files)
    proc = posecheck(*[a.format(d=files) for a in args])
    _one_line_error(proc, code, match)
    after = _contents(files)
    # the inputs byte-for-byte as they were; nothing left behind but an empty history
    assert {k: v for k, v in after.items() if k in before} == before
    assert not [k for k in after if k not in before and "/hist/" not in k], sorted(set(after) - set(before))


def test_still_image_is_not_saved_to_history(files):
    for still in ("still.png", "still.jpg"):
        _one_line_error(posecheck("review", files / still, "-e", "bridge", "--data-dir", files / "hist2"), 2)
    proc = posecheck("history", "--data-dir", files / "hist2", "--export", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout or "[]") in ([], {"sessions": []}), proc.stdout


def test_report_json_never_holds_nan():
    import math

    from posecheck.records.report import dumps

    assert "NaN" not in dumps({"hold_s": 1.0})
    with pytest.raises(ValueError):
        dumps({"hold_s": math.nan})
    with pytest.raises(ValueError):
        dumps({"reps": [{"hold_s": math.inf}]})


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg to make a stream-ordered mp4")
def test_video_cut_short_keeps_what_was_read(tmp_path):
    # With its index at the front the cut file still opens: it ends early. The report
    # covers what was read, and the exit says so.
    full = tmp_path / "full.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(BRIDGE),
            "-t",
            "6",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(full),
        ],
        check=True,
    )
    data = full.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.7)])
    report = tmp_path / "r.json"
    proc = posecheck("review", cut, "-e", "bridge", "-r", report)
    _one_line_error(proc, 2, "ends early")
    import json

    rep = json.loads(report.read_text())
    assert rep["truncated"] is True and 0 < rep["frames"] < 180


def test_exercises_lists_all_with_camera_placement():
    proc = posecheck("exercises")
    assert proc.returncode == 0, proc.stderr
    assert "bridge" in proc.stdout and "camera: side view" in proc.stdout
