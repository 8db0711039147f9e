"""The hold timer: how long a hold position has been held with good form, still.

It runs while the phase's target band holds, no reported fault is open and the body is
still; it credits the time the body had already settled when a run begins, and takes back
the time a movement had already been under way when it shows. A movement that comes back
(a nod, a shift of weight: it ends nearer to where the hold was than `return_share` of its
furthest reach, never out of the position nor faulted on the way) was part of the hold: its
time is given back when the body settles, or later, once the still body has drifted back
(a landmark that jumped and crept back). So is one that settles, still in the position,
between where the hold was and the start position (a shift back, a landmark that jumps and
stays: the way out would have gone on out), judged on the signals taken against the start.
One that goes on (the last of the way in, deeper; the first of the way out) is not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from statistics import median
from typing import NamedTuple

from posecheck.exercise.baseline import at_start
from posecheck.exercise.conditions import all_hold
from posecheck.exercise.definition import Exercise, Phase
from posecheck.exercise.state import Rep, Signals
from posecheck.exercise.stillness import Stillness


@dataclass
class Visit:
    """One stay in a hold phase during a rep."""

    phase: Phase
    side: str | None
    start: float
    end: float
    elapsed: float
    first_ok: float | None
    last_ok: float | None
    settled: float = 0.0  # time still in the position, faults or not

    @property
    def stayed(self) -> float:
        """How long the position itself was held: still, where the phase asks for stillness."""
        return self.settled if self.phase.still else self.end - self.start


class Lapsed(NamedTuple):
    """A hold visit left while timed for no position at all (the pose model losing it)."""

    visit: Visit
    at: float  # when it was left
    rep: Rep | None  # the rep it was held in


@dataclass
class Excursion:
    """A movement during a hold, followed to see whether it comes back."""

    since: float  # where it took the hold back to
    elapsed: float  # the hold's time then
    held: dict[str, float]  # the still-signals where the hold was (the run's medians)
    reach: dict[str, float] = field(default_factory=dict)  # furthest from there, of those that moved
    settled: float | None = None  # where the first still run after it began (not back yet then)

    def follow(self, values: Mapping[str, float | None], moved: set[str]) -> None:
        """How far the still-signals that moved have gone from where the hold was."""
        for name in moved & self.held.keys():
            if (v := values.get(name)) is not None:
                self.reach[name] = max(self.reach.get(name, 0.0), abs(v - self.held[name]))

    def returned(self, values: Mapping[str, float | None], share: float, start: Mapping[str, float]) -> bool:
        """It came back near where the hold was, or settled between there and the start position
        (a shift back within the position: the way out would have gone on out of it)."""

        def back(n: str, r: float) -> bool:
            v, held = values.get(n), self.held[n]
            if v is None:
                return False
            if abs(v - held) <= share * r:
                return True
            s = start.get(n)
            return s is not None and min(s, held) < v < max(s, held)

        return all(back(n, r) for n, r in self.reach.items())


class HoldTimer:
    """One hold phase visit at a time: `begin`, `update` each frame, `end`."""

    def __init__(
        self, stillness: Stillness, debounce: Callable[[Phase], float], filter_lag_s: float, exercise: Exercise
    ) -> None:
        self._stillness = stillness
        self._debounce = debounce
        self._filter_lag_s = filter_lag_s
        self._return_share = exercise.tracking.return_share
        # where the start position reads, for the signals taken against it
        self._start = {n: at_start(s.baseline) for n, s in exercise.signals.items() if s.baseline != "none"}
        self.visit_start: float | None = None
        self.begin(None)

    def begin(self, since: float | None) -> None:
        """A visit to a hold phase began at `since` (None: no visit)."""
        self.visit_start = since
        self.elapsed, self.done, self.ok = 0.0, False, False
        self.first_ok: float | None = None
        self.last_ok: float | None = None
        self._placed_since: float | None = None
        self._run_start: float | None = None
        self._settled, self._was_still = 0.0, False
        self._moving_since: float | None = None
        self._still_since: float | None = None
        self._last: tuple[float, float] | None = None  # the last update's time and still window
        self._target = 0.0
        self._run_values: list[tuple[float, dict[str, float]]] = []  # the still-signals through the run
        self._fast: set[str] = set()  # still-signals over their limit since the pending movement began
        self._excursion: Excursion | None = None

    def restart(self, since: float, t: float) -> None:
        """The visit is found to have begun at `since` and been held still until t (the first
        part of it was the start position of a set begun mid-position: exercise/midstart.py)."""
        self.begin(since)
        self.elapsed, self.ok, self._was_still = t - since, True, True
        self.first_ok, self.last_ok, self._run_start, self._still_since = since, t, since, since

    @property
    def running(self) -> bool:
        """The hold is being timed, no movement pending."""
        return self.visit_start is not None and self.ok and self._moving_since is None

    def carry_over(self, visit: Visit) -> None:
        """This visit, just begun, goes on from `visit` (another position of the same step the
        hold ran in until it began): its time runs on here, from where that one's began."""
        self.elapsed, self.ok, self._was_still = visit.elapsed, True, True
        self.first_ok = visit.first_ok
        self._run_start = self._still_since = self.visit_start

    def end(self, phase: Phase, side: str | None, t: float) -> Visit | None:
        """Close the visit at t; its record, or None when no visit was open."""
        if self.visit_start is None:
            return None
        if self.ok and self._moving_since is not None and self._last is not None:
            # left while a movement was still being confirmed: it was under way already
            self._take_back_movement(*self._last)
        visit = Visit(phase, side, self.visit_start, t, self.elapsed, self.first_ok, self.last_ok, self._settled)
        self.begin(None)
        return visit

    def update(self, t: float, prev_t: float | None, phase: Phase, clean: bool, values: Signals, target: float) -> bool:
        """Advance to t (`prev_t` None after a gap: the lost time is not credited; `clean`:
        no reported fault). True when the hold completes at this frame."""
        self._target = target
        placed = clean and all_hold(phase.hold_when, values, inside=self.ok)
        if not placed or prev_t is None:
            self._placed_since = None
            self._excursion = None  # out of the position, or faulted: not a movement within it
        if placed and self._placed_since is None:
            first = self.first_ok is None and prev_t is not None and self.visit_start is not None
            self._placed_since = self.visit_start if first and not phase.hold_when else t
        window = max((st.window_s for st in phase.still), default=0.0)
        still = self._stillness.still(phase)
        debounce = self._debounce(phase)
        # A hold pauses only for movement that lasts longer than the window its speed is
        # measured over: a burst of landmark noise (a held twist or a far camera jitters more
        # than the person did at rest) moves the speed for less than that. A real movement
        # lasts on, and then the time since it began is taken back below. A movement under
        # way ends only once the body has been still for a debounce time (a slow movement's
        # speed dips under the limit now and then).
        if still:
            self._still_since = t if self._still_since is None else self._still_since
            if self._moving_since is not None and t - self._still_since >= debounce:
                self._moving_since = None
        else:
            self._still_since = None
            if self.ok and self._moving_since is None:
                self._moving_since = t
        if self._moving_since is not None:
            still = t - self._moving_since < max(debounce, window)
        ok = placed and still
        self._follow_movement(phase, values)
        # time settled in the position, faults or not: what "rushing" is judged by
        if still and self._was_still and prev_t is not None:
            self._settled += t - prev_t
        self._was_still = still
        if ok and self.ok and prev_t is not None:
            self.elapsed += t - prev_t
            if self._excursion is not None and self._back_since_settled(t, window):
                # it settled off the hold first and came back while still (a landmark that jumped
                # and drifted back, a shift undone): all held, as when it comes back at once
                self._give_back(self._excursion, t)
        elif ok:
            # A run begins. Speed over the last window describes the middle of that window,
            # so the body settled about half a window ago; a phase is adopted after its
            # debounce, so it began then.
            since = self._placed_since if self._placed_since is not None else t
            credit = max(0.0, min(window / 2, t - since) if phase.still else t - since)
            self.elapsed += credit
            self._run_start = t - credit
            exc, self._run_values = self._excursion, []
            if exc is not None and exc.returned(values, self._return_share, self._start):
                # it came back (a pause at its turn, settled for a moment, is part of it): all held
                self._give_back(exc, t)
            elif exc is not None and exc.settled is None:
                exc.settled = self._run_start
            if self.first_ok is None:
                self.first_ok = self._run_start
        elif self.ok and self._moving_since is not None:
            # a movement under way (confirmed, or the position left while it was being confirmed)
            self._take_back_movement(t, window)
            if placed and self.last_ok is not None and self._excursion is None:
                self._excursion = self._excursion_from(self.last_ok)
        if ok:
            self.last_ok = t
        if ok or self._moving_since is not None:
            now = {st.signal: v for st in phase.still if (v := values.get(st.signal)) is not None}
            self._run_values.append((t, now))
        self.ok = ok
        self._last = (t, window)
        # not while a movement is under way: it may yet be taken back
        if not self.done and self._moving_since is None and self.elapsed >= target - 1e-9:
            self.done = True
            return True
        return False

    def _follow_movement(self, phase: Phase, values: Signals) -> None:
        """Which still-signals moved faster than still, and how far they have gone from the hold."""
        if self._moving_since is None and self._excursion is None:
            self._fast = set()
            return
        for st in phase.still:
            speed = self._stillness.speed(st.signal)
            if speed is not None and speed > self._stillness.limit(st):
                self._fast.add(st.signal)
        if self._excursion is not None:
            self._excursion.follow(values, self._fast)

    def _give_back(self, exc: Excursion, t: float) -> None:
        """The movement came back: everything since it began was held."""
        self.elapsed, self._run_start, self._excursion = exc.elapsed + t - exc.since, exc.since, None

    def _back_since_settled(self, t: float, window: float) -> bool:
        """Whether the pending movement, settled off the hold, has come back since: the still
        run's medians over its last window (not one frame: a swaying body passes the hold's
        place now and then) are back where the hold was."""
        exc, since = self._excursion, self._run_start
        # only in the run it settled into (not after another movement: a sway would pass the
        # hold's place in time), and not while a movement is pending (the way out passes it too)
        if exc is None or since is None or since != exc.settled or t - since < window or self._moving_since is not None:
            return False
        recent = [vals for ts, vals in self._run_values if ts >= t - window]
        medians = {n: median(v[n] for v in recent if n in v) for n in exc.reach if any(n in v for v in recent)}
        return len(medians) == len(exc.reach) and exc.returned(medians, self._return_share, self._start)

    def _excursion_from(self, since: float) -> Excursion | None:
        """A movement that took the hold back to `since`: where the hold was before it (the run's
        medians) and how far the signals that moved have gone since."""
        before = [vals for t, vals in self._run_values if t <= since] or [vals for _, vals in self._run_values[:1]]
        if not before:
            return None
        held = {n: median(v[n] for v in before if n in v) for n in before[0]}
        exc = Excursion(since, self.elapsed, held)
        for t, vals in self._run_values:
            if t > since:
                exc.follow(vals, self._fast)
        return exc

    def _take_back_movement(self, t: float, window: float) -> None:
        """The movement pending since _moving_since was not held still. Movement shows in the
        speed over a window: it began about half a window before, and a slow start shows in the
        smoothed landmarks one filter time-constant late. (A completed hold stays completed.)"""
        if self._run_start is None or self._moving_since is None:
            return
        back = min(t - self._moving_since + window / 2 + self._filter_lag_s, t - self._run_start)
        self.elapsed = max(0.0, self.elapsed - back)
        if self.done:
            self.elapsed = max(self.elapsed, self._target)
        self.last_ok = t - back

    def uncredit(self, since: float, t: float) -> None:
        """A fault reported at t began at `since`: the time credited since then was not good
        form (the fault was not reported yet, so the timer ran)."""
        if self.visit_start is None or self.done or self._run_start is None:
            return
        last = self.last_ok if self.last_ok is not None else t
        back = max(0.0, last - max(since, self._run_start))
        if back > 0:
            self.elapsed = max(0.0, self.elapsed - back)
            self.last_ok = max(since, self._run_start)
