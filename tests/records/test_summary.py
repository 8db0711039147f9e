"""The printed summary: faults by their message, counts that agree with their number,
long lines wrapped at spaces."""

from __future__ import annotations

import pytest

from posecheck.records.summary import as_clause, plural, summary_lines, wrap


def report(reps, faults=(), **extra):
    doc = {
        "exercise": "bridge",
        "name": "Bridge exercise",
        "hold_s": 12.0,
        "reps": reps,
        "faults": list(faults),
        "summary": {"reps_counted": sum(r["counted"] for r in reps), "reps_attempted": len(reps)},
    }
    doc.update(extra)
    return doc


def rep(i, counted, hold_s, faults=()):
    return {"index": i, "side": None, "start_s": 2.0 + 10 * i, "end_s": 9.0 + 10 * i, "hold_s": hold_s,
            "counted": counted, "faults": list(faults)}  # fmt: skip


HIPS = {"id": "hips_low", "message": "Lift your hips higher", "start_s": 3.0, "end_s": 4.0, "rep": 1}
HEAD = {"id": "head_lifted", "message": "Rest your head on the floor", "start_s": 5.0, "end_s": 6.0, "rep": 1}

# case: (reps, fault spans) -> the line of rep 1
CASES = {
    "counted": ([rep(1, True, 12.4)], [], "  rep 1: 12.0–19.0 s, held 12.4 s, counted"),
    "too short": ([rep(1, False, 3.0)], [], "  rep 1: 12.0–19.0 s, held 3.0 s, too short (hold 12 s)"),
    "blocked by a fault: named by its message": (
        [rep(1, False, 0.0, ["hips_low"])],
        [HIPS],
        "  rep 1: 12.0–19.0 s, not held: lift your hips higher",
    ),
    "cut short by a fault": (
        [rep(1, False, 4.0, ["hips_low", "head_lifted"])],
        [HIPS, HEAD],
        "  rep 1: 12.0–19.0 s, held 4.0 s, not counted: lift your hips higher; rest your head on the floor",
    ),
    "counted, with a fault outside the hold": (
        [rep(1, True, 12.0, ["head_lifted"])],
        [HEAD],
        "  rep 1: 12.0–19.0 s, held 12.0 s, counted (watch: rest your head on the floor)",
    ),
    "a fault with no message (an old history row) reads as words": (
        [rep(1, False, 0.0, ["hips_low"])],
        [],
        "  rep 1: 12.0–19.0 s, not held: hips low",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rep_line(name):
    reps, faults, want = CASES[name]
    lines = summary_lines(report(reps, faults))
    assert lines[1] == want
    assert "hips_low" not in "\n".join(lines)


@pytest.mark.parametrize(
    "counted, attempted, want",
    [(1, 1, "1 rep counted, 1 attempted"), (2, 3, "2 reps counted, 3 attempted"), (0, 1, "0 reps counted")],
)
def test_header_agrees_with_its_number(counted, attempted, want):
    reps = [rep(i + 1, i < counted, 12.0 if i < counted else 1.0) for i in range(attempted)]
    assert want in summary_lines(report(reps))[0]


def test_plural_and_clause():
    assert [plural(n, "rep") for n in (0, 1, 2)] == ["0 reps", "1 rep", "2 reps"]
    assert as_clause("Lift your hips higher.") == "lift your hips higher"
    assert as_clause("I can't see your feet") == "I can't see your feet"


def test_not_countable_lists_faults_by_message():
    doc = report([], [HIPS], countable=False, not_countable_reason="The tilt is too small to see.")
    lines = summary_lines(doc)
    assert "  3.0–4.0 s: lift your hips higher" in lines
    assert not any("hips_low" in line for line in lines)


def test_wrap_at_spaces_under_the_width():
    line = "  rep 1: 12.0–19.0 s, held 4.0 s, not counted: " + "; ".join(["keep your shoulders on the floor"] * 4)
    out = wrap([line, "short"], width=60)
    assert len(out) > 2 and out[-1] == "short"
    assert all(len(x) <= 60 for x in out)
    assert out[1].startswith("      ")  # continued under the rep, not at the margin
    assert " ".join(x.strip() for x in out[:-1]) == line.strip()  # no word cut or lost


def test_a_watched_guided_movement_says_what_the_camera_measured():
    seen = {"signal": "belly_rise", "torso_px": 560.7, "noise_px": 0.91, "tilt_px": 9.81, "bound_px": 3.36,
            "noise_factor": 3.0, "min_bound_px": 2.0, "in_position_s": 9.07, "seen_s": 8.57,
            "first_seen_s": 0.7}  # fmt: skip
    reps = [{"index": 1, "side": None, "start_s": 0.7, "end_s": 2.8, "hold_s": 0.5, "counted": True,
             "faults": [], "guided": False, "seen": True}]  # fmt: skip
    lines = summary_lines(report(reps, seen=seen))
    assert lines[1].endswith("counted (seen by the camera)")
    assert "  seen by the camera 8.6 of 9.1 s (movement up to 9.8 px, noise 0.91 px, recognised at 3.4 px)" in lines
    far = {**seen, "bound_px": 0.9, "seen_s": 0.0, "first_seen_s": None}
    assert any("never: the body is too small in the picture" in x for x in summary_lines(report([], seen=far)))
    plain = [{k: v for k, v in reps[0].items() if k != "seen"}]
    assert not any("camera" in x for x in summary_lines(report(plain)))  # not watched: nothing said
