"""The review report: what other tools read. Keys listed in the README stay stable."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from posecheck import __version__
from posecheck.exercise.definition import Exercise
from posecheck.exercise.state import FaultSpan, Rep
from posecheck.records.sessions import SessionRow


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 3)


class _Timed(Protocol):
    index: int
    start_s: float
    end_s: float | None


def rep_at(reps: Sequence[_Timed], t: float) -> int | None:
    """The rep a fault that began at t belongs to: the one under way then (the next to finish)."""
    for rep in reps:
        if rep.start_s - 1e-6 <= t <= (rep.end_s if rep.end_s is not None else t) + 1e-6:
            return rep.index
    return len(reps) + 1


def rep_dict(rep: Rep) -> dict[str, Any]:
    return {
        "index": rep.index,
        "side": rep.side,
        "start_s": _r(rep.start_s),
        "end_s": _r(rep.end_s),
        "hold_s": _r(rep.hold_s),
        "counted": bool(rep.counted),
        "faults": list(rep.faults),
        "hold_start_s": _r(rep.hold_start_s),
        "hold_end_s": _r(rep.hold_end_s),
        "holds": {k: _r(v) for k, v in rep.holds.items()},
        "guided": rep.guided,
        "faults_unseen": list(rep.faults_unseen),  # faults that matter in its positions but the camera cannot see there
        # a watched guided exercise (pelvic tilt): counted from what the camera saw, throughout
        **({"seen": rep.seen} if rep.seen is not None else {}),
    }


def fault_dict(span: FaultSpan, peak: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": span.id,
        "message": span.message,
        "start_s": _r(span.start_s),
        "end_s": _r(span.end_s),
        "rep": span.rep,
    }
    if peak is not None:  # its clearest moment: the measured value and the pose then
        out["peak"] = peak
    return out


def build(
    exercise: Exercise,
    *,
    video: str,
    duration_s: float,
    frames: int,
    frames_with_pose: int,
    hold_s: float,
    target: int,
    reps: list[Rep],
    faults: list[FaultSpan],
    fault_peaks: Callable[[FaultSpan], dict[str, Any] | None] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    counted = sum(r.counted for r in reps)
    report: dict[str, Any] = {
        "exercise": exercise.id,
        "name": exercise.name,
        "video": video,
        "duration_s": _r(duration_s),
        "frames": frames,
        "frames_with_pose": frames_with_pose,
        "hold_s": _r(hold_s),
        "target": target,
        "reps": [rep_dict(r) for r in reps],
        "faults": [fault_dict(f, fault_peaks(f) if fault_peaks else None) for f in faults],
        # the words for reps' `faults_unseen` (never raised, so not among the spans)
        "faults_unseen_messages": {f.id: f.message for f in exercise.faults if f.hidden_in},
        "summary": {
            "reps_counted": counted,
            "reps_attempted": len(reps),
            "reps_guided": sum(r.guided for r in reps),
            "fault_ids": sorted({f.id for f in faults}),
        },
        "posecheck": __version__,
    }
    report.update(extra)
    return report


def write(report: dict[str, Any], path: Path) -> None:
    """Write the report safely: to a temporary file beside `path`, moved into place when complete."""
    from posecheck.records.safeout import write_text

    write_text(path, dumps(report))


def dumps(doc: dict[str, Any]) -> str:
    """A report as JSON text; a bare NaN or Infinity (not JSON) is refused, never written
    (the inputs are checked finite where they enter, so one here is a bug)."""
    return json.dumps(doc, indent=1, allow_nan=False) + "\n"


def from_history(row: SessionRow, reps: list[dict[str, Any]], faults: list[dict[str, Any]]) -> dict[str, Any]:
    """A report-shaped dict from the history's rows, for a session that never wrote one."""

    class _R:  # rep_at reads start_s, end_s and index
        def __init__(self, d: dict[str, Any]) -> None:
            self.start_s, self.end_s, self.index = d["start_s"] or 0.0, d["end_s"], d["index"]

    spans = [dict(f, rep=rep_at([_R(r) for r in reps], f["start_s"])) for f in faults]
    # a rep's `seen` is in a report only for a watched movement, as a review writes it
    reps = [{k: v for k, v in r.items() if k != "seen" or v is not None} for r in reps]
    return {
        "exercise": row.exercise,
        "name": "",
        "video": row.source,
        "duration_s": row.duration_s,
        "hold_s": row.hold_s or 0.0,
        "target": row.target,
        "reps": reps,
        "faults": spans,
        "summary": {
            "reps_counted": sum(r["counted"] for r in reps),
            "reps_attempted": len(reps),
            "reps_guided": sum(r["guided"] for r in reps),
            "fault_ids": sorted({f["id"] for f in faults}),
        },
        "settings": row.settings,
    }
