#!/usr/bin/env python
"""Make samples/: every clip of the curated set, reproducibly from its seed, and INDEX.md.

    python scripts/make_samples.py                 # render every clip (one process; ~40 min on 2 cores)
    python scripts/make_samples.py bridge cat_cow  # only these clips
    python scripts/check_samples.py --json samples/mediapipe_check.json
    python scripts/make_samples.py --index         # rewrite samples/INDEX.md (with the check's figures)

Needs the synth extra (torch, anny) to render; --index needs only the core install.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "samples"


@dataclass
class Sample:
    name: str
    exercise: str | None
    reps: list  # SIDE[:FAULT+..][@HOLD] as on the command line
    seed: int
    shows: str
    negative: str | None = None
    side: str | None = None
    size: tuple = (640, 480)
    fps: float = 30.0
    duration_s: float = 24.0
    shape: dict | None = None  # Shape fields; None: seeded
    camera: dict | None = None  # camera_height_m / distance_m / azimuth_deg; None: seeded
    look: dict | None = None  # colours set over the seeded look


MAN = {"gender": 0.0, "age_years": 40, "stature_m": 1.76, "weight": 0.5, "muscle": 0.5, "proportions": 0.5}
WOMAN = {"gender": 1.0, "age_years": 33, "stature_m": 1.64, "weight": 0.45, "muscle": 0.45, "proportions": 0.5}
OLDER_MAN = {"gender": 0.0, "age_years": 66, "stature_m": 1.70, "weight": 0.72, "muscle": 0.4, "proportions": 0.5}
OLDER_WOMAN = {"gender": 1.0, "age_years": 58, "stature_m": 1.60, "weight": 0.7, "muscle": 0.4, "proportions": 0.55}
TALL_MAN = {"gender": 0.0, "age_years": 27, "stature_m": 1.90, "weight": 0.35, "muscle": 0.65, "proportions": 0.45}

# the main bridge clip in the bootstrap clip's colours: blue shirt, dark shorts, purple mat, wood floor
CLASSIC = {
    "skin": (226, 178, 146),
    "shirt": (40, 90, 170),
    "bottoms": (45, 45, 52),
    "hair": (55, 38, 28),
    "feet": (235, 235, 235),
    "sleeves": "short",
    "pants": "short",
    "mat": (78, 70, 150),
    "floor": (150, 100, 62),
    "wall": (214, 208, 196),
}

SET = [
    # -- good form, real holds ----------------------------------------------------------------
    Sample(
        "knee_to_chest",
        "knee_to_chest",
        ["left", "right", "both"],
        101,
        "1 round: left, right, both; 5 s holds",
        side="right",
        shape=MAN,
    ),
    Sample(
        "lower_back_rotation",
        "lower_back_rotation",
        ["left", "right"],
        102,
        "left then right; 10 s holds",
        side="left",
        shape=WOMAN,
        size=(640, 360),
        fps=24,
    ),
    Sample(
        "pelvic_tilt",
        "pelvic_tilt",
        ["-", "-"],
        103,
        "2 reps, each 5 s arched + 5 s flat",
        side="right",
        shape=OLDER_WOMAN,
        fps=25,
        size=(512, 384),
    ),
    Sample(
        "bridge",
        "bridge",
        ["-", "-"],
        104,
        "2 reps, 12 s holds",
        side="right",
        shape=MAN,
        camera={"camera_height_m": 0.5, "distance_m": 2.8, "azimuth_deg": 0.0},
        look=CLASSIC,
    ),
    Sample(
        "bridge_woman_left",
        "bridge",
        ["-", "-"],
        105,
        "2 reps, 12 s holds; other side, other body, higher camera turned 12 deg",
        side="left",
        shape=WOMAN,
        size=(640, 360),
        fps=24,
        camera={"camera_height_m": 0.85, "distance_m": 2.6, "azimuth_deg": 12.0},
    ),
    Sample(
        "cat_cow",
        "cat_cow",
        ["-", "-", "-"],
        106,
        "3 reps A-cat-cow-A, 1.5-2 s in each end position",
        side="left",
        shape=TALL_MAN,
        fps=24,
    ),
    Sample(
        "seated_rotation",
        "seated_rotation",
        ["right", "left"],
        107,
        "right then left, legs crossed, elbow at the knee; 10 s holds",
        shape=OLDER_MAN,
        fps=24,
    ),
    Sample(
        "shoulder_blade_squeeze",
        "shoulder_blade_squeeze",
        ["-", "-", "-"],
        108,
        "3 reps, 5 s holds",
        side="right",
        shape=WOMAN,
        size=(480, 360),
        fps=25,
    ),
    # -- faults: a good rep first, then faulty reps (their holds shorter: they do not count anyway)
    Sample(
        "bridge_hips_low",
        "bridge",
        ["-", ":hips_low"],
        111,
        "good rep, then a rep with the hips sagging (~150 deg)",
        side="right",
        shape=OLDER_MAN,
        fps=24,
    ),
    Sample(
        "bridge_hips_high_shoulders",
        "bridge",
        ["-", ":hips_high@7", ":shoulders_lifted@7"],
        112,
        "good rep; hips pushed above the line; upper back curled off the floor",
        side="left",
        shape=TALL_MAN,
        fps=24,
        size=(640, 360),
    ),
    Sample(
        "bridge_head_feet",
        "bridge",
        ["-", ":head_lifted@7", ":feet_position@7"],
        113,
        "good rep; head lifted; feet slid away (knee ~140 deg)",
        side="right",
        shape=WOMAN,
        fps=24,
    ),
    Sample(
        "knee_to_chest_faults",
        "knee_to_chest",
        ["left", "right:other_leg_lifted", "both:shoulders_lifted", "left:head_lifted"],
        114,
        "good left; right with the other leg lifted; both with shoulders lifted; left with the head lifted",
        side="left",
        shape=OLDER_WOMAN,
        fps=24,
    ),
    Sample(
        "lower_back_rotation_faults",
        "lower_back_rotation",
        ["left", "right:knees_apart@6", "left:shoulders_lifted@6"],
        115,
        "good left; right with the knees apart; left with the shoulders following the knees",
        side="right",
        shape=MAN,
        fps=24,
    ),
    Sample(
        "pelvic_tilt_hips_lifted",
        "pelvic_tilt",
        ["-", ":hips_lifted"],
        116,
        "good rep; then the flatten phase with the hips lifted into a bridge",
        side="left",
        shape=TALL_MAN,
        fps=24,
        size=(640, 360),
    ),
    Sample(
        "cat_cow_faults",
        "cat_cow",
        ["-", ":too_fast", ":too_fast", ":hands_not_under_shoulders", ":knees_not_under_hips"],
        117,
        "good rep; two rushed reps (0.3 s ends); hands ahead of the shoulders; knees behind the hips",
        side="right",
        shape=OLDER_WOMAN,
        fps=24,
    ),
    Sample(
        "seated_rotation_direction_legs",
        "seated_rotation",
        ["right", "right:wrong_direction@6", "left:legs_not_crossed@6"],
        118,
        "good right; right leg crossed but turned left; turned left without crossing the legs",
        shape=WOMAN,
        fps=24,
        size=(640, 360),
    ),
    Sample(
        "seated_rotation_slouch_elbow",
        "seated_rotation",
        ["left", "left:slouching@6", "right:elbow_not_at_knee@6"],
        119,
        "good left; left slouching; right without the elbow at the knee",
        shape=TALL_MAN,
        fps=24,
    ),
    Sample(
        "shoulder_blade_squeeze_faults",
        "shoulder_blade_squeeze",
        ["-", ":shrugging", ":leaning_back", ":slouching"],
        120,
        "good rep; shrugging; leaning back; slouching",
        side="left",
        shape=OLDER_MAN,
        fps=24,
    ),
    # -- a hold too short: an attempt, not counted
    Sample(
        "bridge_short_hold",
        "bridge",
        ["@4", "-"],
        121,
        "a 4 s hold (attempt), then a good rep",
        side="right",
        shape=OLDER_WOMAN,
        fps=24,
        size=(640, 360),
    ),
    Sample(
        "knee_to_chest_short_hold",
        "knee_to_chest",
        ["left@2.5", "right", "both@3"],
        122,
        "left held 2.5 s (attempt), right good, both held 3 s (attempt)",
        side="right",
        shape=TALL_MAN,
        fps=25,
        size=(512, 384),
    ),
    # -- negatives: no reps at all
    Sample(
        "negative_lying_still",
        "bridge",
        [],
        131,
        "lies still in hook-lying for 16 s (as bridge)",
        negative="lying_still",
        side="right",
        shape=MAN,
        duration_s=16,
        fps=24,
        size=(640, 360),
    ),
    Sample(
        "negative_fidgeting",
        "knee_to_chest",
        [],
        132,
        "fidgets in hook-lying: small knee lifts, shifts, head turns, a hand to the face (as knee_to_chest)",
        negative="fidgeting",
        side="left",
        shape=WOMAN,
        duration_s=24,
        fps=24,
    ),
    Sample(
        "negative_sit_stand",
        "seated_rotation",
        [],
        133,
        "stands up from the stool and sits down again, twice (as seated_rotation)",
        negative="sit_stand",
        shape=OLDER_MAN,
        duration_s=24,
        fps=24,
        size=(640, 360),
    ),
    # -- what people do that the first release missed
    Sample(
        "bridge_far_portrait",
        "bridge",
        ["-"],
        7101,
        "a phone on its side 4.1 m away: the person too small for the detector in the whole frame",
        side="left",
        shape=WOMAN,
        fps=10,
        size=(480, 640),
        camera={"camera_height_m": 0.35, "distance_m": 4.1, "azimuth_deg": 4.0},
    ),
    Sample(
        "negative_walk_through",
        "bridge",
        [],
        134,
        "walks through the frame in front of a floor-exercise camera (as bridge)",
        negative="walk_through",
        side="left",
        shape=TALL_MAN,
        fps=30,
    ),
]


# Clips from the accuracy sweep (`scripts/bench_accuracy.py --sweep`) that posecheck got
# wrong, kept as they were rendered so the fix stays tested. Each is remade by
# `python -m posecheck.synth clip EXERCISE --seed SEED --name NAME`.
KEPT_FROM_SWEEP = {
    "sweep_seated_rotation_112": (
        "the knees' height difference faded as the trunk turned: good reps were read as legs not crossed"
    ),
    "sweep_shoulder_blade_squeeze_106": (
        "a good squeeze shortened the neck by 0.07 torso lengths: it was read as a shrug"
    ),
}


def spec_of(s: Sample):
    from posecheck.synth.body import Shape
    from posecheck.synth.cli import _parse_rep
    from posecheck.synth.clip import ClipSpec

    spec = ClipSpec(
        exercise=s.exercise,
        negative=s.negative,
        seed=s.seed,
        side=s.side,
        width=s.size[0],
        height=s.size[1],
        fps=s.fps,
        duration_s=s.duration_s,
        varies=s.shows,
        shape=Shape(**s.shape) if s.shape else None,
        look_changes=dict(s.look or {}),
        **(
            {
                "camera_height_m": s.camera.get("camera_height_m"),
                "distance_m": s.camera.get("distance_m"),
                "azimuth_deg": s.camera.get("azimuth_deg"),
            }
            if s.camera
            else {}
        ),
    )
    if s.negative is None:
        spec.plan = [_parse_rep(s.exercise, r) for r in s.reps]
    return spec


def render(names: list[str]) -> None:
    from posecheck.synth.clip import make_clip

    todo = [s for s in SET if not names or s.name in names]
    unknown = set(names) - {s.name for s in SET}
    if unknown:
        sys.exit(f"no sample named {', '.join(sorted(unknown))}")
    for s in todo:
        start = time.time()
        truth = make_clip(spec_of(s), SAMPLES, s.name)
        size = (SAMPLES / f"{s.name}.mp4").stat().st_size / 1e6
        print(
            f"{s.name}: {truth['kind']}, {truth['frames']} frames, {truth['summary']}, {size:.2f} MB, "
            f"{time.time() - start:.0f} s",
            flush=True,
        )


# ---- INDEX.md -------------------------------------------------------------------------------
LIMITS = """\
What the renderer cannot show, and what that means for tests:
- Hands rest on the shin or knee; they do not grip, and fingers do not move (knee_to_chest).
- Pelvic tilt moves the pelvis by 14 deg (arch) / 10 deg (flat) with the lumbar spine
  following; the lower-back gap changes by about 1-2 cm and the hip landmark by a few px.
  Landmarks barely see it (see exercises.md): the clips test the guided mode and hips_lifted.
