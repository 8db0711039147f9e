"""Still frames for the therapist's page: a video's frame at a moment, as PNG, and for a
fault's clearest moment the skeleton the review saw then, with the landmarks of the
measurement that decided the fault drawn in the fault's colour, and the value on it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from posecheck.errors import PosecheckError
from posecheck.exercise.describe import unit_words
from posecheck.pose.landmarks import INDEX, SKELETON

STILL_WIDTH_PX = 480
BONE = (225, 225, 225)
JOINT = (90, 200, 90)
EDGE = (30, 30, 30)


class StillError(PosecheckError):
    """A still frame could not be made."""


def allowed_text(lo: float | None, hi: float | None, unit: str) -> str:
    """The allowed range of a fault's band [lo, hi]: everything outside it."""
    after = unit_words(unit)[0]
    if lo is not None and hi is not None:
        return f"below {lo:g}{after} or above {hi:g}{after}".replace("-", "−")
    if lo is not None:
        return f"below {lo:g}{after}".replace("-", "−")
    return f"above {hi:g}{after}".replace("-", "−")


def _bgr(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return (b, g, r)


def draw_peak(image: np.ndarray, peak: Mapping[str, Any], colour: str, label: str) -> np.ndarray:
    """The skeleton of the fault's clearest moment on the frame; its measurement's landmarks in colour."""
    import cv2

    from posecheck.coach import lettering

    out = image.copy()
    xy = np.asarray(peak.get("xy") or [], dtype=float)
    if xy.shape != (len(INDEX), 2):
        return out
    s = max(out.shape[:2]) / 640
    thick = max(2, round(3 * s))
    for a, b in SKELETON:
        pa, pb = xy[INDEX[a]], xy[INDEX[b]]
        if np.all(np.isfinite(pa)) and np.all(np.isfinite(pb)):
            cv2.line(out, tuple(int(v) for v in pa), tuple(int(v) for v in pb), BONE, thick, cv2.LINE_AA)
    for i, p in enumerate(xy):
        if i > 10 and np.all(np.isfinite(p)):  # the face's detail adds clutter
            cv2.circle(out, (int(p[0]), int(p[1])), thick + 1, JOINT, -1, cv2.LINE_AA)
    # the measurement: its points (a pair is their midpoint) joined in the fault's colour
    pts = []
    for names in peak.get("points") or []:
        if all(n in INDEX for n in names):
            pts.append(np.mean([xy[INDEX[n]] for n in names], axis=0))
    c = _bgr(colour)
    for width, col in ((thick * 2 + 4, EDGE), (thick * 2, c)):  # a dark edge: it shows on any clothing
        for pa, pb in itertools.pairwise(pts):
            cv2.line(out, tuple(int(v) for v in pa), tuple(int(v) for v in pb), col, width, cv2.LINE_AA)
        for p in pts:
            cv2.circle(out, (int(p[0]), int(p[1])), width // 2 + 2, col, -1, cv2.LINE_AA)
    # the value on a dark band across the top
    cap = 11 * s
    band = out[: round(cap * 2.2)]
    band[:] = (band.astype(np.float32) * 0.35).astype(np.uint8)
    lettering.draw(out, label, (round(8 * s), round(cap * 1.6)), cap, (255, 255, 255), None)
    return out


def stills(
    video: Any,
    times: Sequence[float],
    width: int = STILL_WIDTH_PX,
    painters: Mapping[float, Any] | None = None,
) -> dict[float, bytes]:
    """PNG bytes of the first frame at or after each time (timestamps as the review saw them);
    `painters[t](image) -> image` draws on the frame of time t before it is scaled."""
    from posecheck.sources.video import VideoFile

    painters = painters or {}
    wanted = sorted(set(times))
    out: dict[float, bytes] = {}
    if not wanted:
        return out
    vf = VideoFile(video)
    half = 0.5 / vf.fps if vf.fps else 1 / 60
    i = 0
    last = None
    for frame in vf:
        while i < len(wanted) and frame.t_s >= wanted[i] - half:
            out[wanted[i]] = _png(frame.image, width, painters.get(wanted[i]))
            i += 1
        last = frame
        if i == len(wanted):
            break
    for t in wanted[i:]:  # past the end of what could be read: the last frame
        if last is not None:
            out[t] = _png(last.image, width, painters.get(t))
    return out


def _png(image: np.ndarray, width: int, paint: Any = None) -> bytes:
    import cv2

    if paint is not None:
        image = paint(image)
    h, w = image.shape[:2]
    if w > width:
        image = cv2.resize(image, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise StillError("could not encode a still frame as PNG")
    return bytes(buf.tobytes())
