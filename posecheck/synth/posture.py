"""Postures: from a few named pose numbers to a posed, floor-placed body.

Each posture (lying on the back, on hands and knees, sitting/standing, walking) takes a
dict of pose parameters (angles in degrees, weights in 0..1; its DEFAULTS name them all),
builds the world rotation of every body segment (see body.py), solves what must touch
what (feet planted, hands and knees on the floor, buttocks on the stool) and places the
body in the room. Keyframes interpolate these numbers, so every in-between frame is solved
the same way and stays physically placed.

World: metres, Z up, the floor at z = 0.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from posecheck.synth.body import NECK, SPINE, Body, Posed
from posecheck.synth.render import Box
from posecheck.synth.rotations import I3, X, Y, Z, aim, rx, ry, rz, slerp, two_link, unit
from posecheck.synth.tilt import LumbarArch

# Body frame -> world, per posture (columns: where the body's +X (left), +Y (back), +Z (up) go).
SUPINE_FRAME = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])  # head +X, face up
PRONE_FOURS_FRAME = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # head +X, face down

# Lying on the back
HOOK_KNEE_DEG = 90.0  # knee angle of hook-lying (feet placement)
ARM_REST_ABDUCTION_DEG = 14.0  # arms on the floor beside the body
ARM_REST_ELBOW_DEG = 8.0
ARM_REST_DROP = 0.12  # arms slope a little toward the floor from the shoulder
PELVIS_ROLL_SHARE = 0.45  # of the knees' roll taken by the pelvis (the rest by the hips)
FOOT_LATERAL_EXTRA_M = 0.02  # feet a little wider than the hips
KNEE_POLE_OUT = 0.15
PULLED_HIP_FLEX_DEG = 118.0
PULLED_KNEE_FLEX_DEG = 128.0
PULLED_HIP_ABD_DEG = 8.0
LIFTED_HIP_FLEX_DEG = 48.0
LIFTED_KNEE_FLEX_DEG = 18.0
HAND_ON_SHIN_FRACTION = 0.22  # from the knee toward the ankle
HAND_SHIN_OFFSET_M = 0.05

# Hands and knees
PALM_THICKNESS_GUESS_M = 0.02
KNEE_THICKNESS_GUESS_M = 0.05
SHIN_SLOPE = 0.06
FOOT_SLOPE = 0.15

# Sitting / standing
STOOL_SIZE_M = 0.38
STOOL_LEG_M = 0.04
SEAT_KNEE_DEG = 95.0
STAND_LEG_STRAIGHT = 0.995  # hip-ankle distance as a share of the leg's length
SEATED_TWIST_PELVIS_SHARE = 0.1
ARM_HANG_ABDUCTION_DEG = 8.0
CROSSED_HIP_FLEX_DEG = 104.0
CROSSED_HIP_ADD_DEG = 20.0
CROSSED_KNEE_FLEX_DEG = 100.0
BRACE_FOREARM_UP = 0.75  # the bracing forearm points up and a little forward
BRACE_FOREARM_FORWARD = 0.5

# Walking
GAIT_CYCLE_PER_STATURE = 0.78  # distance walked in one gait cycle (two steps), share of stature
HIP_SWING_DEG = 24.0
KNEE_SWING_DEG = 55.0
ARM_SWING_DEG = 18.0


def _spread(total: float, weights) -> list[float]:
    w = np.asarray(weights, float)
    return list(total * w / w.sum())


class _Posture:
    DEFAULTS: ClassVar[dict[str, float]] = {}
    FRAME = I3

    def __init__(self, body: Body):
        self.body = body

    def params(self, p: dict | None) -> dict:
        q = dict(self.DEFAULTS)
        for k, v in (p or {}).items():
            if k not in q:
                raise KeyError(f"{type(self).__name__} has no pose parameter {k!r}")
            q[k] = float(v)
        return q

    @property
    def left(self) -> np.ndarray:
        """The person's own left, world."""
        return self.FRAME @ X

    @property
    def cranial(self) -> np.ndarray:
        """Toward the person's head along the body, world."""
        return self.FRAME @ Z

    def props(self) -> list[Box]:
        return []

    # helpers ------------------------------------------------------------------------------
    def _arm_ik(self, seg: dict, side: str, shoulder, wrist_target, pole) -> None:
        """Aim upper arm and forearm of one side so the wrist reaches toward wrist_target."""
        b = self.body
        l1, l2 = b.length[f"upperarm_{side}"], b.length[f"forearm_{side}"]
        elbow, wrist = two_link(shoulder, wrist_target, l1, l2, pole)
        ua, fa = unit(elbow - shoulder), unit(wrist - elbow)
        hinge = np.cross(ua, fa)
        if np.linalg.norm(hinge) < 1e-3:
            hinge = np.cross(ua, unit(pole))
        seg[f"upperarm_{side}"] = aim(-Z, -X, ua, hinge)
        seg[f"forearm_{side}"] = aim(-Z, -X, fa, hinge)

    def _leg_ik(self, seg: dict, side: str, hip, ankle_target, pole) -> None:
        b = self.body
        l1, l2 = b.length[f"thigh_{side}"], b.length[f"shin_{side}"]
        knee, ankle = two_link(hip, ankle_target, l1, l2, pole)
        th, sh = unit(knee - hip), unit(ankle - knee)
        hinge = np.cross(th, sh)
        if np.linalg.norm(hinge) < 1e-3:
            hinge = np.cross(unit(pole), th)
        seg[f"thigh_{side}"] = aim(-Z, X, th, hinge)
        seg[f"shin_{side}"] = aim(-Z, X, sh, hinge)

    def _hand_flat(self, seg: dict, side: str, fingers, palm_normal) -> None:
        """Hand flat: fingers along `fingers`, palm facing `palm_normal` (world)."""
        fwd, across = self.body.hand_axes[side]
        seg[f"hand_{side}"] = aim(fwd, across, fingers, np.cross(fingers, palm_normal) * (1 if side == "L" else -1))


