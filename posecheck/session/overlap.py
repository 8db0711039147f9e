"""Work beside the pose model: a review decodes the next frames on one thread and draws and
encodes the last ones on another while the model runs on the main thread, so a second core
no longer sits idle. Both keep the frames' order (one queue each, first in first out).

The pose model (MediaPipe's C library through ctypes), OpenCV's decoder and drawing and
PyAV's encoder release Python's lock while they work, so threads overlap them; processes
would only add copies of every picture.

But MediaPipe hands each call to the C library to a thread of its own and waits for it (two
calls a frame): four hand-overs of Python's lock a frame. While another thread runs Python
(the engine, the drawing's own lines), each hand-over can wait out the interpreter's switch
interval (5 ms by default): a Python-busy thread beside the model doubled its time a frame
(26 -> 55 ms) on this machine's 2 cores. `prompt_handoffs` shortens that interval while the
model runs, so a waiting hand-over gets the lock within a fraction of a millisecond. The
hand-overs also wake threads that must get a core: the work beside the model runs at a lower
OS priority (`background`), so it steps aside at once (paired runs: 4 of 4 reviews waited
less, by about 0.5 s of 35, a small but steady gain). And posecheck makes the model's calls
run on the thread that makes them (pose/model.py `call_in_place`): one hand-over of the lock
a call instead of three, and no thread to wake.

Every thread is joined before the review returns, whether it ends, fails or is interrupted:
`Ahead.close` stops the reader, `Behind.close` finishes what was handed over and
`Behind.abort` drops it. Their threads are named `posecheck-…`.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

# How many items each queue holds: enough to ride out a slow frame, few enough that the
# pictures waiting (a 1080p frame is 6 MB) stay small.
DEPTH = 8
_POLL_S = 0.1  # how often a blocked worker looks whether it was told to stop
# Python's switch interval while the pose model runs beside other threads (see above)
HANDOFF_S = 0.0005
# How much lower the OS priority of the work beside the model is (decoding ahead, drawing,
# encoding: see `background`)
BACKGROUND_NICE = 10


@contextmanager
def prompt_handoffs() -> Iterator[None]:
    """Within: threads waiting for Python's lock get it after at most HANDOFF_S (the previous
    interval restored after; it is the process's, so nested uses keep the shortest)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, HANDOFF_S))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def background() -> None:
    """Lower the OS priority of the calling thread (and of the threads it starts) by
    BACKGROUND_NICE, on Linux, where a thread has a priority of its own.

    The pose model's calls are handed between threads (see above): each hand-over wakes a
    thread that must then get a core. When the work beside the model keeps the other core
    busy, the woken thread waited for the scheduler's turn; at a lower priority that work
    yields the core at once. It still gets what the model leaves over, and a queue that fills
    holds the model back, so nothing falls behind for good.
    """
    if not sys.platform.startswith("linux") or BACKGROUND_NICE <= 0:
        return  # elsewhere a priority is the whole process's
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICE)
    except OSError:
        pass  # not allowed (a sandbox): the work runs at the usual priority


class _End:
    """Put after the last item; carries the worker's error, if it failed."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class Ahead(Generic[T]):
    """Iterates `make()` on its own thread, up to `depth` items ahead of the reader, in order.

    The iterator is made, read and closed on that thread (a generator's `finally`, such as
    releasing a video, runs there). An error it raises reaches the reader at that point of
    the sequence.
    """

    def __init__(
        self,
        make: Callable[[], Iterator[T]],
        *,
        depth: int = DEPTH,
        name: str = "posecheck-ahead",
        lowered: bool = False,
    ) -> None:
        self._lowered = lowered
        self._queue: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(make,), name=name, daemon=True)
        self._thread.start()

    def _put(self, item: T | _End) -> bool:
        """Hand on an item; False when told to stop first."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, make: Callable[[], Iterator[T]]) -> None:
        if self._lowered:
            background()
        try:
            items = make()
            try:
                for item in items:
                    if not self._put(item):
                        return
            finally:
                close = getattr(items, "close", None)
                if close is not None:
                    close()
        except BaseException as e:  # handed to the reader, raised there
            self._put(_End(e))
            return
        self._put(_End())

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item = self._queue.get()
        if isinstance(item, _End):
            self._done = True
            self._thread.join()
            if item.error is not None:
                raise item.error
            raise StopIteration
        return item

    def close(self) -> None:
        """Stop reading ahead and wait for the thread to end (what it read is dropped)."""
        self._done = True
        self._stop.set()
        _drain(self._queue)
        self._thread.join()


class Behind(Generic[T]):
    """Runs `work(item)` on its own thread for each item handed over with `put`, in order,
    at most `depth` items behind.

    With `lowered`, the thread runs at a lower OS priority (`background`), as does Ahead's.
    An error in `work` stops the thread; it is raised from the next `put` or from `close`
    (the items handed over after it are not worked on).
    """

    def __init__(
        self,
        work: Callable[[T], object],
        *,
        depth: int = DEPTH,
        name: str = "posecheck-behind",
        lowered: bool = False,
    ) -> None:
        self._work = work
        self._lowered = lowered
        self._queue: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self._lowered:
            background()
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if isinstance(item, _End):
                return
            try:
                self._work(item)
            except BaseException as e:
                self._error = e
                self._stop.set()
                _drain(self._queue)  # a put waiting for room returns, and sees the error
                return

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def put(self, item: T) -> None:
        self._raise()
        while True:
            if not self._thread.is_alive():
                self._raise()
                raise RuntimeError("put after the worker ended")
            try:
                self._queue.put(item, timeout=_POLL_S)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        """Work through everything handed over, then end the thread; raises the work's error."""
        try:
            while self._thread.is_alive():
                try:
                    self._queue.put(_End(), timeout=_POLL_S)
                    break
                except queue.Full:
                    continue
            self._thread.join()
        except BaseException:  # interrupted while waiting: stop without the rest
            self.abort()
            raise
        self._raise()

    def abort(self) -> None:
        """End the thread without working through what is still waiting; errors are dropped."""
        self._stop.set()
        _drain(self._queue)
        self._thread.join()
        self._error = None


def _drain(q: queue.Queue) -> None:
    while True:
        try:
            q.get_nowait()
        except queue.Empty:
            return
