"""Pose tables: the target positions of each exercise and what each fault changes.

Numbers are pose parameters of the postures in posture.py (degrees, or 0..1 weights).
A fault is a change merged into the target pose of the rep it is shown in. Targets that
must meet a geometric condition on the body (the bridge's straight shoulder-hip-knee line)
are solved per body in performance.py from the angles given here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---- the exercises ---------------------------------------------------------------------------
HOLD_S = {
    "knee_to_chest": 5.0,
    "lower_back_rotation": 10.0,
    "pelvic_tilt": 5.0,
    "bridge": 12.0,
    "cat_cow": 1.0,
    "seated_rotation": 10.0,
    "shoulder_blade_squeeze": 5.0,
}

POSTURE = {
    "knee_to_chest": "supine",
    "lower_back_rotation": "supine",
    "pelvic_tilt": "supine",
    "bridge": "supine",
    "cat_cow": "allfours",
    "seated_rotation": "upright",
    "shoulder_blade_squeeze": "upright",
}

VIEW = {  # where the camera goes (exercises.md)
    "knee_to_chest": "side",
    "lower_back_rotation": "side",
    "pelvic_tilt": "side",
    "bridge": "side",
    "cat_cow": "side",
    "seated_rotation": "front",
    "shoulder_blade_squeeze": "side",
}

SIDES = {  # the sides a rep can have (the person's own)
    "knee_to_chest": ("left", "right", "both"),
    "lower_back_rotation": ("left", "right"),
    "seated_rotation": ("right", "left"),
}

# ---- target poses ----------------------------------------------------------------------------
KNEE_TO_CHEST = {
    "left": {"pull_L": 1.0, "hands": 1.0},
    "right": {"pull_R": 1.0, "hands": 1.0},
    "both": {"pull_L": 1.0, "pull_R": 1.0, "hands": 1.0},
}
ROLL_DEG = 55.0
LOWER_BACK_ROTATION = {"left": {"roll": ROLL_DEG}, "right": {"roll": -ROLL_DEG}}
# pelvic rotation (deg; the lumbar spine bends with it, tilt.py). Default body, side view: the
# lower belly's outline over the hip-shoulder line rises 0.030 and sinks 0.020 torso lengths
# (the real close clip swings 0.016-0.025 between them); the lumbar lifts ~1 cm off the floor.
PELVIC_ARCH = {"tilt": 12.0}
PELVIC_FLAT = {"tilt": -11.0}
BRIDGE_LINE_DEG = 180.0  # shoulder-hip-knee angle of good form (straight)
BRIDGE_HIPS_LOW_DEG = 152.0  # sagging below the line
BRIDGE_HIPS_HIGH_DEG = 200.0  # hip above the line (reflex angle measured on the knee side)
CAT = {"spine": 36.0, "head": 34.0}
COW = {"spine": -30.0, "head": -32.0}
TWIST_DEG = 45.0
HEAD_TURN_DEG = 15.0
SEATED_ROTATION = {
    "right": {"cross": 1.0, "twist": -TWIST_DEG, "head_turn": -HEAD_TURN_DEG, "brace_L": 1.0},
    "left": {"cross": -1.0, "twist": TWIST_DEG, "head_turn": HEAD_TURN_DEG, "brace_R": 1.0},
}
SQUEEZE = {"squeeze": 1.0}


# ---- faults ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fault:
    id: str
    change: dict = field(default_factory=dict)  # merged into the target pose
    note: str = ""


def _other(side: str) -> str:
    return {"left": "R", "right": "L"}[side]


FAULTS: dict[str, dict[str, Fault]] = {
    "knee_to_chest": {
        "other_leg_lifted": Fault("other_leg_lifted", note="the other leg rises, knee almost straight (one-leg reps)"),
        "head_lifted": Fault("head_lifted", {"head": 36.0}),
        "shoulders_lifted": Fault("shoulders_lifted", {"curl": 30.0, "head": 12.0}),
    },
    "lower_back_rotation": {
        "shoulders_lifted": Fault("shoulders_lifted", {"trunk_roll": 38.0}, "the chest turns after the knees"),
        "knees_apart": Fault("knees_apart", {"roll_lag": 32.0}, "the upper knee stays up"),
    },
    "pelvic_tilt": {
        "hips_lifted": Fault("hips_lifted", {"bridge": 20.0}, "hips raised into a bridge while flattening"),
    },
    "bridge": {
        "hips_low": Fault("hips_low", note=f"shoulder-hip-knee {BRIDGE_HIPS_LOW_DEG:.0f} deg"),
        "hips_high": Fault(
            "hips_high", note=f"shoulder-hip-knee {360 - BRIDGE_HIPS_HIGH_DEG:.0f} deg, hip above the line"
        ),
        "shoulders_lifted": Fault("shoulders_lifted", {"curl": 24.0}, "upper back curled off the floor, head down"),
        "head_lifted": Fault("head_lifted", {"head": 38.0}),
        "feet_position": Fault("feet_position", {"knee": 142.0}, "feet slid away: knee about 140 deg"),
    },
    "cat_cow": {
        "too_fast": Fault("too_fast", note="end positions held 0.3 s, moves 0.7 s"),
        "hands_not_under_shoulders": Fault(
            "hands_not_under_shoulders", {"arm_angle": 26.0}, "hands ahead of the shoulders"
        ),
        "knees_not_under_hips": Fault("knees_not_under_hips", {"thigh_angle": -24.0}, "knees behind the hips"),
    },
    "seated_rotation": {
        "wrong_direction": Fault("wrong_direction", note="right leg crossed over, trunk turned left"),
        "legs_not_crossed": Fault("legs_not_crossed", {"cross": 0.0}),
        "slouching": Fault("slouching", {"slouch": 32.0}),
        "elbow_not_at_knee": Fault("elbow_not_at_knee", {"brace_L": 0.0, "brace_R": 0.0}, "hands in the lap"),
    },
    "shoulder_blade_squeeze": {
        "shrugging": Fault("shrugging", {"shrug": 38.0, "squeeze": 0.5}),
        "leaning_back": Fault("leaning_back", {"lean": -20.0, "squeeze": 0.25}),
        "slouching": Fault("slouching", {"slouch": 32.0, "squeeze": 0.5}),
    },
}

# Faults held in the rest position around the rep as well (the setup is wrong, not the move).
SETUP_FAULTS = {"hands_not_under_shoulders", "knees_not_under_hips", "feet_position"}
# Faults about the whole rep's timing.
REP_WIDE_FAULTS = {"too_fast"}

# ---- negatives -------------------------------------------------------------------------------
NEGATIVES = {
    "lying_still": ("supine", "bridge", "lies still in hook-lying"),
    "fidgeting": (
        "supine",
        "knee_to_chest",
        "lies in hook-lying and fidgets: small knee lifts, shifts, head turns, a hand to the face",
    ),
    "sit_stand": ("upright", "seated_rotation", "sits down on the stool and stands up again"),
    "walk_through": ("walk", "bridge", "walks through the frame"),
}

# ---- breathing sway, added all the time (amplitude deg, period s) ----------------------------
SWAY = {
    "supine": {"tilt": (1.0, 4.2), "head": (0.8, 5.3)},
    "allfours": {"spine": (1.5, 4.2), "head": (1.5, 5.3)},
    "upright": {"slouch": (1.0, 4.2), "twist": (0.8, 6.1)},
    "walk": {},
}