def _shifted(posed: Posed, shift) -> Posed:
    return Posed(
        vertices=posed.vertices + shift,
        heads=posed.heads + shift,
        keypoints=posed.keypoints + shift,
    )


def _heads_by_name(body: Body, posed: Posed) -> dict:
    return dict(zip(body.labels, posed.heads, strict=True))


# =============================================================================================
class Supine(_Posture):
    """Lying on the back: hook-lying and what the floor exercises do from it."""

    FRAME = SUPINE_FRAME
    DEFAULTS: ClassVar[dict[str, float]] = {
        "knee": HOOK_KNEE_DEG,  # knee angle the feet are placed for
        "bridge": 0.0,  # trunk pitched about the shoulders, hips up (deg)
        "tilt": 0.0,  # pelvic tilt: + arches the lower back off the floor, - flattens it
        "curl": 0.0,  # upper back curled up: shoulders off the floor (deg)
        "head": 0.0,  # head lifted: neck flexion (deg)
        "head_turn": 0.0,  # head turned toward the own left (deg)
        "roll": 0.0,  # bent knees rolled toward the own left (deg; - right)
        "roll_lag": 0.0,  # the upper knee lags behind the lower one (deg): knees apart
        "trunk_roll": 0.0,  # the chest turns after the knees (deg, same sign as roll)
        "pull_L": 0.0,  # 0..1 left knee pulled to the chest
        "pull_R": 0.0,
        "lift_L": 0.0,  # 0..1 left leg raised off the floor, knee almost straight
        "lift_R": 0.0,
        "hands": 0.0,  # 0..1 hands on the pulled knee(s) instead of the floor
        "reach_L": 0.0,  # 0..1 left hand to the face (fidgeting)
        "reach_R": 0.0,
    }

    def __init__(self, body: Body):
        super().__init__(body)
        self._contact = body.segment_mask("pelvis", "spine", "neck", "head", "girdle")
        self._feet_cache: dict[float, dict] = {}
        self._lumbar = LumbarArch(body)
        flat = self._trunk(self.params({}))
        posed = self.body.pose(flat, (0, 0, 0))
        z0 = -posed.vertices[self._contact, 2].min()
        heads = _heads_by_name(body, posed)
        self._root_ref = np.array([0.0, 0.0, z0])
        self._shoulder_ref = 0.5 * (heads["upperarm01.L"] + heads["upperarm01.R"]) + [0, 0, z0]
        self._hip_ref = {s: heads[f"upperleg01.{s}"] + [0, 0, z0] for s in "LR"}

    # trunk, neck and head ---------------------------------------------------------------------
    def _trunk(self, p: dict) -> dict:
        F = self.FRAME
        pitch = F @ rx(-p["bridge"]) @ F.T  # about the body's lateral axis, hips up
        roll_p = PELVIS_ROLL_SHARE * p["roll"]
        pelvis = pitch @ F @ rz(roll_p) @ rx(p["tilt"])
        seg = {"pelvis": pelvis}
        # the lumbar spine bends with the tilt so the chest stays on the floor (tilt.py)
        a5, a4, a3 = self._lumbar.pitches(p["tilt"])
        tilt_back = [a5 - p["tilt"], a4 - a5, a3 - a4, -a3, 0.0]
        unroll = _spread(-roll_p, [1, 1, 1, 0, 0])
        curl = _spread(p["curl"], [0, 0, 0.2, 0.4, 0.4])
        turn = _spread(p["trunk_roll"], [0, 0, 0.3, 0.35, 0.35])
        R = pelvis
        for name, a, u, c, t in zip(SPINE, tilt_back, unroll, curl, turn, strict=True):
            R = R @ rz(u + t) @ rx(a + c)
            seg[name] = R
        # The head rests on the floor: the neck takes back the chest's pitch, then lifts.
        head_flex = _spread(p["head"] + p["bridge"], [1, 1, 1])
        for name, a in zip(NECK, head_flex, strict=True):
            R = R @ rx(a)
            seg[name] = R
        seg["head"] = R @ rz(p["head_turn"])
        # Chest turned by trunk_roll: the neck turns back so the face stays up.
        if p["trunk_roll"]:
            seg["head"] = seg["head"] @ rz(-p["trunk_roll"])
        for s in "LR":
            seg[f"girdle_{s}"] = seg["spine1"]
        return seg

    # legs -------------------------------------------------------------------------------------
    def _feet(self, knee_deg: float) -> dict:
        """World ankle targets for feet planted at the knee angle, trunk flat."""
        key = round(knee_deg, 3)
        if key not in self._feet_cache:
            b = self.body
            out = {}
            for s in "LR":
                hip = self._hip_ref[s]
                l1, l2 = b.length[f"thigh_{s}"], b.length[f"shin_{s}"]
                d = np.sqrt(l1 * l1 + l2 * l2 - 2 * l1 * l2 * np.cos(np.radians(knee_deg)))
                dz = hip[2] - b.ankle_height
                run = np.sqrt(max(d * d - dz * dz, 1e-4))
                lateral = self.left * (1 if s == "L" else -1) * FOOT_LATERAL_EXTRA_M
                out[s] = np.array([hip[0] - run, hip[1], b.ankle_height]) + lateral
            self._feet_cache[key] = out
        return self._feet_cache[key]

    def _legs(self, seg: dict, p: dict, hips: dict) -> None:
        F = self.FRAME
        feet = self._feet(p["knee"])
        pelvis = seg["pelvis"]
        foot_flat = rz(-90.0)  # standing foot turned to point along -X (away from the head)
        for s in "LR":
            sign = 1 if s == "L" else -1
            planted: dict = {}
            pole = Z + KNEE_POLE_OUT * sign * self.left
            self._leg_ik(planted, s, hips[s], feet[s], pole)
            planted[f"foot_{s}"] = foot_flat
            # rolled knees: the bent leg turns about the body's long axis through its hip
            lag = p["roll_lag"] if (p["roll"] > 0) == (s == "R") else 0.0
            leg_roll = (1 - PELVIS_ROLL_SHARE) * p["roll"] - np.sign(p["roll"]) * lag
            turn = F @ rz(leg_roll + PELVIS_ROLL_SHARE * p["roll"]) @ F.T
            for part in ("thigh", "shin", "foot"):
                planted[f"{part}_{s}"] = turn @ planted[f"{part}_{s}"]
            pull, lift = p[f"pull_{s}"], p[f"lift_{s}"]
            if pull <= 0 and lift <= 0:
                seg.update(planted)
                continue
            hip_flex, knee_flex, abd = (
                (PULLED_HIP_FLEX_DEG, PULLED_KNEE_FLEX_DEG, PULLED_HIP_ABD_DEG)
                if pull >= lift
                else (LIFTED_HIP_FLEX_DEG, LIFTED_KNEE_FLEX_DEG, 0.0)
            )
            w = max(pull, lift)
            thigh = pelvis @ rx(-hip_flex) @ ry(-sign * abd)
            shin = thigh @ rx(knee_flex)
            foot = shin @ rx(-15.0)
            free = {f"thigh_{s}": thigh, f"shin_{s}": shin, f"foot_{s}": foot}
            for k in free:
                seg[k] = slerp(planted[k], free[k], w)

    # arms -------------------------------------------------------------------------------------
    def _arms(self, seg: dict, p: dict, j: dict) -> None:
        F = self.FRAME
        pulled = [s for s in "LR" if p[f"pull_{s}"] > 0.01]
        for s in "LR":
            sign = 1 if s == "L" else -1
            a = np.radians(ARM_REST_ABDUCTION_DEG)
            along = unit(np.cos(a) * -self.cranial + np.sin(a) * sign * self.left - ARM_REST_DROP * Z)
            ua = aim(-Z, -X, along, F @ -X)
            fa = ua @ rx(-ARM_REST_ELBOW_DEG)
            shoulder = j[f"upperarm01.{s}"]
            w_hand = p["hands"]
            if w_hand > 0 and pulled:
                leg = s if (s in pulled and len(pulled) == 2) else pulled[0]
                knee, ankle = j[f"lowerleg01.{leg}"], j[f"foot.{leg}"]
                target = knee + HAND_ON_SHIN_FRACTION * (ankle - knee) + sign * HAND_SHIN_OFFSET_M * self.left
                ik: dict = {}
                self._arm_ik(ik, s, shoulder, target, sign * self.left - 0.6 * Z)
                ua = slerp(ua, ik[f"upperarm_{s}"], w_hand)
                fa = slerp(fa, ik[f"forearm_{s}"], w_hand)
            reach = p[f"reach_{s}"]
            if reach > 0:
                target = j["head"] + 0.12 * Z + 0.06 * self.cranial
                ik = {}
                self._arm_ik(ik, s, shoulder, target, sign * self.left - 0.3 * self.cranial)
                ua = slerp(ua, ik[f"upperarm_{s}"], reach)
                fa = slerp(fa, ik[f"forearm_{s}"], reach)
            seg[f"upperarm_{s}"] = ua
            seg[f"forearm_{s}"] = fa

    # the whole pose ---------------------------------------------------------------------------
    def solve(self, params: dict | None = None) -> Posed:
        p = self.params(params)
        b = self.body
        seg = self._trunk(p)
        # place the trunk: its lowest point on the floor, the shoulders (or, when curled
        # up, the pelvis) where they rest
        trunk_only = b.pose(seg, (0, 0, 0))
        z = -trunk_only.vertices[self._contact, 2].min()
        heads = _heads_by_name(b, trunk_only)
        w = float(np.clip(p["curl"] / 20.0, 0.0, 1.0))
        anchor = (1 - w) * 0.5 * (heads["upperarm01.L"] + heads["upperarm01.R"]) + w * heads["root"]
        anchor_to = (1 - w) * self._shoulder_ref + w * self._root_ref
        root = np.array([anchor_to[0] - anchor[0], anchor_to[1] - anchor[1], z])
        j = b.joints(seg, root)
        self._legs(seg, p, {s: j[f"upperleg01.{s}"] for s in "LR"})
        j = b.joints(seg, root)
        self._arms(seg, p, j)
        return b.pose(seg, root)

    def props(self) -> list[Box]:
        """A mat under the body."""
        lo = self._root_ref[0] - 1.0
        return [Box((lo - 0.15, -0.32, 0.0), (lo + 1.85, 0.32, 0.006), None)]


