"""A rep's holds judged from its visits to the hold positions (hold.Visit).

Each hold step of the sequence is judged by its best visit: the one held longest, where a
visit to a wrong position of the step (legs uncrossed) is never the best. A step falls short
when that visit did not reach its target; it was rushed when the position itself was left too
soon and no other position was held its time (a position the camera barely shows is passed
through for a moment on the way out). The rep then takes from its visits: the hold per
position, the faults hidden where it was held (not where it passed on its way), the side held
longest, and the span from the first held moment to the last.

Pure: numbers in, numbers out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from posecheck.exercise.definition import Exercise, Phase
from posecheck.exercise.hold import Visit
from posecheck.exercise.state import Rep


@dataclass
class Short:
    """A hold step that fell short of its target."""

    step: list[str]
    phase: Phase  # its best visit's position, or its first hold position when never visited
    target: float
    rushed: bool  # left too soon, and no other position was held its time


@dataclass
class Judged:
    holds: list[float] = field(default_factory=list)  # per hold step, its best visit's hold
    done: list[bool] = field(default_factory=list)  # ...whether it reached the target
    best: list[Visit] = field(default_factory=list)
    short: list[Short] = field(default_factory=list)  # steps short in a position that counts


def judge(steps: list[list[str]], visits: list[Visit], exercise: Exercise, target: Callable[[Phase], float]) -> Judged:
    """Each hold step of `steps` by its best visit among `visits`."""
    out = Judged()
    lingered = any(v.stayed >= target(v.phase) for v in visits if v.phase.hold)
    for step in steps:
        held = [exercise.phase(ph) for ph in step if exercise.phase(ph).hold]
        if not held:
            continue
        mine = [v for v in visits if v.phase.id in step]
        best = max([v for v in mine if v.phase.counts] or mine, key=lambda v: v.elapsed, default=None)
        done = best is not None and best.elapsed >= target(best.phase) - 1e-9
        out.holds.append(best.elapsed if best else 0.0)
        out.done.append(done)
        if best is not None:
            out.best.append(best)
        if not done and (best is None or best.phase.counts):
            phase = best.phase if best else held[0]
            stayed = max((v.stayed for v in mine), default=0.0)
            rushed = bool(mine) and stayed < target(phase) and not lingered
            out.short.append(Short(step, phase, target(phase), rushed))
    return out


def fill(rep: Rep, judged: Judged, visits: list[Visit], exercise: Exercise) -> None:
    """What the rep record takes from its visits and their judgement."""
    for v in visits:
        rep.holds[v.phase.id] = max(rep.holds.get(v.phase.id, 0.0), v.elapsed)
    held_in = {v.phase.id for v in judged.best}  # where it was held, not passed through on the way
    rep.faults_unseen = list(dict.fromkeys(f.id for f in exercise.faults if held_in & set(f.hidden_in)))
    time_in: dict[str | None, float] = {}
    for v in visits:
        time_in[v.side] = time_in.get(v.side, 0.0) + (v.end - v.start)
    if time_in:
        rep.side = max(time_in, key=lambda k: time_in[k])
    # in the order the positions were visited (cat_cow may go cow first)
    starts = [v.first_ok for v in judged.best if v.first_ok is not None]
    ends = [v.last_ok for v in judged.best if v.last_ok is not None]
    if starts:
        rep.hold_start_s = min(starts)
    if ends:
        rep.hold_end_s = max(ends)
    rep.hold_s = max(0.0, min(judged.holds, default=0.0))
