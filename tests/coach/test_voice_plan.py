"""The voice plan on scripted sessions (the real engine on stick figures, no camera, no
audio): no cue cut mid-word or run into the next, the countdown said on time or left out,
a failed rep announced with its reason, good form praised now and then, no cue repeated
within the gap. And the speech-time estimate checked against espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import replace

import pytest

from posecheck.coach.cues import Cue, CueScheduler, first_clause, load_style
from posecheck.exercise.definition import load, load_all
from posecheck.exercise.engine import Engine
from posecheck.exercise.guided import GuidedEngine
from posecheck.exercise.signals import SignalReader
from posecheck.pose.follow import PoseSmoother

from stickfigure import REST, Body, Key, lift_for_line, perform

STYLE = load_style()
GAP_S = STYLE.cues.same_cue_gap_s
MOVE_S = 1.5


def session(exercise, keys, engine_class=Engine, fps=15.0):
    """Landmarks -> smoothing -> signals -> engine -> scheduler: every cue with the time it was asked for."""
    engine = engine_class(exercise)
    reader, smooth = SignalReader(exercise), PoseSmoother(exercise)
    sched = CueScheduler(exercise)
    out: list[tuple[float, Cue]] = []
    for t, pose in perform(keys, fps):
        if pose is not None:
            pose = smooth(t, pose)
        state, events = engine.update(t, reader.read(t, pose))
        out += [(t, c) for c in sched.cues(events, state)]
    return engine, out


def check_plan(plan: list[tuple[float, Cue]]) -> None:
    """What every session must hold to."""
    late = STYLE.cues.countdown_late_s
    end = float("-inf")
    for t, cue in plan:
        assert cue.start_s is not None and cue.duration_s is not None
        # one at a time, each to its end: nothing starts before the last one is finished
        assert cue.start_s >= end - 2e-3, f"{cue.text!r} at {cue.start_s} cuts into the cue before (ends {end})"
        assert cue.start_s >= t - 1e-3
        if cue.kind == "countdown":
            assert cue.start_s <= t + late + 1e-3, f"countdown {cue.text} said late"
        end = cue.start_s + cue.duration_s
    # no cue twice within the gap (the same words, or one inside the other, for word cues)
    for i, (_, a) in enumerate(plan):
        for _, b in plan[i + 1 :]:
            assert b.start_s is not None and a.start_s is not None
            if b.start_s - a.start_s >= GAP_S:
                break
            assert not (a.kind == b.kind and a.text == b.text), f"{a.text!r} twice within {GAP_S} s"
            if "countdown" not in (a.kind, b.kind) and "rep" not in (a.kind, b.kind):
                wa, wb = a.text.lower().strip(". "), b.text.lower().strip(". ")
                assert wa not in wb and wb not in wa, f"{a.text!r} then {b.text!r} within {GAP_S} s"


# --- pelvic tilt: a 5 s hold, once cut off by the countdown --------------------------------

PELVIC = load("pelvic_tilt")


def test_pelvic_tilt_instruction_is_finished_before_the_countdown():
    rest_s = PELVIC.guided.rest_between_s
    paced = 2 * (PELVIC.hold.hold_s + 2 * PELVIC.tracking.debounce_s) + 2 * rest_s
    _, plan = session(PELVIC, [Key(REST, stay_s=rest_s + 2 * paced + 1.0)], GuidedEngine)
    check_plan(plan)
    texts = [c.text for _, c in plan]
    arch = PELVIC.phase("arch")
    # the full sentence (5.2 s of speech) does not fit a 5 s hold before "3": the short form is said
    assert arch.instruction not in texts and texts.count(arch.spoken) >= 2
    holds = 0
    for i, (_, cue) in enumerate(plan[:-3]):
        if cue.text == arch.spoken:
            holds += 1
            after = [c.text for _, c in plan[i + 1 : i + 4] if c.kind == "countdown"]
            # what fits after it is counted down, on time, to the last number
            assert after and after == ["3", "2", "1"][-len(after) :], after
    assert holds >= 2
    # "Relax" is not followed by "... — relax" a moment later
    relax = [i for i, (_, c) in enumerate(plan) if c.text == "Relax"]
    assert relax
    for i in relax:
        t = plan[i][1].start_s
        assert not any("relax" in c.text.lower() for _, c in plan[i + 1 :] if c.start_s - t < GAP_S)


# --- bridge: a failed rep, praise, and nothing said twice ----------------------------------

BRIDGE = load("bridge")
TOP = Body(lift_deg=lift_for_line(0.0))
LOW = Body(lift_deg=lift_for_line(-17.0))


def reps(*bodies: Body, hold: float = 12.5, rest: float = 2.5) -> list[Key]:
    keys = [Key(REST, stay_s=rest)]
    for body in bodies:
        keys += [Key(body, MOVE_S, hold), Key(REST, MOVE_S, rest)]
    return keys


def test_bridge_session_announces_a_failed_rep_and_praises_now_and_then():
    engine, plan = session(BRIDGE, reps(TOP, LOW, TOP, TOP, TOP))
    check_plan(plan)
    assert [r.counted for r in engine.reps] == [True, False, True, True, True]
    said = [(c.kind, c.text) for _, c in plan]
    hips = next(f for f in BRIDGE.faults if f.id == "hips_low")
    failed = STYLE.cues.failed_rep.format(fault=first_clause(hips.message))
    assert failed == "That one didn't count — lift your hips higher"
    assert ("rep", failed) in said
    counts = [text for kind, text in said if kind == "rep" and text != failed]
    # clean reps in a row: the third is praised; the failed one broke the first run
    assert counts == ["1", "2", "3", f"4. {STYLE.cues.praise[0]}"]
    # the countdown of every counted hold, on time
    assert [text for kind, text in said if kind == "countdown"] == ["3", "2", "1"] * 4


def test_same_words_within_the_gap_are_said_once():
    from test_voice import BASE, frames  # a state with nothing happening

    from posecheck.exercise.state import Event

    lie = "Lie on your back, knees bent, feet flat — relax"
    script = [
        ([Event(1.0, "hold_complete", text="Relax")], replace(BASE, t_s=1.0)),
        ([Event(1.4, "phase", phase="rest")], replace(BASE, t_s=1.4, instruction=lie)),
        *frames(3.0, 1.5, instruction=lie),
        ([Event(9.0, "hold_complete", text="Relax")], replace(BASE, t_s=9.0, instruction=lie)),
    ]
    sched = CueScheduler(BRIDGE)
    said = [c.text for events, state in script for c in sched.cues(events, state)]
    assert said == ["Relax", "Relax"]  # the second 7 s later; "... — relax" left out 0.4 s after the first


def test_the_switch_to_counting_from_the_picture_is_said_once():
    """Live, a guided exercise whose tilt the camera starts to see stops being paced: the coach
    says so, once, even when the gate's trust comes and goes."""
    from test_voice import BASE

    sched = CueScheduler(PELVIC)
    said = []
    for i, mode in enumerate(["checking", "paced", "seen", "seen", "paced", "seen"] + ["seen"] * 60):
        state = replace(BASE, t_s=1.0 + i * 0.1, guided=mode)
        said += [c.text for c in sched.cues([], state)]
    assert said == [STYLE.screen.seen]


