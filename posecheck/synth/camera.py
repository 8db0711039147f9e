"""A pinhole camera placed around the person, and projection to pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.synth.rotations import Z, rz, unit

NEAR_M = 0.05


@dataclass
class Camera:
    K: np.ndarray  # 3x3 intrinsics
    R: np.ndarray  # 3x3 world -> camera rows: image right, image down, forward
    eye: np.ndarray  # camera centre, world metres
    width: int
    height: int

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points) - self.eye) @ self.R.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixels (..., 2) and depth (...) of world points."""
        pc = self.to_camera(points)
        z = pc[..., 2]
        zs = np.where(z > NEAR_M, z, NEAR_M)
        px = np.stack(
            [self.K[0, 0] * pc[..., 0] / zs + self.K[0, 2], self.K[1, 1] * pc[..., 1] / zs + self.K[1, 2]],
            axis=-1,
        )
        return px, z

    def in_frame(self, points: np.ndarray) -> np.ndarray:
        px, z = self.project(points)
        return (
            (z > NEAR_M)
            & (px[..., 0] >= 0)
            & (px[..., 0] <= self.width - 1)
            & (px[..., 1] >= 0)
            & (px[..., 1] <= self.height - 1)
        )


def look_at(eye, target, focal_px: float, width: int, height: int) -> Camera:
    eye = np.asarray(eye, float)
    forward = unit(np.asarray(target, float) - eye)
    right = unit(np.cross(forward, Z))
    down = np.cross(forward, right)
    K = np.array([[focal_px, 0.0, width / 2.0], [0.0, focal_px, height / 2.0], [0.0, 0.0, 1.0]])
    return Camera(K=K, R=np.stack([right, down, forward]), eye=eye, width=width, height=height)


def place(
    target,
    toward,
    distance_m: float,
    height_m: float,
    azimuth_deg: float,
    azimuth_positive,
    focal_px: float,
    width: int,
    height: int,
) -> Camera:
    """A camera distance_m from target (horizontally) in the horizontal direction `toward`,
    turned azimuth_deg about the vertical through target; positive azimuth turns it toward
    the horizontal direction `azimuth_positive`. Its lens at height_m, looking at target."""
    toward = unit(np.asarray(toward, float) * [1, 1, 0])
    pos = unit(np.asarray(azimuth_positive, float) * [1, 1, 0])
    turn = rz(azimuth_deg) if float(np.cross(toward, pos)[2]) > 0 else rz(-azimuth_deg)
    direction = turn @ toward
    eye = np.asarray(target, float) * [1, 1, 0] + direction * distance_m
    eye[2] = height_m
    return look_at(eye, target, focal_px, width, height)
