"""The live screen, read from 3 m away by someone lying on the floor.

Everything is sized from the window (one unit `u` is a hundredth of its height), so the
same painters serve a laptop window, a full screen and the test renders. The picture
fills the window: the camera view on one side, a panel with the large rep count and the
hold ring on the other, the instruction across the bottom, one fault at a time above it
in the warning colour. Cards cover the picture before counting (safety note, camera
placement), between exercises (rest, what comes next), when paused, and when the camera
is lost.

Painters are `painter(canvas, board) -> canvas`, as in posecheck.overlay.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from posecheck.coach import labels
from posecheck.coach.layout import Rect, fill, fit_size, layout, letterbox, measure, paragraph, shade, text
from posecheck.coach.lettering import ascent
from posecheck.coach.overlay import GOOD, HOLD, NOTE, WARN, WHITE, skeleton
from posecheck.exercise.definition import Exercise
from posecheck.exercise.view import View

BACKGROUND = (24, 24, 24)
PANEL = (38, 34, 30)
INK = (20, 20, 20)  # dark text on the warning colour
MUTED = (170, 170, 170)

# The page's caution, in posecheck's words.
SAFETY_NOTE = (
    "If you are doing these exercises because of ongoing back pain or after an injury, "
    "check with a physical therapist before you start.",
    "Stop if an exercise hurts.",
)
KEYS_HELP = "space pause   n next   r redo set   q quit"

MODES = ("start", "count", "rest", "paused", "camera_lost", "done")


@dataclass(frozen=True)
class Board:
    """Everything the live screen shows in one frame."""

    exercise: Exercise
    mode: str = "count"
    frame: np.ndarray | None = None  # the camera picture (BGR, as the model saw it: not mirrored)
    view: View | None = None  # the engine's state and the pose for this frame
    mirror: bool = False  # show the picture as a mirror (the left/right words stay the person's own)
    seconds_left: float | None = None  # start / rest countdown
    routine: tuple[int, int] | None = None  # this exercise's place in the routine: (4, 7)
    next_exercise: Exercise | None = None  # during a rest
    message: str = ""  # a card's main line (camera lost, paused)
    lines: tuple[str, ...] = ()  # the done card's summary
    first: bool = True  # the first exercise of the session: show the safety note
    keys: bool = True  # show the key help (not in recordings of a headless run)
    notice: str = ""  # a start card's note about the machine (no speech engine)
    demo: np.ndarray | None = None  # start / rest card: this moment of the exercise's looping demonstration (BGR)


Painter = Callable[[np.ndarray, Board], np.ndarray]


# --- painters -----------------------------------------------------------------------------


def camera(canvas: np.ndarray, board: Board) -> np.ndarray:
    """The picture, with the skeleton drawn on the unmirrored image before any flip."""
    lay = layout(canvas)
    # cv2 fills: numpy's broadcast of a colour tuple costs ~13 ms on a 1080p canvas
    H, W = canvas.shape[:2]
    cv2.rectangle(canvas, (0, 0), (W - 1, H - 1), BACKGROUND, -1)
    fill(canvas, lay.panel, PANEL)
    if board.frame is None:
        return canvas
    image = board.frame.copy()
    if board.view is not None and board.view.pose is not None and board.mode == "count":
        image = skeleton(image, board.view)
    if board.mirror:
        image = cv2.flip(image, 1)
    letterbox(canvas, image, lay.video)
    return canvas


def header(canvas: np.ndarray, board: Board) -> np.ndarray:
    lay = layout(canvas)
    u = lay.u
    name = board.exercise.name
    if board.routine:
        name = f"{board.routine[0]}/{board.routine[1]}  {name}"
    scale = fit_size(name, 4.2 * u, lay.video.w - 4 * u)
    text(canvas, name, (lay.video.x + int(2 * u), lay.video.y + int(6.5 * u)), scale, WHITE)
    return canvas


def guided_note(canvas: np.ndarray, board: Board) -> np.ndarray:
    """Under the name, quietly: whether a guided exercise's movement is counted from the
    picture now, and if not why (labels.guided_line)."""
    st = board.view.state if board.view is not None else None
    words = labels.guided_line(board.exercise, st) if st is not None else ""
    if board.mode != "count" or st is None or not words:
        return canvas
    lay = layout(canvas)
    u, v = lay.u, lay.video
    box = Rect(v.x + int(2 * u), v.y + int(9 * u), v.w - int(4 * u), int(12 * u))
    paragraph(canvas, words, box, 2.4 * u, GOOD if st.guided == "seen" else NOTE, max_lines=2)
    return canvas


def counts(canvas: np.ndarray, board: Board) -> np.ndarray:
    """The rep count, large; its target; the side or round."""
    if board.view is None or board.mode not in ("count", "paused", "camera_lost") or not board.view.state.started:
        return canvas
    lay = layout(canvas)
    u, c = lay.u, lay.count
    st = board.view.state
    big, label, line = labels.count_words(board.exercise, st)
    pad = int(3 * u)
    small = min(4.5 * u, c.h / 10)
    scale = fit_size(big, min(20 * u, 0.5 * c.h), c.w - 2 * pad)
    y = c.y + pad + ascent(scale)
    text(canvas, big, (c.x + pad, y), scale, GOOD if st.set_complete else WHITE)
    y += int(1.6 * small)
    text(canvas, label, (c.x + pad, y), fit_size(label, small, c.w - 2 * pad), MUTED)
    if line:
        y += int(1.5 * small)
        text(canvas, line, (c.x + pad, y), fit_size(line, small, c.w - 2 * pad), WHITE)
    short = labels.not_counted(st)
    if short:
        y += int(1.4 * small)
        text(canvas, short, (c.x + pad, y), fit_size(short, 0.8 * small, c.w - 2 * pad), MUTED)
    return canvas


def progress(canvas: np.ndarray, board: Board) -> np.ndarray:
    """Progress through the set: one segment per rep (or round) of the target."""
    if board.view is None or board.mode not in ("count", "paused", "camera_lost") or not board.view.state.started:
        return canvas
    lay = layout(canvas)
    u, p = lay.u, lay.bar
    done, total = labels.progress(board.exercise, board.view.state)
    pad, gap = int(3 * u), max(2, int(0.8 * u))
    w = (p.w - 2 * pad - gap * (total - 1)) / total
    y0, y1 = p.y, p.y + p.h - int(2.5 * u)
    for i in range(total):
        x0 = int(p.x + pad + i * (w + gap))
        color = GOOD if i < done else (70, 70, 70)
        cv2.rectangle(canvas, (x0, y0), (max(x0 + 1, int(x0 + w)), y1), color, -1)
    return canvas


def hold(canvas: np.ndarray, board: Board) -> np.ndarray:
    """The hold ring: fills as the hold runs, the seconds left in the middle."""
    if board.view is None or board.mode not in ("count", "paused"):
        return canvas
    st = board.view.state
    if not st.in_hold:
        return canvas
    lay = layout(canvas)
    u, p = lay.u, lay.ring
    r = int(max(4 * u, (min(p.w, p.h) - 5 * u) / 2))
    centre = p.centre
    ring_w = max(3, int(r * 0.16))
    cv2.circle(canvas, centre, r, (70, 70, 70), ring_w, cv2.LINE_AA)
    frac = 1.0 if st.hold_done or st.hold_target_s <= 0 else max(0.0, min(1.0, st.hold_s / st.hold_target_s))
    colour = GOOD if st.hold_done else HOLD if st.holding else MUTED
    if frac > 0:
        cv2.ellipse(canvas, centre, (r, r), -90, 0, 360 * frac, colour, ring_w, cv2.LINE_AA)
    label = labels.hold_seconds(st)
    scale = fit_size(label, r * 0.75, r * 1.3)
    w, h = measure(label, scale)
    text(canvas, label, (centre[0] - w // 2, centre[1] + h // 2), scale, WHITE)
    return canvas


def fault(canvas: np.ndarray, board: Board) -> np.ndarray:
    """One fault at a time, dark on the warning colour, above the instruction."""
    words = labels.fault_line(board.exercise, board.view.state) if board.view is not None else ""
    if board.mode != "count" or not words:
        return canvas
    lay = layout(canvas)
    f = lay.fault
    cv2.rectangle(canvas, (f.x, f.y), (f.x + f.w - 1, f.y + f.h - 1), WARN, -1)
    pad = int(2 * lay.u)
    paragraph(
        canvas,
        words,
        Rect(f.x + pad, f.y + pad, f.w - 2 * pad, f.h - 2 * pad),
        5.5 * lay.u,
        INK,
        max_lines=1,
        outline=False,
    )
    return canvas


def instruction(canvas: np.ndarray, board: Board) -> np.ndarray:
    """What to do now, across the bottom; before counting, what to change in the setup."""
    if board.mode not in ("count", "camera_lost", "paused"):
        return canvas
    lay = layout(canvas)
    b, u = lay.band, lay.u
    st = board.view.state if board.view is not None else None
    if st is None or not st.tracking:
        words, colour = "Looking for you...", WHITE
        if board.exercise.camera.placement:
            words = f"Looking for you... {board.exercise.camera.placement}"
    elif not st.started and not st.setup_ok:
        words, colour = st.setup_message or st.instruction, WARN
    else:
        words, colour = st.instruction, WHITE
    pad = int(2.5 * u)
    paragraph(canvas, words, Rect(b.x + pad, b.y + pad, b.w - 2 * pad, b.h - 2 * pad), 6.5 * u, colour, max_lines=2)
    return canvas


def setup_check(canvas: np.ndarray, board: Board) -> np.ndarray:
    """Before counting: the panel says what is seen and how to place the camera."""
    if board.view is None or board.mode != "count" or board.view.state.started:
        return canvas
    lay = layout(canvas)
    u, p = lay.u, lay.panel
    st = board.view.state
    pad = int(3 * u)
    box = Rect(p.x + pad, p.y + pad, p.w - 2 * pad, p.h - 2 * pad)
    fill(canvas, p, PANEL)
    y = paragraph(canvas, "Getting ready", box, 5 * u, WHITE, max_lines=1)
    if st.tracking and st.setup_ok:
        status, colour = "I can see you. Get into the start position", GOOD
    elif st.tracking:
        status, colour = st.setup_message, WARN
    else:
        status, colour = "I can't see you yet", WARN
    y = paragraph(canvas, status, Rect(box.x, y + int(2 * u), box.w, int(20 * u)), 3.8 * u, colour, max_lines=4)
    paragraph(
        canvas,
        "Camera: " + board.exercise.camera.placement,
        Rect(box.x, y + int(3 * u), box.w, p.y + p.h - y - int(6 * u)),
        3.2 * u,
        MUTED,
        max_lines=6,
    )
    return canvas


DEMO_MAX_H_U = 34  # the demonstration's largest height, in units (a hundredth of the window's height)
DEMO_MIN_H_U = 9  # below this there is no room for it: the card shows none
DEMO_SIDE_SHARE = 0.34  # landscape: the share of the card's width it takes, beside the text


def demo_area(box: Rect, top: int, bottom: int, u: float) -> Rect | None:
    """Where a card's demonstration goes: centred in the free band from top to bottom, clear of
    the text above and below; None when the band is too low for one to be seen."""
    gap = int(2.5 * u)
    h = min(bottom - top - 2 * gap, int(DEMO_MAX_H_U * u))
    if h < DEMO_MIN_H_U * u:
        return None
    y = top + (bottom - top - h) // 2
    return Rect(box.x, y, box.w, h)


def _put_demo(canvas: np.ndarray, demo: np.ndarray, area: Rect) -> None:
    at = letterbox(canvas, demo, area)
    cv2.rectangle(canvas, (at.x - 1, at.y - 1), (at.x + at.w, at.y + at.h), MUTED, 1)


def _demo_beside(canvas: np.ndarray, board: Board, box: Rect) -> tuple[Rect, bool]:
    """A landscape card: the demonstration in the right part, drawn before the text; returns the
    box left for the text and whether it was drawn. A portrait card has room below its text."""
    H, W = canvas.shape[:2]
    if board.demo is None or W < H:
        return box, False
    u = layout(canvas).u
    dw = int(box.w * DEMO_SIDE_SHARE)
    h = min(box.h, int(DEMO_MAX_H_U * u))
    _put_demo(canvas, board.demo, Rect(box.x + box.w - dw, box.y + (box.h - h) // 2, dw, h))
    return Rect(box.x, box.y, box.w - dw - int(3 * u), box.h), True


def _demo_below(canvas: np.ndarray, board: Board, box: Rect, top: int, bottom: int) -> None:
    area = demo_area(box, top, bottom, layout(canvas).u) if board.demo is not None else None
    if area is not None and board.demo is not None:
        _put_demo(canvas, board.demo, area)


def _card(canvas: np.ndarray, alpha: float = 0.82) -> Rect:
    H, W = canvas.shape[:2]
    shade(canvas, Rect(0, 0, W, H), BACKGROUND, alpha)
    u = layout(canvas).u
    return Rect(int(6 * u), int(6 * u), W - int(12 * u), H - int(12 * u))


def start_card(canvas: np.ndarray, board: Board) -> np.ndarray:
    """Before counting: the exercise, the safety note, where to put the camera."""
    if board.mode != "start":
        return canvas
    box, beside = _demo_beside(canvas, board, _card(canvas))
    u = layout(canvas).u
    y = paragraph(canvas, board.exercise.name, box, 7 * u, WHITE, max_lines=1, centre=True)
    y = paragraph(
        canvas,
        board.exercise.summary,
        Rect(box.x, y + int(2 * u), box.w, int(14 * u)),
        3.6 * u,
        MUTED,
        max_lines=2,
        centre=True,
    )
    if board.first:
        for line in SAFETY_NOTE:
            y = paragraph(
                canvas, line, Rect(box.x, y + int(3 * u), box.w, int(14 * u)), 4.2 * u, WARN, max_lines=2, centre=True
            )
    y = paragraph(
        canvas,
        "Camera: " + board.exercise.camera.placement,
        Rect(box.x, y + int(4 * u), box.w, int(16 * u)),
        4.2 * u,
        WHITE,
        max_lines=3,
        centre=True,
    )
    if board.notice:
        y = paragraph(
            canvas,
            board.notice,
            Rect(box.x, y + int(3 * u), box.w, int(10 * u)),
            3.6 * u,
            MUTED,
            max_lines=2,
            centre=True,
        )
    countdown = box.y + box.h - int(6 * u)
    if not beside:
        _demo_below(canvas, board, box, y, countdown if board.seconds_left is not None else box.y + box.h)
    if board.seconds_left is not None:
        s = f"Starting in {math.ceil(board.seconds_left)} s - press space to start now"
        paragraph(
            canvas,
            s,
            Rect(box.x, countdown, box.w, int(6 * u)),
            3.6 * u,
            MUTED,
            max_lines=1,
            centre=True,
        )
    return canvas


def rest_card(canvas: np.ndarray, board: Board) -> np.ndarray:
    """Between exercises: the rest countdown and the next exercise's setup."""
    if board.mode != "rest":
        return canvas
    box, beside = _demo_beside(canvas, board, _card(canvas, 0.7))
    u = layout(canvas).u
    left = math.ceil(board.seconds_left or 0)
    y = paragraph(canvas, f"Rest {left}", box, 16 * u, WHITE, max_lines=1, centre=True)
    nxt = board.next_exercise or board.exercise
    y = paragraph(
        canvas,
        f"Next: {nxt.name}",
        Rect(box.x, y + int(4 * u), box.w, int(10 * u)),
        6 * u,
        GOOD,
        max_lines=1,
        centre=True,
    )
    y = paragraph(
        canvas, nxt.summary, Rect(box.x, y + int(2 * u), box.w, int(14 * u)), 3.8 * u, MUTED, max_lines=2, centre=True
    )
    y = paragraph(
        canvas,
        "Camera: " + nxt.camera.placement,
        Rect(box.x, y + int(3 * u), box.w, int(16 * u)),
        4.4 * u,
        WHITE,
        max_lines=3,
        centre=True,
    )
    if not beside:
        _demo_below(canvas, board, box, y, box.y + box.h)
    return canvas


