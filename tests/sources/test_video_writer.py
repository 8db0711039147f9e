"""The annotated video: H.264 in MP4 with the index first, every frame at its source time."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from posecheck.sources.video import VideoFile, VideoWriter

from helpers import SAMPLES, posecheck

# after cv2 (imported above): PyAV loaded first makes a later cv2.imshow hang (PyAV #978)
av = pytest.importorskip("av")

SAMPLE = SAMPLES / "negative_walk_through.mp4"  # the shortest bundled sample with a person (7.8 s)


def probe(path: Path) -> dict:
    """What a player sees: codec, pixel format, size, the frames' times and the duration."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        times = [float(f.pts * f.time_base) for f in c.decode(video=0)]
        return {
            "codec": s.codec_context.name,
            "pix_fmt": s.codec_context.pix_fmt,
            "size": (s.codec_context.width, s.codec_context.height),
            "times": times,
            "duration": c.duration / av.time_base,
        }


def faststart(path: Path) -> bool:
    data = path.read_bytes()
    return 0 <= data.find(b"moov") < data.find(b"mdat")


def write_vfr(path: Path, frames: list[np.ndarray], times: list[float]) -> Path:
    """A variable-frame-rate MP4: each frame at its own time (ms clock)."""
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30, options={"bf": "0", "preset": "ultrafast"})
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.time_base = s.codec_context.time_base = Fraction(1, 1000)
        for img, t in zip(frames, times, strict=True):
            f = av.VideoFrame.from_ndarray(img, format="bgr24")
            f.pts, f.time_base = round(t * 1000), Fraction(1, 1000)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def vfr_times(n: int) -> list[float]:
    """30 fps for the first half, then 8 fps: the clip in issue 10 that drifted by 11 s."""
    half = n // 2
    return [i / 30 for i in range(half)] + [half / 30 + (i - half) / 8 for i in range(half, n)]


def test_writer_writes_h264_at_the_given_times_with_even_sides(tmp_path: Path) -> None:
    times = vfr_times(60)
    out = tmp_path / "out.mp4"
    with VideoWriter(out, 30.0, (161, 121)) as w:
        for i, t in enumerate(times):
            w.write(np.full((121, 161, 3), i * 4, np.uint8), t)
    assert w.frames == 60
    got = probe(out)
    assert (got["codec"], got["pix_fmt"], got["size"]) == ("h264", "yuv420p", (162, 122))
    assert got["times"] == pytest.approx(times, abs=1e-4)
    assert got["duration"] == pytest.approx(times[-1] + 1 / 8, abs=1e-3)  # the last frame lasts the last gap
    assert faststart(out)


def test_writer_without_times_keeps_the_rate(tmp_path: Path) -> None:
    for suffix in (".mp4", ".mkv", ".avi"):
        out = tmp_path / f"steady{suffix}"
        with VideoWriter(out, 25.0, (64, 48)) as w:
            for i in range(50):
                w.write(np.full((48, 64, 3), i * 5, np.uint8))
        got = probe(out)
        assert got["times"] == pytest.approx([i / 25 for i in range(50)], abs=1e-3), suffix
        assert got["duration"] == pytest.approx(2.0, abs=1e-3), suffix
        assert got["codec"] == ("mjpeg" if suffix == ".avi" else "h264")
        assert VideoFile(out).frame_count in (50, None)  # OpenCV reads it back too


def test_a_write_that_fails_raises_the_os_error(tmp_path: Path) -> None:
    class Full:
        def mux(self, packet: object) -> None:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            self.closed = True

    w = VideoWriter(tmp_path / "full.mp4", 30.0, (64, 48))
    real, full = w._container, Full()
    w._container = full
    with pytest.raises(OSError) as e:  # x264 holds frames back: the first packet comes after a few
        for _ in range(100):
            w.write(np.zeros((48, 64, 3), np.uint8))
    assert e.value.errno == 28
    with pytest.raises(OSError):
        w.close()
    assert full.closed
    real.close()


@pytest.mark.model
def test_annotated_copy_is_h264_with_the_inputs_frames_and_duration(tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    run = posecheck("review", SAMPLE, "-e", "bridge", "--output", out, "--no-progress", "--no-history")
    assert run.returncode == 0, run.stderr
    src, got = probe(SAMPLE), probe(out)
    assert (got["codec"], got["pix_fmt"]) == ("h264", "yuv420p")
    assert len(got["times"]) == len(src["times"])
    assert got["duration"] == pytest.approx(src["duration"], abs=1 / 30)
    assert faststart(out)


@pytest.mark.model
def test_annotated_copy_of_a_variable_frame_rate_video_keeps_its_times(tmp_path: Path) -> None:
    frames = [f.image for f in VideoFile(SAMPLE)]
    times = vfr_times(len(frames))
    vfr = write_vfr(tmp_path / "vfr.mp4", frames, times)
    src = probe(vfr)
    assert src["times"] == pytest.approx(times, abs=1e-3)
    out = tmp_path / "annotated.mp4"
    run = posecheck("review", vfr, "-e", "bridge", "--output", out, "--no-progress", "--no-history")
    assert run.returncode == 0, run.stderr
    got = probe(out)
    assert len(got["times"]) == len(times)
    assert got["times"] == pytest.approx(src["times"], abs=1e-3)  # no drift: each frame where it was
    assert got["duration"] == pytest.approx(src["duration"], abs=1 / 8)
