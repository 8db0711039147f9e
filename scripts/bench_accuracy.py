#!/usr/bin/env python3
"""Accuracy benchmark: review every sample with the real pipeline and compare with its
truth, per exercise; beside it, the single-angle two-threshold counter that common
open-source trainers use, run on the same landmarks. Prints a table; asserts nothing.

    python scripts/bench_accuracy.py                 # every clip in samples/
    python scripts/bench_accuracy.py --sweep 7       # plus 7 freshly rendered random clips
                                                     #   (needs the synth extra; ~1 min a clip)
    python scripts/bench_accuracy.py --jobs 2 --json out.json
    python scripts/bench_accuracy.py --real /tmp/real  # real people's clips, labelled by hand
                                                     #   (how to fetch them: ../shared/real/README.md)

With --real DIR, each labelled clip (DIR/labels/<clip>.json) goes through the pose model
once; its detections are kept in --cache (outside the repository: never commit them) and
replayed through the same review as `posecheck review` (session/poses.py) with --hold
(default 0.1 s: demo clips hold briefly). Per clip: the labelled range (expected..expected +
ambiguous), our count, the sides, the faults reported on good form, and the baseline's
count. Negative clips (exercise null) run against all seven exercises and must count 0.
--only SUBSTR keeps the clips whose name holds SUBSTR; --exercise ID keeps that exercise's
clips (with --real, the negatives run against it alone); both also narrow samples and sweeps.

Columns: exact = share of clips whose counted reps equal the truth's; ±1 = off by one;
MAE = mean absolute count error; side = share of matched reps with the right side;
hold = median |hold error| over counted reps (s); fault P/R/F1 over fault spans (a truth
span is found when a reported span of the same id overlaps it); neg = negative clips and
the reps (attempts included) reported on them.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from posecheck.evaluation.accuracy import ClipResult, compare, fault_tally, match_reps, summarise  # noqa: E402
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


def review_one(video: str, record: str | None = None, pose_fps: float | None = None) -> dict:
    """Worker: the real review of one clip (from its recorded detections when `record` is
    given; in fast mode at `pose_fps`), and the landmarks it saw."""
    from posecheck.errors import PosecheckError
    from posecheck.exercise import definition
    from posecheck.pose.model import silence_native_logs
    from posecheck.session.poses import RecordedPoses
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

    poses = RecordedPoses.load(Path(record)) if record is not None else None
    options = ReviewOptions(hold_s=truth["hold_s"], progress=False, pose_fps=pose_fps)
    try:
        report = review(Path(video), exercise, options, poses=poses, on_step=keep)
    except PosecheckError as e:  # nobody found: scored as nothing counted, and said in the row
        empty = {"reps_counted": 0, "reps_attempted": 0}
        report = {"reps": [], "faults": [], "summary": empty, "error": str(e).splitlines()[0]}
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


def _unseen(s: dict) -> str:
    """Of the faults missed, how many the report said the camera could not see ('1/2')."""
    return f"{s['fault_missed_said_unseen']}/{s['fault_missed']}" if s.get("fault_missed") else "–"


def print_table(rows: list[tuple[str, dict, dict]]) -> None:
    head = (
        f"{'exercise':<24}{'clips':>6}{'exact':>7}{'±1':>6}{'MAE':>6}{'side':>7}{'hold s':>8}"
        f"{'fault P':>9}{'R':>6}{'F1':>6}{'unseen':>8}{'neg':>5}{'false':>7}"
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
                f"{_fmt(s['fault_f1']):>6}{_unseen(s):>8}{s['negatives']:>5}{s['false_reps']:>7}{note}"
            )


# --- Real clips (--real DIR): real people, labelled by hand; never committed ------------------

SHORT = {
    "knee_to_chest": "knee",
    "lower_back_rotation": "rotation",
    "pelvic_tilt": "tilt",
    "bridge": "bridge",
    "cat_cow": "catcow",
    "seated_rotation": "seated",
    "shoulder_blade_squeeze": "squeeze",
}


def default_cache() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("posecheck")) / "bench"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@functools.cache
def _model_sha256(path: Path) -> str:
    return _sha256(path)


# PoseEstimator's defaults, as `posecheck review` runs it; changed whenever what it detects
# changes (a new name: the detections are made again).
ESTIMATOR = (
    "review defaults; a tracker holding a part of the person starts again; flickers are not found;"
    " small people looked at closer"
)


def record_path(cache: Path, clip: Path, clip_sha: str, masks: bool) -> Path:
    """Where a clip's detections are kept: keyed by the clip's content, the model, the
    MediaPipe build, the record's format and the settings that change detections."""
    from posecheck.pose.model import block_network, bundled_model

    block_network()  # before MediaPipe loads: its usage logger must not reach the network
    import mediapipe

    from posecheck.session.poses import RECORD_FORMAT

    key = json.dumps(
        {
            "clip": clip_sha,
            "model": _model_sha256(bundled_model()),
            "mediapipe": mediapipe.__version__,
            "format": RECORD_FORMAT,
            "masks": masks,
            "estimator": ESTIMATOR,
        },
        sort_keys=True,
    )
    return cache / f"{clip.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"


