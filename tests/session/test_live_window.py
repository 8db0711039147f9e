"""The live window opens on a virtual display (Xvfb, started here; skipped without it)."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
from contextlib import contextmanager

import pytest

from helpers import BRIDGE, ROOT, read_frames, write_video


@contextmanager
def xvfb(screen: str = "1600x900x24"):
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    r, w = os.pipe()
    proc = subprocess.Popen(
        [exe, "-displayfd", str(w), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    try:
        ready, _, _ = select.select([r], [], [], 15)
        number = os.read(r, 32).decode().strip() if ready else ""
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        os.close(r)
        proc.terminate()
        proc.wait(timeout=10)


WINDOW_SCRIPT = """
import json, time, cv2
from posecheck.exercise.definition import load
from posecheck.session.live import Window
from posecheck.coach.screen import Board, render
w = Window(fullscreen=False, size=(1024, 576))
ex = load("bridge")
for _ in range(20):
    w.show(render(Board(ex, mode="start", seconds_left=3.0), w.size()))
    w.poll()
    time.sleep(0.02)
print(json.dumps({"visible": cv2.getWindowProperty(w.title, cv2.WND_PROP_VISIBLE), "size": w.size()}))
w.close()
"""


def test_window_opens_at_its_size_on_a_virtual_display(tmp_path):
    with xvfb() as display:
        env = dict(os.environ, DISPLAY=display, XDG_RUNTIME_DIR=str(tmp_path))
        res = subprocess.run(
            [sys.executable, "-c", WINDOW_SCRIPT], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT
        )
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["visible"] == 1.0
    assert out["size"] == [1024, 576]  # the screen is drawn at the window's own size


@pytest.mark.model
def test_live_runs_in_a_window(tmp_path):
    clip = write_video(tmp_path / "short.mp4", read_frames(BRIDGE, 2.0, 3.0)[0], 30.0)
    with xvfb() as display:
        env = dict(
            os.environ, DISPLAY=display, XDG_RUNTIME_DIR=str(tmp_path), POSECHECK_DATA_DIR=str(tmp_path / "data")
        )
        res = subprocess.run(
            [
                sys.executable,
                "-m",
                "posecheck",
                "live",
                "-e",
                "bridge",
                "--camera",
                str(clip),
                "--windowed",
                "--mute",
                "--mirror",
                "--record",
                str(tmp_path / "s.mp4"),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            cwd=ROOT,
        )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    assert "Bridge exercise (bridge)" in res.stdout
    frames, _ = read_frames(tmp_path / "s.mp4")
    assert frames and frames[-1].shape[:2] == (720, 1280)
