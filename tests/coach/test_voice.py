"""Spoken cues: which cue at which event (a table), never every frame; the speaker's queue,
its choice of voice, and espeak-ng when the machine has it."""

from __future__ import annotations

import base64
import shutil
import threading
import time
import wave
from dataclasses import replace

import pytest

from posecheck.coach.cues import Cue, CueScheduler
from posecheck.coach.voice import Backend, Speaker, choose_backend, missing_voice_note, windows_script
from posecheck.exercise.state import EngineState, Event, Rep

BASE = EngineState(
    t_s=0.0, tracking=True, started=True, setup_ok=True, setup_message="", phase="rest",
    instruction="Raise your hips", side=None, next_side=None, round=1, reps_counted=0,
    reps_attempted=0, target=5, hold_s=0.0, hold_target_s=0.0, in_hold=False, holding=False,
    hold_done=False, faults=(), fault_message="", values={}, set_complete=False,
)  # fmt: skip
FPS = 30


def frames(seconds: float, start: float = 0.0, **state):
    """A stretch of frames with nothing happening: (events, state)."""
    n = round(seconds * FPS)
    return [([], replace(BASE, t_s=start + i / FPS, **state)) for i in range(n)]


def hold(target: float, start: float, until: float) -> list:
    """Holding from start, the timer running, to `until` seconds of hold."""
    out = []
    n = round(until * FPS)
    for i in range(n + 1):
        events = (
            [Event(start, "phase", text="Hold", phase="up"), Event(start, "hold_started", phase="up")] if i == 0 else []
        )
        out.append(
            (
                events,
                replace(
                    BASE,
                    t_s=start + i / FPS,
                    phase="up",
                    instruction="Hold",
                    in_hold=True,
                    holding=True,
                    hold_s=i / FPS,
                    hold_target_s=target,
                ),
            )
        )
    return out


def rep(t: float, counted: bool, n: int, faults=()) -> tuple:
    r = Rep(index=n, side=None, start_s=t - 5, end_s=t, counted=counted, faults=list(faults))
    return (
        [Event(t, "phase", text="Raise your hips", phase="rest"), Event(t, "rep", rep=r)],
        replace(BASE, t_s=t, reps_counted=n if counted else n - 1, reps_attempted=n),
    )


def fault(t: float, fid: str = "hips_low", message: str = "Lift your hips higher") -> tuple:
    return (
        [Event(t, "fault_started", text=message, fault=fid)],
        replace(BASE, t_s=t, phase="up", faults=(fid,), fault_message=message),
    )


def said(script) -> list[tuple[str, str]]:
    sched = CueScheduler()
    out = []
    for events, state in script:
        out += [(c.kind, c.text) for c in sched.cues(events, state)]
    return out


