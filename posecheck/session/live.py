"""`posecheck live`: coaching at the camera.

The loop: the newest frame from the capture thread -> pose model -> the routine's
current set (pipeline, engine) -> listeners, voice -> the screen. One frame at a time,
and the frame shown is the frame just processed, so the skeleton, the counts and the
picture always agree. Frames that arrived while the model was busy are dropped.

Listeners are callables `(exercise, events, state)` called for every processed frame
(and once more with the closing events when a set ends); `LISTENERS` is the module's
list, so another part of posecheck (history) can subscribe without touching this loop,
and `SET_ENDED` hears `(exercise, report)` when a set ends.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from posecheck.coach.cues import Cue, CueScheduler
from posecheck.coach.demo import Demos
from posecheck.coach.pain import ask as ask_pain
from posecheck.coach.screen import SAFETY_NOTE, Board, render
from posecheck.coach.slow import LIVE_PAINTERS
from posecheck.coach.voice import Speaker, missing_voice_note
from posecheck.errors import CameraError, PosecheckError
from posecheck.exercise.definition import Exercise
from posecheck.exercise.view import View
from posecheck.pose.model import PoseEstimator
from posecheck.pose.types import Detection
from posecheck.records import report as report_mod
from posecheck.records import safeout
from posecheck.session.interrupts import frame_by_frame
from posecheck.session.overlap import prompt_handoffs
from posecheck.session.pace import SLOW_WORDS, Pace
from posecheck.session.pipeline import Listener
from posecheck.session.recording import Recorder
from posecheck.session.routine import INTRO_S, REST_S, Item, Routine, SetRecord
from posecheck.session.window import DEFAULT_SIZE, UI, Headless, Window, check_display  # noqa: F401 (the command checks the display here)
from posecheck.sources.capture import Capture, Grab, Source

Detector = Callable[[np.ndarray, float], Detection]

LISTENERS: list[Listener] = []  # subscribers for every session (see the module docstring)
# Called once per set when it ends, with the set's report (the review report's keys, plus
# outcome: done, stopped, redone, camera_lost): the moment to close a history session.
SET_ENDED: list[Callable[[Exercise, dict], None]] = []

DONE_CARD_S = 4.0
ASK_AFTER = ("quit", "routine_done", "end_of_video")  # endings after which the back pain is asked


@dataclass
class LiveOptions:
    hold_s: float | None = None
    target: int | None = None
    model: Path | None = None
    mirror: bool = False
    mute: bool = False
    headless: bool = False
    fullscreen: bool = True
    record: Path | None = None
    intro_s: float = INTRO_S
    rest_s: float = REST_S
    stall_s: float = 1.0  # no frame for this long: the camera is lost (paused, with a message)
    camera_timeout_s: float = 60.0  # ...and after this long the session ends, kept
    render_headless: bool = False  # draw the screen even without a window (benchmarks)
    size: tuple[int, int] = DEFAULT_SIZE  # the screen when there is no window to measure
    count_people_every_s: float | None = 1.0
    ask_pain: bool | None = None  # "How is your back today?" at the end (None: when there is a window)


@dataclass
class LiveStats:
    """How the loop kept up: for the benchmark and the closing line."""

    captured: int = 0
    dropped: int = 0
    processed: int = 0  # frames through the pose model
    shown: int = 0
    latency_s: list[float] = field(default_factory=list)  # capture to display, per shown processed frame
    slowest_fps: float | None = None  # the lowest rate while below the exercise's min_fps (None: never)
    wall_s: float = 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latency_s:
            return None
        return float(np.percentile(self.latency_s, q))


@dataclass
class Session:
    source: str
    sets: list[SetRecord]
    ended_by: str  # end_of_video, quit, routine_done, camera_lost, camera_error, window_closed, interrupted
    stats: LiveStats
    missing: list[str] = field(default_factory=list)
    error: str | None = None  # the camera's error when ended_by is camera_error
    record_error: str | None = None  # why --record could not be written
    recorded: bool = False  # --record was written
    pain: int | None = None  # the back pain the user gave at the end, 0-10 (None: not asked, skipped)

    def reports(self) -> list[dict[str, Any]]:
        return [set_report(rec, self.source) for rec in self.sets]


def set_report(rec: SetRecord, source: str) -> dict[str, Any]:
    """A set in the review report's shape (same keys), plus how it ended."""
    p, ex = rec.pipeline, rec.exercise
    engine = p.engine
    end = rec.end_s if rec.end_s is not None else rec.start_s
    return report_mod.build(
        ex,
        video=source,
        duration_s=max(0.0, end - rec.start_s),
        frames=p.frames,
        frames_with_pose=p.frames_with_pose,
        hold_s=rec.item.hold_s if rec.item.hold_s is not None else ex.hold.hold_s,
        target=engine.target,
        reps=engine.reps,
        faults=engine.fault_spans,
        fault_peaks=p.peaks.of,
        live=True,
        outcome=rec.outcome,
        start_s=round(rec.start_s, 3),
        end_s=round(end, 3),
        setup=p.setup_dict(),
        second_person=[[round(a, 2), round(b, 2)] for a, b in p.follower.crowded_spans],
        settings={"hold_s": rec.item.hold_s, "target": rec.item.target},
        timeline=p.timeline_dict(),
        **({"seen": engine.seen.figures()} if engine.seen is not None else {}),
    )


