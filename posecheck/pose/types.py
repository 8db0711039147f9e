"""The values the pose stage hands on: one person's pose in a frame, and a frame's detection.

numpy only, so the pure core (signals, engine, the session's flow) can use them without
the pose model's libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Pose:
    """One person's pose in one frame.

    xy: (33, 2) pixels; z: (33,) depth relative to the hips in the same scale as x
    (smaller is nearer the camera); visibility, presence: (33,) in [0, 1];
    world: (33, 3) metres, hip-centred, or None; mask: (H, W) float32 person
    probability, or None when not asked for.
    """

    xy: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray | None
    mask: np.ndarray | None
    width: int
    height: int

    def with_points(self, xy: np.ndarray, z: np.ndarray, world: np.ndarray | None) -> Pose:
        return replace(self, xy=xy, z=z, world=world)

    @property
    def mid_hip(self) -> np.ndarray:
        """The point between the hips in the picture (pixels)."""
        hp: np.ndarray = (self.xy[23] + self.xy[24]) / 2
        return hp

    @property
    def torso_px(self) -> float:
        """Mid-shoulder to mid-hip distance in pixels: the scale of the body in the picture."""
        sh = (self.xy[11] + self.xy[12]) / 2
        return float(np.linalg.norm(sh - self.mid_hip))


@dataclass(frozen=True)
class Detection:
    """What the model found in one frame: the people in it, the first being the one followed."""

    poses: tuple[Pose, ...]
    # People counted by the periodic crowd check on this frame, or None when it did not run.
    people: int | None = None

    @property
    def pose(self) -> Pose | None:
        return self.poses[0] if self.poses else None
