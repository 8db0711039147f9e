#!/usr/bin/env python3
"""What drawing the review's words costs a frame: the bundled font through Pillow (kept
lines, and rendered afresh), beside OpenCV's putText as posecheck drew them before; then
the whole overlay (skeleton and status). CPU time per frame, so other work on the machine
does not inflate it. Prints figures; asserts nothing.

    python scripts/bench_lettering.py
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from posecheck.coach import lettering  # noqa: E402
from posecheck.coach.overlay import annotate  # noqa: E402
from posecheck.exercise.definition import load  # noqa: E402
from posecheck.exercise.state import EngineState  # noqa: E402
from posecheck.exercise.view import View  # noqa: E402

from stickfigure import REST, pose_of  # noqa: E402

# the lines of a review frame at 640×480, with their capital heights (px)
LINES = [
    ("0/5", 27),
    ("reps", 11),
    ("1 not counted", 9),
    ("Not counting: lift your hips higher, into a straight line", 12),
    ("Hold — knees, hips and shoulders in one line. Breathe deeply", 12),
    ("9", 17),
]


def per_frame(draw, size: tuple[int, int], n: int = 200) -> float:
    """ms of CPU a frame, the copy of the picture left out."""
    base = np.full((size[1], size[0], 3), 150, np.uint8)
    draw(base.copy(), 0)
    t = time.process_time()
    for i in range(n):
        draw(base.copy(), i)
    spent = time.process_time() - t
    t = time.process_time()
    for _ in range(n):
        base.copy()
    return (spent - (time.process_time() - t)) / n * 1000


def lettering_kept(img, _i):
    for k, (text, cap) in enumerate(LINES):
        lettering.draw(img, text, (10, 40 + 40 * k), cap, (245, 245, 245))


def lettering_afresh(img, _i):
    lettering._sprite.cache_clear()
    lettering_kept(img, _i)


def opencv_puttext(img, _i):  # the way posecheck drew text before: a thicker dark pass first
    for k, (text, cap) in enumerate(LINES):
        scale = cap / 20
        th = max(1, round(scale * 2))
        org = (10, 40 + 40 * k)
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_DUPLEX, scale, (40, 40, 40), th + max(2, th), cv2.LINE_AA)
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_DUPLEX, scale, (245, 245, 245), th, cv2.LINE_AA)


def main() -> None:
    ex = load("bridge")
    state = EngineState(
        t_s=10.0, tracking=True, started=True, setup_ok=True, setup_message="", phase="up",
        instruction="Hold — knees, hips and shoulders in one line. Breathe deeply", side=None, next_side=None,
        round=1, reps_counted=0, reps_attempted=1, target=5, hold_s=3.0, hold_target_s=12.0, in_hold=True,
        holding=False, hold_done=False, faults=("hips_low",), fault_message=ex.fault_message("hips_low"),
        values={}, set_complete=False,
    )  # fmt: skip
    pose = pose_of(REST)

    def overlay(img, i):  # the ring's seconds change once a second of a 30 fps video
        annotate(img, View(pose=pose, state=replace(state, hold_s=3.0 + i // 30), exercise=ex))

    print("ms of CPU a frame        640×480  1920×1080")
    for name, fn in [
        ("6 lines, Pillow, kept", lettering_kept),
        ("6 lines, Pillow, afresh", lettering_afresh),
        ("6 lines, cv2.putText", opencv_puttext),
        ("whole overlay", overlay),
    ]:
        print(f"{name:24s} {per_frame(fn, (640, 480)):7.2f}  {per_frame(fn, (1920, 1080)):9.2f}")


if __name__ == "__main__":
    main()
