"""A person too small in the picture for the pose model's detector: look closer.

The model's person detector sees the whole frame shrunk to a small square, so a person far
from the camera (a portrait phone 4 m away, a wide room) can shrink below what it finds,
while the landmark model, given a closer view, reads them well. When nobody has been found
for a while (a frame or two found among misses does not count), squares of the frame are
tried one at a time, one every STEP_S; once a person is found in one, the frame is followed
through a square around them (the same square, so the tracker keeps its place) until they
are lost there for a while, or grow too big for it (they came closer), and then the whole
frame is looked at again.

A person far away lying down can also be found in part: the tracker squeezes them onto their
legs and, following its own last reading, keeps them there. The whole frame's fresh look (made
once a second to count the people) reads them whole once it can; the tracker is then started
again (`holds_part`). The whole frame may not find them at all (a portrait phone 3.8 m away):
at the same moment a small person followed is looked at in a square around them (`closer`),
and when that reads them whole, they are followed through a square.

Pure: pixel boxes in, pixel boxes out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Nobody found in the whole frame this long: start looking closer (seconds).
SEARCH_AFTER_S = 1.0
# One square tried at most this often while looking (seconds): a frame pays for one more model call.
STEP_S = 0.2
# Found in the whole frame this long without a break: the person is held again (seconds). A
# frame or two found among misses is a flicker: a far person lying 3.4 m away was caught for
# two frames in every seventeen, which put off looking closer by 2 s, past the start of his first rep.
STEADY_S = 0.5
# The squares tried: these shares of the frame's shorter side, each overlapping its neighbours by half.
SCALES = (1.0, 0.6)
# The followed square is this many times the person's larger extent (at most the frame's
# shorter side): room to move without leaving it.
ROOM = 3.0
# A person spanning more than this share of the square came closer: the whole frame again.
TOO_BIG = 0.6


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    side: int

    def crop(self, image: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(image[self.y : self.y + self.side, self.x : self.x + self.side])

    def to_frame(self, xy: np.ndarray) -> np.ndarray:
        """Pixel points found in the square, in the whole frame's pixels."""
        return xy + np.array((self.x, self.y), dtype=np.float64)


def _extent(xy: np.ndarray) -> float:
    """The larger side of the points' bounding box (pixels)."""
    return float(np.max(np.nanmax(xy, axis=0) - np.nanmin(xy, axis=0)))


def squares(width: int, height: int) -> list[Box]:
    """The squares tried, largest first, covering the frame with half overlaps."""
    out: list[Box] = []
    short = min(width, height)
    for scale in SCALES:
        side = int(short * scale)
        step = max(1, side // 2)
        xs = sorted({*range(0, width - side + 1, step), width - side})
        ys = sorted({*range(0, height - side + 1, step), height - side})
        out += [Box(x, y, side) for y in ys for x in xs]
    return out


def around(xy: np.ndarray, width: int, height: int, least: float = 1.0) -> Box:
    """The square to follow a person whose landmarks (pixels, full frame) are `xy`: ROOM times
    their size, at least `least` pixels, at most the frame's shorter side."""
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    short = min(width, height)
    side = int(min(short, max(least, ROOM * _extent(xy))))
    cx, cy = (lo + hi) / 2
    x = int(np.clip(round(cx - side / 2), 0, width - side))
    y = int(np.clip(round(cy - side / 2), 0, height - side))
    return Box(x, y, side)


class Zoom:
    """When to look closer, where, and when to stop."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.box: Box | None = None  # the square followed, or None: the whole frame
        self._tries = squares(width, height)
        self._next = 0
        self._missing_since: float | None = None
        self._found_since: float | None = None  # found in the whole frame without a break since
        self._next_try_s = 0.0

    def whole_frame(self, t_s: float, found: bool) -> Box | None:
        """After the whole frame was looked at: a square to try now, or None."""
        if found:
            if self._found_since is None:
                self._found_since = t_s
            if t_s - self._found_since >= STEADY_S:
                self._missing_since = None
            return None
        self._found_since = None
        if self._missing_since is None:
            self._missing_since = t_s
        if t_s - self._missing_since < SEARCH_AFTER_S or t_s < self._next_try_s:
            return None
        self._next_try_s = t_s + STEP_S
        box = self._tries[self._next % len(self._tries)]
        self._next += 1
        return box

    def found_in(self, xy: np.ndarray) -> None:
        """A person was found at `xy` (full-frame pixels) in a tried square: follow them."""
        self.box = around(xy, self.width, self.height)
        self._missing_since = None

    def followed(self, t_s: float, xy: np.ndarray | None) -> None:
        """After the followed square was looked at; `xy`: the person found there (full frame)."""
        if xy is None:
            if self._missing_since is None:
                self._missing_since = t_s
            if t_s - self._missing_since >= SEARCH_AFTER_S:
                self.box, self._missing_since = None, None
            return
        self._missing_since = None
        assert self.box is not None
        if _extent(xy) > TOO_BIG * self.box.side and self.box.side < min(self.width, self.height):
            self.box = None  # they came closer: the whole frame finds them


# The body's points that size a person: nose, shoulders, hips, knees, ankles.
_BODY = (0, 11, 12, 23, 24, 25, 26, 27, 28)
# A followed person spanning at most this share of one found afresh around them: the tracker
# holds a part of them (a far person lying down, squeezed onto their legs), not the person.
PART_SHARE = 0.5


def holds_part(tracked: np.ndarray, found: list[np.ndarray]) -> np.ndarray | None:
    """The person found afresh in the same frame (`found`: the landmarks of each, pixels) whom
    the tracked landmarks cover only in part: they span at most PART_SHARE of that person, and
    that person's outline holds their centre (the same person, read whole by a fresh look and
    in part by the tracker). None when there is no such person."""
    lo, hi = _outline(tracked)
    centre, size = (lo + hi) / 2, float(np.max(hi - lo))
    for xy in found:
        f_lo, f_hi = _outline(xy)
        if size <= PART_SHARE * float(np.max(f_hi - f_lo)) and bool(np.all((f_lo <= centre) & (centre <= f_hi))):
            return xy
    return None


def _outline(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corners of the box around a person's body points (pixels)."""
    body = xy[list(_BODY)]
    return np.nanmin(body, axis=0), np.nanmax(body, axis=0)


def closer(xy: np.ndarray, width: int, height: int) -> Box | None:
    """A square to look at a small followed person closer than the whole frame does: the one
    `around` them, never smaller than the smallest square tried when looking (a person read in
    part is smaller than they are); None when that is no closer than the whole frame."""
    short = min(width, height)
    box = around(xy, width, height, least=min(SCALES) * short)
    return None if box.side >= short else box
