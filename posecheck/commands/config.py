"""`posecheck config`: where the user's own settings are read from, and what they say."""

from __future__ import annotations

import click


@click.command("config")
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
        click.echo("  no overrides; e.g.\n  [exercises.bridge]\n  hold_s = 8\n  target = 10")
