"""One clip from a spec: body, performance, camera, look -> NAME.mp4, NAME.json, NAME.npz."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from posecheck.synth import poses as P
from posecheck.synth import truth as T
from posecheck.synth.appearance import face_colors, random_look, random_shape
from posecheck.synth.body import COCO_LABELS, Body, Shape
from posecheck.synth.camera import Camera, place
from posecheck.synth.choreography import RepPlan, default_plan, negative, perform
from posecheck.synth.manner import Manner
from posecheck.synth.posture import Upright, Walk
from posecheck.synth.render import Box, Look, Renderer, Room
from posecheck.synth.rotations import Y, Z, unit
from posecheck.synth.variants import HeadTipSupine, KneelingAllFours

POSTURES = {"supine": HeadTipSupine, "allfours": KneelingAllFours, "upright": Upright, "walk": Walk}

# Camera placement ranges when not given (seeded): (height m, distance m, |azimuth| deg)
CAMERA_RANGES = {
    "floor": ((0.3, 0.8), (2.4, 3.1), 15.0),
    "seated_side": ((0.85, 1.2), (2.2, 2.8), 15.0),
    "front": ((0.85, 1.2), (2.2, 2.8), 15.0),
    "walk": ((0.45, 1.0), (3.6, 4.2), 0.0),
}
FOCAL_PER_WIDTH = (0.74, 0.92)
TEMPO_RANGE = (0.85, 1.15)
FIT_MARGIN = 0.04  # keypoints of the key poses stay this share of the frame inside it
FIT_STEP = 1.08
WALL_BEHIND_M = (1.0, 2.2)
AZIMUTH_NOTE = (
    "azimuth_deg: the camera turned about the vertical through the body's centre away from the "
    "ideal placement (perpendicular to the body for side views, straight ahead for front views); "
    "positive moves it toward the person's head (floor exercises), front (seated side view) or "
    "own left (front view)."
)


@dataclass
class ClipSpec:
    exercise: str | None = None  # one of the seven; for negatives, defaults to the negative's
    plan: list[RepPlan] | None = None  # None: every side once, good form
    manner: Manner | None = None  # start posture, head, nods, sway (manner.py); None: plain
    negative: str | None = None  # lying_still | fidgeting | sit_stand | walk_through; None: reps
    seed: int = 0
    shape: Shape | None = None  # None: seeded
    look: Look | None = None  # None: seeded
    look_changes: dict = field(default_factory=dict)  # Look fields set over the (seeded) look
    side: str | None = None  # side facing the camera (side views): left | right; None: seeded
    camera_height_m: float | None = None
    distance_m: float | None = None
    azimuth_deg: float | None = None
    width: int = 640
    height: int = 480
    fps: float = 30.0
    tempo: float | None = None  # None: seeded
    duration_s: float = 24.0  # negatives only
    varies: str = ""
    max_frames: int | None = None  # cut the clip short (tests); truth is cut to match


def _view(spec: ClipSpec, posture_name: str, exercise: str) -> str:
    if posture_name == "walk":
        return "walk"
    if P.VIEW[exercise] == "front":
        return "front"
    return "seated_side" if posture_name == "upright" else "floor"


def build(spec: ClipSpec):
    """Everything but the rendering: (body, posture, performance, camera, look, room, truth head)."""
    rng = np.random.default_rng(spec.seed)
    shape = spec.shape or random_shape(rng)
    look = dataclasses.replace(spec.look or random_look(rng), **spec.look_changes)
    side = spec.side or str(rng.choice(["left", "right"]))
    tempo = spec.tempo or round(float(rng.uniform(*TEMPO_RANGE)), 2)
    if spec.negative is not None:
        if spec.negative not in P.NEGATIVES:
            raise ValueError(f"unknown negative {spec.negative!r}; there are {', '.join(P.NEGATIVES)}")
        posture_name, default_ex, _ = P.NEGATIVES[spec.negative]
        exercise = spec.exercise or default_ex
    else:
        exercise = spec.exercise
        if exercise not in P.HOLD_S:
            raise ValueError(f"unknown exercise {exercise!r}; there are {', '.join(P.HOLD_S)}")
        posture_name = P.POSTURE[exercise]
    body = Body(shape)
    posture = POSTURES[posture_name](body)
    perf_rng = np.random.default_rng([spec.seed, 1])
    if spec.negative is not None:
        perf = negative(spec.negative, posture, perf_rng, spec.duration_s, tempo)
        perf.exercise = exercise
        perf.hold_s = P.HOLD_S[exercise]
    else:
        perf = perform(exercise, spec.plan or default_plan(exercise), posture, perf_rng, tempo, spec.manner)

    view = _view(spec, posture_name, exercise)
    cam_rng = np.random.default_rng([spec.seed, 2])
    (h_lo, h_hi), (d_lo, d_hi), az_max = CAMERA_RANGES[view]
    cam_h = spec.camera_height_m if spec.camera_height_m is not None else round(float(cam_rng.uniform(h_lo, h_hi)), 2)
    dist = spec.distance_m if spec.distance_m is not None else round(float(cam_rng.uniform(d_lo, d_hi)), 2)
    az = spec.azimuth_deg if spec.azimuth_deg is not None else round(float(cam_rng.uniform(-az_max, az_max)), 1)
    focal = round(spec.width * float(cam_rng.uniform(*FOCAL_PER_WIDTH)), 1)

    key_poses = [posture.solve(perf.pose_at(k.arrive + 1e-3)[0]) for k in perf.keys]
    if view == "front":
        toward, positive, facing = posture.FRAME @ -Y, posture.left, None
    elif view == "walk":
        toward, positive, facing = (posture.left if side == "left" else -posture.left), posture.FRAME @ -Y, side
    else:
        toward = posture.left if side == "left" else -posture.left
        positive = posture.cranial if view == "floor" else posture.FRAME @ -Y
        facing = side
    if view == "walk":
        target = np.array([0.0, 0.0, 0.5 * body.stature])
        pts = None
    else:
        pts = np.concatenate([kp.keypoints for kp in key_poses] + [kp.vertices[::25] for kp in key_poses])
        target = 0.5 * (pts.min(0) + pts.max(0))
    camera = None
    for _ in range(12):
        camera = place(target, toward, dist, cam_h, az, positive, focal, spec.width, spec.height)
        if pts is None or _fits(camera, pts):
            break
        dist = round(dist * FIT_STEP, 2)
    # the key light comes from the camera's side, above
    to_cam = unit((camera.eye - target) * [1, 1, 0])
    if spec.look is None:
        light = unit(0.55 * to_cam + Z + 0.5 * np.asarray(look.light_dir) * [1, 1, 0])
        look = dataclasses.replace(look, light_dir=tuple(round(float(v), 3) for v in light))
    room_rng = np.random.default_rng([spec.seed, 3])
    boxes = []
    for box in posture.props():
        color = look.stool if posture_name == "upright" else look.mat
        boxes.append(Box(box.lo, box.hi, color))
    room = Room(wall_distance_m=dist + float(room_rng.uniform(*WALL_BEHIND_M)), boxes=boxes, seed=spec.seed)

    head = {
        "exercise": exercise,
        "varies": spec.varies,
        "hold_s": perf.hold_s,
        "camera": {
            "view": "side" if view != "front" else "front",
            "body_side_to_camera": facing,
            "height_m": cam_h,
            "distance_m": dist,
            "azimuth_deg": az,
            "focal_px": focal,
            "note": AZIMUTH_NOTE,
        },
        "body": {
            "anny_phenotype": {k: round(float(v), 4) for k, v in body.phenotype.items()},
            "age_years": shape.age_years,
            "stature_m": round(body.stature, 3),
            "gender": shape.gender,
            "weight": shape.weight,
            "muscle": shape.muscle,
            "proportions": shape.proportions,
            "describe": shape.describe(),
        },
        "look": look.as_json(),
        "tempo": tempo,
        "seed": spec.seed,
    }
    if spec.manner is not None and not spec.manner.is_plain():
        head["manner"] = spec.manner.as_json()
    if spec.negative is not None:
        head["negative"] = spec.negative
        head["negative_what"] = P.NEGATIVES[spec.negative][2]
    if posture_name == "upright":
        head["scene"] = {"stool_height_m": round(posture.seat_height, 3)}
    return body, posture, perf, camera, look, room, head


def _kind(spec: ClipSpec, reps: list, faults: list) -> str:
    if spec.negative is not None:
        return "negative"
    if faults:
        return "fault"
    return "short_hold" if any(not r["counted"] for r in reps) else "good"


def _fits(camera: Camera, pts: np.ndarray) -> bool:
    px, z = camera.project(pts)
    mx, my = FIT_MARGIN * camera.width, FIT_MARGIN * camera.height
    return bool(
        (z > 0.1).all()
        and (px[:, 0] >= mx).all()
        and (px[:, 0] <= camera.width - mx).all()
        and (px[:, 1] >= my).all()
        and (px[:, 1] <= camera.height - my).all()
    )


def make_clip(spec: ClipSpec, out_dir: Path, name: str, progress=None) -> dict:
    """Render the clip and write NAME.mp4, NAME.json, NAME.npz into out_dir; returns the truth."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    body, posture, perf, camera, look, room, head = build(spec)
    renderer = Renderer(camera, room, look, face_colors(body, look), body.faces)
    duration = perf.duration
    frames = math.ceil(duration * spec.fps - 1e-9)
    if spec.max_frames is not None:
        frames = min(frames, spec.max_frames)
    names = perf.phase_names()
    video_path = out_dir / f"{name}.mp4"
    writer = cv2.VideoWriter(str(video_path), cv2.VideoWriter_fourcc(*"mp4v"), spec.fps, (spec.width, spec.height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {video_path} with the mp4v codec")
    kp2d = np.zeros((frames, len(COCO_LABELS), 2))
    kp3d = np.zeros((frames, len(COCO_LABELS), 3))
    in_frame = np.zeros((frames, len(COCO_LABELS)), bool)
    phase = np.zeros(frames, int)
    t_s = np.arange(frames) / spec.fps
    try:
        for i, t in enumerate(t_s):
            pose, label = perf.pose_at(float(t))
            posed = posture.solve(pose)
            writer.write(renderer.render(posed.vertices))
            kp3d[i] = posed.keypoints
            kp2d[i] = camera.project(posed.keypoints)[0]
            in_frame[i] = camera.in_frame(posed.keypoints)
            phase[i] = names.index(label)
            if progress:
                progress(i + 1, frames)
    finally:
        writer.release()
    reps, faults = perf.truth_reps()
    clip_end = frames / spec.fps
    if spec.max_frames is not None:  # keep what the shortened clip shows completely
        reps = [r for r in reps if r["end_s"] <= clip_end]
        for n, r in enumerate(reps, start=1):
            r["index"] = n
        faults = [f for f in faults if f["end_s"] <= clip_end]
    truth = {
        "exercise": head["exercise"],
        "video": video_path.name,
        "duration_s": round(clip_end, 3),
        "frames": frames,
        "fps": spec.fps,
        "width": spec.width,
        "height": spec.height,
        "hold_s": head["hold_s"],
        "reps": reps,
        "faults": faults,
        "summary": {"reps_counted": sum(r["counted"] for r in reps), "reps_attempted": len(reps)},
        "kind": _kind(spec, reps, faults),
        **{k: v for k, v in head.items() if k not in ("exercise", "hold_s")},
        "codec": "mp4v",
        "notes": T.NOTES,
        "keypoints": f"{name}.npz",
    }
    if frames < math.ceil(duration * spec.fps - 1e-9):
        truth["cut_at_s"] = round(clip_end, 3)  # --max-frames: only the reps that fit are kept
    T.write_npz(
        out_dir / f"{name}.npz",
        kp2d=kp2d,
        kp3d_m=kp3d,
        t_s=t_s,
        phase=phase,
        phase_names=names,
        in_frame=in_frame,
        camera=camera,
        labels=COCO_LABELS,
    )
    T.write(out_dir / f"{name}.json", truth)
    return truth