# case: frames -> the cues said, in order (kind, text)
CASES = {
    "instruction at a phase change, once": (
        [([Event(0.0, "phase", text="Raise your hips", phase="rest")], BASE), *frames(3.0, 0.1)],
        [("instruction", "Raise your hips")],
    ),
    "countdown: the last three seconds, each once": (
        hold(12.0, 1.0, 12.0)[:-1],
        [("instruction", "Hold"), ("countdown", "3"), ("countdown", "2"), ("countdown", "1")],
    ),
    "a short hold counts down only what is left after its start": (
        hold(2.0, 1.0, 1.9),
        [("instruction", "Hold"), ("countdown", "1")],
    ),
    "no countdown while the timer is stopped": (
        [(ev, replace(st, holding=False)) for ev, st in hold(12.0, 1.0, 12.0)[:-1]],
        [("instruction", "Hold")],
    ),
    "rep count when it counts": (
        [rep(10.0, True, 3), *frames(2.0, 10.1)],
        [("rep", "3"), ("instruction", "Raise your hips")],
    ),
    "a short hold is named as such": (
        [([Event(9.0, "hold_short", text="12", phase="up")], BASE), rep(10.0, False, 1), *frames(4.0, 10.1)],
        [("rep", "Too short. Hold for 12 seconds"), ("instruction", "Raise your hips")],
    ),
    "fault when it starts, not every frame": (
        [fault(1.0), *frames(2.0, 1.1, faults=("hips_low",), fault_message="Lift your hips higher")],
        [("fault", "Lift your hips higher")],
    ),
    "the same fault again soon is not repeated": (
        [fault(1.0), fault(4.0)],
        [("fault", "Lift your hips higher")],
    ),
    "the same fault again later is": (
        [fault(1.0), fault(12.0)],
        [("fault", "Lift your hips higher"), ("fault", "Lift your hips higher")],
    ),
    "two faults are two cues": (
        [
            fault(1.0),
            fault(1.5, "head_lifted", "Rest your head on the floor"),
            *frames(3.0, 1.6, faults=("hips_low", "head_lifted")),
        ],
        [("fault", "Lift your hips higher"), ("fault", "Rest your head on the floor")],
    ),
    "a fault that is over before the voice is free is not said": (
        [fault(1.0), fault(1.5, "head_lifted", "Rest your head on the floor"), *frames(3.0, 1.6, faults=("hips_low",))],
        [("fault", "Lift your hips higher")],
    ),
    "setup advice now and then, not every frame": (
        frames(10.0, started=False, setup_ok=False, setup_message="Move the camera back"),
        [("setup", "Move the camera back"), ("setup", "Move the camera back")],
    ),
    "after counting starts, setup advice only while the screen shows it": (
        frames(3.0, setup_ok=False, setup_message="Let your arms hang relaxed by your sides")
        + frames(
            10.0,
            3.0,
            setup_ok=False,
            setup_message="Let your arms hang relaxed by your sides",
            instruction="Let your arms hang relaxed by your sides",
        ),
        [("setup", "Let your arms hang relaxed by your sides"), ("setup", "Let your arms hang relaxed by your sides")],
    ),
    "no instruction before counting starts": (
        [([Event(0.0, "phase", text="Raise your hips", phase="rest")], replace(BASE, started=False))],
        [],
    ),
    "the instruction once counting starts": (
        frames(0.5, started=False) + frames(0.5, 0.5),
        [("instruction", "Raise your hips")],
    ),
    "losing the person": (
        [
            ([Event(1.0, "tracking_lost")], replace(BASE, t_s=1.0, tracking=False, instruction="")),
            *frames(1.0, 1.1, tracking=False),
        ],
        [("setup", "I can't see you")],
    ),
    "set complete": (
        [([Event(5.0, "set_complete")], replace(BASE, t_s=5.0, set_complete=True))],
        [("routine", "That's the set. Well done")],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_cues(name):
    script, want = CASES[name]
    assert said(script) == want


def test_countdown_restarts_with_each_hold():
    script = hold(5.0, 1.0, 4.99) + hold(5.0, 10.0, 4.99)
    assert [t for k, t in said(script) if k == "countdown"] == ["3", "2", "1", "3", "2", "1"]


def test_countdown_cues_are_urgent():
    sched = CueScheduler()
    cues = [c for ev, st in hold(12.0, 0.0, 11.5) for c in sched.cues(ev, st)]
    assert all(c.urgent == (c.kind == "countdown") for c in cues)


# --- the speaker ---------------------------------------------------------------------------


class FakeProc:
    def __init__(self, cmd, seconds):
        self.cmd, self.done, self.terminated = cmd, threading.Event(), False
        threading.Timer(seconds, self.done.set).start()

    def poll(self):
        return 0 if self.done.is_set() else None

    def wait(self, timeout=None):
        self.done.wait(timeout)
        return 0

    def terminate(self):
        self.terminated = True
        self.done.set()

    kill = terminate


def fake_speaker(seconds: float = 0.0):
    procs = []

    def runner(cmd):
        p = FakeProc(cmd, seconds)
        procs.append(p)
        return p

    sp = Speaker(Backend("fake", lambda cue: ["say", cue.text]), runner=runner)
    return sp, procs


def test_speaker_says_cues_in_order():
    sp, procs = fake_speaker()
    sp.say([Cue("Raise your hips", "instruction"), Cue("3", "rep")])
    sp.drain()
    sp.close()
    assert [p.cmd for p in procs] == [["say", "Raise your hips"], ["say", "3"]]


def test_speaker_drops_stale_cues_and_never_cuts_a_cue_short():
    sp, procs = fake_speaker(seconds=0.5)
    sp.say([Cue("a long instruction", "instruction")])
    time.sleep(0.1)
    sp.say([Cue("one", "setup"), Cue("two", "setup"), Cue("three", "setup")])  # only the newest few wait
    sp.say([Cue("3", "countdown", urgent=True)])  # too late by the time the voice is free
    sp.drain(timeout=5)
    sp.close()
    texts = [p.cmd[1] for p in procs]
    assert not any(p.terminated for p in procs)  # nothing was cut mid-word
    assert texts[0] == "a long instruction" and "3" not in texts  # a late countdown number is left out
    assert "one" not in texts and "three" in texts
    assert len(texts) <= 1 + Speaker.MAX_QUEUED


def test_a_countdown_number_goes_before_waiting_cues():
    sp, procs = fake_speaker(seconds=0.3)
    sp.urgent_late_s = 1.0
    sp.say([Cue("Hold", "instruction")])
    time.sleep(0.05)
    sp.say([Cue("Lift your hips higher", "fault"), Cue("2", "countdown", urgent=True)])
    sp.drain(timeout=5)
    sp.close()
    assert [p.cmd[1] for p in procs] == ["Hold", "2", "Lift your hips higher"]


def test_mute_says_nothing():
    ran = []
    sp = Speaker(mute=True, runner=lambda cmd: ran.append(cmd))
    sp.say([Cue("Raise your hips", "instruction"), Cue("3", "countdown", urgent=True)])
    sp.drain()
    sp.close()
    assert sp.backend.name == "mute" and sp.muted
    assert ran == []


@pytest.mark.parametrize(
    "have, platform, name",
    [
        ({"espeak-ng", "espeak", "aplay"}, "linux", "espeak-ng"),
        ({"espeak", "aplay"}, "linux", "espeak"),
        ({"say", "afplay"}, "darwin", "say"),
        ({"aplay"}, "linux", "tones (aplay)"),
        ({"paplay", "aplay"}, "linux", "tones (paplay)"),
        ({"powershell"}, "win32", "windows speech"),
        ({"espeak-ng", "powershell"}, "win32", "espeak-ng"),
        ({"say"}, "linux", "none"),  # say is macOS's; another program by that name is not a voice
        (set(), "linux", "none"),
    ],
)
def test_backend_choice(have, platform, name):
    backend = choose_backend(which=lambda exe: f"/usr/bin/{exe}" if exe in have else None, platform=platform)
    assert backend.name == name
    cmd = backend.command(Cue("Raise your hips", "instruction"))
    if name == "none":
        assert cmd is None
    elif name.startswith("tones"):
        with wave.open(cmd[-1]) as w:  # a real, short sound file
            assert w.getframerate() > 8000 and 0.05 < w.getnframes() / w.getframerate() < 1.0
    elif name == "windows speech":
        assert cmd[:2] == ["/usr/bin/powershell", "-NoProfile"] and cmd[-2] == "-EncodedCommand"
        script = base64.b64decode(cmd[-1]).decode("utf-16-le")
        assert script == windows_script("Raise your hips", 150) and "Speak('Raise your hips')" in script
    else:
        assert cmd[0] == f"/usr/bin/{name}" and cmd[-1] == "Raise your hips"
        assert "150" in cmd  # the speaking rate the plan assumes
    assert backend.speaks == (name in ("espeak-ng", "espeak", "say", "windows speech"))
    assert bool(missing_voice_note(backend)) == (not backend.speaks)


@pytest.mark.parametrize("text", ["That one didn't count", "it’s ‘quoted’", "'); Remove-Item x; ('"])
def test_windows_script_keeps_the_words_inside_the_literal(text):
    script = windows_script(text, 150)
    literal = script[script.index(".Speak('") + len(".Speak('") : script.rindex("')")]
    # every quote mark inside is doubled, so the literal cannot end early
    assert "'" not in literal.replace("''", "")
    assert literal.replace("''", "'") == text.replace("’", "'").replace("‘", "'")


def test_espeak_ng_is_used_when_present():
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    sp = Speaker()
    assert sp.backend.name == "espeak-ng"
    sp.say([Cue("three", "countdown", urgent=True)])
    sp.drain(timeout=10)
    sp.close()
    assert [c.text for c in sp.said] == ["three"]
