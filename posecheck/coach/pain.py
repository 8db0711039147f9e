"""At the end of a live session: "How is your back today?", 0 to 10, answered with the number
keys (or skipped), as physical therapists ask and track it beside adherence.

`PainQuestion` is the answer being typed, driven by keys and the time; `pain_card` draws it
over the screen; `ask` shows it in the live window until it is answered, skipped or left.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from posecheck.coach.layout import Rect, fill, layout, measure, paragraph, text
from posecheck.coach.overlay import GOOD, WHITE
from posecheck.coach.screen import INK, MUTED, PAINTERS, Board, _card, render

QUESTION = "How is your back today?"
SCALE_WORDS = "0 no pain  -  10 the worst pain"
KEYS_WORDS = "Press a number (1 then 0 for 10), or s to skip"
PAIN_MAX = 10
TEN_WAIT_S = 1.5  # after "1": this long for a "0" (10) before 1 is taken as the answer
ASK_S = 60.0  # nobody answered: the question goes away, skipped
SHOWN_S = 0.8  # the answer stays on screen this long
SKIP_KEYS = ("s", "q")  # q and Esc: the window maps Esc to q


class PainQuestion:
    """The answer typed so far. Keys: digits; space or Enter confirms what is typed; s, q or
    Esc skips. A digit other than 1 answers at once; 1 waits briefly for a 0 (10)."""

    def __init__(self, t_s: float) -> None:
        self.asked_at = t_s
        self.typed = ""
        self.typed_at: float | None = None
        self.answer: int | None = None
        self.done = False

    def key(self, key: str, t_s: float) -> None:
        if self.done:
            return
        if key in SKIP_KEYS:
            self.done = True
        elif key == " ":
            if self.typed:
                self._answer(int(self.typed))
        elif key.isdigit() and len(key) == 1:
            if self.typed == "1" and key == "0":
                self._answer(10)
            elif key == "1":
                self.typed, self.typed_at = "1", t_s
            else:
                self._answer(int(key))

    def tick(self, t_s: float) -> None:
        if self.done:
            return
        if self.typed == "1" and self.typed_at is not None and t_s - self.typed_at >= TEN_WAIT_S:
            self._answer(1)
        elif t_s - self.asked_at >= ASK_S:
            self.done = True

    def _answer(self, value: int) -> None:
        self.answer, self.typed, self.done = min(PAIN_MAX, max(0, value)), str(value), True


def pain_card(canvas: np.ndarray, board: Board) -> np.ndarray:
    """The question, the 0-10 row (the number typed lit), and the keys. board.message: typed."""
    if board.mode != "pain":
        return canvas
    box = _card(canvas, 0.88)
    u = layout(canvas).u
    y = paragraph(canvas, QUESTION, Rect(box.x, box.y + int(8 * u), box.w, int(14 * u)), 8 * u, WHITE,
                  max_lines=1, centre=True)  # fmt: skip
    y = paragraph(canvas, SCALE_WORDS, Rect(box.x, y + int(2 * u), box.w, int(8 * u)), 4 * u, MUTED,
                  max_lines=1, centre=True)  # fmt: skip
    cell = min(int(10 * u), box.w // (PAIN_MAX + 1))
    x0 = box.x + (box.w - cell * (PAIN_MAX + 1)) // 2
    top = y + int(4 * u)
    for n in range(PAIN_MAX + 1):
        r = Rect(x0 + n * cell + 2, top, cell - 4, cell - 4)
        lit = board.message == str(n)
        fill(canvas, r, GOOD if lit else (70, 64, 58))
        label = str(n)
        w, h = measure(label, 0.45 * cell)
        text(canvas, label, (r.x + (r.w - w) // 2, r.y + (r.h + h) // 2), 0.45 * cell, INK if lit else WHITE)
    paragraph(canvas, KEYS_WORDS, Rect(box.x, top + cell + int(4 * u), box.w, int(8 * u)), 4 * u, MUTED,
              max_lines=1, centre=True)  # fmt: skip
    return canvas


PAIN_PAINTERS = (*PAINTERS, pain_card)


def ask(
    ui: Any,
    board: Board,
    *,
    say: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    idle: Callable[[], None] = lambda: time.sleep(0.02),
) -> int | None:
    """Ask in the window (`ui`: show, poll, size) until answered, skipped or ASK_S passes;
    the answer 0-10, or None."""
    question = PainQuestion(clock())
    if say is not None:
        say(f"{QUESTION} Press a number from 0 to {PAIN_MAX}, or s to skip.")
    while not question.done:
        key = ui.poll()
        if getattr(ui, "closed", False):
            return None
        if key is not None:
            question.key(key, clock())
        question.tick(clock())
        ui.show(render(replace(board, mode="pain", message=question.typed, keys=False), ui.size(), PAIN_PAINTERS))
        if not question.done:
            idle()
    if question.answer is not None:
        end = clock() + SHOWN_S
        while clock() < end and not getattr(ui, "closed", False):
            ui.poll()
            idle()
    return question.answer
