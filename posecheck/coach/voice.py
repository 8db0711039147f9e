"""Spoken cues for someone lying on the floor who cannot read the screen.

Two parts: `CueScheduler` decides what to say from the engine's events and state (pure:
no clock, no sound; tests drive it with tables), and `Speaker` says it on a thread with
whatever the machine has: espeak-ng (offline text-to-speech), macOS `say`, or short tones
when there is no speech engine. `--mute` gives a speaker that says nothing.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecheck.exercise.state import EngineState, Event


@dataclass(frozen=True)
class Cue:
    """Something to say. kind: instruction, countdown, rep, fault, setup, camera, routine.

    An urgent cue (the hold countdown) is said now or never: it interrupts a longer
    sentence and is not left waiting in the queue.
    """

    text: str
    kind: str
    urgent: bool = False


class CueScheduler:
    """What to say, from one exercise's events and state, frame after frame.

    Said once each: the instruction when the phase changes, the last `countdown_from`
    seconds of a hold, the rep count, a fault when it starts (the same fault again only
    after `fault_repeat_s`), setup advice while the start position is not yet seen (at
    most every `setup_repeat_s`). Times are the engine's, in seconds.
    """

    def __init__(self, *, countdown_from: int = 3, fault_repeat_s: float = 8.0, setup_repeat_s: float = 6.0) -> None:
        self.countdown_from = countdown_from
        self.fault_repeat_s = fault_repeat_s
        self.setup_repeat_s = setup_repeat_s
        self._counted: set[int] = set()
        self._fault_said: dict[str, float] = {}
        self._setup_said: tuple[str, float] | None = None
        self._was_started: bool | None = None  # unknown until the first frame
        self._short_hold: str | None = None

    def cues(self, events: Sequence[Event], state: EngineState) -> list[Cue]:
        out: list[Cue] = []
        t = state.t_s
        said: set[str] = set()

        def say(text: str, kind: str, urgent: bool = False) -> None:
            if text and text not in said:
                said.add(text)
                out.append(Cue(text, kind, urgent))

        started_now = state.started and self._was_started is False
        self._was_started = state.started
        for ev in events:
            if ev.kind == "hold_started":
                self._counted = set()
            elif ev.kind == "hold_short":
                self._short_hold = ev.text
            elif ev.kind == "rep" and ev.rep is not None:
                if ev.rep.counted:
                    say(f"{state.reps_counted}", "rep")
                elif not ev.rep.faults:
                    hold = f" for {self._short_hold} seconds" if self._short_hold else " longer"
                    say(f"Too short. Hold{hold}", "rep")
                self._short_hold = None
            elif ev.kind == "fault_started" and ev.fault:
                last = self._fault_said.get(ev.fault)
                if last is None or t - last >= self.fault_repeat_s:
                    self._fault_said[ev.fault] = t
                    say(ev.text, "fault")
            elif ev.kind == "hold_complete":
                say(ev.text or "Good", "instruction")
            elif ev.kind == "set_complete":
                say("That's the set. Well done", "routine")
            elif ev.kind == "tracking_lost":
                say("I can't see you", "setup")
            elif ev.kind == "setup" and ev.text and not state.started:
                setup_said = self._setup_said
                if setup_said is None or setup_said[0] != ev.text or t - setup_said[1] >= self.setup_repeat_s:
                    self._setup_said = (ev.text, t)
                    say(ev.text, "setup")
        # The instruction at each phase change (and once, when counting starts).
        phase_changed = any(ev.kind == "phase" and ev.phase for ev in events)
        if state.started and (phase_changed or started_now) and state.instruction:
            say(state.instruction, "instruction")
        # Setup advice that stays unchanged is repeated now and then, not every frame.
        if not state.started and state.tracking and state.setup_message:
            setup_said = self._setup_said
            if setup_said is None or setup_said[0] != state.setup_message or t - setup_said[1] >= self.setup_repeat_s:
                self._setup_said = (state.setup_message, t)
                say(state.setup_message, "setup")
        # The hold countdown: the last seconds, each said once.
        if state.holding and not state.hold_done and state.hold_target_s > 0:
            left = math.ceil(state.hold_target_s - state.hold_s - 1e-6)
            if 1 <= left <= self.countdown_from and left not in self._counted and state.hold_target_s > left:
                self._counted.add(left)
                say(f"{left}", "countdown", urgent=True)
        return out


# --- saying it ------------------------------------------------------------------------------


Runner = Callable[[list[str]], "subprocess.Popen | None"]


def _popen(cmd: list[str]) -> subprocess.Popen | None:
    try:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None


TONES_HZ = {
    "countdown": (880,),
    "rep": (660, 990),
    "fault": (330, 330),
    "instruction": (587,),
    "setup": (440,),
    "camera": (262, 196),
    "routine": (523, 659, 784),
}


def _tone_wav(folder: Path, kind: str, rate: int = 22050) -> Path:
    path = folder / f"{kind}.wav"
    if path.exists():
        return path
    parts = []
    for hz in TONES_HZ.get(kind, (600,)):
        t = np.arange(int(rate * 0.14)) / rate
        env = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # no clicks at the ends
        parts += [0.4 * np.sin(2 * np.pi * hz * t) * env, np.zeros(int(rate * 0.04))]
    pcm = (np.concatenate(parts) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


@dataclass(frozen=True)
class Backend:
    """How a cue becomes sound: a command line per cue, or nothing."""

    name: str
    command: Callable[[Cue], list[str] | None]


def _speak_with(*argv: str) -> Callable[[Cue], list[str] | None]:
    """The command line that speaks a cue: argv, then the cue's words."""
    return lambda cue: [*argv, cue.text]


