"""Stillness: how fast the signals a phase must hold still are moving, each over its own
window of seconds (a phase's `still` list in the definition).
"""

from __future__ import annotations

from collections import deque

from posecheck.exercise.definition import Exercise, Phase
from posecheck.exercise.state import Signals


class Stillness:
    """Remembers each still-signal over its window; `still(phase)` says whether all of the
    phase's are slower than their limits. No speed yet (too little seen) is not still."""

    def __init__(self, exercise: Exercise) -> None:
        self._history: dict[str, deque[tuple[float, float]]] = {
            st.signal: deque() for p in exercise.phases for st in p.still
        }
        self._window = {st.signal: st.window_s for p in exercise.phases for st in p.still}

    def remember(self, t: float, values: Signals) -> None:
        for name, hist in self._history.items():
            v = values.get(name)
            if v is None:
                hist.clear()
                continue
            hist.append((t, v))
            while len(hist) > 2 and hist[1][0] <= t - self._window[name]:
                hist.popleft()

    def speed(self, name: str) -> float | None:
        hist = self._history[name]
        if len(hist) < 2 or hist[-1][0] - hist[0][0] < self._window[name] / 2:
            return None
        (t0, v0), (t1, v1) = hist[0], hist[-1]
        return abs(v1 - v0) / (t1 - t0)

    def still(self, phase: Phase) -> bool:
        for st in phase.still:
            speed = self.speed(st.signal)
            if speed is None or speed > st.max_speed:
                return False
        return True
