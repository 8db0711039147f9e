"""Stillness: how fast the signals a phase must hold still are moving, each over its own
window of seconds (a phase's `still` list in the definition), and how fast is "still"
for this person.

A fixed speed limit fits one body and one camera: a real person at the top of a bridge
sways and breathes, and their landmarks jitter more on a far or oblique camera. So the
limit is the largest of the definition's `max_<unit>_per_s`, a share of the person's own
peak speed on the way into the position (`tracking.settle_speed_share`: someone who moves
fast settles fast) and a multiple of their own speed while resting in the start position
(`tracking.noise_speed_factor`: the landmark noise of this body on this camera). The
definition's limit is itself held under a share of that peak (`tracking.floor_peak_share`):
a camera high above a small roll shows the whole movement slower than a limit set for a
clear view, and a body moving at half its own peak speed is moving, not holding still.

The resting speed is measured the way the start position is (exercise/baseline.py): in
blocks of a baseline window while settled in the start position, each block's median; the
first block is the person's own calm, and a later one counts only when it is about as calm.
A slow movement out of the start position stays under the start position's own still
limit for a while (a small roll seen from a high camera), and must not become "noise":
three times it would let the whole next movement pass as still.
"""

from __future__ import annotations

from collections import deque
from statistics import median

from posecheck.exercise.baseline import FULL_SHARE
from posecheck.exercise.conditions import Still
from posecheck.exercise.definition import Exercise, Phase
from posecheck.exercise.state import Signals

# How many calm blocks of resting speeds are remembered (the median of their medians is the
# noise). A block counts once its speeds span FULL_SHARE of it, as a baseline's half window does.
_NOISE_BLOCKS = 10


class Stillness:
    """Remembers each still-signal over its window; `still(phase)` says whether all of the
    phase's are slower than their limits. No speed yet (too little seen) is not still."""

    def __init__(self, exercise: Exercise) -> None:
        self._history: dict[str, deque[tuple[float, float]]] = {
            st.signal: deque() for p in exercise.phases for st in p.still
        }
        self._window = {st.signal: st.window_s for p in exercise.phases for st in p.still}
        self._share = exercise.tracking.settle_speed_share
        self._floor_share = exercise.tracking.floor_peak_share
        self._factor = exercise.tracking.noise_speed_factor
        self._block_s = exercise.tracking.baseline_window_s
        self._block: dict[str, list[tuple[float, float]]] = {n: [] for n in self._history}
        self._calm: dict[str, deque[float]] = {n: deque(maxlen=_NOISE_BLOCKS) for n in self._history}
        self._first_calm: dict[str, float | None] = dict.fromkeys(self._history)
        self._noise: dict[str, float | None] = dict.fromkeys(self._history)
        self._peak: dict[str, float] = dict.fromkeys(self._history, 0.0)
        self._start = exercise.reps.start_phase

    def remember(self, t: float, values: Signals) -> None:
        for name, hist in self._history.items():
            v = values.get(name)
            if v is None:
                hist.clear()
                continue
            hist.append((t, v))
            while len(hist) > 2 and hist[1][0] <= t - self._window[name]:
                hist.popleft()

    def learn(self, t: float, resting: bool, holding: bool) -> None:
        """Learn the person's speeds: their noise while `resting` (settled in the start
        position), their peak from leaving the start position until they hold."""
        for name in self._history:
            speed = self.speed(name)
            if resting:
                self._peak[name] = 0.0
            if speed is None or not resting:
                self._block[name].clear()
            if speed is None:
                continue
            if resting:
                self._rest_block(name, t, speed)
            elif not holding:
                self._peak[name] = max(self._peak[name], speed)

    def _rest_block(self, name: str, t: float, speed: float) -> None:
        block = self._block[name]
        block.append((t, speed))
        if t - block[0][0] < self._block_s * FULL_SHARE:
            return
        level = median(s for _, s in block)
        block.clear()
        first = self._first_calm[name]
        if first is None:
            self._first_calm[name] = level
        elif level > self._factor * max(first, 1e-9):
            return  # not resting as calmly as they can: a movement under the limit
        calm = self._calm[name]
        calm.append(level)
        self._noise[name] = median(calm)

    def limit(self, st: Still, *, settling: bool = False) -> float:
        """The speed under which this person counts as still for `st`. `settling` in the start
        position: without a share of their peak (a fast sit-down, or a landmark jumping as the
        model finds them, would let a trunk still moving pass as settled, and be measured as the
        start): the definition's limit or their own noise."""
        peak, noise = 0.0 if settling else self._peak[st.signal], self._noise[st.signal]
        if noise is None:  # their noise unknown: the definition's limit stands
            return max(st.max_speed, self._share * peak)
        floor = min(st.max_speed, self._floor_share * peak) if peak > 0 else st.max_speed
        return max(floor, self._share * peak, self._factor * noise)

    def speed(self, name: str) -> float | None:
        hist = self._history[name]
        if len(hist) < 2 or hist[-1][0] - hist[0][0] < self._window[name] / 2:
            return None
        (t0, v0), (t1, v1) = hist[0], hist[-1]
        return abs(v1 - v0) / (t1 - t0)

    def still(self, phase: Phase) -> bool:
        start = phase.id == self._start
        for st in phase.still:
            speed = self.speed(st.signal)
            if speed is None or speed > self.limit(st, settling=start):
                return False
        return True
