"""Small rotation helpers on 3x3 numpy matrices (angles in degrees)."""

from __future__ import annotations

import numpy as np

X = np.array([1.0, 0.0, 0.0])
Y = np.array([0.0, 1.0, 0.0])
Z = np.array([0.0, 0.0, 1.0])
I3 = np.eye(3)


def axis_angle(axis, deg: float) -> np.ndarray:
    """Right-handed rotation by deg degrees about axis (Rodrigues)."""
    a = np.asarray(axis, dtype=float)
    a = a / np.linalg.norm(a)
    t = np.radians(deg)
    k = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    return I3 + np.sin(t) * k + (1.0 - np.cos(t)) * (k @ k)


def rx(deg: float) -> np.ndarray:
    return axis_angle(X, deg)


def ry(deg: float) -> np.ndarray:
    return axis_angle(Y, deg)


def rz(deg: float) -> np.ndarray:
    return axis_angle(Z, deg)


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v)
    return v / n if n > 1e-12 else v


def frame(primary, secondary) -> np.ndarray:
    """Orthonormal frame (columns) whose 2nd axis is primary and 1st is secondary made
    orthogonal to it; the 3rd completes a right-handed basis."""
    p = unit(primary)
    s = np.asarray(secondary, dtype=float)
    s = unit(s - p * float(s @ p))
    return np.stack([s, p, np.cross(s, p)], axis=1)


def aim(rest_primary, rest_secondary, target_primary, target_secondary) -> np.ndarray:
    """The rotation taking (rest_primary, rest_secondary) onto (target_primary, target_secondary)."""
    return frame(target_primary, target_secondary) @ frame(rest_primary, rest_secondary).T


def to_quat(r: np.ndarray) -> np.ndarray:
    """Unit quaternion (w, x, y, z) of a rotation matrix."""
    m = r
    tr = m[0, 0] + m[1, 1] + m[2, 2]
    if tr > 0:
        s = np.sqrt(tr + 1.0) * 2
        q = [0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s]
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = np.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2
        q = [(m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s]
    elif m[1, 1] > m[2, 2]:
        s = np.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2
        q = [(m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s]
    else:
        s = np.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2
        q = [(m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s]
    q = np.asarray(q)
    return q / np.linalg.norm(q)


def from_quat(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def slerp(r0: np.ndarray, r1: np.ndarray, t: float) -> np.ndarray:
    """Rotation a fraction t of the way from r0 to r1 (shortest arc)."""
    if t <= 0.0:
        return r0
    if t >= 1.0:
        return r1
    q0, q1 = to_quat(r0), to_quat(r1)
    d = float(q0 @ q1)
    if d < 0:
        q1, d = -q1, -d
    if d > 0.9995:
        return from_quat(q0 + t * (q1 - q0))
    th = np.arccos(d)
    return from_quat((np.sin((1 - t) * th) * q0 + np.sin(t * th) * q1) / np.sin(th))


def two_link(root, target, l1: float, l2: float, pole) -> tuple[np.ndarray, np.ndarray]:
    """Two-bone IK: the middle joint and the reached end for a chain root->mid->end of
    lengths l1, l2 aimed at target, bending toward pole. The end falls short of an
    unreachable target along the same line."""
    root = np.asarray(root, float)
    d_vec = np.asarray(target, float) - root
    d = float(np.linalg.norm(d_vec))
    u = d_vec / max(d, 1e-9)
    d = float(np.clip(d, abs(l1 - l2) + 1e-4, l1 + l2 - 1e-4))
    cos_a = (l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)
    a = np.arccos(np.clip(cos_a, -1.0, 1.0))
    v = unit(np.asarray(pole, float) - u * float(np.asarray(pole, float) @ u))
    mid = root + l1 * (np.cos(a) * u + np.sin(a) * v)
    end = root + d * u
    return mid, end


def angle_deg(a, b, c) -> float:
    """Angle at b of the triangle a-b-c, in degrees."""
    u, v = unit(np.asarray(a) - np.asarray(b)), unit(np.asarray(c) - np.asarray(b))
    return float(np.degrees(np.arccos(np.clip(u @ v, -1.0, 1.0))))
