"""Each fault's clearest moment: while a fault span is open, where its first condition's
signal sat deepest inside the faulty band and stayed there for the fault's own
min_duration_s (the definition's debounce when it has none), with the pose of that frame.

A sustained depth, not one frame's: coming down from a bridge sends the hip line far
below the shoulder–knee line for a moment while the span is still open, and that is not
the sag the fault is about. The value kept is the least deep of that stretch (what held
for the whole of it), at its frame. A span shorter than the stretch keeps its deepest
frame. The therapist's page shows the still of that moment with the skeleton and the
measured value against the allowed range. Pure: poses and signal values in, dicts out.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from posecheck.exercise.definition import Exercise
from posecheck.exercise.describe import margin
from posecheck.exercise.signals import _name
from posecheck.exercise.state import FaultSpan, Signals
from posecheck.pose.types import Pose


@dataclass
class _Track:
    span: FaultSpan  # kept, so its id() is never reused while this lives
    recent: deque[tuple[float, float, dict[str, Any]]] = field(default_factory=deque)  # (t, margin, moment)
    sustained: tuple[float, dict[str, Any]] | None = None
    deepest: tuple[float, dict[str, Any]] | None = None


class FaultPeaks:
    def __init__(self, exercise: Exercise) -> None:
        self.conditions = {f.id: f.when[0] for f in exercise.faults if f.when}
        self.window_s = {f.id: f.min_duration_s or exercise.tracking.debounce_s for f in exercise.faults}
        self.signals = exercise.signals
        self._tracks: dict[int, _Track] = {}  # by id() of the span

    def update(self, t_s: float, spans: list[FaultSpan], values: Signals, pose: Pose | None, near: str) -> None:
        if pose is None:
            return
        for span in spans:
            cond = self.conditions.get(span.id)
            if span.end_s is not None or cond is None:
                continue
            value = values.get(cond.signal)
            m = margin(cond, value)
            if m is None or value is None:
                continue
            tr = self._tracks.setdefault(id(span), _Track(span))
            sig = self.signals[cond.signal]
            names = [_name(p, sig.side, near) for p in sig.points]
            moment = {
                "t_s": round(t_s, 3),
                "signal": cond.signal,
                "value": round(float(value), 3),
                "min": cond.min,
                "max": cond.max,
                # the signal's landmarks (a pair is averaged: a "mid" point)
                "points": [list(n) if isinstance(n, tuple) else [n] for n in names],
                "xy": [[round(float(x), 1), round(float(y), 1)] for x, y in pose.xy],
            }
            if tr.deepest is None or m > tr.deepest[0]:
                tr.deepest = (m, moment)
            window = self.window_s.get(span.id, 0.0)
            tr.recent.append((t_s, m, moment))
            while len(tr.recent) > 1 and t_s - tr.recent[1][0] >= window:
                tr.recent.popleft()  # keep just enough to cover the window
            if t_s - tr.recent[0][0] >= window:
                _, held, at = min(tr.recent, key=lambda r: r[1])
                if tr.sustained is None or held > tr.sustained[0]:
                    tr.sustained = (held, at)

    def of(self, span: FaultSpan) -> dict[str, Any] | None:
        tr = self._tracks.get(id(span))
        if tr is None:
            return None
        best = tr.sustained or tr.deepest
        return None if best is None else best[1]
