"""`posecheck exercises`: the exercises, with their camera placement."""

from __future__ import annotations

import click


@click.command("exercises")
def exercises_cmd() -> None:
    """List the exercises, with their camera placement."""
    from posecheck.exercise.definition import load_all

    for ex in load_all():
        hold = f"hold {ex.hold.hold_s:g} s"
        click.echo(f"{ex.order}. {ex.id:<24} {ex.name}")
        click.echo(f"   {ex.summary}")
        click.echo(f"   camera: {ex.camera.view} view, {ex.camera.height}; {ex.camera.placement}")
        click.echo(f"   {hold}; start with {ex.reps.target}, work up to {ex.reps.target_max}")
