"""Progression: the target the user aims for today, from the sessions done so far.

Pure: the rule and its numbers come from the exercise definition (`reps.target`,
`reps.target_max`, `[progression]`); the sessions come from the caller. The page says to
start with a few, increase as it gets easier and work up to the maximum (bridge 5 -> 30).
"Easier" is read as: the last `sessions_to_advance` sessions each reached the target with
good form (enough of the attempts counted, few reps with a fault). Then the target rises by
`step`, once per session, never past `target_max`. A target set by hand wins until cleared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from posecheck.exercise.definition import Exercise


@dataclass(frozen=True)
class SessionResult:
    """What progression needs to know of one session."""

    achieved: int  # comparable with the target: reps counted, the fewest on a side, or rounds
    attempted: int  # reps attempted (counted or not)
    counted: int  # reps counted
    fault_reps: int  # reps with at least one fault


@dataclass(frozen=True)
class Target:
    reps: int  # what to aim for now
    planned: int  # what the plan says (equals reps unless set by hand)
    manual: int | None
    reason: str


def rep_sides(exercise: Exercise) -> list[str]:
    """The sides an each-side exercise is counted on, in the order of its sequence."""
    steps = exercise.reps.steps
    return list(dict.fromkeys(side for step in steps for ph in step if (side := exercise.phase(ph).side)))


def achieved(exercise: Exercise, reps: Iterable[tuple[str | None, bool]]) -> int:
    """A session's count in the target's unit, from its reps as (side, counted), in order.

    Mirrors how the engine completes a set: reps counted; for each-side exercises the side
    with fewest; for rounds the rounds in which every side was done.
    """
    counted = [side for side, ok in reps if ok]
    counting = exercise.reps.counting
    if counting == "each_side":
        sides = rep_sides(exercise)
        return min((counted.count(s) for s in sides), default=len(counted)) if sides else len(counted)
    if counting == "rounds":
        need, done, rounds = set(exercise.reps.rounds), set(), 0
        for side in counted:
            done.add(side)
            if need <= done:
                rounds, done = rounds + 1, set()
        return rounds
    return len(counted)


def session_result(exercise: Exercise, reps: Sequence[tuple[str | None, bool, bool]]) -> SessionResult:
    """From reps as (side, counted, had_fault), in order."""
    return SessionResult(
        achieved=achieved(exercise, [(side, ok) for side, ok, _ in reps]),
        attempted=len(reps),
        counted=sum(ok for _, ok, _ in reps),
        fault_reps=sum(bad for _, _, bad in reps),
    )


def good_form(exercise: Exercise, s: SessionResult) -> bool:
    rule = exercise.progression
    if s.attempted == 0:
        return False
    return (
        s.counted / s.attempted >= rule.min_counted_ratio - 1e-9
        and s.fault_reps / s.attempted <= rule.max_fault_reps_ratio + 1e-9
    )


def met(exercise: Exercise, s: SessionResult, target: int) -> bool:
    return s.achieved >= target and good_form(exercise, s)


def planned(exercise: Exercise, sessions: Sequence[SessionResult]) -> int:
    """The plan's target after these sessions (oldest first). Sessions with no attempt are skipped:
    opening the camera and leaving is not a session that went badly."""
    reps, rule = exercise.reps, exercise.progression
    target = reps.target
    done = [s for s in sessions if s.attempted > 0]
    for i in range(len(done)):
        recent = done[max(0, i + 1 - rule.sessions_to_advance) : i + 1]
        if len(recent) == rule.sessions_to_advance and all(met(exercise, s, target) for s in recent):
            target = min(target + rule.step, reps.target_max)
    return target


def target(exercise: Exercise, sessions: Sequence[SessionResult], manual: int | None = None) -> Target:
    """Today's target, with the reason in words."""
    reps, rule = exercise.reps, exercise.progression
    plan = planned(exercise, sessions)
    done = [s for s in sessions if s.attempted > 0]
    n = rule.sessions_to_advance
    recent = done[-n:]
    good = sum(met(exercise, s, plan) for s in recent)
    if plan >= reps.target_max:
        why = f"the plan's maximum, {reps.target_max}"
    elif not done:
        in_a_row = f"{n} sessions in a row" if n != 1 else "a session"
        why = f"the starting value; it rises by {rule.step} after {in_a_row} that reach it with good form"
    else:
        last = f"the last {len(recent)} sessions" if len(recent) > 1 else "the last session"
        why = (
            f"{good} of {last} reached {plan} with good form; "
            f"{n} in a row raise it by {rule.step} (up to {reps.target_max})"
        )
    if manual is not None:
        return Target(reps=manual, planned=plan, manual=manual, reason=f"set by hand (the plan says {plan}: {why})")
    return Target(reps=plan, planned=plan, manual=None, reason=why)
