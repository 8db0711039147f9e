#!/usr/bin/env python3
"""Benchmark `posecheck review`: time per frame in each stage, frames per second, and
the share of time spent outside the pose model. Prints figures; asserts nothing.

    python scripts/bench_review.py [VIDEO] [--exercise ID] [--runs N]

Machines are shared and noisy: each figure is the median over the runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from posecheck.exercise import definition  # noqa: E402
from posecheck.pose.model import silence_native_logs  # noqa: E402
from posecheck.session.review import STAGES, ReviewOptions, Timings, review  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("video", nargs="?", type=Path, default=ROOT / "samples" / "bootstrap" / "bridge.mp4")
    ap.add_argument("--exercise", default="bridge")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    silence_native_logs()
    exercise = definition.load(args.exercise)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            t = Timings()
            t0 = time.perf_counter()
            review(
                args.video,
                exercise,
                ReviewOptions(output=Path(tmp) / "a.mp4", report=Path(tmp) / "r.json", progress=False),
                timings=t,
            )
            wall = time.perf_counter() - t0
            runs.append((t, wall))
    frames = runs[0][0].frames
    print(f"video: {args.video.name} ({frames} frames), exercise {args.exercise}, {args.runs} runs, medians")
    print(f"{'stage':<22}{'ms/frame':>10}{'share':>8}")
    per_stage = {s: statistics.median(t.seconds.get(s, 0.0) / frames * 1000 for t, _ in runs) for s in STAGES}
    total = sum(per_stage.values())
    label = {"engine": "smoothing+engine"}
    for s in STAGES:
        print(f"{label.get(s, s):<22}{per_stage[s]:>10.2f}{per_stage[s] / total:>8.0%}")
    wall = statistics.median(w for _, w in runs)
    print(f"{'all stages':<22}{total:>10.2f}")
    print(f"frames per second (wall, incl. start-up): {frames / wall:.1f}")
    print(f"frames per second (stages only): {1000 / total:.1f}")
    print(f"share of time outside the pose model: {(total - per_stage['pose']) / total:.0%}")


if __name__ == "__main__":
    main()
