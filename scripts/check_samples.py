#!/usr/bin/env python
"""Check rendered clips with MediaPipe: is the person detected, where, and are the faults visible?

For each NAME.json (default: every clip in samples/) it runs the pose model in VIDEO mode
over NAME.mp4 and prints:
- detection: share of frames with a pose, over the frames where the person is in view
  (at least IN_VIEW_SHARE of the 13 body keypoints inside the image, per the truth npz);
- err6 / near3: mean 2D distance (px) between MediaPipe's and the truth's shoulders, hips
  and knees (all six / the three on the side facing the camera);
- for each fault clip, a measurement of each fault from MediaPipe's landmarks over the
  faulty hold against the clip's good holds (same body and camera): e.g. the
  shoulder-hip-knee angle for bridge hips_low.

    python scripts/check_samples.py                  # all of samples/
    python scripts/check_samples.py out/a.json ...   # some clips
    python scripts/check_samples.py --json samples/mediapipe_check.json

Needs only the core install (mediapipe, OpenCV, numpy); not torch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "posecheck" / "models" / "pose_landmarker_full.task"
IN_VIEW_SHARE = 0.8
WRONG_PERSON = 0.35  # a pose whose shoulders/hips/knees are off by this share of the torso is not the person

# MediaPipe landmark index for each truth (COCO) keypoint we compare
MP = {
    "nose": 0, "left_eye": 2, "right_eye": 5, "left_ear": 7, "right_ear": 8,
    "left_shoulder": 11, "right_shoulder": 12, "left_elbow": 13, "right_elbow": 14,
    "left_wrist": 15, "right_wrist": 16, "left_hip": 23, "right_hip": 24,
    "left_knee": 25, "right_knee": 26, "left_ankle": 27, "right_ankle": 28,
}  # fmt: skip
BODY13 = [n for n in MP if n not in ("left_eye", "right_eye", "left_ear", "right_ear")]
SIX = ["left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee"]


def run_mediapipe(video: Path):
    """Per frame: (33, 2) image landmarks in px and (33, 3) world landmarks, or None."""
    from posecheck.pose.model import block_network

    block_network()  # before MediaPipe loads: its usage logger must not reach the network
    import mediapipe as mp
    from mediapipe.tasks.python import vision
    from mediapipe.tasks.python.core.base_options import BaseOptions

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(MODEL)), running_mode=vision.RunningMode.VIDEO
    )
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    out = []
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        i = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            h, w = frame.shape[:2]
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            res = landmarker.detect_for_video(image, round(i * 1000.0 / fps))
            if res.pose_landmarks:
                lm = res.pose_landmarks[0]
                wl = res.pose_world_landmarks[0]
                out.append(
                    (
                        np.array([[p.x * w, p.y * h] for p in lm]),
                        np.array([[p.x, p.y, p.z] for p in wl]),
                    )
                )
            else:
                out.append(None)
            i += 1
    cap.release()
    return out


# ---- fault measurements on MediaPipe landmarks -------------------------------------------------
def _ang(a, b, c) -> float:
    u, v = a - b, c - b
    cos = float(u @ v / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-9))
    return float(np.degrees(np.arccos(np.clip(cos, -1, 1))))


def _near(truth: dict) -> str:
    side = truth["camera"].get("body_side_to_camera")
    return side if side in ("left", "right") else "left"


def _p(lm, name):
    return lm[MP[name]]


def _torso(lm, s) -> float:
    return float(np.linalg.norm(_p(lm, f"{s}_shoulder") - _p(lm, f"{s}_hip"))) + 1e-9


def m_shk(lm, wl, s):
    """Shoulder-hip-knee angle (image, side facing the camera); > 180 with the hip above
    the shoulder-knee line."""
    sh, hp, kn = _p(lm, f"{s}_shoulder"), _p(lm, f"{s}_hip"), _p(lm, f"{s}_knee")
    a = _ang(sh, hp, kn)
    u = (hp - sh) @ (kn - sh) / max(float((kn - sh) @ (kn - sh)), 1e-9)
    line_y = sh[1] + u * (kn[1] - sh[1])
    return 360.0 - a if hp[1] < line_y else a


def m_ear_shoulder_hip(lm, wl, s):
    """Angle at the shoulder between ear and hip (head lifted / slouching make it smaller)."""
    return _ang(_p(lm, f"{s}_ear"), _p(lm, f"{s}_shoulder"), _p(lm, f"{s}_hip"))


def m_trunk_rise(lm, wl, s):
    """Angle of hip->shoulder above the image horizontal (shoulders lifted off the floor)."""
    d = _p(lm, f"{s}_shoulder") - _p(lm, f"{s}_hip")
    return float(np.degrees(np.arctan2(-d[1], abs(d[0]))))


def m_max_knee(lm, wl, s):
    """Larger of the two knee angles, world landmarks (the other leg straightening)."""
    return max(_ang(wl[MP[f"{x}_hip"]], wl[MP[f"{x}_knee"]], wl[MP[f"{x}_ankle"]]) for x in ("left", "right"))


def m_knee_gap(lm, wl, s):
    """Image distance between the knees over the torso."""
    return float(np.linalg.norm(_p(lm, "left_knee") - _p(lm, "right_knee"))) / _torso(lm, s)


def m_arm_from_vertical(lm, wl, s):
    """Angle of shoulder->wrist from the image vertical."""
    d = _p(lm, f"{s}_wrist") - _p(lm, f"{s}_shoulder")
    return float(np.degrees(np.arctan2(abs(d[0]), abs(d[1]))))


def m_thigh_from_vertical(lm, wl, s):
    d = _p(lm, f"{s}_knee") - _p(lm, f"{s}_hip")
    return float(np.degrees(np.arctan2(abs(d[0]), abs(d[1]))))


def m_turn(lm, wl, s):
    """Shoulder line turned about the vertical (world; + toward the person's own left)."""
    d = wl[MP["left_shoulder"]] - wl[MP["right_shoulder"]]
    return float(np.degrees(np.arctan2(d[2], d[0])))


def m_ankle_gap(lm, wl, s):
    """Vertical distance between the ankles over the torso (a crossed leg lifts one)."""
    return abs(float(_p(lm, "left_ankle")[1] - _p(lm, "right_ankle")[1])) / _torso(lm, "left")


def m_trunk_lean(lm, wl, s):
    """Trunk (hip->shoulder) from the vertical, world landmarks, unsigned."""
    d = 0.5 * (wl[MP["left_shoulder"]] + wl[MP["right_shoulder"]]) - 0.5 * (wl[MP["left_hip"]] + wl[MP["right_hip"]])
    return float(np.degrees(np.arctan2(np.hypot(d[0], d[2]), -d[1])))


def m_ear_ahead(lm, wl, s):
    """How far the ear is ahead of the hip (toward the face), over the torso (image)."""
    facing = np.sign(_p(lm, "nose")[0] - _p(lm, f"{s}_ear")[0]) or 1.0
    return float(facing * (_p(lm, f"{s}_ear")[0] - _p(lm, f"{s}_hip")[0])) / _torso(lm, s)


def m_elbow_knee(lm, wl, s):
    """Nearer of the elbows to the opposite knee, over the torso length (image)."""
    t = _torso(lm, "left")
    return (
        min(
            float(np.linalg.norm(_p(lm, "left_elbow") - _p(lm, "right_knee"))),
            float(np.linalg.norm(_p(lm, "right_elbow") - _p(lm, "left_knee"))),
        )
        / t
    )


def m_ear_above_shoulder(lm, wl, s):
    """Height of the ear above the shoulder over the torso length (shrugging lowers it)."""
    return float(_p(lm, f"{s}_shoulder")[1] - _p(lm, f"{s}_ear")[1]) / _torso(lm, s)


METRICS = {
    ("bridge", "hips_low"): (m_shk, "shoulder-hip-knee deg"),
    ("bridge", "hips_high"): (m_shk, "shoulder-hip-knee deg (>180: hip above line)"),
    ("bridge", "shoulders_lifted"): (m_ear_shoulder_hip, "ear-shoulder-hip deg"),
    ("bridge", "head_lifted"): (m_ear_shoulder_hip, "ear-shoulder-hip deg"),
    ("bridge", "feet_position"): (
        lambda lm, wl, s: _ang(_p(lm, f"{s}_hip"), _p(lm, f"{s}_knee"), _p(lm, f"{s}_ankle")),
        "knee angle deg",
    ),
    ("knee_to_chest", "other_leg_lifted"): (m_max_knee, "larger knee angle deg (world)"),
    ("knee_to_chest", "head_lifted"): (m_ear_shoulder_hip, "ear-shoulder-hip deg"),
    ("knee_to_chest", "shoulders_lifted"): (m_trunk_rise, "hip->shoulder rise deg"),
    ("lower_back_rotation", "shoulders_lifted"): (m_ear_shoulder_hip, "ear-shoulder-hip deg"),
    ("lower_back_rotation", "knees_apart"): (m_knee_gap, "knees apart / torso"),
    ("pelvic_tilt", "hips_lifted"): (m_shk, "shoulder-hip-knee deg"),
    ("cat_cow", "hands_not_under_shoulders"): (m_arm_from_vertical, "shoulder->wrist from vertical deg"),
    ("cat_cow", "knees_not_under_hips"): (m_thigh_from_vertical, "hip->knee from vertical deg"),
    ("seated_rotation", "wrong_direction"): (m_turn, "shoulder turn deg (world, + own left)"),
    ("seated_rotation", "legs_not_crossed"): (m_ankle_gap, "ankle height gap / torso"),
    ("seated_rotation", "slouching"): (m_trunk_lean, "trunk from vertical deg (world)"),
    ("seated_rotation", "elbow_not_at_knee"): (m_elbow_knee, "elbow to other knee / torso"),
    ("shoulder_blade_squeeze", "shrugging"): (m_ear_above_shoulder, "ear above shoulder / torso"),
    ("shoulder_blade_squeeze", "leaning_back"): (m_trunk_lean, "trunk from vertical deg (world)"),
    ("shoulder_blade_squeeze", "slouching"): (m_ear_ahead, "ear ahead of hip / torso"),
}


def _hold_frames(truth: dict, t: np.ndarray, rep: dict) -> np.ndarray:
    holds = rep.get("holds") or [{"start_s": rep["hold_start_s"], "end_s": rep["hold_end_s"]}]
    mask = np.zeros(len(t), bool)
    for h in holds:
        mask |= (t >= h["start_s"] + 0.3) & (t <= h["end_s"] - 0.3)
    return mask


def _mean_over_holds(fn, reps, truth, t, mp_out, s):
    mask = np.zeros(len(t), bool)
    for r in reps:
        mask |= _hold_frames(truth, t, r)
    vals = [fn(mp_out[i][0], mp_out[i][1], s) for i in np.nonzero(mask)[0] if mp_out[i] is not None]
    return float(np.mean(vals)) if vals else None


def fault_measures(truth: dict, t: np.ndarray, mp_out) -> list[dict]:
    out = []
    s = _near(truth)
    good = [r for r in truth["reps"] if r["counted"]]
    for fid in sorted({f for r in truth["reps"] for f in r["faults"]}):
        metric = METRICS.get((truth["exercise"], fid))
        if metric is None:
            out.append(
                {
                    "fault": fid,
                    "metric": "timing (truth holds)",
                    "good": None,
                    "fault_value": min(r["hold_s"] for r in truth["reps"] if fid in r["faults"]),
                }
            )
            continue
        fn, label = metric
        bad_reps = [r for r in truth["reps"] if fid in r["faults"]]
        if fid == "hips_lifted":  # compare the flat holds only
            sel = lambda r: {**r, "holds": [h for h in r["holds"] if h["phase"] == "flat"]}  # noqa: E731
            bad_reps, good_reps = [sel(r) for r in bad_reps], [sel(r) for r in good]
        else:
            good_reps = good
        if truth["exercise"] == "seated_rotation" and fid == "wrong_direction":
            # compare with good reps crossed the same way (they turn the other way)
            good_reps = [r for r in good if r["side"] != bad_reps[0]["side"]]

        g, b = _mean_over_holds(fn, good_reps, truth, t, mp_out, s), _mean_over_holds(fn, bad_reps, truth, t, mp_out, s)
        out.append(
            {
                "fault": fid,
                "metric": label,
                "good": g,
                "fault_value": b,
                "delta": None if g is None or b is None else b - g,
            }
        )
    return out


def check(path: Path) -> dict:
    truth = json.loads(path.read_text())
    with np.load(path.with_name(truth["keypoints"])) as z:
        kp2d, in_frame, t = z["kp2d"].astype(float), z["in_frame"], z["t_s"].astype(float)
        labels = [str(x) for x in z["labels"]]
    t0 = time.time()
    mp_out = run_mediapipe(path.with_name(truth["video"]))
    per_frame_ms = 1000 * (time.time() - t0) / max(len(mp_out), 1)
    n = min(len(mp_out), len(kp2d))
    idx = {name: i for i, name in enumerate(labels)}
    body = [idx[name] for name in BODY13]
    in_view = in_frame[:n][:, body].mean(1) >= IN_VIEW_SHARE
    detected = np.array([m is not None for m in mp_out[:n]])
    near = _near(truth)
    errs, errs_near = [], []
    valid = detected.copy()
    for i in np.nonzero(in_view & detected)[0]:
        lm = mp_out[i][0]
        d = {name: float(np.linalg.norm(lm[MP[name]] - kp2d[i, idx[name]])) for name in SIX}
        torso = np.mean(
            [np.linalg.norm(kp2d[i, idx[f"{s}_shoulder"]] - kp2d[i, idx[f"{s}_hip"]]) for s in ("left", "right")]
        )
        valid[i] = np.mean(list(d.values())) < WRONG_PERSON * torso
        errs.append(np.mean(list(d.values())))
        if truth["camera"]["view"] == "side":
            errs_near.append(np.mean([d[f"{near}_{p}"] for p in ("shoulder", "hip", "knee")]))
    res = {
        "clip": truth["video"],
        "frames": int(n),
        "in_view": int(in_view.sum()),
        "detected": int((in_view & detected).sum()),
        "detection_rate": round(float((in_view & detected).sum() / max(in_view.sum(), 1)), 4),
        "on_person_rate": round(float((in_view & valid).sum() / max(in_view.sum(), 1)), 4),
        "err6_px": round(float(np.mean(errs)), 1) if errs else None,
        "err_near3_px": round(float(np.mean(errs_near)), 1) if errs_near else None,
        "infer_ms": round(per_frame_ms, 1),
        "faults": fault_measures(truth, t[:n], mp_out[:n]),
    }
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("clips", nargs="*", type=Path, help="NAME.json files (default: samples/*.json)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    clips = args.clips or sorted(p for p in (ROOT / "samples").glob("*.json") if p.name != "mediapipe_check.json")
    results = []
    print(
        f"{'clip':38s} {'frames':>6s} {'inview':>6s} {'detect':>7s} {'onbody':>7s} {'err6':>5s} {'near3':>5s}  "
        "faults (MediaPipe: good holds -> faulty hold)"
    )
    for path in clips:
        r = check(path)
        results.append(r)
        f = "; ".join(
            f"{x['fault']}: {x['metric']} "
            + (
                f"{x['good']:.2f} -> {x['fault_value']:.2f}"
                if x.get("good") is not None and x.get("fault_value") is not None
                else f"{x['fault_value']}"
            )
            for x in r["faults"]
        )
        print(
            f"{r['clip']:38s} {r['frames']:6d} {r['in_view']:6d} "
            f"{100 * r['detection_rate']:6.1f}% {100 * r['on_person_rate']:6.1f}% "
            f"{r['err6_px'] if r['err6_px'] is not None else '-':>5} "
            f"{r['err_near3_px'] if r['err_near3_px'] is not None else '-':>5}  {f}",
            flush=True,
        )
    if args.json:  # merged into what is there, by clip, so one clip can be re-checked
        old = json.loads(args.json.read_text()) if args.json.exists() else []
        merged = {r["clip"]: r for r in old} | {r["clip"]: r for r in results}
        args.json.write_text(json.dumps(sorted(merged.values(), key=lambda r: r["clip"]), indent=1) + "\n")
    low = [r["clip"] for r in results if min(r["detection_rate"], r["on_person_rate"]) < 0.95]
    if low:
        print("detection (on the person) below 95%:", ", ".join(low))
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