# =============================================================================================
class AllFours(_Posture):
    """On hands and knees (cat-cow)."""

    FRAME = PRONE_FOURS_FRAME
    DEFAULTS: ClassVar[dict[str, float]] = {
        "spine": 0.0,  # + cat (back rounded up), - cow (back sagging)
        "head": 0.0,  # + head down (chin to chest), - head up
        "arm_angle": 0.0,  # + hands ahead of the shoulders (toward the head), deg from vertical
        "thigh_angle": 0.0,  # + knees ahead of the hips (toward the head), deg from vertical
    }
    KNEES_AT_X_M = -0.45

    def __init__(self, body: Body):
        super().__init__(body)
        self._knees = body.segment_mask("shin")
        self._hands = body.segment_mask("hand")
        self._palm = PALM_THICKNESS_GUESS_M
        self._knee = KNEE_THICKNESS_GUESS_M
        self._pitch = 0.0

    def _segments(self, p: dict, pitch: float) -> dict:
        """Segment rotations; pitch (deg) turns the trunk about its lateral axis, + head up."""
        s = p["spine"]
        pelvis = self.FRAME @ rx(-pitch) @ rx(-0.5 * s)
        seg = {"pelvis": pelvis}
        R = pelvis
        for name in SPINE:
            R = R @ rx(s / 5.0)
            seg[name] = R
        for name, a in zip(NECK, _spread(p["head"], [1, 1, 1]), strict=True):
            R = R @ rx(a)
            seg[name] = R
        seg["head"] = R
        left, cranial = self.left, self.cranial
        thigh = ry(-p["thigh_angle"]) @ -Z
        shin = unit(-cranial - SHIN_SLOPE * Z)
        foot = unit(-cranial - FOOT_SLOPE * Z)
        arm = ry(-p["arm_angle"]) @ -Z
        for side in "LR":
            seg[f"girdle_{side}"] = seg["spine1"]
            seg[f"thigh_{side}"] = aim(-Z, X, thigh, left)
            seg[f"shin_{side}"] = aim(-Z, X, shin, left)
            seg[f"foot_{side}"] = aim(self.body.foot_neutral[side], X, foot, left)
            seg[f"upperarm_{side}"] = aim(-Z, -X, arm, -left)
            seg[f"forearm_{side}"] = aim(-Z, -X, arm, -left)
            self._hand_flat(seg, side, cranial, -Z)
        return seg

    def _gap(self, p: dict, pitch: float) -> float:
        """Height of the palms above the knees' contact, from the joints (no mesh)."""
        j = self.body.joints(self._segments(p, pitch))
        knee = min(j[f"lowerleg01.{s}"][2] for s in "LR") - self._knee
        wrist = min(j[f"wrist.{s}"][2] for s in "LR") - self._palm
        return wrist - knee

    def solve(self, params: dict | None = None) -> Posed:
        """Pitch the trunk until hands and knees both touch the floor."""
        p = self.params(params)
        b = self.body
        for _ in range(3):
            lo, hi = self._pitch - 30.0, self._pitch + 30.0
            for _ in range(24):
                mid = 0.5 * (lo + hi)
                lo, hi = (lo, mid) if self._gap(p, mid) > 0 else (mid, hi)
            self._pitch = 0.5 * (lo + hi)
            posed = b.pose(self._segments(p, self._pitch), (0, 0, 0))
            j = _heads_by_name(b, posed)
            # how far the skin sits below the joints; learnt, then solved again
            knee_z = min(j[f"lowerleg01.{s}"][2] for s in "LR")
            wrist_z = min(j[f"wrist.{s}"][2] for s in "LR")
            knee_floor = posed.vertices[self._knees, 2].min()
            hand_floor = posed.vertices[self._hands, 2].min()
            knee_t, palm_t = knee_z - knee_floor, wrist_z - hand_floor
            settled = abs(knee_t - self._knee) + abs(palm_t - self._palm) < 0.002
            self._knee, self._palm = knee_t, palm_t
            if settled:
                break
        knees = 0.5 * (j["lowerleg01.L"] + j["lowerleg01.R"])
        return _shifted(posed, np.array([self.KNEES_AT_X_M - knees[0], -knees[1], -knee_floor]))

    def props(self) -> list[Box]:
        return [Box((-1.0, -0.32, 0.0), (1.0, 0.32, 0.006), None)]