def record_one(job: tuple[str, bool, str]) -> tuple[str, int, float]:
    """Worker: the pose model over one clip, once; its detections saved to the cache."""
    from posecheck.pose.model import silence_native_logs
    from posecheck.session.poses import ModelPoses, RecordedPoses
    from posecheck.sources.video import VideoFile

    clip, masks, out = job
    silence_native_logs()
    t0 = time.perf_counter()
    record = RecordedPoses.record(ModelPoses(VideoFile(clip)), masks=masks)
    record.save(Path(out))
    return clip, len(record), time.perf_counter() - t0


def replay_one(job: tuple) -> dict:
    """Worker: one clip's recorded detections through the review of one exercise; and the
    baseline counter on the same landmarks."""
    from posecheck.errors import PosecheckError
    from posecheck.exercise import definition
    from posecheck.session.poses import RecordedPoses
    from posecheck.session.review import ReviewOptions, review

    clip, path, ex, hold_s, *rest = job  # (..., pose_fps) for fast mode
    pose_fps = rest[0] if rest else None
    ts, xys, zs = [], [], []

    def keep(t, step):
        ts.append(t)
        pose = step.raw_pose
        xys.append(pose.xy if pose is not None else np.full((33, 2), np.nan))
        zs.append(pose.z if pose is not None else np.full(33, np.nan))

    options = ReviewOptions(hold_s=hold_s, progress=False, pose_fps=pose_fps)
    try:
        report = review(Path(clip), definition.load(ex), options, poses=RecordedPoses.load(Path(path)), on_step=keep)
    except PosecheckError as e:  # nobody found, a truncated clip: said in the row
        return {"clip": clip, "exercise": ex, "run": {"error": str(e).splitlines()[0]}}
    base = baseline_report(ex, np.array(ts), np.array(xys), np.array(zs))
    return {"clip": clip, "exercise": ex, "run": {"report": report, "baseline": base}}


def _sides(reps: list[dict]) -> str:
    return ",".join({"left": "L", "right": "R"}.get(r.get("side") or "", "-") for r in reps) or "–"


def _in_range(n: int | None, lo: int, hi: int) -> bool:
    return n is not None and lo <= n <= hi


