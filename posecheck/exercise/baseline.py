"""Baselines: a signal measured against the person's own start position (the definition's
`baseline = "subtract"` or `"ratio"`), so a body's proportions and the camera's angle cancel.

The start position is measured only while the person is settled in it (the setup check
passing, the body still), never on the pose they pass through on the way (kneeling before
going onto all fours, the middle of another movement). Each half window of settled
frames is a candidate; the first one's spread is the person's own calm, and a later one is
taken only when it is about as calm: a start position that drifts (a heel slid, a mat
moved) is followed, a restless one is not. The value is the median of what was taken over
the last minute.

A set may also begin mid-position (a cat-cow begun in cow): the person settles, still, in an
end position, and it is taken as the start. Where one rep visits positions on both sides of
the start on a signal (cat above it and cow below on the head's bend), the start lies between
them: when the person's range on it has grown to twice the larger of those bounds while it
stays on one side of where the start was taken, that start was an end, and the start position
is put in the middle of the range (as a person's middle is found for the pelvic tilt). Once
they have been past both bounds, the start is known to lie between them and stays.
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
_FULL_SHARE = 0.9


@dataclass
class _Baseline:
    recent: deque[tuple[float, float]] = field(default_factory=deque)
    calm_spread: float | None = None
    pool: deque[tuple[float, float]] = field(default_factory=deque)
    value: float | None = None
    # two-sided signals: the last half window (setup passing) and the range of its medians
    span: deque[tuple[float, float]] = field(default_factory=deque)
    low: float = float("inf")
    high: float = float("-inf")
    between: bool = False  # seen past both bounds: the start lies between them
    centred: bool = False  # found at one end: the start follows the range's middle


class Baselines:
    """Each baseline signal's value in the start position, and the signals taken against it."""

    def __init__(self, exercise: Exercise) -> None:
        self.ex = exercise
        self.half_window_s = exercise.tracking.baseline_window_s / 2
        self.factor = exercise.tracking.noise_speed_factor
        self._by_signal = {n: _Baseline() for n, s in exercise.signals.items() if s.baseline != "none"}
        self._reach = _reach(exercise)
        self._two_sided = _two_sided(exercise)

    @property
    def measured(self) -> bool:
        """Whether every baseline has been taken from a settled start position."""
        return all(b.pool for b in self._by_signal.values())

    def apply(self, t: float, raw: Signals, settled: bool, setup_ok: bool = False) -> Signals:
        """The signals at t with baselines applied; `settled`: the person is settled in the
        start position, so it is measured. Until it first is, the person is taken to be at
        it (a pose on the way in, such as sitting up, must not become the reference).
        `setup_ok`: the setup passes (the range of a two-sided signal is followed)."""
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
            if name in self._two_sided:
                self._follow_range(name, b, t, v if setup_ok else None)
            mode = self.ex.signals[name].baseline
            if b.value is None:
                # Before a baseline exists the person is taken to be at it.
                out[name] = 0.0 if mode == "subtract" else 1.0
            elif mode == "subtract":
                out[name] = v - b.value
            else:
                out[name] = v / b.value if abs(b.value) > 1e-9 else None
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

    def _follow_range(self, name: str, b: _Baseline, t: float, v: float | None) -> None:
        """Widen a two-sided signal's range; once the start is found to have been one end of
        it, the start follows the range's middle."""
        if (b.between and not b.centred) or b.value is None or not b.pool:
            return
        if v is None:
            b.span.clear()
            return
        b.span.append((t, v))
        while b.span[0][0] < t - self.half_window_s:
            b.span.popleft()
        if t - b.span[0][0] < self.half_window_s * _FULL_SHARE:
            return
        middle = median(x for _, x in b.span)
        if b.low <= middle <= b.high:
            return
        b.low, b.high = min(b.low, middle), max(b.high, middle)
        above, below = self._two_sided[name]
        if not b.centred:
            if b.high - b.value >= above and b.low - b.value <= below:
                b.between = True  # been in both: the start lies between them
                return
            # one-sided: the start sat at the range's bottom (or top) while the person moved
            # twice the larger bound away from it, so it was one end of the movement
            at_end = min(b.value - b.low, b.high - b.value) < 0.5 * min(above, -below)
            b.centred = at_end and b.high - b.low >= 2.0 * max(above, -below)
        if b.centred:
            b.value = 0.5 * (b.low + b.high)
            b.pool = deque([(t, b.value)])
            b.between = True

    def _sample(self, b: _Baseline, t: float, v: float, away: bool) -> None:
        if t - b.recent[0][0] < self.half_window_s * _FULL_SHARE:
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
        elif away or b.centred:
            return
        else:
            b.pool.append((t, v))
        while b.pool[0][0] < t - _MEMORY_S:
            b.pool.popleft()
        b.value = median(x for _, x in b.pool)


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
        at_start = 0.0 if signal.baseline == "subtract" else 1.0
        for bound, above in ((c.min, True), (c.max, False)):
            if bound is None or (bound <= at_start if above else bound >= at_start):
                continue  # the start position meets it
            out[c.signal] = min(out.get(c.signal, float("inf")), abs(bound - at_start))
    return out


def _two_sided(exercise: Exercise) -> dict[str, tuple[float, float]]:
    """Subtracted baseline signals on which one rep visits a position above the start and
    another below it (cat and cow on the head's bend): name -> (the lowest bound above, the
    highest bound below)."""
    middle = [[s] if isinstance(s, str) else list(s) for s in exercise.reps.sequence[1:-1]]
    above: dict[str, dict[int, float]] = {}
    below: dict[str, dict[int, float]] = {}
    for i, step in enumerate(middle):
        for c in (c for pid in step for c in exercise.phase(pid).when):
            signal = exercise.signals.get(c.signal)
            if signal is None or signal.baseline != "subtract":
                continue
            if c.min is not None and c.min > 0:
                above.setdefault(c.signal, {})[i] = min(c.min, above.get(c.signal, {}).get(i, c.min))
            if c.max is not None and c.max < 0:
                below.setdefault(c.signal, {})[i] = max(c.max, below.get(c.signal, {}).get(i, c.max))
    return {
        name: (min(above[name].values()), max(below[name].values()))
        for name in above.keys() & below.keys()
        if any(i != j for i in above[name] for j in below[name])
    }
