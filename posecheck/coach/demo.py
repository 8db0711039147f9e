"""The short looping demonstration of each exercise shown on the start and rest cards.

One small clip per exercise ships in posecheck/coach/demos/ (made by scripts/make_demos.py;
PROVENANCE.md says how). Each is decoded once when the session starts and looped by wall
time at its own frame rate. A missing or unreadable clip never stops a session: the card
shows no demonstration and one line says why.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

DEMOS_DIR = Path(__file__).with_name("demos")
MAX_FRAMES = 600  # a demonstration is a few seconds; a longer file is cut here


def _note(line: str) -> None:
    print(f"note: {line}", file=sys.stderr)


@dataclass(frozen=True)
class Demo:
    """A decoded loop: BGR frames shown one after another at fps, then again."""

    frames: tuple[np.ndarray, ...]
    fps: float

    @property
    def period_s(self) -> float:
        return len(self.frames) / self.fps

    def frame_at(self, t_s: float) -> np.ndarray:
        return self.frames[int(t_s * self.fps) % len(self.frames)]


def load(path: Path, note: Callable[[str], None] = _note) -> Demo | None:
    """The clip at path, decoded; None (and one note) when it is missing or unreadable."""
    if not path.is_file():
        note(f"no demonstration for {path.stem} ({path} is missing); its cards show none")
        return None
    frames: list[np.ndarray] = []
    fps = 0.0
    try:
        cap = cv2.VideoCapture(str(path))
        try:
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
            while len(frames) < MAX_FRAMES:
                ok, image = cap.read()
                if not ok or image is None:
                    break
                frames.append(image)
        finally:
            cap.release()
    except (cv2.error, OSError):
        frames = []
    if not frames or not 1.0 <= fps <= 120.0:
        note(f"the demonstration {path} cannot be read; its cards show none")
        return None
    return Demo(tuple(frames), fps)


class Demos:
    """The demonstrations of a session's exercises, decoded once, by exercise id."""

    def __init__(
        self, exercise_ids: Iterable[str], folder: Path | None = None, note: Callable[[str], None] = _note
    ) -> None:
        folder = DEMOS_DIR if folder is None else folder
        self._demos: dict[str, Demo | None] = {}
        for ex in exercise_ids:
            if ex not in self._demos:
                self._demos[ex] = load(folder / f"{ex}.mp4", note)

    def get(self, exercise_id: str) -> Demo | None:
        return self._demos.get(exercise_id)

    def frame(self, exercise_id: str, t_s: float) -> np.ndarray | None:
        """The frame of that exercise's loop at wall time t_s; None without a demonstration."""
        demo = self._demos.get(exercise_id)
        return None if demo is None else demo.frame_at(t_s)
