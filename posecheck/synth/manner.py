"""How a person performs, beyond the reps: what real people vary and the app must bear.

- start: where the clip begins. "rest" (in the start position); "kneeling" (cat_cow: kneels
  upright, then goes onto hands and knees); "standing" (seated exercises: stands by the stool,
  then sits down); "cat" / "cow" (cat_cow: the set begins mid-position, which is left for the
  flat back before the first rep).
- head_tip_deg: lying exercises: the head resting on the floor tipped chin-down (+) or
  chin-up (-) for the whole clip (the head alone turns, the neck stays).
- nods: this many holds carry a nod or a glance: a brief move of the head and back while the
  position is held (lying: the resting head tips chin-down; all fours: the head goes a little
  further into cat's or cow's bend; sitting: a glance aside).
- sway_gain: the breathing sway, this many times the usual amplitude.
- tilt_gain: pelvic_tilt: the arch and flatten this many times the usual pelvic rotation
  (poses.PELVIC_ARCH / PELVIC_FLAT, 10-20 deg); SUBTLE_TILT_GAIN makes the barely visible tilt
  of a stiff or cautious person (the renderer's amount before issue 14: the belly's outline
  moves a pixel or less), which the app must leave guided rather than count.

None of these is a rep or a fault: the truth's reps, holds and faults are those of the plan.
Timings are drawn from the performance's seeded rng only when a variation is asked for, so a
plain performance is the same as before these existed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from posecheck.synth import poses as P

STARTS = {
    "cat_cow": ("kneeling", "cat", "cow"),
    "seated_rotation": ("standing",),
    "shoulder_blade_squeeze": ("standing",),
}
HEAD_TIP_MAX_DEG = 30.0
NOD_DEG = {"supine": (8.0, 14.0), "allfours": (8.0, 12.0), "upright": (10.0, 18.0)}
NOD_S = (0.8, 1.2)
NOD_MARGIN_S = 0.3  # a nod starts and ends this far inside its hold
SWAY_GAIN_MAX = 4.0
TILT_GAIN_RANGE = (0.1, 1.5)
SUBTLE_TILT_GAIN = 0.15
START_HOLD_S = (0.8, 1.6)
SETTLE_MOVE_S = (1.6, 2.2)
SIT_DOWN_S = (1.0, 1.3)
SIT_LEAN_DEG = (32.0, 40.0)


@dataclass(frozen=True)
class Manner:
    start: str = "rest"
    head_tip_deg: float = 0.0
    nods: int = 0
    sway_gain: float = 1.0
    tilt_gain: float = 1.0

    def as_json(self) -> dict:
        return asdict(self)

    def is_plain(self) -> bool:
        return self == Manner()


def check(exercise: str, manner: Manner) -> None:
    """ValueError naming what does not fit this exercise."""
    starts = ("rest", *STARTS.get(exercise, ()))
    if manner.start not in starts:
        raise ValueError(f"{exercise} can start {', '.join(starts)}, not {manner.start!r}")
    if manner.head_tip_deg and P.POSTURE[exercise] != "supine":
        raise ValueError(f"head tip is for the lying exercises, not {exercise}")
    if not abs(manner.head_tip_deg) <= HEAD_TIP_MAX_DEG:
        raise ValueError(f"head tip {manner.head_tip_deg} deg: at most {HEAD_TIP_MAX_DEG:g} either way")
    if not 0 <= manner.nods <= 20:
        raise ValueError(f"nods {manner.nods}: 0 to 20")
    if not 0.0 <= manner.sway_gain <= SWAY_GAIN_MAX:
        raise ValueError(f"sway gain {manner.sway_gain}: 0 to {SWAY_GAIN_MAX:g}")
    if manner.tilt_gain != 1.0 and exercise != "pelvic_tilt":
        raise ValueError(f"tilt depth is for pelvic_tilt, not {exercise}")
    lo, hi = TILT_GAIN_RANGE
    if not lo <= manner.tilt_gain <= hi:
        raise ValueError(f"tilt depth {manner.tilt_gain}: {lo:g} to {hi:g}")


def rest_changes(manner: Manner) -> dict:
    """Pose parameters held all clip long (merged into the rest pose)."""
    return {"head_tip": manner.head_tip_deg} if manner.head_tip_deg else {}


def begin(perf, manner: Manner, rng: np.random.Generator) -> None:
    """Put the first keys of a fresh performance: the start posture and the settling into
    the rest position (nothing for start "rest")."""
    j = lambda span: float(rng.uniform(*span))  # noqa: E731
    first = perf.keys[0]
    if manner.start == "rest":
        return
    if manner.start == "kneeling":
        first.pose["kneel"] = 1.0
        first.label, first.hold_s = "kneeling", j(START_HOLD_S)
        perf.go({}, j(SETTLE_MOVE_S), 0.0, "A")
    elif manner.start == "standing":
        first.pose["sit"] = 0.0
        first.label, first.hold_s = "standing", j(START_HOLD_S)
        perf.go({"sit": 0.5, "lean": j(SIT_LEAN_DEG)}, j(SIT_DOWN_S), 0.0, "sitting")
        perf.go({}, j(SIT_DOWN_S), 0.0, "A")
    elif manner.start in ("cat", "cow"):
        first.pose.update(P.CAT if manner.start == "cat" else P.COW)
        first.label, first.hold_s = manner.start, j(START_HOLD_S)
        perf.go({}, j(SETTLE_MOVE_S), 0.0, "A")
    else:
        raise ValueError(f"unknown start {manner.start!r}")


def nod(perf, manner: Manner, rng: np.random.Generator) -> None:
    """Put `manner.nods` nods (glances when sitting) into holds long enough for one."""
    from posecheck.synth.performance import Bump

    if not manner.nods:
        return
    perf.timing()
    holds = [i for rep in perf.reps for i in rep.targets]
    room = [i for i in holds if perf.keys[i].hold_s >= NOD_S[1] + 2 * NOD_MARGIN_S]
    picked = sorted(rng.choice(room, size=min(manner.nods, len(room)), replace=False)) if room else []
    lo, hi = NOD_DEG[perf.posture]
    for i in picked:
        k = perf.keys[int(i)]
        dur = float(rng.uniform(*NOD_S))
        start = float(rng.uniform(k.arrive + NOD_MARGIN_S, k.depart - NOD_MARGIN_S - dur))
        amp = float(rng.uniform(lo, hi))
        if perf.posture == "upright":  # a glance aside
            perf.bumps.append(Bump("head_turn", start, dur, amp * float(rng.choice([-1.0, 1.0]))))
        elif perf.posture == "allfours":  # deeper into the position: cat's head down, cow's up
            perf.bumps.append(Bump("head", start, dur, amp if k.pose["head"] >= 0 else -amp))
        else:  # lying: the head, resting, tips chin-down and back (lifting it would be a fault)
            perf.bumps.append(Bump("head_tip", start, dur, amp))
