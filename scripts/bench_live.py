#!/usr/bin/env python3
"""Benchmark `posecheck live` on a simulated 30 fps camera: a video file handed out at
its own frame rate, newest frame wins, the screen drawn at 1280x720 as for a window.
Prints processed frames per second, the share of camera frames dropped, and the latency
from a frame's arrival to its display (p50, p95). Asserts nothing.

    python scripts/bench_live.py [VIDEO] [--seconds 20] [--exercise bridge] [--runs 1]
    python scripts/bench_live.py --modes     # MediaPipe VIDEO vs LIVE_STREAM mode latency

Machines are shared and noisy: run it on a quiet machine and look at the spread of runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from posecheck.coach.voice import Backend, Speaker  # noqa: E402
from posecheck.exercise import definition  # noqa: E402
from posecheck.pose.model import bundled_model, silence_native_logs  # noqa: E402
from posecheck.session.live import LiveOptions, run_live  # noqa: E402
from posecheck.session.routine import Item  # noqa: E402
from posecheck.sources.capture import FileSource  # noqa: E402


class FirstSeconds(FileSource):
    """The file as a camera, for its first `seconds` only."""

    def __init__(self, path: Path, seconds: float) -> None:
        super().__init__(path)
        self.seconds = seconds

    def read(self):
        got = super().read()
        if got is not None and got[0] >= self.seconds:
            self.ended = True
            return None
        return got


def live_run(video: Path, exercise_id: str, seconds: float, crowd: float | None) -> dict:
    ex = definition.load(exercise_id)
    source = FirstSeconds(video, seconds)
    opts = LiveOptions(
        headless=True, mute=True, intro_s=0.0, render_headless=True, size=(1280, 720), count_people_every_s=crowd
    )
    session = run_live(source, [Item(ex)], opts, speaker=Speaker(Backend("mute", lambda cue: None)))
    st = session.stats
    return {
        "camera_fps": source.fps,
        "captured": st.captured,
        "processed": st.processed,
        "processed_fps": st.processed / st.wall_s if st.wall_s else 0.0,
        "dropped": st.dropped / st.captured if st.captured else 0.0,
        "p50_ms": 1000 * (st.percentile(50) or 0.0),
        "p95_ms": 1000 * (st.percentile(95) or 0.0),
        "reps": session.sets[0].pipeline.engine.reps_counted if session.sets else 0,
    }


def modes(video: Path, frames: int = 240) -> None:
    """The pose model alone in its two streaming modes, fed a 30 fps camera."""
    from posecheck.pose.model import block_network

    block_network()  # before MediaPipe loads: its usage logger must not reach the network
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import vision
    from mediapipe.tasks.python.core.base_options import BaseOptions

    cap = cv2.VideoCapture(str(video))
    rgbs = []
    while len(rgbs) < frames:
        ok, f = cap.read()
        if not ok:
            break
        rgbs.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
    model = bundled_model().read_bytes()

    def options(mode, cb=None):
        return vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=model), running_mode=mode, num_poses=1, result_callback=cb
        )

    # VIDEO: synchronous; the newest frame when the model is free (frames in between dropped)
    lm = vision.PoseLandmarker.create_from_options(options(vision.RunningMode.VIDEO))
    lat, done, last = [], 0, -1
    t0 = time.perf_counter()
    while True:
        now = time.perf_counter() - t0
        i = int(now * 30)
        if i >= len(rgbs):
            break
        if i <= last:
            time.sleep((last + 1) / 30 - now)
            continue
        last = i
        lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgbs[i]), int(i / 30 * 1000))
        lat.append(time.perf_counter() - t0 - i / 30)
        done += 1
    lm.close()
    print(
        f"VIDEO mode:       {done}/{len(rgbs)} frames processed, "
        f"latency p50 {1000 * np.percentile(lat, 50):.0f} ms, p95 {1000 * np.percentile(lat, 95):.0f} ms"
    )
    # LIVE_STREAM: every frame submitted at 30 fps; MediaPipe drops what it cannot take
    got: dict[int, float] = {}
    lock = threading.Lock()

    def on_result(result, image, ms):
        with lock:
            got[ms] = time.perf_counter() - t0

    lm = vision.PoseLandmarker.create_from_options(options(vision.RunningMode.LIVE_STREAM, on_result))
    t0 = time.perf_counter()
    for i, rgb in enumerate(rgbs):
        wait = i / 30 - (time.perf_counter() - t0)
        if wait > 0:
            time.sleep(wait)
        lm.detect_async(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(i / 30 * 1000))
    time.sleep(0.5)
    lm.close()
    lat = [t - ms / 1000 for ms, t in got.items()]
    print(
        f"LIVE_STREAM mode: {len(got)}/{len(rgbs)} frames processed, "
        f"latency p50 {1000 * np.percentile(lat, 50):.0f} ms, p95 {1000 * np.percentile(lat, 95):.0f} ms"
    )

    # The model's own time per frame, back to back: LIVE_STREAM waited on like a call.
    def per_call(detect) -> str:
        ts = []
        for i, rgb in enumerate(rgbs):
            a = time.perf_counter()
            detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), i * 34 + 1)
            ts.append(time.perf_counter() - a)
        return f"p50 {1000 * np.percentile(ts, 50):.1f} ms, p95 {1000 * np.percentile(ts, 95):.1f} ms"

    lm = vision.PoseLandmarker.create_from_options(options(vision.RunningMode.VIDEO))
    print(f"VIDEO per frame, back to back:       {per_call(lm.detect_for_video)}")
    lm.close()
    done_ev = threading.Event()
    lm = vision.PoseLandmarker.create_from_options(
        options(vision.RunningMode.LIVE_STREAM, lambda r, img, ms: done_ev.set())
    )

    def submit_and_wait(image, ms):
        done_ev.clear()
        lm.detect_async(image, ms)
        done_ev.wait(2.0)

    print(f"LIVE_STREAM per frame, back to back: {per_call(submit_and_wait)}")
    lm.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("video", nargs="?", type=Path, default=ROOT / "samples" / "bootstrap" / "bridge.mp4")
    ap.add_argument("--exercise", default="bridge")
    ap.add_argument("--seconds", type=float, default=20.0, help="play this much of the video")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-crowd", action="store_true", help="without the once-a-second check for a second person")
    ap.add_argument("--modes", action="store_true", help="compare MediaPipe's VIDEO and LIVE_STREAM modes instead")
    args = ap.parse_args()
    silence_native_logs()
    if args.modes:
        modes(args.video)
        return
    results = [
        live_run(args.video, args.exercise, args.seconds, None if args.no_crowd else 1.0) for _ in range(args.runs)
    ]
    r0 = results[0]
    print(
        f"video: {args.video.name}, first {args.seconds:g} s as a {r0['camera_fps']:g} fps camera, "
        f"exercise {args.exercise}, {args.runs} run(s), medians"
    )
    med = {
        k: statistics.median(r[k] for r in results)
        for k in ("captured", "processed", "processed_fps", "dropped", "p50_ms", "p95_ms", "reps")
    }
    print(f"camera frames:               {med['captured']:.0f}")
    print(f"processed frames per second: {med['processed_fps']:.1f}")
    print(f"share of frames dropped:     {med['dropped']:.1%}")
    print(f"capture-to-display latency:  p50 {med['p50_ms']:.0f} ms, p95 {med['p95_ms']:.0f} ms")
    print(f"reps counted:                {med['reps']:.0f}")


if __name__ == "__main__":
    main()
