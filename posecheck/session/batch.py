"""`posecheck batch`: many videos reviewed by worker processes, one report each.

Each file is one `Job`, run by `run_job` in a worker process (spawned: MediaPipe objects do
not cross processes). The worker creates its own pose model for each file (the model tracks
a person from frame to frame, so a fresh one per video gives the report `posecheck review`
gives). A file that fails (bad input, no person, over its time limit) is a failed `Result`
with its one-line error, and the batch goes on. A file whose report is already there and
complete, for the same settings, is skipped: a batch cut short is resumed by running it again.
An input ending in .npz is a landmarks record (`posecheck review --landmarks-out`),
re-scored without the model.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import multiprocessing
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".gif", ".m4v"}
RECORD_SUFFIX = ".npz"
# The parent's own limit on a file, past --timeout: for a worker stuck where the worker's
# own timer cannot reach (inside native code). It counts from when the worker began the file.
GRACE_S = 30.0


@dataclass(frozen=True)
class Job:
    input: Path  # a video, or a landmarks record (.npz)
    exercise: str  # an id or a definition file
    report: Path
    output: Path | None = None
    landmarks_out: Path | None = None
    hold_s: float | None = None
    target: int | None = None
    model: Path | None = None
    timeout_s: float | None = None
    pose_fps: float | None = None  # fast mode: this exercise's rate (None: every frame)

    @property
    def is_record(self) -> bool:
        return self.input.suffix.lower() == RECORD_SUFFIX


@dataclass
class Result:
    job: Job
    status: str  # "done", "skipped" (done by an earlier run) or "failed"
    error: str = ""
    seconds: float = 0.0
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "failed"


# --- what to review -------------------------------------------------------------------


def find_inputs(args: Sequence[str]) -> list[Path]:
    """Folders (their videos, not recursive), globs (quoted, so the shell left them), files."""
    out: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file()
                    and p.suffix.lower() in VIDEO_SUFFIXES
                    and not p.name.startswith(".")
                    and ".annotated." not in p.name
                )
            )
        elif not path.exists() and glob.has_magic(arg):
            out.extend(sorted(Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file()))
        else:
            out.append(path)  # a missing file fails as its own job
    seen: set[Path] = set()
    unique = [p for p in out if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]
    if not unique:
        raise PosecheckError(f"no videos found in {' '.join(args)}")
    return unique


def read_manifest(path: Path, default_exercise: str | None) -> list[tuple[Path, str]]:
    """A CSV of `file,exercise` rows (a header row optional; paths relative to its folder)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise PosecheckError(f"{path}: cannot read the manifest ({getattr(e, 'strerror', None) or e})") from None
    rows = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() in ("file", "path", "video"):
            continue
        exercise = cells[1] if len(cells) > 1 and cells[1] else default_exercise
        if not exercise:
            raise PosecheckError(f"{path}, line {number}: no exercise for {cells[0]} (give file,exercise or -e ID)")
        file = Path(cells[0])
        rows.append((file if file.is_absolute() else path.parent / file, exercise))
    if not rows:
        raise PosecheckError(f"{path}: the manifest lists no files")
    return rows


def name_for(path: Path, taken: set[str]) -> str:
    """A file name for an input's outputs: its own, made unique when two inputs share it."""
    stem = path.name[: -len(".landmarks.npz")] if path.name.endswith(".landmarks.npz") else path.stem
    name = stem
    if name in taken:
        name = f"{stem}-{hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]}"
    n = 1
    while name in taken:  # the same file listed twice (a manifest row per exercise)
        n += 1
        name = f"{stem}-{hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]}-{n}"
    taken.add(name)
    return name


# --- resume ---------------------------------------------------------------------------


def finished_report(job: Job, exercise_id: str) -> dict[str, Any] | None:
    """The report an earlier run left for `job`, when it is complete and for these settings."""
    try:
        rep = json.loads(job.report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rep, dict) or not isinstance(rep.get("summary"), dict):
        return None
    settings = rep.get("settings") or {}
    complete = (
        rep.get("exercise") == exercise_id
        and not rep.get("interrupted")
        and not rep.get("truncated")
        and rep.get("frames_with_pose", 0) > 0
        and settings.get("hold_s") == job.hold_s
        and settings.get("target") == job.target
        and settings.get("model") == (str(job.model) if job.model else "bundled")
        and (job.is_record or settings.get("pose_fps") == job.pose_fps)
        and (job.is_record or rep.get("video") == str(job.input))
    )
    outputs_there = all(p is None or p.is_file() for p in (job.output, job.landmarks_out))
    return rep if complete and outputs_there else None


# --- in the worker --------------------------------------------------------------------


class _TimedOut(BaseException):
    """The file's time is up (a BaseException: nothing on the way may swallow it)."""


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Raise _TimedOut in this process's main thread after `seconds` (where SIGALRM exists)."""
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum, frame) -> None:
        raise _TimedOut

    before = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


