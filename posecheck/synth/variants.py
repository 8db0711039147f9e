"""Two postures with one more pose parameter each, for the start postures and head
postures of manner.py (kept out of posture.py, which is long enough):

- HeadTipSupine: "head_tip" (deg, + chin toward the chest): the head alone turns on the
  neck, as a resting head does; "head" (neck flexion) still lifts it off the floor.
- KneelingAllFours: "kneel" (0..1): from hands and knees (0) to kneeling upright (1), the
  thighs kept vertical, the trunk raised about the hips, the arms hanging.
"""

from __future__ import annotations

from typing import ClassVar

from posecheck.synth.body import Posed
from posecheck.synth.posture import AllFours, Supine, _heads_by_name, _shifted
from posecheck.synth.rotations import rx

KNEEL_PITCH_DEG = 80.0  # the trunk kneeling upright, from the floor (a little forward of vertical)


class HeadTipSupine(Supine):
    DEFAULTS: ClassVar[dict[str, float]] = {**Supine.DEFAULTS, "head_tip": 0.0}

    def _trunk(self, p: dict) -> dict:
        seg = super()._trunk(p)
        if p.get("head_tip"):
            seg["head"] = seg["head"] @ rx(p["head_tip"])
        return seg


class KneelingAllFours(AllFours):
    DEFAULTS: ClassVar[dict[str, float]] = {**AllFours.DEFAULTS, "kneel": 0.0}

    def solve(self, params: dict | None = None) -> Posed:
        p = self.params(params)
        posed = super().solve(p)
        w = min(max(p["kneel"], 0.0), 1.0)
        if w <= 0.0:
            return posed
        b = self.body
        pitch = (1 - w) * self._pitch + w * KNEEL_PITCH_DEG
        posed = b.pose(self._segments(p, pitch), (0, 0, 0))
        j = _heads_by_name(b, posed)
        knees = 0.5 * (j["lowerleg01.L"] + j["lowerleg01.R"])
        floor = posed.vertices[self._knees, 2].min()
        return _shifted(posed, [self.KNEES_AT_X_M - knees[0], -knees[1], -floor])
