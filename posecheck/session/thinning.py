"""Fast mode (`posecheck review --pose-fps N`): the pose model runs on about N frames a
second, and the frames between two of them get landmarks interpolated between those two
(in time, point by point), so every frame still goes through smoothing, signals and the
engine at the video's own rate, and the annotated copy's skeleton moves smoothly.

The engine's smoothing, stillness, debounce and baselines are timed in seconds, and it
still sees every frame, so a slower pose rate changes only what the landmarks can follow:
a movement faster than half the pose rate is flattened. Frames after the last one the
model saw hold its detection. Where the model found nobody at one end, a frame between
takes the nearer end's detection as it is.

Pure: numpy only, no model and no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import numpy as np

from posecheck.errors import DefinitionError
from posecheck.exercise.definition import Exercise
from posecheck.pose.types import Detection, Pose

X = TypeVar("X")


def pose_rate(exercise: Exercise, pose_fps: float | None, fast: bool) -> float | None:
    """A review's pose rate: `--pose-fps N` as given; `--fast`, the exercise's own rate
    (`[tracking] fast_pose_fps`: each exercise's is kept above the rate at which its counts
    start to change, scripts/bench_fast.py); neither: None, every frame."""
    if pose_fps is not None or not fast:
        return pose_fps
    if exercise.tracking.fast_pose_fps is None:
        raise DefinitionError(
            f"exercise {exercise.id!r} sets no [tracking] fast_pose_fps for --fast: give --pose-fps N"
        )
    return exercise.tracking.fast_pose_fps


# A frame is taken when its time is within this share of a video frame of the time due
# (container timestamps are rounded to milliseconds: 0.0999 s is the frame due at 0.1 s).
_SLACK_FRAMES = 0.25


class Due:
    """Which frames the model runs on: the first, then the first at or after each 1/pose_fps
    seconds since the last one taken (a video slower than the pose rate: every frame)."""

    def __init__(self, pose_fps: float, video_fps: float = 0.0) -> None:
        if not pose_fps > 0:
            raise ValueError(f"pose_fps must be above 0, got {pose_fps}")
        self.interval_s = 1.0 / pose_fps
        self.slack_s = _SLACK_FRAMES / video_fps if video_fps > 0 else 0.01
        self._next: float | None = None

    def __call__(self, t_s: float) -> bool:
        if self._next is not None and t_s < self._next - self.slack_s:
            return False
        # the next one due an interval after this one's due time, or after this one when late
        due = self._next if self._next is not None and t_s - self._next < self.interval_s / 2 else t_s
        self._next = due + self.interval_s
        return True


def _mix(a: np.ndarray | None, b: np.ndarray | None, w: float) -> np.ndarray | None:
    if a is None or b is None:
        return a if w < 0.5 else b
    return (1.0 - w) * a + w * b


def between_poses(a: Pose, b: Pose, w: float) -> Pose:
    """The pose a share `w` (0..1) of the way from `a` to `b`; the mask of the nearer one."""
    near = a if w < 0.5 else b
    world = _mix(a.world, b.world, w)
    return Pose(
        xy=(1.0 - w) * a.xy + w * b.xy,
        z=(1.0 - w) * a.z + w * b.z,
        visibility=(1.0 - w) * a.visibility + w * b.visibility,
        presence=(1.0 - w) * a.presence + w * b.presence,
        world=world,
        mask=near.mask,
        width=near.width,
        height=near.height,
    )


def between(a: Detection, b: Detection, w: float) -> Detection:
    """A frame's detection a share `w` of the way from `a`'s frame to `b`'s. The crowd check
    did not run on it (people None). Poses are paired in order when both frames have as
    many; otherwise the nearer frame's are taken as they are."""
    if len(a.poses) != len(b.poses) or not a.poses:
        near = a if w < 0.5 else b
        return Detection(poses=near.poses, people=None)
    return Detection(poses=tuple(between_poses(p, q, w) for p, q in zip(a.poses, b.poses, strict=True)))


def thinned(
    items: Iterable[tuple[float, X]],
    detect: Callable[[X, float], Detection],
    due: Callable[[float], bool],
) -> Iterator[tuple[float, X, Detection]]:
    """Each (t_s, item) with a detection, in order: `detect(item, t_s)` on the items `due`
    says, interpolated between them for the others. The first item is always detected.
    Items wait (at most one interval's worth) until the next detected one is known."""
    waiting: list[tuple[float, X]] = []
    last: tuple[float, Detection] | None = None
    for t_s, item in items:
        if last is not None and not due(t_s):
            waiting.append((t_s, item))
            continue
        if last is None:
            due(t_s)
        detection = detect(item, t_s)
        if last is not None:
            t0, d0 = last
            span = t_s - t0
            for t, x in waiting:
                yield t, x, between(d0, detection, (t - t0) / span if span > 0 else 1.0)
            waiting.clear()
        last = (t_s, detection)
        yield t_s, item, detection
    if last is not None:
        for t, x in waiting:
            yield t, x, Detection(poses=last[1].poses, people=None)
