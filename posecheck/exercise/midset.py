"""The engine's part in a set begun in one of its middle positions (exercise/midstart.py
judges the levels; this moves the start position, or credits its stays, and the rep under
way accordingly)."""

from __future__ import annotations

from posecheck.exercise.baseline import Baselines
from posecheck.exercise.definition import Phase
from posecheck.exercise.hold import HoldTimer, Visit
from posecheck.exercise.midstart import MidStart
from posecheck.exercise.state import Event, Rep, Signals
from posecheck.exercise.stillness import Stillness


class MidSet:
    """Mixed into the Engine, whose state it reads and moves."""

    rep: Rep | None
    phase: Phase | None
    phase_since: float | None
    hold: HoldTimer
    _stillness: Stillness
    _baselines: Baselines
    _mid: MidStart | None
    _visits: list[Visit]
    _visited: set[str]
    _start_is: Phase | None  # the start position is this middle position (a set begun there)

    def _finish_rep(self, t: float, events: list[Event], complete: bool, cut: bool = False) -> None:
        raise NotImplementedError

    def _begin_rep(self, phase: Phase, t: float, start: float | None = None) -> None:
        raise NotImplementedError

    @property
    def reps_counted(self) -> int:
        raise NotImplementedError

    def _begun_mid(self, t: float, raw: Signals) -> None:
        """Before the first rep counts, a set begun mid-position (exercise/midstart.py): the
        start position is taken where the person first held still; the rep, from there."""
        assert self._mid is not None
        self._mid.see(t, self.phase)
        if self.rep is None or self.reps_counted:
            return self._mid.reset()
        still = self.phase is not None and bool(self.phase.still) and self._stillness.still(self.phase)
        start = self._mid.update(t, self.phase, still, raw, self._baselines.start)
        if start is not None and self.phase is not None:  # (a middle position: MidStart found it there)
            self._baselines.take(t, start)
            self.rep.start_s = self._mid.left_at if self._mid.left_at is not None else self.rep.start_s
            self._visits = list(self._mid.credits)
            self._visited = {v.phase.id for v in self._visits} | {self.phase.id}
            if self.phase.hold:  # held since the run at the further level began
                self.hold.restart(self._mid.run_start, t)
            self._mid.reset()

    def _one_sided(self, t: float, events: list[Event], again: bool = False) -> None:
        """The first rep went to one middle position and back, then there `again` and back, or
        the set ended: the set may have begun in the other middle position
        (exercise/midstart.py). Then the rep ends where the next began."""
        if self._mid is None or self.rep is None or self.reps_counted or len(self._visited) != 1:
            return
        found = self._mid.one_sided(self._baselines.start)
        if found is None:
            return
        later = [v for v in self._visits if v.start > found[-1].start]
        if not later and (again or not self._mid.plainly(self._baselines.start, found[0].phase)):
            return
        self._start_is = found[0].phase
        self._visits = [v for v in self._visits if v not in later] + found
        self._visited.add(found[0].phase.id)
        self.rep.start_s = min(self.rep.start_s, found[0].start)
        if later:
            self._finish_rep(later[0].start, events, complete=True)
            self._begin_rep(later[0].phase, later[0].start, start=later[0].start)
            self._visits = later

    def _credit_start(self, t: float) -> None:
        """A stay in the start position, left at t, is a visit to the middle position the set began in."""
        since = self.phase_since if self.phase_since is not None else t
        if self._start_is is not None and self.rep is not None:
            self._visits.append(Visit(self._start_is, None, since, t, t - since, since, t, t - since))
            self._visited.add(self._start_is.id)
