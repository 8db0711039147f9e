"""Where a review's detections come from: the pose model over a video file's frames
(`ModelPoses`, what `posecheck review` reads), or a record of an earlier run of it,
replayed (`RecordedPoses`).

A record keeps every frame's detection as the model gave it: the landmarks as the same
float64 numbers, the crowd check's count, and the person mask in 8 bits with its 0.5
boundary kept exactly (the signals read the mask only as `mask > 0.5`). So a review from
a record counts what a review of the video counts, without running the model again. The
accuracy benchmark keeps records of clips that must never enter the repository outside it.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

import cv2
import numpy as np

from posecheck.pose.landmarks import COUNT as LANDMARKS
from posecheck.pose.model import PoseEstimator
from posecheck.pose.types import Detection, Pose
from posecheck.session.overlap import Ahead, prompt_handoffs
from posecheck.session.thinning import Due, thinned
from posecheck.session.views import ViewWatch
from posecheck.sources.video import VideoFile

X = TypeVar("X")

RECORD_FORMAT = 1


@dataclass
class Timings:
    """Seconds spent per stage, for the benchmark."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    frames: int = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - t0


@dataclass(frozen=True)
class VideoFacts:
    """What a report says about the video. `last_t_s` and `truncated` are final once its
    frames have been read."""

    fps: float
    width: int
    height: int
    frame_count: int | None
    last_t_s: float = 0.0
    truncated: bool = False
    nominal_duration_s: float | None = None


@dataclass(frozen=True)
class Posed:
    """One frame's time and detection, with its picture (BGR) when the source has it."""

    t_s: float
    detection: Detection
    image: np.ndarray | None = None
    new_view: bool = False  # the first frame of another camera view (session/views.py)


class PoseSource(Protocol):
    # Whether frames come with their pictures (an annotated copy needs them).
    images: bool

    @property
    def facts(self) -> VideoFacts: ...

    def frames(self, *, masks: bool, timings: Timings | None = None) -> Generator[Posed, None, None]:
        """Every frame's detection, in order; with person masks when `masks`."""
        ...


class ModelPoses:
    """The pose model over a video file's frames. The frames are decoded on a thread of
    their own, ahead of the model, and the model runs on another, ahead of the reader
    (session/overlap.py); both hand on in order.

    With `pose_fps`, the model runs on about that many frames a second and the frames
    between get interpolated landmarks (fast mode: session/thinning.py)."""

    images = True

    def __init__(self, video: VideoFile, model: Path | None = None, *, pose_fps: float | None = None) -> None:
        self.video = video
        self.model = model
        self.pose_fps = pose_fps
        self._read = 0  # frames handed on (the decoder may have read a few more)
        self._last_t_s = 0.0

    @property
    def facts(self) -> VideoFacts:
        v = self.video
        return VideoFacts(
            fps=v.fps,
            width=v.width,
            height=v.height,
            frame_count=v.frame_count,
            last_t_s=self._last_t_s,
            truncated=v.truncated_at(self._read),
            nominal_duration_s=v.nominal_duration_s,
        )

    def _decoded(self) -> Iterator[tuple[float, tuple[np.ndarray, np.ndarray, bool]]]:
        """(t_s, (BGR, RGB, new view)) of every frame; run on the decoding thread."""
        views = ViewWatch()
        for frame in self.video:
            yield (
                frame.t_s,
                (frame.image, cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), views.update(frame.t_s, frame.image)),
            )

    def frames(self, *, masks: bool, timings: Timings | None = None) -> Generator[Posed, None, None]:
        timings = timings or Timings()
        self._read, self._last_t_s = 0, 0.0
        with (
            prompt_handoffs(),
            PoseEstimator(self.model, masks=masks) as estimator,
            closing(Ahead(self._decoded, name="posecheck-decode", lowered=True)) as decoded,
        ):

            def detect(images: tuple[np.ndarray, np.ndarray, bool], t_s: float) -> Detection:
                with timings.stage("pose"):
                    return estimator.detect(images[1], t_s)

            due: Callable[[float], bool] = Due(self.pose_fps, self.video.fps) if self.pose_fps else _always

            def detected() -> Iterator[tuple[float, tuple[np.ndarray, np.ndarray, bool], Detection]]:
                return thinned(_timed(decoded, timings, "decode"), detect, due)

            # the model on a thread of its own too: the reader's work on a frame (smoothing, the
            # engine) overlaps the model's on the next; closed (joined) before the model is
            with closing(Ahead(detected, name="posecheck-pose")) as posed:
                for t_s, (bgr, _, new_view), detection in posed:
                    self._read += 1
                    self._last_t_s = t_s
                    yield Posed(t_s, detection, bgr, new_view)


