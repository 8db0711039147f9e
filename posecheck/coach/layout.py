"""The live screen's geometry and text: where each part goes for a window's size, and text
that fits a box. One unit `u` is a hundredth of the window's height.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posecheck.coach import lettering
from posecheck.coach.overlay import DIM

# From one baseline to the next, in capital heights (as the live screen was first drawn).
LINE_STEP = 2.1


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.w // 2, self.y + self.h // 2


@dataclass(frozen=True)
class Layout:
    u: float  # a hundredth of the height: the unit of every size
    video: Rect
    panel: Rect
    band: Rect  # instruction, across the bottom
    fault: Rect  # the strip above the band
    count: Rect  # inside the panel: the rep count and its words
    ring: Rect  # inside the panel: the hold ring
    bar: Rect  # inside the panel: progress through the set


def layout(canvas: np.ndarray) -> Layout:
    H, W = canvas.shape[:2]
    u = H / 100.0
    band_h = round(17 * u)
    fault_h = round(10 * u)
    top_h = H - band_h
    landscape = W >= 1.15 * H
    if landscape:  # panel on the right: count above the ring
        panel_w = round(min(0.34 * W, 62 * u))
        video = Rect(0, 0, W - panel_w, top_h)
        panel = Rect(W - panel_w, 0, panel_w, top_h)
        bar_h = int(5 * u)
        count = Rect(panel.x, panel.y, panel.w, int(0.44 * panel.h))
        ring = Rect(panel.x, count.y + count.h, panel.w, panel.h - count.h - bar_h)
    else:  # portrait: panel on top, count beside the ring
        u = min(u, W / 62.0)
        panel = Rect(0, 0, W, round(0.36 * top_h))
        video = Rect(0, panel.h, W, top_h - panel.h)
        bar_h = int(5 * u)
        count = Rect(0, 0, int(0.58 * W), panel.h - bar_h)
        ring = Rect(count.w, 0, W - count.w, panel.h - bar_h)
    bar = Rect(panel.x, panel.y + panel.h - bar_h, panel.w, bar_h)
    fault = Rect(0, top_h - fault_h, video.w, fault_h)
    return Layout(u, video, panel, Rect(0, top_h, W, band_h), fault, count, ring, bar)


def measure(text: str, size: float) -> tuple[int, int]:
    """(width, height above the baseline) of text with capitals `size` pixels tall."""
    return lettering.measure(text, size)


def fit_size(text: str, height_px: float, max_w: float) -> float:
    """The size (capital height) height_px, shrunk so text fits max_w."""
    size = max(6.0, height_px)
    w, _ = measure(text, size)
    if w > max_w > 0:
        size *= max_w / w
    return max(6.0, size)


def text(canvas: np.ndarray, s: str, org: tuple[int, int], size: float, color, *, outline: bool = True) -> int:
    """Draw s with its baseline at org; a dark outline keeps it legible over video. Returns the width."""
    return lettering.draw(canvas, s, org, size, color, DIM if outline else None)


def paragraph(
    canvas: np.ndarray,
    s: str,
    box: Rect,
    height_px: float,
    color,
    *,
    max_lines: int = 3,
    centre: bool = False,
    outline: bool = True,
) -> int:
    """Wrap s into box with capitals height_px tall, shrinking until it fits max_lines and
    the box. Returns the y below the last line."""
    size = height_px
    while True:
        lines = lettering.wrap(s, size, box.w)
        step = LINE_STEP * size
        if (len(lines) <= max_lines and step * len(lines) <= box.h) or size < 7:
            break
        size *= 0.9
    lines = lines[:max_lines]
    y: float = box.y + lettering.ascent(size)
    for line in lines:
        w = measure(line, size)[0]
        x = box.x + (box.w - w) // 2 if centre else box.x
        text(canvas, line, (int(x), int(y)), size, color, outline=outline)
        y += step
    return int(y - step + 0.8 * size) if lines else box.y


def fill(canvas: np.ndarray, rect: Rect, color) -> None:
    cv2.rectangle(canvas, (rect.x, rect.y), (rect.x + rect.w - 1, rect.y + rect.h - 1), color, -1)


def shade(canvas: np.ndarray, rect: Rect, color, alpha: float) -> None:
    roi = canvas[rect.y : rect.y + rect.h, rect.x : rect.x + rect.w]
    # OpenCV with scalars: numpy's broadcast of a colour is ten times slower at 1080p
    cv2.convertScaleAbs(roi, dst=roi, alpha=1 - alpha)
    cv2.add(roi, (*(float(c) * alpha for c in color), 0.0), dst=roi)


def letterbox(canvas: np.ndarray, image: np.ndarray, rect: Rect) -> Rect:
    """image scaled to fit rect, centred; returns where it went."""
    h, w = image.shape[:2]
    k = min(rect.w / w, rect.h / h)
    nw, nh = max(1, int(w * k)), max(1, int(h * k))
    x, y = rect.x + (rect.w - nw) // 2, rect.y + (rect.h - nh) // 2
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    canvas[y : y + nh, x : x + nw] = cv2.resize(image, (nw, nh), interpolation=interp)
    return Rect(x, y, nw, nh)