def _tones_with(folder: Path, *argv: str) -> Callable[[Cue], list[str] | None]:
    """The command line that plays a cue's tone (made once, in folder)."""
    return lambda cue: [*argv, str(_tone_wav(folder, cue.kind))]


def choose_backend(
    *, mute: bool = False, which: Callable[[str], str | None] = shutil.which, platform: str = sys.platform
) -> Backend:
    """The best voice the machine has: espeak-ng, espeak, macOS say; else tones; else nothing."""
    if mute:
        return Backend("mute", lambda cue: None)
    for exe in ("espeak-ng", "espeak"):
        path = which(exe)
        if path:
            return Backend(exe, _speak_with(path, "-s", "150", "--"))
    say = which("say") if platform == "darwin" else None
    if say:
        return Backend("say", _speak_with(say, "--"))
    folder = Path(tempfile.mkdtemp(prefix="posecheck-tones-"))
    for player, args in (("paplay", []), ("pw-play", []), ("aplay", ["-q"]), ("afplay", [])):
        path = which(player)
        if path:
            return Backend(f"tones ({player})", _tones_with(folder, path, *args))
    return Backend("none", lambda cue: None)


class Speaker:
    """Says cues one at a time on a thread. New cues make stale ones pointless: the queue
    keeps the few most recent, and an urgent cue interrupts what is being said."""

    MAX_QUEUED = 2

    def __init__(self, backend: Backend | None = None, *, mute: bool = False, runner: Runner = _popen) -> None:
        self.backend = backend or choose_backend(mute=mute)
        self.said: list[Cue] = []  # everything handed to the backend, for tests and logs
        self._run = runner
        self._queue: deque[Cue] = deque()
        self._cond = threading.Condition()
        self._proc: subprocess.Popen | None = None
        self._busy = False
        self._stop = False
        self._thread = threading.Thread(target=self._work, name="posecheck-voice", daemon=True)
        self._thread.start()

    @property
    def muted(self) -> bool:
        return self.backend.name in ("mute", "none")

    def say(self, cues: Iterable[Cue]) -> None:
        with self._cond:
            for cue in cues:
                if cue.urgent:
                    # a countdown number is only worth saying now
                    self._queue = deque(c for c in self._queue if not c.urgent)
                    self._queue.appendleft(cue)
                    proc = self._proc
                    if proc is not None and proc.poll() is None:
                        proc.terminate()
                else:
                    self._queue.append(cue)
                while len(self._queue) > self.MAX_QUEUED:
                    # drop the oldest ordinary cue first
                    victim = next((c for c in self._queue if not c.urgent), self._queue[0])
                    self._queue.remove(victim)
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._stop)
                if self._stop:
                    return
                cue = self._queue.popleft()
                self._busy = True
            cmd = self.backend.command(cue)
            self.said.append(cue)
            proc = self._run(cmd) if cmd is not None else None
            with self._cond:
                self._proc = proc
            if proc is not None:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            with self._cond:
                self._proc = None
                self._busy = False
                self._cond.notify_all()

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until the queue is empty (the end of a session, tests)."""
        with self._cond:
            self._cond.wait_for(lambda: not self._queue and not self._busy, timeout=timeout)

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._queue.clear()
            proc = self._proc
            self._cond.notify_all()
        if proc is not None and proc.poll() is None:
            proc.terminate()
        self._thread.join(timeout=2.0)
