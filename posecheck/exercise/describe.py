"""An exercise's definition in the terms a report shows it: which signals decide its
positions and faults, the limits that decide them, and the words for them.

Pure: a definition in, plain dicts out (what the report JSON keeps, so a page drawn later
shows the limits the session was judged by, even from a therapist's own file).
"""

from __future__ import annotations

from typing import Any

from posecheck.exercise.conditions import Condition
from posecheck.exercise.definition import Exercise

# How a unit reads in a label: (after a number, in words)
UNIT_WORDS: dict[str, tuple[str, str]] = {
    "deg": ("°", "degrees"),
    "torso_len": (" torso lengths", "torso lengths"),
    "ratio": ("", "share"),
}


def unit_words(unit: str) -> tuple[str, str]:
    return UNIT_WORDS.get(unit, (f" {unit}", unit))


def deciding_signals(ex: Exercise) -> list[str]:
    """The key signal, then every signal a position, a hold or a fault is judged on, in file order."""
    out = [ex.key_signal]
    for p in ex.phases:
        out += [c.signal for c in [*p.when, *p.hold_when]]
    for f in ex.faults:
        out += [c.signal for c in f.when]
    return list(dict.fromkeys(out))


def _bounds(c: Condition) -> dict[str, float | None]:
    return {"min": c.min, "max": c.max}


def limits(ex: Exercise) -> list[dict[str, Any]]:
    """Each bound that decides something: a position (`phase`), its hold band (`hold`), or a fault."""
    out: list[dict[str, Any]] = []
    for p in ex.phases:
        out += [{"signal": c.signal, "phase": p.id, **_bounds(c)} for c in p.when]
        out += [{"signal": c.signal, "hold": p.id, **_bounds(c)} for c in p.hold_when]
    for f in ex.faults:
        out += [{"signal": c.signal, "fault": f.id, **_bounds(c)} for c in f.when]
    return out


def words(ex: Exercise) -> dict[str, Any]:
    """Names for what a report's timeline holds by id: signals, positions, faults."""
    return {
        "signals": {
            s: {"unit": ex.signals[s].unit, "description": ex.signals[s].description or s} for s in deciding_signals(ex)
        },
        "phase_names": {p.id: p.name or p.instruction for p in ex.phases},
        "fault_messages": {f.id: f.message for f in ex.faults},
        "limits": limits(ex),
        "counting": ex.reps.counting,
        "rounds": list(ex.reps.rounds),
    }


def margin(c: Condition, value: float | None) -> float | None:
    """How far inside the condition's band value sits (its own unit; negative: outside)."""
    if value is None:
        return None
    parts = [value - c.min] if c.min is not None else []
    parts += [c.max - value] if c.max is not None else []
    return min(parts) if parts else None