- Cat-cow curvature comes from five spine bones; the skin bends smoothly but there is no
  shoulder-blade or rib detail.
- No self-collision: a crossed leg or a hand on a shin can sink a little into the other
  body part; clothing is painted on the skin (no folds, no loose shirts).
- No motion blur, camera shake, lens distortion or compression artefacts beyond mp4v's own;
  a plain room with one key light and a soft contact shadow. Real webcams are harder.
- Walking is a simple sinusoidal gait; sitting down and standing up keep the feet planted.
- Breathing sway (about 1 deg of pelvis/spine/head) runs all the time, also during holds.
- Truth keypoints are anny's COCO keypoints regressed from the mesh, not MediaPipe's
  landmark definitions: MediaPipe's hips sit a few cm off, so a few px of error is the floor.
"""


def _fault_text(checks: dict, name: str) -> str:
    c = checks.get(f"{name}.mp4")
    if not c or not c.get("faults"):
        return ""
    parts = []
    for f in c["faults"]:
        if f.get("good") is None:
            parts.append(f"{f['fault']}: {f['metric']} {f['fault_value']}")
        else:
            parts.append(f"{f['fault']}: {f['metric']} {f['good']:.2f} -> {f['fault_value']:.2f}")
    return "; ".join(parts)


def _clip_bytes(name: str) -> int:
    """A clip's video, truth and keypoints together."""
    return sum((SAMPLES / f"{name}{ext}").stat().st_size for ext in (".mp4", ".json", ".npz"))