def real_clip_row(label: dict, ex: str, run: dict) -> dict:
    """The figures of one labelled clip of one of the seven."""
    lo = label["expected_reps"]
    hi = lo + label.get("ambiguous_reps", 0)
    row: dict = {"clip": Path(label["clip"]).stem, "exercise": ex, "expected": [lo, hi]}
    if "error" in run:
        return {**row, "error": run["error"], "ok": False, "baseline": None, "baseline_ok": False, "guided": False}
    report, base = run["report"], run["baseline"]
    counted = [r for r in report["reps"] if r["counted"]]
    matched = [(g, w) for g, w in match_reps(counted, label["reps"]) if w.get("side") is not None]
    guided = report.get("countable") is False
    faults: dict[str, int] = {}
    for f in report["faults"]:
        faults[f["id"]] = faults.get(f["id"], 0) + 1
    return {
        **row,
        "counted": report["summary"]["reps_counted"],
        "attempted": report["summary"]["reps_attempted"],
        "guided": guided,
        "ok": not guided and _in_range(report["summary"]["reps_counted"], lo, hi),
        "sides": _sides(counted),
        "sides_labelled": _sides([r for r in label["reps"] if r.get("side")])
        if any(r.get("side") for r in label["reps"])
        else "–",
        "sides_right": [sum(g.get("side") == w["side"] for g, w in matched), len(matched)],
        "faults": faults,
        "baseline": base["summary"]["reps_counted"],
        "baseline_ok": _in_range(base["summary"]["reps_counted"], lo, hi),
    }


def real_negative_row(label: dict, runs: dict) -> dict:
    per = {}
    for ex in (ex for ex in ORDER if ex in runs):
        run = runs[ex]
        if "error" in run:
            per[ex] = {"error": run["error"], "counted": 0, "attempted": 0, "baseline": None}
            continue
        s = run["report"]["summary"]
        per[ex] = {
            "counted": s["reps_counted"],
            "attempted": s["reps_attempted"],
            "faults": sorted({f["id"] for f in run["report"]["faults"]}),
            "baseline": run["baseline"]["summary"]["reps_counted"],
        }
    return {"clip": Path(label["clip"]).stem, "control": label.get("control_exercise"), "exercises": per}


def print_real(clips: list[dict], negatives: list[dict], summary: dict) -> None:
    if clips:
        head = (
            f"{'clip':<36}{'exercise':<24}{'label':>6}{'ours':>6}  {'':<8}{'sides got / labelled':<24}"
            f"{'faults reported':<34}{'baseline':>9}"
        )
        print(head)
        print("-" * len(head))
    for c in clips:
        lo, hi = c["expected"]
        rng = f"{lo}" if lo == hi else f"{lo}..{hi}"
        if "error" in c:
            print(f"{c['clip']:<36}{c['exercise']:<24}{rng:>6}{'–':>6}  error: {c['error']}")
            continue
        verdict = "guided" if c["guided"] else "OK" if c["ok"] else "miss"
        ours = f"{c['counted']}" + (f"+{c['attempted'] - c['counted']}a" if c["attempted"] > c["counted"] else "")
        sides = f"{c['sides']} / {c['sides_labelled']}" if c["sides_labelled"] != "–" else "–"
        faults = ", ".join(f"{k}×{n}" if n > 1 else k for k, n in sorted(c["faults"].items())) or "–"
        base = f"{c['baseline']} {'OK' if c['baseline_ok'] else 'miss'}"
        print(f"{c['clip']:<36}{c['exercise']:<24}{rng:>6}{ours:>6}  {verdict:<8}{sides:<24}{faults:<34}{base:>9}")
    if negatives:
        exs = [ex for ex in ORDER if any(ex in n["exercises"] for n in negatives)]
        print()
        print("negatives: every count must be 0 (ours/baseline; +Na = attempts not counted)")
        head = f"{'clip':<36}" + "".join(f"{SHORT[ex]:>10}" for ex in exs)
        print(head)
        print("-" * len(head))
        for n in negatives:
            cells = []
            for ex in exs:
                r = n["exercises"].get(ex)
                if r is None:
                    cells.append("")
                    continue
                extra = f"+{r['attempted'] - r['counted']}a" if r["attempted"] > r["counted"] else ""
                base = "–" if r["baseline"] is None else r["baseline"]
                cells.append(f"{r['counted']}{extra}/{base}")
            print(f"{n['clip']:<36}" + "".join(f"{c:>10}" for c in cells))
    s = summary
    within, neg, faults = s["within_range"], s["negatives"], s["faults_on_good_form"]
    print()
    print(
        f"summary: within range ours {within['ours']}/{within['clips']}, "
        f"baseline {within['baseline']}/{within['clips']}"
        + (f" (guided, not judged: {', '.join(s['guided'])})" if s["guided"] else "")
        + f" | negatives' false counts ours {neg['ours']}, baseline {neg['baseline']} ({neg['runs']} runs)"
        + f" | faults on good form {faults['spans']} (on {faults['clips']} of {faults['of']} clips)"
    )


