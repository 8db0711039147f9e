"""The `posecheck` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from posecheck import __version__
from posecheck.errors import PosecheckError


def _fail(message: str, code: int) -> None:
    click.echo(f"posecheck: error: {message}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns every expected failure into one line on stderr and a non-zero exit."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PosecheckError as e:
            _fail(str(e), e.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:
            # the reader went away (`posecheck exercises | head`): not an error
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as e:  # a bug: still one line, with the way to see more
            if ctx.obj and ctx.obj.get("verbose"):
                raise
            _fail(f"internal error: {type(e).__name__}: {e} (run with --verbose for details)", 1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="posecheck")
@click.option("--verbose", is_flag=True, help="Show the pose library's own log output and full error details.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Coach the Mayo Clinic back exercises from a camera or a recorded video."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    if not verbose:
        from posecheck.pose.model import silence_native_logs

        silence_native_logs()


@cli.command("exercises")
def exercises_cmd() -> None:
    """List the exercises, with their camera placement."""
    from posecheck.exercise.definition import load_all

    for ex in load_all():
        hold = f"hold {ex.hold.hold_s:g} s"
        click.echo(f"{ex.order}. {ex.id:<24} {ex.name}")
        click.echo(f"   {ex.summary}")
        click.echo(f"   camera: {ex.camera.view} view, {ex.camera.height}; {ex.camera.placement}")
        click.echo(f"   {hold}; start with {ex.reps.target}, work up to {ex.reps.target_max}")


@cli.command("review")
@click.argument("video", type=click.Path(path_type=Path))
@click.option("-e", "--exercise", "exercise_id", required=True, help="Exercise id (see `posecheck exercises`) or a definition .toml file.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write an annotated copy of the video here (.mp4).")
@click.option("-r", "--report", type=click.Path(path_type=Path), help="Write the report as JSON here.")
@click.option("--hold", "hold_s", type=click.FloatRange(min=0.1), help="Hold time in seconds (overrides the exercise's).")
@click.option("--target", type=click.IntRange(min=1), help="Target reps (overrides the exercise's).")
@click.option("--model", type=click.Path(path_type=Path), help="A MediaPipe pose landmarker .task file (default: bundled).")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@click.option("--history/--no-history", "keep_history", default=True, help="Record the session in the history (see `posecheck history`).")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), help="Folder of the history (default: $POSECHECK_DATA_DIR, else the user data folder).")
def review_cmd(video: Path, exercise_id: str, output, report, hold_s, target, model, progress, keep_history, data_dir) -> None:
    """Check a recorded VIDEO of one exercise: reps, holds, faults."""
    from posecheck.exercise import definition
    from posecheck.records import report as report_mod
    from posecheck.session.review import ReviewOptions, review

    from posecheck.settings import load_settings

    exercise = definition.load(exercise_id)
    settings = load_settings()
    hold_s, target = settings.hold_s(exercise.id, hold_s), settings.target(exercise.id, target)
    options = ReviewOptions(hold_s=hold_s, target=target, model=model, output=output, report=report, progress=progress)
    recorder = None
    if keep_history:
        from posecheck.records.history import open_recorder

        settings = {"hold_s": hold_s, "target": target, "model": str(model) if model else "bundled", "video": str(video)}
        recorder = open_recorder(exercise, kind="review", source=str(video.resolve()), folder=data_dir, hold_s=hold_s, target=target, settings=settings)
    try:
        rep = review(video, exercise, options, listeners=[recorder] if recorder else (), on_report=recorder.finish if recorder else None)
        saved = recorder and recorder.session_id and f"history: session {recorder.session_id}; {exercise.id} target now {recorder.history.target(exercise).reps}"
    finally:
        if recorder:
            recorder.history.close()
    for line in report_mod.summary_lines(rep):
        click.echo(line)
    for a, b in rep["second_person"][:3]:
        click.echo(f"  note: a second person was in view {a:.1f}–{b:.1f} s; posecheck followed one", err=True)
    if not rep["setup"]["ok"] and rep["setup"]["last_message"]:
        click.echo(f"  note: the start position was never seen clearly: {rep['setup']['last_message']}", err=True)
    if output:
        click.echo(f"annotated video: {output}")
    if report:
        click.echo(f"report: {report}")
    if saved:
        click.echo(saved)


@cli.command("config")
def config_cmd() -> None:
    """Show where your own settings (per-exercise hold times and targets) are read from."""
    from posecheck.settings import load_settings, settings_path

    path = settings_path()
    settings = load_settings(path)
    click.echo(f"settings file: {path}{'' if path.exists() else ' (not there: defaults apply)'}")
    for ex_id, own in sorted(settings.exercises.items()):
        parts = [f"hold {own.hold_s:g} s" if own.hold_s else "", f"target {own.target}" if own.target else ""]
        click.echo(f"  {ex_id}: {', '.join(p for p in parts if p)}")
    if not settings.exercises:
        click.echo('  no overrides; e.g.\n  [exercises.bridge]\n  hold_s = 8\n  target = 10')


# --- commands from other modules: one line each, imported here so `posecheck --help` lists them
# (add yours below this line)
from posecheck.session.live import live_cmd; cli.add_command(live_cmd)  # noqa: E402,E702
from posecheck.records.history import history_cmd; cli.add_command(history_cmd)  # noqa: E402,E702
from posecheck.records.history import target_cmd; cli.add_command(target_cmd)  # noqa: E402,E702
from posecheck.records.therapist import report_cmd; cli.add_command(report_cmd)  # noqa: E402,E702
from posecheck.synth.cli import synth as synth_cmd; cli.add_command(synth_cmd, "synth")  # noqa: E402,E702


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="posecheck")


if __name__ == "__main__":
    main()
