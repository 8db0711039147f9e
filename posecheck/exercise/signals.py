"""Signals: named numbers measured on a pose, as an exercise definition asks for them.

Pure geometry on numpy arrays: a Pose in, {signal name: value or None} out. Image
coordinates have y pointing down; "up" below means up in the picture, which is up in
the room for a level camera. World coordinates are MediaPipe's: metres, hip-centred,
y down, z away from the camera.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from posecheck.exercise.definition import NEAR_SIDE_KEY, Exercise, Signal
from posecheck.exercise.seen import LINE_KEY, TORSO_PX_KEY, Anchoring
from posecheck.pose.landmarks import INDEX
from posecheck.pose.types import Pose

_EPS = 1e-9
# How the mask outline is sampled (picture geometry, not body thresholds): columns
# across the span, the share at each end that anchors the straight line, the middle
# part compared with it, and the share of columns that must hold the person.
_OUTLINE_COLUMNS = 24
_OUTLINE_END_SHARE = 1 / 6
_OUTLINE_MIDDLE = (0.25, 0.75)
_OUTLINE_MIN_COVER = 0.75
_OUTLINE_MIN_SPAN_PX = 8
_RISE_COLUMNS = 8  # mask_rise: columns sampled across its span
# height_share: no share of a yardstick shorter than this (torso lengths): a division by almost
# nothing (the feet level with the hips) is noise, not a share
_MIN_SHARE_OF = 0.2
_PICTURE_UP = np.array([0.0, -1.0])  # a height's "up" without a floor line (y points down); never written to


def _deg(rad: float) -> float:
    return math.degrees(rad)


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float | None:
    u, v = a - b, c - b
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu < _EPS or nv < _EPS:
        return None
    cos = float(np.dot(u, v) / (nu * nv))
    return _deg(math.acos(max(-1.0, min(1.0, cos))))


def line_offset(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float | None:
    """How far b bends away from the straight line a-c, in degrees; + when b is above it."""
    ang = angle_at(a, b, c)
    if ang is None:
        return None
    d = c - a
    normal = np.array([-d[1], d[0]])
    if normal[1] > 0:  # make the normal point up the picture (y down)
        normal = -normal
    side = float(np.dot(b - a, normal))
    return (180.0 - ang) * (1.0 if side >= 0 else -1.0)


def incline(a: np.ndarray, b: np.ndarray, floor: np.ndarray | None = None) -> float | None:
    """a->b from the level, toward the picture's top: the picture's level, or a floor line's."""
    d = b - a
    if np.linalg.norm(d) < _EPS:
        return None
    up = _up(floor)
    return _deg(math.atan2(float(np.dot(d, up)), abs(float(up[0] * d[1] - up[1] * d[0]))))