def run_real(args: argparse.Namespace) -> None:
    cache = (args.cache or default_cache()).expanduser().resolve()
    if cache.is_relative_to(ROOT):
        sys.exit(f"--cache {cache}: inside the repository; real clips' landmarks must stay outside it")
    labels = sorted((args.real / "labels").glob("*.json"))
    if not labels:
        sys.exit(f"{args.real}/labels: no labels (see ../shared/real/README.md)")
    if args.hold < 0.1:
        sys.exit(f"--hold {args.hold}: at least 0.1 s (the smallest posecheck review takes)")
    if args.exercise is not None and args.exercise not in ORDER:
        sys.exit(f"--exercise {args.exercise}: not one of {', '.join(ORDER)}")
    jobs = []  # (label, clip path, exercises)
    for path in labels:
        label = json.loads(path.read_text())
        clip = args.real / label["clip"]
        if args.only and args.only not in clip.stem:
            continue
        ex = label["exercise"]
        if args.exercise is not None and ex not in (None, args.exercise):
            continue
        exercises = [ex] if ex is not None else [args.exercise] if args.exercise else list(ORDER)
        if not clip.exists():
            print(f"{clip}: missing (labelled, not extracted); skipped", file=sys.stderr)
            continue
        jobs.append((label, clip, exercises))
    if not jobs:
        sys.exit("no labelled clips left to run")

    from posecheck.exercise import definition

    needs_mask = {ex: definition.load(ex).needs_mask for ex in ORDER}
    records, missing = {}, []
    for _, clip, exercises in jobs:
        sha = _sha256(clip)
        masks = any(needs_mask[ex] for ex in exercises)
        # A record with masks serves an exercise without them too: the landmarks are the same.
        found = [p for m in ((True,) if masks else (False, True)) if (p := record_path(cache, clip, sha, m)).exists()]
        records[clip] = found[0] if found else record_path(cache, clip, sha, masks)
        if not found:
            missing.append((str(clip), masks, str(records[clip])))
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for clip, frames, seconds in pool.map(record_one, missing):
            print(f"  poses of {Path(clip).name}: {frames} frames in {seconds:.0f} s", file=sys.stderr)
        recorded_s = time.perf_counter() - t0
        # one review a job, the longest first: about 1 ms a frame, and reading the person mask
        # (cat_cow) about 2 ms more per megapixel
        replays = [(str(c), str(records[c]), ex, args.hold, args.pose_fps) for lab, c, exs in jobs for ex in exs]
        size = {str(c): (lab.get("frames", 0), math.prod(map(int, lab["resolution"].split("x")))) for lab, c, _ in jobs}
        replays.sort(key=lambda j: size[j[0]][0] * (1 + 2e-6 * size[j[0]][1] * needs_mask[j[2]]), reverse=True)
        runs: dict[str, dict[str, dict]] = {}
        for r in pool.map(replay_one, replays):
            runs.setdefault(r["clip"], {})[r["exercise"]] = r["run"]
    print(
        f"{len(jobs)} real clips from {args.real}, hold {args.hold} s; poses: {len(missing)} recorded "
        f"({recorded_s:.0f} s), {len(jobs) - len(missing)} from the cache ({cache}); "
        f"reviews {time.perf_counter() - t0 - recorded_s:.0f} s\n"
    )

    clips = [real_clip_row(lab, exs[0], runs[str(c)][exs[0]]) for lab, c, exs in jobs if lab["exercise"] is not None]
    negatives = [real_negative_row(lab, runs[str(c)]) for lab, c, _ in jobs if lab["exercise"] is None]
    order = {ex: i for i, ex in enumerate(ORDER)}
    clips.sort(key=lambda c: (order[c["exercise"]], c["clip"]))
    judged = [c for c in clips if not c["guided"]]
    neg_runs = [r for n in negatives for r in n["exercises"].values()]
    summary = {
        "within_range": {
            "clips": len(judged),
            "ours": sum(c["ok"] for c in judged),
            "baseline": sum(c["baseline_ok"] for c in judged),
        },
        "guided": [c["clip"] for c in clips if c["guided"]],
        "negatives": {
            "clips": len(negatives),
            "runs": len(neg_runs),
            "ours": sum(r["counted"] for r in neg_runs),
            "ours_attempts": sum(r["attempted"] for r in neg_runs),
            "baseline": sum(r["baseline"] or 0 for r in neg_runs),
        },
        "faults_on_good_form": {
            "spans": sum(sum(c.get("faults", {}).values()) for c in clips),
            "clips": sum(bool(c.get("faults")) for c in clips),
            "of": len(clips),
        },
    }
    print_real(clips, negatives, summary)
    if args.json:
        settings = {"dir": str(args.real), "hold_s": args.hold, "only": args.only, "exercise": args.exercise}
        args.json.write_text(
            json.dumps({"settings": settings, "clips": clips, "negatives": negatives, "summary": summary}, indent=1)
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
    ap.add_argument("--real", type=Path, metavar="DIR", help="real clips with hand-made labels (DIR/labels/)")
    ap.add_argument("--hold", type=float, default=0.1, help="--real: hold time in seconds (default 0.1)")
    ap.add_argument(
        "--cache",
        type=Path,
        help="where detections are kept (--real: default the user cache folder; samples and sweeps: only when given)",
    )
    ap.add_argument("--only", metavar="SUBSTR", help="only clips whose name holds SUBSTR")
    ap.add_argument("--exercise", metavar="ID", help="only this exercise (--real: negatives run against it alone)")
    ap.add_argument(
        "--pose-fps",
        type=float,
        help="fast mode at this rate (from cached detections: those of the frames it would take, interpolated)",
    )
    args = ap.parse_args()
    if args.real is not None:
        run_real(args)
        return

    videos = sorted(p for p in args.samples.glob("*.mp4") if p.with_suffix(".json").exists())
    if args.clips:
        videos = [v for v in videos if v.stem in args.clips]
    if args.only:
        videos = [v for v in videos if args.only in v.stem]
    if args.exercise:
        videos = [v for v in videos if json.loads(v.with_suffix(".json").read_text())["exercise"] == args.exercise]
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
        if args.cache is None:
            runs = list(
                pool.map(review_one, [str(v) for v in videos], [None] * len(videos), [args.pose_fps] * len(videos))
            )
        else:
            # detections recorded once a clip, then any engine re-scores them in seconds
            from posecheck.exercise import definition

            cache = args.cache.expanduser().resolve()
            records, missing = [], []
            for v in videos:
                masks = definition.load(json.loads(v.with_suffix(".json").read_text())["exercise"]).needs_mask
                path = record_path(cache, v, _sha256(v), masks)
                records.append(str(path))
                if not path.exists():
                    missing.append((str(v), masks, str(path)))
            cache.mkdir(parents=True, exist_ok=True)
            for clip, frames, seconds in pool.map(record_one, missing):
                print(f"  poses of {Path(clip).name}: {frames} frames in {seconds:.0f} s", file=sys.stderr)
            runs = list(pool.map(review_one, [str(v) for v in videos], records, [args.pose_fps] * len(videos)))

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
                "error": run["report"].get("error"),
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
            f"   <-- {d['error']}"
            if d["error"]
            else "   (guided: not counted from video)"
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
