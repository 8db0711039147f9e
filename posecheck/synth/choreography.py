"""Choreographies: how each exercise's reps (and each negative) are performed.

`perform()` turns a plan (one RepPlan per rep: side, faults, hold) into a Performance of
keyframes for the posture; timings are jittered by the seeded rng so no two clips are
alike, and divided by the tempo (holds are not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.synth import poses as P
from posecheck.synth.manner import Manner, begin, nod, rest_changes
from posecheck.synth.manner import check as check_manner
from posecheck.synth.performance import Performance
from posecheck.synth.rotations import angle_deg

START_REST_S = (1.4, 2.4)
BETWEEN_REPS_S = (1.4, 2.6)
END_REST_S = (1.2, 2.0)
HOLD_MARGIN_S = (0.5, 1.2)  # good reps hold a little longer than prescribed
SETUP_MOVE_S = 1.2
TOO_FAST_MOVE_S = 0.7
TOO_FAST_HOLD_S = 0.3
SIT_STAND_CYCLE_S = 10.0  # about one stand-up and sit-down
FIDGET_S = 3.0  # about one fidget and back


@dataclass(frozen=True)
class RepPlan:
    side: str | None = None
    faults: tuple = ()
    hold_s: float | None = None  # None: the prescribed hold plus a small margin
    order: tuple[str, ...] = ()  # cat_cow: the end positions in order; () is cat then cow


CAT_COW_ORDERS = {("cat", "cow"), ("cow", "cat"), ("cat", "cow", "cat"), ("cow", "cat", "cow")}


def default_plan(exercise: str, rounds: int = 1) -> list[RepPlan]:
    """Good reps: every side in the page's order, `rounds` times."""
    sides = P.SIDES.get(exercise, (None,))
    return [RepPlan(side) for _ in range(rounds) for side in sides]


def _j(rng: np.random.Generator, span: tuple) -> float:
    return float(rng.uniform(*span))


# ---- the bridge: hips to a shoulder-hip-knee angle -------------------------------------------
def shk_signed(keypoints: np.ndarray, labels) -> float:
    """Shoulder-hip-knee angle at the hip, both sides averaged; above 180 when the hip is
    above the shoulder-knee line (the floor is z = 0)."""
    idx = {n: i for i, n in enumerate(labels)}
    s = 0.5 * (keypoints[idx["left_shoulder"]] + keypoints[idx["right_shoulder"]])
    h = 0.5 * (keypoints[idx["left_hip"]] + keypoints[idx["right_hip"]])
    k = 0.5 * (keypoints[idx["left_knee"]] + keypoints[idx["right_knee"]])
    a = angle_deg(s, h, k)
    u = (h - s)[:2] @ (k - s)[:2] / max(float((k - s)[:2] @ (k - s)[:2]), 1e-9)
    line_z = s[2] + u * (k[2] - s[2])
    return 360.0 - a if h[2] > line_z else a


def bridge_pitch(supine, target_deg: float, extra: dict | None = None) -> float:
    """The trunk pitch (deg) that puts shoulder-hip-knee at target_deg for this body."""
    from posecheck.synth.body import COCO_LABELS

    def angle(pitch: float) -> float:
        return shk_signed(supine.solve({**(extra or {}), "bridge": pitch}).keypoints, COCO_LABELS)

    lo, hi = 0.0, 60.0
    for _ in range(22):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if angle(mid) < target_deg else (lo, mid)
    return round(0.5 * (lo + hi), 3)


# ---- per exercise ----------------------------------------------------------------------------
def _faults_change(exercise: str, faults) -> dict:
    change: dict = {}
    for f in faults:
        change.update(P.FAULTS[exercise][f].change)
    return change


def _setup(perf: Performance, exercise: str, faults, rng) -> tuple:
    """Move into a faulty start position (feet, hands, knees) before the rep."""
    setup = tuple(f for f in faults if f in P.SETUP_FAULTS)
    if setup:
        perf.go(_faults_change(exercise, setup), SETUP_MOVE_S, _j(rng, (0.6, 1.0)), "A", setup)
    return setup


def _unsetup(perf: Performance, setup: tuple, rng) -> None:
    if setup:
        perf.go({}, SETUP_MOVE_S, _j(rng, (0.4, 0.8)), "A")


def _hold(plan: RepPlan, prescribed: float, rng) -> float:
    return plan.hold_s if plan.hold_s is not None else prescribed + _j(rng, HOLD_MARGIN_S)