# --- the loop -------------------------------------------------------------------------------


def _sets_ended(routine: Routine, subscribers: list[Listener], source: str) -> list[SetRecord]:
    ended = routine.pop_finished()
    for rec in ended:
        for listen in subscribers:
            listen(rec.exercise, rec.finish_events, rec.state)
        if SET_ENDED:
            report = set_report(rec, source)
            for hook in SET_ENDED:
                hook(rec.exercise, report)
    return ended


def _routine_cues(routine: Routine, before: tuple[str, int], first: bool) -> list[Cue]:
    mode, index = routine.mode, routine.index
    if (mode, index) == before:
        return []
    if mode == "start":
        return (
            [Cue(routine.exercise.name, "routine"), Cue(SAFETY_NOTE[1], "routine")]
            if first
            else [Cue(routine.exercise.name, "routine")]
        )
    if mode == "rest":
        nxt = routine.next_item
        words = f"Rest. Next: {nxt.exercise.name}. {nxt.exercise.camera.placement}" if nxt else "Rest"
        return [Cue(words, "routine")]
    if mode == "count" and before[0] in ("rest", "count") and (index != before[1] or before[0] == "rest"):
        return [Cue(routine.exercise.name, "routine")]
    if mode == "done" and not routine.single:
        return [Cue("That's the session. Well done", "routine")]
    return []


