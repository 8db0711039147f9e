"""The lettering: text drawn where it is measured, outline included, in the bundled font."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.coach import lettering

BLACK, WHITE = (0, 0, 0), (255, 255, 255)
GREY = (128, 128, 128)


def ink_box(img: np.ndarray, background=GREY) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), inclusive, of the pixels that differ from the background."""
    ys, xs = np.nonzero((img != np.array(background, np.uint8)).any(axis=2))
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


@pytest.mark.parametrize("text", ["Lift your hips higher, onto the floor", "both", "0", "10 / 10 reps", "Hold — 3 s"])
@pytest.mark.parametrize("cap_px", [9, 18, 44])
def test_ink_ends_where_the_measured_width_ends(text, cap_px):
    # The old lettering's outline was laid out wider than its letters: every line ended in
    # a ghost of its last letter ("floor r", "bothh"), well past the measured width.
    img = np.full((200, 1600, 3), GREY, np.uint8)
    org = (40, 120)
    width = lettering.draw(img, text, org, cap_px, WHITE)
    w, h = lettering.measure(text, cap_px)
    assert width == w
    x0, y0, x1, _ = ink_box(img)
    reach = lettering.outline_px(cap_px) + 1  # the outline, and a pixel of anti-aliasing
    assert org[0] - reach <= x0 <= org[0] + cap_px * 0.3
    assert x1 <= org[0] + w + reach
    assert x1 >= org[0] + w - cap_px * 0.6  # the last letter ends near the advance
    assert y0 >= org[1] - h - reach  # nothing above the letters
    assert abs(lettering.measure("H", cap_px)[1] - cap_px) <= max(1.0, 0.08 * cap_px)


def test_the_zero_is_open_not_a_blob():
    img = np.full((200, 200, 3), GREY, np.uint8)
    lettering.draw(img, "0", (60, 150), 100, WHITE)
    x0, y0, x1, y1 = ink_box(img)
    centre = img[(y0 + y1) // 2, (x0 + x1) // 2]
    assert (centre == GREY).all()  # the counter shows through: no slash, no fill


def test_the_outline_is_dark_and_hugs_the_letters():
    img = np.full((120, 400, 3), WHITE, np.uint8)
    lettering.draw(img, "Hold", (20, 80), 40, WHITE)
    dark = (img < 80).all(axis=2)
    assert dark.mean() > 0.01  # white letters read on a white wall through their outline
    none = np.full((120, 400, 3), WHITE, np.uint8)
    lettering.draw(none, "Hold", (20, 80), 40, BLACK, outline=None)
    assert ink_box(none, WHITE)[2] <= 20 + lettering.measure("Hold", 40)[0] + 1


def test_text_at_the_edges_is_cut_not_an_error():
    img = np.full((50, 80, 3), GREY, np.uint8)
    for org in [(-30, 10), (60, 45), (0, -20), (100, 100)]:
        lettering.draw(img, "Edge of the picture", org, 20, WHITE)
    assert img.shape == (50, 80, 3)


def test_typographic_characters_are_drawn_not_dropped():
    # the exercise files say "Hold — …", "2–3 m", "90°": the bundled font has them
    for ch in "—–’“”×°":
        img = np.full((80, 80, 3), GREY, np.uint8)
        lettering.draw(img, ch, (10, 60), 30, WHITE, outline=None)
        assert (img != GREY).any(), ch


def test_wrap_keeps_lines_within_the_width():
    text = "Put the camera at floor level, 2–3 m to your side, so your whole body is in view."
    lines = lettering.wrap(text, 20, 300)
    assert len(lines) > 1 and " ".join(lines) == text
    assert all(lettering.measure(line, 20)[0] <= 300 for line in lines)


def test_font_ships_with_its_licence():
    folder = lettering.FONT_FILE.parent
    assert lettering.FONT_FILE.is_file()
    assert "Bitstream" in (folder / "LICENSE-DejaVu").read_text()
    assert "sha256" in (folder / "PROVENANCE.md").read_text()