def paused_card(canvas: np.ndarray, board: Board) -> np.ndarray:
    if board.mode != "paused":
        return canvas
    box = _card(canvas, 0.6)
    u = layout(canvas).u
    y = paragraph(
        canvas, "Paused", Rect(box.x, box.y + int(20 * u), box.w, int(20 * u)), 14 * u, WHITE, max_lines=1, centre=True
    )
    paragraph(
        canvas,
        board.message or "Press space to go on",
        Rect(box.x, y + int(4 * u), box.w, int(12 * u)),
        5 * u,
        MUTED,
        max_lines=2,
        centre=True,
    )
    return canvas


def camera_lost_card(canvas: np.ndarray, board: Board) -> np.ndarray:
    if board.mode != "camera_lost":
        return canvas
    box = _card(canvas, 0.75)
    u = layout(canvas).u
    y = paragraph(
        canvas,
        board.message or "The camera stopped sending pictures",
        Rect(box.x, box.y + int(18 * u), box.w, int(24 * u)),
        7 * u,
        WARN,
        max_lines=2,
        centre=True,
    )
    paragraph(
        canvas,
        "Waiting for it to come back. Press q to end and keep the session.",
        Rect(box.x, y + int(4 * u), box.w, int(14 * u)),
        4.5 * u,
        WHITE,
        max_lines=2,
        centre=True,
    )
    return canvas


