"""Recording a session into the history while it runs: a review's or a live set's
(`Recorder`), and a live routine's, one history session per set (`LiveLog`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from posecheck.exercise.definition import Exercise
from posecheck.exercise.state import EngineState, Event, FaultSpan, Rep
from posecheck.records import report as report_mod
from posecheck.records.history import History, HistoryError
from posecheck.records.report import rep_at

Warn = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"posecheck: warning: {message}", file=sys.stderr)


class Recorder:
    """Writes one session to the history while it runs.

    A listener: call it with (exercise, events, state) after every frame. The session row is
    written at the first call; each rep when its "rep" event arrives; each fault when it ends.
    `finish` closes the session, with the review's report when there is one (a live session
    gets a report built from what it saw, timeline included). If a write fails mid-session
    the rep is kept in memory and retried with the next one; the session itself goes on.
    """

    TIMELINE_STEP_S = 0.1

    def __init__(
        self,
        history: History,
        exercise: Exercise,
        *,
        kind: str,
        source: str,
        hold_s: float | None = None,
        target: int | None = None,
        settings: dict[str, Any] | None = None,
        warn: Warn = _stderr,
        now: Callable[[], datetime] = datetime.now,
        mine: bool | None = None,
    ) -> None:
        self.history, self.exercise = history, exercise
        self.mine = mine
        self.kind, self.source = kind, source
        self.hold_s = hold_s if hold_s is not None else exercise.hold.hold_s
        self.target = target
        self.settings = settings or {}
        self.warn, self.now = warn, now
        self.session_id: int | None = None
        self.reps: list[Rep] = []
        self.fault_spans: list[FaultSpan] = []
        self._open_faults: dict[str, tuple[float, str]] = {}
        self._pending: list[tuple[str, Any]] = []
        self._warned = False
        self.frames = 0
        self.frames_tracked = 0
        self.first_t: float | None = None
        self.last_t: float | None = None
        self._next_sample_s: float | None = None
        self.timeline: dict[str, list[Any]] = {"t_s": [], "values": [], "phase": [], "holding": []}
        self.finished = False

    def __call__(self, exercise: Exercise, events: list[Event], state: EngineState) -> None:
        if self.session_id is None:
            if self.target is None:
                self.target = state.target  # what the engine aims for
            self.session_id = self.history.start_session(
                self.exercise, kind=self.kind, source=self.source, target=self.target, hold_s=self.hold_s,
                settings=self.settings, started_at=self.now(), mine=self.mine,
            )  # fmt: skip
        self.frames += 1
        self.frames_tracked += bool(state.tracking)
        if self.first_t is None:
            self.first_t = state.t_s
        self.last_t = state.t_s
        if self._next_sample_s is None or state.t_s >= self._next_sample_s:
            self._next_sample_s = state.t_s + self.TIMELINE_STEP_S
            key = state.values.get(self.exercise.key_signal) if state.tracking else None
            self.timeline["t_s"].append(round(state.t_s, 3))
            self.timeline["values"].append(None if key is None else round(float(key), 3))
            self.timeline["phase"].append(state.phase)
            self.timeline["holding"].append(bool(state.holding))
        for ev in events:
            if ev.kind == "rep" and ev.rep is not None:
                self.reps.append(ev.rep)
                self._pending.append(("rep", ev.rep))
            elif ev.kind == "fault_started" and ev.fault:
                self._open_faults[ev.fault] = (ev.t_s, ev.text)
            elif ev.kind == "fault_ended" and ev.fault and ev.fault in self._open_faults:
                start, message = self._open_faults.pop(ev.fault)
                span = self._span(ev.fault, message, start, ev.t_s)
                self.fault_spans.append(span)
                self._pending.append(("fault", span))
        if self._pending:
            self._flush()

    def _span(self, fault: str, message: str, start: float, end: float | None) -> FaultSpan:
        return FaultSpan(fault, message, start, end, rep_at(self.reps, start))

    def _flush(self) -> bool:
        assert self.session_id is not None
        while self._pending:
            what, item = self._pending[0]
            try:
                if what == "rep":
                    self.history.add_rep(self.session_id, item)
                else:
                    self.history.add_fault(self.session_id, item)
            except HistoryError as e:
                if not self._warned:
                    self._warned = True
                    self.warn(f"{e} (will retry)")
                return False
            self._pending.pop(0)
        return True

    def finish(self, report: dict[str, Any] | None = None, *, status: str | None = None) -> int | None:
        """Close the session; returns its id (None when nobody was ever seen: nothing to keep)."""
        if self.finished or self.session_id is None:
            return self.session_id
        self.finished = True
        if self.frames_tracked == 0 and not self.reps:
            self.history.delete_session(self.session_id)
            self.session_id = None
            return None
        for fid, (start, message) in self._open_faults.items():
            span = self._span(fid, message, start, self.last_t)
            self.fault_spans.append(span)
            self._pending.append(("fault", span))
        self._open_faults = {}
        if not self._flush():
            raise HistoryError(f"{self.history.path}: could not save session {self.session_id} to the history")
        if report is None:
            report = self.live_report()
        if status is None:
            status = (
                "interrupted" if report.get("interrupted") else "cut_short" if report.get("truncated") else "complete"
            )
        self.history.finish_session(
            self.session_id, status=status, duration_s=report.get("duration_s"), report=report, ended_at=self.now()
        )
        return self.session_id

    def live_report(self) -> dict[str, Any]:
        """A report like a review's, for a session no review wrote one for."""
        duration = (self.last_t or 0.0) - (self.first_t or 0.0)
        return report_mod.build(
            self.exercise,
            video=self.source,
            duration_s=duration,
            frames=self.frames,
            frames_with_pose=self.frames_tracked,
            hold_s=self.hold_s,
            target=self.target if self.target is not None else self.exercise.reps.target,
            reps=self.reps,
            faults=self.fault_spans,
            settings=self.settings,
            kind=self.kind,
            timeline={
                "signal": self.exercise.key_signal,
                "unit": self.exercise.signals[self.exercise.key_signal].unit,
                **self.timeline,
            },
        )


