"""Comparing a review with the truth of a clip: counts, sides, holds, fault spans.

Pure functions on report-shaped dicts (posecheck's report and the performer's truth
share a shape), used by the accuracy benchmark and by the sample tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median
from typing import Any


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _labelled_span(rep: dict) -> tuple[float, float]:
    """A labelled rep's time span: one begun before the clip or ending after it has no start
    or no end (None) and reaches the clip's edge."""
    start, end = rep.get("start_s"), rep.get("end_s")
    return -math.inf if start is None else start, math.inf if end is None else end


def match_reps(got: list[dict], want: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs (got, want) of reps that overlap in time, best overlaps first, each used once."""
    pairs = []
    for i, g in enumerate(got):
        for j, w in enumerate(want):
            ov = _overlap(g["start_s"], g["end_s"] or g["start_s"], *_labelled_span(w))
            if ov > 0:
                pairs.append((ov, i, j))
    used_g, used_w, out = set(), set(), []
    for _, i, j in sorted(pairs, reverse=True):
        if i not in used_g and j not in used_w:
            used_g.add(i)
            used_w.add(j)
            out.append((got[i], want[j]))
    return sorted(out, key=lambda p: _labelled_span(p[1])[0])


def truth_hold_s(rep: dict) -> float | None:
    """The truth's achieved hold: from target reached to leaving it (one position), or the
    shortest of the positions' holds (cat-cow, pelvic tilt)."""
    holds = rep.get("holds")
    if isinstance(holds, list) and holds:
        return min(h["end_s"] - h["start_s"] for h in holds)
    if rep.get("hold_start_s") is None or rep.get("hold_end_s") is None:
        return None
    return rep["hold_end_s"] - rep["hold_start_s"]


@dataclass
class FaultTally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    unseen: int = 0  # of the missed (fn), those the report said the camera could not see

    def add(self, other: FaultTally) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.unseen += other.unseen

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None and r is None else 0.0
        return 2 * p * r / (p + r)


def fault_tally(got: list[dict], want: list[dict], slack_s: float = 0.5, reps: list[dict] | None = None) -> FaultTally:
    """A truth fault span is found when a reported span of the same id overlaps it; a missed
    one is said unseen when a reported rep overlapping it lists its id as not seen."""

    def hits(a: dict, b: dict) -> bool:
        return (
            a["id"] == b["id"]
            and _overlap(a["start_s"] - slack_s, (a["end_s"] or a["start_s"]) + slack_s, b["start_s"], b["end_s"]) > 0
        )

    tp = sum(any(hits(g, w) for g in got) for w in want)
    fn = len(want) - tp
    fp = sum(not any(hits(g, w) for w in want) for g in got)

    def said_unseen(w: dict) -> bool:
        return any(
            w["id"] in (r.get("faults_unseen") or [])
            and _overlap(r["start_s"], r["end_s"] if r["end_s"] is not None else r["start_s"], w["start_s"], w["end_s"])
            > 0
            for r in reps or []
        )

    unseen = sum(not any(hits(g, w) for g in got) and said_unseen(w) for w in want)
    return FaultTally(tp, fp, fn, unseen)


@dataclass
class ClipResult:
    name: str
    exercise: str
    kind: str
    countable: bool
    counted: int
    counted_truth: int
    attempted: int
    sides_right: int = 0
    sides_total: int = 0
    hold_errors: list[float] = field(default_factory=list)
    faults: FaultTally = field(default_factory=FaultTally)

    @property
    def count_error(self) -> int:
        return self.counted - self.counted_truth


def compare(name: str, report: dict[str, Any], truth: dict[str, Any]) -> ClipResult:
    countable = report.get("countable", True) is not False
    res = ClipResult(
        name=name,
        exercise=truth["exercise"],
        kind=truth.get("kind", "good"),
        countable=countable,
        counted=report["summary"]["reps_counted"],
        counted_truth=truth["summary"]["reps_counted"],
        attempted=report["summary"]["reps_attempted"],
    )
    for g, w in match_reps(report["reps"], truth["reps"]):
        if w.get("side") is not None:
            res.sides_total += 1
            res.sides_right += g.get("side") == w["side"]
        want_hold = truth_hold_s(w)
        if g["counted"] and w["counted"] and want_hold is not None:
            res.hold_errors.append(g["hold_s"] - want_hold)
    res.faults = fault_tally(report["faults"], truth["faults"], reps=report["reps"])
    return res


def summarise(results: list[ClipResult]) -> dict[str, Any]:
    """One row of the table: a set of clips (an exercise, or all)."""
    counted = [r for r in results if r.countable and r.kind != "negative"]
    negatives = [r for r in results if r.kind == "negative"]
    faults = FaultTally()
    for r in results:
        faults.add(r.faults)
    holds = [abs(e) for r in results for e in r.hold_errors]
    sides_total = sum(r.sides_total for r in results)
    return {
        "clips": len(results),
        "exact": sum(r.count_error == 0 for r in counted) / len(counted) if counted else None,
        "off_by_one": sum(abs(r.count_error) == 1 for r in counted) / len(counted) if counted else None,
        "count_mae": sum(abs(r.count_error) for r in counted) / len(counted) if counted else None,
        "side_acc": sum(r.sides_right for r in results) / sides_total if sides_total else None,
        "hold_err_median_s": median(holds) if holds else None,
        "hold_err_max_s": max(holds) if holds else None,
        "fault_p": faults.precision,
        "fault_r": faults.recall,
        "fault_f1": faults.f1,
        "fault_missed": faults.fn,
        "fault_missed_said_unseen": faults.unseen,
        "negatives": len(negatives),
        "false_reps": sum(r.attempted for r in negatives),
        "not_countable": sum(not r.countable for r in results),
    }
