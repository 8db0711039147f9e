"""What one frame hands to the coach: the pose to draw, the engine's state, the exercise.

The session's flow (posecheck.session.pipeline) makes it; the painters (posecheck.coach)
read it. Defined here, on the pure side, so the flow does not depend on drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.exercise.definition import Exercise
from posecheck.exercise.state import EngineState
from posecheck.pose.types import Pose


@dataclass(frozen=True)
class View:
    """Everything a painter may show about one frame."""

    pose: Pose | None
    state: EngineState
    exercise: Exercise
    near: str = "right"
    banner: str = ""  # a line from outside the engine (e.g. "camera lost")
