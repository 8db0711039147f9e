"""The exercise engine: timestamps and signals in, state and events out.

Pure: no OpenCV, no files, no clock. Everything about bodies comes from the exercise
definition; everything about time is in seconds from the caller's timestamps, so the
same performance gives the same answer at any frame rate.

Words: a *phase* is a recognised position; a *rep* walks the definition's phase
sequence from the start position back to it; a *hold* is a timer that runs only while
a hold phase is held with good form; a *fault* is a named form problem with a span.
"""

from __future__ import annotations

import math

from posecheck.exercise.baseline import Baselines
from posecheck.exercise.conditions import all_hold
from posecheck.exercise.definition import NEAR_SIDE_KEY, Exercise, Fault, Phase
from posecheck.exercise.faults import FaultJudge
from posecheck.exercise.hold import HoldTimer, Lapsed, Visit
from posecheck.exercise.judge import fill, judge
from posecheck.exercise.midset import MidSet
from posecheck.exercise.midstart import MidStart
from posecheck.exercise.partway import PartWay
from posecheck.exercise.seen import SeenGate
from posecheck.exercise.setup import SetupWatch
from posecheck.exercise.state import EngineState, Event, FaultSpan, Rep, Signals
from posecheck.exercise.stillness import Stillness
from posecheck.exercise.tally import Tally