def _rep(perf: Performance, exercise: str, plan: RepPlan, rng, ctx: dict) -> None:
    hold = _hold(plan, perf.hold_s, rng)
    faults = tuple(plan.faults)
    change = _faults_change(exercise, faults)
    j = lambda lo, hi: _j(rng, (lo, hi))  # noqa: E731
    setup = _setup(perf, exercise, faults, rng)
    if exercise == "knee_to_chest":
        target = {**P.KNEE_TO_CHEST[plan.side], **change}
        if "other_leg_lifted" in faults:
            if plan.side == "both":
                raise ValueError("other_leg_lifted needs a one-leg rep (side left or right)")
            target[f"lift_{P._other(plan.side)}"] = 1.0
        perf.rep(plan.side, [("B", target, j(1.6, 2.1), hold, True)], j(1.4, 1.9), faults)
    elif exercise == "lower_back_rotation":
        target = {**P.LOWER_BACK_ROTATION[plan.side], **change}
        if "trunk_roll" in target:  # the chest follows the knees' side
            target["trunk_roll"] = float(np.copysign(target["trunk_roll"], target["roll"]))
        perf.rep(plan.side, [("B", target, j(2.3, 2.9), hold, True)], j(2.2, 2.8), faults)
    elif exercise == "pelvic_tilt":
        flat_faults = tuple(f for f in faults if f == "hips_lifted")
        gain = ctx["tilt_gain"]
        flat = {"tilt": gain * P.PELVIC_FLAT["tilt"], **change}
        phases = [
            ("arch", {"tilt": gain * P.PELVIC_ARCH["tilt"]}, j(1.3, 1.7), hold, True, ()),
            ("A", {}, j(1.1, 1.4), j(0.4, 0.8), False, ()),
            ("flat", flat, j(1.2, 1.6), _hold(plan, perf.hold_s, rng), True, flat_faults),
        ]
        perf.rep(None, phases, j(1.2, 1.6), tuple(f for f in faults if f not in flat_faults))
    elif exercise == "bridge":
        angle = P.BRIDGE_LINE_DEG
        if "hips_low" in faults:
            angle = P.BRIDGE_HIPS_LOW_DEG
        elif "hips_high" in faults:
            angle = P.BRIDGE_HIPS_HIGH_DEG
        knee = {"knee": change["knee"]} if "knee" in change else {}
        pitch = ctx["bridge_pitch"](angle, knee)
        target = {**change, "bridge": pitch}
        perf.rep(None, [("B", target, j(2.0, 2.5), hold, True)], j(2.0, 2.5), faults)
    elif exercise == "cat_cow":
        fast = "too_fast" in faults
        move = (lambda: TOO_FAST_MOVE_S * perf.tempo) if fast else (lambda: j(1.6, 2.1))
        end_hold = (lambda: TOO_FAST_HOLD_S) if fast else (lambda: _hold(plan, perf.hold_s, rng) + j(0.0, 0.6))
        key_faults = tuple(f for f in faults if f not in P.REP_WIDE_FAULTS)
        ends = {"cat": P.CAT, "cow": P.COW}
        # the first move starts from the flat back; later ones cross it (a longer way)
        phases = [
            (name, {**ends[name], **change}, move() * (1.2 if k else 1.0), end_hold(), True)
            for k, name in enumerate(plan.order or ("cat", "cow"))
        ]
        perf.rep(None, phases, move(), key_faults, rep_faults=tuple(f for f in faults if f in P.REP_WIDE_FAULTS))
    elif exercise == "seated_rotation":
        side = plan.side
        crossed = dict(P.SEATED_ROTATION[side])
        if "wrong_direction" in faults:
            turned = "left" if side == "right" else "right"
            crossed = {**P.SEATED_ROTATION[turned], "cross": P.SEATED_ROTATION[side]["cross"]}
            side = turned
        target = {**crossed, **change}
        legs = {"cross": target["cross"]}
        phases = [
            ("cross", legs, j(1.4, 1.8), j(0.3, 0.6), False),
            ("B", target, j(2.0, 2.5), hold, True),
        ]
        perf.rep(side, phases, j(2.4, 2.9), faults)
    elif exercise == "shoulder_blade_squeeze":
        target = {**P.SQUEEZE, **change}
        perf.rep(None, [("B", target, j(1.2, 1.6), hold, True)], j(1.2, 1.6), faults)
    else:
        raise ValueError(f"unknown exercise {exercise!r}")
    _unsetup(perf, setup, rng)


