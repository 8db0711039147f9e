"""The history's figure: each day's target drawn on that day only, and a legend that covers no data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import matplotlib.dates as mdates

from posecheck.records.plots import history_figure
from posecheck.records.sessions import SessionRow


def _row(i: int, day: date, exercise: str, target: int, counted: int) -> SessionRow:
    return SessionRow(
        id=i, exercise=exercise, kind="live", source="camera 0", started_at=datetime(day.year, day.month, day.day, 9),
        day=day, time_of_day="morning", duration_s=60.0, target=target, hold_s=5.0, sessions_per_day=1,
        status="complete", settings={}, reps_counted=counted, reps_attempted=counted, fault_reps=0, best_hold_s=5.0,
    )  # fmt: skip


def test_targets_per_day_and_the_legend_beside_the_data():
    first = date(2026, 11, 1)
    # bridge on days 0, 1 and 4 (target 5, 6, 7); nothing on days 2 and 3
    rows = [_row(1, first, "bridge", 5, 5), _row(2, first + timedelta(1), "bridge", 6, 6)]
    rows.append(_row(3, first + timedelta(4), "bridge", 7, 30))  # a day far above its target
    fig = history_figure(rows, first, first + timedelta(6), names={"bridge": "Bridge exercise"})
    top = fig.axes[0]
    bars = [c for c in top.collections if c.get_label() == "Bridge exercise: target that day"]
    assert len(bars) == 1
    segments = sorted((float(s[0][0]), float(s[1][0]), float(s[0][1])) for s in bars[0].get_segments())
    days = [mdates.date2num(first + timedelta(d)) for d in (0, 1, 4)]
    assert [(a, b) for a, b, _ in segments] == [(d - 0.4, d + 0.4) for d in days]  # that day only
    assert [y for _, _, y in segments] == [5, 6, 7]
    fig.canvas.draw()
    legend = top.get_legend().get_window_extent()
    assert not legend.overlaps(top.get_window_extent())  # outside the plot: covers no data
    texts = [t.get_text() for t in top.get_legend().get_texts()] + [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert "Bridge exercise" in texts and not any("bridge" in t for t in texts)


def test_back_pain_is_drawn_under_adherence_when_given():
    first = date(2026, 11, 1)
    rows = [_row(1, first, "bridge", 5, 5), _row(2, first + timedelta(2), "bridge", 5, 5)]
    assert len(history_figure(rows, first, first + timedelta(3)).axes) == 2  # no answers: no panel
    rows[0].pain, rows[1].pain = 6, 3
    fig = history_figure(rows, first, first + timedelta(3))
    assert len(fig.axes) == 3 and "back pain" in fig.axes[2].get_title(loc="left")
    (line,) = fig.axes[2].get_lines()
    assert list(mdates.date2num(line.get_xdata())) == [mdates.date2num(first), mdates.date2num(first + timedelta(2))]
    assert list(line.get_ydata()) == [6, 3]


def test_an_exercise_in_rounds_is_drawn_in_holds_with_its_target_in_holds_too():
    first = date(2026, 11, 1)
    rows = [_row(1, first, "knee_to_chest", 2, 5)]  # 2 rounds asked, 5 holds counted
    fig = history_figure(rows, first, first + timedelta(1), names={"knee_to_chest": "Knee-to-chest stretch"},
                         holds_per_round={"knee_to_chest": 3})  # fmt: skip
    top = fig.axes[0]
    (bars,) = [c for c in top.collections if "target" in str(c.get_label())]
    assert [float(s[0][1]) for s in bars.get_segments()] == [6.0]  # 2 rounds of 3 holds
    assert "rounds × 3 holds" in bars.get_label()
    assert "Knee-to-chest stretch (holds)" in [t.get_text() for t in top.get_legend().get_texts()]
