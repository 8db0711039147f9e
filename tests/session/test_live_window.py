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


SCREENSHOT_SCRIPT = """
import sys, time, cv2, numpy as np
from PIL import ImageGrab
from posecheck.exercise.definition import load
from posecheck.exercise.state import EngineState
from posecheck.exercise.view import View
from posecheck.session.live import Window
from posecheck.coach.screen import Board, render
ex = load("bridge")
st = EngineState(
    t_s=10.0, tracking=True, started=True, setup_ok=True, setup_message="", phase="up",
    instruction="Hold — knees, hips and shoulders in one line", side=None, next_side=None, round=1,
    reps_counted=1, reps_attempted=2, target=5, hold_s=3.0, hold_target_s=12.0, in_hold=True,
    holding=False, hold_done=False, faults=("hips_low",), fault_message=ex.fault_message("hips_low"),
    values={}, set_complete=False,
)
frame = np.full((480, 640, 3), 200, np.uint8)
w = Window(fullscreen=False, size=(1024, 576))
for _ in range(30):
    canvas = render(Board(ex, frame=frame, view=View(pose=None, state=st, exercise=ex), keys=False), w.size())
    w.show(canvas)
    w.poll()
    time.sleep(0.03)
shot = np.asarray(ImageGrab.grab(xdisplay=sys.argv[1]).convert("RGB"))[..., ::-1]
cv2.imwrite(sys.argv[2], canvas)
cv2.imwrite(sys.argv[3], np.ascontiguousarray(shot))
w.close()
"""


# The back-pain question answered with real key presses (X's XTEST extension, as a keyboard).
PAIN_SCRIPT = """
import ctypes, json, sys, threading, time
from posecheck.exercise.definition import load
from posecheck.session.live import Window
from posecheck.coach.screen import Board, render
from posecheck.coach.pain import ask

def press(keys):
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    xtst = ctypes.cdll.LoadLibrary("libXtst.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XStringToKeysym.restype = ctypes.c_ulong
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
    xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ulong]
    d = x11.XOpenDisplay(None)
    xtst.XTestFakeMotionEvent(d, -1, 200, 150, 0)  # the pointer over the window: it has the focus
    x11.XFlush(d)
    for name in keys:
        time.sleep(0.6)
        code = x11.XKeysymToKeycode(d, x11.XStringToKeysym(name.encode()))
        xtst.XTestFakeKeyEvent(d, code, 1, 0)
        xtst.XTestFakeKeyEvent(d, code, 0, 0)
        x11.XFlush(d)
    x11.XCloseDisplay(d)

w = Window(fullscreen=False, size=(640, 360))
ex = load("bridge")
for _ in range(10):
    w.show(render(Board(ex, mode="done"), w.size()))
    w.poll()
    time.sleep(0.02)
threading.Thread(target=press, args=(sys.argv[1:],), daemon=True).start()
t0 = time.perf_counter()
answer = ask(w, Board(ex))
print(json.dumps({"pain": answer, "s": round(time.perf_counter() - t0, 1)}))
w.close()
"""


def test_the_screen_on_a_virtual_display_shows_what_was_drawn(tmp_path):
    """A screenshot of the live window (Xvfb): the drawn screen is on it pixel for pixel,
    with its words in their places — the count, the fault that stops the hold, the instruction."""
    pytest.importorskip("PIL.ImageGrab")
    import cv2
    import numpy as np

    from posecheck.coach.layout import layout
    from posecheck.coach.overlay import WARN, WHITE

    canvas_png, shot_png = tmp_path / "canvas.png", tmp_path / "shot.png"
    with xvfb() as display:
        env = dict(os.environ, DISPLAY=display, XDG_RUNTIME_DIR=str(tmp_path))
        res = subprocess.run(
            [sys.executable, "-c", SCREENSHOT_SCRIPT, display, str(canvas_png), str(shot_png)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=ROOT,
        )
    assert res.returncode == 0, res.stderr[-2000:]
    canvas, shot = cv2.imread(str(canvas_png)), cv2.imread(str(shot_png))
    # where the window is on the screen: the drawn canvas, found in the screenshot
    scores = cv2.matchTemplate(shot, canvas, cv2.TM_SQDIFF_NORMED)
    best, _, (x, y), _ = cv2.minMaxLoc(scores)
    assert best < 0.01, "the screen's picture is not on the display"
    seen = shot[y : y + canvas.shape[0], x : x + canvas.shape[1]]
    assert np.abs(seen.astype(int) - canvas.astype(int)).mean() < 2
    lay = layout(seen)

    def ink(rect, colour, tol=60):
        part = seen[rect.y : rect.y + rect.h, rect.x : rect.x + rect.w]
        return (np.abs(part.astype(int) - np.array(colour)).sum(axis=2) < tol).mean()

    assert ink(lay.count, WHITE) > 0.03  # "1/5", large
    assert ink(lay.fault, WARN) > 0.5 and ink(lay.fault, (20, 20, 20)) > 0.02  # dark words on orange
    assert ink(lay.band, WHITE) > 0.02  # the instruction


@pytest.mark.parametrize("keys, answer", [(["1", "0"], 10), (["7"], 7), (["s"], None), (["Escape"], None)])
def test_pain_question_answered_with_keys_in_a_window(tmp_path, keys, answer):
    with xvfb("1024x768x24") as display:
        env = dict(os.environ, DISPLAY=display, XDG_RUNTIME_DIR=str(tmp_path))
        res = subprocess.run(
            [sys.executable, "-c", PAIN_SCRIPT, *keys], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT
        )
    if "libXtst" in res.stderr:
        pytest.skip("no libXtst to press keys with")
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads(res.stdout.strip().splitlines()[-1])["pain"] == answer