def run_live(
    source: Source,
    items: list[Item],
    options: LiveOptions,
    *,
    listeners: list[Listener] | tuple[Listener, ...] = (),
    ui: UI | None = None,
    speaker: Speaker | None = None,
    detector: Detector | None = None,
    missing: list[str] | None = None,
) -> Session:
    """Coach a session. Raises CameraError when the camera cannot be used at the start;
    every later ending (q, the end of a video, a camera that never came back, Ctrl-C)
    returns the session with what was counted."""
    subscribers = [*LISTENERS, *listeners]
    routine = Routine(items, intro_s=options.intro_s, rest_s=options.rest_s)
    stats = LiveStats()
    own_speaker = speaker is None
    speaker = speaker or Speaker(mute=options.mute)
    note = missing_voice_note(speaker.backend)
    if note:
        print(f"note: {note}", file=sys.stderr)
    recorder = Recorder(options.record) if options.record else None
    if options.record:
        safeout.check_target(options.record)
    draw = ui is not None or options.record is not None or options.render_headless or not options.headless
    demos = Demos(it.exercise.id for it in items) if draw else Demos(())  # decoded once, looped on the cards
    estimator = None
    capture = Capture(source, stall_s=options.stall_s)
    capture.open()  # a missing or busy camera fails here, before the model loads or a window opens
    ended_by = "quit"
    pain: int | None = None
    error: str | None = None
    record_error: str | None = None
    try:
        if detector is None:
            masks = any(it.exercise.needs_mask for it in items)
            estimator = PoseEstimator(options.model, masks=masks, count_people_every_s=options.count_people_every_s)
            detector = estimator.detect
        if ui is None:
            ui = (
                Headless(options.size) if options.headless else Window(fullscreen=options.fullscreen, size=options.size)
            )
        capture.start()  # frames from now on: none go stale while the model loads
        with prompt_handoffs():  # the model beside the capture, voice and drawing threads (overlap.py)
            ended_by = _loop(
                capture, routine, options, subscribers, ui, speaker, detector, recorder, stats, draw, demos
            )
        seen = any(rec.pipeline.frames_with_pose for rec in routine.sets)
        if (not options.headless if options.ask_pain is None else options.ask_pain) and seen and ended_by in ASK_AFTER:
            say = speaker.say
            pain = ask_pain(ui, Board(routine.exercise, mode="pain"), say=lambda w: say([Cue(w, "routine")]))
    except KeyboardInterrupt:
        ended_by = "interrupted"
        routine.stop(routine._last_t or 0.0, "stopped", by_user=True)
    except CameraError as e:  # the camera failed mid-session: the session so far is kept and reported
        ended_by = "camera_error"
        error = str(e)
        routine.stop(routine._last_t or 0.0, "camera_lost")
    finally:
        status = capture.status() if capture._error is None else None
        capture.stop()
        if status is not None:
            stats.captured, stats.dropped = status.captured, status.dropped
        _sets_ended(routine, subscribers, source.name)
        if estimator is not None:
            estimator.close()
        if recorder is not None:
            try:
                recorder.close()
            except PosecheckError as e:  # the recording could not be written: the session is still reported
                record_error = str(e)
        if ui is not None:
            ui.close()
        if own_speaker:
            speaker.drain(timeout=3.0)
            speaker.close()
    return Session(
        source=source.name,
        sets=routine.sets,
        ended_by=ended_by,
        stats=stats,
        missing=list(missing or []),
        error=error,
        record_error=record_error,
        recorded=recorder is not None and recorder.saved,
        pain=pain,
    )