_started: Any = None  # in a worker: the queue telling the parent when each file begins


def warm_worker(verbose: bool = False, started: Any = None) -> None:
    """A worker's start: quiet native logs, the review's modules loaded before the first clock."""
    global _started
    _started = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if not verbose:
        from posecheck.pose.model import silence_native_logs

        silence_native_logs()
    import posecheck.session.landmarks
    import posecheck.session.review  # noqa: F401


def run_job(job: Job) -> Result:
    """Review one file (in a worker process); never raises for the file's own failures."""
    t0 = time.monotonic()
    if _started is not None:
        _started.put((str(job.report), time.time()))
    try:
        with _deadline(job.timeout_s):
            rep = _review(job)
        return Result(job, "done", seconds=time.monotonic() - t0, report=_brief(rep))
    except _TimedOut:
        return Result(job, "failed", f"{job.input}: timed out after {job.timeout_s:g} s", time.monotonic() - t0)
    except PosecheckError as e:
        return Result(job, "failed", str(e), time.monotonic() - t0)
    except Exception as e:  # a bug: still one line, and the batch goes on
        return Result(job, "failed", f"{job.input}: internal error: {type(e).__name__}: {e}", time.monotonic() - t0)


def _review(job: Job) -> dict[str, Any]:
    from posecheck.exercise import definition
    from posecheck.session import landmarks
    from posecheck.session.review import ReviewOptions, review

    exercise = definition.load(job.exercise)
    poses = landmarks.for_review(
        None if job.is_record else job.input,
        landmarks=job.input if job.is_record else None,
        landmarks_out=job.landmarks_out,
        model=job.model,
        masks=exercise.needs_mask,
        output=job.output,
        report=job.report,
        pose_fps=job.pose_fps,
    )
    options = ReviewOptions(
        hold_s=job.hold_s,
        target=job.target,
        model=job.model,
        output=job.output,
        report=job.report,
        progress=False,
        # a --keep-landmarks recording runs the model at the rate already
        pose_fps=job.pose_fps if poses.source is None else None,
    )
    try:
        return review(poses.video, exercise, options, poses=poses.source)
    finally:
        poses.save()


def _brief(rep: dict[str, Any]) -> dict[str, Any]:
    """What the summary table shows of a report."""
    return {k: rep.get(k) for k in ("exercise", "duration_s", "summary", "annotated", "settings")}


# --- in the parent --------------------------------------------------------------------


def _kill(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with suppress(Exception):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def run(
    jobs: Sequence[Job],
    *,
    workers: int,
    on_result: Callable[[Result], None],
    verbose: bool = False,
    timeout_s: float | None = None,
    grace_s: float = GRACE_S,
) -> None:
    """Run `jobs` on `workers` spawned processes, at most one file each at a time, calling
    `on_result` as each ends. A worker stuck past the file's limit and `grace_s` is killed
    with its pool; the files the other workers had are run again on a new one."""
    context = multiprocessing.get_context("spawn")

    began: dict[str, float] = {}  # a job's report path -> when its worker began it (time.time())

    def new_pool() -> tuple[ProcessPoolExecutor, Any]:
        # a queue of its own: a worker killed while writing to one could leave it locked
        queue = context.Queue()
        return ProcessPoolExecutor(
            workers, mp_context=context, initializer=warm_worker, initargs=(verbose, queue)
        ), queue

    pending = deque(jobs)
    running: dict[Future[Result], tuple[Job, float]] = {}
    pool, started_queue = new_pool()
    try:
        while pending or running:
            while pending and len(running) < workers:  # one file per worker at a time
                job = pending.popleft()
                began.pop(str(job.report), None)
                running[pool.submit(run_job, job)] = (job, time.monotonic())
            done, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            while not started_queue.empty():
                with suppress(Exception):
                    key, at = started_queue.get_nowait()
                    began[key] = at
            broken = False
            for future in done:
                job, started = running.pop(future)
                try:
                    result = future.result()
                except Exception as e:  # the worker process died (a crash in native code, killed)
                    broken = True
                    reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                    result = Result(
                        job, "failed", f"{job.input}: the worker died ({reason})", time.monotonic() - started
                    )
                on_result(result)
            limit = (timeout_s or 0) + grace_s
            now = time.time()
            hung = [f for f, (j, _) in running.items() if timeout_s and now - began.get(str(j.report), now) > limit]
            if hung or broken:
                _kill(pool)
                for future, (job, started) in running.items():
                    if future in hung:
                        on_result(Result(job, "failed", f"{job.input}: timed out after {timeout_s:g} s (worker killed)",
                                         time.monotonic() - started))  # fmt: skip
                    else:
                        pending.appendleft(job)
                running.clear()
                pool, started_queue = new_pool()
    finally:
        if running or pending:  # interrupted: no worker is left behind
            _kill(pool)
        else:
            pool.shutdown(wait=True)
