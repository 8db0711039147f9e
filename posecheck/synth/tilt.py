"""The pelvic tilt lying on the back: the pelvis rotates and the lumbar spine bends with it,
while the sacrum and the upper back both stay on the floor.

A real tilt in hook-lying: arching (anterior tilt), the top of the pelvis tips toward the
ceiling and the lumbar spine lifts off the floor between the sacrum and the ribs, pushing the
lower belly up; flattening (posterior tilt), the pelvis tips the other way and the lumbar
spine presses down onto the floor, the lower belly sinking. The chest does not move.

Here the pelvis takes the whole tilt; the lowest lumbar bone (spine5) follows a share of it
and the two above (spine4, spine3) bend back so that the chest lies as it did at rest: the
chest's height over the pelvis's lowest point (the sacrum on the floor) is kept. That one
condition is solved per tilt by bisection on the bend, from joint positions and the pelvis's
rest vertices turned rigidly (no skinning: cheap enough for every frame).

Angles: degrees about the body's lateral axis (rotations.rx), in the body's own frame where
-Y is forward (the ceiling, lying on the back) and +Y the back (the floor).
"""

from __future__ import annotations

import numpy as np

from posecheck.synth.body import Body
from posecheck.synth.rotations import rx

SPINE5_FOLLOW = 1.0  # the lowest lumbar bone turns with the pelvis (L5 on the sacrum)
SPINE3_SHARE = 0.5  # spine3's bend back, share of spine4's
BEND_RANGE = (-4.0, 4.0)  # bisection bounds of the bend (multiples of the tilt)
GRID_DEG = 0.5  # solved on this grid of tilts, interpolated between (every frame's tilt differs)


class LumbarArch:
    """World pitches (deg) of spine5, spine4, spine3 for a pelvic tilt, chest flat (0)."""

    def __init__(self, body: Body) -> None:
        self.body = body
        root = body.head_of("root")
        pelvis = body.segment_mask("pelvis")
        self._pelvis_pts = body.rest_vertices[pelvis] - root
        self._root = root
        self._cache: dict[float, tuple[float, float, float]] = {}
        self._rest_gap = self._chest_over_sacrum(0.0, (0.0, 0.0, 0.0))

    def _chest_over_sacrum(self, tilt: float, pitches: tuple[float, float, float]) -> float:
        """How far the chest (spine2's head) sits above the pelvis's lowest point, m."""
        a5, a4, a3 = pitches
        seg = {"pelvis": rx(tilt), "spine5": rx(a5), "spine4": rx(a4), "spine3": rx(a3), "spine2": np.eye(3)}
        j = self.body.joints(seg)
        sacrum = float((self._pelvis_pts @ rx(tilt).T)[:, 1].max())  # +Y: toward the floor
        chest = float(j["spine02"][1] - self._root[1])
        return sacrum - chest

    def pitches(self, tilt: float) -> tuple[float, float, float]:
        """Interpolated between the solved grid tilts around `tilt` (exact on the grid)."""
        lo = np.floor(float(tilt) / GRID_DEG) * GRID_DEG
        w = (float(tilt) - lo) / GRID_DEG
        a, b = np.array(self._solved(lo)), np.array(self._solved(lo + GRID_DEG))
        p = (1 - w) * a + w * b if w > 1e-9 else a
        return (float(p[0]), float(p[1]), float(p[2]))

    def _solved(self, tilt: float) -> tuple[float, float, float]:
        key = round(float(tilt), 3)
        if key == 0.0:
            return (0.0, 0.0, 0.0)
        if key not in self._cache:
            a5 = SPINE5_FOLLOW * key

            def gap(k: float) -> float:
                return self._chest_over_sacrum(key, (a5, -k * key, -SPINE3_SHARE * k * key)) - self._rest_gap

            lo, hi = BEND_RANGE
            g_lo = gap(lo)
            for _ in range(24):
                mid = 0.5 * (lo + hi)
                if (gap(mid) > 0) == (g_lo > 0):
                    lo = mid
                else:
                    hi = mid
            k = 0.5 * (lo + hi)
            self._cache[key] = (a5, -k * key, -SPINE3_SHARE * k * key)
        return self._cache[key]
