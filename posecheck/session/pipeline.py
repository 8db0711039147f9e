"""One person through one exercise: detection -> followed pose -> smoothed pose -> signals -> engine.

Shared by `review` (a recorded video) and `live` (a camera); both feed it detections
with timestamps and get back what to draw and what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from posecheck.exercise.definition import Exercise
from posecheck.exercise.describe import deciding_signals, words
from posecheck.exercise.engine import Engine
from posecheck.exercise.guided import GuidedEngine
from posecheck.exercise.signals import SignalReader
from posecheck.exercise.state import EngineState, Event
from posecheck.exercise.view import View
from posecheck.pose.follow import Follower, PoseSmoother
from posecheck.pose.types import Detection, Pose
from posecheck.session.peaks import FaultPeaks
from posecheck.session.place import PersonPlace

# Hears what happened after every frame, and once more with the events of the end: the
# history's recorder, for one. Review and live call the same listeners.
Listener = Callable[[Exercise, list[Event], EngineState], None]


@dataclass
class Step:
    """What one frame produced."""

    view: View
    events: list[Event]
    people: int
    raw_pose: Pose | None = None


@dataclass
class Pipeline:
    TIMELINE_STEP_S = 0.1

    exercise: Exercise
    hold_s: float | None = None
    target: int | None = None
    # Live coaching paces the phases the camera cannot see; a review never does.
    guided: bool = False
    frames: int = 0
    frames_with_pose: int = 0
    events: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.follower = Follower()
        self.smoother = PoseSmoother(self.exercise)
        self.reader = SignalReader(self.exercise)
        engine_type = GuidedEngine if self.guided and self.exercise.guided is not None else Engine
        self.engine = engine_type(self.exercise, hold_s=self.hold_s, target=self.target)
        self.last_t: float | None = None
        # the key signal and phase over time, for reports and plots (a few samples a second)
        self.timeline: list[tuple[float, float | None, str | None, bool]] = []
        # ...and every signal that decides a position or a fault, at the same moments
        self.deciding = deciding_signals(self.exercise)
        self.deciding_values: list[tuple[float | None, ...]] = []
        self._next_sample_s = 0.0
        self.peaks = FaultPeaks(self.exercise)
        self.new_views_s: list[float] = []  # where the recording changed camera (session/views.py)
        # what the setup checks said once counting: [from_s, to_s, words] (a roll the camera cannot read)
        self.told: list[list[Any]] = []
        self._telling = False
        self.place = PersonPlace()

    def step(self, t_s: float, detection: Detection, new_view: bool = False) -> Step:
        self.frames += 1
        self.last_t = t_s
        cut: list[Event] = []
        raw = self.follower.pick(t_s, detection)
        # the picture changed and the person did not (filmed close, their own movement): no cut
        new_view = new_view and not self.place.explains(t_s, raw)
        self.place.remember(t_s, raw)
        if new_view:  # another camera: nothing measured from the last one carries over
            self.new_views_s.append(t_s)
            self.smoother = PoseSmoother(self.exercise)
            self.reader = SignalReader(self.exercise)
            cut = self.engine.new_view(t_s)
        pose = None
        if raw is not None:
            self.frames_with_pose += 1
            pose = self.smoother(t_s, raw)
        state, events = self.engine.update(t_s, self.reader.read(t_s, pose))
        if state.started:
            self.reader.start_taken()
        events = cut + events
        self.events.extend(events)
        if t_s >= self._next_sample_s:
            self._next_sample_s = t_s + self.TIMELINE_STEP_S
            key = state.values.get(self.exercise.key_signal) if state.tracking else None
            self.timeline.append((t_s, key, state.phase, state.holding))
            values = state.values if state.tracking else {}
            self.deciding_values.append(tuple(values.get(s) for s in self.deciding))
        telling = state.started and bool(state.setup_message) and state.instruction == state.setup_message
        if telling and self._telling and self.told[-1][2] == state.setup_message:
            self.told[-1][1] = round(t_s, 2)
        elif telling:
            self.told.append([round(t_s, 2), round(t_s, 2), state.setup_message])
        self._telling = telling
        self.peaks.update(
            t_s, self.engine.fault_spans, state.values, pose if state.tracking else None, self.reader.near.side
        )
        view = View(pose=pose, state=state, exercise=self.exercise, near=self.reader.near.side)
        return Step(view=view, events=events, people=2 if self.follower.crowded else len(detection.poses), raw_pose=raw)

    def finish(self, *, by_user: bool = False) -> list[Event]:
        events = self.engine.finish(self.last_t, by_user=by_user)
        self.events.extend(events)
        return events

    def timeline_dict(self) -> dict[str, Any]:
        return {
            "signal": self.exercise.key_signal,
            "unit": self.exercise.signals[self.exercise.key_signal].unit,
            "t_s": [round(t, 3) for t, _, _, _ in self.timeline],
            "values": [None if v is None else round(v, 3) for _, v, _, _ in self.timeline],
            "phase": [p for _, _, p, _ in self.timeline],
            "holding": [h for _, _, _, h in self.timeline],
            **words(self.exercise),
            "values_of": {
                s: [None if (v := row[i]) is None else round(v, 3) for row in self.deciding_values]
                for i, s in enumerate(self.deciding)
            },
        }

    def setup_dict(self) -> dict[str, Any]:
        """The report's setup: whether the start position was reached, the check failing at the
        end, and what the checks said once counting, when."""
        return {"ok": self.engine.started, "last_message": self.engine.setup.message, "told": self.told}

    @property
    def state(self) -> EngineState:
        return self.engine.state()
