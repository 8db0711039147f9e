"""The therapist's timeline: a panel per deciding signal with the limits of its exercise drawn
at their values, and every label in words (phase names, descriptions, fault messages)."""

from __future__ import annotations

import itertools
import math
import re

from posecheck.exercise.definition import load
from posecheck.exercise.describe import deciding_signals, words
from posecheck.records.timeline import spread, timeline_figure


def _report() -> dict:
    ex = load("bridge")
    t = [round(i * 0.1, 3) for i in range(100)]
    values_of = {
        s: [math.sin(i / 9) * (20 if s == "hip_line" else 0.2) for i in range(100)] for s in deciding_signals(ex)
    }
    values_of["knees_up"] = [None] * 100  # never measured: no panel
    tl = {
        "signal": "hip_line",
        "unit": "deg",
        "t_s": t,
        "values": values_of["hip_line"],
        "phase": ["rest"] * 30 + ["up"] * 50 + ["rest"] * 20,
        "holding": [False] * 35 + [True] * 40 + [False] * 25,
        "values_of": values_of,
        **words(ex),
    }
    reps = [{"index": 1, "start_s": 3.0, "end_s": 8.0, "counted": False, "side": None}]
    faults = [{"id": "hips_low", "message": ex.fault_message("hips_low"), "start_s": 4.0, "end_s": 6.0}]
    return {"timeline": tl, "reps": reps, "faults": faults}


def _horizontal_lines(ax) -> set[float]:
    out = set()
    for line in ax.get_lines():
        xs, ys = line.get_xdata(), line.get_ydata()
        if len(ys) == 2 and ys[0] == ys[1] and list(xs) == [0, 1]:  # axhline: axes-wide
            out.add(float(ys[0]))
    return out


def test_each_signal_panel_draws_the_limits_that_decide_phases_and_faults():
    report = _report()
    tl = report["timeline"]
    fig = timeline_figure(report)
    _strip, *panels = fig.axes
    shown = [s for s in tl["values_of"] if s != "knees_up"]
    assert [ax.get_title(loc="left").replace("\n", " ") for ax in panels] == [
        tl["signals"][s]["description"] for s in shown
    ]
    for ax, sid in zip(panels, shown, strict=True):
        want = {b for lim in tl["limits"] if lim["signal"] == sid for b in (lim["min"], lim["max"]) if b is not None}
        assert _horizontal_lines(ax) == want, sid
        lo, hi = ax.get_ylim()
        assert all(lo < y < hi for y in want), sid  # every limit in view
    hip_line = panels[shown.index("hip_line")]
    labels = " ".join(t.get_text() for t in hip_line.texts)
    assert "fault “Lift your hips higher, into a straight line”: ≤ −12°" in labels.replace("\n", " ")


def test_every_label_is_in_words():
    fig = timeline_figure(_report())
    texts = [t.get_text() for ax in fig.axes for t in [*ax.texts, *ax.get_yticklabels()]]
    texts += [ax.get_title(loc="left") for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes]
    texts += [t.get_text() for t in fig.legends[0].get_texts()]
    shown = " ".join(texts)
    assert "hips raised (the bridge)" in shown and "Lift your hips higher" in shown
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown), re.findall(r"\b[a-z]+_[a-z_]+\b", shown)
    assert "deg" not in shown.split() and "degrees" in shown


def test_labels_are_spread_apart_and_kept_in_the_panel():
    ys = spread([0.50, 0.51, 0.52, 0.98], [0.1, 0.1, 0.1, 0.1])
    assert all(b - a >= 0.1 - 1e-9 for a, b in itertools.pairwise(ys))
    assert ys[-1] + 0.05 <= 1.0 + 1e-9 and ys[0] <= 0.5
