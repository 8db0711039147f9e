"""A return part of the way: a set done without resting in the start position between reps.

Some people lower only most of the way between bridges (a dumbbell on the hips keeps them
off the floor): the hips come back down, turn and rise again, but never reach the start
position's band, so the rep never ends and the set reads as one long rep. A hold position
may name a signal taken against the start position (`[[phases]] back_when`): once the rep
has risen in it, the person is back in the start position when the signal has come down to
`max_peak_share` of the rep's own peak and stops falling there, and stays back until it
rises past `exit_max_peak_share` of that peak again (the person's own range, not a bound
about bodies). A return all the way keeps falling into the start position's band and ends
there, as before. Nothing is measured part of the way: the start position and the person's
stillness are taken only where the start position's own conditions hold.
"""

from __future__ import annotations

from posecheck.exercise.conditions import all_hold
from posecheck.exercise.definition import BackWhen, Exercise, Phase
from posecheck.exercise.state import Signals


class PartWay:
    """`back` each frame: whether the person is back in the start position part of the way."""

    def __init__(self, exercise: Exercise) -> None:
        self._start = exercise.phase(exercise.reps.start_phase)
        self._peak = 0.0  # the rep's own peak in the hold position under way
        self._low_peak: float | None = None  # back part of the way: the peak they came down from
        self._rule: BackWhen | None = None  # ...by this position's rule
        self._lowest: float | None = None  # the lowest since the signal came down that far

    @property
    def low(self) -> bool:
        """Back part of the way now."""
        return self._low_peak is not None

    def back(self, phase: Phase | None, in_rep: bool, values: Signals) -> bool:
        """`phase`: the engine's position now; True while the person is back part of the way
        (not in the start position's own band: there they simply are back)."""
        if all_hold(self._start.when, values, inside=phase is self._start):
            self._reset()
            return False
        if self._low_peak is not None and self._rule is not None:
            v = values.get(self._rule.signal)
            if v is None or v > self._rule.exit_max_peak_share * self._low_peak:
                self._reset()
                return False
            return True
        rule = phase.back_when if phase is not None and phase.hold and in_rep else None
        if rule is None:
            self._peak, self._lowest = 0.0, None
            return False
        v = values.get(rule.signal)
        if v is None:
            return False
        self._peak = max(self._peak, v)
        if self._peak <= 0 or v > rule.max_peak_share * self._peak:
            self._lowest = None
            return False
        # down that far: back once the way down stops short of the start position's band (a
        # return all the way ends there, when it always did)
        if self._lowest is None or v <= self._lowest:
            self._lowest = v
            return False
        self._rule, self._low_peak = rule, self._peak
        return True

    def _reset(self) -> None:
        self._peak, self._low_peak, self._rule, self._lowest = 0.0, None, None, None
