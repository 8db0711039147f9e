"""Shared test helpers: paths, running the real command line, making small videos."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
BRIDGE = SAMPLES / "bootstrap" / "bridge.mp4"


def truth(video: Path) -> dict:
    return json.loads(video.with_suffix(".json").read_text())


def posecheck(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def write_video(path: Path, frames, fps: float = 30.0) -> Path:
    frames = list(frames)
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        out.write(f)
    out.release()
    return path


def read_frames(path: Path, start_s: float = 0.0, seconds: float = 1e9):
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS)
    out = []
    i = 0
    while True:
        ok, f = cap.read()
        if not ok:
            break
        t = i / fps
        if start_s <= t < start_s + seconds:
            out.append(f)
        i += 1
    cap.release()
    return out, fps


def blank_frames(n: int, size=(320, 240)) -> list[np.ndarray]:
    w, h = size
    return [np.full((h, w, 3), 90 + (i % 40), np.uint8) for i in range(n)]
