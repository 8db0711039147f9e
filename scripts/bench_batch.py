#!/usr/bin/env python3
"""Benchmark `posecheck batch`: files per minute on the same clips with 1 and 2 local
worker processes and on a local Ray with 2 CPUs, each against the single-file ceiling, and
the peak memory of a worker. Prints a table; asserts nothing.

    python scripts/bench_batch.py [--clips 20] [--seconds 4] [--repeat 1] [--source DIR]...

The clips are cut once from the middle of the bundled samples (or --source folders of
videos with their .json truth beside them, e.g. a sweep), each reviewed with its own
exercise (a manifest). A batch is run as a user runs it (`python -m posecheck batch`), so
its wall time includes starting the workers (and Ray). The single-file ceiling is
60 / the median time one worker spends on one clip in the 1-worker batch (its model made,
the clip reviewed), times the number of workers: what the batch would reach with no
overhead and no contention. Peak memory is each worker process's VmHWM, sampled from /proc
(Ray: the worker processes that ran a file; Ray's servers and idle workers are counted apart). Machines are
shared and noisy: with --repeat, each figure is the median over the repeats.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {  # name -> extra batch arguments, workers
    "local -j 1": (["-j", "1"], 1),
    "local -j 2": (["-j", "2"], 2),
    "ray, 2 CPUs": (["--engine", "ray", "-j", "2"], 2),
}


def pick_sources(folders: list[Path], count: int) -> list[tuple[Path, str]]:
    """`count` videos with their exercise (from the .json truth beside each), spread over the
    exercises: one of each in turn."""
    by_exercise: dict[str, list[Path]] = {}
    for folder in folders:
        for video in sorted(folder.glob("*.mp4")):
            try:
                truth = json.loads(video.with_suffix(".json").read_text())
            except (OSError, ValueError):
                continue
            if isinstance(truth, dict) and truth.get("exercise"):
                by_exercise.setdefault(truth["exercise"], []).append(video)
    picked: list[tuple[Path, str]] = []
    while len(picked) < count and any(by_exercise.values()):
        for exercise, videos in sorted(by_exercise.items()):
            if videos and len(picked) < count:
                picked.append((videos.pop(0), exercise))
    if len(picked) < count:
        sys.exit(f"only {len(picked)} videos with a .json truth in {', '.join(map(str, folders))}")
    return picked


def cut(video: Path, out: Path, seconds: float) -> None:
    """The middle `seconds` of `video` (mp4v, same size and frame rate)."""
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    want = round(seconds * fps)
    cap.set(cv2.CAP_PROP_POS_FRAMES, max(0, (total - want) // 2))
    writer = None
    for _ in range(want):
        ok, frame = cap.read()
        if not ok:
            break
        if writer is None:
            h, w = frame.shape[:2]
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        writer.write(frame)
    cap.release()
    if writer is not None:
        writer.release()


def make_clips(sources: list[tuple[Path, str]], folder: Path, seconds: float) -> Path:
    """The clips and a manifest of them; made once, kept in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, (video, exercise) in enumerate(sources):
        clip = folder / f"{i:02}_{video.stem}_{seconds:g}s.mp4"
        if not clip.exists():
            cut(video, clip, seconds)
        rows.append((clip.name, exercise))
    manifest = folder / f"manifest_{len(rows)}_{seconds:g}s.csv"
    with open(manifest, "w", newline="") as f:
        csv.writer(f).writerows([("file", "exercise"), *rows])
    return manifest


def _is_worker(cmd: str) -> bool:
    """A process that reviews files: a local worker (spawned) or a Ray worker running a task."""
    return cmd.startswith("ray::_task") or "spawn_main" in cmd


class PeakMemory(threading.Thread):
    """Polls /proc for the processes under `root` and keeps each one's VmHWM (peak RSS)."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (command line, kB)
        self.stop = threading.Event()

    def _tree(self) -> set[int]:
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents[int(stat.parent.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
        tree = {self.root}
        grew = True
        while grew:
            new = {pid for pid, ppid in parents.items() if ppid in tree and pid not in tree}
            tree |= new
            grew = bool(new)
        return tree

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                hwm = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
                seen, _ = self.peaks.get(pid, ("", 0))
                # a Ray worker that ran a file shows as ray::_task while it does; one that
                # only idled (or the board actor) is counted with Ray's own processes
                # (an exiting process's command line reads empty)
                kind = seen if _is_worker(seen) else (cmd or seen)
                self.peaks[pid] = (kind, max(hwm, self.peaks.get(pid, ("", 0))[1]))

    def workers_mb(self) -> tuple[list[float], float]:
        """Each worker's peak (MB), and the peak sum of everything else under the batch."""
        workers, other = [], 0.0
        for cmd, kb in self.peaks.values():
            if _is_worker(cmd):
                workers.append(kb / 1024)
            elif not cmd.startswith(("/usr/bin/gcc", "/sbin/ldconfig", "ld ", "/usr/bin/ld")):
                other += kb / 1024
        return workers, other


