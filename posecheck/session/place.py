"""Where the person is in the picture, for telling a camera cut from their own movement
(session/views.py says why): numpy only, as the pipeline that asks is."""

from __future__ import annotations

from collections import deque

import numpy as np

from posecheck.pose.types import Pose

SPAN_S = 0.25  # the picture and the person are compared with how they were this long before
_SCALE_CHANGE = 1.25  # a torso this many times longer or shorter than a quarter second before...
_PLACE_CHANGE = 0.5  # ...or the hips moved this many torso lengths: the person was cut to, not moving
_CLOSE_SHARE = 0.5  # a person whose landmarks span half the picture's area or more fills it


class PersonPlace:
    """Where the person was in the picture over the last quarter second: `explains(t, pose)`
    says whether their own movement may be what changed the picture (they fill half of it or
    more and did not jump in place or size since); `remember` each frame after."""

    def __init__(self) -> None:
        self._recent: deque[tuple[float, float, np.ndarray]] = deque()

    def remember(self, t_s: float, pose: Pose | None) -> None:
        if pose is None or pose.torso_px < 1.0:
            return
        self._recent.append((t_s, pose.torso_px, pose.mid_hip))
        while len(self._recent) > 1 and self._recent[1][0] <= t_s - SPAN_S:
            self._recent.popleft()

    def explains(self, t_s: float, pose: Pose | None) -> bool:
        if pose is None or pose.torso_px < 1.0 or not self._recent or t_s - self._recent[-1][0] > SPAN_S:
            return False
        lo, hi = pose.xy.min(axis=0), pose.xy.max(axis=0)
        if (hi[0] - lo[0]) * (hi[1] - lo[1]) < _CLOSE_SHARE * pose.width * pose.height:
            return False
        _, torso, hips = self._recent[0]
        scale = pose.torso_px / torso
        shift = float(np.linalg.norm(pose.mid_hip - hips)) / torso
        return 1 / _SCALE_CHANGE < scale < _SCALE_CHANGE and shift < _PLACE_CHANGE
