"""Looking closer for a person too small in the picture (posecheck/pose/zoom.py): pure."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.pose import zoom
from posecheck.pose.zoom import Box, Zoom, around, squares


@pytest.mark.parametrize(("width", "height"), [(480, 640), (640, 480), (1920, 1080), (300, 300)])
def test_the_squares_cover_every_pixel_and_stay_inside(width, height):
    covered = np.zeros((height, width), dtype=bool)
    for box in squares(width, height):
        assert box.x >= 0 and box.x + box.side <= width and box.y >= 0 and box.y + box.side <= height
        covered[box.y : box.y + box.side, box.x : box.x + box.side] = True
    assert covered.all()


def test_the_followed_square_holds_the_person_with_room_and_stays_in_the_frame():
    xy = np.array([[170.0, 300.0], [300.0, 335.0]])  # a small person lying far away (portrait frame)
    box = around(xy, 480, 640)
    assert box.side == pytest.approx(zoom.ROOM * 130, abs=1)
    assert box.x <= 170 and box.x + box.side >= 300 and box.y <= 300 and box.y + box.side >= 335
    edge = around(np.array([[0.0, 600.0], [100.0, 639.0]]), 480, 640)  # at the frame's corner
    assert edge.x == 0 and edge.y + edge.side == 640
    assert around(np.array([[0.0, 0.0], [479.0, 600.0]]), 480, 640).side == 480  # never past the shorter side


def test_it_looks_closer_only_after_nobody_was_found_for_a_while_one_square_at_a_time():
    z = Zoom(480, 640)
    fps = 30
    tried = [(i / fps, z.whole_frame(i / fps, found=False)) for i in range(3 * fps)]
    first = min(t for t, box in tried if box is not None)
    assert first == pytest.approx(zoom.SEARCH_AFTER_S, abs=1 / fps)
    times = [t for t, box in tried if box is not None]
    assert min(np.diff(times)) >= zoom.STEP_S - 1e-9  # one model call more at most every STEP_S
    boxes = [box for _, box in tried if box is not None]
    assert boxes[: len(squares(480, 640))] == squares(480, 640)[: len(boxes)]  # each square in turn
    # a person found in the whole frame again, steadily: no looking closer for a while
    assert all(z.whole_frame(3.0 + i / fps, found=True) is None for i in range(round(zoom.STEADY_S * fps) + 1))
    assert z.whole_frame(3.6, found=False) is None


def test_a_person_found_for_a_frame_or_two_among_misses_is_still_looked_for_closer():
    fps = 15  # a far person lying down, caught by the whole frame for 2 frames in every 17
    z = Zoom(640, 480)
    caught = [i % 17 in (9, 10) for i in range(3 * fps)]
    tried = [i / fps for i in range(3 * fps) if z.whole_frame(i / fps, found=caught[i]) is not None]
    assert tried and tried[0] == pytest.approx(zoom.SEARCH_AFTER_S, abs=1 / fps)


def test_a_person_found_in_a_square_is_followed_until_lost_for_a_while_or_too_big():
    z = Zoom(480, 640)
    person = np.array([[170.0, 300.0], [300.0, 335.0]])
    z.found_in(person)
    box = z.box
    assert isinstance(box, Box)
    z.followed(1.0, person)
    assert z.box == box  # the same square while they are in it (the tracker keeps its place)
    z.followed(1.1, None)
    z.followed(1.1 + zoom.SEARCH_AFTER_S / 2, None)
    assert z.box == box  # a moment lost: still followed
    z.followed(1.1 + zoom.SEARCH_AFTER_S, None)
    assert z.box is None  # lost for a while: the whole frame again
    z.found_in(person)
    z.followed(5.0, np.array([[0.0, 100.0], [zoom.TOO_BIG * z.box.side + 10, 400.0]]))
    assert z.box is None  # they came closer: the whole frame finds them
