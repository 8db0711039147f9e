"""What to say and when: the spoken cues planned against the time they take to say.

`CueScheduler` turns one exercise's events and state, frame after frame, into cues. It
is pure (no clock, no sound; tests drive it with tables and with the engine) and keeps a
plan of the voice: when the cue it last handed out will end, estimated from the words
(`VoiceStyle.speech_s`). With that plan a cue is never cut mid-word to make room for
another: an instruction that would run into the hold's countdown is said in its short
form (`spoken` in the exercise file), and a countdown number the voice is not free for
is left out. The wording and the timing live in exercises/_voice.toml.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from posecheck.errors import DefinitionError
from posecheck.exercise.definition import Exercise
from posecheck.exercise.state import EngineState, Event
from posecheck.exercise.validation import describe_error, key_path


@dataclass(frozen=True)
class Cue:
    """Something to say. kind: instruction, countdown, rep, fault, setup, camera, routine.

    An urgent cue (a countdown number) is said on time or not at all. start_s and
    duration_s are the plan (engine seconds), when the scheduler made it.
    """

    text: str
    kind: str
    urgent: bool = False
    start_s: float | None = None
    duration_s: float | None = None


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Speech(_Data):
    words_per_minute: float = Field(gt=0, le=600)
    chars_per_word: float = Field(gt=0, le=30)
    lead_s: float = Field(ge=0, le=5)
    pause_s: float = Field(ge=0, le=5)


class Wording(_Data):
    countdown_from: int = Field(ge=0, le=10)
    countdown_late_s: float = Field(ge=0, le=5)
    fault_repeat_s: float = Field(ge=0, le=600)
    setup_repeat_s: float = Field(ge=0, le=600)
    same_cue_gap_s: float = Field(ge=0, le=60)
    max_wait_s: float = Field(ge=0, le=60)
    praise_every_reps: int = Field(ge=0, le=1000)  # 0: never
    praise: list[str] = Field(min_length=1)
    failed_rep: str
    short_rep: str
    short_rep_unknown: str
    set_done: str
    lost_person: str


class ScreenWords(_Data):
    """The line a guided exercise shows (EngineState.guided); {reason}: its guided.reason."""

    checking: str
    paced: str
    unseen: str
    seen: str


class VoiceStyle(_Data):
    """exercises/_voice.toml: how fast the voice speaks and what the coach says (and shows)."""

    speech: Speech
    cues: Wording
    screen: ScreenWords

    def speech_s(self, text: str) -> float:
        """Seconds to say text (an estimate that errs long; see the file)."""
        text = text.strip().rstrip(".!?")
        if not text:
            return 0.0
        chars_per_s = self.speech.words_per_minute * self.speech.chars_per_word / 60.0
        pauses = len(_PAUSE.findall(text))
        return self.speech.lead_s + len(text) / chars_per_s + pauses * self.speech.pause_s


_PAUSE = re.compile(r"[,;:.!?—–]")
_WORD = re.compile(r"[a-z0-9']+")


def voice_file() -> Path:
    from posecheck.exercise.definition import builtin_dir

    return builtin_dir() / "_voice.toml"


@lru_cache(maxsize=4)
def load_style(path: Path | None = None) -> VoiceStyle:
    path = path or voice_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise DefinitionError(f"{path}: cannot read the voice settings: {e}") from None
    try:
        return VoiceStyle.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        raise DefinitionError(f"{path}: {key_path(first['loc'])}: {describe_error(first, VoiceStyle)}") from None


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return n > 0 and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def first_clause(message: str) -> str:
    """'Keep your hips on the floor — this is a small tilt' -> 'keep your hips on the floor'."""
    head = re.split(r"\s[—–]\s|[:,;]\s", message.strip(), maxsplit=1)[0].rstrip(".")
    return head[:1].lower() + head[1:] if head[:2] != "I " and not head.startswith("I'") else head


@dataclass
class _Pending:
    """A cue asked for while the voice was busy: said when it is free, if still true then."""

    text: str
    kind: str
    asked_s: float
    fault: str | None = None  # a fault cue: only while that fault lasts
    phase: str | None = None  # an instruction: only while that phase lasts


class CueScheduler:
    """What to say, from one exercise's events and state, frame after frame.

    Said once each: the instruction when the phase changes (in its short form when the
    full one would run into the countdown; the start position's only when counting starts),
    the last seconds of a hold, the rep count (with praise now and then), a rep that did not
    count and why, a fault when it starts (the same fault again only after a while), setup
    advice while the start position is not yet seen; for a guided exercise, the switch to
    counting from the picture (once).

    One cue at a time, each to its end: a cue asked for while the voice is busy waits here,
    and is said when the voice is free if it is still true then (the fault still there, the
    phase not yet left, at most `max_wait_s` old); a countdown number is said on its second
    or not at all. Times are the engine's, in seconds.
    """

    def __init__(self, exercise: Exercise | None = None, style: VoiceStyle | None = None) -> None:
        self.exercise = exercise
        self.style = style or load_style()
        w = self.style.cues
        self.countdown_from = w.countdown_from
        self.busy_until = -math.inf  # when the voice is free again, as planned
        self._pending: list[_Pending] = []
        self._recent: list[tuple[float, tuple[str, ...]]] = []  # words said, with their start
        self._counted: set[int] = set()
        self._fault_said: dict[str, float] = {}
        self._fault_text: dict[str, str] = {f.id: f.message for f in exercise.faults} if exercise else {}
        self._setup_said: tuple[str, float] | None = None
        self._was_started: bool | None = None  # unknown until the first frame
        self._short_hold: str | None = None
        self._clean_streak = 0
        self._praised = 0
        self._said_seen = False  # a guided exercise's switch to counting from the picture, said once

    # --- the plan ------------------------------------------------------------------------

    def _ask(self, text: str, kind: str, t: float, *, fault: str | None = None, phase: str | None = None) -> None:
        if text and not any(p.text == text for p in self._pending):
            self._pending.append(_Pending(text, kind, t, fault, phase))

    def _still_true(self, p: _Pending, state: EngineState) -> bool:
        if p.fault is not None:
            return p.fault in state.faults
        if p.phase is not None:
            return state.phase == p.phase
        return state.t_s - p.asked_s <= self.style.cues.max_wait_s

    def _repeats(self, words: tuple[str, ...], t: float) -> bool:
        gap = self.style.cues.same_cue_gap_s
        self._recent = [(s, ws) for s, ws in self._recent if t - s < gap]
        return any(_contains(ws, words) or _contains(words, ws) for _, ws in self._recent)

    def _start(self, out: list[Cue], text: str, kind: str, t: float, urgent: bool = False) -> None:
        duration = self.style.speech_s(text)
        self.busy_until = t + duration
        if kind not in ("countdown", "rep"):
            self._recent.append((t, _words(text)))
        out.append(Cue(text, kind, urgent, round(t, 3), round(duration, 3)))

    def _release(self, out: list[Cue], state: EngineState) -> None:
        """Say what waits, in order, while the voice is free now."""
        t = state.t_s
        while self._pending and self.busy_until <= t + 1e-9:
            p = self._pending.pop(0)
            if not self._still_true(p, state):
                continue
            text = self._instruction(state) if p.kind == "instruction" and p.phase is not None else p.text
            if p.kind not in ("countdown", "rep") and self._repeats(_words(text), t):
                continue
            self._start(out, text, p.kind, t)

    def _instruction(self, state: EngineState) -> str:
        """The instruction, or its short form when the full one would run into the countdown."""
        text = state.instruction
        phase = self.exercise.phase(state.phase) if self.exercise and state.phase else None
        if phase is None or not phase.spoken or not state.in_hold or state.hold_target_s <= 0:
            return text
        if text != phase.instruction:
            return text  # a side cue or the done instruction: said as it is
        first_number = state.t_s + max(0.0, state.hold_target_s - state.hold_s) - self.countdown_from
        if max(state.t_s, self.busy_until) + self.style.speech_s(text) <= first_number:
            return text
        return phase.spoken

    # --- events to cues --------------------------------------------------------------------

    def cues(self, events: Sequence[Event], state: EngineState) -> list[Cue]:
        out: list[Cue] = []
        t = state.t_s
        w = self.style.cues

        def ask(text: str, kind: str, **why: str | None) -> None:
            self._ask(text, kind, t, **why)

        started_now = state.started and self._was_started is False
        self._was_started = state.started
        for ev in events:
            if ev.kind == "hold_started":
                self._counted = set()
            elif ev.kind == "hold_short":
                self._short_hold = ev.text
            elif ev.kind == "rep" and ev.rep is not None:
                self._rep(ev, state, ask)
            elif ev.kind == "fault_started" and ev.fault:
                if ev.text:
                    self._fault_text.setdefault(ev.fault, ev.text)
                last = self._fault_said.get(ev.fault)
                if last is None or t - last >= w.fault_repeat_s:
                    self._fault_said[ev.fault] = t
                    ask(ev.text, "fault", fault=ev.fault)
            elif ev.kind == "hold_complete":
                ask(ev.text or "Good", "instruction")
            elif ev.kind == "set_complete":
                ask(w.set_done, "routine")
            elif ev.kind == "tracking_lost":
                self._pending.clear()  # nobody there to hear it
                ask(w.lost_person, "setup")
            elif ev.kind == "setup" and ev.text and not state.started:
                self._setup(ev.text, t, ask)
        # The instruction at each phase change (and once, when counting starts); the start
        # position's plain instruction only then, not again after every rep.
        phase_changed = any(ev.kind == "phase" and ev.phase for ev in events)
        if state.started and (phase_changed or started_now) and state.instruction:
            again_at_start = (
                not started_now
                and self.exercise is not None
                and state.phase == self.exercise.reps.start_phase
                and state.instruction == self.exercise.phase(state.phase).instruction
            )
            if not again_at_start:
                self._pending = [p for p in self._pending if p.kind != "instruction" or p.phase is None]
                ask(state.instruction, "instruction", phase=state.phase)
        # A guided exercise's movement now taken from the picture: said once, as the screen shows
        # it (the coach stops pacing; the person may wonder why).
        if state.guided == "seen" and not self._said_seen:
            self._said_seen = True
            ask(self.style.screen.seen, "routine")
        # Setup advice that stays unchanged is repeated now and then, not every frame: before
        # counting starts, and after it while the screen shows it (out of the start position
        # between reps: Engine._setup_told).
        if state.tracking and state.setup_message and (not state.started or state.instruction == state.setup_message):
            self._setup(state.setup_message, t, ask)
        # The hold countdown: the last seconds, each said once, on its second or not at all.
        if state.holding and not state.hold_done and state.hold_target_s > 0:
            left = math.ceil(state.hold_target_s - state.hold_s - 1e-6)
            if 1 <= left <= self.countdown_from and left not in self._counted and state.hold_target_s > left:
                self._counted.add(left)
                if self.busy_until <= t + w.countdown_late_s:
                    self._start(out, f"{left}", "countdown", max(t, self.busy_until), urgent=True)
        self._release(out, state)
        return out

    def _setup(self, text: str, t: float, ask) -> None:
        said = self._setup_said
        if said is None or said[0] != text or t - said[1] >= self.style.cues.setup_repeat_s:
            self._setup_said = (text, t)
            ask(text, "setup")

    def _rep(self, ev: Event, state: EngineState, ask) -> None:
        w = self.style.cues
        rep = ev.rep
        assert rep is not None
        if rep.counted:
            self._clean_streak = self._clean_streak + 1 if not rep.faults else 0
            text = f"{state.reps_counted}"
            if w.praise_every_reps and self._clean_streak and self._clean_streak % w.praise_every_reps == 0:
                text += ". " + w.praise[self._praised % len(w.praise)]
                self._praised += 1
            ask(text, "rep")
        elif rep.faults:
            self._clean_streak = 0
            message = self._fault_text.get(rep.faults[0]) or rep.faults[0].replace("_", " ")
            ask(w.failed_rep.format(fault=first_clause(message)), "rep")
        else:
            self._clean_streak = 0
            hold = self._short_hold
            ask(w.short_rep.format(hold_s=hold) if hold else w.short_rep_unknown, "rep")
        self._short_hold = None