# =============================================================================================
class Upright(_Posture):
    """Sitting on a stool (the stool fits the body: thighs level, feet flat), or standing
    up from it: the feet stay planted and the hips travel between seat and standing."""

    FRAME = I3  # facing -Y, own left +X
    DEFAULTS: ClassVar[dict[str, float]] = {
        "sit": 1.0,  # 1 seated, 0 standing
        "lean": 0.0,  # trunk tipped forward at the hips (deg; - backward)
        "slouch": 0.0,  # back rounded, pelvis tucked, head forward (deg)
        "twist": 0.0,  # trunk turned toward the own left (deg; - right)
        "head_turn": 0.0,  # head turned further than the chest (deg, + left)
        "shrug": 0.0,  # shoulders raised toward the ears (deg)
        "squeeze": 0.0,  # 0..1 shoulder blades pulled together, elbows back
        "cross": 0.0,  # +1 right leg crossed over the left, -1 left over right
        "brace_L": 0.0,  # 0..1 left elbow against the outside of the right knee
        "brace_R": 0.0,  # 0..1 right elbow against the outside of the left knee
    }
    SLOUCH_PELVIS_SHARE = 0.4
    SLOUCH_HEAD_FORWARD = 0.5  # of the slouch the neck does not take back
    SQUEEZE_RETRACT_DEG = 16.0
    SQUEEZE_CHEST_LIFT_DEG = 4.0
    HAND_ON_THIGH = 0.62  # from hip to knee
    HAND_ON_THIGH_SQUEEZED = 0.22
    HAND_ABOVE_THIGH_M = 0.085
    FEET_WIDER_M = 0.04

    def __init__(self, body: Body):
        super().__init__(body)
        self._seat_geometry()

    def _seat_geometry(self) -> None:
        b = self.body
        seg = self._trunk(self.params({}))
        for s in "LR":
            seg[f"thigh_{s}"] = rx(-90.0)
            seg[f"shin_{s}"] = rx(-90.0) @ rx(SEAT_KNEE_DEG)
            seg[f"foot_{s}"] = I3
        posed = b.pose(seg, (0, 0, 0))
        j = _heads_by_name(b, posed)
        v = posed.vertices
        sole = v[b.segment_mask("foot"), 2].min()
        seat_part = b.segment_mask("pelvis", "thigh")
        butt = v[seat_part & (v[:, 1] > j["upperleg01.L"][1] - 0.12), 2].min()
        self.seat_height = float(butt - sole)
        self._root_seated = np.array([0.0, 0.0, -sole])
        self.feet = {
            s: j[f"foot.{s}"] - [0, 0, sole] + [(1 if s == "L" else -1) * self.FEET_WIDER_M, 0, 0] for s in "LR"
        }
        self.feet = {s: np.array([f[0], f[1], b.ankle_height]) for s, f in self.feet.items()}
        rest_sole = b.rest_vertices[:, 2].min()
        stand_z = b.head_of("root")[2] - rest_sole
        leg = b.length["thigh_L"] + b.length["shin_L"]
        hip_drop = (1 - STAND_LEG_STRAIGHT) * leg
        ankle_y = 0.5 * (self.feet["L"][1] + self.feet["R"][1])
        self._root_standing = np.array([0.0, ankle_y + 0.02, stand_z - hip_drop])
        self._hip_y = float(j["upperleg01.L"][1])

    def _trunk(self, p: dict) -> dict:
        twist_pelvis = SEATED_TWIST_PELVIS_SHARE * p["twist"]
        pelvis = rz(twist_pelvis) @ rx(p["lean"]) @ rx(-self.SLOUCH_PELVIS_SHARE * p["slouch"])
        seg = {"pelvis": pelvis}
        flex = _spread(p["slouch"] * (1 + self.SLOUCH_PELVIS_SHARE), [0.15, 0.15, 0.2, 0.25, 0.25])
        lift = _spread(-self.SQUEEZE_CHEST_LIFT_DEG * p["squeeze"], [0, 0, 0.3, 0.4, 0.3])
        twist = _spread(p["twist"] - twist_pelvis, [1, 1, 1, 1, 1])
        R = pelvis
        for name, f, up, t in zip(SPINE, flex, lift, twist, strict=True):
            R = R @ rz(t) @ rx(f + up)
            seg[name] = R
        neck = _spread(-p["slouch"] * (1 - self.SLOUCH_HEAD_FORWARD) - p["lean"], [1, 1, 1])
        for name, a in zip(NECK, neck, strict=True):
            R = R @ rx(a)
            seg[name] = R
        seg["head"] = R @ rz(p["head_turn"])
        chest = seg["spine1"]
        ret = self.SQUEEZE_RETRACT_DEG * p["squeeze"]
        seg["girdle_L"] = chest @ rz(ret) @ ry(-p["shrug"])
        seg["girdle_R"] = chest @ rz(-ret) @ ry(p["shrug"])
        return seg

    def _legs(self, seg: dict, p: dict, hips: dict) -> None:
        pelvis = seg["pelvis"]
        for s in "LR":
            sign = 1 if s == "L" else -1
            planted: dict = {}
            self._leg_ik(planted, s, hips[s], self.feet[s], -Y + 0.1 * sign * X)
            planted[f"foot_{s}"] = I3
            on_top = (p["cross"] > 0 and s == "R") or (p["cross"] < 0 and s == "L")
            w = abs(p["cross"]) if on_top else 0.0
            if w <= 0:
                seg.update(planted)
                continue
            thigh = pelvis @ rx(-CROSSED_HIP_FLEX_DEG) @ ry(sign * CROSSED_HIP_ADD_DEG)
            shin = thigh @ rx(CROSSED_KNEE_FLEX_DEG)
            free = {f"thigh_{s}": thigh, f"shin_{s}": shin, f"foot_{s}": shin @ rx(-CROSSED_KNEE_FLEX_DEG + 80.0)}
            for k in free:
                seg[k] = slerp(planted[k], free[k], w)

    def _arms(self, seg: dict, p: dict, j: dict) -> None:
        chest = seg["spine1"]
        sit = float(np.clip(p["sit"], 0.0, 1.0))
        for s in "LR":
            sign = 1 if s == "L" else -1
            other = "R" if s == "L" else "L"
            shoulder = j[f"upperarm01.{s}"]
            # hanging at the side (standing)
            hang_ua = chest @ ry(-sign * ARM_HANG_ABDUCTION_DEG)
            hang_fa = hang_ua @ rx(-10.0)
            # hand resting on the thigh; squeezing slides it back toward the hip
            hip, knee = j[f"upperleg01.{s}"], j[f"lowerleg01.{s}"]
            along = self.HAND_ON_THIGH + (self.HAND_ON_THIGH_SQUEEZED - self.HAND_ON_THIGH) * p["squeeze"]
            target = hip + along * (knee - hip) + self.HAND_ABOVE_THIGH_M * Z + 0.03 * sign * X
            ik: dict = {}
            pole = unit(sign * X + (0.6 + 0.8 * p["squeeze"]) * (chest @ Y))
            self._arm_ik(ik, s, shoulder, target, pole)
            ua = slerp(hang_ua, ik[f"upperarm_{s}"], sit)
            fa = slerp(hang_fa, ik[f"forearm_{s}"], sit)
            # seated rotation: this elbow against the outside of the other knee
            brace = p[f"brace_{s}"]
            if brace > 0:
                other_knee = j[f"lowerleg01.{other}"]
                elbow = other_knee - sign * 0.08 * X + 0.06 * Z
                up = unit(Z * BRACE_FOREARM_UP + (chest @ -Y) * BRACE_FOREARM_FORWARD)
                bua = unit(elbow - shoulder)
                hinge = np.cross(bua, up)
                br = {f"upperarm_{s}": aim(-Z, -X, bua, hinge), f"forearm_{s}": aim(-Z, -X, up, hinge)}
                ua, fa = slerp(ua, br[f"upperarm_{s}"], brace), slerp(fa, br[f"forearm_{s}"], brace)
            # ... and the other hand behind, on the stool
            behind = p[f"brace_{other}"]
            if behind > 0:
                target = np.array([sign * 0.2, self._hip_y + 0.22, self.seat_height + 0.02])
                ik = {}
                self._arm_ik(ik, s, shoulder, target, unit(sign * X - Z))
                ua = slerp(ua, ik[f"upperarm_{s}"], behind)
                fa = slerp(fa, ik[f"forearm_{s}"], behind)
            seg[f"upperarm_{s}"] = ua
            seg[f"forearm_{s}"] = fa

    def solve(self, params: dict | None = None) -> Posed:
        p = self.params(params)
        b = self.body
        sit = float(np.clip(p["sit"], 0.0, 1.0))
        root = sit * self._root_seated + (1 - sit) * self._root_standing
        seg = self._trunk(p)
        j = b.joints(seg, root)
        self._legs(seg, p, {s: j[f"upperleg01.{s}"] for s in "LR"})
        j = b.joints(seg, root)
        self._arms(seg, p, j)
        return b.pose(seg, root)

    def props(self) -> list[Box]:
        """A stool under the buttocks: seat and four legs."""
        h, half, leg = self.seat_height, STOOL_SIZE_M / 2, STOOL_LEG_M
        cy = self._hip_y + 0.03
        seat = Box((-half, cy - half, h - 0.035), (half, cy + half, h), None)
        legs = [
            Box((x, y, 0.0), (x + leg, y + leg, h - 0.035), None)
            for x in (-half + 0.01, half - leg - 0.01)
            for y in (cy - half + 0.01, cy + half - leg - 0.01)
        ]
        return [seat, *legs]


