"""The back-pain question at the end of a live session (issue 11): the number keys and the skip
key, pure and in the live loop without a display; the card it draws."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.coach.overlay import GOOD
from posecheck.coach.pain import ASK_S, TEN_WAIT_S, PainQuestion, ask, pain_card
from posecheck.coach.screen import Board, render
from posecheck.exercise.definition import load

BRIDGE = load("bridge")

# case: keys as (t_s, key), then the time ticked to -> (done, answer)
KEYS = {
    "a digit answers at once": ([(0.5, "7")], 0.5, True, 7),
    "0 is an answer": ([(0.5, "0")], 0.5, True, 0),
    "1 then 0 is 10": ([(0.5, "1"), (0.9, "0")], 0.9, True, 10),
    "1 waits for a 0": ([(0.5, "1")], 0.5 + TEN_WAIT_S / 2, False, None),
    "1 alone is 1 after the wait": ([(0.5, "1")], 0.5 + TEN_WAIT_S, True, 1),
    "1 then Enter is 1": ([(0.5, "1"), (0.6, " ")], 0.6, True, 1),
    "s skips": ([(0.5, "s")], 0.5, True, None),
    "q or Esc skips": ([(0.5, "q")], 0.5, True, None),
    "other keys do nothing": ([(0.5, "n"), (0.6, "r"), (0.7, " ")], 1.0, False, None),
    "nobody answers: skipped": ([], ASK_S, True, None),
    "an answer is final": ([(0.5, "3"), (0.6, "5"), (0.7, "s")], 0.7, True, 3),
}


@pytest.mark.parametrize("name", list(KEYS))
def test_keys(name):
    keys, until, done, answer = KEYS[name]
    q = PainQuestion(0.0)
    for t, k in keys:
        q.tick(t)
        q.key(k, t)
    q.tick(until)
    assert (q.done, q.answer) == (done, answer)


def _lit_cells(canvas: np.ndarray) -> np.ndarray:
    """Columns where the lit (GOOD) cell is, in the middle band of the screen."""
    h = canvas.shape[0]
    band = canvas[h // 3 : 2 * h // 3].astype(int)
    mask = np.abs(band - np.array(GOOD)).sum(axis=2) < 30
    return np.flatnonzero(mask.sum(axis=0) > 5)


def test_the_card_lights_the_number_typed():
    board = Board(BRIDGE, mode="pain", keys=False)
    plain = render(board, (1280, 720), (pain_card,))
    assert _lit_cells(plain).size == 0  # nothing typed: no cell lit
    xs = {n: _lit_cells(render(Board(BRIDGE, mode="pain", message=str(n)), (1280, 720), (pain_card,))) for n in (0, 10)}
    assert xs[0].size and xs[10].size and xs[0].max() < 640 < xs[10].min()  # 0 on the left, 10 on the right
    assert not render(Board(BRIDGE, mode="count"), (320, 180), (pain_card,)).any()  # only in its mode


class FakeWindow:
    """Keys at poll numbers, a clock that moves on each idle."""

    def __init__(self, keys: dict[int, str]) -> None:
        self.keys, self.polls, self.shown, self.now = keys, 0, [], 0.0

    def size(self) -> tuple[int, int]:
        return (320, 180)

    def show(self, canvas) -> None:
        self.shown.append(canvas)

    def poll(self) -> str | None:
        self.polls += 1
        return self.keys.get(self.polls)


def test_ask_in_a_window_without_a_display():
    ui = FakeWindow({3: "4"})
    said = []
    clock = lambda: ui.now  # noqa: E731

    def idle():
        ui.now += 0.05

    assert ask(ui, Board(BRIDGE), say=said.append, clock=clock, idle=idle) == 4
    assert ui.shown and "How is your back today?" in said[0]
    ui = FakeWindow({2: "s"})
    assert ask(ui, Board(BRIDGE), clock=clock, idle=idle) is None
    ui = FakeWindow({})
    assert ask(ui, Board(BRIDGE), clock=clock, idle=lambda: setattr(ui, "now", ui.now + 5.0)) is None
    assert ui.now >= ASK_S
