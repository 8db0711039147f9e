#!/usr/bin/env python
"""An untouched validation sweep: N fresh clips of the seven exercises, a share of them with
injected faults, each rendered by the performer with what people vary (camera angle, height
and distance, frame size, fps, tempo, reps, sides, holds near the target and just under it).

    python scripts/make_sweep.py --out /work/sweep --count 104 --seed 900000
    python scripts/make_sweep.py --out /work/sweep --count 104 --seed 900000 --dry-run  # the plan only
    python scripts/bench_accuracy.py --samples /work/sweep --json /work/sweep/bench.json

Deterministic: clip i's parameters come from (--seed, i) alone, so the same seed gives the same
clips, and a larger --count only adds clips. Clips already rendered (NAME.json present) are
skipped, so a stopped run resumes where it was; --cheapest-first renders the shortest clips
first (the plan is the same), so a run stopped early covers more clips. Use seeds nobody has tuned on: the exercise
data must never be adjusted to a sweep and the sweep then reported as out of sample.

Exercises go round robin in the page's order; clip i carries faults when
floor((i + 1) * share) > floor(i * share) (exactly that share, spread evenly over the seven).
A fault clip has 1-3 reps, at least one with a fault drawn from the exercise's faults; other
reps are good, some held just under the target (not counted). Reps are trimmed (to one at
least) while the clip's estimated frames exceed --frame-budget, which keeps renders short.

How the person performs varies too (posecheck/synth/manner.py), drawn from (seed, i, 1) so the
draws above are untouched by it: the start (cat_cow kneeling up 30%, mid-position in cat or
cow 10% each; the seated exercises standing up first 40%), the resting head tipped 10-25 deg
either way (lying exercises, 40%), a nod or glance in one hold (35%), a breathing sway 1.5-2.5
times the usual (30%), cat_cow's order per rep (cow-cat 30%, cow-cat-cow 10%, cat-cow-cat 5%),
and a good rep held only 0.1-0.4 s over the target (15%). Sweeps planned before these existed
(same seed and i) now plan these variations too; their other parameters are unchanged.
pelvic_tilt clips are a subtle tilt (0.15 of the usual pelvic rotation, barely visible:
the app must leave them guided) with SUBTLE_TILT_P, also drawn from (seed, i, 1) after the rest.

A sweep of one exercise: --exercise NAME (every clip that exercise; the draws are as above).
--hd-share P renders that share of the clips at 1920x1080 (drawn from (seed, i, 2): other
parameters unchanged), the close view a camera-seen pelvic tilt needs; --max-fps caps the
drawn frame rate (fewer frames to render).
    python scripts/make_sweep.py --out /work/tilt --count 20 --seed 940000 --exercise pelvic_tilt \
        --hd-share 0.5 --max-fps 15 --frame-budget 300
Writes DIR/sweep.json (every clip's parameters and its command line) and DIR/NAME.mp4/.json/.npz.
Needs the synth extra (torch, anny); run it niced on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.synth import poses as P  # noqa: E402

EXERCISES = list(P.HOLD_S)  # the page's order
FPS = (12, 15, 24, 30, 60)
FPS_P = (0.2, 0.2, 0.2, 0.25, 0.15)  # 30 the commonest webcam rate; 60 rarer (and the dearest to render)
AZIMUTH_DEG = 25.0
TEMPO = (0.7, 1.5)
DISTANCE_M = {"near": (1.5, 2.1), "mid": (2.2, 3.0), "far": (3.2, 4.2)}  # grown by the renderer if needed
CAMERA_HEIGHT_M = {"floor": (0.2, 1.3), "upright": (0.5, 1.6)}
SIZES = {"landscape": (640, 480), "portrait": (480, 640), "wide": (640, 360)}
PORTRAIT_SHARE = {"floor": 0.15, "upright": 0.35}
WIDE_SHARE = 0.2
FAULTY_REP_P = 0.6  # in a fault clip, each rep carries a fault with this chance (one at least)
SHORT_HOLD_P = 0.2  # a rep without faults is held just under the target with this chance
NEAR_TARGET_S = (0.4, 1.5)  # a full hold: the target plus this
SHORT_BY_S = {"cat_cow": (0.25, 0.45)}  # a short hold: the target minus this (others: below)
SHORT_BY_S_DEFAULT = (1.0, 2.0)
FRAME_BUDGET = 700
# how people perform (manner.py), drawn from their own rng
START_P = {
    "cat_cow": {"kneeling": 0.3, "cat": 0.1, "cow": 0.1},
    "seated_rotation": {"standing": 0.4},
    "shoulder_blade_squeeze": {"standing": 0.4},
}
HEAD_TIP_P = 0.4
HEAD_TIP_DEG = (10.0, 25.0)
NOD_P = 0.35
SWAY_P = 0.3
SWAY_GAIN = (1.5, 2.5)
ORDER_P = {"cow-cat": 0.3, "cow-cat-cow": 0.1, "cat-cow-cat": 0.05}
AT_THRESHOLD_P = 0.15
AT_THRESHOLD_S = (0.1, 0.4)  # a full hold only this much over the target
START_S = 4.0  # rough seconds a start posture adds
SUBTLE_TILT_P = 0.3  # pelvic_tilt: a subtle tilt (manner.SUBTLE_TILT_GAIN)
HD_SIZE = (1920, 1080)

# Rough seconds of movement per rep at tempo 1 (choreography.py), and holds per rep, to
# estimate a clip's length before rendering it.
MOVE_S = {
    "knee_to_chest": 3.5,
    "lower_back_rotation": 5.1,
    "pelvic_tilt": 6.2,
    "bridge": 4.5,
    "cat_cow": 5.9,
    "seated_rotation": 6.9,
    "shoulder_blade_squeeze": 2.8,
}
HOLDS_PER_REP = {"pelvic_tilt": 2, "cat_cow": 2}
REST_S = 3.5 + 2.0  # before the first rep and after the last; between reps (per gap)


def is_fault_clip(i: int, share: float) -> bool:
    return math.floor((i + 1) * share) > math.floor(i * share)


def estimate_s(exercise: str, reps: list[dict], tempo: float, start: str = "rest") -> float:
    total = REST_S - 2.0 + 2.0 * (len(reps) - 1) + (START_S if start != "rest" else 0.0)
    for rep in reps:
        setup = any(f in P.SETUP_FAULTS for f in rep["faults"])
        hold = 0.3 if "too_fast" in rep["faults"] else rep["hold_s"]
        holds = len(rep["order"].split("-")) if rep.get("order") else HOLDS_PER_REP.get(exercise, 1)
        extra = (holds - HOLDS_PER_REP.get(exercise, 1)) * 2.2 / tempo
        total += MOVE_S[exercise] / tempo + extra + holds * hold + (4.0 if setup else 0.0)
    return total


def rep_text(rep: dict) -> str:
    side = rep["side"] or "-"
    faults = "+".join(rep["faults"])
    order = f"/{rep['order']}" if rep.get("order") else ""
    return f"{side}{':' + faults if faults else ''}@{rep['hold_s']:g}{order}"


def plan_manner(seed: int, i: int, exercise: str, reps: list[dict]) -> dict:
    """How clip i is performed (manner.py); drawn from (seed, i, 1), and the reps' orders and
    holds at the threshold set in place."""
    rng = np.random.default_rng([seed, i, 1])
    start, u = "rest", rng.random()
    for name, p in START_P.get(exercise, {}).items():
        if u < p:
            start = name
            break
        u -= p
    tip = 0.0
    if rng.random() < HEAD_TIP_P and P.POSTURE[exercise] == "supine":
        tip = round(float(rng.uniform(*HEAD_TIP_DEG)) * float(rng.choice([-1.0, 1.0])), 1)
    nods = int(rng.random() < NOD_P)
    sway = round(float(rng.uniform(*SWAY_GAIN)), 2) if rng.random() < SWAY_P else 1.0
    target = P.HOLD_S[exercise]
    for rep in reps:
        u = rng.random()
        if exercise == "cat_cow":
            for name, p in ORDER_P.items():
                if u < p:
                    rep["order"] = name
                    break
                u -= p
        over = rng.random() < AT_THRESHOLD_P
        if over and not rep["faults"] and rep["hold_s"] >= target:
            rep["hold_s"] = round(target + float(rng.uniform(*AT_THRESHOLD_S)), 2)
    tilt = 1.0
    if exercise == "pelvic_tilt" and rng.random() < SUBTLE_TILT_P:
        from posecheck.synth.manner import SUBTLE_TILT_GAIN

        tilt = SUBTLE_TILT_GAIN
    return {"start": start, "head_tip_deg": tip, "nods": nods, "sway_gain": sway, "tilt_gain": tilt}


def plan_clip(
    seed: int,
    i: int,
    share: float,
    budget: int,
    only: str | None = None,
    hd_share: float = 0.0,
    max_fps: int | None = None,
) -> dict:
    """Clip i of the sweep seeded `seed`: its parameters, from (seed, i) alone (and `only`:
    every clip that exercise; hd_share, max_fps: see the module's help)."""
    rng = np.random.default_rng([seed, i])
    exercise = only or EXERCISES[i % len(EXERCISES)]
    fault = is_fault_clip(i, share)
    sides = P.SIDES.get(exercise, (None,))
    faults = list(P.FAULTS[exercise])
    target = P.HOLD_S[exercise]
    posture = "upright" if P.POSTURE[exercise] == "upright" else "floor"
    side_view = P.VIEW[exercise] == "side"

    n = int(rng.integers(1, 4))
    faulty = [bool(rng.random() < FAULTY_REP_P) for _ in range(n)] if fault else [False] * n
    if fault and not any(faulty):
        faulty[int(rng.integers(n))] = True
    reps = []
    for bad in faulty:
        side = sides[int(rng.integers(len(sides)))]
        names: list[str] = []
        if bad:
            name = faults[int(rng.integers(len(faults)))]
            if name == "other_leg_lifted" and side == "both":  # needs a one-leg rep
                side = ("left", "right")[int(rng.integers(2))]
            names = [name]
        if not bad and rng.random() < SHORT_HOLD_P:
            hold = target - float(rng.uniform(*SHORT_BY_S.get(exercise, SHORT_BY_S_DEFAULT)))
        else:
            hold = target + float(rng.uniform(*NEAR_TARGET_S))
        reps.append({"side": side, "faults": names, "hold_s": round(hold, 1)})
    manner = plan_manner(seed, i, exercise, reps)

    fps = FPS[int(rng.choice(len(FPS), p=FPS_P))]
    if max_fps is not None:
        fps = min(fps, max_fps)
    tempo = round(float(rng.uniform(*TEMPO)), 2)
    band = ("near", "mid", "far")[int(rng.integers(3))]
    distance = round(float(rng.uniform(*DISTANCE_M[band])), 2)
    height = round(float(rng.uniform(*CAMERA_HEIGHT_M[posture])), 2)
    azimuth = round(float(rng.uniform(-AZIMUTH_DEG, AZIMUTH_DEG)), 1)
    u, portrait = rng.random(), PORTRAIT_SHARE[posture]
    frame = "portrait" if u < portrait else "wide" if u < portrait + WIDE_SHARE else "landscape"
    camera_side = ("left", "right")[int(rng.integers(2))] if side_view else None

    # keep renders short: drop reps from the end (a fault clip keeps a faulty one)
    while len(reps) > 1 and estimate_s(exercise, reps, tempo, manner["start"]) * fps > budget:
        last_fault = max((k for k, r in enumerate(reps) if r["faults"]), default=None)
        drop = len(reps) - 1
        if fault and last_fault == drop and sum(bool(r["faults"]) for r in reps) == 1:
            drop -= 1
        reps.pop(drop)

    name = f"sweep_{exercise}_{seed + i}"
    width, hgt = SIZES[frame]
    if hd_share > 0 and np.random.default_rng([seed, i, 2]).random() < hd_share:
        frame, (width, hgt) = "hd", HD_SIZE
    argv = ["clip", exercise]
    for rep in reps:
        argv += ["--rep", rep_text(rep)]
    argv += ["--seed", str(seed + i), "--name", name, "--fps", f"{fps:g}", "--tempo", f"{tempo:g}"]
    argv += ["--azimuth", f"{azimuth:g}", "--distance", f"{distance:g}", "--camera-height", f"{height:g}"]
    argv += ["--width", str(width), "--height", str(hgt)]
    if camera_side:
        argv += ["--side", camera_side]
    if manner["start"] != "rest":
        argv += ["--start", manner["start"]]
    if manner["head_tip_deg"]:
        argv += ["--head-tip", f"{manner['head_tip_deg']:g}"]
    if manner["nods"]:
        argv += ["--nods", str(manner["nods"])]
    if manner["sway_gain"] != 1.0:
        argv += ["--sway", f"{manner['sway_gain']:g}"]
    if manner["tilt_gain"] != 1.0:
        argv += ["--tilt-depth", f"{manner['tilt_gain']:g}"]
    return {
        "index": i,
        "name": name,
        "exercise": exercise,
        "seed": seed + i,
        "faults_injected": fault,
        "reps": [rep_text(r) for r in reps],
        "hold_target_s": target,
        "fps": fps,
        "tempo": tempo,
        "width": width,
        "height": hgt,
        "frame": frame,
        "azimuth_deg": azimuth,
        "distance_band": band,
        "distance_m": distance,
        "camera_height_m": height,
        "side_to_camera": camera_side,
        "manner": manner,
        "estimated_frames": round(estimate_s(exercise, reps, tempo, manner["start"]) * fps),
        "argv": argv,
    }


def describe(c: dict) -> str:
    view = f" {c['side_to_camera']} side" if c["side_to_camera"] else ""
    return (
        f"{c['name']:<38} {'FAULT' if c['faults_injected'] else 'good ':<5} {' '.join(c['reps']):<48} "
        f"{c['fps']:>2} fps {c['width']}x{c['height']} tempo {c['tempo']:.2f} az {c['azimuth_deg']:+.0f} "
        f"dist {c['distance_m']:.2f} ({c['distance_band']}) h {c['camera_height_m']:.2f}{view}{manner_text(c)} "
        f"~{c['estimated_frames']} fr"
    )


def render_order(clips: list[dict], cheapest_first: bool) -> list[dict]:
    """The order to render in: the plan's, or the fewest estimated frames first (ties: plan order)."""
    return sorted(clips, key=lambda c: c["estimated_frames"]) if cheapest_first else list(clips)


def manner_text(c: dict) -> str:
    m = c["manner"]
    parts = [f"start {m['start']}"] if m["start"] != "rest" else []
    parts += [f"head {m['head_tip_deg']:+g}"] if m["head_tip_deg"] else []
    parts += [f"{m['nods']} nod"] if m["nods"] else []
    parts += [f"sway x{m['sway_gain']:g}"] if m["sway_gain"] != 1.0 else []
    parts += [f"tilt x{m['tilt_gain']:g}"] if m.get("tilt_gain", 1.0) != 1.0 else []
    return " " + " ".join(parts) if parts else ""


def render(argv: list[str], out: Path) -> tuple[int, str]:
    """One clip through the performer's own command line, in this process (no reimport per clip)."""
    from posecheck.synth.cli import main as synth_main

    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            code = synth_main([*argv, "--out", str(out)])
    except Exception as e:  # one clip failing must not stop the sweep; its line says why
        return 1, f"{type(e).__name__}: {e}"
    lines = [ln for ln in captured.getvalue().splitlines() if ln.strip() and ": frame " not in ln]
    return code, lines[-1] if lines else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="folder of the clips and sweep.json")
    ap.add_argument("--count", type=int, required=True, help="number of clips")
    ap.add_argument("--seed", type=int, required=True, help="first seed; clip i uses seed + i")
    ap.add_argument("--fault-share", type=float, default=0.5, help="share of clips with faults (default 0.5)")
    ap.add_argument("--frame-budget", type=int, default=FRAME_BUDGET, help="trim reps above this many frames")
    ap.add_argument(
        "--cheapest-first",
        action="store_true",
        help="render the clips with the fewest estimated frames first (same plan; more clips done early)",
    )
    ap.add_argument("--exercise", choices=EXERCISES, help="every clip this exercise (default: all seven in turn)")
    ap.add_argument("--hd-share", type=float, default=0.0, help="share of clips rendered at 1920x1080 (default 0)")
    ap.add_argument("--max-fps", type=int, help="cap the drawn frame rate (fewer frames to render)")
    ap.add_argument("--dry-run", action="store_true", help="print the plan and write nothing")
    args = ap.parse_args()
    if not 0.0 <= args.fault_share <= 1.0:
        sys.exit(f"--fault-share {args.fault_share}: between 0 and 1")
    if not 0.0 <= args.hd_share <= 1.0:
        sys.exit(f"--hd-share {args.hd_share}: between 0 and 1")
    if args.max_fps is not None and args.max_fps < 1:
        sys.exit(f"--max-fps {args.max_fps}: 1 or more")

    clips = [
        plan_clip(args.seed, i, args.fault_share, args.frame_budget, args.exercise, args.hd_share, args.max_fps)
        for i in range(args.count)
    ]
    if args.dry_run:
        for c in clips:
            print(describe(c))
        frames = [c["estimated_frames"] for c in clips]
        print(f"{len(clips)} clips, {sum(c['faults_injected'] for c in clips)} with faults, ~{sum(frames)} frames")
        return

    args.out.mkdir(parents=True, exist_ok=True)
    index = args.out / "sweep.json"
    renders: dict[str, dict] = {}
    if index.exists():
        old = json.loads(index.read_text())
        if (old["seed"], old["fault_share"]) != (args.seed, args.fault_share):
            sys.exit(f"{index}: a sweep with seed {old['seed']}, share {old['fault_share']}; use another --out")
        renders = {c["name"]: c["render"] for c in old["clips"] if c.get("render")}

    def save() -> None:
        body = {
            "generator": "scripts/make_sweep.py",
            "seed": args.seed,
            "count": args.count,
            "fault_share": args.fault_share,
            "frame_budget": args.frame_budget,
            "command": "python -m posecheck.synth <argv> --out DIR",
            "clips": [{**c, "render": renders.get(c["name"])} for c in clips],
        }
        index.write_text(json.dumps(body, indent=1) + "\n")

    save()
    for n, c in enumerate(render_order(clips, args.cheapest_first), start=1):
        head = f"[{n}/{len(clips)}] {describe(c)}"
        if (args.out / f"{c['name']}.json").exists():
            print(f"{head}  already there", flush=True)
            continue
        t0 = time.time()
        code, last = render(c["argv"], args.out)
        seconds = round(time.time() - t0, 1)
        ok = code == 0 and (args.out / f"{c['name']}.json").exists()
        if ok:
            truth = json.loads((args.out / f"{c['name']}.json").read_text())
            renders[c["name"]] = {"seconds": seconds, "frames": truth["frames"], "kind": truth["kind"]}
            print(f"{head}  {truth['frames']} frames, {truth['kind']}, {seconds:.0f} s", flush=True)
        else:
            renders[c["name"]] = {"failed": last, "seconds": seconds}
            print(f"{head}  FAILED: {last}", flush=True)
        save()
    done = [r["seconds"] for r in renders.values() if "frames" in r]
    failed = [name for name, r in renders.items() if "failed" in r]
    print(
        f"{len(done)} rendered in this folder"
        + (f", median {statistics.median(done):.0f} s a clip" if done else "")
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )


if __name__ == "__main__":
    main()
