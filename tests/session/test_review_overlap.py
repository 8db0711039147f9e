"""The review with decoding, drawing and encoding on threads beside the pose model, and fast
mode, with the real model: the same report as a plain one-frame-at-a-time loop, every frame
in the annotated copy in order and at its time, and no thread left when it is interrupted."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.errors import Interrupted
from posecheck.exercise import definition
from posecheck.pose.model import PoseEstimator
from posecheck.session.poses import Posed, VideoFacts
from posecheck.session.review import ReviewOptions, review
from posecheck.sources.video import VideoFile, VideoWriter

from helpers import BRIDGE, SAMPLES, read_frames

pytestmark = pytest.mark.model

# A marker at the right edge, its brightness naming the frame (below the hold ring, above
# the instruction panel, off the body).
MARK = (slice(190, 240), slice(-24, None))


def _mark(i: int) -> int:
    return 30 + (i * 23) % 200


class SerialPoses:
    """The review's pose source as it was: decode, then the model, one frame at a time."""

    images = True

    def __init__(self, path: Path) -> None:
        self.video = VideoFile(path)

    @property
    def facts(self) -> VideoFacts:
        v = self.video
        return VideoFacts(v.fps, v.width, v.height, v.frame_count, v.last_t_s, v.truncated, v.nominal_duration_s)

    def frames(self, *, masks: bool, timings=None):
        with PoseEstimator(masks=masks) as estimator:
            for f in self.video:
                yield Posed(f.t_s, estimator.detect(cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB), f.t_s), f.image)


@pytest.fixture(scope="module")
def vfr_clip(tmp_path_factory) -> tuple[Path, list[float]]:
    """Three seconds of the bridge sample at an uneven frame rate, each frame marked."""
    frames, _ = read_frames(BRIDGE, 2.5, 3.0)
    path = tmp_path_factory.mktemp("vfr") / "vfr.mp4"
    times, t = [], 0.0
    with VideoWriter(path, 30.0, (frames[0].shape[1], frames[0].shape[0])) as w:
        for i, f in enumerate(frames):
            f = f.copy()
            f[MARK] = _mark(i)
            w.write(f, t)
            times.append(t)
            t += 1 / 30 if i % 3 else 1 / 12  # a slow frame every third
    return path, times


def _pts(path: Path) -> list[float]:
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        return sorted(float(Fraction(p.pts) * s.time_base) for p in c.demux(s) if p.pts is not None)


def test_the_threaded_review_reports_what_a_serial_loop_does_and_draws_every_frame_in_order(vfr_clip, tmp_path):
    clip, times = vfr_clip
    exercise = definition.load("bridge")
    serial_t: list[float] = []
    serial = review(
        clip,
        exercise,
        ReviewOptions(hold_s=1.0, progress=False),
        poses=SerialPoses(clip),
        on_step=lambda t, _: serial_t.append(t),
    )
    threaded_t: list[float] = []
    out = tmp_path / "annotated.mp4"
    threaded = review(
        clip,
        exercise,
        ReviewOptions(hold_s=1.0, progress=False, output=out),
        on_step=lambda t, _: threaded_t.append(t),
    )
    assert threaded_t == serial_t and len(serial_t) == len(times)
    assert serial_t == pytest.approx(times, abs=0.002)
    assert threaded.pop("annotated") == str(out)
    serial.pop("annotated")
    assert threaded == serial
    assert threaded["frames_with_pose"] > 0.9 * len(times)
    # every frame in the annotated copy, in order, shown at its own time
    assert _pts(out) == pytest.approx(times, abs=0.002)
    drawn, _ = read_frames(out)
    assert len(drawn) == len(times)
    marks = [int(np.median(f[MARK])) for f in drawn]
    assert marks == pytest.approx([_mark(i) for i in range(len(times))], abs=8)
    assert [t.name for t in threading.enumerate() if t.name.startswith("posecheck-")] == []


@pytest.mark.parametrize("pose_fps", [None, 10.0])
def test_an_interrupted_threaded_review_writes_its_outputs_and_leaves_no_thread(tmp_path, pose_fps):
    out, rep = tmp_path / "a.mp4", tmp_path / "a.json"

    def stop(t_s, step):
        if t_s > 1.5:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted):
        review(
            BRIDGE,
            definition.load("bridge"),
            ReviewOptions(output=out, report=rep, progress=False, pose_fps=pose_fps),
            on_step=stop,
        )
    import json

    report = json.loads(rep.read_text())
    assert report["interrupted"] is True and 40 <= report["frames"] <= 50
    assert report["duration_s"] == pytest.approx(report["frames"] / 30, abs=0.05)  # not the frames read ahead
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == report["frames"]
    cap.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.mp4"]
    assert [t.name for t in threading.enumerate() if t.name.startswith("posecheck-")] == []


def test_fast_mode_counts_what_every_frame_counts():
    clip = SAMPLES / "sweep_shoulder_blade_squeeze_106.mp4"
    exercise = definition.load("shoulder_blade_squeeze")
    full = review(clip, exercise, ReviewOptions(progress=False))
    fast = review(clip, exercise, ReviewOptions(progress=False, pose_fps=10.0))
    assert full["summary"]["reps_counted"] >= 1
    for key in ("reps_counted", "reps_attempted", "fault_ids"):
        assert fast["summary"][key] == full["summary"][key]
    assert fast["frames"] == full["frames"]
    for a, b in zip(fast["reps"], full["reps"], strict=True):
        assert a["side"] == b["side"] and a["counted"] == b["counted"]
        assert a["hold_s"] == pytest.approx(b["hold_s"], abs=0.3)
    assert fast["settings"]["pose_fps"] == 10.0 and full["settings"]["pose_fps"] is None