def open_recorder(
    exercise: Exercise, *, kind: str, source: str, folder: str | Path | None = None, **kw: Any
) -> Recorder:
    """A recorder on the user's history (opened now, so a bad file fails before the session)."""
    return Recorder(History.open(folder), exercise, kind=kind, source=source, **kw)


# A live set's outcome (posecheck.routine) as the session's status.
_OUTCOME_STATUS = {"done": "complete", "": "complete"}


class LiveLog:
    """A live session in the history: one history session per set of the routine.

    Subscribe it to the live loop as a listener (exercise, events, state) and `set_ended`
    as its set-ended hook (exercise, report); `close` when the loop is over. A set that
    never saw anyone is not kept. `with_targets` gives each item of the routine the
    target progression says, unless one was given.
    """

    def __init__(
        self, history: History, source: str, *, hold_s: float | None = None, settings: dict[str, Any] | None = None
    ) -> None:
        self.history, self.source = history, source
        self.hold_s, self.settings = hold_s, settings or {}
        self.current: Recorder | None = None
        self.session_ids: list[int] = []

    @classmethod
    def open(cls, source: str, folder: str | Path | None = None, **kw: Any) -> LiveLog:
        return cls(History.open(folder), source, **kw)

    def with_targets(self, items: list[Any]) -> list[Any]:
        return [
            it if it.target is not None else replace(it, target=self.history.target(it.exercise).reps) for it in items
        ]

    def __call__(self, exercise: Exercise, events: list[Event], state: EngineState) -> None:
        if self.current is None or self.current.exercise.id != exercise.id or self.current.finished:
            self.current = Recorder(
                self.history, exercise, kind="live", source=self.source, hold_s=self.hold_s, settings=self.settings
            )
        self.current(exercise, events, state)

    def set_ended(self, exercise: Exercise, report: dict[str, Any]) -> None:
        rec, self.current = self.current, None
        if rec is None:
            return
        outcome = str(report.get("outcome") or "")
        sid = rec.finish(report=report, status=_OUTCOME_STATUS.get(outcome, outcome))
        if sid is not None:
            self.session_ids.append(sid)

    def close(self, pain: int | None = None) -> None:
        """The end of the live session; `pain`, the back pain (0-10) the user gave at its
        end, is kept on every set of it."""
        try:
            if self.current is not None and not self.current.finished:
                sid = self.current.finish(status="interrupted")
                if sid is not None:
                    self.session_ids.append(sid)
            self.current = None
            if pain is not None and self.session_ids:
                self.history.set_pain(self.session_ids, pain)
        finally:
            self.history.close()