class Engine(MidSet):
    """Follows one person through one exercise. Feed `update` in time order, then `finish`."""

    def __init__(self, exercise: Exercise, *, hold_s: float | None = None, target: int | None = None) -> None:
        self.ex = exercise
        self.hold_override = hold_s
        self.target = target if target is not None else exercise.reps.target
        self.start_phase = exercise.reps.start_phase
        self.steps = exercise.reps.steps
        self.tracking = exercise.tracking
        # the One Euro filter's lag when the body moves slowly: 1 / (2 pi f_min)
        self._filter_lag_s = 1.0 / (2.0 * math.pi * exercise.tracking.min_cutoff_hz)
        self.t: float | None = None
        self.last_seen: float | None = None
        self.tracking_ok = False
        self.values: Signals = {}
        self.phase: Phase | None = None
        self.phase_since: float | None = None
        self._cand: Phase | None = None
        self._cand_id: str | None = "\0"
        self._cand_since: float | None = None
        self.left_start_at: float | None = None
        self._leaving_since: float | None = None
        self.setup = SetupWatch(exercise)
        self.started = False
        self.rep: Rep | None = None
        self.step = 0
        self.reps: list[Rep] = []
        self.fault_spans: list[FaultSpan] = []
        self._faults = FaultJudge(exercise)
        self._short_faults = [f for f in exercise.faults if f.on == "short_hold"]
        self._rep_short: list[Fault] = []
        self._visits: list[Visit] = []
        self._lapsed: Lapsed | None = None  # a held visit left for no position
        self._rep_interrupted = False  # the user paused or quit during the rep in progress
        self._visited: set[str] = set()  # any-order reps: the middle positions seen
        self._mid = MidStart(exercise) if exercise.reps.begins_mid else None
        self._middle = exercise.reps.middle

        self._measure_afresh()
        seen = exercise.guided.seen if exercise.guided else None  # an image signal may show a guided movement
        self.seen = SeenGate(seen, exercise.phases) if seen else None
        self._unseen_at: float | None = None  # the last frame the gate did not see the movement
        self._tally = Tally(exercise.reps, self.target)
        self._set_complete = False

    # --- public --------------------------------------------------------------------------

    def hold_target(self, phase: Phase) -> float:
        if self.hold_override is not None:
            return self.hold_override
        return self.ex.hold_target_s(phase)

    @property
    def seeing(self) -> bool:
        """Whether the guided phases are recognised from the picture now (exercise/seen.py)."""
        return self.seen is not None and self.seen.confident

    @property
    def reps_counted(self) -> int:
        return sum(r.counted for r in self.reps)

    def update(self, t_s: float, signals: Signals | None) -> tuple[EngineState, list[Event]]:
        events: list[Event] = []
        prev_t = self.t
        self.t = t_s
        if signals is None:
            self._dropout(t_s, events)
        else:
            if not self.tracking_ok and self.last_seen is not None:
                events.append(Event(t_s, "tracking_back"))
            self.tracking_ok = True
            gap = prev_t is not None and self.last_seen is not None and self.last_seen < prev_t
            self.last_seen = t_s
            settled = self._settled_in_start(t_s)
            if self.seen is not None:  # not in a fault: a bridge moves the outline, and is no rest nor tilt
                placed = self.started and self.phase is not None and self.seen.posed(self.values)  # lying, hips down
                ok = not self._faults.present  # (hold.ok: timing a hold of a rep at the last frame)
                signals = self.seen.apply(t_s, signals, settled and ok, placed and ok, self.hold.ok)
                self._unseen_at = self._unseen_at if self.seen.read else t_s
            self.values = self._baselines.apply(t_s, signals, settled)
            self._stillness.remember(t_s, self.values)
            self._stillness.learn(t_s, settled, self.hold.ok)
            self._update_setup(t_s, events)
            self._update_phase(t_s, events)
            if self._mid is not None:
                self._begun_mid(t_s, signals)
            # The exercise starts once the person is settled in the start position with the
            # setup right: not on a pose passed through on the way (kneeling, sitting up).
            settled_now = self._settled_in_start(t_s)
            self._fold_flowed(t_s)
            self.started = self.started or settled_now
            self.setup.back(t_s, settled_now)
            done = self.phase is not None and self.phase.hold and self.hold.done
            opened = self._faults.update(
                t_s, self.phase, self.started, self.values, self.rep, self._stillness.still, events, done=done
            )
            for span in opened:
                if self.rep is not None and self.phase is not None and self.phase.hold:
                    self.hold.uncredit(span.start_s, t_s)
            self.fault_spans.extend(opened)
            self._update_hold(t_s, None if gap else prev_t, events)
        return self.state(), events

    def new_view(self, t_s: float) -> list[Event]:
        """The recording changed camera at t_s: a rep under way ends there (as at a video's
        end); the start position and stillness are measured again in the new picture, and no
        rep begins before the person settles there (a demo cutting to a close-up mid-movement),
        nor is a movement read from the picture before the new one is trusted (exercise/seen.py)."""
        events = self.finish(t_s)
        self._set_phase(None, t_s, events)
        self._measure_afresh()
        if self.seen is not None:
            self.seen.new_view(t_s)
        self.started = False
        return events

    def _measure_afresh(self) -> None:
        """What is measured on this person in this picture: their stillness (and the holds
        timed by it) and their start position."""
        self._stillness = Stillness(self.ex)
        self.hold = HoldTimer(self._stillness, self._debounce, self._filter_lag_s, self.ex)
        self._baselines = Baselines(self.ex)
        self._start_is = None
        self._partway = PartWay(self.ex) if any(p.back_when for p in self.ex.phases) else None

    def pause(self) -> None:
        """The user paused mid-rep: if the rep does not count in the end, it is forgotten, not
        recorded as a failed attempt (the person may have stood up, or sat back to rest)."""
        if self.rep is not None:
            self._rep_interrupted = True

    def finish(self, t_s: float | None = None, *, by_user: bool = False) -> list[Event]:
        """End of the video or session: close what is open. An unfinished rep counts only
        if all its holds were completed; otherwise it is an attempt, unless the user ended
        the session (`by_user`: quit, next, redo) mid-rep: then it is forgotten."""
        t = t_s if t_s is not None else (self.t or 0.0)
        events: list[Event] = []
        if by_user:
            self.pause()
        self._end_hold_visit(t)
        self._faults.close_all(t, events)
        self._one_sided(t, events)
        if self.phase is not None and self.phase.id == self.start_phase:
            self._credit_start(t)
        if self.rep is not None:  # the video or the camera stopped before the return
            self._finish_rep(t, events, complete=True, cut=True)
        return events

    def state(self) -> EngineState:
        t = self.t or 0.0
        phase = self.phase
        in_hold = bool(phase and phase.hold and self.rep is not None)
        target_s = self.hold_target(phase) if in_hold and phase else 0.0
        active = tuple(dict.fromkeys(ft.fault.id for ft in self._faults.tracks if ft.span is not None))
        fault_message = next((ft.fault.message for ft in self._faults.tracks if ft.span is not None), "")
        return EngineState(
            t_s=t,
            tracking=self.tracking_ok,
            started=self.started,
            setup_ok=self.setup.ok,
            setup_message=self.setup.message,
            phase=phase.id if phase else None,
            instruction=self._instruction(),
            side=self.rep.side if self.rep else None,
            next_side=self._tally.next_side(self._sides()),
            round=self._tally.round,
            reps_counted=self.reps_counted,
            reps_attempted=len(self.reps),
            target=self.target,
            hold_s=self.hold.elapsed if in_hold else 0.0,
            hold_target_s=target_s,
            in_hold=in_hold,
            holding=in_hold and self.hold.ok,
            hold_done=self.hold.done and in_hold,
            faults=active,
            fault_message=fault_message,
            values=dict(self.values),
            set_complete=self._set_complete,
            side_counts=tuple((s, self._tally.side_counts.get(s, 0)) for s in self._sides()),
            guided=self._guided_mode(),
        )

    def _guided_mode(self) -> str:
        """How a guided exercise's movement is followed now (EngineState.guided)."""
        if self.ex.guided is None:
            return ""
        return "seen" if self.seeing else "checking" if self.seen and not self.seen.measured else "unseen"

    def _seen_throughout(self, rep: Rep) -> bool | None:
        """Whether the movement was taken from the picture at every frame of the rep (with a
        pose); None for an exercise that does not watch for it."""
        return None if self.seen is None else self._unseen_at is None or self._unseen_at < rep.start_s

    # --- tracking and baselines -------------------------------------------------------------

    def _dropout(self, t: float, events: list[Event]) -> None:
        """No pose this frame. Within the grace time holds pause; past it the position is lost."""
        if self.last_seen is None or not self.tracking_ok:
            return
        if t - self.last_seen > self.ex.hold.dropout_grace_s:
            self.tracking_ok = False
            events.append(Event(t, "tracking_lost"))
            self._set_phase(None, self.last_seen, events)
            self._faults.close_all(self.last_seen, events)

    def _settled_in_start(self, t: float) -> bool:
        """In the start position with the setup right for a debounce time, and still there."""
        phase = self.phase
        if phase is None or phase.id != self.start_phase or not self.setup.settled_for(t):
            return False
        if self._partway is not None and self._partway.low:  # back part of the way: nothing to measure
            return False
        return not phase.still or self._stillness.still(phase)

    def _update_setup(self, t: float, events: list[Event]) -> None:
        # mid-rep the body leaves the setup's lying or sitting bands by design
        if self.rep is None and self.setup.update(t, self.values):
            events.append(Event(t, "setup", text=self.setup.message))

    # --- phases ---------------------------------------------------------------------------

    def _classify(self) -> Phase | None:
        if self._partway is not None and self._partway.back(self.phase, self.rep is not None, self.values):
            return self.ex.phase(self.start_phase)
        if self.phase is not None and all_hold(self.phase.when, self.values, inside=True):
            return self.phase
        for p in self.ex.phases:
            if (not p.guided or self.seeing) and all_hold(p.when, self.values, inside=False):
                return p
        return None

    def _debounce(self, phase: Phase | None) -> float:
        """How long a position (or a movement out of it) must last before it counts."""
        return phase.debounce_s if phase is not None and phase.debounce_s is not None else self.tracking.debounce_s

    def _update_phase(self, t: float, events: list[Event]) -> None:
        found = self._classify()
        found_id = found.id if found else None
        current_id = self.phase.id if self.phase else None
        if found_id == current_id:
            self._cand_id = "\0"
            self._leaving_since = None
            return
        if self._leaving_since is None:
            self._leaving_since = t
        if found_id != self._cand_id:
            self._cand, self._cand_id, self._cand_since = found, found_id, t
        since = t if self._cand_since is None else self._cand_since
        if t - since >= self._debounce(found):
            self._set_phase(found, since, events, left_at=self._leaving_since)
            self._cand_id = "\0"
            self._leaving_since = None

    def _set_phase(self, phase: Phase | None, since: float, events: list[Event], left_at: float | None = None) -> None:
        """Adopt a new phase that began at `since`; the old one was last held until `left_at`."""
        old = self.phase
        if old is phase:
            return
        left_at = since if left_at is None else left_at
        # another position of the same hold step entered while the hold ran still: the pose model
        # reading the held position as its neighbour (a near knee held, read as the far one)
        rep, still, timing = self.rep, self.hold.running, self.hold.ok
        left = self._end_hold_visit(left_at if old is not None and old.hold else since)
        if phase is not None and phase.id == self.start_phase:
            self._one_sided(since, events, again=True)
        if old is not None and old.id == self.start_phase:
            self.left_start_at = left_at
            self._credit_start(left_at)
        # a hold left while timed, for no position at all: the pose model losing it for a moment
        # is not the person leaving, so coming back within the dropout grace carries the hold on
        lapsed, self._lapsed = self._lapsed, Lapsed(left, left_at, rep) if phase is None and timing and left else None
        self.phase, self.phase_since = phase, since
        events.append(Event(since, "phase", text=phase.instruction if phase else "", phase=phase.id if phase else None))
        if phase is None:
            return
        held_back = self.setup.away or not self.setup.begins or self.setup.left_unset(self.left_start_at)
        if not self.started or (self.rep is None and held_back):
            return
        if self.ex.reps.any_order:
            self._advance_any_order(phase, since, events)
        else:
            self._advance_rep(phase, since, events)
        if phase.hold and self.rep is not None:
            self.hold.begin(since)
            if old is None and lapsed is not None and since - lapsed.at <= self.ex.hold.dropout_grace_s:
                left, rep, still = lapsed.visit, lapsed.rep, True  # back in it as soon as the model lost it
            if still and rep is self.rep and left is not None and self._same_step(left.phase, phase):
                self.hold.carry_over(left)
            if phase.counts:
                events.append(Event(since, "hold_started", text=phase.instruction, phase=phase.id))

    def _begin_rep(self, phase: Phase, t: float, start: float | None = None) -> None:
        if start is None:
            start = self.left_start_at if self.left_start_at is not None else t
        rep = self.rep = Rep(index=len(self.reps) + 1, side=self._side_of(phase), start_s=start)
        self.setup.rep_began()
        # a fault already showing (hands misplaced at the start, say) belongs to it too
        for ft in self._faults.tracks:
            if ft.span is not None:
                ft.span.rep = ft.span.rep or rep.index
                if ft.fault.id not in rep.faults:
                    rep.faults.append(ft.fault.id)
        self.step = 1
        self._rep_short = []
        self._visits = []
        self._rep_interrupted = False
        self._visited = {phase.id}
        self._flowed = False  # begun as the last rep flowed on, not from the start position

    def _advance_any_order(self, phase: Phase, t: float, events: list[Event]) -> None:
        """A rep is one visit to each middle position in any order (cow then cat, or cat
        then cow); it ends back in the start position, or when a position seen comes round
        again after all were seen (the person flows on without pausing in the start)."""
        if phase.id == self.start_phase:
            if self.rep is not None and (self._visited >= self._middle or not self.ex.reps.rest_within):
                self._finish_rep(t, events, complete=self._visited >= self._middle)
            return
        if phase.id not in self._middle:
            return
        if self.rep is None:
            self._begin_rep(phase, t)
        elif phase.id in self._visited and self._visited >= self._middle:
            self._finish_rep(t, events, complete=True)
            self._begin_rep(phase, t, start=t)
            self._flowed = True
        else:
            self._visited.add(phase.id)

    def _fold_flowed(self, t: float) -> None:
        """A rep begun as the last one flowed on that rests in the start position half done (as
        long as it takes to be measured: not passing): its position was the last rep's way out
        (cow, cat, cow, then a rest), not a new rep."""
        rep, since = self.rep, self.phase_since if self.phase and self.phase.id == self.start_phase else None
        if rep is None or since is None or t - since < self.tracking.baseline_window_s:
            return
        if not self._flowed or self._start_is is not None or self._visited >= self._middle:
            return
        last = self.reps[-1]
        last.end_s = t
        last.faults += [f for f in rep.faults if f not in last.faults]
        for span in [*self.fault_spans, *(ft.span for ft in self._faults.tracks if ft.span is not None)]:
            span.rep = last.index if span.rep == rep.index else span.rep
        self.rep, self.step, self._visits = None, 0, []

    def _advance_rep(self, phase: Phase, t: float, events: list[Event]) -> None:
        nxt = self.step + 1
        if self.rep is None:
            if phase.id in self.steps[1]:
                self._begin_rep(phase, t)
            return
        if nxt < len(self.steps) and phase.id in self.steps[nxt]:
            self.step = nxt
            if phase.side is not None:
                self.rep.side = self._side_of(phase)
            if nxt == len(self.steps) - 1:
                self._finish_rep(t, events, complete=True)
        elif phase.id in self.steps[self.step]:
            if phase.side is not None:
                self.rep.side = self._side_of(phase)
        elif phase.id == self.start_phase:
            self._finish_rep(t, events, complete=False)

    def _same_step(self, a: Phase, b: Phase) -> bool:
        """Two positions that count, held in the same step of the sequence (its alternatives)."""
        return a.hold and b.hold and a.counts and b.counts and any(a.id in st and b.id in st for st in self.steps)

    def _side_of(self, phase: Phase) -> str | None:
        """The person's own side for a phase; near/far follow which side faces the camera."""
        if phase.side not in ("near", "far"):
            return phase.side
        near = "right" if (self.values.get(NEAR_SIDE_KEY) or 0.0) >= 0.5 else "left"
        return near if phase.side == "near" else ("left" if near == "right" else "right")

    def _sides(self) -> list[str]:
        """The sides an each-side exercise counts, in the order the phases name them."""
        sides = (self._side_of(self.ex.phase(ph)) for step in self.steps for ph in step)
        return list(dict.fromkeys(s for s in sides if s))

    def _finish_rep(self, t: float, events: list[Event], complete: bool, cut: bool = False) -> None:
        """End the rep at t: `complete` when its sequence was walked, `cut` when the video or
        session ended first (then leaving the position soon is not rushing)."""
        rep = self.rep
        assert rep is not None
        rep.end_s = t
        rep.seen = self._seen_throughout(rep)
        # Each hold step is judged by its best visit (exercise/judge.py); not said of a rep cut
        # short by the video's end, nor rushing of a rep a fault was named in.
        judged = judge(self.steps, self._visits, self.ex, self.hold_target)
        for short in judged.short if complete else []:
            events.append(Event(t, "hold_short", text=f"{short.target:g}", phase=short.phase.id))
            if short.rushed and not cut and not rep.faults:
                step = short.step
                self._rep_short += [
                    f for f in self._short_faults if any(ph in f.phases for ph in step) and f not in self._rep_short
                ]
        fill(rep, judged, self._visits, self.ex)
        rep.counted = complete and bool(judged.done) and all(judged.done)
        fidget = sum(v.end - v.start for v in self._visits) < self.ex.reps.min_attempt_s
        if not rep.counted and (fidget or self._rep_interrupted):
            # a fidget, or a rep the user paused or quit: not an attempt; forget it (and any
            # fault seen during it)
            self.fault_spans = [f for f in self.fault_spans if f.rep != rep.index]
            self.rep, self.step, self._visits = None, 0, []
            return
        for f in self._rep_short:
            span = FaultSpan(f.id, f.message, rep.start_s, t, rep.index)
            self.fault_spans.append(span)
            events.append(Event(rep.start_s, "fault_started", text=f.message, fault=f.id))
            events.append(Event(t, "fault_ended", fault=f.id))
            if f.id not in rep.faults:
                rep.faults.append(f.id)
        self.reps.append(rep)
        self.rep, self.step = None, 0
        self._visits = []
        if rep.counted and rep.side is not None:
            self._tally.add(rep.side)
        events.append(Event(t, "rep", text="counted" if rep.counted else "attempt", rep=rep))
        if not self._set_complete and self._tally.done(self._sides(), self.reps_counted):
            self._set_complete = True
            events.append(Event(t, "set_complete"))

    # --- holds ----------------------------------------------------------------------------

    def _update_hold(self, t: float, prev_t: float | None, events: list[Event]) -> None:
        phase = self.phase
        if phase is None or not phase.hold or not phase.counts or self.rep is None:
            self.hold.ok = False
            return
        # Only a reported fault pauses the hold: one flickering unreported must not stop the timer.
        clean = not any(ft.span is not None for ft in self._faults.tracks if phase.id in ft.fault.phases)
        if self.hold.update(t, prev_t, phase, clean, self.values, self.hold_target(phase)):
            events.append(Event(t, "hold_complete", text=phase.done_instruction, phase=phase.id))

    def _end_hold_visit(self, t: float) -> Visit | None:
        """Close the visit to the hold phase under way at t; its record (None: no visit)."""
        phase = self.phase
        if phase is None or not phase.hold or self.rep is None:
            return None
        visit = self.hold.end(phase, self._side_of(phase), t)
        if visit is not None:
            self._visits.append(visit)
        return visit

    # --- words ----------------------------------------------------------------------------

    def _instruction(self) -> str:
        if not self.tracking_ok:
            return ""
        if not self.setup.ok and self.rep is None and self.setup.told(self.t, self.started):
            return self.setup.message
        phase = self.phase
        if phase is None:
            return ""
        if phase.hold and self.hold.done and phase.done_instruction:
            return phase.done_instruction
        if phase.id == self.start_phase:
            side = self._tally.next_side(self._sides())
            cue = self.ex.reps.side_cues.get(side or "", "") if side else ""
            return cue or phase.instruction
        return phase.instruction
