"""Following one person: the one to keep to when several are in view, and their
landmarks smoothed (One Euro, in picture heights and metres, so any resolution smooths alike).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from posecheck.pose.smoothing import OneEuroFilter
from posecheck.pose.types import Detection, Pose

if TYPE_CHECKING:  # the smoothing parameters come from the exercise's [tracking]
    from posecheck.exercise.definition import Exercise


def _centre(pose: Pose) -> np.ndarray:
    centre: np.ndarray = pose.xy[[11, 12, 23, 24]].mean(axis=0)  # shoulders and hips
    return centre


class Follower:
    """Keeps to one person when several are in view: the one nearest where it was."""

    def __init__(self) -> None:
        self._last: np.ndarray | None = None
        self.crowded = False
        self.crowded_frames = 0
        self.crowded_spans: list[list[float]] = []

    def pick(self, t_s: float, detection: Detection) -> Pose | None:
        poses = detection.poses
        if detection.people is not None:
            self.crowded = detection.people > 1
        if self.crowded:
            self.crowded_frames += 1
            if self.crowded_spans and t_s - self.crowded_spans[-1][1] < 1.5:
                self.crowded_spans[-1][1] = t_s
            else:
                self.crowded_spans.append([t_s, t_s])
        if not poses:
            return None
        if self._last is None or len(poses) == 1:
            # With no history, follow the largest person (the one nearest the camera).
            pose = poses[0] if len(poses) == 1 else max(poses, key=lambda p: p.torso_px)
        else:
            pose = min(poses, key=lambda p: float(np.linalg.norm(_centre(p) - self._last)))
        self._last = _centre(pose)
        return pose


class PoseSmoother:
    """One Euro filtering of image and world landmarks, in picture heights and metres."""

    def __init__(self, exercise: Exercise) -> None:
        tr = exercise.tracking
        self._image = OneEuroFilter(tr.min_cutoff_hz, tr.beta, tr.d_cutoff_hz)
        self._world = OneEuroFilter(tr.min_cutoff_hz, tr.beta, tr.d_cutoff_hz)

    def __call__(self, t_s: float, pose: Pose) -> Pose:
        h = float(pose.height)
        pts = np.concatenate([pose.xy, pose.z[:, None]], axis=1) / h
        pts = self._image(t_s, pts) * h
        world = self._world(t_s, pose.world) if pose.world is not None else None
        return pose.with_points(pts[:, :2], pts[:, 2], world)
