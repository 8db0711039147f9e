"""Video in and out: frames with the container's timestamps, and an annotated copy.

Timestamps come from the container (CAP_PROP_POS_MSEC), not from an assumed frame
rate, so variable-frame-rate phone videos time holds correctly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2  # OpenCV's log level is set by posecheck/__init__.py, before any cv2 import
import numpy as np

from posecheck.errors import VideoError

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".gif", ".m4v", ".mpg", ".mpeg", ".wmv")
_FOURCC = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "MJPG"}


@dataclass(frozen=True)
class Frame:
    index: int
    t_s: float
    image: np.ndarray  # BGR, as OpenCV decodes it


def _looks_like_video(path: Path) -> bool:
    """Whether the file starts like a video container (so a failure means damage, not a wrong file)."""
    with open(path, "rb") as f:
        head = f.read(16)
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")  # MP4 / MOV
        or head[:4] == b"RIFF"  # AVI
        or head[:4] == b"\x1a\x45\xdf\xa3"  # Matroska / WebM
        or head[:4] == b"GIF8"
        or head[:3] == b"\x00\x00\x01"  # MPEG
    )


class VideoFile:
    """A recorded video, opened and checked. Iterate it for Frames in order."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise VideoError(f"{self.path}: no such file")
        if self.path.is_dir():
            raise VideoError(f"{self.path}: is a folder, not a video")
        if self.path.stat().st_size == 0:
            raise VideoError(f"{self.path}: the file is empty")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            if _looks_like_video(self.path):
                raise VideoError(
                    f"{self.path}: a video file that cannot be decoded (damaged or truncated, or it holds no frames)"
                )
            raise VideoError(f"{self.path}: not a video (or in a format that cannot be read)")
        ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise VideoError(f"{self.path}: holds no video frames")
        self.height, self.width = first.shape[:2]
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not (0.5 < self.fps < 1000):
            self.fps = 0.0
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.frame_count = count if count > 0 else None
        cap.release()
        self.frames_read = 0
        self.last_t_s = 0.0
        self.decode_error = False

    @property
    def nominal_duration_s(self) -> float | None:
        if self.frame_count and self.fps:
            return self.frame_count / self.fps
        return None

    @property
    def truncated(self) -> bool:
        """True when decoding stopped well before the container's frame count."""
        if self.decode_error:
            return True
        if not self.frame_count:
            return False
        return self.frames_read < self.frame_count * 0.98 - 2

    def __iter__(self) -> Iterator[Frame]:
        cap = cv2.VideoCapture(str(self.path))
        step = 1.0 / self.fps if self.fps else 1.0 / 30.0
        prev = -1.0
        index = 0
        try:
            while True:
                try:
                    ok, image = cap.read()
                except cv2.error:
                    self.decode_error = True
                    break
                if not ok or image is None:
                    break
                t = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                # Some containers (GIF, raw streams) give no timestamps: fall back to the rate.
                if not np.isfinite(t) or t <= prev:
                    t = prev + step if index else 0.0
                prev = t
                self.frames_read = index + 1
                self.last_t_s = t
                yield Frame(index, t, image)
                index += 1
        finally:
            cap.release()


def check_writable(path: Path) -> None:
    """Fail before any work if an output file cannot be created."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise VideoError(f"{path}: is a folder; give a file name")
    if not parent.exists():
        raise VideoError(f"{path}: cannot write here: the folder {parent} does not exist")
    if not parent.is_dir():
        raise VideoError(f"{path}: cannot write here: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise VideoError(f"{path}: cannot write here: permission denied")


class VideoWriter:
    """Writes BGR frames to a file; the codec follows the suffix (mp4v for .mp4)."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        self.path = path
        suffix = path.suffix.lower()
        if suffix not in _FOURCC:
            raise VideoError(f"{path}: cannot write {suffix or 'this'} files; use .mp4, .mov, .avi or .mkv")
        check_writable(path)
        fourcc = cv2.VideoWriter.fourcc(*_FOURCC[suffix])
        self._writer: cv2.VideoWriter | None = cv2.VideoWriter(str(path), fourcc, fps or 30.0, size)
        if not self._writer.isOpened():
            raise VideoError(f"{path}: cannot open for writing")
        self.frames = 0

    def write(self, image: np.ndarray) -> None:
        assert self._writer is not None, "written after close"
        self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
