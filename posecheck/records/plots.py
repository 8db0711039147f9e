"""Figures: a session's timeline, and reps and adherence over days. PNG bytes or files.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no global backend), so it
runs headless and leaves the caller's matplotlib settings alone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.records.sessions import SessionRow, days_of

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

PHASE_COLOURS = ["#dfe9f5", "#fbe7c6", "#e3f1df", "#efe0f3", "#f6dede", "#e0f3f1"]
SIGNAL = "#1f4e79"
HOLD = "#2e9b4b"
FAULT = "#e07b00"
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


def timeline_figure(report: dict[str, Any], phases: Sequence[str] = ()) -> Figure:
    """The key signal over time with phases shaded, holds along the top, faults and reps marked."""
    tl = report["timeline"]
    t, values = tl["t_s"], tl["values"]
    fig = _figure(10, 3.6)
    ax = fig.add_subplot()
    order = list(dict.fromkeys([*phases, *(p for p in tl["phase"] if p)]))
    colour = {p: PHASE_COLOURS[i % len(PHASE_COLOURS)] for i, p in enumerate(order)}
    for a, b, ph in runs(t, tl["phase"]):
        if ph:
            ax.axvspan(a, b, color=colour[ph], lw=0, zorder=0)
    xs = [x for x, v in zip(t, values, strict=True)]
    ys = [float("nan") if v is None else v for v in values]
    ax.plot(xs, ys, color=SIGNAL, lw=1.4, zorder=3, label=f"{tl['signal']} ({tl['unit']})")
    finite = [v for v in values if v is not None]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = max(1e-6, (hi - lo) * 0.12)
    top = hi + 2 * pad
    ax.set_ylim(lo - pad, top + pad)
    for a, b, holding in runs(t, tl["holding"]):
        if holding:
            ax.plot([a, b], [top, top], color=HOLD, lw=5, solid_capstyle="butt", zorder=4)
    for f in report.get("faults", []):
        end = f["end_s"] if f.get("end_s") is not None else f["start_s"]
        ax.axvspan(f["start_s"], max(end, f["start_s"] + 0.05), color=FAULT, alpha=0.28, lw=0, zorder=1)
        ax.axvline(f["start_s"], color=FAULT, lw=1.2, zorder=2)
        ax.text(
            f["start_s"], lo - pad * 0.6, f" {f['id']}", color=FAULT, fontsize=7, rotation=90, va="bottom", zorder=5
        )
    for rep in report.get("reps", []):
        for x in (rep["start_s"], rep["end_s"]):
            if x is not None:
                ax.axvline(x, color=REP, lw=0.7, ls=":", zorder=2)
        mid = (rep["start_s"] + (rep["end_s"] or rep["start_s"])) / 2
        mark = "✓" if rep["counted"] else "✗"
        ax.text(
            mid,
            top + pad * 0.55,
            f"rep {rep['index']} {mark}",
            ha="center",
            va="center",
            fontsize=8,
            color=REP,
            zorder=5,
        )
    if t:
        ax.set_xlim(t[0], t[-1])
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"{tl['signal']} ({tl['unit']})")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = [Line2D([], [], color=SIGNAL, lw=1.4, label=tl["signal"])]
    handles += [Patch(color=colour[p], label=f"phase: {p}") for p in order]
    handles += [
        Line2D([], [], color=HOLD, lw=5, label="hold timer running"),
        Patch(color=FAULT, alpha=0.4, label="fault"),
    ]
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    return fig


def timeline_png(report: dict[str, Any], phases: Sequence[str] = ()) -> bytes:
    return png_bytes(timeline_figure(report, phases))


def history_figure(
    rows: Sequence[SessionRow], first: date, last: date, path: Path | None = None, names: dict[str, str] | None = None
) -> Figure:
    """Reps counted per day per exercise (with the target), and adherence per day."""
    names = names or {}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    exercises = sorted({r.exercise for r in rows})
    fig = _figure(10, 3.0 + 0.35 * (len(exercises) + 2))
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 0.6 + 0.3 * (len(exercises) + 2)], sharex=True)
    for i, ex in enumerate(exercises or [""]):
        mine = [r for r in rows if r.exercise == ex]
        reps = [sum(r.reps_counted for r in mine if r.day == d) for d in days]
        colour = f"C{i % 10}"
        if ex:
            top.plot(days, reps, marker="o", ms=4, color=colour, label=names.get(ex, ex))
            targets = [max((r.target or 0 for r in mine if r.day == d), default=0) or None for d in days]
            xs = [d for d, tg in zip(days, targets, strict=True) if tg]
            if xs:
                top.step(xs, [tg for tg in targets if tg], where="mid", color=colour, ls="--", lw=1, alpha=0.7,
                         marker="_", ms=12, label=f"{ex} target (per session)")  # fmt: skip
    top.set_ylabel("reps counted per day")
    top.set_ylim(bottom=0)
    if exercises:
        top.legend(fontsize=8, frameon=False, loc="upper left")
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
        labels.append(f"{ex} ({'1×' if need == 1 else '2×'}/day)")
    routine = days_of([r for r in rows if r.counts], first, last)
    grid.append([1.0 if d.morning else 0.0 for d in routine])
    labels.append("mornings")
    grid.append([1.0 if d.evening else 0.0 for d in routine])
    labels.append("evenings")
    import matplotlib.dates as mdates

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
    if path is not None:
        fig.savefig(path, format="png")
    return fig
