"""`posecheck history`: recent sessions, streaks, morning/evening adherence; a plot or an export."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import click

from posecheck.commands.options import data_dir_option
from posecheck.errors import DefinitionError
from posecheck.exercise.definition import Exercise, load
from posecheck.exercise.validation import normal_id
from posecheck.records.history import History, HistoryError
from posecheck.records.safeout import check_outputs, history_files, pending, write_text
from posecheck.records.sessions import Day, SessionRow, days_of, pain_by_day, streak


def _fmt_faults(ids: list[str], exercise_id: str) -> str:
    """The faults in words ('lift your hips higher'), as the summaries name them."""
    if not ids:
        return "-"
    from posecheck.coach.cues import first_clause

    exercise = _exercise_or_none(exercise_id)
    messages = {f.id: f.message for f in exercise.faults} if exercise else {}
    return "; ".join(first_clause(messages[i]) if i in messages else i.replace("_", " ") for i in ids)


def _mark(d: Day, need: int) -> str:
    if d.done:
        return "X"
    if need >= 2 and (d.morning or d.evening):
        return "m" if d.morning else "e"
    return "."


def _kind(s: SessionRow) -> str:
    """live; review (kept apart: not the user's own exercise); own (a review of the user)."""
    if s.kind == "review":
        return "own" if s.mine else "review"
    return s.kind


def pain_trend(points: Sequence[tuple[date, int]]) -> str:
    """The back pain answers as one line: each day's, then the change from first to last."""
    text = "  ".join(f"{d:%m-%d} {p}" for d, p in points)
    if len(points) >= 2:
        change = points[-1][1] - points[0][1]
        text += "  (" + ("no change" if change == 0 else f"{'down' if change < 0 else 'up'} {abs(change)}") + ")"
    return text


def _session_line(s: SessionRow) -> str:
    hold = f"{s.best_hold_s:.1f}/{s.hold_s:g} s" if s.best_hold_s is not None and s.hold_s else "-"
    status = {"running": "unfinished", "cut_short": "cut short"}.get(s.status, s.status)
    dur = f"{s.duration_s:.0f} s" if s.duration_s else "-"
    return (
        f"{s.id:>4}  {s.started_at:%Y-%m-%d %H:%M}  {s.time_of_day:<7}  {s.exercise:<22}  {_kind(s):<6}  "
        f"{s.reps_counted:>3}/{s.reps_attempted:<3}  {s.target if s.target is not None else '-':>6}  "
        f"{hold:>11}  {dur:>6}  "
        f"{status:<11}  {s.pain if s.pain is not None else '-':>4}  {_fmt_faults(s.fault_ids, s.exercise)}"
    )


@functools.lru_cache(maxsize=32)
def _exercise_or_none(exercise_id: str) -> Exercise | None:
    try:
        return load(exercise_id)
    except DefinitionError:
        return None


def export_rows(history: History, rows: Sequence[SessionRow], fmt: str) -> str:
    if fmt == "json":
        out = []
        for s in rows:
            d = s.as_dict()
            d["reps"] = history.reps(s.id)
            d["faults"] = history.faults(s.id)
            out.append(d)
        return json.dumps(out, indent=1) + "\n"
    buf = io.StringIO()
    cols = ["id", "exercise", "kind", "source", "started_at", "day", "time_of_day", "duration_s", "reps_counted",
            "reps_attempted", "target", "hold_s", "best_hold_s", "fault_reps", "fault_ids", "status", "mine",
            "pain"]  # fmt: skip
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for s in rows:
        d = s.as_dict()
        d["fault_ids"] = ";".join(s.fault_ids)
        w.writerow(d)
    return buf.getvalue()


@click.command("history")
@click.option("-e", "--exercise", "exercise_id", help="Only this exercise.")
@click.option(
    "--days", type=click.IntRange(min=1), default=14, show_default=True, help="Days shown in the streaks and the plot."
)
@click.option(
    "-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Sessions listed in the table."
)
@click.option(
    "--plot", type=click.Path(path_type=Path, dir_okay=False), help="Draw reps per day and adherence to this .png."
)
@click.option(
    "--export",
    "fmt",
    type=click.Choice(["csv", "json"]),
    help="Write every session (in --days) as CSV or JSON instead of the table.",
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the export here instead of stdout.")
@click.option(
    "--mine",
    "mine_ids",
    type=click.IntRange(min=1),
    multiple=True,
    metavar="ID",
    help="Count session ID (a review of a video of you) as your own exercise: streaks, targets.",
)
@click.option(
    "--not-mine",
    "not_mine_ids",
    type=click.IntRange(min=1),
    multiple=True,
    metavar="ID",
    help="Keep session ID apart from your own exercise (a demo or someone else's video).",
)
@data_dir_option
def history_cmd(exercise_id, days, limit, plot, fmt, out, mine_ids, not_mine_ids, data_dir) -> None:
    """Recent sessions, streaks, morning/evening adherence, and back pain."""
    if set(mine_ids) & set(not_mine_ids):
        raise click.UsageError("a session is either --mine or --not-mine")
    if out and not fmt:
        raise click.UsageError("--out goes with --export csv|json")
    if plot is not None and plot.suffix.lower() != ".png":
        raise HistoryError(f"{plot}: the plot is written as PNG; name it .png")
    for path in (plot, out):
        if path is not None and not path.parent.exists():
            raise HistoryError(f"{path}: the folder {path.parent} does not exist")
    check_outputs({"--plot": plot, "--out": out}, history_files(data_dir))
    if exercise_id and _exercise_or_none(exercise_id) is not None:
        exercise_id = normal_id(exercise_id)  # as on the other commands: "Bridge" is bridge
    today = date.today()
    first = today - timedelta(days=days - 1)
    with History.open(data_dir) as h:
        if mine_ids or not_mine_ids:
            h.set_mine(mine_ids, True)
            h.set_mine(not_mine_ids, False)
        if fmt:
            text = export_rows(h, h.sessions(exercise_id, since=first), fmt)
            if out:
                write_text(out, text)
                click.echo(f"exported: {out}", err=True)
            else:
                click.echo(text, nl=False)
            return
        recent = h.sessions(exercise_id, limit=limit)
        window = h.sessions(exercise_id, since=first)
        if not recent:
            click.echo(f"No sessions yet in {h.path}.")
        else:
            click.echo(f"Recent sessions ({h.path}):")
            click.echo(
                f"{'id':>4}  {'started':<16}  {'':<7}  {'exercise':<22}  {'kind':<6}  {'reps':<7}  {'target':>6}  "
                f"{'best hold':>11}  {'time':>6}  {'status':<11}  {'pain':>4}  faults"
            )
            for s in recent:
                click.echo(_session_line(s))
            if any(not s.mine for s in recent):
                click.echo("  (review: a video reviewed, kept apart from your own sessions; `--mine ID` counts it)")
            click.echo("")
            click.echo(f"Last {days} days, oldest first (X done, m/e only morning/evening of two, . none):")
            by_ex: dict[str, list[SessionRow]] = {}
            for s in h.sessions(exercise_id, mine_only=True):
                by_ex.setdefault(s.exercise, []).append(s)
            if not by_ex:
                click.echo("  no sessions of your own yet (reviews are kept apart)")
            for ex_id, rows in sorted(by_ex.items()):
                need = max(r.sessions_per_day for r in rows)
                marks = "".join(_mark(d, need) for d in days_of(rows, first, today))
                per_day = "once a day" if need == 1 else "morning and evening"
                n = streak(rows, today)
                ex = _exercise_or_none(ex_id)
                tgt = f"; target now {h.target(ex).reps}" if ex else ""
                click.echo(f"  {ex_id:<22} {marks}  {per_day}; streak {n} day{'s' if n != 1 else ''}{tgt}")
            routine = days_of([s for s in window if s.counts], first, today)
            m = sum(d.morning for d in routine)
            e = sum(d.evening for d in routine)
            click.echo(f"  routine: mornings {m}/{days}, evenings {e}/{days} (any exercise counted)")
            pain = pain_by_day(window)
            if pain:
                click.echo(f"  back pain (0 none - 10 worst), after live sessions: {pain_trend(pain)}")
        if plot is not None:
            from posecheck.records.plots import history_figure  # matplotlib: only when asked

            own = [s for s in window if s.mine]  # reviews of other people's videos are kept apart
            exercises = {ex_id: ex for ex_id in {s.exercise for s in own} if (ex := _exercise_or_none(ex_id))}
            with pending(plot) as temp:
                rounds = {k: len(v.reps.rounds) for k, v in exercises.items() if v.reps.counting == "rounds"}
                names = {k: v.name for k, v in exercises.items()}
                history_figure(own, first, today, temp, names=names, holds_per_round=rounds)
            click.echo(f"plot: {plot}")
