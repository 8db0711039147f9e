"""How fast live frames go through the pose model, and whether that is too slow to count.

A rep ends when the start position is seen between two reps; at a few frames a second a
short return to it can fall between two frames, and two reps would be taken for one. The
exercise says the slowest rate it is counted reliably at (`[tracking] min_fps`); below it
the screen says so and the session's end tells the user. Pure: timestamps in, figures out.
"""

from __future__ import annotations

from collections import deque

WINDOW_S = 3.0  # the rate is measured over this much session time of frames processed
SLOW_WORDS = "Running slowly - close other programs"


class Pace:
    """Processed frames per second over the last WINDOW_S; `reset` when nothing is processed
    on purpose (a rest, a pause), so those spans are not taken for slowness."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self.times: deque[float] = deque()
        self.slowest_fps: float | None = None  # the lowest rate measured while slow

    def frame(self, t_s: float) -> None:
        self.times.append(t_s)
        while len(self.times) > 2 and t_s - self.times[0] > self.window_s:
            self.times.popleft()

    def reset(self) -> None:
        self.times.clear()

    def fps(self) -> float | None:
        """Frames a second over the window; None until a window's worth was seen."""
        if len(self.times) < 2 or self.times[-1] - self.times[0] < 0.8 * self.window_s:
            return None
        return (len(self.times) - 1) / (self.times[-1] - self.times[0])

    def slow(self, min_fps: float | None) -> bool:
        fps = self.fps()
        if min_fps is None or fps is None or fps >= min_fps:
            return False
        self.slowest_fps = fps if self.slowest_fps is None else min(self.slowest_fps, fps)
        return True