def _loop(capture, routine, options, subscribers, ui, speaker, detector, recorder, stats, draw, demos) -> str:
    t0 = time.perf_counter()
    last: Grab | None = None
    lost_since: float | None = None
    scheduler = CueScheduler(routine.exercise)
    scheduled_for: SetRecord | None = None
    notice = missing_voice_note(speaker.backend)  # on the first start card
    view: View | None = None
    before = ("", -1)
    first = True
    done_at: float | None = None
    pace = Pace()

    def now_s() -> float:
        """Session time now: the last frame's time plus the time since it arrived."""
        if last is None:
            return time.perf_counter() - t0
        return last.t_s + (time.perf_counter() - last.arrived)

    while True:
        key = ui.poll()
        if key is not None:
            if key == "q":
                routine.stop(now_s(), by_user=True)
                stats.wall_s = time.perf_counter() - t0
                return "window_closed" if getattr(ui, "closed", False) else "quit"
            if routine.mode == "done":
                break
            routine.key(key, now_s())
        if routine.mode == "done":
            if done_at is None:
                done_at = time.perf_counter()
            if not draw or isinstance(ui, Headless) or time.perf_counter() - done_at > DONE_CARD_S:
                break
        grab = capture.latest(timeout=0.05)
        if grab is None:
            status = capture.status()
            if status.ended:
                routine.stop(now_s())
                stats.wall_s = time.perf_counter() - t0
                return "end_of_video"
            if routine.mode == "done":
                continue
            if not status.delivering and last is not None:
                if lost_since is None:
                    lost_since = time.perf_counter()
                    pace.reset()  # the gap is the camera's, not the machine's
                    step = routine.camera_lost(now_s())
                    if step is not None:
                        view = step.view
                        for listen in subscribers:
                            listen(routine.exercise, step.events, step.view.state)
                    speaker.say([Cue("I lost the camera", "camera")])
                if time.perf_counter() - lost_since > options.camera_timeout_s:
                    routine.stop(now_s(), "camera_lost")
                    stats.wall_s = time.perf_counter() - t0
                    return "camera_lost"
                if draw:
                    board = Board(
                        routine.exercise,
                        mode="camera_lost",
                        frame=last.image,
                        view=view,
                        mirror=options.mirror,
                        message=f"The camera stopped sending pictures ({status.since_last_s:.0f} s)",
                    )
                    ui.show(render(board, ui.size()))
            elif draw and last is not None and routine.mode in ("done",):
                ui.show(render(_board(routine, last, view, options, first, now_s(), notice), ui.size()))
            continue
        if lost_since is not None:
            lost_since = None
            speaker.say([Cue("The camera is back", "camera")])
        last = grab
        routine.tick(grab.t_s)
        processed = False
        if routine.wants_pose:
            rgb = cv2.cvtColor(grab.image, cv2.COLOR_BGR2RGB)
            # an interrupt waits for the model's call: raised inside MediaPipe's own Python, it
            # left a half-made picture whose clean-up printed a traceback
            with frame_by_frame() as held, held.each():
                detection = detector(rgb, routine.engine_time(grab.t_s))
            step = routine.step(grab.t_s, detection)
            stats.processed += 1
            processed = True
            pace.frame(grab.t_s)
            view = step.view
            state = step.view.state
            if routine.current is not scheduled_for:
                current = routine.current
                scheduler, scheduled_for = CueScheduler(current.exercise if current else routine.exercise), current
            for listen in subscribers:
                listen(routine.exercise if routine.current is None else routine.current.exercise, step.events, state)
            speaker.say(scheduler.cues(step.events, state))
        else:
            pace.reset()  # resting or paused: nothing to keep up with
        slow = pace.slow(routine.exercise.tracking.min_fps)
        stats.slowest_fps = pace.slowest_fps
        for rec in _sets_ended(routine, subscribers, capture.source.name):
            if rec is scheduled_for:
                view = None
        speaker.say(_routine_cues(routine, before, first))
        if routine.mode != "start" and before[0] == "start":
            first = False
        before = (routine.mode, routine.index)
        if draw:
            board = _board(
                routine, grab, view if routine.current is not None else None, options, first, grab.t_s, notice
            )
            if board.mode in ("start", "rest"):  # the loop runs by wall time, whatever the frame rate
                shown = board.exercise if board.mode == "start" else board.next_exercise or board.exercise
                board = replace(board, demo=demos.frame(shown.id, time.perf_counter() - t0))
            canvas = render(replace(board, message=SLOW_WORDS) if slow else board, ui.size(), LIVE_PAINTERS)
            ui.show(canvas)
            stats.shown += 1
            if recorder is not None:
                recorder.write(canvas, grab.t_s)
        if processed:
            stats.latency_s.append(time.perf_counter() - grab.arrived)
    stats.wall_s = time.perf_counter() - t0
    return "routine_done"


def _board(
    routine: Routine, grab: Grab, view: View | None, options: LiveOptions, first: bool, t_s: float, notice: str = ""
) -> Board:
    mode = routine.mode
    if routine.paused:
        mode = "paused"
    lines: tuple[str, ...] = ()
    if mode == "done":
        lines = tuple(
            f"{rec.exercise.name}: {rec.pipeline.engine.reps_counted} of {rec.pipeline.engine.target}"
            for rec in routine.sets
            if rec.outcome != "redone"
        )
    nxt = routine.next_item
    return Board(
        routine.exercise,
        mode=mode,
        frame=grab.image,
        view=view,
        mirror=options.mirror,
        seconds_left=routine.seconds_left(t_s),
        routine=None if routine.single else (routine.index + 1, len(routine.items)),
        next_exercise=nxt.exercise if nxt else None,
        lines=lines,
        first=first,
        keys=not options.headless,
        notice=notice if first else "",
    )
