#!/usr/bin/env python3
"""Fast mode: at which pose rate do the counts start to change? Prints a table; asserts nothing.

    python scripts/bench_fast.py --samples ../sweep --cache ../sweep-cache [--rates 15 10 7.5 5]
    python scripts/bench_fast.py --real /tmp/real [--cache DIR]
    python scripts/bench_fast.py --samples samples --model --rates 10      # the model itself, slow
    python scripts/bench_fast.py --real /tmp/real --rates fast             # each exercise's --fast rate

Every clip is reviewed at every frame and at each rate (`review --pose-fps`), and each
clip's reps counted and attempted, their sides and faults are compared with every frame's.
From cached detections (`--cache`, as scripts/bench_accuracy.py keeps them; clips without
one are skipped), fast mode takes the detections of the frames it would run the model on
and interpolates between them; the model's own tracking at that rate may differ a little,
which `--model` measures (the model runs at every frame and at each rate).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_accuracy as acc  # noqa: E402


def _outcome(report: dict) -> tuple:
    s = report["summary"]
    sides = tuple(r.get("side") for r in report["reps"] if r.get("counted"))
    return s["reps_counted"], s["reps_attempted"], sides, tuple(sorted({f["id"] for f in report["faults"]}))


def _rate(rate: float | str | None, exercise: str) -> float | None:
    """A rate of --rates for a clip of `exercise`: "fast" is the exercise's own (`--fast`)."""
    if rate != "fast":
        return rate  # type: ignore[return-value]
    from posecheck.exercise import definition

    return definition.load(exercise).tracking.fast_pose_fps


def _exercise(video: str) -> str:
    return json.loads(Path(video).with_suffix(".json").read_text())["exercise"]


def _holds(report: dict) -> list[float]:
    return [r["hold_s"] for r in report["reps"] if r.get("counted")]


def sample_jobs(args) -> list[tuple[str, str | None]]:
    from posecheck.exercise import definition

    videos = sorted(p for p in args.samples.glob("*.mp4") if p.with_suffix(".json").exists())
    jobs = []
    for v in videos:
        if args.model:
            jobs.append((str(v), None))
            continue
        masks = definition.load(json.loads(v.with_suffix(".json").read_text())["exercise"]).needs_mask
        path = acc.record_path(args.cache.expanduser().resolve(), v, acc._sha256(v), masks)
        if path.exists():
            jobs.append((str(v), str(path)))
    return jobs


def real_jobs(args) -> list[tuple]:
    from posecheck.exercise import definition

    cache = (args.cache or acc.default_cache()).expanduser().resolve()
    jobs = []
    for path in sorted((args.real / "labels").glob("*.json")):
        label = json.loads(path.read_text())
        clip = args.real / label["clip"]
        if not clip.exists():
            continue
        sha = acc._sha256(clip)
        found = {m: p for m in (False, True) if (p := acc.record_path(cache, clip, sha, m)).exists()}
        for ex in [label["exercise"]] if label["exercise"] else acc.ORDER:
            # an exercise reading the person mask needs a record with masks; others take either
            record = found.get(True) if definition.load(ex).needs_mask else next(iter(found.values()), None)
            if record is not None:
                jobs.append((str(clip), str(record), ex, args.hold))
    return jobs


def _sample_run(job: tuple[str, str | None, float | None]) -> tuple[str, dict]:
    video, record, rate = job
    out = acc.review_one(video, record, rate)
    return Path(video).stem, out["report"]


def _real_run(job: tuple) -> tuple[str, dict]:
    out = acc.replay_one(job)
    return f"{Path(out['clip']).stem} as {out['exercise']}", out["run"].get("report") or {"error": True}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=Path)
    ap.add_argument("--real", type=Path)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--model", action="store_true", help="run the model at each rate (no cache; slow)")
    ap.add_argument(
        "--rates",
        type=lambda r: r if r == "fast" else float(r),
        nargs="+",
        default=[15, 10, 7.5, 5, 3],
        help='pose rates; "fast": each exercise\'s own [tracking] fast_pose_fps',
    )
    ap.add_argument("--hold", type=float, default=0.1, help="--real: hold time (default 0.1 s, as bench_accuracy)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if (args.samples is None) == (args.real is None):
        sys.exit("give --samples DIR or --real DIR")
    if args.samples is not None and args.cache is None and not args.model:
        sys.exit("--samples needs --cache DIR (cached detections) or --model")

    runs: dict[float | str | None, dict[str, dict]] = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        if args.samples is not None:
            jobs = sample_jobs(args)
            for rate in [None, *args.rates]:
                # every frame (rate None) is reviewed the same way, not taken from the truth file: a
                # sample whose truth today's main no longer matches (a render now guided) is not fast mode's
                runs[rate] = dict(pool.map(_sample_run, [(v, r, _rate(rate, _exercise(v))) for v, r in jobs]))
        else:
            jobs = real_jobs(args)
            for rate in [None, *args.rates]:
                runs[rate] = dict(pool.map(_real_run, [(*j, _rate(rate, j[2])) for j in jobs]))
    full = runs[None]
    print(f"{len(full)} clip runs ({'the model at each rate' if args.model else 'cached detections'})\n")
    print(f"{'pose fps':>9} {'changed':>8}  {'Δhold median (s)':>17}  clips whose count, sides or faults changed")
    for rate in args.rates:
        changed = []
        dh = []
        for name, rep in runs[rate].items():
            base = full[name]
            if "error" in rep or "error" in base:
                if ("error" in rep) != ("error" in base):
                    changed.append(f"{name} (error)")
                continue
            a, b = _outcome(base), _outcome(rep)
            if a != b:
                changed.append(
                    f"{name} {a[0]}/{a[1]}{''.join((s or '-')[0] for s in a[2])}→{b[0]}/{b[1]}"
                    f"{''.join((s or '-')[0] for s in b[2])}" + (f" faults {a[3]}→{b[3]}" if a[3] != b[3] else "")
                )
            elif len(_holds(base)) == len(_holds(rep)):
                dh += [abs(x - y) for x, y in zip(_holds(base), _holds(rep), strict=True)]
        hold = f"{statistics.median(dh):.2f}" if dh else "–"
        label = rate if isinstance(rate, str) else f"{rate:g}"
        print(f"{label:>9} {len(changed):>8}  {hold:>17}  {'; '.join(changed)}")


if __name__ == "__main__":
    main()
