"""Spoken cues for someone lying on the floor who cannot read the screen.

Two parts: `CueScheduler` (coach/cues.py) decides what to say and plans it against the
time it takes to say, and `Speaker` says it on a thread with whatever the machine has:
espeak-ng (offline text-to-speech), macOS `say`, Windows' own speech (System.Speech, via
PowerShell), or short tones when there is no speech engine. `--mute` gives a speaker that
says nothing. Nothing is ever cut mid-word: a countdown number that cannot be said on its
second is left out instead.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecheck.coach.cues import Cue, CueScheduler, load_style

__all__ = ["Backend", "Cue", "CueScheduler", "Speaker", "choose_backend"]


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

    @property
    def speaks(self) -> bool:
        """Words, not tones or silence."""
        return self.name not in ("mute", "none") and not self.name.startswith("tones")


def _speak_with(*argv: str) -> Callable[[Cue], list[str] | None]:
    """The command line that speaks a cue: argv, then the cue's words."""
    return lambda cue: [*argv, cue.text]


def _tones_with(folder: Path, *argv: str) -> Callable[[Cue], list[str] | None]:
    """The command line that plays a cue's tone (made once, in folder)."""
    return lambda cue: [*argv, str(_tone_wav(folder, cue.kind))]


def windows_script(text: str, words_per_minute: float) -> str:
    """PowerShell that says text with Windows' own voice (System.Speech, part of Windows).
    The words go in a single-quoted literal: every quote mark PowerShell reads as one is doubled."""
    rate = max(-10, min(10, round((words_per_minute - 170) / 15)))  # SAPI's 0 is about 170 wpm
    literal = re.sub("['\u2018\u2019\u201a\u201b]", "''", text)
    return (
        "Add-Type -AssemblyName System.Speech; "
        "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; "
        f"$s.Rate = {rate}; [void]$s.Speak('{literal}')"
    )


def _windows_with(powershell: str, words_per_minute: float) -> Callable[[Cue], list[str] | None]:
    def command(cue: Cue) -> list[str]:
        script = windows_script(cue.text, words_per_minute).encode("utf-16-le")
        return [powershell, "-NoProfile", "-NonInteractive", "-EncodedCommand", base64.b64encode(script).decode()]

    return command


def choose_backend(
    *,
    mute: bool = False,
    which: Callable[[str], str | None] = shutil.which,
    platform: str = sys.platform,
    words_per_minute: float | None = None,
) -> Backend:
    """The best voice the machine has: espeak-ng, espeak, macOS say, Windows' own speech;
    else tones; else nothing."""
    if mute:
        return Backend("mute", lambda cue: None)
    wpm = words_per_minute or load_style().speech.words_per_minute
    for exe in ("espeak-ng", "espeak"):
        path = which(exe)
        if path:
            return Backend(exe, _speak_with(path, "-s", f"{wpm:.0f}", "--"))
    say = which("say") if platform == "darwin" else None
    if say:
        return Backend("say", _speak_with(say, "-r", f"{wpm:.0f}", "--"))
    if platform == "win32":
        powershell = which("powershell") or which("pwsh")
        if powershell:
            return Backend("windows speech", _windows_with(powershell, wpm))
    folder = Path(tempfile.mkdtemp(prefix="posecheck-tones-"))
    for player, args in (("paplay", []), ("pw-play", []), ("aplay", ["-q"]), ("afplay", [])):
        path = which(player)
        if path:
            return Backend(f"tones ({player})", _tones_with(folder, path, *args))
    return Backend("none", lambda cue: None)


class Speaker:
    """Says cues one at a time on a thread, each to its end. New cues make stale ones
    pointless: the queue keeps the few most recent; an urgent cue (a countdown number) goes
    first, and is dropped rather than said late."""

    MAX_QUEUED = 2

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        mute: bool = False,
        runner: Runner = _popen,
        urgent_late_s: float | None = None,
    ) -> None:
        self.backend = backend or choose_backend(mute=mute)
        self.urgent_late_s = load_style().cues.countdown_late_s if urgent_late_s is None else urgent_late_s
        self.said: list[Cue] = []  # everything handed to the backend, for tests and logs
        self._run = runner
        self._queue: deque[tuple[Cue, float]] = deque()
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
        now = time.monotonic()
        with self._cond:
            for cue in cues:
                if cue.urgent:
                    # a countdown number is only worth saying now: before anything waiting
                    self._queue = deque(c for c in self._queue if not c[0].urgent)
                    self._queue.appendleft((cue, now))
                else:
                    self._queue.append((cue, now))
                while len(self._queue) > self.MAX_QUEUED:
                    # drop the oldest ordinary cue first
                    victim = next((c for c in self._queue if not c[0].urgent), self._queue[0])
                    self._queue.remove(victim)
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._stop)
                if self._stop:
                    return
                cue, queued_at = self._queue.popleft()
                if cue.urgent and time.monotonic() - queued_at > self.urgent_late_s:
                    continue  # its second has passed: not said late, and nothing was cut for it
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


def missing_voice_note(backend: Backend) -> str:
    """One line when cues cannot be spoken (and the user did not ask for silence), else ''."""
    if backend.speaks or backend.name == "mute":
        return ""
    how = "tones only" if backend.name.startswith("tones") else "no sound"
    return f"No speech engine found ({how}): the cues are on screen. Install espeak-ng to hear them"