def perform(
    exercise: str,
    plan: list[RepPlan],
    posture,
    rng: np.random.Generator,
    tempo: float = 1.0,
    manner: Manner | None = None,
) -> Performance:
    """The performance of the planned reps, in the given posture solver, performed in the
    given manner (start posture, head, nods, sway: manner.py)."""
    if exercise not in P.HOLD_S:
        raise ValueError(f"unknown exercise {exercise!r}")
    manner = manner or Manner()
    check_manner(exercise, manner)
    for rep in plan:
        unknown = [f for f in rep.faults if f not in P.FAULTS[exercise]]
        if unknown:
            raise ValueError(f"{exercise} has no fault {unknown[0]!r}; it has {', '.join(P.FAULTS[exercise])}")
        allowed = P.SIDES.get(exercise, (None,))
        if rep.side not in allowed:
            raise ValueError(f"{exercise} reps have sides {allowed}, not {rep.side!r}")
        if rep.order and (exercise != "cat_cow" or tuple(rep.order) not in CAT_COW_ORDERS):
            shown = "; ".join("-".join(o) for o in sorted(CAT_COW_ORDERS))
            raise ValueError(f"an order of end positions is for cat_cow, one of {shown}; not {'-'.join(rep.order)}")
    rest = {**posture.DEFAULTS, **rest_changes(manner)}
    perf = Performance(exercise, P.POSTURE[exercise], rest=rest, hold_s=P.HOLD_S[exercise], tempo=tempo)
    perf.sway_phase = float(rng.uniform(0, 2 * np.pi))
    perf.sway_gain = manner.sway_gain
    begin(perf, manner, rng)
    cache: dict = {}

    def pitch(angle: float, extra: dict) -> float:
        key = (angle, tuple(sorted(extra.items())))
        if key not in cache:
            cache[key] = bridge_pitch(posture, angle, extra)
        return cache[key]

    ctx = {"bridge_pitch": pitch, "tilt_gain": manner.tilt_gain}
    perf.wait(_j(rng, START_REST_S))
    for n, rep in enumerate(plan):
        _rep(perf, exercise, rep, rng, ctx)
        perf.wait(_j(rng, BETWEEN_REPS_S) if n + 1 < len(plan) else _j(rng, END_REST_S))
    nod(perf, manner, rng)
    return perf


# ---- negatives -------------------------------------------------------------------------------
def negative(kind: str, posture, rng: np.random.Generator, duration_s: float = 24.0, tempo: float = 1.0) -> Performance:
    if kind not in P.NEGATIVES:
        raise ValueError(f"unknown negative {kind!r}; there are {', '.join(P.NEGATIVES)}")
    posture_name, exercise, _ = P.NEGATIVES[kind]
    perf = Performance(exercise, posture_name, rest=dict(posture.DEFAULTS), hold_s=P.HOLD_S[exercise], tempo=tempo)
    perf.sway_phase = float(rng.uniform(0, 2 * np.pi))
    j = lambda lo, hi: _j(rng, (lo, hi))  # noqa: E731
    if kind == "lying_still":
        perf.wait(duration_s)
    elif kind == "fidgeting":
        moves = [
            lambda: {"pull_L": j(0.15, 0.35)},
            lambda: {"pull_R": j(0.15, 0.35)},
            lambda: {"roll": j(-14, 14)},
            lambda: {"head_turn": j(-35, 35)},
            lambda: {"reach_L": j(0.7, 1.0)},
            lambda: {"reach_R": j(0.7, 1.0)},
            lambda: {"tilt": j(-6, 6), "head": j(0, 10)},
            lambda: {"knee": j(70, 110)},
        ]
        perf.wait(j(1.0, 2.0))
        while perf.duration < duration_s - FIDGET_S:
            pose = moves[int(rng.integers(len(moves)))]()
            perf.go(pose, j(0.7, 1.4), j(0.3, 1.5), "A")
            perf.go({}, j(0.7, 1.4), j(0.3, 1.5), "A")
    elif kind == "sit_stand":
        perf.wait(j(1.5, 2.5))
        while True:  # at least one stand-up and sit-down, as many as fit
            perf.go({"sit": 0.5, "lean": j(32, 40)}, j(1.0, 1.3), 0.0, "rising")
            perf.go({"sit": 0.0, "lean": 0.0}, j(1.0, 1.3), j(2.5, 4.0), "standing")
            perf.go({"sit": 0.5, "lean": j(32, 40)}, j(1.0, 1.3), 0.0, "sitting")
            perf.go({}, j(1.0, 1.4), j(2.0, 3.0), "A")
            if perf.duration + SIT_STAND_CYCLE_S > duration_s:
                break
    if kind in ("fidgeting", "sit_stand") and perf.duration < duration_s:
        perf.wait(duration_s - perf.duration)
    if kind == "walk_through":
        perf.keys[0].pose["x"] = -3.2
        perf.keys[0].label = "walk"
        speed = j(0.9, 1.3) * tempo
        perf.go({"x": 3.2}, 6.4 / speed * tempo, 0.0, "walk", linear=True)
        perf.wait(j(0.5, 1.5))
    return perf