# =============================================================================================
class Walk(_Posture):
    """Walking across the room along +X, upright; `x` is the distance walked (m)."""

    FRAME = rz(90.0)  # facing +X, own left +Y
    DEFAULTS: ClassVar[dict[str, float]] = {"x": 0.0, "y": 0.0, "stride": 1.0}

    def __init__(self, body: Body):
        super().__init__(body)
        self._feet = body.segment_mask("foot")
        self.cycle_m = GAIT_CYCLE_PER_STATURE * body.stature

    def solve(self, params: dict | None = None) -> Posed:
        p = self.params(params)
        b = self.body
        F = self.FRAME
        phase = 2 * np.pi * p["x"] / self.cycle_m
        a = p["stride"]
        seg = {"pelvis": F @ rz(3.0 * a * np.sin(phase))}
        R = seg["pelvis"]
        for name in SPINE:
            R = R @ rz(-3.0 * a * np.sin(phase) / 5)
            seg[name] = R
        for name in (*NECK, "head"):
            seg[name] = R
        for s in "LR":
            seg[f"girdle_{s}"] = R
            sign = 1 if s == "L" else -1
            ph = phase + (0 if s == "L" else np.pi)
            hip = a * HIP_SWING_DEG * np.sin(ph)
            knee = a * KNEE_SWING_DEG * max(0.0, np.sin(ph + 0.9 * np.pi / 2)) ** 2 + 5.0
            thigh = seg["pelvis"] @ rx(-hip)
            shin = thigh @ rx(knee)
            seg[f"thigh_{s}"] = thigh
            seg[f"shin_{s}"] = shin
            seg[f"foot_{s}"] = shin @ rx(-max(0.0, -hip) * 0.3)
            ua = R @ rx(a * ARM_SWING_DEG * np.sin(ph)) @ ry(-sign * 6.0)
            seg[f"upperarm_{s}"] = ua
            seg[f"forearm_{s}"] = ua @ rx(-15.0 - 10.0 * a)
        posed = b.pose(seg, (0, 0, 0))
        shift = np.array([p["x"], p["y"], -posed.vertices[self._feet, 2].min()])
        return _shifted(posed, shift)
