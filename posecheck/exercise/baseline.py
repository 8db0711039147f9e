"""Baselines: a signal measured against the person's own start position (the definition's
`baseline = "subtract"` or `"ratio"`), so a body's proportions and the camera's angle cancel.

The start position is measured only while the person is settled in it (the setup check
passing, the body still), never on the pose they pass through on the way (kneeling before
going onto all fours, the middle of another movement). Each half window of settled
frames is a candidate; the first one's spread is the person's own calm, and a later one is
taken only when it is about as calm: a start position that drifts (a heel slid, a mat
moved) is followed, a restless one is not. The value is the median of what was taken over
the last minute.

A start position first taken part of the way into a position (a recording begun mid-roll,
the knees still a little down) is taken again, once, when the person settles past it on the
side where no position of the exercise lies, by as far as the nearest one lies the other way.
"""

from __future__ import annotations

import math
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
        self._beyond_since: float | None = None
        self._retaken = False

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
        offs = {name: self._off(name, b) for name, b in self._by_signal.items()}
        away = any(self._away(name, off) for name, off in offs.items())
        retook = False
        if settled and not self._retaken and self._beyond(offs.get(self.ex.key_signal)):
            self._beyond_since = t if self._beyond_since is None else self._beyond_since
            if t - self._beyond_since >= self.half_window_s:
                self._retake()  # from the recent window, which holds this frame already
                retook = True
        else:
            self._beyond_since = None
        for name, b in self._by_signal.items():
            v = raw.get(name)
            if v is not None and settled and not retook:
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

    def _retake(self) -> None:
        """The start position is where the person has rested since (`_beyond`): taken afresh,
        once (a set begins once; a pose past the start position later is the person's own)."""
        for b in self._by_signal.values():
            if b.recent:
                b.pool = deque(b.recent)
                b.value = median(x for _, x in b.pool)
        self._beyond_since, self._retaken = None, True

    def _off(self, name: str, b: _Baseline) -> float | None:
        """How far the last half window of this signal lies from its start position."""
        if not b.pool or b.value is None or not b.recent:
            return None
        middle = median(x for _, x in b.recent)
        if self.ex.signals[name].baseline == "ratio":
            return middle / b.value - 1.0 if abs(b.value) > 1e-9 else None
        return middle - b.value

    def _away(self, name: str, off: float | None) -> bool:
        """Whether this signal's last half window, `off` its start position (`_off`), lies
        `reach` or more from it."""
        reach = self._reach.get(name)
        return reach is not None and off is not None and abs(off) >= min(reach)

    def _beyond(self, off: float | None) -> bool:
        """Whether the key signal, `off` its start position (`_off`; None: not a baseline signal
        or not measured), lies past it on the side where no other position lies, as far as the
        nearest one lies the other way: the start position was taken part of the way into a
        position (a set begun mid-roll), and the person now rests where it really is."""
        reach = self._reach.get(self.ex.key_signal)
        if reach is None:
            return False
        below, above = reach
        if off is None or math.isfinite(below) == math.isfinite(above):
            return False
        return off >= below if math.isfinite(below) else -off >= above

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


def _reach(exercise: Exercise) -> dict[str, tuple[float, float]]:
    """For each baseline signal, how far below and above the start position (against its
    baseline) the nearest bound of another position or of a fault lies: the smallest
    distance at which the rules call it something else, each way (inf: nothing lies that
    way). Bounds that hold at the start position itself (a band around it) do not count."""
    start = exercise.reps.start_phase
    conds = [c for p in exercise.phases if p.id != start for c in p.when]
    conds += [c for f in exercise.faults for c in f.when]
    out: dict[str, tuple[float, float]] = {}
    for c in conds:
        signal = exercise.signals.get(c.signal)
        if signal is None or signal.baseline == "none":
            continue
        there = at_start(signal.baseline)
        below, above = out.get(c.signal, (math.inf, math.inf))
        if c.min is not None and c.min > there:
            above = min(above, c.min - there)
        if c.max is not None and c.max < there:
            below = min(below, there - c.max)
        if (below, above) != (math.inf, math.inf):
            out[c.signal] = (below, above)
    return out
