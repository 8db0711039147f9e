#!/usr/bin/env python3
"""Benchmark `posecheck review` against its ceiling. Prints figures; asserts nothing.

    python scripts/bench_review.py [VIDEO] [--exercise ID] [--runs N] [--pose-fps N ...]

The ceiling is a bare loop that only decodes the video and runs the same pose model in
VIDEO mode on every frame (no smoothing, engine, drawing or encoding): a review cannot be
faster without a faster model or fewer frames through it. Each run times, one after the
other, the ceiling, a full review writing an annotated video and a report, and a fast-mode
review (`--pose-fps`) for each rate given; the figures are medians over the runs with
their spread (min–max), and the ratios are taken run by run (ceiling time / review time:
1.0 is a review as fast as the bare loop; in fast mode above 1.0 is faster than it).

Machines are shared and noisy: the load average is printed beside the figures. On Linux the
CPU time of MediaPipe's inference thread (named "drishti") is sampled too, for the ceiling and
the review alike: on a shared VM the model's own CPU time for the same frames moves from run
to run by more than a review's overhead, so the wall time beyond it ("waiting") tells the
review's own cost apart from a neighbour's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402

from posecheck.exercise import definition  # noqa: E402
from posecheck.pose.model import PoseEstimator, silence_native_logs  # noqa: E402
from posecheck.session.review import STAGES, ReviewOptions, Timings, review  # noqa: E402
from posecheck.sources.video import VideoFile  # noqa: E402

MODEL_THREAD = "drishti"  # MediaPipe's inference thread (it runs the graph's calculators)


@contextmanager
def model_cpu(into: list[float]):
    """Append the CPU seconds MediaPipe's inference threads used within (Linux only; threads
    end with their model, so they are polled while it runs, the last reading kept)."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        yield
        return
    tick = os.sysconf("SC_CLK_TCK")
    seen: dict[str, float] = {}
    stop = threading.Event()

    def poll() -> None:
        while True:
            for task in tasks.iterdir():
                try:
                    stat = (task / "stat").read_text()
                except OSError:
                    continue  # ended meanwhile
                name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
                if name == MODEL_THREAD:
                    seen[task.name] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            if stop.wait(0.2):
                return

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        yield
    finally:
        stop.set()
        poller.join()
        into.append(sum(seen.values()))


def ceiling(video: Path, masks: bool) -> tuple[float, int]:
    """Seconds for the bare loop (decode, convert to RGB, the pose model), and its frames."""
    t0 = time.perf_counter()
    frames = 0
    with PoseEstimator(masks=masks) as estimator:
        for frame in VideoFile(video):
            estimator.detect(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), frame.t_s)
            frames += 1
    return time.perf_counter() - t0, frames


def timed_review(video: Path, exercise, tmp: Path, pose_fps: float | None) -> tuple[float, Timings, dict]:
    timings = Timings()
    options = ReviewOptions(output=tmp / "a.mp4", report=tmp / "r.json", progress=False, pose_fps=pose_fps)
    t0 = time.perf_counter()
    rep = review(video, exercise, options, timings=timings)
    return time.perf_counter() - t0, timings, rep


def _spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("video", nargs="?", type=Path, default=ROOT / "samples" / "bridge.mp4")
    ap.add_argument("--exercise", default="bridge")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pose-fps", type=float, nargs="*", default=[], help="also time fast mode at these rates")
    args = ap.parse_args()
    silence_native_logs()
    exercise = definition.load(args.exercise)
    load_before = os.getloadavg()
    ceil_s: list[float] = []
    full: list[tuple[float, Timings, dict]] = []
    fast: dict[float, list[tuple[float, Timings, dict]]] = {r: [] for r in args.pose_fps}
    frames = 0
    ceil_cpu: list[float] = []
    full_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            with model_cpu(ceil_cpu):
                seconds, frames = ceiling(args.video, exercise.needs_mask)
            ceil_s.append(seconds)
            with model_cpu(full_cpu):
                full.append(timed_review(args.video, exercise, Path(tmp), None))
            for rate in args.pose_fps:
                fast[rate].append(timed_review(args.video, exercise, Path(tmp), rate))
    load_after = os.getloadavg()

    print(
        f"video: {args.video.name} ({frames} frames), exercise {args.exercise}, {args.runs} runs; "
        f"medians (min–max); load average {load_before[0]:.1f} before, {load_after[0]:.1f} after, "
        f"on {os.cpu_count()} cores"
    )
    fps = frames / statistics.median(ceil_s)
    print(f"ceiling (decode + pose model):         {_spread(ceil_s, '{:.1f}')} s, {fps:.1f} fps")
    wall = [w for w, _, _ in full]
    ratios = [c / w for c, (w, _, _) in zip(ceil_s, full, strict=True)]
    fps = frames / statistics.median(wall)
    print(f"review --output --report:              {_spread(wall, '{:.1f}')} s, {fps:.1f} fps")
    print(f"  review speed / ceiling speed:        {_spread(ratios)}")
    if ceil_cpu and full_cpu and min(ceil_cpu + full_cpu) > 0:
        print(
            f"  the model's own CPU time (thread {MODEL_THREAD}): ceiling {_spread(ceil_cpu, '{:.1f}')} s, "
            f"review {_spread(full_cpu, '{:.1f}')} s"
        )

        def waits(walls: list[float], cpus: list[float]) -> list[float]:
            return [(w - c) / frames * 1000 for w, c in zip(walls, cpus, strict=True)]

        print(
            f"  wall beyond it, ms a frame: ceiling {_spread(waits(ceil_s, ceil_cpu), '{:.1f}')} "
            f"(decoding in series), review {_spread(waits([w for w, _, _ in full], full_cpu), '{:.1f}')}"
        )
    base = full[0][2]["summary"]
    for rate, runs in fast.items():
        wall = [w for w, _, _ in runs]
        ratios = [c / w for c, (w, _, _) in zip(ceil_s, runs, strict=True)]
        s = runs[0][2]["summary"]
        same = (s["reps_counted"], s["reps_attempted"]) == (base["reps_counted"], base["reps_attempted"])
        print(
            f"review --pose-fps {rate:g} --output --report: {_spread(wall, '{:.1f}')} s; "
            f"speed / ceiling speed {_spread(ratios)}; counted {s['reps_counted']}/{s['reps_attempted']} "
            f"({'as at every frame' if same else 'DIFFERS from every frame: ' + str(base['reps_counted'])})"
        )
    print("\ntime inside each stage of the full review, ms per frame (stages overlap on their threads):")
    for stage in STAGES:
        ms = statistics.median(t.seconds.get(stage, 0.0) / frames * 1000 for _, t, _ in full)
        print(f"  {stage:<20}{ms:>8.2f}")


if __name__ == "__main__":
    main()
