#!/usr/bin/env python
"""Make posecheck/coach/demos/: one short looping clip per exercise for the start and rest cards.

    python scripts/make_demos.py                   # render every exercise (~1 min each on 2 cores)
    python scripts/make_demos.py bridge cat_cow    # only these
    python scripts/make_demos.py --raw /tmp/raw    # keep the full renders there ...
    python scripts/make_demos.py --recut /tmp/raw  # ... and only cut and crop them again

Each demo is one good rep by the performer (posecheck/synth; needs the synth extra), its
hold shortened to HOLD_S so the loop stays a few seconds long, cut from just before the rep
leaves rest to just after it is back, cropped around the body and written as a small mp4.
PROVENANCE.md beside the clips records how each was made.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from make_samples import CLASSIC as LOOK  # noqa: E402  the samples' look: clear at thumbnail size

DEMOS = ROOT / "posecheck" / "coach" / "demos"

SIZE = (384, 288)  # rendered; the crop keeps the body's box
FPS = 10.0
SEED = 7
HOLD_S = 2.0  # the shown hold (the card says the real one); cat_cow keeps its own 1 s
TEMPO = 1.0
LEAD_S = 0.5  # rest shown before and after the rep
SIDES = {"knee_to_chest": "right", "lower_back_rotation": "left", "seated_rotation": "right"}
SHAPE = {"gender": 0.0, "age_years": 40, "stature_m": 1.76, "weight": 0.5, "muscle": 0.5, "proportions": 0.5}


def exercise_ids() -> list[str]:
    return sorted(p.stem for p in (ROOT / "exercises").glob("*.toml") if not p.stem.startswith("_"))


def rep_text(exercise: str) -> str:
    hold = 1.0 if exercise == "cat_cow" else HOLD_S  # every other hold is 5 s or longer
    return f"{SIDES.get(exercise, '-')}@{hold:g}"


def render(exercise: str, raw: Path) -> None:
    from posecheck.synth.body import Shape
    from posecheck.synth.cli import _parse_rep
    from posecheck.synth.clip import ClipSpec, make_clip

    spec = ClipSpec(
        exercise=exercise,
        plan=[_parse_rep(exercise, rep_text(exercise))],
        seed=SEED,
        shape=Shape(**SHAPE),
        look_changes=dict(LOOK),
        side="left",
        width=SIZE[0],
        height=SIZE[1],
        fps=FPS,
        tempo=TEMPO,
        varies="demo",
    )
    make_clip(spec, raw, exercise)


def recut(exercise: str, raw: Path, out: Path) -> dict:
    """Cut the rep out of the raw render and crop it around the body; returns what was done."""
    truth = json.loads((raw / f"{exercise}.json").read_text())
    kp = np.load(raw / f"{exercise}.npz")["kp2d"]
    rep = truth["reps"][0]
    fps = float(truth["fps"])
    first = max(0, int((rep["start_s"] - LEAD_S) * fps))
    last = min(int(truth["frames"]) - 1, int(np.ceil((rep["end_s"] + LEAD_S) * fps)))
    cap = cv2.VideoCapture(str(raw / f"{exercise}.mp4"))
    frames = []
    ok, img = cap.read()
    while ok:
        frames.append(img)
        ok, img = cap.read()
    cap.release()
    frames = frames[first : last + 1]
    h, w = frames[0].shape[:2]
    pts = kp[first : last + 1].reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    margin = 0.18 * max(x1 - x0, y1 - y0) + 12  # keypoints are joints: skin, hair and feet lie beyond
    x0, x1 = int(max(0, x0 - margin)), int(min(w, x1 + margin))
    y0, y1 = int(max(0, y0 - margin)), int(min(h, y1 + margin))
    x1 -= (x1 - x0) % 2  # even sizes for the codec
    y1 -= (y1 - y0) % 2
    path = out / f"{exercise}.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (x1 - x0, y1 - y0))
    for f in frames:
        writer.write(np.ascontiguousarray(f[y0:y1, x0:x1]))
    writer.release()
    return {
        "exercise": exercise,
        "rep": rep_text(exercise),
        "frames": len(frames),
        "fps": fps,
        "size": f"{x1 - x0}x{y1 - y0}",
        "kb": round(path.stat().st_size / 1024),
    }


PROVENANCE_HEAD = """\
# Demo loops: how they were made

One good rep per exercise by the project's performer (posecheck/synth), rendered with
`python scripts/make_demos.py` (seed {seed}, {w}x{h} at {fps:g} fps, tempo {tempo:g}, one
fixed body: {shape}; the samples' classic look), the hold shortened to {hold:g} s
(cat_cow: 1 s) so each loop lasts a few seconds, cut from {lead:g} s before the rep leaves
rest to {lead:g} s after it is back, cropped around the body, written with OpenCV's mp4v.
The cards state the real hold; the loop only shows the movement. Remake one with
`python scripts/make_demos.py EXERCISE` (needs the synth extra).

| exercise | rep | frames | fps | size | KB |
|---|---|---|---|---|---|
"""


def write_provenance(rows: list[dict]) -> None:
    path = DEMOS / "PROVENANCE.md"
    old = {}
    if path.exists():
        for line in path.read_text().splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 6 and cells[0] in exercise_ids():
                old[cells[0]] = line
    for r in rows:
        cells = (r["exercise"], f"`{r['rep']}`", r["frames"], f"{r['fps']:g}", r["size"], r["kb"])
        old[r["exercise"]] = "| " + " | ".join(str(c) for c in cells) + " |"
    head = PROVENANCE_HEAD.format(
        seed=SEED, w=SIZE[0], h=SIZE[1], fps=FPS, tempo=TEMPO, shape=SHAPE, hold=HOLD_S, lead=LEAD_S
    )
    path.write_text(head + "\n".join(old[k] for k in sorted(old)) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("exercises", nargs="*", help="default: every exercise")
    ap.add_argument("--raw", type=Path, help="keep the full renders (mp4, truth) in this folder")
    ap.add_argument("--recut", type=Path, help="do not render: cut and crop the renders in this folder")
    args = ap.parse_args()
    todo = args.exercises or exercise_ids()
    unknown = set(todo) - set(exercise_ids())
    if unknown:
        sys.exit(f"no exercise named {', '.join(sorted(unknown))}")
    DEMOS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = args.recut or args.raw or Path(tmp)
        rows = []
        for ex in todo:
            start = time.time()
            if args.recut is None:
                render(ex, raw)
            row = recut(ex, raw, DEMOS)
            rows.append(row)
            print(f"{ex}: {row} ({time.time() - start:.0f} s)", flush=True)
            write_provenance(rows)


if __name__ == "__main__":
    main()
