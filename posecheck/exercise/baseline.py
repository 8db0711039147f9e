"""Baselines: a signal measured against the person's own start position (the definition's
`baseline = "subtract"` or `"ratio"`), so a body's proportions and the camera's angle cancel.

The start position is measured only while the person is settled in it (the setup check
passing, the body still), never on the pose they pass through on the way (kneeling before
going onto all fours, the middle of another movement). Each half window of settled
frames is a candidate; the first one's spread is the person's own calm, and a later one is
taken only when it is about as calm: a start position that drifts (a heel slid, a mat
moved) is followed, a restless one is not. The value is the median of what was taken over
the last minute.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from statistics import median

from posecheck.exercise.definition import Exercise
from posecheck.exercise.state import Signals

# How far back taken samples count toward the start position (seconds): long enough to
# outvote one odd visit, short enough to follow a person who shifts on the mat.
_MEMORY_S = 60.0
# A half window counts as seen when its frames span this share of it (frame times jitter).
FULL_SHARE = 0.9


@dataclass
class _Baseline:
    recent: deque[tuple[float, float]] = field(default_factory=deque)
    calm_spread: float | None = None
    pool: deque[tuple[float, float]] = field(default_factory=deque)
    value: float | None = None


class Baselines:
    """Each baseline signal's value in the start position, and the signals taken against it."""

    def __init__(self, exercise: Exercise) -> None:
        self.ex = exercise
        self.half_window_s = exercise.tracking.baseline_window_s / 2
        self.factor = exercise.tracking.noise_speed_factor
        self._by_signal = {n: _Baseline() for n, s in exercise.signals.items() if s.baseline != "none"}
        self._reach = _reach(exercise)

    @property
    def measured(self) -> bool:
        """Whether every baseline has been taken from a settled start position."""
        return all(b.pool for b in self._by_signal.values())

    @property
    def start(self) -> Signals:
        """The start position's own (raw) values; None where not measured yet."""
        return {name: b.value for name, b in self._by_signal.items()}

    def take(self, t: float, start: Signals) -> None:
        """Take these raw values as the start position from now on (a set begun mid-position
        showed where it is: exercise/midstart.py)."""
        for name, b in self._by_signal.items():
            if (v := start.get(name)) is not None:
                b.recent.clear()
                b.pool, b.value = deque([(t, v)]), v

    def apply(self, t: float, raw: Signals, settled: bool) -> Signals:
        """The signals at t with baselines applied; `settled`: the person is settled in the
        start position, so it is measured. Until it first is, the person is taken to be at
        it (a pose on the way in, such as sitting up, must not become the reference)."""
        out = dict(raw)
        for name, b in self._by_signal.items():
            v = raw.get(name)
            if v is not None and settled:
                b.recent.append((t, v))
                while b.recent and b.recent[0][0] < t - self.half_window_s:
                    b.recent.popleft()
            else:
                b.recent.clear()
        # The whole pose is a start position again, or none of it is: on a signal as far from
        # the start position as another of the exercise's positions (or a fault) lies, it is a
        # movement the rules do not follow (one knee dropped, the other still up), not the
        # start position moved, and taking it would make it the reference for every signal.
        away = any(self._away(name, b) for name, b in self._by_signal.items())
        for name, b in self._by_signal.items():
            v = raw.get(name)
            if v is not None and settled:
                self._sample(b, t, v, away)
            if v is None:
                continue
            mode = self.ex.signals[name].baseline
            if b.value is None:
                # Before a baseline exists the person is taken to be at it.
                out[name] = at_start(mode)
            else:
                out[name] = against(mode, v, b.value)
        return out

    def _away(self, name: str, b: _Baseline) -> bool:
        """Whether the last half window of this signal lies `reach` or more from its start position."""
        reach = self._reach.get(name)
        if reach is None or not b.pool or b.value is None or not b.recent:
            return False
        middle = median(x for _, x in b.recent)
        if self.ex.signals[name].baseline == "ratio":
            return abs(b.value) > 1e-9 and abs(middle / b.value - 1.0) >= reach
        return abs(middle - b.value) >= reach

    def _sample(self, b: _Baseline, t: float, v: float, away: bool) -> None:
        if t - b.recent[0][0] < self.half_window_s * FULL_SHARE:
            if not b.pool:
                b.value = v if b.value is None else b.value
            return
        values = [x for _, x in b.recent]
        spread = max(values) - min(values)
        if b.calm_spread is None:
            b.calm_spread = spread
        elif spread > self.factor * max(b.calm_spread, 1e-9):
            return
        if not b.pool:
            b.pool.extend(b.recent)
        elif away:
            return
        else:
            b.pool.append((t, v))
        while b.pool[0][0] < t - _MEMORY_S:
            b.pool.popleft()
        b.value = median(x for _, x in b.pool)


def at_start(mode: str) -> float:
    """What a signal taken against the start position (`baseline` mode) reads there."""
    return 0.0 if mode == "subtract" else 1.0


def against(mode: str, value: float, start: float) -> float | None:
    """A signal's value taken against its value in the start position (`baseline` mode)."""
    if mode == "subtract":
        return value - start
    return value / start if abs(start) > 1e-9 else None


def _reach(exercise: Exercise) -> dict[str, float]:
    """For each baseline signal, how far from the start position (against its baseline) the
    nearest bound of another position or of a fault lies: the smallest distance at which
    the rules call it something else. Bounds that hold at the start position itself (a band
    around it) do not count."""
    start = exercise.reps.start_phase
    conds = [c for p in exercise.phases if p.id != start for c in p.when]
    conds += [c for f in exercise.faults for c in f.when]
    out: dict[str, float] = {}
    for c in conds:
        signal = exercise.signals.get(c.signal)
        if signal is None or signal.baseline == "none":
            continue
        there = at_start(signal.baseline)
        for bound, above in ((c.min, True), (c.max, False)):
            if bound is None or (bound <= there if above else bound >= there):
                continue  # the start position meets it
            out[c.signal] = min(out.get(c.signal, float("inf")), abs(bound - there))
    return out
