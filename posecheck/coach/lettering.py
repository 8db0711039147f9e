"""Text on pictures: one bundled font (DejaVu Sans Bold, fonts/PROVENANCE.md) drawn by
Pillow's FreeType renderer, with an outline that follows the letters' own shapes.

OpenCV's putText was used before: its outline was the same text drawn thicker, which in
OpenCV 5's font also lays the letters out wider, so every line ended in a ghost of its
last letter. Here the outline is FreeType's stroke of the same glyphs at the same places.

Sizes are capital heights in pixels. A rendered line (its colours and coverage) and its
measures are kept, so the lines a review draws on every frame cost one blend each after
the first: the six lines of a 640×480 review frame take about 0.5 ms of CPU a frame
(OpenCV's putText took 0.7 ms; rendering them afresh every frame would take 12 ms);
scripts/bench_lettering.py measures it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_FILE = Path(__file__).with_name("fonts") / "DejaVuSans-Bold.ttf"
OUTLINE = (40, 40, 40)  # BGR
_EM = 200  # the size the font's proportions are read at


@lru_cache(maxsize=1)
def _cap_share() -> float:
    """The capital height as a share of the font's size (em)."""
    top = _font(_EM).getbbox("H", anchor="ls")[1]
    return -top / _EM


@lru_cache(maxsize=64)
def _font(em_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), em_px, layout_engine=ImageFont.Layout.BASIC)


def _font_for(cap_px: float) -> ImageFont.FreeTypeFont:
    return _font(max(4, round(cap_px / _cap_share())))


def outline_px(cap_px: float) -> int:
    """How far the outline reaches beyond the letters."""
    return max(1, round(0.08 * cap_px))


def measure(text: str, cap_px: float) -> tuple[int, int]:
    """(advance width, height of the letters above the baseline) of text, in pixels."""
    return _measure(text, int(_font_for(cap_px).size))


@lru_cache(maxsize=4096)
def _measure(text: str, em_px: int) -> tuple[int, int]:
    # kept: wrapping measures every word of every line on every frame
    font = _font(em_px)
    top = font.getbbox(text, anchor="ls")[1] if text else 0
    return round(font.getlength(text)), max(0, -round(top))


def ascent(cap_px: float) -> int:
    """The font's ascent: from the top of its tallest letters (accents included) to the baseline."""
    return int(_font_for(cap_px).getmetrics()[0])


@lru_cache(maxsize=1024)
def _sprite(
    text: str, em_px: int, color: tuple[int, ...], outline: tuple[int, ...] | None, stroke: int
) -> tuple[int, int, np.ndarray, np.ndarray]:
    """The rendered line: (x, y) of its top left from the baseline start, BGR, coverage."""
    font = _font(em_px)
    sw = stroke if outline is not None else 0
    box = font.getbbox(text, anchor="ls", stroke_width=sw)
    x0, y0, x1, y1 = math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])
    w, h = max(1, x1 - x0), max(1, y1 - y0)
    letters = Image.new("L", (w, h))
    ImageDraw.Draw(letters).text((-x0, -y0), text, font=font, anchor="ls", fill=255)
    fill = np.asarray(letters)
    if outline is None:
        cover = fill
        bgr = np.empty((h, w, 3), np.uint8)
        bgr[:] = color
    else:
        whole = Image.new("L", (w, h))
        ImageDraw.Draw(whole).text((-x0, -y0), text, font=font, anchor="ls", fill=255, stroke_width=sw, stroke_fill=255)
        cover = np.maximum(np.asarray(whole), fill)
        k = fill.astype(np.float32)[..., None] / 255.0
        bgr = (np.array(outline, np.float32) * (1 - k) + np.array(color, np.float32) * k).round().astype(np.uint8)
    return x0, y0, bgr, cover


def draw(
    img: np.ndarray,
    text: str,
    org: tuple[int, int],
    cap_px: float,
    color,
    outline=OUTLINE,
) -> int:
    """Draw text with its baseline starting at org (in place); outline None for none.
    Returns its advance width. Parts outside the picture are cut off."""
    if not text:
        return 0
    font = _font_for(cap_px)
    key_color = tuple(int(c) for c in color)
    key_outline = tuple(int(c) for c in outline) if outline is not None else None
    x0, y0, bgr, cover = _sprite(text, int(font.size), key_color, key_outline, outline_px(cap_px))
    X, Y = org[0] + x0, org[1] + y0
    H, W = img.shape[:2]
    h, w = cover.shape
    cx0, cy0, cx1, cy1 = max(0, X), max(0, Y), min(W, X + w), min(H, Y + h)
    if cx1 > cx0 and cy1 > cy0:
        part = (slice(cy0 - Y, cy1 - Y), slice(cx0 - X, cx1 - X))
        roi = img[cy0:cy1, cx0:cx1]
        alpha = cv2.cvtColor(cover[part], cv2.COLOR_GRAY2BGR)
        # roi·(1 − a) + letters·a in OpenCV's integer ops: numpy's float blend is 3× slower
        keep = cv2.multiply(roi, cv2.bitwise_not(alpha), scale=1 / 255, dtype=cv2.CV_16U)
        put = cv2.multiply(bgr[part], alpha, scale=1 / 255, dtype=cv2.CV_16U)
        roi[:] = cv2.convertScaleAbs(cv2.add(keep, put))
    return _measure(text, int(font.size))[0]


def wrap(text: str, cap_px: float, max_w: float) -> list[str]:
    """text in lines no wider than max_w (a single word longer than that stays whole)."""
    return list(_wrap(text, int(_font_for(cap_px).size), int(max_w)))


@lru_cache(maxsize=512)
def _wrap(text: str, em_px: int, max_w: int) -> tuple[str, ...]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and _measure(trial, em_px)[0] > max_w:
            lines.append(line)
            line = word
        else:
            line = trial
    return (*lines, *([line] if line else []))
