#!/usr/bin/env python3
"""Accuracy benchmark: review every sample with the real pipeline and compare with its
truth, per exercise; beside it, the single-angle two-threshold counter that common
open-source trainers use, run on the same landmarks. Prints a table; asserts nothing.

    python scripts/bench_accuracy.py                 # every clip in samples/
    python scripts/bench_accuracy.py --sweep 7       # plus 7 freshly rendered random clips
                                                     #   (needs the synth extra; ~1 min a clip)
    python scripts/bench_accuracy.py --jobs 2 --json out.json

Columns: exact = share of clips whose counted reps equal the truth's; ±1 = off by one;
MAE = mean absolute count error; side = share of matched reps with the right side;
hold = median |hold error| over counted reps (s); fault P/R/F1 over fault spans (a truth
span is found when a reported span of the same id overlaps it); neg = negative clips and
the reps (attempts included) reported on them.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from posecheck.evaluation.accuracy import ClipResult, compare, fault_tally, summarise  # noqa: E402
from posecheck.pose.landmarks import INDEX  # noqa: E402
from posecheck.session.routine import ROUTINE_IDS  # noqa: E402

ORDER = list(ROUTINE_IDS)  # the page's order

# The baseline: one 2D joint angle per exercise and two thresholds, the way most
# open-source trainers count: a rep when the angle passes `enter`, then comes back past
# `leave`. No holds, no faults, no start position. (name, points, enter, leave, sides)
# `sides` = "near" uses the side nearer the camera; "min" the smaller of left and right,
# whose side names the rep.
BASELINE = {
    "bridge": (("shoulder", "hip", "knee"), ">", 165, 150, "near"),
    "knee_to_chest": (("shoulder", "hip", "knee"), "<", 90, 120, "min"),
    "lower_back_rotation": (("shoulder", "hip", "knee"), ">", 150, 140, "near"),
    "pelvic_tilt": (("shoulder", "hip", "knee"), ">", 150, 145, "near"),
    "cat_cow": (("ear", "shoulder", "hip"), "<", 140, 155, "near"),
    "seated_rotation": (("nose", "mid_shoulder", "mid_hip"), "<", 165, 172, "min"),
    "shoulder_blade_squeeze": (("elbow", "shoulder", "hip"), ">", 30, 20, "near"),
}


def _angle(a, b, c):
    u, v = a - b, c - b
    cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _point(xy, name, side):
    if name.startswith("mid_"):
        return (xy[:, INDEX["left_" + name[4:]]] + xy[:, INDEX["right_" + name[4:]]]) / 2
    if name in INDEX:
        return xy[:, INDEX[name]]
    return xy[:, INDEX[f"{side}_{name}"]]


def baseline_report(exercise: str, t: np.ndarray, xy: np.ndarray, z: np.ndarray) -> dict:
    """Count reps with the two-threshold counter on the same landmarks the review saw."""
    points, direction, enter, leave, mode = BASELINE[exercise]
    ok = ~np.isnan(xy[:, 0, 0])
    sides = {s: _angle(*[_point(xy, p, s) for p in points]) for s in ("left", "right")}
    near = np.where(np.nanmean(z[:, INDEX["left_hip"]] - z[:, INDEX["right_hip"]]) > 0, "right", "left")
    if mode == "near":
        angle, which = sides[str(near)], np.full(len(t), None)
    else:
        angle = np.fmin(sides["left"], sides["right"])
        which = np.where(sides["left"] <= sides["right"], "left", "right")
    reps, inside, start, side = [], False, 0.0, None
    for i in range(len(t)):
        if not ok[i] or math.isnan(angle[i]):
            continue
        a = angle[i]
        past_enter = a > enter if direction == ">" else a < enter
        past_leave = a < leave if direction == ">" else a > leave
        if not inside and past_enter:
            inside, start, side = True, t[i], which[i] if mode == "min" else None
        elif inside and past_leave:
            inside = False
            reps.append(
                {
                    "index": len(reps) + 1,
                    "side": side,
                    "start_s": start,
                    "end_s": t[i],
                    "hold_s": t[i] - start,
                    "counted": True,
                    "faults": [],
                }
            )
    return {"reps": reps, "faults": [], "summary": {"reps_counted": len(reps), "reps_attempted": len(reps)}}


def review_one(video: str) -> dict:
    """Worker: the real review of one clip, and the landmarks it saw."""
    from posecheck.exercise import definition
    from posecheck.pose.model import silence_native_logs
    from posecheck.session.review import ReviewOptions, review

    silence_native_logs()
    truth = json.loads(Path(video).with_suffix(".json").read_text())
    exercise = definition.load(truth["exercise"])
    ts, xys, zs = [], [], []

    def keep(t, step):
        ts.append(t)
        pose = step.raw_pose
        xys.append(pose.xy if pose is not None else np.full((33, 2), np.nan))
        zs.append(pose.z if pose is not None else np.full(33, np.nan))

    report = review(Path(video), exercise, ReviewOptions(hold_s=truth["hold_s"], progress=False), on_step=keep)
    base = baseline_report(truth["exercise"], np.array(ts), np.array(xys), np.array(zs))
    return {"video": video, "truth": truth, "report": report, "baseline": base}


def sweep(n: int, out: Path, seed: int) -> list[Path]:
    """Render n random clips (one exercise each, round robin) with the performer."""
    made = []
    for i in range(n):
        ex = ORDER[i % len(ORDER)]
        name = f"sweep_{ex}_{seed + i}"
        cmd = [
            sys.executable,
            "-m",
            "posecheck.synth",
            "clip",
            ex,
            "--out",
            str(out),
            "--seed",
            str(seed + i),
            "--name",
            name,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not (out / f"{name}.mp4").exists():
            print(f"sweep: {ex} seed {seed + i} failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        made.append(out / f"{name}.mp4")
    return made


def _fmt(v, pct=False, digits=2):
    if v is None:
        return "–"
    return f"{v:.0%}" if pct else f"{v:.{digits}f}"


def print_table(rows: list[tuple[str, dict, dict]]) -> None:
    head = (
        f"{'exercise':<24}{'clips':>6}{'exact':>7}{'±1':>6}{'MAE':>6}{'side':>7}{'hold s':>8}"
        f"{'fault P':>9}{'R':>6}{'F1':>6}{'neg':>5}{'false':>7}"
    )
    print(head)
    print("-" * len(head))
    for name, ours, base in rows:
        for label, s in ((name, ours), ("  baseline", base)):
            note = "  (not countable from video: guided live)" if s.get("not_countable") and label == name else ""
            print(
                f"{label:<24}{s['clips']:>6}{_fmt(s['exact'], True):>7}{_fmt(s['off_by_one'], True):>6}"
                f"{_fmt(s['count_mae']):>6}{_fmt(s['side_acc'], True):>7}{_fmt(s['hold_err_median_s']):>8}"
                f"{_fmt(s['fault_p'], True):>9}{_fmt(s['fault_r'], True):>6}"
                f"{_fmt(s['fault_f1']):>6}{s['negatives']:>5}{s['false_reps']:>7}{note}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=Path, default=ROOT / "samples")
    ap.add_argument("--sweep", type=int, default=0, help="also render and review N random clips")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--sweep-dir", type=Path, help="render the sweep here and keep it (default: a temporary folder)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write every clip's comparison here")
    ap.add_argument("--clips", nargs="*", help="only these clip names")
    args = ap.parse_args()

    videos = sorted(p for p in args.samples.glob("*.mp4") if p.with_suffix(".json").exists())
    if args.clips:
        videos = [v for v in videos if v.stem in args.clips]
    tmp = None
    if args.sweep:
        if args.sweep_dir is not None:
            args.sweep_dir.mkdir(parents=True, exist_ok=True)
            where = args.sweep_dir
        else:
            tmp = tempfile.TemporaryDirectory(prefix="posecheck-sweep-")
            where = Path(tmp.name)
        videos += sweep(args.sweep, where, args.seed)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(review_one, [str(v) for v in videos]))

    ours: dict[str, list[ClipResult]] = {}
    base: dict[str, list[ClipResult]] = {}
    detail = []
    for run in runs:
        name, truth = Path(run["video"]).stem, run["truth"]
        r = compare(name, run["report"], truth)
        b = compare(name, {**run["baseline"], "countable": True}, truth)
        b.faults = fault_tally([], truth["faults"])
        ours.setdefault(truth["exercise"], []).append(r)
        base.setdefault(truth["exercise"], []).append(b)
        detail.append(
            {
                "clip": name,
                "exercise": truth["exercise"],
                "kind": r.kind,
                "counted": r.counted,
                "truth": r.counted_truth,
                "attempted": r.attempted,
                "baseline_counted": b.counted,
                "hold_errors": [round(e, 2) for e in r.hold_errors],
                "sides": f"{r.sides_right}/{r.sides_total}",
                "faults_tp_fp_fn": [r.faults.tp, r.faults.fp, r.faults.fn],
                "countable": r.countable,
            }
        )
    rows = [(ex, summarise(ours[ex]), summarise(base[ex])) for ex in ORDER if ex in ours]
    all_ours = [r for v in ours.values() for r in v]
    all_base = [r for v in base.values() for r in v]
    rows.append(("all", summarise(all_ours), summarise(all_base)))
    print(f"{len(videos)} clips ({args.sweep} from a fresh sweep)\n")
    print_table(rows)
    print()
    for d in detail:
        flag = (
            "   (guided: not counted from video)"
            if not d["countable"]
            else ""
            if d["counted"] == d["truth"]
            else "   <-- count differs"
        )
        print(
            f"  {d['clip']:<36} {d['kind']:<10} counted {d['counted']}/{d['truth']} (attempts {d['attempted']}), "
            f"baseline {d['baseline_counted']}, "
            f"sides {d['sides']}, faults tp/fp/fn {d['faults_tp_fp_fn']}, hold err {d['hold_errors']}{flag}"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"rows": {n: {"posecheck": o, "baseline": b} for n, o, b in rows}, "clips": detail}, indent=1)
        )


if __name__ == "__main__":
    main()
