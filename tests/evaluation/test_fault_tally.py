"""Fault scoring: found, missed, extra; and a miss the report said the camera could not see."""

from __future__ import annotations

from posecheck.evaluation.accuracy import fault_tally


def _span(fid: str, start: float, end: float) -> dict:
    return {"id": fid, "start_s": start, "end_s": end}


def test_found_missed_and_extra() -> None:
    want = [_span("hips_low", 2.0, 6.0), _span("hips_low", 10.0, 14.0)]
    got = [_span("hips_low", 5.5, 7.0), _span("shoulders_lifted", 20.0, 21.0)]
    t = fault_tally(got, want)
    assert (t.tp, t.fp, t.fn, t.unseen) == (1, 1, 1, 0)


def test_a_miss_said_unseen_is_still_a_miss() -> None:
    want = [_span("other_leg_lifted", 3.0, 10.0), _span("other_leg_lifted", 30.0, 36.0)]
    reps = [
        {"start_s": 2.0, "end_s": 11.0, "faults_unseen": ["other_leg_lifted"]},  # said, over the first
        {"start_s": 28.0, "end_s": 38.0, "faults_unseen": []},  # silent over the second
    ]
    t = fault_tally([], want, reps=reps)
    assert (t.tp, t.fn, t.unseen) == (0, 2, 1)
    assert t.recall == 0.0  # saying so does not make it found
