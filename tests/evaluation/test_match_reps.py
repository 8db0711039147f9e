"""Reps reported by a review matched to the labelled ones by their overlap in time."""

from __future__ import annotations

from posecheck.evaluation.accuracy import match_reps


def rep(start, end, **kw):
    return {"start_s": start, "end_s": end, **kw}


def test_each_labelled_rep_takes_the_reported_rep_it_overlaps_most():
    got = [rep(0.5, 4.0, side="left"), rep(5.0, 9.0, side="right")]
    want = [rep(4.5, 9.5, side="right"), rep(0.0, 4.2, side="left")]
    assert [(g["side"], w["side"]) for g, w in match_reps(got, want)] == [("left", "left"), ("right", "right")]


def test_a_labelled_rep_cut_by_the_clip_reaches_its_edge():
    # a rep under way when the clip begins (no start) or still held when it ends (no end)
    got = [rep(0.0, 1.2, side="right"), rep(6.0, 9.3, side="right")]
    want = [rep(None, 1.5, side="right"), rep(5.8, None, side="right")]
    assert len(match_reps(got, want)) == 2


def test_a_reported_rep_without_an_end_matches_nothing():
    assert match_reps([rep(2.0, None)], [rep(1.0, 3.0)]) == []
