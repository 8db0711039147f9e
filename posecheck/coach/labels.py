"""The words the annotated video and the live screen show about the set, from the engine's
state: the count in the exercise's own unit, the reps not counted, the hold, and what stops
the hold from counting. Shared, so both say the same thing.
"""

from __future__ import annotations

import math

from posecheck.coach.cues import load_style
from posecheck.exercise.definition import Exercise
from posecheck.exercise.state import EngineState


def count_words(exercise: Exercise, st: EngineState) -> tuple[str, str, str]:
    """(big number, what it counts, the side or round line).

    Rounds count only when every side of the round is done; each-side exercises count the
    side with fewest, so one rep on the left is not "1 each side".
    """
    counting = exercise.reps.counting
    side = st.side or st.next_side
    if counting == "rounds":
        done = min(st.round - 1, st.target)
        line = f"round {min(st.round, st.target)} of {st.target}" + (f" – {side}" if side else "")
        return f"{done}/{st.target}", "rounds", line
    if counting == "each_side":
        counts = dict(st.side_counts)
        done = min(counts.values()) if counts else st.reps_counted
        per = ", ".join(f"{s} {n}" for s, n in st.side_counts)
        line = " · ".join(part for part in (f"{side} side" if side else "", per) if part)
        return f"{done}/{st.target}", "each side", line
    return f"{st.reps_counted}/{st.target}", "reps", ""


def not_counted(st: EngineState) -> str:
    """The attempts that did not count (a short hold, a fault, an unfinished rep), or ""."""
    n = st.reps_attempted - st.reps_counted
    return f"{n} not counted" if n > 0 else ""


def progress(exercise: Exercise, st: EngineState) -> tuple[int, int]:
    """(done, total) segments of the set: reps, rounds, or reps on every side."""
    counting = exercise.reps.counting
    if counting == "rounds":
        return min(st.round - 1, st.target), max(1, st.target)
    if counting == "each_side" and st.side_counts:
        return sum(min(n, st.target) for _, n in st.side_counts), max(1, st.target * len(st.side_counts))
    return min(st.reps_counted, st.target), max(1, st.target)


def hold_seconds(st: EngineState) -> str:
    """The hold ring's middle: the whole seconds left, or OK once held."""
    if st.hold_done:
        return "OK"
    return f"{math.ceil(max(0.0, st.hold_target_s - st.hold_s) - 1e-6):d}"


def hold_blocked_by(exercise: Exercise, st: EngineState) -> str:
    """The message of the fault that keeps the hold from counting now, or ""."""
    if not st.in_hold or st.hold_done or st.holding:
        return ""
    for fault in exercise.faults:
        if fault.id in st.faults and st.phase in fault.phases:
            return fault.message
    return ""


def fault_line(exercise: Exercise, st: EngineState) -> str:
    """The fault to show: with the hold stopped by it, that it is not counting and why."""
    blocking = hold_blocked_by(exercise, st)
    if blocking:
        return f"Not counting: {_lower_first(blocking)}"
    return st.fault_message


def _lower_first(text: str) -> str:
    # "Lift your hips…" continues a sentence in lower case; "I can't…" keeps its capital
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def guided_line(exercise: Exercise, st: EngineState) -> str:
    """For a guided exercise, once counting started: whether its movement is counted from the
    picture now, and if not, why (exercises/_voice.toml [screen]); else ""."""
    if not st.guided or not st.started or exercise.guided is None:
        return ""
    template = load_style().screen.model_dump().get(st.guided, "")
    return template.format(reason=_lower_first(exercise.guided.reason.rstrip(". ")))
