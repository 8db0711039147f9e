"""Drawing over the video: a stack of small painters, each `painter(scene, view) -> scene`.

Sizes scale with the picture so the same painters serve a 640×480 review and a
full-screen live window read from across a room.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from posecheck.coach import lettering
from posecheck.exercise.definition import Exercise
from posecheck.exercise.signals import _name
from posecheck.exercise.view import View
from posecheck.pose.landmarks import INDEX, NAMES, SKELETON

WHITE = (245, 245, 245)
BONE = (235, 225, 210)
GOOD = (90, 200, 90)
WARN = (0, 150, 255)  # orange, in BGR
DIM = (40, 40, 40)
HOLD = (255, 200, 60)

Painter = Callable[[np.ndarray, View], np.ndarray]


def _scale(scene: np.ndarray) -> float:
    return max(scene.shape[0], scene.shape[1] * 0.75) / 720.0


def text_width(text: str, cap_px: float) -> int:
    """How wide put_text draws text, in pixels."""
    return lettering.measure(text, cap_px)[0]


def put_text(scene: np.ndarray, text: str, org: tuple[int, int], cap_px: float, color) -> int:
    """Text with capitals cap_px tall and a dark outline so it reads on any background,
    its baseline starting at org. Returns its width."""
    return lettering.draw(scene, text, org, cap_px, color, DIM)


def panel(scene: np.ndarray, x0: int, y0: int, x1: int, y1: int, alpha: float = 0.55) -> None:
    """Darken a box so the text on it reads over a bright wall or floor (in place)."""
    H, W = scene.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    if x1 > x0 and y1 > y0:
        box = scene[y0:y1, x0:x1]
        box[:] = (box.astype(np.float32) * (1.0 - alpha)).astype(np.uint8)


def fault_points(exercise: Exercise, fault_ids: Sequence[str], near: str) -> set[str]:
    """The landmarks behind the active faults' signals, to draw their segments in warning colour."""
    out: set[str] = set()
    for f in exercise.faults:
        if f.id not in fault_ids:
            continue
        for cond in f.when:
            sig = exercise.signals[cond.signal]
            for p in sig.points:
                name = _name(p, sig.side, near)
                out.update(name if isinstance(name, tuple) else (name,))
    return out


def skeleton(scene: np.ndarray, view: View) -> np.ndarray:
    pose = view.pose
    if pose is None:
        return scene
    s = _scale(scene)
    bad = fault_points(view.exercise, view.state.faults, view.near)
    xy = pose.xy
    for a, b in SKELETON:
        pa, pb = xy[INDEX[a]], xy[INDEX[b]]
        if not (np.all(np.isfinite(pa)) and np.all(np.isfinite(pb))):
            continue
        color = WARN if a in bad and b in bad else BONE
        cv2.line(scene, tuple(int(v) for v in pa), tuple(int(v) for v in pb), color, max(2, int(4 * s)), cv2.LINE_AA)
    for i, p in enumerate(xy):
        if i in range(1, 11) or not np.all(np.isfinite(p)):
            continue  # face detail adds clutter, not information
        color = WARN if NAMES[i] in bad else GOOD
        cv2.circle(scene, (int(p[0]), int(p[1])), max(3, int(5 * s)), color, -1, cv2.LINE_AA)
    return scene


def hold_ring(
    scene: np.ndarray, center: tuple[int, int], radius: int, elapsed: float, target: float, done: bool
) -> None:
    """A ring that fills as the hold runs, with the seconds left in the middle."""
    s = radius / 60.0
    cv2.circle(scene, center, radius, DIM, max(3, int(10 * s)), cv2.LINE_AA)
    frac = 1.0 if done or target <= 0 else max(0.0, min(1.0, elapsed / target))
    if frac > 0:
        cv2.ellipse(
            scene,
            center,
            (radius, radius),
            -90,
            0,
            360 * frac,
            GOOD if done else HOLD,
            max(3, int(10 * s)),
            cv2.LINE_AA,
        )
    left = max(0.0, target - elapsed)
    text = "OK" if done else f"{math.ceil(left - 1e-6):d}"
    w, h = lettering.measure(text, 26 * s)
    put_text(scene, text, (center[0] - w // 2, center[1] + h // 2), 26 * s, WHITE)


def status(scene: np.ndarray, view: View) -> np.ndarray:
    st = view.state
    H, W = scene.shape[:2]
    s = _scale(scene)
    pad = int(16 * s)
    # Reps: large, top left.
    counting = view.exercise.reps.counting
    label = "round" if counting == "rounds" else "each side" if counting == "each_side" else "reps"
    extra = []
    if st.reps_attempted > st.reps_counted:
        extra.append(f"{st.reps_attempted - st.reps_counted} too short")
    if counting == "rounds":
        extra.append(f"round {st.round} of {st.target}")
    side = st.side or st.next_side
    if side and counting != "reps":
        extra.append(f"side: {side}")
    count, of = f"{st.reps_counted}", f"/ {st.target} {label}" if counting == "reps" else label
    of_x = pad + text_width(count, 44 * s) + int(14 * s)
    right = of_x + text_width(of, 16 * s)
    if extra:
        right = max(right, pad + text_width("  ".join(extra), 14 * s))
    panel(scene, pad // 2, pad // 2, right + pad // 2, int((112 if extra else 84) * s))
    put_text(scene, count, (pad, int(70 * s)), 44 * s, WHITE)
    put_text(scene, of, (of_x, int(58 * s)), 16 * s, WHITE)
    if extra:
        put_text(scene, "  ".join(extra), (pad, int(100 * s)), 14 * s, WHITE)
    # Hold ring: top right, while holding.
    if st.in_hold:
        r = int(55 * s)
        hold_ring(scene, (W - pad - r, pad + r), r, st.hold_s, st.hold_target_s, st.hold_done)
    # Fault: one at a time, in the warning colour, under the counts.
    y = int(140 * s)
    if st.fault_message:
        lines = lettering.wrap(st.fault_message, 18 * s, W - 2 * pad)
        panel(scene, pad // 2, y - int(30 * s), W - pad // 2, y + int(36 * s) * (len(lines) - 1) + int(12 * s))
        for line in lines:
            put_text(scene, line, (pad, y), 18 * s, WARN)
            y += int(36 * s)
    # Instruction: what to do now, at the bottom.
    text = view.banner or st.instruction or ("Looking for you..." if not st.tracking else "")
    lines = lettering.wrap(text, 18 * s, W - 2 * pad)
    y = H - pad - int(36 * s) * (len(lines) - 1)
    if lines:
        panel(scene, 0, y - int(36 * s), W, H)
    for line in lines:
        put_text(scene, line, (pad, y), 18 * s, WHITE)
        y += int(36 * s)
    return scene


DEFAULT_PAINTERS: tuple[Painter, ...] = (skeleton, status)


def annotate(scene: np.ndarray, view: View, painters: Sequence[Painter] = DEFAULT_PAINTERS) -> np.ndarray:
    for paint in painters:
        scene = paint(scene, view)
    return scene
