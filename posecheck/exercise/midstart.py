"""A set begun in one of its middle positions: cat-cow started in cow (or in cat).

The start position is measured where the person first settles, so a person who begins in
cow has cow as their reference: the flat back they then move to reads as a cat, the cat
as a deeper one, and their cow as the start position again. Nothing would ever count.

What gives it away is a rep in which the person holds still at two levels of the same
position: first at one level (the flat back, read as cat), then further on the same side
(the cat). When, measured against the first level, the second is still that position and
the start position taken is another middle position (cow), the first level was the start
position and the set began mid-position. That is judged with the definition's own phase
conditions, so no new bound about bodies is needed; and only before the first rep counts
(`[reps] begins_mid`), since a set begins once. The rep under way is then taken from where
the person left the first level, with the other position held meanwhile (a person who
began in cat went back to that cat, read then as the start position) credited to it.

A set may also never show the flat back: a person who begins in cat goes to cow and back to
that cat (a demonstration loops so), or begins in a slight cow and only rounds up into cats.
The first rep then visits one middle position only and comes back to the start position.
When the person goes to that same position again, or the set ends, with nothing else seen,
the two levels are judged about their midpoint, the middle of the person's own range: when,
taken against it, the start position reads as the other middle position and the level
reached as the one visited, the start position was that other position: the start position
keeps its reference, and its stays are that other position's visits. A single cycle also
needs the start position to read as that position by itself (`plainly`). A person who only
ever rounds up from a flat back, twice, is credited so too; the camera cannot tell that from
a set begun in a slight cow, and no fault is named on a guess.
"""

from __future__ import annotations

from statistics import median

from posecheck.exercise.baseline import against
from posecheck.exercise.conditions import all_hold
from posecheck.exercise.definition import Exercise, Phase
from posecheck.exercise.hold import Visit
from posecheck.exercise.state import Signals


class MidStart:
    """`update` each frame of a rep with the raw signals; returns the start position's
    values (raw) when the held levels show that the set began mid-position."""

    def __init__(self, exercise: Exercise) -> None:
        # A first level is held as long as a start position takes to be measured (a pause on
        # the way into a cat is shorter); a further one, as long as a return to it takes.
        self.first_s = exercise.tracking.baseline_window_s
        self.window_s = exercise.tracking.baseline_window_s / 2
        self._baselined = {n: s.baseline for n, s in exercise.signals.items() if s.baseline != "none"}
        self._start = exercise.phase(exercise.reps.start_phase)
        self._middle = [p for p in exercise.phases if p.id in exercise.reps.middle]
        self._stays: list[tuple[float, float]] = []  # in the start position: the one before the rep, and since
        self._stay: tuple[float, float] | None = None  # the one under way
        self.reset()

    def reset(self) -> None:
        """A rep ended (or none is under way): levels are judged within one rep."""
        self._run: list[tuple[float, Signals]] = []
        self._run_phase: Phase | None = None
        self._first: tuple[Phase, Signals] | None = None
        self.left_at: float | None = None  # the last frame at the first level before leaving it
        self._gone = False
        self.run_start = 0.0  # when the hold at the further level began (once found)
        self.credits: list[Visit] = []  # the other middle positions held since, against the first level
        self._in: dict[str, list[Signals]] = {}  # raw frames in each middle position, this rep
        self._in_since: float | None = None
        self._stays = self._stays[-1:]

    def see(self, t: float, phase: Phase | None) -> None:
        """Every frame, a rep under way or not: the stays in the start position."""
        if phase is self._start:
            self._stay = (t if self._stay is None else self._stay[0], t)
        elif self._stay is not None:
            self._stays, self._stay = [*self._stays, self._stay], None

    def one_sided(self, start: Signals) -> list[Visit] | None:
        """The rep went to one middle position only and came back to the start position: the
        stays in the start position as visits to another middle position, when about the
        midpoint of the two levels the start reads as that position and the level reached as
        the one visited (by the definition's own conditions)."""
        stays = self._stays + ([self._stay] if self._stay is not None else [])
        if len(self._in) != 1 or self._in_since is None or not any(a > self._in_since for a, _ in stays):
            return None
        ((went, frames),) = self._in.items()
        level = self._median(frames)
        mid: Signals = {}
        for n in self._baselined:
            a, b = start.get(n), level.get(n)
            mid[n] = None if a is None or b is None else (a + b) / 2
        other, reached = self._reads(start, mid), self._reads(level, mid)
        if other is None or other.id == went or reached is None or reached.id != went:
            return None
        return [Visit(other, None, a, b, b - a, a, b, b - a) for a, b in stays]

    def plainly(self, start: Signals, phase: Phase) -> bool:
        """Whether the start position reads as `phase` by itself (signals that subtract their
        start position, taken from zero): a single cycle is not enough to take the start for
        the other middle position, a flat back with one cat and back would be credited so."""
        zero: Signals = {n: 0.0 for n, mode in self._baselined.items() if mode == "subtract"}
        return self._reads(start, zero) is phase

    def update(self, t: float, phase: Phase | None, still: bool, raw: Signals, start: Signals) -> Signals | None:
        """`phase`: the engine's now, `still` in it; `start`: the start position's raw values."""
        if phase in self._middle:
            self._in.setdefault(phase.id, []).append(raw)
            self._in_since = t if self._in_since is None else self._in_since
        if self._first is not None and not self._gone:
            if all_hold(self._start.when, self._against(raw, self._first[1]), inside=True):
                self.left_at = t
            self._gone = self._reads(raw, self._first[1]) is not None
        held = phase if still else None
        if held is not self._run_phase:
            self._end_run()
            self._run_phase = held
        if held is None:
            return None
        self._run.append((t, raw))
        span = self._run[-1][0] - self._run[0][0]
        if span < (self.window_s if self._first is not None else self.first_s):
            return None
        level = self._level()
        if self._first is None:
            if held in self._middle:
                self._first, self.left_at = (held, level), t
            return None
        first_phase, first = self._first
        if held is first_phase and self._reads(level, first) is first_phase:
            began = self._reads(start, first)
            if began is not None and began is not first_phase:
                self.run_start = self._run[0][0]
                return first
        return None

    def _end_run(self) -> None:
        run, self._run = self._run, []
        if self._first is None or not run or run[-1][0] - run[0][0] < self.window_s:
            return
        reads = self._reads(self._level(run), self._first[1])
        if reads is not None and reads is not self._first[0]:
            t0, t1 = run[0][0], run[-1][0]
            self.credits.append(Visit(reads, None, t0, t1, t1 - t0, t0, t1, t1 - t0))

    def _reads(self, values: Signals, ref: Signals) -> Phase | None:
        """The middle position `values` is in, taken against `ref` as the start position."""
        rel = self._against(values, ref)
        return next((p for p in self._middle if all_hold(p.when, rel, inside=False)), None)

    def _level(self, run: list[tuple[float, Signals]] | None = None) -> Signals:
        return self._median([raw for _, raw in (self._run if run is None else run)])

    def _median(self, frames: list[Signals]) -> Signals:
        out: Signals = {}
        for n in self._baselined:
            xs = [v for raw in frames if (v := raw.get(n)) is not None]
            out[n] = median(xs) if xs else None
        return out

    def _against(self, values: Signals, ref: Signals) -> Signals:
        """`values` taken against `ref` as the baselines take signals against the start position."""
        out: Signals = {}
        for n, mode in self._baselined.items():
            v, r = values.get(n), ref.get(n)
            out[n] = None if v is None or r is None else against(mode, v, r)
        return out
