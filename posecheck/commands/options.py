"""Options shared by several commands."""

from __future__ import annotations

import math
from pathlib import Path

import click

from posecheck.errors import PosecheckError
from posecheck.records.history import ENV_DATA_DIR
from posecheck.settings import HOLD_MAX_S, TARGET_MAX

HOLD_MIN_S = 0.1

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=f"Folder of the history (default: ${ENV_DATA_DIR}, else the user data folder).",
)


class _Checked(click.ParamType):
    """A number checked where it enters: finite and in a sane range, or one line naming the option."""

    def _fail(self, param: click.Parameter | None, value: object, expected: str) -> PosecheckError:
        if param is None:
            name = "value"
        else:
            name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
        return PosecheckError(f"{name}: expected {expected}, got {value!r}")


class HoldSeconds(_Checked):
    name = "seconds"
    expected = f"a finite number of seconds from {HOLD_MIN_S} to {HOLD_MAX_S:g}"

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, float):
            number = value
        else:
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise self._fail(param, value, self.expected) from None
        if not math.isfinite(number) or not HOLD_MIN_S <= number <= HOLD_MAX_S:
            raise self._fail(param, value, self.expected)
        return number


class TargetReps(_Checked):
    name = "reps"
    expected = f"a whole number of reps from 1 to {TARGET_MAX}"

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except (TypeError, ValueError):
                raise self._fail(param, value, self.expected) from None
        if not 1 <= number <= TARGET_MAX:
            raise self._fail(param, value, self.expected)
        return number


HOLD = HoldSeconds()
TARGET = TargetReps()
