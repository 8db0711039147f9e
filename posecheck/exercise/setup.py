"""The setup checks: whether the person is placed as the exercise starts (lying with the
knees bent, on hands and knees, on a chair), what to tell them when not, and whether they
have settled back into the start position after leaving it for a while.

Once the checks have failed for `tracking.setup_recheck_s` (the person sat up, stood, knelt
up), a rep begins only after they have been settled in the start position again for half a
baseline window: the time the start position takes to be measured. Lying back for a moment
between sit-ups is no start position: the knees, a little lower than before, read as a roll.
A check with `said_after_s` is only said, once it has failed that long: what the camera
cannot read (knees that cross in the picture without sinking), not a pose to leave. A rep
begins through it, and a movement passing through it is not told.
"""

from __future__ import annotations

from posecheck.exercise.conditions import all_hold
from posecheck.exercise.definition import Exercise, SetupCheck
from posecheck.exercise.state import Signals


class SetupWatch:
    """`update` each frame (not mid-rep: the body leaves the setup's bands by design)."""

    def __init__(self, exercise: Exercise) -> None:
        self._checks = exercise.setup
        self._tracking = exercise.tracking
        self.ok, self.message = False, ""
        self._failing: SetupCheck | None = None
        self.begins = True  # the checks marked `begins_reps` pass: a rep may begin
        self.ok_since: float | None = None
        self.failed_since: float | None = None  # since when the failing check has failed
        self.away = False  # left the start posture for a while: no rep until settled back
        self._start_when = exercise.phase(exercise.reps.start_phase).when
        self._failed_in_start = False  # the failing check began to fail clearly in the start position
        self._back_since: float | None = None
        self._unsettled_since: float | None = None

    def update(self, t: float, values: Signals) -> bool:
        """Run the checks at t; True when the result or its message changed."""
        self._failing = failing = next((c for c in self._checks if not all_hold(c.when, values, inside=self.ok)), None)
        message = failing.message if failing is not None else ""
        self.begins = all(all_hold(c.when, values, inside=self.begins) for c in self._checks if c.begins_reps)
        ok = failing is None
        if ok and not self.ok:
            self.ok_since, self.failed_since = t, None
        elif failing is not None:
            self.ok_since = None
            if self.failed_since is None or message != self.message:
                self.failed_since = t
                self._failed_in_start = not self._said_only and all_hold(self._start_when, values, inside=False)
            elif self._failing_long(t) and not self._said_only:
                self.away = True
        changed = ok != self.ok or message != self.message
        self.ok, self.message = ok, message
        return changed

    def rep_began(self) -> None:
        """A rep began through a check that is only said (the movement crossed it on its way):
        after the rep, its failing time starts again."""
        if self._said_only:
            self.failed_since = None

    def settled_for(self, t: float) -> bool:
        """Whether the checks have passed for a debounce time at t."""
        return self.ok and self.ok_since is not None and t - self.ok_since >= self._tracking.debounce_s

    def back(self, t: float, settled: bool) -> None:
        """Follow the return to the start position while `away` (`settled`: in it and still at t)."""
        if not self.away:
            return
        if settled:
            self._unsettled_since = None
            self._back_since = t if self._back_since is None else self._back_since
        else:  # a flicker shorter than the debounce time (a landmark's jump) is no leaving
            self._unsettled_since = t if self._unsettled_since is None else self._unsettled_since
            if t - self._unsettled_since >= self._tracking.debounce_s:
                self._back_since = None
        if settled and self._back_since is not None and t - self._back_since >= self._tracking.baseline_window_s / 2:
            self.away, self._back_since = False, None

    def left_unset(self, left_at: float | None) -> bool:
        """Whether the check failing now began to fail while the person was still clearly in
        the start position (within its entry bounds), before they left it at `left_at`: they
        left a pose that was no start position (the first moment of a sit-up reads as knees
        rolling), so no rep begins from it. A check the movement itself breaks on its way out
        (a twist turning the shoulders before the start position's exit band is passed) does
        not hold the rep back."""
        failed = self.failed_since
        return (
            not self.ok and self._failed_in_start and failed is not None and left_at is not None and failed <= left_at
        )

    def told(self, t: float | None, started: bool) -> bool:
        """Whether a failing check is the instruction: before the start, or failing `setup_recheck_s`
        after (a check only said: once failing its own `said_after_s`, before the start too)."""
        return (not started and not self._said_only) or (t is not None and self._failing_long(t))

    @property
    def _said_only(self) -> bool:
        return self._failing is not None and self._failing.said_after_s is not None

    def _failing_long(self, t: float) -> bool:
        """Whether the failing check has failed `setup_recheck_s` (or its own `said_after_s`) at t."""
        after = self._failing.said_after_s if self._failing is not None else None
        return self.failed_since is not None and t - self.failed_since >= (after or self._tracking.setup_recheck_s)
