"""The truth written beside each clip, and its self-consistency check.

NAME.json has the shape of posecheck's report (exercise, reps with side/hold/fault times,
fault spans, summary) plus how the clip was made; NAME.npz the per-frame keypoints. This
module needs neither torch nor anny, so tests of committed samples can use it anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

NOTES = (
    "Times in seconds from the first frame (frame i is at i/fps). start_s: the rep leaves the rest "
    "position; hold_start_s: the target is reached; hold_end_s: it starts leaving the target; end_s: "
    "back at rest. hold_s (rep): the hold achieved; for two end positions (pelvic_tilt arch+flat, "
    "cat_cow cat+cow) the shorter of the two, listed in holds. hold_s (top): the prescribed hold. "
    "counted: achieved hold >= prescribed hold and no fault in the rep. Fault spans: from the middle "
    "of the move into the faulty position to the middle of the move out of it (setup faults: the "
    "whole time the feet/hands/knees are misplaced); too_fast spans its whole rep. side: the person's "
    "own side (leg pulled, direction the knees rolled or the trunk turned), whichever side faces the "
    "camera; for seated_rotation wrong_direction it is the direction actually turned. Good reps hold "
    "0.5-1.2 s longer than prescribed. cat_cow's end positions may come cow first, or three in a "
    "row (cow, cat, cow: one rep, holds and phase_order list all three; an app may see the last as a "
    "new attempt). manner (if present): how the person performed besides the reps -- a start posture "
    "before the rest position (kneeling up, standing, mid-position), the resting head tipped, nods "
    "or glances inside holds, a larger breathing sway; none of these is a rep, a hold or a fault. "
    "Keypoints: anny's COCO-17 + feet, regressed from the mesh "
    "(not MediaPipe's landmarks; the hips differ by a few cm)."
)

KINDS = ("good", "fault", "short_hold", "negative")
SIDES_OK = {
    "knee_to_chest": {"left", "right", "both"},
    "lower_back_rotation": {"left", "right"},
    "seated_rotation": {"left", "right"},
}
EPS = 1e-6


def write(path_json: Path, truth: dict) -> None:
    path_json.write_text(json.dumps(truth, indent=1) + "\n")


def write_npz(path: Path, *, kp2d, kp3d_m, t_s, phase, phase_names, in_frame, camera, labels) -> None:
    np.savez_compressed(
        path,
        kp2d=np.asarray(kp2d, np.float16),
        kp3d_mm=np.round(np.asarray(kp3d_m) * 1000.0).astype(np.int16),
        t_s=np.asarray(t_s, np.float32),
        phase=np.asarray(phase, np.int16),
        phase_names=np.asarray(phase_names),
        in_frame=np.asarray(in_frame, bool),
        K=camera.K,
        R=camera.R,
        eye=camera.eye,
        labels=np.asarray(labels),
    )


def problems(truth: dict, npz: dict | None = None) -> list[str]:
    """Everything inconsistent in a truth (and its keypoints, if given); [] when sound."""
    out: list[str] = []
    dur = float(truth["duration_s"])
    hold = float(truth["hold_s"])
    if abs(truth["frames"] / truth["fps"] - dur) > 0.02:
        out.append(f"duration_s {dur} != frames/fps {truth['frames'] / truth['fps']:.3f}")
    if truth.get("kind") not in KINDS:
        out.append(f"kind {truth.get('kind')!r} not one of {KINDS}")
    reps = truth["reps"]
    prev_end = -1.0
    for n, r in enumerate(reps, start=1):
        tag = f"rep {n}"
        if r.get("index") != n:
            out.append(f"{tag}: index {r.get('index')} != {n}")
        if not (r["start_s"] < r["hold_start_s"] <= r["hold_end_s"] < r["end_s"]):
            out.append(f"{tag}: times not start<hold_start<=hold_end<end: {r}")
        if r["start_s"] < prev_end - EPS:
            out.append(f"{tag}: starts before rep {n - 1} ends")
        prev_end = r["end_s"]
        if r["start_s"] < -EPS or r["end_s"] > dur + EPS:
            out.append(f"{tag}: outside the clip (0..{dur})")
        holds = r.get("holds") or [{"start_s": r["hold_start_s"], "end_s": r["hold_end_s"]}]
        achieved = min(h["end_s"] - h["start_s"] for h in holds)
        if abs(achieved - r["hold_s"]) > 0.002:
            out.append(f"{tag}: hold_s {r['hold_s']} != held {achieved:.3f}")
        if r.get("holds") and not (
            abs(holds[0]["start_s"] - r["hold_start_s"]) < EPS and abs(holds[-1]["end_s"] - r["hold_end_s"]) < EPS
        ):
            out.append(f"{tag}: holds do not span hold_start_s..hold_end_s")
        should = r["hold_s"] >= hold - EPS and not r["faults"]
        if bool(r["counted"]) != should:
            out.append(f"{tag}: counted={r['counted']} but hold {r['hold_s']} vs {hold} and faults {r['faults']}")
        allowed = SIDES_OK.get(truth["exercise"], {None})
        if r["side"] not in allowed:
            out.append(f"{tag}: side {r['side']!r} not in {sorted(map(str, allowed))}")
        for f in r["faults"]:
            if not any(
                s["id"] == f and s["start_s"] < r["end_s"] and s["end_s"] > r["start_s"] for s in truth["faults"]
            ):
                out.append(f"{tag}: fault {f} has no span overlapping the rep")
    for s in truth["faults"]:
        if not (0 - EPS <= s["start_s"] < s["end_s"] <= dur + EPS):
            out.append(f"fault span {s} not inside 0..{dur} or empty")
    summary = truth["summary"]
    if summary["reps_counted"] != sum(bool(r["counted"]) for r in reps):
        out.append("summary.reps_counted does not match the reps")
    if summary["reps_attempted"] != len(reps):
        out.append("summary.reps_attempted does not match the reps")
    kind = truth.get("kind")
    if kind == "good" and (
        (not reps and "cut_at_s" not in truth) or not all(r["counted"] for r in reps) or truth["faults"]
    ):
        out.append("a good clip must have reps (unless cut short), all counted, and no faults")
    if kind == "fault" and not truth["faults"]:
        out.append("a fault clip must have faults")
    if kind == "short_hold" and not any(r["hold_s"] < hold and not r["counted"] for r in reps):
        out.append("a short_hold clip must have an uncounted rep held too briefly")
    if kind == "negative" and (reps or truth["faults"]):
        out.append("a negative clip has no reps and no faults")
    if npz is not None:
        out += _npz_problems(truth, npz)
    return out


def _npz_problems(truth: dict, npz) -> list[str]:
    out = []
    n = truth["frames"]
    for key in ("kp2d", "kp3d_mm", "t_s", "phase", "in_frame"):
        if len(npz[key]) != n:
            out.append(f"npz {key} has {len(npz[key])} frames, json {n}")
    if out:
        return out
    kp = np.asarray(npz["kp2d"], float)
    inside = (
        (kp[..., 0] >= -0.5)
        & (kp[..., 0] <= truth["width"] - 0.5)
        & (kp[..., 1] >= -0.5)
        & (kp[..., 1] <= truth["height"] - 0.5)
    )
    bad = npz["in_frame"] & ~inside
    if bad.any():
        out.append(f"{int(bad.sum())} keypoints flagged in_frame lie outside the image")
    t = np.asarray(npz["t_s"], float)
    if np.abs(t - np.arange(n) / truth["fps"]).max() > 1e-3:
        out.append("t_s is not i/fps")
    if npz["phase"].min() < 0 or npz["phase"].max() >= len(npz["phase_names"]):
        out.append("phase index out of phase_names")
    return out


def load(path_json: Path) -> tuple[dict, dict]:
    truth = json.loads(Path(path_json).read_text())
    with np.load(Path(path_json).with_name(truth["keypoints"])) as z:
        npz = {k: z[k] for k in z.files}
    return truth, npz
