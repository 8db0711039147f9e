"""The therapist's page on a guided movement the camera may see (records/seenpage.py): the
figures in words, why it was never taken from the picture, and a review that counted nothing."""

from __future__ import annotations

import html
import re

import pytest

from posecheck.records.therapist import ReportError, _check_shape, render, words_for

FIGURES = {
    "signal": "belly_rise", "torso_px": 150.0, "noise_px": 0.08, "tilt_px": 2.2, "bound_px": 0.9,
    "noise_factor": 3.0, "min_bound_px": 2.0, "in_position_s": 30.0, "seen_s": 0.0, "first_seen_s": None,
}  # fmt: skip
REVIEW = {
    "exercise": "pelvic_tilt", "hold_s": 5.0, "target": 5, "reps": [], "faults": [],
    "summary": {"reps_counted": 0, "reps_attempted": 0, "reps_guided": 0, "fault_ids": []},
    "countable": False, "not_countable_reason": "I can't see your lower back tilt clearly enough in this picture",
    "seen": FIGURES,
}  # fmt: skip


def text_of(report) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", render(report, video=None, words=words_for(report))))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({}, "body is too small in the picture: 0.90 px is under the 2.0 px needed"),
        ({"bound_px": 3.0, "noise_px": 1.2}, "picture is too unsteady: 3 × the noise is over 3.0 px"),
        ({"noise_px": None}, "person never lay still long enough"),
    ],
)
def test_a_review_never_seen_says_so_and_why(change, why):
    text = text_of({**REVIEW, "seen": {**FIGURES, **change}})
    assert "Not counted from the video: I can't see your lower back tilt clearly enough in this picture." in text
    assert "Seen by the camera" in text and f"It never was: the {why}" in text


def test_a_review_found_unsteady_says_when_and_by_how_much():
    unsteady = {"bound_px": 3.0, "first_seen_s": 4.2, "seen_s": 9.0, "min_seen_s": 2.0,
                "unsteady": True, "unsteady_share": 0.25, "max_unsteady_share": 0.12}  # fmt: skip
    text = text_of({**REVIEW, "seen": {**FIGURES, **unsteady}})
    assert "Not counted from the video" in text
    assert "It was from 4.2 s, until the outline was found too unsteady to time a hold" in text
    assert "25% of its steps from one frame to the next jumped past the bound (over 12% is too many)" in text


def test_a_report_without_figures_shows_no_such_row():
    text = text_of({k: v for k, v in REVIEW.items() if k not in ("seen", "countable")})
    assert "Seen by the camera" not in text and "Not counted from the video" not in text


def test_figures_of_the_wrong_shape_are_refused_in_one_line(tmp_path):
    with pytest.raises(ReportError, match=r"seen.torso_px"):
        _check_shape(tmp_path / "r.json", {**REVIEW, "seen": {**FIGURES, "torso_px": "far"}})
