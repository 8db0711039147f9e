"""`live --record`: the live screen saved as a video, written safely beside its target."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

import cv2
import numpy as np

from posecheck.errors import PosecheckError
from posecheck.records import safeout
from posecheck.sources.video import VideoWriter


class Recorder:
    """The screen as a video at a steady rate: a frame is repeated while the loop was busy,
    so the recording plays at the pace of the session. Written to a temporary file beside
    `path`, moved into place by `close`."""

    def __init__(self, path: Path, fps: float = 30.0) -> None:
        self.path = path
        self.fps = fps
        self.saved = False
        self.error: PosecheckError | None = None  # why the recording stopped
        self._writer: VideoWriter | None = None
        self._size: tuple[int, int] | None = None
        self._t0: float | None = None
        self.frames = 0

    def write(self, canvas: np.ndarray, t_s: float) -> None:
        if self.error is not None:
            return
        if self._writer is None:
            self._size = (canvas.shape[1], canvas.shape[0])
            temp = safeout.temp_beside(self.path)
            try:
                self._writer = VideoWriter(temp, self.fps, self._size)
            except BaseException:
                safeout.discard(temp)
                raise
            self._t0 = t_s
        if (canvas.shape[1], canvas.shape[0]) != self._size:
            canvas = cv2.resize(canvas, self._size, interpolation=cv2.INTER_AREA)
        due = int((t_s - self._t0) * self.fps) + 1 - self.frames  # type: ignore[operator]
        try:
            for _ in range(max(0, min(due, int(self.fps * 5)))):
                self._writer.write(canvas)
                self.frames += 1
        except OSError as e:  # e.g. a full disk: the recording stops, the session goes on
            self.error = safeout.output_error(self.path, e)
            with suppress(Exception):
                self._writer.close()
            safeout.discard(self._writer.path)
            self._writer = None

    def close(self) -> None:
        """Finish the recording and move it into place (raises an OutputError when it cannot)."""
        writer, self._writer = self._writer, None
        if self.error is not None:
            raise self.error
        if writer is None:
            return
        try:
            writer.close()
        except OSError as e:
            safeout.discard(writer.path)
            raise safeout.output_error(self.path, e) from None
        except BaseException:
            safeout.discard(writer.path)
            raise
        if self.frames == 0:
            safeout.discard(writer.path)
            return
        safeout.commit(writer.path, self.path)
        self.saved = True
