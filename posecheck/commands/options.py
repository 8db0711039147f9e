"""Options shared by several commands."""

from __future__ import annotations

import math
from pathlib import Path

import click

from posecheck.errors import PosecheckError
from posecheck.exercise.validation import HOLD_MAX_S, TARGET_MAX
from posecheck.records.history import ENV_DATA_DIR

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


class Seconds(_Checked):
    """Seconds: a finite number from `low` (or above it, when `above`) to `high`."""

    name = "seconds"

    def __init__(self, low: float, high: float, *, above: bool = False) -> None:
        self.low, self.high, self.above = low, high, above
        self.expected = (
            f"a finite number of seconds above {low:g} and up to {high:g}"
            if above
            else f"a finite number of seconds from {low:g} to {high:g}"
        )

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, float):
            number = value
        else:
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise self._fail(param, value, self.expected) from None
        too_low = number <= self.low if self.above else number < self.low
        if not math.isfinite(number) or too_low or number > self.high:
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


class Rate(_Checked):
    """Frames a second: a finite number above 0 and up to `high`."""

    name = "fps"

    def __init__(self, high: float) -> None:
        self.high = high
        self.expected = f"a finite number of frames a second above 0 and up to {high:g}"

    def convert(self, value, param, ctx) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self._fail(param, value, self.expected) from None
        if not math.isfinite(number) or not 0 < number <= self.high:
            raise self._fail(param, value, self.expected)
        return number


HOLD = Seconds(HOLD_MIN_S, HOLD_MAX_S)
POSE_FPS = Rate(240.0)
TARGET = TargetReps()
