"""The hold timer: how long a hold position has been held with good form, still.

It runs while the phase's target band holds, no reported fault is open and the body is
still; it credits the time the body had already settled when a run begins, and takes back
the time a movement had already been under way when it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from posecheck.exercise.definition import Phase, all_hold
from posecheck.exercise.state import Signals
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


class HoldTimer:
    """One hold phase visit at a time: `begin`, `update` each frame, `end`."""

    def __init__(self, stillness: Stillness, debounce: Callable[[Phase], float], filter_lag_s: float) -> None:
        self._stillness = stillness
        self._debounce = debounce
        self._filter_lag_s = filter_lag_s
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
        # time settled in the position, faults or not: what "rushing" is judged by
        if still and self._was_still and prev_t is not None:
            self._settled += t - prev_t
        self._was_still = still
        if ok and self.ok and prev_t is not None:
            self.elapsed += t - prev_t
        elif ok:
            # A run begins. Speed over the last window describes the middle of that window,
            # so the body settled about half a window ago; a phase is adopted after its
            # debounce, so it began then.
            since = self._placed_since if self._placed_since is not None else t
            credit = max(0.0, min(window / 2, t - since) if phase.still else t - since)
            self.elapsed += credit
            self._run_start = t - credit
            if self.first_ok is None:
                self.first_ok = self._run_start
        elif self.ok and self._moving_since is not None:
            # a movement under way (confirmed, or the position left while it was being confirmed)
            self._take_back_movement(t, window)
        if ok:
            self.last_ok = t
        self.ok = ok
        self._last = (t, window)
        # not while a movement is under way: it may yet be taken back
        if not self.done and self._moving_since is None and self.elapsed >= target - 1e-9:
            self.done = True
            return True
        return False

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
