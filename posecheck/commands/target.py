"""`posecheck target`: an exercise's target reps now, and setting or clearing it by hand."""

from __future__ import annotations

import click

from posecheck.commands.options import TARGET, data_dir_option
from posecheck.exercise.definition import load
from posecheck.records.history import History


@click.command("target")
@click.argument("exercise_id", metavar="ID")
@click.argument("reps", type=TARGET, required=False)
@click.option("--clear", is_flag=True, help="Forget the target set by hand; follow the plan again.")
@data_dir_option
def target_cmd(exercise_id, reps, clear, data_dir) -> None:
    """Show the exercise's target reps now, or set it by hand (REPS), or --clear it."""
    exercise = load(exercise_id)
    if reps is not None and clear:
        raise click.UsageError("give REPS or --clear, not both")
    with History.open(data_dir) as h:
        if reps is not None:
            h.set_target(exercise.id, reps)
        elif clear and not h.clear_target(exercise.id):
            click.echo(f"{exercise.id}: no target was set by hand", err=True)
        t = h.target(exercise)
    click.echo(f"{exercise.id}: target {t.reps} — {t.reason}")
    if t.manual is not None:
        click.echo(f"  `posecheck target {exercise.id} --clear` returns to the plan")
