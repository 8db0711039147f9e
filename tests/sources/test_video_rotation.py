"""A phone video stored on its side with a rotation flag is read the way it is shown."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from posecheck.sources.video import VideoFile

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg to write a rotation flag")


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


def test_a_video_flagged_as_rotated_is_read_upright(tmp_path: Path) -> None:
    """Phones record portrait video as landscape frames plus a flag saying "turn this a quarter
    for display". Read without the flag, a person lying on the floor would stand on end and
    every rule would misread them: the frames must come out as a player shows them."""
    upright = tmp_path / "upright.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "1", "-c:v", "libx264", "-qp", "0", str(upright))
    stored = tmp_path / "stored.mp4"  # the pictures turned a quarter to the left, as a phone stores them
    _ffmpeg("-i", str(upright), "-vf", "transpose=2", "-c:v", "libx264", "-qp", "0", str(stored))
    flagged = tmp_path / "flagged.mp4"  # ...and flagged to be turned back for display (ffmpeg shows it upright)
    _ffmpeg("-i", str(stored), "-c", "copy", "-metadata:s:v:0", "rotate=270", str(flagged))
    shown = tmp_path / "shown.mp4"  # what a player shows: ffmpeg applies the flag as it decodes
    _ffmpeg("-i", str(flagged), "-c:v", "libx264", "-qp", "0", str(shown))

    video, on_its_side = VideoFile(flagged), VideoFile(stored)
    got, want, shown_frames = list(video), list(VideoFile(upright)), list(VideoFile(shown))
    assert (on_its_side.width, on_its_side.height) == (240, 320)  # as stored
    assert (video.width, video.height) == (320, 240)
    assert len(got) == len(want) == len(shown_frames) == 10
    for g, w, s in zip(got, want, shown_frames, strict=True):
        assert g.image.shape == w.image.shape == s.image.shape
        assert np.abs(g.image.astype(int) - w.image.astype(int)).mean() < 3
        assert np.abs(g.image.astype(int) - s.image.astype(int)).mean() < 3