# --- every shipped exercise: its hold instruction leaves room for the countdown -------------


@pytest.mark.parametrize("exercise", load_all(), ids=lambda e: e.id)
def test_hold_instructions_leave_the_last_countdown_number(exercise):
    from test_voice import BASE

    from posecheck.exercise.state import Event

    for phase in exercise.phases:
        hold_s = phase.hold_s or exercise.hold.hold_s
        if not phase.hold or not phase.counts or hold_s <= 1:
            continue
        sched = CueScheduler(exercise)
        state = replace(
            BASE, t_s=0.0, phase=phase.id, instruction=phase.instruction, in_hold=True, holding=True,
            hold_s=0.0, hold_target_s=hold_s,
        )  # fmt: skip
        (cue,) = sched.cues([Event(0.0, "phase", phase=phase.id)], state)
        assert cue.text in (phase.instruction, phase.spoken)
        assert cue.start_s + cue.duration_s <= hold_s - 1 + STYLE.cues.countdown_late_s, (
            f"{exercise.id}.{phase.id}: {cue.text!r} takes {cue.duration_s:.1f} s of a {hold_s:g} s hold: "
            "give the phase a shorter `spoken` form"
        )


# --- the estimate against the real voice ---------------------------------------------------


def _espeak_s(text: str, tmp_path) -> float:
    out = tmp_path / "cue.wav"
    wpm = f"{STYLE.speech.words_per_minute:.0f}"
    subprocess.run(["espeak-ng", "-s", wpm, "-w", str(out), "--", text], check=True, timeout=20)
    with wave.open(str(out)) as w:
        return w.getnframes() / w.getframerate()


def test_speech_estimate_errs_long_against_espeak_ng(tmp_path):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    texts = {"3", STYLE.cues.praise[1], STYLE.cues.failed_rep.format(fault="lift your hips higher")}
    for ex in load_all():
        texts |= {p.instruction for p in ex.phases} | {p.spoken for p in ex.phases if p.spoken}
        texts |= {f.message for f in ex.faults}
    figures = []
    for text in sorted(texts):
        real, planned = _espeak_s(text, tmp_path), STYLE.speech_s(text)
        figures.append((real, planned, text))
        # never short by more than a syllable's worth, and not wildly long
        assert real - 0.15 <= planned <= real + 0.8, f"{text!r}: espeak-ng {real:.2f} s, planned {planned:.2f} s"
    print("\n".join(f"{r:5.2f} s real, {p:5.2f} s planned: {t}" for r, p, t in figures))
