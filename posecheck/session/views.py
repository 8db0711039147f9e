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
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from posecheck.session.place import SPAN_S as _SPAN_S

_CELLS = (16, 9)
_MIN_CHANGE = 4.0  # grey levels: a median cell changed this much is another picture
_QUIET_S = 1.0  # one new view at most in this long (a cross-fade passes the bound for a few frames)


class ViewWatch:
    """`update(t, image)` each frame: True on the first frame of a new camera view."""

    def __init__(self) -> None:
        self._recent: deque[tuple[float, np.ndarray]] = deque()
        self._last_new: float | None = None

    def update(self, t_s: float, image: np.ndarray) -> bool:
        cells = cv2.resize(image, _CELLS, interpolation=cv2.INTER_AREA)
        if cells.ndim == 3:
            cells = cv2.cvtColor(cells, cv2.COLOR_BGR2GRAY)
        cells = cells.astype(np.float32)
        self._recent.append((t_s, cells))
        while len(self._recent) > 1 and self._recent[1][0] <= t_s - _SPAN_S:
            self._recent.popleft()
        t0, before = self._recent[0]
        if t_s - t0 < _SPAN_S * 0.8:
            return False
        change = cells - before
        score = float(np.median(np.abs(change - np.median(change))))
        if score < _MIN_CHANGE or (self._last_new is not None and t_s - self._last_new < _QUIET_S):
            return False
        self._last_new = t_s
        return True
