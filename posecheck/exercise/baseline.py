"""Baselines: a signal measured against the person's own start position (the definition's
`baseline = "subtract"` or `"divide"`), so a body's proportions and the camera's angle cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from posecheck.exercise.definition import Exercise
from posecheck.exercise.state import Signals


@dataclass
class _Baseline:
    visit_start: float | None = None
    samples: list[float] = field(default_factory=list)
    value: float | None = None


class Baselines:
    """Each baseline signal's value in the start position (the median over a window once the
    body has settled), and the signals taken against it."""

    def __init__(self, exercise: Exercise) -> None:
        self.ex = exercise
        self.window_s = exercise.tracking.baseline_window_s
        self._by_signal = {n: _Baseline() for n, s in exercise.signals.items() if s.baseline != "none"}

    def apply(self, t: float, raw: Signals, in_start: bool, arrived_s: float | None) -> Signals:
        """The signals at t with baselines applied; `in_start`: the person is in the start
        position, where they arrived at `arrived_s`."""
        out = dict(raw)
        for name, b in self._by_signal.items():
            v = raw.get(name)
            if in_start and v is not None:
                if b.visit_start is None:
                    b.visit_start, b.samples = arrived_s if arrived_s is not None else t, []
                # The start position is measured once the body has settled into it: from
                # half a window after arriving, for one window.
                into = t - b.visit_start
                window = self.window_s
                if window / 2 <= into <= window + window / 2 or b.value is None:
                    if b.value is None and into < window / 2:
                        b.value = v  # until then, the first sight of the person
                    else:
                        b.samples.append(v)
                        b.value = median(b.samples)
            elif not in_start:
                b.visit_start = None
            if v is None:
                continue
            mode = self.ex.signals[name].baseline
            if b.value is None:
                # Before a baseline exists the person is taken to be at it.
                out[name] = 0.0 if mode == "subtract" else 1.0
            elif mode == "subtract":
                out[name] = v - b.value
            else:
                out[name] = v / b.value if abs(b.value) > 1e-9 else None
        return out
