"""Each fault's clearest moment: while a fault span is open, the frame where its first
condition's signal sat deepest inside the faulty band, with the pose of that frame.

The therapist's page shows the still of that moment with the skeleton and the measured
value against the allowed range. Pure: poses and signal values in, plain dicts out.
"""

from __future__ import annotations

from typing import Any

from posecheck.exercise.definition import Exercise
from posecheck.exercise.describe import margin
from posecheck.exercise.signals import _name
from posecheck.exercise.state import FaultSpan, Signals
from posecheck.pose.types import Pose


class FaultPeaks:
    def __init__(self, exercise: Exercise) -> None:
        self.conditions = {f.id: f.when[0] for f in exercise.faults if f.when}
        self.signals = exercise.signals
        # by id() of the span, which is kept too (so its id is never reused)
        self._best: dict[int, tuple[float, dict[str, Any], FaultSpan]] = {}

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
            best = self._best.get(id(span))
            if best is not None and best[0] >= m:
                continue
            sig = self.signals[cond.signal]
            names = [_name(p, sig.side, near) for p in sig.points]
            self._best[id(span)] = (
                m,
                {
                    "t_s": round(t_s, 3),
                    "signal": cond.signal,
                    "value": round(float(value), 3),
                    "min": cond.min,
                    "max": cond.max,
                    # the signal's landmarks (a pair is averaged: a "mid" point)
                    "points": [list(n) if isinstance(n, tuple) else [n] for n in names],
                    "xy": [[round(float(x), 1), round(float(y), 1)] for x, y in pose.xy],
                },
                span,
            )

    def of(self, span: FaultSpan) -> dict[str, Any] | None:
        best = self._best.get(id(span))
        return None if best is None else best[1]
