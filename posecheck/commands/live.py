"""`posecheck live`: coaching at a camera, one exercise or the routine (the loop is posecheck.session.live)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from posecheck.commands.options import HOLD, TARGET, Seconds, data_dir_option
from posecheck.errors import CameraError, Interrupted, PosecheckError
from posecheck.records import report as report_mod
from posecheck.records.safeout import OutputError
from posecheck.records.summary import summary_lines, wrap
from posecheck.session.routine import INTRO_S, REST_S, Item, routine_items


@click.command("live")
@click.option(
    "-e", "--exercise", "exercise_id", help="Exercise id (see `posecheck exercises`) or a definition .toml file."
)
@click.option("--routine", is_flag=True, help="All seven exercises in the page's order, with rests between.")
@click.option(
    "--camera",
    default="0",
    show_default=True,
    help="Camera number, or a video file played at real-time pace in place of a camera.",
)
@click.option("--mirror", is_flag=True, help="Show the picture as a mirror (left and right stay your own).")
@click.option("--mute", is_flag=True, help="No spoken cues.")
@click.option("--headless", is_flag=True, help="No window (for tests and recording).")
@click.option("--windowed", is_flag=True, help="A window instead of full screen (f toggles).")
@click.option("--record", type=click.Path(path_type=Path), help="Save the annotated session as a video here (.mp4).")
@click.option(
    "-r", "--report", type=click.Path(path_type=Path), help="Write the session (one report per set) as JSON here."
)
@click.option("--hold", "hold_s", type=HOLD, help="Hold time in seconds (overrides the exercise's).")
@click.option("--target", type=TARGET, help="Target reps (overrides the exercise's).")
@click.option(
    "--rest",
    "rest_s",
    type=Seconds(0, 3600),
    default=REST_S,
    show_default=True,
    help="Rest between the routine's exercises, seconds.",
)
@click.option(
    "--camera-wait",
    "camera_wait_s",
    type=Seconds(0.5, 24 * 3600),
    default=60.0,
    show_default=True,
    help="How long to wait for a camera that stopped sending pictures before ending the session (kept).",
)
@click.option(
    "--model", type=click.Path(path_type=Path), help="A MediaPipe pose landmarker .task file (default: bundled)."
)
@click.option(
    "--history/--no-history",
    "keep_history",
    default=True,
    help="Record the session in the history; targets follow its progression.",
)
@data_dir_option
def live_cmd(
    exercise_id,
    routine,
    camera,
    mirror,
    mute,
    headless,
    windowed,
    record,
    report,
    hold_s,
    target,
    rest_s,
    camera_wait_s,
    model,
    keep_history,
    data_dir,
) -> None:
    """Coach the exercises live at a camera: counts, holds, faults, spoken cues.

    Keys: space pause, n next exercise, r redo the set, q quit (the session is kept), f full screen.
    """
    from posecheck.exercise import definition
    from posecheck.records.safeout import check_outputs, history_files, write_text
    from posecheck.session import live as live_loop
    from posecheck.settings import load_settings
    from posecheck.sources.capture import open_source

    if bool(exercise_id) == bool(routine):
        raise PosecheckError("give either --exercise ID or --routine")
    camera_file = None if camera.strip().isdigit() else Path(camera)
    inputs: dict[str, Path | None] = {"camera's video": camera_file, "model": model}
    if keep_history:
        inputs.update(history_files(data_dir))
    check_outputs({"--record": record, "--report": report}, inputs)
    missing: list[str] = []
    if routine:
        items, missing = routine_items(hold_s=hold_s, target=target)
        if missing:
            click.echo(f"note: not available yet, left out of the routine: {', '.join(missing)}", err=True)
    else:
        items = [Item(definition.load(exercise_id), hold_s, target)]
    own = load_settings()  # the user's own holds and targets, under any flag given
    items = [
        replace(it, hold_s=own.hold_s(it.exercise.id, it.hold_s), target=own.target(it.exercise.id, it.target))
        for it in items
    ]
    if not headless:
        live_loop.check_display()
    source = open_source(camera)
    options = live_loop.LiveOptions(
        hold_s=hold_s,
        target=target,
        model=model,
        mirror=mirror,
        mute=mute,
        headless=headless,
        fullscreen=not windowed,
        record=record,
        rest_s=rest_s,
        intro_s=0.0 if headless else INTRO_S,
        camera_timeout_s=camera_wait_s,
    )
    log = None
    if keep_history:  # one history session per set; each exercise's target from its progression
        from posecheck.records.recorder import LiveLog

        log = LiveLog.open(
            source.name, data_dir, hold_s=hold_s, settings={"hold_s": hold_s, "target": target, "source": source.name}
        )
        items = log.with_targets(items)
        live_loop.SET_ENDED.append(log.set_ended)
    session = None
    try:
        session = live_loop.run_live(source, items, options, missing=missing, listeners=[log] if log else ())
    finally:
        if log is not None:
            live_loop.SET_ENDED.remove(log.set_ended)
            log.close(pain=session.pain if session is not None else None)
    reports = session.reports()
    for rep in reports:
        if rep["outcome"] == "redone":
            continue
        for line in wrap(summary_lines(rep)):
            click.echo(line)
    if session.stats.slowest_fps is not None:
        need = max(it.exercise.tracking.min_fps or 0 for it in items)
        click.echo(
            f"note: posecheck ran slowly on this machine ({session.stats.slowest_fps:.1f} pictures a second at the"
            f" slowest; counting needs {need:g}): close other programs, or reps may be missed",
            err=True,
        )
    if session.pain is not None:
        click.echo(f"back pain today: {session.pain} of 10" + ("; kept in the history" if log else ""))
    if report is not None:
        slowest = session.stats.slowest_fps
        doc = {"source": session.source, "ended_by": session.ended_by, "missing": session.missing, "sets": reports,
               "pain": session.pain, "slowest_fps": None if slowest is None else round(slowest, 2)}  # fmt: skip
        write_text(report, report_mod.dumps(doc))
        click.echo(f"report: {report}")
    if session.recorded:
        click.echo(f"recording: {record}")
    if session.record_error:
        raise OutputError(session.record_error)
    if session.ended_by == "camera_error":
        raise CameraError(f"{session.error}; the session so far is kept")
    if session.ended_by == "camera_lost":
        raise CameraError(
            f"{session.source}: stopped sending pictures and did not come back; the session so far is kept"
        )
    if session.ended_by == "interrupted":
        raise Interrupted("interrupted: the session so far is kept")
