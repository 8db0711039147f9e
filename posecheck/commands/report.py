"""`posecheck report`: the therapist's page about one session, from a report JSON or the history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from posecheck.records.safeout import check_outputs, write_text
from posecheck.records.therapist import ReportError, build, find_video, load_report


@click.command("report")
@click.argument("report_json", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-s",
    "--session",
    "session_id",
    type=click.IntRange(min=1),
    help="A past session from the history, by id (see `posecheck history`).",
)
@click.option(
    "--set", "set_number", type=click.IntRange(min=1), help="With a live session's REPORT_JSON: which set (from 1)."
)
@click.option(
    "--video",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The reviewed video (default: where the report says).",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Write the HTML page here."
)
@click.option(
    "--data-dir", type=click.Path(path_type=Path, file_okay=False), help="Folder of the history (with --session)."
)
def report_cmd(
    report_json: Path | None,
    session_id: int | None,
    set_number: int | None,
    video: Path | None,
    output: Path,
    data_dir: Path | None,
) -> None:
    """A self-contained HTML page about one session, for a therapist: from a review's REPORT_JSON or --session ID."""
    if (report_json is None) == (session_id is None):
        raise click.UsageError("give a review's REPORT_JSON or --session ID (one of them)")
    if output.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"{output}: the page is HTML; name it .html")
    if not output.parent.exists():
        raise ReportError(f"{output}: the folder {output.parent} does not exist")
    check_outputs({"-o": output}, {"report": report_json, "video": video})
    if video is not None and not video.is_file():
        raise ReportError(f"{video}: no such video")
    session = None
    source = None
    if report_json is not None:
        try:
            report = load_report(report_json, set_number)
        except ReportError:
            _not_a_video(report_json)
            raise
    else:
        from posecheck.records.history import History
        from posecheck.records.report import from_history

        assert session_id is not None  # one of the two, checked above
        with History.open(data_dir) as h:
            row = h.session(session_id)
            stored = h.report(session_id)
            # unfinished (killed) or from an older schema: rebuild from the rep rows
            report = stored if stored is not None else from_history(row, h.reps(session_id), h.faults(session_id))
            session = row.as_dict()
            session.update(_weeks_before(h, row))
        source = row.source if row.kind == "review" else None
    found = find_video(report, video, report_json, source)
    named = str(video or source or report.get("video") or "")
    html = build(report, video=found, video_named=named, session=session)
    write_text(output, html)
    click.echo(f"report: {output}")
    live = report.get("live") or (session or {}).get("kind") == "live"
    if found is None and report["faults"] and not live:
        click.echo(
            f"report: the video ({named or 'not named'}) was not found: no still frames; give it with --video", err=True
        )


TREND_DAYS = 28  # the therapist's page shows back pain and adherence over these days up to the session


def _weeks_before(history: Any, row: Any) -> dict[str, Any]:
    """The back pain answers per day and the exercise's adherence over the TREND_DAYS up to
    the session (the user's own sessions only), for the page to show beside it."""
    from datetime import timedelta

    from posecheck.records.sessions import days_of, pain_by_day

    first = row.day - timedelta(days=TREND_DAYS - 1)
    mine = [r for r in history.sessions(since=first, mine_only=True) if r.day <= row.day]
    done = days_of([r for r in mine if r.exercise == row.exercise], first, row.day)
    return {
        "pain_by_day": [[d.isoformat(), p] for d, p in pain_by_day(mine)],
        "adherence": {"days": TREND_DAYS, "done": sum(d.done for d in done)},
    }


def _not_a_video(path: Path) -> None:
    """A video given where the report belongs: say what is wanted and how to make it."""
    from posecheck.sources.video import VIDEO_SUFFIXES

    if path.suffix.lower() in VIDEO_SUFFIXES:
        raise ReportError(
            f"{path}: is a video; `posecheck report` wants the report JSON a review writes: "
            f"posecheck review {path} -e ID --report report.json, then posecheck report report.json -o page.html"
        )