def index() -> None:
    check_path = SAMPLES / "mediapipe_check.json"
    checks = {c["clip"]: c for c in json.loads(check_path.read_text())} if check_path.exists() else {}
    rows = []
    total = 0
    for s in SET:
        path = SAMPLES / f"{s.name}.json"
        if not path.exists():
            continue
        t = json.loads(path.read_text())
        size = _clip_bytes(s.name)
        total += size
        cam = t["camera"]
        side = cam.get("body_side_to_camera") or "-"
        faults = ", ".join(sorted({f["id"] for f in t["faults"]})) or "-"
        c = checks.get(t["video"], {})
        det = f"{100 * c['on_person_rate']:.1f}%" if c else "not checked"
        err = f"{c['err6_px']} / {c['err_near3_px'] if c.get('err_near3_px') is not None else '-'}" if c else "-"
        rows.append(
            f"| {t['video']} | {t['exercise']} | {t['kind']} | {s.shows} | {side} | {t['body']['describe']} | "
            f"{cam['view']}, h {cam['height_m']} m, d {cam['distance_m']} m, az {cam['azimuth_deg']:+.0f} deg | "
            f"{t['width']}x{t['height']}@{t['fps']:g} | {t['hold_s']:g} | "
            f"{t['summary']['reps_counted']}/{t['summary']['reps_attempted']} | "
            f"{faults} | {t['duration_s']:.1f} s | {size / 1e6:.2f} MB | {det} | {err} |"
        )
    fault_lines = [f"- {s.name}.mp4: {_fault_text(checks, s.name)}" for s in SET if _fault_text(checks, s.name)]
    kept = []
    for name, why in KEPT_FROM_SWEEP.items():
        path = SAMPLES / f"{name}.json"
        if not path.exists():
            continue
        t = json.loads(path.read_text())
        total += _clip_bytes(name)
        cam = t["camera"]
        kept.append(
            f"- {t['video']}: {t['exercise']}, {t['varies']}; {t['body']['describe']}; "
            f"{cam['view']}, h {cam['height_m']} m, "
            f"az {cam['azimuth_deg']:+.0f} deg; {t['width']}x{t['height']}@{t['fps']:g}. Kept because {why}. "
            f"Remake: `python -m posecheck.synth clip {t['exercise']} --seed {t['seed']} --name {name}`"
        )
    columns = ["file", "exercise", "kind", "shows", "side", "body", "camera", "video", "hold_s", "counted/attempted"]
    columns += ["faults", "duration", "size", "MP detection", "MP err px"]
    table_head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns)
    text = f"""# samples/: rendered clips with their truth

Made by `scripts/make_samples.py` with the performer (`posecheck.synth`): an anny body posed
through a scripted performance, rendered on the CPU, with the truth beside each clip:
`NAME.json` (in the shape of posecheck's report: reps with side, hold and fault times,
counted; fault spans; summary; plus how it was made) and `NAME.npz` (per frame: `kp2d` px,
`kp3d_mm`, `t_s`, `phase` into `phase_names`, `in_frame`, camera `K`/`R`/`eye`, `labels`).
The conventions are in each JSON's `notes`. Everything is reproducible from the seeds in
the script; `python -m posecheck.synth --help` makes other clips.

Side: the side of the body facing the camera. MP: MediaPipe pose_landmarker_full in VIDEO
mode (`scripts/check_samples.py`): share of in-view frames with a pose on the person, and
mean 2D error (px) of shoulders, hips and knees (all six / the three facing the camera).

{table_head}
{chr(10).join(rows)}

{len(rows) + len(kept)} clips, {total / 1e6:.1f} MB with truth and keypoints. Fault clips start with a good
rep; their faulty reps may hold shorter than prescribed (a faulty rep does not count anyway).
`samples/bootstrap/` is not part of this set: it holds the prototype's bridge clip that the
core's end-to-end test uses.

## Kept from the accuracy sweep

Random clips that posecheck once got wrong, kept as rendered (the fix is tested on them):

{chr(10).join(kept) if kept else "(none)"}

## The faults as MediaPipe sees them

Measured on MediaPipe's landmarks over the faulty hold against the same clip's good holds
(same body and camera), by `scripts/check_samples.py`:

{chr(10).join(fault_lines) if fault_lines else "(run scripts/check_samples.py --json samples/mediapipe_check.json)"}

## Limits

{LIMITS}"""
    (SAMPLES / "INDEX.md").write_text(text)
    print(f"wrote {SAMPLES / 'INDEX.md'}: {len(rows)} clips, {total / 1e6:.1f} MB")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Render the curated samples/ set (and INDEX.md).")
    ap.add_argument("names", nargs="*", help="only these samples (default: all)")
    ap.add_argument("--index", action="store_true", help="only rewrite samples/INDEX.md")
    ap.add_argument("--list", action="store_true", help="list the samples")
    args = ap.parse_args(argv)
    if args.list:
        for s in SET:
            print(f"{s.name}: {s.shows}")
        return 0
    if not args.index:
        SAMPLES.mkdir(exist_ok=True)
        render(args.names)
    index()
    return 0


if __name__ == "__main__":
    sys.exit(main())