def done_card(canvas: np.ndarray, board: Board) -> np.ndarray:
    if board.mode != "done":
        return canvas
    box = _card(canvas, 0.85)
    u = layout(canvas).u
    y = paragraph(canvas, board.message or "Session done", box, 9 * u, GOOD, max_lines=1, centre=True)
    for line in board.lines[:8]:
        y = paragraph(
            canvas, line, Rect(box.x, y + int(2 * u), box.w, int(8 * u)), 4.5 * u, WHITE, max_lines=1, centre=True
        )
    return canvas


def key_help(canvas: np.ndarray, board: Board) -> np.ndarray:
    if not board.keys or board.mode == "done":
        return canvas
    H, W = canvas.shape[:2]
    u = layout(canvas).u
    scale = fit_size(KEYS_HELP, 2.0 * u, W * 0.5)
    w, _ = measure(KEYS_HELP, scale)
    text(canvas, KEYS_HELP, (W - w - int(1.5 * u), H - int(1.2 * u)), scale, MUTED)
    return canvas


PAINTERS: tuple[Painter, ...] = (
    camera,
    header,
    guided_note,
    setup_check,
    counts,
    progress,
    hold,
    fault,
    instruction,
    start_card,
    rest_card,
    paused_card,
    camera_lost_card,
    done_card,
    key_help,
)


def render(board: Board, size: tuple[int, int], painters: Sequence[Painter] = PAINTERS) -> np.ndarray:
    """The whole screen at size (width, height)."""
    w, h = size
    canvas = np.zeros((max(120, h), max(160, w), 3), np.uint8)
    for paint in painters:
        canvas = paint(canvas, board)
    return canvas
