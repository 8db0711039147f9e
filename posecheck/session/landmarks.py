"""Landmarks kept: a review saves its detections (`--landmarks-out`), and a later review
re-scores them (`--landmarks`) with other holds, targets or exercise settings, without the
pose model and without the video (unless an annotated copy is asked for).

A record names what it was made from: the video's sha256 and size, and the pose model's
sha256. A replay is refused, in one line, when the video given is not that video, or the
pose model now in use is not that model (its detections would not be the ones this
posecheck finds), or the file is not such a record at all.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.session.overlap import Ahead
from posecheck.session.poses import ModelPoses, Posed, PoseSource, RecordedPoses, Timings, VideoFacts, keep
from posecheck.sources.video import VideoFile

KIND = "posecheck-landmarks"


class RecordError(PosecheckError):
    """A landmarks record that cannot be read or does not belong to this video or model."""


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def video_identity(path: Path) -> dict[str, Any]:
    return {
        "path": str(path),
        "resolved": str(path.resolve()),
        "sha256": file_sha256(path),
        "size": path.stat().st_size,
    }


def model_identity(model: Path | None) -> dict[str, Any]:
    from posecheck.pose.model import BUNDLED_MODEL_NAME, BUNDLED_MODEL_SHA256, bundled_model

    if model is None or Path(model).resolve() == bundled_model().resolve():
        return {"name": BUNDLED_MODEL_NAME, "sha256": BUNDLED_MODEL_SHA256}
    if not Path(model).is_file():
        from posecheck.pose.model import check_model

        check_model(Path(model))  # its one-line error
    return {"name": Path(model).name, "sha256": file_sha256(Path(model))}


class Recording:
    """A pose source that keeps every detection of another as it hands them on."""

    def __init__(self, source: PoseSource, masks: bool) -> None:
        self.source = source
        self.images = source.images
        self.masks = masks
        self.frames_kept: list = []
        self.complete = False  # every frame was read (not cut short)
        self.pose_fps: float | None = getattr(source, "pose_fps", None)

    @property
    def facts(self) -> VideoFacts:
        return self.source.facts

    def frames(self, *, masks: bool, timings: Timings | None = None) -> Generator[Posed, None, None]:
        for posed in self.source.frames(masks=masks, timings=timings):
            self.frames_kept.append(keep(posed, self.masks))
            yield posed
        self.complete = True

    def record(self, about: dict[str, Any]) -> RecordedPoses:
        return RecordedPoses(self.source.facts, self.frames_kept, self.masks, about)


class WithImages:
    """A record's detections with the video's pictures (for an annotated copy of a replay)."""

    images = True

    def __init__(self, record: RecordedPoses, video: VideoFile) -> None:
        self.record = record
        self.video = video
        self.pose_fps = record.pose_fps

    @property
    def facts(self) -> VideoFacts:
        return self.record.facts

    def frames(self, *, masks: bool, timings: Timings | None = None) -> Generator[Posed, None, None]:
        # the pictures decoded on a thread of their own, ahead (session/overlap.py)
        with closing(Ahead(lambda: iter(self.video), name="posecheck-decode", lowered=True)) as pictures:
            for posed in self.record.frames(masks=masks, timings=timings):
                frame = next(pictures, None)
                if frame is None:
                    raise RecordError(f"{self.video.path}: has fewer frames than its landmarks record")
                yield Posed(posed.t_s, posed.detection, frame.image, posed.new_view)


def load(path: Path) -> RecordedPoses:
    """A record saved by `--landmarks-out`, or one line saying why not."""
    if not path.is_file():
        raise RecordError(f"{path}: no such landmarks record")
    if not zipfile.is_zipfile(path):
        raise RecordError(f"{path}: not a landmarks record (not an .npz archive)")
    try:
        record = RecordedPoses.load(path)
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RecordError(f"{path}: not a readable landmarks record ({reason})") from None
    about = record.about
    if not isinstance(about, dict) or about.get("kind") != KIND:
        raise RecordError(f"{path}: not a landmarks record made by `posecheck review --landmarks-out`")
    return record


def check(record: RecordedPoses, path: Path, *, video: Path | None, model: Path | None) -> None:
    """Refuse a record of another video (when one is given) or of another pose model."""
    about = record.about or {}
    made = about.get("model", {})
    now = model_identity(model)
    if made.get("sha256") != now["sha256"]:
        raise RecordError(
            f"{path}: recorded with another pose model ({made.get('name')}, sha256 {str(made.get('sha256'))[:12]}…, "
            f"not {now['sha256'][:12]}…); review the video again"
        )
    if video is not None:
        want = about.get("video", {})
        if not video.is_file():
            raise RecordError(f"{video}: no such file")
        if video.stat().st_size != want.get("size") or file_sha256(video) != want.get("sha256"):
            raise RecordError(f"{path}: recorded from another video than {video} (its sha256 or size differs)")


@dataclass
class Poses:
    """Where a review's detections come from, and what is kept of them."""

    video: Path  # the video the report names
    source: PoseSource | None  # None: the model over the video, as review() does by default
    recording: Recording | None = None
    out: Path | None = None
    model: Path | None = None

    def save(self) -> None:
        """Write the record when every frame was read (a cut-short review leaves none)."""
        if self.recording is None or self.out is None or not self.recording.complete:
            return
        about = {
            "kind": KIND,
            "video": video_identity(self.video),
            "model": model_identity(self.model),
            "pose_fps": self.recording.pose_fps,  # fast mode's rate, or None: every frame
        }
        from posecheck.records import safeout

        with safeout.pending(self.out) as temp:  # flushed and moved into place, as every output
            self.recording.record(about).save(temp)


def for_review(
    video: Path | None,
    *,
    landmarks: Path | None,
    landmarks_out: Path | None,
    model: Path | None,
    masks: bool,
    output: Path | None,
    report: Path | None = None,
    pose_fps: float | None = None,
) -> Poses:
    """The pose source for `posecheck review` given its VIDEO, --landmarks and --landmarks-out."""
    from posecheck.records.safeout import check_outputs

    check_outputs(
        {"--output": output, "--report": report, "--landmarks-out": landmarks_out},
        {"video": video, "model": model, "--landmarks record": landmarks},
    )
    if landmarks is None:
        if video is None:
            raise PosecheckError("give a VIDEO to review, or --landmarks FILE to re-score")
        if landmarks_out is None:
            return Poses(video, None)
        recording = Recording(ModelPoses(VideoFile(video), model, pose_fps=pose_fps), masks)
        return Poses(video, recording, recording, landmarks_out, model)
    if landmarks_out is not None:
        raise PosecheckError("--landmarks-out keeps a new review's landmarks; a replay (--landmarks) has them already")
    if pose_fps is not None:
        raise PosecheckError("--fast and --pose-fps set the pose model's rate; a replay (--landmarks) runs no model")
    record = load(landmarks)
    check(record, landmarks, video=video, model=model)
    if masks and not record.masks:
        raise RecordError(f"{landmarks}: holds no person masks, which this exercise reads; review the video again")
    recorded = Path(record.about["video"]["path"]) if record.about else landmarks
    if output is None:
        return Poses(video or recorded, record)
    if video is None:
        if not recorded.is_file() and record.about:  # recorded from another folder: where it was
            recorded = Path(record.about["video"].get("resolved", recorded))
        if not recorded.is_file():
            raise RecordError(f"an annotated copy needs the video: give the VIDEO the record {landmarks} was made from")
        check(record, landmarks, video=recorded, model=model)
        video = recorded
    return Poses(video, WithImages(record, VideoFile(video)))
