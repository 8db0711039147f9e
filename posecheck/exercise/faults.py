"""Faults judged frame by frame: the definition's condition faults (`on = "condition"`),
each with an onset after min_duration_s, `unless` another fault holds, `when_still`, and an
end once the condition has been off for the debounce time. A fault may have several entries
(other phases, or another signal that shows it): they report one span at a time, shared while
more than one holds. Short-hold faults (rushing) are judged by the engine when a rep ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from posecheck.exercise.conditions import all_hold
from posecheck.exercise.definition import Exercise, Fault, Phase
from posecheck.exercise.state import Event, FaultSpan, Rep, Signals


@dataclass
class FaultTrack:
    """One fault's judging: its raw condition now, its candidate onset, its open span."""

    fault: Fault
    raw: bool = False
    since: float | None = None  # first time the raw condition held (candidate onset)
    cond_since: float | None = None  # first time the condition held, still or not
    off_since: float | None = None
    span: FaultSpan | None = None


class FaultJudge:
    """The condition faults of one exercise; `update` every frame with a pose, `close_all`
    when the person is lost or the session ends."""

    def __init__(self, exercise: Exercise) -> None:
        self.tracks = [FaultTrack(f) for f in exercise.faults if f.on == "condition"]
        self.debounce_s = exercise.tracking.debounce_s
        self._ended: dict[str, float] = {}  # per fault id, when its last span ended

    def update(
        self,
        t: float,
        phase: Phase | None,
        started: bool,
        values: Signals,
        rep: Rep | None,
        still: Callable[[Phase], bool],
        events: list[Event],
        done: bool = False,
    ) -> list[FaultSpan]:
        """Judge the faults at t; returns the spans that began (their events are in `events`).
        `done`: the hold in this phase is complete, so its form is no longer judged (the
        person is told to come back down, and may start to)."""
        opened: list[FaultSpan] = []
        pid = phase.id if phase else None
        judged = []  # (track, applies, its own condition)
        held: dict[str, bool] = {}  # per fault id, for `unless`
        for ft in self.tracks:
            applies = (pid in ft.fault.phases or (pid is None and ft.fault.between)) and started and not done
            inside = ft.span is not None or ft.since is not None
            cond = applies and all_hold(ft.fault.when, values, inside=inside)
            judged.append((ft, applies, cond))
            held[ft.fault.id] = held.get(ft.fault.id, False) or cond
        for ft, applies, cond in judged:
            ft.raw = cond and not any(held.get(u) for u in ft.fault.unless)
            # when the faulty position began, moving or not: the span starts there
            ft.cond_since = (ft.cond_since if ft.cond_since is not None else t) if ft.raw else None
            if ft.raw and ft.fault.when_still and phase is not None and ft.span is None:
                ft.raw = still(phase)
            if ft.raw:
                ft.off_since = None
                if ft.since is None:
                    ft.since = t
                if ft.span is None and t - ft.since >= ft.fault.min_duration_s:
                    twin = self._twin(ft)
                    if twin is not None:  # the same fault, already reported by another of its entries
                        ft.span = twin.span
                        continue
                    start = ft.cond_since if ft.fault.when_still and ft.cond_since is not None else ft.since
                    start = max(start, self._ended.get(ft.fault.id, start))  # one fault, one span at a time
                    ft.span = FaultSpan(ft.fault.id, ft.fault.message, start, rep=rep.index if rep else None)
                    opened.append(ft.span)
                    events.append(Event(start, "fault_started", text=ft.fault.message, fault=ft.fault.id))
                    if rep is not None and ft.fault.id not in rep.faults:
                        rep.faults.append(ft.fault.id)
            else:
                if ft.span is None:
                    ft.since = None
                    continue
                if ft.off_since is None:
                    ft.off_since = t
                if not applies or t - ft.off_since >= self.debounce_s:
                    self.close(ft, ft.off_since, events)
        return opened

    @property
    def present(self) -> bool:
        """A fault's condition holds (at the last update), reported yet or not."""
        return any(ft.raw or ft.span is not None for ft in self.tracks)

    def _twin(self, ft: FaultTrack) -> FaultTrack | None:
        """Another entry of the same fault (another signal that shows it) with a span open."""
        return next((o for o in self.tracks if o is not ft and o.fault.id == ft.fault.id and o.span), None)

    def close(self, ft: FaultTrack, t: float, events: list[Event]) -> None:
        twin = self._twin(ft)
        if ft.span is not None and (twin is None or twin.span is not ft.span):  # a shared span ends with its last
            ft.span.end_s = t
            self._ended[ft.fault.id] = t
            events.append(Event(t, "fault_ended", fault=ft.fault.id))
        elif ft.span is not None and twin is not None and twin.off_since is not None:
            # the shared span ends where the last of its entries stopped
            twin.off_since = max(twin.off_since, t)
        ft.span, ft.since, ft.off_since, ft.raw, ft.cond_since = None, None, None, False, None

    def close_all(self, t: float, events: list[Event]) -> None:
        for ft in self.tracks:
            self.close(ft, t, events)
