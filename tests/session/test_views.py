"""A recording that changes camera (a demo cut from one angle to another) is told from the
picture: people moving and the light changing are not a new view; a cut, or a cross-fade
spread over frames, is one; filmed close, a person moving is not one either."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.pose.types import Detection
from posecheck.session.place import PersonPlace
from posecheck.session.poses import Posed, RecordedPoses, VideoFacts, keep
from posecheck.session.views import ViewWatch

from stickfigure import REST, pose_of


def _room(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cells = rng.integers(100, 230, size=(9, 16, 3)).astype(np.uint8)
    return np.kron(cells, np.ones((40, 40, 1), dtype=np.uint8))  # 360 x 640, BGR


def _person(room: np.ndarray, x: int) -> np.ndarray:
    out = room.copy()
    out[60:300, x : x + 160] = 70  # a dark figure a quarter of the frame wide
    return out


def _watch(frames, fps=30.0):
    w = ViewWatch()
    return [round(i / fps, 3) for i, f in enumerate(frames) if w.update(i / fps, f)]


def test_a_person_moving_across_the_room_is_not_a_new_view():
    room = _room(1)
    frames = [_person(room, 40 + 12 * i) for i in range(40)] + [_person(room, 520 - 12 * i) for i in range(40)]
    assert _watch(frames) == []


def test_the_light_fading_is_not_a_new_view():
    room = _person(_room(1), 200)
    frames = [(room.astype(np.int16) - i).astype(np.uint8) for i in range(60)]  # a fade to black, slowly
    assert _watch(frames) == []


@pytest.mark.parametrize("fade_frames", [1, 7])
def test_a_cut_or_a_cross_fade_to_another_camera_is_one_new_view(fade_frames):
    a, b = _person(_room(1), 200), _person(_room(2), 300)
    frames = [a] * 30
    frames += [(a * (1 - k / fade_frames) + b * (k / fade_frames)).astype(np.uint8) for k in range(1, fade_frames + 1)]
    frames += [b] * 60
    (t,) = _watch(frames)
    assert 1.0 <= t <= 1.0 + fade_frames / 30 + 0.3


def _framed(picture: np.ndarray, grey: int, rows: int, cols: int) -> np.ndarray:
    """The picture with flat bands of `grey` at both ends: `rows` above and below, `cols` beside."""
    return np.pad(picture, ((rows, rows), (cols, cols), (0, 0)), constant_values=grey)


# A far camera's picture padded out, or a portrait video with bars: the bars cover most of the
# cells, and are compared no more.
@pytest.mark.parametrize("bars", [(128, 120, 213), (0, 0, 400)])
def test_a_cut_between_bars_is_one_new_view_and_moving_there_is_none(bars):
    a, b = _room(1), _room(2)
    moving = [_framed(_person(a, 40 + 12 * i), *bars) for i in range(40)]
    assert _watch(moving) == []
    (t,) = _watch([_framed(_person(a, 200), *bars)] * 30 + [_framed(_person(b, 300), *bars)] * 30)
    assert t == 1.0


# A band clipped white above and below (a lit studio) is no bar.
def test_bands_clipped_white_are_not_taken_for_bars():
    room = np.full((360, 640, 3), 255, np.uint8)  # a white studio, the person filling its middle
    frames = []
    for i in range(40):
        frame = room.copy()
        frame[130:230, 60 + 10 * i : 360 + 10 * i] = 40 + (i % 2) * 60  # the person moving
        frames.append(frame)
    assert _watch(frames) == []


def test_a_record_keeps_where_the_view_changed(tmp_path):
    facts = VideoFacts(fps=10.0, width=64, height=48, frame_count=4, last_t_s=0.3)
    frames = [keep(Posed(i / 10, Detection(poses=()), new_view=i == 2), False) for i in range(4)]
    path = tmp_path / "r.npz"
    RecordedPoses(facts, frames, False).save(path)
    assert [p.new_view for p in RecordedPoses.load(path).frames(masks=False)] == [False, False, True, False]
    # a record written before views were told has none
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files if k != "new_view"}
    np.savez_compressed(path, **arrays)
    assert not any(p.new_view for p in RecordedPoses.load(path).frames(masks=False))


def _scaled(pose, k: float, dy: float = 0.0):
    """The stick figure filmed k times closer (about the picture's top left), hips moved dy px."""
    xy = pose.xy * k
    xy[[23, 24], 1] += dy
    return pose.with_points(xy, pose.z, pose.world)


# Filmed close, the person's own movement changes most of the picture: a cut is told by the
# person jumping in place or size too. A person smaller in the picture is left to the
# picture's test (a cut to another angle may leave them where they were).
@pytest.mark.parametrize(
    ("name", "k_before", "k_now", "hips_dy", "explained"),
    [
        ("close-up, the hips rising", 1.8, 1.8, -15.0, True),
        ("close-up, cut to closer still", 1.8, 2.7, 0.0, False),
        ("close-up, the body moved across the picture", 1.8, 1.8, 200.0, False),
        ("a small person, the hips rising", 1.0, 1.0, -10.0, False),
    ],
)
def test_a_person_filling_the_picture_explains_its_change_unless_they_jumped(name, k_before, k_now, hips_dy, explained):
    place = PersonPlace()
    for i in range(8):
        place.remember(i / 30, _scaled(pose_of(REST), k_before))
    now = _scaled(pose_of(REST), k_now, hips_dy)
    assert place.explains(8 / 30, now) == explained, name
