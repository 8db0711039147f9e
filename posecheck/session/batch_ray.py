"""`posecheck batch --engine ray`: the same batch with each file one Ray task.

A task is `batch.run_job` in a Ray worker: one video, its own pose model created inside the
task, one CPU (Ray gives the task OMP_NUM_THREADS=1; OpenCV is held to one thread too), so a
node runs as many files at a time as it has CPUs and no more. At most `workers` tasks are in
flight. Each tells a small actor when it begins (a new worker process can take seconds to
start); the parent's limit (the file's timeout and a grace) counts from then, and a task
past it is cancelled with its worker process.

Without an address a Ray is started on this machine for the batch and stopped after it: no
dashboard, every server on 127.0.0.1, Ray's usage statistics off. With an address the batch
runs on that cluster; its nodes need posecheck installed and the same paths to the videos
and report folders (a shared file system). Ray is the optional `cluster` extra.
"""

from __future__ import annotations

import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.session.batch import GRACE_S, Job, Result, run_job

NEEDS_EXTRA = "the ray engine needs Ray: pip install 'posecheck[cluster]' (or '.[cluster]' from the repository)"

# Set before Ray is imported, so Ray's own processes inherit them. Ray finds a node's address
# by connecting a socket towards a public address unless it runs "single machine" (what it
# does on macOS and Windows); that mode also binds every server to 127.0.0.1. Usage
# statistics would be sent to ray.io. Ray asks cloud metadata servers (169.254.169.254,
# metadata.google.internal) what machine it is on, over HTTP with `requests`: a proxy on a
# closed loopback port makes those fail at once, without a DNS lookup; Ray's own gRPC
# ignores proxies, and its HTTP to 127.0.0.1 bypasses them.
_DEAD_PROXY = "http://127.0.0.1:9"
_SINGLE_MACHINE = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}  # for a local Ray only
_QUIET_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    **dict.fromkeys(("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"), _DEAD_PROXY),
    **dict.fromkeys(("no_proxy", "NO_PROXY"), "127.0.0.1,localhost,::1"),
}


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise PosecheckError(NEEDS_EXTRA) from None
    return ray


class _Board:
    """Ray actor: when each task began (its report path -> time.time())."""

    def __init__(self) -> None:
        self.began: dict[str, float] = {}

    def begin(self, key: str, at: float) -> None:
        self.began[key] = at

    def read(self) -> dict[str, float]:
        return self.began


def _task(job: Job, verbose: bool, board: Any) -> Result:
    """In a Ray worker: one file, the model made here, on the task's one CPU."""
    board.begin.remote(str(job.report), time.time())
    import cv2

    cv2.setNumThreads(1)
    if not verbose:
        from posecheck.pose.model import silence_native_logs

        silence_native_logs()
    return run_job(job)


@contextmanager
def _connected(address: str | None, workers: int, verbose: bool) -> Iterator[Any]:
    """Ray, connected to `address` or to a local Ray of `workers` CPUs started here."""
    os.environ.update(_QUIET_ENV)
    if not address:
        os.environ.update(_SINGLE_MACHINE)
    ray = _import_ray()
    # ray.init replaces the SIGTERM handler (posecheck's turns it into an interrupt)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))}
    options: dict[str, Any] = {"log_to_driver": verbose, "logging_level": "INFO" if verbose else "ERROR"}
    try:
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(address="local", num_cpus=workers, include_dashboard=False, **options)
    except Exception as e:  # Ray raises ConnectionError, ValueError, RuntimeError...
        with suppress(Exception):
            ray.shutdown()
        what = f"cannot reach the Ray cluster at {address}" if address else "cannot start a local Ray"
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise PosecheckError(f"{what}: {first}") from None
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    try:
        yield ray
    finally:
        ray.shutdown()  # a local Ray stops with it; a cluster keeps running


def cluster_cpus(ray: Any) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def run(
    jobs: Sequence[Job],
    *,
    address: str | None,
    workers: int | None,
    on_result: Callable[[Result], None],
    verbose: bool = False,
    timeout_s: float | None = None,
    grace_s: float = GRACE_S,
) -> None:
    """Run `jobs` as Ray tasks, at most `workers` at a time (default: the cluster's CPUs, or
    this machine's for a local Ray), calling `on_result` as each ends."""
    local_cpus = workers or os.cpu_count() or 1
    with _connected(address, local_cpus, verbose) as ray:
        in_flight = workers or cluster_cpus(ray)
        remote = ray.remote(num_cpus=1, max_retries=0)(_task)
        board = ray.remote(num_cpus=0)(_Board).remote()
        began: dict[str, float] = {}
        pending = deque(jobs)
        running: dict[Any, tuple[Job, float]] = {}
        try:
            while pending or running:
                while pending and len(running) < in_flight:
                    job = pending.popleft()
                    running[remote.remote(job, verbose, board)] = (job, time.monotonic())
                done, _ = ray.wait(list(running), num_returns=1, timeout=0.5)
                for ref in done:
                    job, started = running.pop(ref)
                    try:
                        result = ray.get(ref)
                    except Exception as e:  # the worker died (a crash in native code, killed)
                        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                        result = Result(job, "failed", f"{job.input}: the worker died ({first})",
                                        time.monotonic() - started)  # fmt: skip
                    on_result(result)
                if not timeout_s:
                    continue
                began.update(ray.get(board.read.remote()))
                now = time.time()
                for ref, (job, started) in list(running.items()):
                    if now - began.get(str(job.report), now) > timeout_s + grace_s:
                        ray.cancel(ref, force=True)  # ends the worker process stuck in native code
                        del running[ref]
                        on_result(Result(job, "failed", f"{job.input}: timed out after {timeout_s:g} s (worker killed)",
                                         time.monotonic() - started))  # fmt: skip
        finally:
            for ref in running:  # interrupted: nothing is left running on the cluster
                with suppress(Exception):
                    ray.cancel(ref, force=True)
