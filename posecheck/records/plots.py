"""Figures: reps and adherence over days (the session's timeline is in timeline.py). PNG bytes or files.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no global backend), so it
runs headless and leaves the caller's matplotlib settings alone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.records.sessions import SessionRow, days_of, pain_by_day

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SIGNAL = "#1f4e79"
HOLD = "#2e9b4b"
REP = "#555555"


def _figure(w_in: float, h_in: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w_in, h_in), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def runs(t: Sequence[float], labels: Sequence[Any]) -> list[tuple[float, float, Any]]:
    """Consecutive samples with the same label as (start, end, label); a run ends where the next begins."""
    out: list[tuple[float, float, Any]] = []
    for ti, lab in zip(t, labels, strict=True):
        if out and out[-1][2] == lab:
            continue
        if out:
            out[-1] = (out[-1][0], ti, out[-1][2])
        out.append((ti, ti, lab))
    if out:
        end = t[-1] + (t[-1] - t[-2] if len(t) > 1 else 0.1)
        out[-1] = (out[-1][0], end, out[-1][2])
    return out


def history_figure(
    rows: Sequence[SessionRow],
    first: date,
    last: date,
    path: Path | None = None,
    names: dict[str, str] | None = None,
    holds_per_round: dict[str, int] | None = None,
) -> Figure:
    """Reps counted per day per exercise (with the target), adherence per day, and back pain when given.
    An exercise counted in rounds (`holds_per_round`) is drawn in holds, its target of N rounds as N × that."""
    import matplotlib.dates as mdates

    names = names or {}
    holds_per_round = holds_per_round or {}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    exercises = sorted({r.exercise for r in rows})
    pain = pain_by_day(rows)
    ratios = [3, 0.6 + 0.3 * (len(exercises) + 2)] + ([1.1] if pain else [])
    fig = _figure(11, 3.0 + 0.35 * (len(exercises) + 2) + (1.3 if pain else 0))
    top, bottom, *rest = fig.subplots(len(ratios), 1, height_ratios=ratios, sharex=True)
    for i, ex in enumerate(exercises or [""]):
        mine = [r for r in rows if r.exercise == ex]
        reps = [sum(r.reps_counted for r in mine if r.day == d) for d in days]
        colour = f"C{i % 10}"
        if ex:
            per = holds_per_round.get(ex, 1)
            name = names.get(ex, ex) + (" (holds)" if ex in holds_per_round else "")
            top.plot(days, reps, marker="o", ms=4, color=colour, label=name)
            # each day's own target (the largest a session of that day had): a bar across that day only
            targets = [(d, max((r.target or 0 for r in mine if r.day == d), default=0)) for d in days]
            on = [(d, tg) for d, tg in targets if tg]
            if on:
                x = mdates.date2num([d for d, _ in on])
                what = f"target that day (rounds × {per} holds)" if ex in holds_per_round else "target that day"
                top.hlines([tg * per for _, tg in on], x - 0.4, x + 0.4, color=colour, lw=2, alpha=0.7,
                           label=f"{names.get(ex, ex)}: {what}")  # fmt: skip
    top.set_ylabel("reps counted per day")  # holds, for an exercise in rounds
    top.set_ylim(bottom=0)
    if exercises:  # beside the plot, never over its data
        top.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        top.text(0.5, 0.5, "no sessions in these days", transform=top.transAxes, ha="center", va="center")

    # adherence: one row per exercise (done / half / none), then the routine's mornings and evenings
    import numpy as np
    from matplotlib.colors import ListedColormap

    labels, grid = [], []
    for ex in exercises:
        mine = [r for r in rows if r.exercise == ex]
        need = max(r.sessions_per_day for r in mine)
        marks = days_of(mine, first, last)
        grid.append([1.0 if d.done else 0.5 if (d.morning or d.evening) else 0.0 for d in marks])
        labels.append(f"{names.get(ex, ex)} ({'1×' if need == 1 else '2×'}/day)")
    routine = days_of([r for r in rows if r.counts], first, last)
    grid.append([1.0 if d.morning else 0.0 for d in routine])
    labels.append("mornings")
    grid.append([1.0 if d.evening else 0.0 for d in routine])
    labels.append("evenings")
    x0, x1 = mdates.date2num(first) - 0.5, mdates.date2num(last) + 0.5
    bottom.imshow(np.array(grid), aspect="auto", cmap=ListedColormap(["#eeeeee", "#a9d18e", "#2e9b4b"]), vmin=0, vmax=1,
                  extent=(x0, x1, len(grid) - 0.5, -0.5), interpolation="nearest")  # fmt: skip
    bottom.set_yticks(range(len(labels)), labels, fontsize=8)
    bottom.xaxis_date()
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    bottom.set_title("adherence (dark: done, light: one of two)", fontsize=9, loc="left")
    for label in bottom.get_xticklabels():
        label.set_rotation(45)
        label.set_fontsize(8)
    if pain:  # the back pain answers, under the adherence they go with
        ax = rest[0]
        ax.plot([d for d, _ in pain], [v for _, v in pain], marker="o", ms=4, color="#b03a2e")
        ax.set_ylim(-0.5, 10.5)
        ax.set_yticks([0, 5, 10])
        ax.set_title("back pain after live sessions (0 none – 10 worst; the day's last answer)", fontsize=9,
                     loc="left")  # fmt: skip
        ax.tick_params(labelsize=8)
        bottom.tick_params(labelbottom=False)
        for label in ax.get_xticklabels():
            label.set_rotation(45)
    if path is not None:
        fig.savefig(path, format="png")
    return fig
