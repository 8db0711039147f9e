"""The session's course: which exercise, counting or resting, paused or not.

A routine is the seven exercises in the page's order, each with its own target, a short
rest between them while the next one's camera setup is shown. A single exercise is a
routine of one. Pure, like the engine: the caller gives timestamps (seconds) and keys;
`Routine` keeps one `Pipeline` per set and says what the screen is in.

Keys: space pauses (or starts now, on the start card), n goes to the next exercise,
r redoes the set (during a rest: the one just done), q ends the session; every set so
far is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from posecheck.errors import DefinitionError
from posecheck.exercise.definition import Exercise, exercise_files, load
from posecheck.exercise.state import EngineState, Event
from posecheck.pose.types import Detection
from posecheck.session.pipeline import Pipeline, Step

# The page's order (docs/exercises.md): ids are fixed.
ROUTINE_IDS = (
    "knee_to_chest",
    "lower_back_rotation",
    "pelvic_tilt",
    "bridge",
    "cat_cow",
    "seated_rotation",
    "shoulder_blade_squeeze",
)
INTRO_S = 8.0  # the start card, unless space is pressed or the start position is seen
REST_S = 20.0  # between exercises (a session setting: --rest)
SET_DONE_PAUSE_S = 2.0  # "that's the set" stays up this long before the rest


@dataclass(frozen=True)
class Item:
    exercise: Exercise
    hold_s: float | None = None
    target: int | None = None


def routine_items(
    *, hold_s: float | None = None, target: int | None = None, folder: Path | None = None
) -> tuple[list[Item], list[str]]:
    """The routine's exercises that have definitions, in the page's order, and the ids that do not yet."""
    files = exercise_files(folder)
    items = [Item(load(i, folder), hold_s, target) for i in ROUTINE_IDS if i in files]
    missing = [i for i in ROUTINE_IDS if i not in files]
    if not items:
        raise DefinitionError(f"no exercise of the routine has a definition (looked for {', '.join(ROUTINE_IDS)})")
    return items, missing


@dataclass
class SetRecord:
    """One set: an exercise from the moment counting could begin until it ended."""

    item: Item
    pipeline: Pipeline
    start_s: float
    end_s: float | None = None
    # done: the target was met; stopped: ended early (n, q, the end of the video);
    # redone: replaced by a fresh set of the same exercise (r); camera_lost
    outcome: str = ""
    finish_events: list[Event] = field(default_factory=list)

    @property
    def exercise(self) -> Exercise:
        return self.item.exercise

    @property
    def state(self) -> EngineState:
        return self.pipeline.state


class Routine:
    """Where the session is. Modes: start, count, rest, done; `paused` on top of them."""

    def __init__(
        self, items: list[Item], *, intro_s: float = INTRO_S, rest_s: float = REST_S, single: bool | None = None
    ) -> None:
        if not items:
            raise ValueError("a routine needs at least one exercise")
        self.items = items
        self.intro_s = intro_s
        self.rest_s = rest_s
        self.single = len(items) == 1 if single is None else single
        self.index = 0
        self.mode = "start" if intro_s > 0 else "count"
        self.paused = False
        self.sets: list[SetRecord] = []
        self._finished: list[SetRecord] = []
        self._mode_since: float | None = None
        self._pause_since: float | None = None
        self._paused_total = 0.0
        self._last_t: float | None = None
        self._set_done_at: float | None = None
        self.current: SetRecord | None = None

    # --- what the screen and the loop need ---------------------------------------------

    @property
    def item(self) -> Item:
        return self.items[min(self.index, len(self.items) - 1)]

    @property
    def exercise(self) -> Exercise:
        return self.item.exercise

    @property
    def next_item(self) -> Item | None:
        return self.items[self.index + 1] if self.index + 1 < len(self.items) else None

    @property
    def wants_pose(self) -> bool:
        """Whether this frame goes through the pose model (not while resting or paused)."""
        return self.mode in ("start", "count") and not self.paused

    def seconds_left(self, t_s: float) -> float | None:
        since = self._mode_since if self._mode_since is not None else t_s
        if self.mode == "start":
            return max(0.0, self.intro_s - (t_s - since))
        if self.mode == "rest":
            return max(0.0, self.rest_s - (t_s - since))
        return None

    def engine_time(self, t_s: float) -> float:
        """Session time without the paused spans: a hold never runs through a pause."""
        return t_s - self._paused_total

    def pop_finished(self) -> list[SetRecord]:
        """Sets that ended since the last call (their finish events are in finish_events)."""
        out, self._finished = self._finished, []
        return out

    # --- driving it ---------------------------------------------------------------------

    def tick(self, t_s: float) -> None:
        """Time passes (every frame, processed or not): timed changes of mode."""
        if self._mode_since is None:
            self._mode_since = t_s
        if self.paused:
            return
        self._last_t = t_s
        if self.mode == "start" and t_s - self._mode_since >= self.intro_s:
            self._set_mode("count", t_s)
        elif self.mode == "rest" and t_s - self._mode_since >= self.rest_s:
            self.index += 1
            self._set_mode("count", t_s)
        elif self.mode == "count" and self._set_done_at is not None and t_s - self._set_done_at >= SET_DONE_PAUSE_S:
            self._end_set(t_s, "done")
            self._after_set(t_s)

    def step(self, t_s: float, detection: Detection) -> Step:
        """A frame through the current set's pipeline (only when `wants_pose`)."""
        self.tick(t_s)
        rec = self._ensure_set(t_s)
        step = rec.pipeline.step(self.engine_time(t_s), detection)
        if self.mode == "start" and step.view.state.started:
            self._set_mode("count", t_s)  # the start position is seen: no need to wait
        if any(e.kind == "set_complete" for e in step.events) and not self.single:
            self._set_done_at = t_s
        return step

    def key(self, key: str, t_s: float) -> None:
        """space, n, r, q (see the module's docstring)."""
        if self.mode == "done":
            return
        if key == " ":
            if self.mode == "start" and not self.paused:
                self._set_mode("count", t_s)
            elif self.paused:
                self._resume(t_s)
            else:
                self.paused, self._pause_since = True, self._last_t if self._last_t is not None else t_s
                if self.current is not None:  # a rep paused and not finished is no failed attempt
                    self.current.pipeline.engine.pause()
        elif key == "q":
            self.stop(t_s, by_user=True)
        elif key == "n":
            self._resume(t_s)
            if self.mode == "rest":
                self.index += 1
                self._set_mode("count", t_s)
            else:
                self._end_set(t_s, "stopped", by_user=True)
                self._after_set(t_s)
        elif key == "r":
            self._resume(t_s)
            if self.mode == "rest":
                self._set_mode("count", t_s)  # the set just done, again
            elif self.current is not None:
                self._end_set(t_s, "redone", by_user=True)
                self._set_mode("count", t_s)

    def stop(self, t_s: float, outcome: str = "stopped", *, by_user: bool = False) -> None:
        """The end of the session: by q (`by_user`: a rep in progress that does not count is
        then no failed attempt), by the end of the video, or the camera gone."""
        self._resume(t_s)
        self._end_set(t_s, outcome, by_user=by_user)
        self._set_mode("done", t_s)

    def camera_lost(self, t_s: float) -> Step | None:
        """The camera stopped delivering: the engine loses the person (a hold does not run on)."""
        if self.current is None or self.mode != "count" or self.paused:
            return None
        pipeline = self.current.pipeline
        # past the engine's grace time for a brief loss, whatever the clocks say
        t = max(self.engine_time(t_s), (pipeline.last_t or 0.0) + self.exercise.hold.dropout_grace_s + 1e-3)
        return pipeline.step(t, Detection(poses=()))

    # --- internals ----------------------------------------------------------------------

    def _set_mode(self, mode: str, t_s: float) -> None:
        self.mode, self._mode_since = mode, t_s
        self._set_done_at = None

    def _resume(self, t_s: float) -> None:
        if self.paused:
            last = self._pause_since if self._pause_since is not None else t_s
            # the paused span, less one frame so that engine time still moves on
            self._paused_total += max(0.0, t_s - last - 1 / 30)
            self.paused, self._pause_since = False, None

    def _ensure_set(self, t_s: float) -> SetRecord:
        if self.current is None:
            item = self.item
            pipeline = Pipeline(item.exercise, hold_s=item.hold_s, target=item.target, guided=True)
            self.current = SetRecord(item, pipeline, start_s=self.engine_time(t_s))
            self.sets.append(self.current)
        return self.current

    def _end_set(self, t_s: float, outcome: str, *, by_user: bool = False) -> None:
        rec = self.current
        if rec is None:
            return
        rec.finish_events = rec.pipeline.finish(by_user=by_user)
        rec.end_s = rec.pipeline.last_t if rec.pipeline.last_t is not None else self.engine_time(t_s)
        rec.outcome = "done" if outcome != "redone" and rec.state.set_complete else outcome
        self.current = None
        self._finished.append(rec)

    def _after_set(self, t_s: float) -> None:
        if self.next_item is None:
            self._set_mode("done", t_s)
        else:
            self._set_mode("rest", t_s)
