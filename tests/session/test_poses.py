"""A review from recorded detections is the review of the video (session/poses.py): the
benchmark over real clips replays records instead of running the model on every run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from posecheck.exercise import definition
from posecheck.pose.types import Detection, Pose
from posecheck.session.poses import Posed, RecordedPoses, VideoFacts, pack_mask, unpack_mask
from posecheck.session.review import ReviewOptions, review

from helpers import SAMPLES, posecheck

# What a review reports that depends on the detections (not on paths or settings).
SAME = ("reps", "faults", "summary", "frames", "frames_with_pose", "duration_s", "setup", "second_person", "timeline")


def test_a_packed_mask_reads_the_same_at_one_half():
    rng = np.random.default_rng(1)
    mask = rng.random((40, 60), dtype=np.float32)
    back = unpack_mask(pack_mask(mask), 60, 40)
    assert back.dtype == np.float32 and back.shape == mask.shape
    assert np.array_equal(back > 0.5, mask > 0.5)
    assert np.abs(back - mask).max() <= 1 / 255 + 1e-6
    # every float32 near the boundary, 0.5 itself included
    lo, hi = np.array([0.499, 0.501], dtype=np.float32).view(np.int32)
    near = np.arange(lo, hi + 1, dtype=np.int32).view(np.float32).reshape(1, -1)
    assert 0.5 in near
    assert np.array_equal(unpack_mask(pack_mask(near), near.shape[1], 1) > 0.5, near > 0.5)


class _Listed:
    """A pose source over given frames, as the model would hand them over."""

    images = False

    def __init__(self, frames: list[Posed]) -> None:
        self._frames = frames
        self.facts = VideoFacts(fps=25.0, width=60, height=40, frame_count=len(frames), last_t_s=frames[-1].t_s)

    def frames(self, *, masks, timings=None):
        yield from self._frames


def _pose(seed: int, mask: bool, world: bool) -> Pose:
    rng = np.random.default_rng(seed)
    return Pose(
        xy=rng.random((33, 2)) * 60,
        z=rng.random(33),
        visibility=rng.random(33),
        presence=rng.random(33),
        world=rng.random((33, 3)) if world else None,
        mask=rng.random((40, 60), dtype=np.float32) if mask else None,
        width=60,
        height=40,
    )


def test_a_record_saved_and_loaded_gives_back_every_detection(tmp_path):
    frames = [
        Posed(0.0, Detection(poses=(_pose(1, True, True),), people=1)),
        Posed(0.04, Detection(poses=())),
        Posed(0.08, Detection(poses=(_pose(2, True, False), _pose(3, False, True)), people=2)),
    ]
    record = RecordedPoses.record(_Listed(frames), masks=True)
    record.save(tmp_path / "r.npz")
    back = RecordedPoses.load(tmp_path / "r.npz")
    assert back.facts == record.facts and back.masks and len(back) == 3
    for masks in (True, False):
        got = list(back.frames(masks=masks))
        assert [g.t_s for g in got] == [0.0, 0.04, 0.08]
        assert [g.detection.people for g in got] == [1, None, 2]
        for g, want in zip(got, frames, strict=True):
            assert g.image is None and len(g.detection.poses) == len(want.detection.poses)
            for p, q in zip(g.detection.poses, want.detection.poses, strict=True):
                for key in ("xy", "z", "visibility", "presence"):
                    assert np.array_equal(getattr(p, key), getattr(q, key))
                assert (p.world is None) == (q.world is None)
                assert p.world is None or np.array_equal(p.world, q.world)
                if masks and q.mask is not None:
                    assert p.mask is not None and np.array_equal(p.mask > 0.5, q.mask > 0.5)
                else:
                    assert p.mask is None


def test_a_record_without_masks_refuses_an_exercise_that_reads_them(tmp_path):
    record = RecordedPoses.record(_Listed([Posed(0.0, Detection(poses=(_pose(1, False, True),)))]), masks=False)
    with pytest.raises(ValueError, match="no person masks"):
        list(record.frames(masks=True))
    with pytest.raises(ValueError, match="annotated copy"):
        review(
            SAMPLES / "cat_cow.mp4", definition.load("bridge"), ReviewOptions(output=tmp_path / "a.mp4"), poses=record
        )


# cat_cow reads the person mask; the short-hold knee-to-chest has sides and attempts, and
# is replayed from a record that carries masks it does not read.
@pytest.mark.model
@pytest.mark.parametrize("name", ["cat_cow", "knee_to_chest_short_hold"])
def test_a_review_from_a_record_reports_what_posecheck_review_reports(tmp_path, name):
    video = SAMPLES / f"{name}.mp4"
    truth = json.loads(video.with_suffix(".json").read_text())
    out = tmp_path / "review.json"
    proc = posecheck(
        "review", video, "--exercise", truth["exercise"], "--hold", str(truth["hold_s"]),
        "--report", out, "--no-progress", "--no-history",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    direct = json.loads(out.read_text())

    from posecheck.session.poses import ModelPoses
    from posecheck.sources.video import VideoFile

    RecordedPoses.record(ModelPoses(VideoFile(video)), masks=True).save(tmp_path / "poses.npz")
    exercise = definition.load(truth["exercise"])
    options = ReviewOptions(hold_s=truth["hold_s"], progress=False)
    replayed = review(video, exercise, options, poses=RecordedPoses.load(tmp_path / "poses.npz"))
    replayed = json.loads(json.dumps(replayed))
    assert replayed["summary"]["reps_attempted"] > 0
    for key in SAME:
        assert replayed[key] == direct[key], key
