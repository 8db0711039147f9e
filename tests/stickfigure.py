"""Synthetic landmark sequences for engine tests: a stick figure seen from the side.

A test writes a performance as keyframes of a few body parameters with durations;
this module eases between them, samples at any frame rate, and turns each sample into
a Pose with MediaPipe's 33 landmarks — no model, no video, exact timing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from posecheck.pose.landmarks import INDEX
from posecheck.pose.types import Pose

SEGMENTS_M = {
    "torso": 0.50,
    "upper_back": 0.06,
    "thigh": 0.45,
    "shin": 0.43,
    "neck": 0.12,
    "upper_arm": 0.30,
    "forearm": 0.27,
    "foot": 0.2,
}
# Half the body's width at each joint (metres): seen from above, a point nearer the camera sits
# lower in the picture, so the near side's shoulder, hip and knee no longer line up as they do.
HALF_WIDTH_M = {"shoulder": 0.19, "hip": 0.15, "knee": 0.2}
OTHER_HALF_WIDTH_M = 0.1
PX_PER_M = 300.0
FLOOR_PX = 400.0
ORIGIN_X_PX = 120.0
WIDTH, HEIGHT = 640, 480


@dataclass(frozen=True)
class Body:
    """Parameters of a lying body (metres, degrees). Head at the left of the picture."""

    lift_deg: float = 0.0  # trunk rotation about the shoulders (the bridge)
    shoulder_up_m: float = 0.0  # shoulders raised off the floor
    head_up_m: float = 0.0  # head raised off the floor (shoulders down)
    head_flex_deg: float = 0.0  # the face turned from the ceiling toward the feet (chin tucked)
    curl_deg: float = 0.0  # the upper back curled off the floor: shoulders and head turn up about the mid-back
    heel_x_m: float = 0.95  # where the feet are planted, from the shoulders
    near: str = "right"  # the side facing the camera
    look_down_deg: float = 0.0  # the camera above the floor, looking down at the body's side


REST = Body()


def _ease(u: float) -> float:
    return u * u * (3 - 2 * u)


def _mix(a: Body, b: Body, u: float) -> Body:
    k = _ease(u)
    vals = {
        f: getattr(a, f) + (getattr(b, f) - getattr(a, f)) * k
        for f in ("lift_deg", "shoulder_up_m", "head_up_m", "head_flex_deg", "curl_deg", "heel_x_m")
    }
    return replace(a, **vals)


def _knee(hip: np.ndarray, ankle: np.ndarray, thigh: float, shin: float) -> np.ndarray:
    """Two-link IK: the knee above the hip-ankle line."""
    d = ankle - hip
    dist = min(float(np.linalg.norm(d)), thigh + shin - 1e-6)
    a = (thigh**2 - shin**2 + dist**2) / (2 * dist)
    h = math.sqrt(max(thigh**2 - a**2, 0.0))
    u = d / np.linalg.norm(d)
    base = hip + a * u
    perp = np.array([-u[1], u[0]])
    if perp[1] < 0:
        perp = -perp
    return base + h * perp


def pose_of(body: Body) -> Pose:
    """World metres (x toward the feet, y up) -> picture pixels (y down)."""
    s = SEGMENTS_M
    # The shoulder joint rises a little as the upper back lifts with the hips, while the
    # head stays on the floor (so the shoulder-ear line tips down, as in the renders).
    th = math.radians(body.lift_deg)
    shoulder = np.array([0.0, 0.10 + body.shoulder_up_m + s["upper_back"] * math.sin(th)])
    hip = shoulder + s["torso"] * np.array([math.cos(th), math.sin(th)])
    ankle = np.array([body.heel_x_m, 0.08])
    knee = _knee(hip, ankle, s["thigh"], s["shin"])
    heel = ankle + np.array([-0.03, -0.05])
    toe = ankle + np.array([0.15, -0.06])
    ear = np.array([-s["neck"], 0.12 + body.shoulder_up_m + body.head_up_m])
    cu = math.radians(body.curl_deg)
    pivot = shoulder + s["upper_back"] * np.array([math.cos(th), math.sin(th)])

    def curled(p: np.ndarray) -> np.ndarray:
        # turned up about the mid-back (the head end rises; the face tips with it)
        d = p - pivot
        return pivot + np.array([d[0] * math.cos(cu) + d[1] * math.sin(cu), -d[0] * math.sin(cu) + d[1] * math.cos(cu)])

    shoulder, ear = curled(shoulder), curled(ear)
    fl = math.radians(body.head_flex_deg) + cu

    def face(dx: float, dy: float) -> np.ndarray:
        # turned about the ear toward the feet (+x) by the flex
        return ear + np.array([dx * math.cos(fl) + dy * math.sin(fl), -dx * math.sin(fl) + dy * math.cos(fl)])

    nose = face(-0.02, 0.08)
    eye = face(-0.04, 0.06)
    elbow = shoulder + np.array([0.28, -0.05])
    wrist = elbow + np.array([0.26, 0.0])
    parts = {
        "shoulder": shoulder,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": heel,
        "foot_index": toe,
        "ear": ear,
        "eye": eye,
        "eye_inner": eye + np.array([0.01, 0]),
        "eye_outer": eye - np.array([0.01, 0]),
        "elbow": elbow,
        "wrist": wrist,
        "pinky": wrist + np.array([0.05, 0]),
        "index": wrist + np.array([0.06, 0]),
        "thumb": wrist + np.array([0.04, 0.01]),
        "mouth": face(0.0, 0.05),
    }
    xy = np.zeros((33, 2))
    z = np.zeros(33)
    far = "left" if body.near == "right" else "right"
    look = math.radians(body.look_down_deg)
    for name, p in parts.items():
        half = HALF_WIDTH_M.get(name, OTHER_HALF_WIDTH_M)
        for side, dz, shift, across in ((body.near, -0.1, 0.0, -half), (far, 0.1, 0.01, half)):
            idx = INDEX.get(f"{side}_{name}") if name != "mouth" else INDEX[f"mouth_{side}"]
            up = p[1] * math.cos(look) + across * math.sin(look)  # the far side seen higher
            xy[idx] = (ORIGIN_X_PX + (p[0] + shift) * PX_PER_M, FLOOR_PX - (up + shift) * PX_PER_M)
            z[idx] = dz * PX_PER_M
    xy[INDEX["nose"]] = (ORIGIN_X_PX + nose[0] * PX_PER_M, FLOOR_PX - nose[1] * math.cos(look) * PX_PER_M)
    ones = np.ones(33)
    return Pose(xy=xy, z=z, visibility=ones, presence=ones, world=None, mask=None, width=WIDTH, height=HEIGHT)


@dataclass(frozen=True)
class Key:
    """Move to `body` over `move_s` (eased), then stay for `stay_s`."""

    body: Body
    move_s: float = 0.0
    stay_s: float = 0.0


def perform(
    keys: list[Key], fps: float, *, noise_px: float = 0.0, dropouts: tuple[tuple[float, float], ...] = (), seed: int = 0
):
    """Yield (t_s, Pose or None) for the performance sampled at fps."""
    rng = np.random.default_rng(seed)
    spans = []  # (t0, t1, from, to)
    t = 0.0
    prev = keys[0].body
    for k in keys:
        if k.move_s > 0:
            spans.append((t, t + k.move_s, prev, k.body))
            t += k.move_s
        if k.stay_s > 0:
            spans.append((t, t + k.stay_s, k.body, k.body))
            t += k.stay_s
        prev = k.body
    total = t
    n = math.floor(total * fps) + 1
    for i in range(n):
        ti = i / fps
        if any(a <= ti < b for a, b in dropouts):
            yield ti, None
            continue
        for a, b, p, q in spans:
            if a <= ti <= b:
                body = _mix(p, q, (ti - a) / (b - a) if b > a else 1.0)
                break
        else:
            body = keys[-1].body
        pose = pose_of(body)
        if noise_px:
            pose = pose.with_points(pose.xy + rng.normal(0, noise_px, pose.xy.shape), pose.z, None)
        yield ti, pose


def lift_for_line(target_deg: float, body: Body = REST) -> float:
    """The trunk lift that puts the hips target_deg above the shoulder-knee line."""
    from posecheck.exercise.signals import line_offset

    def offset(lift: float) -> float:
        p = pose_of(replace(body, lift_deg=lift))
        n = body.near
        return line_offset(p.xy[INDEX[f"{n}_shoulder"]], p.xy[INDEX[f"{n}_hip"]], p.xy[INDEX[f"{n}_knee"]])

    lo, hi = 0.0, 60.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if offset(mid) < target_deg:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def bridge_reps(n: int, hold_s: float = 2.5, rest_s: float = 1.5) -> list[Key]:
    """n bridges with hips in a straight line, each held hold_s, from and back to rest."""
    top = Body(lift_deg=lift_for_line(0.0))
    keys = [Key(REST, stay_s=rest_s)]
    for _ in range(n):
        keys += [Key(top, 1.0, hold_s), Key(REST, 1.0, rest_s)]
    return keys