def between(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> float | None:
    """Segments a->b and c->d apart, 0..180 degrees: the same however the camera is rolled."""
    return angle_at(b - a, np.zeros(2), d - c)


def lean(a: np.ndarray, b: np.ndarray, facing: float) -> float | None:
    d = b - a
    if np.linalg.norm(d) < _EPS:
        return None
    return _deg(math.atan2(d[0] * facing, -d[1]))


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = np.linalg.norm(v)
    return None if n < _EPS else v / n


def roll(a: np.ndarray, b: np.ndarray, tip: np.ndarray, left: np.ndarray) -> float | None:
    """World: the direction a->tip turned about the long axis a->b, from straight up.

    0 when tip points up (the ceiling, lying) and + when it turns toward the
    person's left (`left` is a vector toward the person's left, e.g. shoulder line).
    """
    axis = _unit(b - a)
    if axis is None:
        return None
    up = np.array([0.0, -1.0, 0.0])
    up_p = _unit(up - np.dot(up, axis) * axis)
    if up_p is None:
        return None
    side = np.cross(axis, up_p)
    if np.dot(side, left) < 0:
        side = -side
    v = tip - a
    return _deg(math.atan2(float(np.dot(v, side)), float(np.dot(v, up_p))))


def twist(l_sh: np.ndarray, r_sh: np.ndarray, l_hip: np.ndarray, r_hip: np.ndarray) -> float | None:
    """World: the shoulder line's turn against the hip line about the vertical, + to the person's left."""
    s = (l_sh - r_sh)[[0, 2]]
    h = (l_hip - r_hip)[[0, 2]]
    if np.linalg.norm(s) < _EPS or np.linalg.norm(h) < _EPS:
        return None
    # Seen from above (x right, z away): turning left brings the right shoulder forward.
    ang = math.atan2(s[1], s[0]) - math.atan2(h[1], h[0])
    ang = (ang + math.pi) % (2 * math.pi) - math.pi
    return _deg(ang)


def mask_outline_bend(mask: np.ndarray, a: np.ndarray, b: np.ndarray, edge: str, torso_px: float) -> float | None:
    """The person mask's top (or bottom) outline between the columns of a and b: how far
    its middle half lies above (+) or below (-) the straight line joining its two ends,
    in torso lengths. The back's shape, which no landmark marks."""
    h, w = mask.shape[:2]
    x0, x1 = sorted((float(a[0]), float(b[0])))
    if x1 - x0 < _OUTLINE_MIN_SPAN_PX or torso_px < 1:
        return None
    cols = np.linspace(x0, x1, _OUTLINE_COLUMNS).round().astype(int).clip(0, w - 1)
    y_lo = int(max(0, min(a[1], b[1]) - torso_px))
    y_hi = int(min(h, max(a[1], b[1]) + torso_px))
    band = mask[y_lo:y_hi, cols] > 0.5
    if band.shape[0] == 0:
        return None
    has = band.any(axis=0)
    if has.mean() < _OUTLINE_MIN_COVER:
        return None
    rows = np.where(
        has, np.argmax(band, axis=0) if edge == "top" else band.shape[0] - 1 - np.argmax(band[::-1], axis=0), -1
    )
    idx = np.flatnonzero(has)
    ys = rows[idx].astype(float)
    xs = np.linspace(0.0, 1.0, len(cols))[idx]
    end = max(2, round(len(cols) * _OUTLINE_END_SHARE))
    left, right = ys[xs <= xs[0] + end / len(cols)].mean(), ys[xs >= xs[-1] - end / len(cols)].mean()
    middle = (xs > _OUTLINE_MIDDLE[0]) & (xs < _OUTLINE_MIDDLE[1])
    if not middle.any():
        return None
    line = left + (right - left) * (xs[middle] - xs[0]) / max(xs[-1] - xs[0], 1e-9)
    return float(np.mean(line - ys[middle])) / torso_px


def mask_rise(
    mask: np.ndarray, a: np.ndarray, b: np.ndarray, span: tuple[float, float], torso_px: float
) -> float | None:
    """The person mask's top outline over the line a-b, across `span` of the way from a to b:
    its mean height above the line, in torso lengths. Read from the mask's soft edge (the
    probabilities summed down each column), so it moves in fractions of a pixel: the lower
    belly rising and falling with a pelvic tilt, a few pixels on a close camera."""
    h, w = mask.shape[:2]
    if torso_px < 1:
        return None
    heights = []
    for f in np.linspace(span[0], span[1], _RISE_COLUMNS):
        x, y = a + (b - a) * f
        col = round(float(x))
        top, ref = int(max(0.0, y - torso_px)), round(float(y))
        if not 0 <= col < w or not 0 < ref < h or ref <= top:
            continue
        above = mask[top:ref, col]
        if above.size == 0 or mask[min(ref, h - 1), col] <= 0.5:
            continue  # the line's own point is not on the person: no outline above it here
        edge = top + float(np.sum(1.0 - np.clip(above, 0.0, 1.0)))
        heights.append((y - edge) / torso_px)
    if len(heights) < _RISE_COLUMNS * _OUTLINE_MIN_COVER:
        return None
    return float(np.mean(heights))


class NearSide:
    """Which of the person's sides faces the camera, from depth, smoothed over time.

    MediaPipe's visibility stays high for hidden points, so depth decides: the side
    whose shoulder and hip are nearer (smaller z) is the near side.
    """

    def __init__(self, tau_s: float) -> None:
        self.tau_s = tau_s
        self._t: float | None = None
        self._v = 0.0

    def update(self, t_s: float, pose: Pose) -> str:
        z = pose.z
        diff = float(
            (z[INDEX["left_shoulder"]] + z[INDEX["left_hip"]]) - (z[INDEX["right_shoulder"]] + z[INDEX["right_hip"]])
        )
        if self._t is None or t_s <= self._t:
            self._v = diff
        else:
            k = 1.0 - math.exp(-(t_s - self._t) / self.tau_s)
            self._v += k * (diff - self._v)
        self._t = t_s
        return self.side

    @property
    def side(self) -> str:
        return "right" if self._v > 0 else "left"


def _name(point: str, side: str, near: str) -> str | tuple[str, str]:
    """A definition's point name to a landmark name, or a pair to average."""
    if point in INDEX:
        return point
    if point.startswith("mid_"):
        base = point[4:]
        return (f"left_{base}", f"right_{base}")
    if side == "mid":
        return (f"left_{point}", f"right_{point}")
    if side == "near":
        side = near
    elif side == "far":
        side = "left" if near == "right" else "right"
    return f"{side}_{point}"


def _at(arr: np.ndarray, name: str | tuple[str, str]) -> np.ndarray:
    # the midpoint of a pair ("mid" points), else the landmark itself
    point: np.ndarray = (
        (arr[INDEX[name[0]]] + arr[INDEX[name[1]]]) / 2.0 if isinstance(name, tuple) else arr[INDEX[name]]
    )
    return point


def _present(pose: Pose, names: list[str | tuple[str, str]], min_presence: float) -> bool:
    idx = [INDEX[n] for name in names for n in (name if isinstance(name, tuple) else (name,))]
    return bool(np.all(pose.presence[idx] >= min_presence))


def facing(pose: Pose) -> float:
    """+1 when the person faces the right of the picture, -1 the left (from nose vs ears)."""
    ears = (pose.xy[INDEX["left_ear"]] + pose.xy[INDEX["right_ear"]]) / 2
    return 1.0 if pose.xy[INDEX["nose"], 0] >= ears[0] else -1.0


def feet_direction(pose: Pose) -> float:
    """+1 when the feet lie toward the right of the picture from the hips, -1 the left."""
    hips = (pose.xy[INDEX["left_hip"], 0] + pose.xy[INDEX["right_hip"], 0]) / 2
    feet = (pose.xy[INDEX["left_ankle"], 0] + pose.xy[INDEX["right_ankle"], 0]) / 2
    return 1.0 if feet >= hips else -1.0


def measure(
    sig: Signal,
    pose: Pose,
    near: str,
    min_presence: float,
    at: tuple[list[np.ndarray], float] | None = None,
    floor: np.ndarray | None = None,
) -> float | None:
    """One signal on one pose; `at`: a mask signal's line a-b and the body's size where they lay
    (see Anchor), instead of now; `floor`: the direction of a height's or an incline's floor
    line (b - a, see SignalReader.floors), which "up" stands square to, instead of the picture's."""
    names = [_name(p, sig.side, near) for p in sig.points]
    kind = sig.kind
    if kind == "twist":
        names = ["left_shoulder", "right_shoulder", "left_hip", "right_hip"]
    if not _present(pose, names, min_presence):
        return None
    if kind == "in_frame":
        pts = np.array([_at(pose.xy, n) for n in names])
        inside = (pts[:, 0] >= 0) & (pts[:, 0] <= pose.width) & (pts[:, 1] >= 0) & (pts[:, 1] <= pose.height)
        return float(inside.mean())
    if kind in ("mask_curve", "mask_gap", "mask_rise"):
        if pose.mask is None:
            return None
        ends, torso_px = at or ([_at(pose.xy, n) for n in names], pose.torso_px)
        if kind == "mask_rise":
            return mask_rise(pose.mask, ends[0], ends[1], sig.span, torso_px)
        return mask_outline_bend(pose.mask, ends[0], ends[1], "top" if kind == "mask_curve" else "bottom", torso_px)
    if kind in ("roll", "twist", "tilt"):
        if pose.world is None:
            return None
        w = [_at(pose.world, n) for n in names]
        if kind == "twist":
            return twist(*w)
        if kind == "tilt":
            d = _unit(w[1] - w[0])
            return None if d is None else _deg(math.acos(max(-1.0, min(1.0, -float(d[1])))))
        left = pose.world[INDEX["left_shoulder"]] - pose.world[INDEX["right_shoulder"]]
        return roll(w[0], w[1], w[2], left)
    p = [_at(pose.xy, n) for n in names]
    if kind == "angle":
        return angle_at(*p)
    if kind == "line_offset":
        return line_offset(*p)
    if kind == "incline":
        return incline(p[0], p[1], floor)
    if kind == "between":
        return between(*p)
    if kind == "lean":
        return lean(p[0], p[1], facing(pose))
    if kind == "tip":
        return lean(p[0], p[1], feet_direction(pose))
    torso = pose.torso_px
    if kind == "height" and at is not None:
        # anchored: a above where b lay, in the body's size then (a point's own rise, not
        # taken against another that moves too: the hips sink as both knees come in)
        p[1], torso = at[0][1], at[1]
    if torso < 1.0:
        return None
    if kind == "height":
        return float(np.dot(p[0] - p[1], _up(floor))) / torso
    if kind == "height_share":
        up = _up(floor)
        whole = float(np.dot(p[0] - p[2], up))
        return None if whole < _MIN_SHARE_OF * torso else float(np.dot(p[0] - p[1], up)) / whole
    if kind == "forward":
        return float(p[0][0] - p[1][0]) * facing(pose) / torso
    if kind == "distance":
        return float(np.linalg.norm(p[0] - p[1])) / torso
    if kind == "along":
        axis = (pose.xy[11] + pose.xy[12] - pose.xy[23] - pose.xy[24]) / 2.0
        return float(np.dot(p[0] - p[1], axis)) / (torso * torso)
    if kind == "width":
        return abs(float(p[0][0] - p[1][0])) / torso
    raise ValueError(f"signal kind {kind!r} has no measurement")  # definition validation prevents this


def _up(floor: np.ndarray | None) -> np.ndarray:
    """Up in the picture (y points down), or square to a floor line, toward the picture's top."""
    length = 0.0 if floor is None else float(np.linalg.norm(floor))
    if floor is None or length < _EPS:
        return _PICTURE_UP
    n: np.ndarray = np.array([floor[1], -floor[0]]) / length
    return n if n[1] <= 0 else -n


class Anchor:
    """Where a mask signal's line a-b lay in the person's own start position (seen.Anchoring);
    also where a floor line lay (definition.Leveling: SignalReader.floors).

    The belly's outline is read over the hip-shoulder line; on some bodies (and on renders)
    the pose model's hip follows the pelvis as it tilts, lifting the line with the belly and
    cancelling the very movement the signal is for. Lying on the floor, the person's hips and
    shoulders stay where they were: the line where it lay reads the outline's own movement,
    and the landmarks' frame-to-frame jitter drops out of it too."""

    def __init__(self, anchoring: Anchoring) -> None:
        self.anchoring = anchoring
        self._seen: deque[tuple[float, np.ndarray]] = deque()
        self._first_t: float | None = None
        self.line: np.ndarray | None = None  # the anchored a, b and the body's size then (x, y, x, y, torso px)
        self.placed = 0  # how many times the line was placed (taken, then moved with the person)

    def update(self, t_s: float, ends: list[np.ndarray], torso_px: float) -> tuple[list[np.ndarray], float]:
        """The line's ends and the body's size in pixels, where they lay."""
        window = self.anchoring.window_s
        if self._seen and t_s < self._seen[-1][0]:  # time went back: another video
            self._seen.clear()
            self._first_t = self.line = None
        if self._first_t is None:
            self._first_t = t_s
        self._seen.append((t_s, np.array([*ends[0], *ends[1], torso_px], dtype=float)))
        while self._seen[0][0] < t_s - window:
            self._seen.popleft()
        recent = self._recent()
        if self.line is None and t_s - self._first_t >= window:
            self.line = recent
            self.placed += 1
        elif self.line is not None:
            moved = max(np.hypot(*(recent[:2] - self.line[:2])), np.hypot(*(recent[2:4] - self.line[2:4])))
            if moved > self.anchoring.shift_torso_len * self.line[4]:
                self.line = recent  # the person moved: their new place
                self.placed += 1
        at = recent if self.line is None else self.line  # the start is still being read
        return [at[:2], at[2:4]], float(at[4])

    def place(self) -> None:
        """Place the line where it lay over the last window (the person settled there)."""
        if self._seen:
            self.line = self._recent()
            self.placed += 1

    def _recent(self) -> np.ndarray:
        """The line's ends and the body's size over the last window, as medians."""
        recent: np.ndarray = np.median(np.stack([e for _, e in self._seen]), axis=0)
        return recent


class SignalReader:
    """Reads every signal of an exercise from each pose; remembers the near side and anchors."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.near = NearSide(exercise.tracking.side_tau_s)
        self.anchors = {n: Anchor(s.anchor) for n, s in exercise.signals.items() if s.anchor is not None}
        # Heights over a floor line: one per distinct line, placed where the person lay (Anchor),
        # so a camera rolled a few degrees does not mix movement along the body into them.
        levels = {n: s.level for n, s in exercise.signals.items() if s.level is not None}
        self._levels = {lv.model_dump_json(): lv for lv in levels.values()}
        self.floors = {key: Anchor(lv) for key, lv in self._levels.items()}
        self._floor_of = {n: lv.model_dump_json() for n, lv in levels.items()}
        self.started = False

    def start_taken(self) -> None:
        """The person settled in the start position (the engine's start): each floor line is
        placed where it lay then, once, so the heights and inclines that position is measured
        on, and every later one, stand on the floor under that position, not on a line placed
        on the way down (lying back slowly, kneeling up before going onto all fours)."""
        if not self.started:
            self.started = True
            for anchor in self.floors.values():
                anchor.place()

    def read(self, t_s: float, pose: Pose | None) -> dict[str, float | None] | None:
        if pose is None:
            return None
        near = self.near.update(t_s, pose)
        mp = self.exercise.tracking.min_presence
        values: dict[str, float | None] = {}
        at: dict[str, tuple[list[np.ndarray], float] | None] = {}
        floors = {key: self._floor(key, t_s, pose, near, mp) for key in self.floors}
        for name, sig in self.exercise.signals.items():
            at[name] = self._anchored(name, sig, t_s, pose, near, mp)
            floor = floors.get(self._floor_of.get(name, ""))
            values[name] = measure(sig, pose, near, mp, at[name], floor)
        values[NEAR_SIDE_KEY] = 1.0 if near == "right" else 0.0
        seen = self.exercise.guided.seen if self.exercise.guided is not None else None
        if seen is not None:
            # the seen gate's pixel test (exercise/seen.py): the body's size where its signal is read
            anchored = at.get(seen.signal)
            values[TORSO_PX_KEY] = anchored[1] if anchored is not None else pose.torso_px
            anchor = self.anchors.get(seen.signal)
            if anchor is not None:  # ...and where its line lies: readings over another do not compare
                values[LINE_KEY] = float(anchor.placed)
        return values

    def _floor(self, key: str, t_s: float, pose: Pose, near: str, mp: float) -> np.ndarray | None:
        """The floor line's direction where it lay; the last one placed while its points are unseen;
        None (the picture's level) before the start position when the line waits for it."""
        anchor = self.floors[key]
        names = [_name(p, "mid", near) for p in self._levels[key].points]
        before = self._levels[key].until_start == "picture" and not self.started
        if _present(pose, names, mp):
            (a, b), _ = anchor.update(t_s, [_at(pose.xy, n) for n in names], pose.torso_px)
            if before:
                return None
        elif anchor.line is not None and not before:
            a, b = anchor.line[:2], anchor.line[2:4]
        else:
            return None
        return np.asarray(b - a, dtype=float)

    def _anchored(
        self, name: str, sig: Signal, t_s: float, pose: Pose, near: str, mp: float
    ) -> tuple[list[np.ndarray], float] | None:
        anchor = self.anchors.get(name)
        if anchor is None:
            return None
        names = [_name(p, sig.side, near) for p in sig.points]
        if not _present(pose, names, mp):
            return None
        return anchor.update(t_s, [_at(pose.xy, n) for n in names], pose.torso_px)