def _timed(items: Iterator[X], timings: Timings, stage: str) -> Iterator[X]:
    """The items, with the time spent waiting for each counted in `stage`."""
    while True:
        with timings.stage(stage):
            item = next(items, _NONE)
        if item is _NONE:
            return
        yield item


_NONE: Any = object()


def _always(t_s: float) -> bool:
    return True


class Thinned:
    """Another source's detections on about `pose_fps` frames a second, interpolated between
    (fast mode over recorded detections: what the accuracy benchmark measures rates with)."""

    def __init__(self, source: PoseSource, pose_fps: float) -> None:
        self.source = source
        self.images = source.images
        self.pose_fps = pose_fps

    @property
    def facts(self) -> VideoFacts:
        return self.source.facts

    def frames(self, *, masks: bool, timings: Timings | None = None) -> Generator[Posed, None, None]:
        with closing(self.source.frames(masks=masks, timings=timings)) as frames:
            items = ((p.t_s, p) for p in frames)
            due = Due(self.pose_fps, self.facts.fps)
            for t_s, posed, detection in thinned(items, lambda p, _t: p.detection, due):
                yield Posed(t_s, detection, posed.image, posed.new_view)


def pack_mask(mask: np.ndarray) -> bytes:
    """A person mask (values in [0, 1]) in 8 bits, compressed; `> 0.5` reads the same before and after.

    Rounding half down in float32 keeps the boundary: 255 * m - 0.5 is exact near 127 and
    above 127 exactly when m > 0.5, so m = 0.5 gives 127 and the next float32 up 128.
    """
    q = np.multiply(mask, np.float32(255), dtype=np.float32)
    q -= np.float32(0.5)
    np.ceil(q, out=q)
    np.clip(q, 0, 255, out=q)
    return zlib.compress(q.astype(np.uint8).tobytes(), 1)


def unpack_mask(data: bytes, width: int, height: int) -> np.ndarray:
    q = np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(height, width)
    return q.astype(np.float32) / np.float32(255)


@dataclass(frozen=True)
class _Kept:
    """One pose as recorded: its mask compressed."""

    pose: Pose  # mask=None
    mask: bytes | None


Kept = tuple[float, int | None, tuple[_Kept, ...], bool]  # t_s, people, poses, new_view


def keep(posed: Posed, masks: bool) -> Kept:
    """One frame's detection as a record keeps it (its masks packed when `masks`)."""
    kept = tuple(
        _Kept(replace(p, mask=None), pack_mask(p.mask) if masks and p.mask is not None else None)
        for p in posed.detection.poses
    )
    return posed.t_s, posed.detection.people, kept, posed.new_view


