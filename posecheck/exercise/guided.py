"""The engine with a pacer, for an exercise whose movement the camera cannot see."""

from __future__ import annotations

from typing import Any

from posecheck.exercise.conditions import all_hold
from posecheck.exercise.definition import Exercise, Phase
from posecheck.exercise.engine import Engine
from posecheck.exercise.state import Event


class GuidedEngine(Engine):
    """The engine with a pacer: guided phases follow the coach's clock, not the picture.

    While the person holds the start position, the pacer walks the rep sequence: the
    start position for guided.rest_between_s, each guided phase for its hold time. The
    rest of the engine (holds, faults, reps, sides) runs unchanged on those phases, so a
    paced rep is counted exactly like a seen one, and marked guided.
    """

    def __init__(self, exercise: Exercise, **kw: Any) -> None:
        super().__init__(exercise, **kw)
        assert exercise.guided is not None
        self._step = 0
        self._step_since: float | None = None

    def _step_length(self, phase: Phase) -> float:
        if phase.guided:
            # a little over the hold, so the hold completes before the coach moves on
            return self.hold_target(phase) + 2 * self.tracking.debounce_s
        return self.ex.guided.rest_between_s  # type: ignore[union-attr]

    def _classify(self) -> Phase | None:
        if self.seeing:  # the picture shows the movement: recognise it, as a review does
            self._step, self._step_since = 0, None
            return super()._classify()
        start = self.ex.phase(self.start_phase)
        held = self.phase is not None and self.phase.id in {start.id} | {p.id for p in self.ex.phases if p.guided}
        in_position = all_hold(start.when, self.values, inside=held)
        t = self.t or 0.0
        if not in_position or not self.started:
            self._step, self._step_since = 0, None
            return start if in_position else None
        if self._step_since is None:
            self._step_since = t
        phase = self.ex.phase(self.steps[self._step][0])
        if t - self._step_since >= self._step_length(phase):
            self._step = (self._step + 1) % (len(self.steps) - 1)
            self._step_since = t
            phase = self.ex.phase(self.steps[self._step][0])
        return phase

    def _finish_rep(self, t: float, events: list[Event], complete: bool, cut: bool = False) -> None:
        if self.rep is not None:  # paced, unless seen at every moment of it
            self.rep.guided = not self._seen_throughout(self.rep)
        super()._finish_rep(t, events, complete, cut)

    def _guided_mode(self) -> str:
        mode = super()._guided_mode()
        return "paced" if mode == "unseen" else mode

    @property
    def next_cue_s(self) -> float | None:
        """Seconds until the coach moves on (for a countdown on screen and by voice)."""
        if self._step_since is None or self.t is None:
            return None
        phase = self.ex.phase(self.steps[self._step][0])
        return max(0.0, self._step_length(phase) - (self.t - self._step_since))
