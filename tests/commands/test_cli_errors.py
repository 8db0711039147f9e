"""Bad input: each a one-line error on stderr, a non-zero exit, and no traceback."""

from __future__ import annotations

import shutil
import subprocess

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
    return d


CASES = {
    "missing file": (["review", "nope.mp4", "-e", "bridge"], 2, "no such file"),
    "not a video": (["review", "{d}/notes.mp4", "-e", "bridge"], 2, "not a video"),
    "empty file": (["review", "{d}/empty.mp4", "-e", "bridge"], 2, "empty"),
    "zero frames": (["review", "{d}/zero.mp4", "-e", "bridge"], 2, "holds no frames"),
    "truncated": (["review", "{d}/cut.mp4", "-e", "bridge"], 2, "damaged or truncated"),
    "unknown exercise": (["review", str(BRIDGE), "-e", "brige"], 2, "known: "),
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
    "bad hold": (["review", str(BRIDGE), "-e", "bridge", "--hold", "-1"], 2, "--hold"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(files, name):
    args, code, match = CASES[name]
    proc = posecheck(*[a.format(d=files) for a in args])
    if name == "bad hold":  # click's own usage error: two lines of usage, then the error
        assert proc.returncode == code and match in proc.stderr and "Traceback" not in proc.stderr
        return
    _one_line_error(proc, code, match)


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
