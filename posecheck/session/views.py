"""When a recording changes camera: demo videos cut (or cross-fade) from one camera angle to
another mid-exercise, and every signal measured against the start position would then be
read against a start position seen from the other camera.

A new view is told from the picture, not the pose: the frame, shrunk to 16 x 9 grey cells,
against the frame a quarter of a second before (a cross-fade spreads a cut over a few
frames). The median cell's change, less the median change of all cells (a fade or the
camera's exposure brightens or darkens every cell alike), is 0-1 grey levels on every real
and rendered recording without a cut, people moving in them included (a person covers
fewer than half the cells), and 5-38 at the cuts of real demo videos.

Filmed close, a person fills half the picture or more and their own movement changes the
median cell (a real demo's glute bridge in close-up: six false cuts in twelve seconds, each of
which threw its start position away mid-rep). There (`PersonPlace`) a changed picture is a
new view only where the person changed place or size in it too: a cut rescales or moves the
body (the torso's length by a quarter, or the hips by half a torso length, within the quarter
second); a movement of theirs does not. A smaller person is left to the picture: a cut to
another angle with the same framing (a real demo's second take) leaves them where they were.
(`PersonPlace` is in session/place.py: the pipeline that uses it imports no OpenCV.)

A recording shown with bars (a portrait video in a landscape frame, a far camera's picture
padded out) is compared inside the bars: flat bars covering most cells would hold the median
cell still through every cut. A bar is a flat band at both opposite edges alike (the same
width and the same grey, in the frame and the one compared with): a plain wall at the top
of a room is not matched by a floor at the bottom, and a band clipped white (a lit studio
wall) is not taken for one.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from posecheck.session.place import SPAN_S as _SPAN_S

_CELLS = (16, 9)
_MIN_CHANGE = 4.0  # grey levels: a median cell changed this much is another picture
_QUIET_S = 1.0  # one new view at most in this long (a cross-fade passes the bound for a few frames)
_FINE = (64, 36)  # where bars are looked for
_FLAT = 2.0  # grey levels: a bar's row (or column) varies less than this, and so do two bars
_CLIPPED = 250.0  # grey levels: a band this bright is a highlight the camera clipped, not a bar
_MIN_CONTENT = 0.25  # bars leave at least this share of each side of the picture

_Bar = tuple[int, float]  # a pair of bars' width (pixels at `_FINE`) and grey
_Bars = tuple[_Bar | None, _Bar | None]  # above and below, beside


def _edge_run(flat: np.ndarray) -> int:
    """How many leading entries are True."""
    return int(np.argmin(flat)) if not flat.all() else len(flat)


def _bar_pair(lines: np.ndarray) -> _Bar | None:
    """The width and grey of matching flat bands at both ends of `lines` (rows or columns of
    a picture, one a row of `lines`), or None."""
    flat = lines.std(axis=1) <= _FLAT
    width = min(_edge_run(flat), _edge_run(flat[::-1]))
    if width == 0 or len(lines) - 2 * width < _MIN_CONTENT * len(lines):
        return None
    first, last = float(lines[:width].mean()), float(lines[-width:].mean())
    if abs(first - last) > _FLAT or max(first, last) >= _CLIPPED:
        return None
    return width, first


def _bars(fine: np.ndarray) -> _Bars:
    """Bars above and below, and beside, a grey picture at `_FINE` size."""
    return _bar_pair(fine), _bar_pair(fine.T)


def _inside(a: _Bar | None, b: _Bar | None, length: int) -> slice:
    """The span (of `length` fine pixels) inside bars found in both of two frames, alike, less
    the pixel at each edge, where bar and picture blend."""
    if a is None or b is None or abs(a[1] - b[1]) > _FLAT:
        return slice(0, length)
    width = min(a[0], b[0]) + 1
    return slice(width, length - width)


class ViewWatch:
    """`update(t, image)` each frame: True on the first frame of a new camera view."""

    def __init__(self) -> None:
        self._recent: deque[tuple[float, np.ndarray, np.ndarray, _Bars]] = deque()
        self._last_new: float | None = None

    def update(self, t_s: float, image: np.ndarray) -> bool:
        cells, fine = (_grey(cv2.resize(image, size, interpolation=cv2.INTER_AREA)) for size in (_CELLS, _FINE))
        bars = _bars(fine)
        self._recent.append((t_s, cells, fine, bars))
        while len(self._recent) > 1 and self._recent[1][0] <= t_s - _SPAN_S:
            self._recent.popleft()
        t0, cells_before, fine_before, bars_before = self._recent[0]
        if t_s - t0 < _SPAN_S * 0.8:
            return False
        rows = _inside(bars[0], bars_before[0], _FINE[1])
        cols = _inside(bars[1], bars_before[1], _FINE[0])
        if rows.start or cols.start:  # compared inside the bars
            cells = cv2.resize(fine[rows, cols], _CELLS, interpolation=cv2.INTER_AREA)
            cells_before = cv2.resize(fine_before[rows, cols], _CELLS, interpolation=cv2.INTER_AREA)
        change = cells - cells_before
        score = float(np.median(np.abs(change - np.median(change))))
        if score < _MIN_CHANGE or (self._last_new is not None and t_s - self._last_new < _QUIET_S):
            return False
        self._last_new = t_s
        return True


def _grey(small: np.ndarray) -> np.ndarray:
    return (cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small).astype(np.float32)