def run_batch(manifest: Path, extra: list[str], out: Path) -> dict:
    args = [sys.executable, "-m", "posecheck", "batch", "--manifest", str(manifest), "-r", str(out), "--no-progress"]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.monotonic()
    proc = subprocess.Popen([*args, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    memory = PeakMemory(proc.pid)
    memory.start()
    _, stderr = proc.communicate()
    wall = time.monotonic() - t0
    memory.stop.set()
    memory.join()
    with open(out / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    done = [r for r in rows if r["status"] == "done"]
    if len(done) != len(rows):
        failed = [r["error"] for r in rows if r["status"] != "done"]
        print(f"  note: {len(rows) - len(done)} files not done: {failed[:3]}", file=sys.stderr)
    workers, other = memory.workers_mb()
    return {
        "wall_s": wall,
        "files": len(done),
        "per_file_s": [float(r["seconds"]) for r in done],
        "worker_mb": workers,
        "other_mb": other,
        "exit": proc.returncode,
        "stderr": stderr.strip().splitlines()[-1:] if proc.returncode not in (0, 1) else [],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=4.0, help="length of each clip")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--source", type=Path, action="append", help="videos with .json truth (default samples/)")
    ap.add_argument("--clips-dir", type=Path, default=Path(tempfile.gettempdir()) / "posecheck-bench-batch")
    ap.add_argument("--only", action="append", choices=list(CONFIGS), help="run only these configurations")
    args = ap.parse_args()

    sources = pick_sources(args.source or [ROOT / "samples"], args.clips)
    manifest = make_clips(sources, args.clips_dir, args.seconds)
    configs = {k: v for k, v in CONFIGS.items() if not args.only or k in args.only}
    if "ray" in " ".join(configs):
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            configs = {k: v for k, v in configs.items() if "ray" not in k}
            print("Ray is not installed (pip install '.[cluster]'): its row is left out", file=sys.stderr)

    results: dict[str, list[dict]] = {k: [] for k in configs}
    for r in range(args.repeat):
        for name, (extra, _) in configs.items():
            out = Path(tempfile.mkdtemp(prefix="bench-batch-"))
            try:
                res = run_batch(manifest, extra, out)
            finally:
                shutil.rmtree(out, ignore_errors=True)
            results[name].append(res)
            print(f"  run {r + 1}, {name}: {res['files']} files in {res['wall_s']:.1f} s", file=sys.stderr)

    med = statistics.median
    single = [s for res in results.get("local -j 1", []) for s in res["per_file_s"]]
    single_s = med(single) if single else None
    print(f"\n{args.clips} clips of {args.seconds:g} s ({', '.join(sorted({e for _, e in sources}))}); "
          f"{args.repeat} run(s) each, medians; load average at the end {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip
    if single_s:
        print(f"single-file ceiling: {single_s:.1f} s per clip in one worker = {60 / single_s:.1f} files/min a worker")
    print()
    head = ("engine", "workers", "wall s", "files/min", "ceiling", "ratio", "s per file", "worker peak MB", "other MB")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, runs in results.items():
        workers = configs[name][1]
        wall = med([r["wall_s"] for r in runs])
        rate = med([60 * r["files"] / r["wall_s"] for r in runs])
        ceiling = workers * 60 / single_s if single_s else float("nan")
        per_file = med([s for r in runs for s in r["per_file_s"]] or [float("nan")])
        mb = [m for r in runs for m in r["worker_mb"]]
        cells = (name, str(workers), f"{wall:.0f}", f"{rate:.1f}", f"{ceiling:.1f}", f"{rate / ceiling:.2f}",
                 f"{per_file:.1f}", f"{med(mb):.0f} (max {max(mb):.0f})" if mb else "?",
                 f"{med([r['other_mb'] for r in runs]):.0f}")  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    print(
        "\nfiles/min: files done / the batch's wall time (worker and Ray start included); ceiling: workers × "
        "60 / single-file s; s per file: inside a worker; other MB: the batch's own process (and Ray's servers)"
    )


if __name__ == "__main__":
    main()
