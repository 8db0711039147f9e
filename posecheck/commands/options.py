"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from posecheck.records.history import ENV_DATA_DIR

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=f"Folder of the history (default: ${ENV_DATA_DIR}, else the user data folder).",
)
