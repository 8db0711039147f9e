"""The therapist's timeline: what was measured over a session, against the limits that decided it.

On top, a strip with the position (phase) over time, the hold timer and one row per fault
seen; below, one panel per signal that decides a position, a hold or a fault, with those
limits drawn as lines (a fault's side of its limit shaded). Phases, holds and faults each
have their own row, so their colours never mix. Labels are the exercise's words (phase
names, signal descriptions, fault messages), never ids.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from posecheck.exercise.describe import unit_words
from posecheck.records.plots import HOLD, REP, SIGNAL, _figure, png_bytes, runs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Tableau 10 for positions; faults in reds and purples none of them use
PHASE_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948", "#b07aa1", "#9c755f", "#bab0ac"]
FAULT_COLOURS = ["#d62728", "#7b1fa2", "#c2185b", "#8c2d04", "#e377c2"]
PANEL_IN = 1.15  # height of a signal's panel, inches
ROW_IN = 0.26  # height of a strip row
LABEL_PT = 6.5  # the limits' labels


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _bound_text(key: str, y: float, unit: str) -> str:
    return f"{'≥' if key == 'min' else '≤'} {y:g}{unit_words(unit)[0]}".replace("-", "−")


def spread(ys: Sequence[float], heights: Sequence[float]) -> list[float]:
    """Label centres near ys (sorted ascending, in the same units as heights) that do not overlap."""
    out: list[float] = []
    for y, h in zip(ys, heights, strict=True):
        if out:
            y = max(y, out[-1] + (heights[len(out) - 1] + h) / 2)
        out.append(y)
    # pushed above the top: shift the whole stack down to end there
    over = out[-1] + heights[-1] / 2 - 1.0 if out else 0.0
    return [y - over for y in out] if over > 0 else out


def colours(tl: dict[str, Any], faults: Sequence[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
    """A colour per phase (the exercise's order) and per fault (as defined, then as seen)."""
    phases = list(dict.fromkeys([*tl.get("phase_names", {}), *(p for p in tl["phase"] if p)]))
    fault_ids = list(dict.fromkeys([*tl.get("fault_messages", {}), *(f["id"] for f in faults)]))
    return (
        {p: PHASE_COLOURS[i % len(PHASE_COLOURS)] for i, p in enumerate(phases)},
        {f: FAULT_COLOURS[i % len(FAULT_COLOURS)] for i, f in enumerate(fault_ids)},
    )


def timeline_figure(report: dict[str, Any]) -> Figure:
    """The figure for a report whose timeline carries the words and limits (see describe.words)."""
    tl = report["timeline"]
    t = tl["t_s"]
    faults = report.get("faults", [])
    phase_colour, fault_colour = colours(tl, faults)
    phase_name = tl.get("phase_names", {})
    fault_message = {**tl.get("fault_messages", {}), **{f["id"]: f.get("message") or f["id"] for f in faults}}
    seen_faults = list(dict.fromkeys(f["id"] for f in faults))
    values_of: dict[str, list[float | None]] = tl.get("values_of") or {tl["signal"]: tl["values"]}
    signals = tl.get("signals") or {tl["signal"]: {"unit": tl.get("unit", ""), "description": tl["signal"]}}
    by_signal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for lim in tl.get("limits", []):
        by_signal[lim["signal"]].append(lim)
    shown = [s for s in values_of if s in signals and any(v is not None for v in values_of[s])]

    strip_rows = 2 + len(seen_faults)
    fig = _figure(10, 0.9 + strip_rows * ROW_IN + PANEL_IN * len(shown))
    axes = fig.subplots(
        1 + len(shown), 1, sharex=True, height_ratios=[strip_rows * ROW_IN + 0.3] + [PANEL_IN] * len(shown)
    )
    axes = list(axes) if len(shown) else [axes]
    strip = axes[0]

    # the strip: position, hold, faults (top to bottom)
    row_labels = ["position", "hold timer running"] + [_wrap(fault_message[f], 34) for f in seen_faults]
    for a, b, ph in runs(t, tl["phase"]):
        if ph:
            strip.broken_barh([(a, b - a)], (-0.4, 0.8), color=phase_colour.get(ph, "#999999"), lw=0)
    for a, b, holding in runs(t, tl["holding"]):
        if holding:
            strip.broken_barh([(a, b - a)], (0.6, 0.8), color=HOLD, lw=0)
    for f in faults:
        row = 2 + seen_faults.index(f["id"])
        end = f["end_s"] if f.get("end_s") is not None else f["start_s"]
        strip.broken_barh([(f["start_s"], max(end - f["start_s"], 0.1))], (row - 0.4, 0.8), color=fault_colour[f["id"]])
    strip.set_yticks(range(len(row_labels)), row_labels, fontsize=7.5)
    strip.set_ylim(len(row_labels) - 0.5, -1.3)
    strip.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        strip.spines[side].set_visible(False)
    for rep in report.get("reps", []):
        a, b = rep.get("start_s"), rep.get("end_s")
        if a is None:
            continue
        mark = "✓ counted" if rep["counted"] else "✗ not counted"
        strip.text((a + (b if b is not None else a)) / 2, -0.95, f"rep {rep['index']} {mark}", ha="center",
                   va="center", fontsize=7.5, color=REP)  # fmt: skip
        for ax in axes:
            for x in (a, b):
                if x is not None:
                    ax.axvline(x, color=REP, lw=0.7, ls=":", zorder=2)

    names = (phase_colour, phase_name, fault_colour, fault_message)
    labels = [
        _signal_panel(ax, t, values_of[sid], signals[sid], by_signal.get(sid, []), *names)
        for ax, sid in zip(axes[1:], shown, strict=True)
    ]
    if t:
        strip.set_xlim(t[0], t[-1])
    axes[-1].set_xlabel("time from the start of the video (s)", fontsize=8)

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [Patch(color=phase_colour[p], label=phase_name.get(p, p)) for p in phase_colour
                          if p in phase_name or p in tl["phase"]]  # fmt: skip
    handles += [
        Line2D([], [], color="#555555", lw=1, ls="--", label="limit that decides a position"),
        Line2D([], [], color=HOLD, lw=1.2, ls="-.", label="limit for the hold to run"),
        Line2D([], [], color=FAULT_COLOURS[0], lw=1.2, label="limit of a fault (its side shaded)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=7.5, frameon=False)
    fig.draw_without_rendering()  # lay out first: the labels are spread in the panels' real heights
    for ax, panel_labels in zip(axes[1:], labels, strict=True):
        _label(ax, panel_labels)
    return fig


def _signal_panel(
    ax: Axes,
    t: Sequence[float],
    values: Sequence[float | None],
    sig: dict[str, Any],
    limits: list[dict[str, Any]],
    phase_colour: dict[str, str],
    phase_name: dict[str, str],
    fault_colour: dict[str, str],
    fault_message: dict[str, str],
) -> list[tuple[float, str]]:
    """The signal and its limits; returns the limits' labels, (value, text), to place once laid out."""
    unit = sig.get("unit", "")
    ax.plot(t, [float("nan") if v is None else v for v in values], color=SIGNAL, lw=1.3, zorder=4)
    ax.set_title(_wrap(sig.get("description", ""), 120), fontsize=8, loc="left")
    ax.set_ylabel(unit_words(unit)[1], fontsize=7.5)
    ax.tick_params(labelsize=7.5)
    finite = [v for v in values if v is not None]
    bounds = [b for lim in limits for b in (lim.get("min"), lim.get("max")) if b is not None]
    lo, hi = min(finite + bounds), max(finite + bounds)
    pad = max(1e-6, (hi - lo) * 0.08)
    ax.set_ylim(lo - pad, hi + pad)
    # one label per value: limits at the same number are named together
    at: dict[float, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for lim in limits:
        for key in ("min", "max"):
            y = lim.get(key)
            if y is None:
                continue
            if "fault" in lim:
                colour, ls = fault_colour.get(lim["fault"], FAULT_COLOURS[0]), "-"
                edge = hi + pad if key == "min" else lo - pad
                ax.axhspan(y, edge, color=colour, alpha=0.08, lw=0, zorder=1)
                who = f"fault “{fault_message.get(lim['fault'], lim['fault'])}”"
            elif "hold" in lim:
                colour, ls = HOLD, "-."
                who = f"hold runs in “{phase_name.get(lim['hold'], lim['hold'])}”"
            else:
                colour, ls = phase_colour.get(lim["phase"], "#555555"), "--"
                who = phase_name.get(lim["phase"], lim["phase"])
            ax.axhline(y, color=colour, lw=1.1, ls=ls, zorder=3)
            at[y][_bound_text(key, y, unit)].append(who)
    return [
        (y, "\n".join(_wrap(f"{'; '.join(dict.fromkeys(whos))}: {bound}", 52) for bound, whos in at[y].items()))
        for y in sorted(at)
    ]


def _label(ax: Axes, labels: list[tuple[float, str]]) -> None:
    """Labels beside the panel, each joined to its line, spread so that none covers another."""
    if not labels:
        return
    lo, hi = ax.get_ylim()
    line = LABEL_PT * 1.2 / 72 * ax.figure.dpi / max(1.0, ax.get_window_extent().height)
    heights = [line * (tx.count("\n") + 1) for _, tx in labels]
    fracs = spread([(y - lo) / (hi - lo) for y, _ in labels], heights)
    for (y, tx), frac in zip(labels, fracs, strict=True):
        ax.annotate(tx, (1.0, y), xycoords=("axes fraction", "data"), xytext=(1.03, frac),
                    textcoords="axes fraction", fontsize=LABEL_PT, va="center", ha="left", annotation_clip=False,
                    linespacing=1.0, arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.6, "shrinkA": 0,
                                                 "shrinkB": 0})  # fmt: skip


def timeline_png(report: dict[str, Any]) -> bytes:
    return png_bytes(timeline_figure(report))
