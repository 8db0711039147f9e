"""Frames from a camera, or from a video file standing in for one, on their own thread.

The pose model is slower than a camera on some machines. A queue of frames would make
the coach fall further and further behind, so the capture thread keeps only the newest
frame: whatever the model did not take in time is dropped (and counted as dropped).

A `Source` is a plain object with `open()`, `read()` and `close()`; `read()` blocks
until the next frame and returns `(t_s, image)` or None when nothing came. Tests pass
their own sources (a camera that stops, then comes back).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from posecheck.errors import CameraError
from posecheck.sources.video import VIDEO_SUFFIXES, Frame, VideoFile


class Source(Protocol):
    name: str
    fps: float | None
    ended: bool  # a finite source (a file) has nothing more to give

    def open(self) -> None: ...

    def read(self) -> tuple[float, np.ndarray] | None: ...

    def close(self) -> None: ...

    def reopen(self) -> bool: ...


@dataclass(frozen=True)
class Grab:
    """One frame as it reached posecheck."""

    index: int  # counts every frame the source delivered: gaps between grabs taken are drops
    t_s: float  # when it was taken, seconds from the start of the source
    image: np.ndarray  # BGR
    arrived: float  # time.perf_counter() when it arrived: the start of capture-to-display latency


@dataclass(frozen=True)
class CaptureStatus:
    delivering: bool  # a frame came within the stall time
    ended: bool
    since_last_s: float  # seconds since the last frame arrived (or since start)
    captured: int
    dropped: int  # frames replaced by a newer one before anybody took them


class CameraSource:
    """A webcam by index. Its frames are timed by their arrival (camera clocks vary)."""

    def __init__(
        self, index: int, *, first_frame_timeout_s: float = 5.0, width: int | None = None, height: int | None = None
    ) -> None:
        self.index = index
        self.name = f"camera {index}"
        self.fps: float | None = None
        self.ended = False
        self._cap: cv2.VideoCapture | None = None
        self._t0 = 0.0
        self._timeout = first_frame_timeout_s
        self._size = (width, height)

    def _open_capture(self) -> cv2.VideoCapture | None:
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            return None
        w, h = self._size
        if w and h:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
        # A driver-side queue would hand us old frames: ask for the shortest one.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return cap

    def open(self) -> None:
        cap = self._open_capture()
        if cap is None:
            if sys.platform.startswith("linux") and not Path(f"/dev/video{self.index}").exists():
                found = sorted(p.name for p in Path("/dev").glob("video*"))
                hint = f"found: {', '.join(found)}" if found else "no camera found on this machine"
                raise CameraError(f"camera {self.index}: no such camera ({hint}); or give a video file to --camera")
            raise CameraError(
                f"camera {self.index}: cannot be opened — is another program using it? (or try another --camera)"
            )
        deadline = time.monotonic() + self._timeout
        while True:
            ok, image = cap.read()
            if ok and image is not None:
                break
            if time.monotonic() > deadline:
                cap.release()
                raise CameraError(f"camera {self.index}: opened but sends no pictures — is another program using it?")
            time.sleep(0.05)
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or None
        self._cap = cap
        self._t0 = time.perf_counter()

    def read(self) -> tuple[float, np.ndarray] | None:
        if self._cap is None:
            time.sleep(0.05)
            return None
        ok, image = self._cap.read()
        if not ok or image is None:
            time.sleep(0.02)
            return None
        return time.perf_counter() - self._t0, image

    def reopen(self) -> bool:
        """After the camera went away (unplugged, taken by another program), try it again."""
        if self._cap is not None:
            self._cap.release()
        self._cap = self._open_capture()
        return self._cap is not None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class FileSource:
    """A recorded video played at real-time pace, standing in for a camera.

    Frames are handed out no sooner than their container time after `open()`, so a slow
    consumer sees frames dropped exactly as it would with a camera. `speed` > 1 plays
    faster (benchmarks); `realtime=False` hands frames out as fast as they decode.
    """

    def __init__(self, path: str | Path, *, speed: float = 1.0, realtime: bool = True) -> None:
        self.video = VideoFile(path)  # a missing or broken file fails here, as one line
        self.name = str(path)
        self.fps: float | None = self.video.fps or None
        self.ended = False
        self._speed = speed
        self._realtime = realtime
        self._frames: Iterator[Frame] | None = None
        self._t0: float | None = None

    def open(self) -> None:
        self._frames = iter(self.video)
        self._t0 = None  # the clock starts with the first read, as a camera's would

    def read(self) -> tuple[float, np.ndarray] | None:
        if self._frames is None or self.ended:
            time.sleep(0.01)
            return None
        if self._t0 is None:
            self._t0 = time.perf_counter()
        frame = next(self._frames, None)
        if frame is None:
            self.ended = True
            return None
        if self._realtime:
            wait = self._t0 + frame.t_s / self._speed - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        return frame.t_s, frame.image

    def reopen(self) -> bool:
        return False

    def close(self) -> None:
        self._frames = None


def open_source(spec: str) -> Source:
    """`--camera` takes a camera index ("0") or the path of a video file."""
    if spec.strip().isdigit():
        return CameraSource(int(spec))
    path = Path(spec)
    if not path.exists() and path.suffix.lower() not in VIDEO_SUFFIXES:
        raise CameraError(f"--camera {spec}: expected a camera number (0, 1, ...) or a video file")
    return FileSource(path)


STOP_WAIT_S = 10.0  # how long stop() waits for the reader to leave a read


class Capture:
    """Reads a source on a thread; `latest()` hands out the newest frame only.

    A source that stops delivering is reported through `status()`; after `reopen_after_s`
    without frames the thread tries to reopen it once a second, so an unplugged camera
    that is plugged back in resumes the session.
    """

    def __init__(self, source: Source, *, stall_s: float = 1.0, reopen_after_s: float = 2.0) -> None:
        self.source = source
        self.stall_s = stall_s
        self.reopen_after_s = reopen_after_s
        self._cond = threading.Condition()
        self._newest: Grab | None = None
        self._taken = True
        self._captured = 0
        self._dropped = 0
        self._last_arrival = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._opened = False

    def __enter__(self) -> Capture:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def open(self) -> None:
        """Open the source (CameraError when missing or busy) without reading from it yet."""
        if not self._opened:
            self.source.open()
            self._opened = True

    def start(self) -> None:
        self.open()
        self._last_arrival = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="posecheck-capture", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:  # a consumer waiting for a frame sees the stop
            self._cond.notify_all()
        if self._thread is not None:
            # the reader may be inside the driver or the decoder: the source is released only
            # once it has left (releasing it under a read can crash the process)
            self._thread.join(timeout=STOP_WAIT_S)
            if self._thread.is_alive():
                return  # still stuck in the driver: left to the process's end rather than crashed
        self.source.close()

    def _run(self) -> None:
        last_try = 0.0
        try:
            while not self._stop.is_set():
                got = self.source.read()
                now = time.perf_counter()
                if got is None:
                    if self.source.ended:
                        with self._cond:
                            self._cond.notify_all()
                        return
                    if now - self._last_arrival > self.reopen_after_s and now - last_try > 1.0:
                        last_try = now
                        self.source.reopen()
                    continue
                t_s, image = got
                with self._cond:
                    if self._newest is not None and not self._taken:
                        self._dropped += 1
                    self._newest = Grab(self._captured, t_s, image, now)
                    self._taken = False
                    self._captured += 1
                    self._last_arrival = now
                    self._cond.notify_all()
        except BaseException as e:  # a driver error must not leave the loop waiting forever
            self._error = e
            with self._cond:
                self._cond.notify_all()

    def latest(self, timeout: float = 0.1) -> Grab | None:
        """The newest frame not yet handed out, waiting up to `timeout` seconds for one."""
        with self._cond:
            if self._taken:
                self._cond.wait_for(lambda: not self._taken or self._finished(), timeout=timeout)
            if self._taken or self._newest is None:
                return None
            self._taken = True
            return self._newest

    def peek(self) -> Grab | None:
        """The newest frame, taken or not (to keep a screen alive while nothing is processed)."""
        with self._cond:
            return self._newest

    def _finished(self) -> bool:
        return self.source.ended or self._error is not None or self._stop.is_set()

    def status(self) -> CaptureStatus:
        if self._error is not None:
            raise CameraError(f"{self.source.name}: stopped with an error: {self._error}")
        with self._cond:
            since = time.perf_counter() - self._last_arrival
            return CaptureStatus(
                delivering=since < self.stall_s,
                ended=self.source.ended and self._taken,
                since_last_s=since,
                captured=self._captured,
                dropped=self._dropped,
            )
