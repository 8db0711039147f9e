"""A one-line notice over the top of the camera picture while counting (board.message):
"Running slowly - close other programs" when the live loop falls below the exercise's
frame rate (posecheck.session.pace)."""

from __future__ import annotations

import numpy as np

from posecheck.coach.layout import Rect, layout, paragraph, shade
from posecheck.coach.overlay import WARN
from posecheck.coach.screen import BACKGROUND, PAINTERS, Board


def slow_note(canvas: np.ndarray, board: Board) -> np.ndarray:
    if board.mode != "count" or not board.message:
        return canvas
    lay = layout(canvas)
    u = lay.u
    band = Rect(lay.video.x, lay.video.y + int(9 * u), lay.video.w, int(6 * u))
    shade(canvas, band, BACKGROUND, 0.65)
    inner = Rect(band.x + int(2 * u), band.y + int(1 * u), band.w - int(4 * u), band.h - int(1 * u))
    paragraph(canvas, board.message, inner, 3.2 * u, WARN, max_lines=1)
    return canvas


LIVE_PAINTERS = (*PAINTERS, slow_note)
