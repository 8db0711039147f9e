"""Video in and out: frames with the container's timestamps, and an annotated copy.

Timestamps come from the container (CAP_PROP_POS_MSEC), not from an assumed frame
rate, so variable-frame-rate phone videos time holds correctly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import cv2  # OpenCV's log level is set by posecheck/__init__.py, before any cv2 import
import numpy as np

from posecheck.errors import VideoError

if TYPE_CHECKING:
    import av

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".gif", ".m4v", ".mpg", ".mpeg", ".wmv")
# What VideoWriter writes per suffix: codec, pixel format, encoder options. x264: quality
# 23 (its default), the "veryfast" preset (the encoder keeps up with the review on two
# cores), no B-frames (every frame's pts is its decode order: simplest for players and for
# variable frame rates).
_H264 = ("libx264", "yuv420p", {"crf": "23", "preset": "veryfast", "bf": "0"})
_CODECS: dict[str, tuple[str, str, dict[str, str]]] = {
    ".mp4": _H264,
    ".m4v": _H264,
    ".mov": _H264,
    ".mkv": _H264,
    ".avi": ("mjpeg", "yuvj420p", {}),
}


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


def _still_image_kind(path: Path) -> str | None:
    """The kind of still picture the file is (OpenCV opens one as a one-frame "video"), else None."""
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "HEIC/AVIF"
    if head.startswith((b"P1", b"P2", b"P3", b"P4", b"P5", b"P6")) and head[2:3].isspace():
        return "PNM"
    return None


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
        still = _still_image_kind(self.path)
        if still is not None:
            raise VideoError(f"{self.path}: not a video (a still {still} image; give a recording)")
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
        return self.truncated_at(self.frames_read)

    def truncated_at(self, frames: int) -> bool:
        """Whether a reading that ended after `frames` frames ended well before the
        container's frame count (or on a decoding error)."""
        if self.decode_error:
            return True
        if not self.frame_count:
            return False
        return frames < self.frame_count * 0.98 - 2

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
    """Writes BGR frames to a file with PyAV: H.264 (yuv420p) in .mp4, .m4v, .mov and .mkv,
    Motion JPEG in .avi.

    H.264 in MP4 with the index at the front (faststart) is what browsers and web portals
    play; OpenCV's own writer offers only MPEG-4 Part 2 (mp4v) there. Each frame is stamped
    with its source time when `write` is given one, so the copy of a variable-frame-rate
    video keeps the original's timing; without one, frames are 1/fps apart. An odd width or
    height is padded by one pixel (H.264 in yuv420p needs even sides). A file that cannot be
    written (a full disk) raises OSError (PyAV's errors carry the errno) from `write` or
    `close`; `close` still releases the file.
    """

    # A fine clock for the stamps: 90 kHz, MPEG's usual video clock (whole milliseconds
    # and whole frames at 24, 25, 30, 50 and 60 fps alike). AVI has no per-frame times:
    # there the clock is the frame rate.
    TIME_BASE = Fraction(1, 90_000)

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        self.path = path
        suffix = path.suffix.lower()
        if suffix not in _CODECS:
            raise VideoError(f"{path}: cannot write {suffix or 'this'} files; use .mp4, .mov, .avi or .mkv")
        check_writable(path)
        # PyAV is loaded only here, after cv2 (imported at the top of this module): PyAV's
        # wheel carries its own libxcb, and when it loads before OpenCV's window code,
        # cv2.imshow hangs (PyAV issues #978, #1050). This order was checked to work.
        import av

        self.fps = fps if fps and 0.5 < fps < 1000 else 30.0
        self.size = size
        width, height = size
        self._pad = (width % 2, height % 2)
        codec, pix_fmt, options = _CODECS[suffix]
        rate = Fraction(self.fps).limit_denominator(1001)
        self.time_base = 1 / rate if suffix == ".avi" else self.TIME_BASE
        container_options = {"movflags": "+faststart"} if suffix in (".mp4", ".m4v", ".mov") else {}
        try:
            self._container = av.open(str(path), mode="w", options=container_options)
            stream = self._container.add_stream(codec, rate=rate, options=options)
            assert isinstance(stream, av.VideoStream)
            stream.width = width + self._pad[0]
            stream.height = height + self._pad[1]
            stream.pix_fmt = pix_fmt
            stream.time_base = self.time_base
            stream.codec_context.time_base = self.time_base
            if codec == "mjpeg":
                stream.codec_context.bit_rate = 12_000_000  # its default (200 kb/s) smears the overlay
            self._stream = stream
        except (OSError, ValueError, av.FFmpegError) as e:
            raise VideoError(f"{path}: cannot open for writing ({e})") from None
        self._av = av
        self._last_pts = -1
        self._durations: dict[int, int] = {}
        self._open = True
        self.frames = 0

    def write(self, image: np.ndarray, t_s: float | None = None) -> None:
        """Add a BGR frame shown at t_s seconds (default: the previous frame's time + 1/fps)."""
        assert self._open, "written after close"
        if (image.shape[1], image.shape[0]) != self.size:
            image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
        if self._pad != (0, 0):
            image = cv2.copyMakeBorder(image, 0, self._pad[1], 0, self._pad[0], cv2.BORDER_REPLICATE)
        step = max(1, round(1 / (self.fps * self.time_base)))
        if t_s is None or not np.isfinite(t_s):
            pts = self._last_pts + step if self._last_pts >= 0 else 0
        else:
            pts = max(round(t_s / self.time_base), self._last_pts + 1)
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        frame.pts = pts
        frame.time_base = self.time_base
        # How long a frame is shown is known only at the next one: the gap before it stands
        # in (it gives the last frame, and so the file, its length). x264 does not pass a
        # frame's duration on to its packet, so the packet gets it here, found by its pts.
        self._durations[pts] = pts - self._last_pts if self._last_pts >= 0 else step
        self._last_pts = pts
        self._mux(self._stream.encode(frame))
        self.frames += 1

    def _mux(self, packets: list[av.Packet]) -> None:
        for packet in packets:
            duration = self._durations.pop(packet.pts, None) if packet.pts is not None else None
            if duration is not None:
                packet.duration = duration
            self._container.mux(packet)

    def close(self) -> None:
        """Flush the encoder and finish the file (the index moved to the front)."""
        if not self._open:
            return
        self._open = False
        try:
            self._mux(self._stream.encode(None))
        finally:
            self._container.close()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
