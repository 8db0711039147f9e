"""Drawing over the video: a stack of small painters, each `painter(scene, view) -> scene`.

Sizes scale with the picture so the same painters serve a 640×480 review and a
full-screen live window read from across a room.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from posecheck.coach import labels, lettering
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
PAUSED = (170, 170, 170)  # the hold ring while the hold is not counting
NOTE = (205, 205, 205)  # a quiet note: how a guided exercise's movement is followed

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
    """The pose: light bones cased in a dark edge and green joints with a dark rim, so they
    show on a white wall as on a dark floor; segments at fault in the warning colour."""
    pose = view.pose
    if pose is None:
        return scene
    s = _scale(scene)
    bad = fault_points(view.exercise, view.state.faults, view.near)
    xy = pose.xy
    width = max(2, int(4 * s))
    edge = max(1, round(1.5 * s))
    bones = []
    for a, b in SKELETON:
        pa, pb = xy[INDEX[a]], xy[INDEX[b]]
        if np.all(np.isfinite(pa)) and np.all(np.isfinite(pb)):
            ends = (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1]))
            bones.append((*ends, WARN if a in bad and b in bad else BONE))
    for pa, pb, _ in bones:  # every casing first: a bone's edge never cuts across another
        cv2.line(scene, pa, pb, DIM, width + 2 * edge, cv2.LINE_AA)
    for pa, pb, color in bones:
        cv2.line(scene, pa, pb, color, width, cv2.LINE_AA)
    r = max(3, int(5 * s))
    for i, p in enumerate(xy):
        if i in range(1, 11) or not np.all(np.isfinite(p)):
            continue  # face detail adds clutter, not information
        centre = (int(p[0]), int(p[1]))
        cv2.circle(scene, centre, r + edge, DIM, -1, cv2.LINE_AA)
        cv2.circle(scene, centre, r, WARN if NAMES[i] in bad else GOOD, -1, cv2.LINE_AA)
    return scene


def _disc(scene: np.ndarray, center: tuple[int, int], radius: int, alpha: float) -> None:
    """Darken a disc (in place): the ring's seconds read over a white wall."""
    H, W = scene.shape[:2]
    x0, y0 = max(0, center[0] - radius), max(0, center[1] - radius)
    x1, y1 = min(W, center[0] + radius + 1), min(H, center[1] + radius + 1)
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.circle(mask, (center[0] - x0, center[1] - y0), radius, 255, -1, cv2.LINE_AA)
    roi = scene[y0:y1, x0:x1]
    dark = (roi.astype(np.float32) * (1.0 - alpha)).astype(np.uint8)
    k = cv2.cvtColor(mask, cv2.COLOR_GRAY2BGR).astype(np.float32) / 255.0
    roi[:] = (roi * (1 - k) + dark * k).astype(np.uint8)


def hold_ring(
    scene: np.ndarray,
    center: tuple[int, int],
    radius: int,
    elapsed: float,
    target: float,
    done: bool,
    running: bool = True,
) -> None:
    """A ring that fills as the hold runs, with the seconds left in the middle; grey while
    the hold is not counting."""
    s = radius / 60.0
    ring_w = max(3, int(10 * s))
    _disc(scene, center, radius + ring_w // 2, 0.6)
    cv2.circle(scene, center, radius, DIM, ring_w, cv2.LINE_AA)
    frac = 1.0 if done or target <= 0 else max(0.0, min(1.0, elapsed / target))
    color = GOOD if done else HOLD if running else PAUSED
    if frac > 0:
        cv2.ellipse(scene, center, (radius, radius), -90, 0, 360 * frac, color, ring_w, cv2.LINE_AA)
    left = max(0.0, target - elapsed)
    text = "OK" if done else f"{math.ceil(left - 1e-6):d}"
    w, h = lettering.measure(text, 26 * s)
    put_text(scene, text, (center[0] - w // 2, center[1] + h // 2), 26 * s, WHITE if done or running else PAUSED)


def status(scene: np.ndarray, view: View) -> np.ndarray:
    st = view.state
    H, W = scene.shape[:2]
    s = _scale(scene)
    pad = int(16 * s)
    # The count, large, top left, in the exercise's unit; under it the side or round and
    # the attempts that did not count.
    big, unit, line = labels.count_words(view.exercise, st)
    extra = " · ".join(part for part in (line, labels.not_counted(st)) if part)
    big_px, unit_px, extra_px = 40 * s, 16 * s, 14 * s
    unit_x = pad + text_width(big, big_px) + int(12 * s)
    right = unit_x + text_width(unit, unit_px)
    if extra:
        right = max(right, pad + text_width(extra, extra_px))
    panel(scene, pad // 2, pad // 2, right + pad // 2, int((112 if extra else 84) * s))
    put_text(scene, big, (pad, int(70 * s)), big_px, GOOD if st.set_complete else WHITE)
    put_text(scene, unit, (unit_x, int(70 * s)), unit_px, WHITE)
    if extra:
        put_text(scene, extra, (pad, int(100 * s)), extra_px, WHITE)
    # Hold ring: top right, while holding.
    if st.in_hold:
        r = int(55 * s)
        running = st.holding or st.hold_done
        hold_ring(scene, (W - pad - r, pad + r), r, st.hold_s, st.hold_target_s, st.hold_done, running)
    # Fault: one at a time, in the warning colour, under the counts; when it stops the
    # hold, it says so.
    y = int(140 * s)
    fault = labels.fault_line(view.exercise, st)
    if fault:
        lines = lettering.wrap(fault, 18 * s, W - 2 * pad)
        panel(scene, pad // 2, y - int(30 * s), W - pad // 2, y + int(36 * s) * (len(lines) - 1) + int(12 * s))
        for line in lines:
            put_text(scene, line, (pad, y), 18 * s, WARN)
            y += int(36 * s)
    # Instruction: what to do now, at the bottom; above it, smaller, a guided exercise's
    # note: whether its movement is counted from the picture, and if not why.
    text = view.banner or st.instruction or ("Looking for you..." if not st.tracking else "")
    lines = lettering.wrap(text, 18 * s, W - 2 * pad)
    note = lettering.wrap(labels.guided_line(view.exercise, st), 12 * s, W - 2 * pad)
    y = H - pad - int(36 * s) * (len(lines) - 1)
    top = y - int(36 * s) * bool(lines) - int(24 * s) * len(note) - int(8 * s) * bool(note and not lines)
    if lines or note:
        panel(scene, 0, top, W, H)
    ny = top + int(24 * s) - int(2 * s)
    for line in note:
        put_text(scene, line, (pad, ny), 12 * s, GOOD if st.guided == "seen" else NOTE)
        ny += int(24 * s)
    for line in lines:
        put_text(scene, line, (pad, y), 18 * s, WHITE)
        y += int(36 * s)
    return scene


DEFAULT_PAINTERS: tuple[Painter, ...] = (skeleton, status)


def annotate(scene: np.ndarray, view: View, painters: Sequence[Painter] = DEFAULT_PAINTERS) -> np.ndarray:
    for paint in painters:
        scene = paint(scene, view)
    return scene