class RecordedPoses:
    """Detections recorded from a source, replayed without the model."""

    images = False

    def __init__(
        self,
        facts: VideoFacts,
        frames: list[Kept],
        masks: bool,
        about: dict | None = None,
    ):
        self._facts = facts
        self._frames = frames
        self.masks = masks  # whether the record carries person masks
        # where the detections came from (the video's and the model's identity), saved with them
        self.about = about

    @property
    def facts(self) -> VideoFacts:
        return self._facts

    @property
    def pose_fps(self) -> float | None:
        """Fast mode's rate when the recorded review ran in it (None: every frame)."""
        rate = self.about.get("pose_fps") if isinstance(self.about, dict) else None
        return float(rate) if isinstance(rate, int | float) else None

    def __len__(self) -> int:
        return len(self._frames)

    @classmethod
    def record(cls, source: PoseSource, *, masks: bool, timings: Timings | None = None) -> RecordedPoses:
        """Read every frame of `source` (with masks when asked: the landmarks are the same either way)."""
        frames = [keep(posed, masks) for posed in source.frames(masks=masks, timings=timings)]
        return cls(source.facts, frames, masks)

    def frames(self, *, masks: bool, timings: Timings | None = None) -> Generator[Posed, None, None]:
        if masks and not self.masks:
            raise ValueError("this record holds no person masks; record it with masks=True")
        timings = timings or Timings()
        for t_s, people, kept, new_view in self._frames:
            with timings.stage("decode"):
                poses = tuple(
                    replace(k.pose, mask=unpack_mask(k.mask, k.pose.width, k.pose.height))
                    if masks and k.mask is not None
                    else k.pose
                    for k in kept
                )
            yield Posed(t_s, Detection(poses=poses, people=people), new_view=new_view)

    def save(self, path: Path) -> None:
        """Write the record as one .npz (no pickles); atomically, so a cut-short run leaves none."""
        kept = [k for _, _, ks, _ in self._frames for k in ks]
        n = len(kept)
        masks = [k.mask or b"" for k in kept]
        meta = {
            "format": RECORD_FORMAT,
            "masks": self.masks,
            "facts": {f: getattr(self._facts, f) for f in VideoFacts.__dataclass_fields__},
            "about": self.about,
        }

        def stack(rows: list[np.ndarray], *shape: int) -> np.ndarray:
            return np.array(rows, dtype=np.float64).reshape(n, LANDMARKS, *shape)

        arrays = {
            "meta": np.array(json.dumps(meta)),
            "t_s": np.array([f[0] for f in self._frames], dtype=np.float64),
            "people": np.array([-1 if f[1] is None else f[1] for f in self._frames], dtype=np.int32),
            "n_poses": np.array([len(f[2]) for f in self._frames], dtype=np.int32),
            "new_view": np.array([f[3] for f in self._frames], dtype=bool),
            "xy": stack([k.pose.xy for k in kept], 2),
            "z": stack([k.pose.z for k in kept]),
            "visibility": stack([k.pose.visibility for k in kept]),
            "presence": stack([k.pose.presence for k in kept]),
            "has_world": np.array([k.pose.world is not None for k in kept], dtype=bool),
            "world": stack(
                [k.pose.world if k.pose.world is not None else np.full((LANDMARKS, 3), np.nan) for k in kept], 3
            ),
            "size": np.array([(k.pose.width, k.pose.height) for k in kept], dtype=np.int64).reshape(n, 2),
            "has_mask": np.array([k.mask is not None for k in kept], dtype=bool),
            "mask_ends": np.cumsum([len(m) for m in masks], dtype=np.int64),
            "mask_data": np.frombuffer(b"".join(masks), dtype=np.uint8),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)  # type: ignore[arg-type]  # (mypy reads a name as allow_pickle)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> RecordedPoses:
        with np.load(path, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        meta = json.loads(str(a["meta"]))
        if meta.get("format") != RECORD_FORMAT:
            raise ValueError(f"{path}: a pose record of format {meta.get('format')}, not {RECORD_FORMAT}")
        data = a["mask_data"].tobytes()
        ends = a["mask_ends"]
        kept = []
        for i in range(len(a["xy"])):
            width, height = (int(v) for v in a["size"][i])
            pose = Pose(
                xy=a["xy"][i].copy(),
                z=a["z"][i].copy(),
                visibility=a["visibility"][i].copy(),
                presence=a["presence"][i].copy(),
                world=a["world"][i].copy() if a["has_world"][i] else None,
                mask=None,
                width=width,
                height=height,
            )
            start = int(ends[i - 1]) if i else 0
            kept.append(_Kept(pose, data[start : int(ends[i])] if a["has_mask"][i] else None))
        frames: list[Kept] = []
        at = 0
        # records written before new views were told have none
        new_views = a["new_view"] if "new_view" in a else np.zeros(len(a["t_s"]), dtype=bool)
        for t_s, people, n, new_view in zip(a["t_s"], a["people"], a["n_poses"], new_views, strict=True):
            frames.append((float(t_s), None if people < 0 else int(people), tuple(kept[at : at + n]), bool(new_view)))
            at += int(n)
        return cls(VideoFacts(**meta["facts"]), frames, bool(meta["masks"]), meta.get("about"))
