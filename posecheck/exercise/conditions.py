"""The conditions and stillness bounds of exercise definitions (exercises/<id>.toml): a
signal within bounds named by their unit (min_deg, exit_max_torso_len), or moving no faster
than max_<unit>_per_s. Shapes only: every number lives in the files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

BOUND_KEY = re.compile(r"^(exit_)?(min|max)_([a-z_]+)$")


def finite_bound(key: str, value: Any) -> None:
    """A bound given under its file key (min_torso_len ...): nan or inf named by that key."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{key}: expected a finite number, got {value!r}")


class StrictModel(BaseModel):
    # allow_inf_nan=False: nan or inf in any number of a file is refused where it is read
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Condition(StrictModel):
    """signal within [min, max]; once true it stays true within [exit_min, exit_max] (hysteresis)."""

    signal: str
    unit: str
    min: float | None = None
    max: float | None = None
    exit_min: float | None = None
    exit_max: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _unit_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError('expected a table like { signal = "hip_line", min_deg = -10 }')
        out: dict[str, Any] = {}
        units = set()
        for key, value in data.items():
            m = BOUND_KEY.match(key)
            if key == "signal":
                out["signal"] = value
            elif m:
                finite_bound(key, value)
                units.add(m.group(3))
                out[(m.group(1) or "") + m.group(2)] = value
            else:
                raise ValueError(
                    f"unexpected key {key!r}: expected 'signal' and bounds like "
                    "min_deg, max_deg, exit_min_deg, exit_max_deg"
                )
        if "signal" not in out:
            raise ValueError("missing key 'signal'")
        if not units:
            raise ValueError("a condition needs at least one bound like min_deg or max_torso_len")
        if len(units) > 1:
            raise ValueError(f"bounds mix units {sorted(units)}: one condition, one unit")
        out["unit"] = units.pop()
        return out

    @model_validator(mode="after")
    def _order(self) -> Condition:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        if self.exit_min is not None and self.min is not None and self.exit_min > self.min:
            raise ValueError("exit_min must be at or below min: hysteresis widens the band once inside")
        if self.exit_max is not None and self.max is not None and self.exit_max < self.max:
            raise ValueError("exit_max must be at or above max: hysteresis widens the band once inside")
        return self

    def holds(self, value: float | None, inside: bool) -> bool:
        """Whether value meets the condition; `inside` selects the wider exit band."""
        if value is None:
            return False
        lo = self.exit_min if inside and self.exit_min is not None else self.min
        hi = self.exit_max if inside and self.exit_max is not None else self.max
        return (lo is None or value >= lo) and (hi is None or value <= hi)


def all_hold(conds: Iterable[Condition], values: Mapping[str, float | None], inside: bool) -> bool:
    """Whether every condition holds on the signal values (`inside`: the wider exit bands)."""
    return all(c.holds(values.get(c.signal), inside) for c in conds)


class Still(StrictModel):
    """The signal moves no faster than max_<unit>_per_s, measured over window_s."""

    signal: str
    unit: str
    max_speed: float = Field(gt=0)
    window_s: float = Field(gt=0)

    @model_validator(mode="before")
    @classmethod
    def _unit_key(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError('expected a table like { signal = "hip_line", max_deg_per_s = 10, window_s = 0.2 }')
        out: dict[str, Any] = {}
        for key, value in data.items():
            m = re.match(r"^max_([a-z_]+)_per_s$", key)
            if key in ("signal", "window_s"):
                if key == "window_s":
                    finite_bound(key, value)
                out[key] = value
            elif m:
                finite_bound(key, value)
                out["unit"], out["max_speed"] = m.group(1), value
            else:
                raise ValueError(
                    f"unexpected key {key!r}: expected 'signal', 'window_s' and a speed like max_deg_per_s"
                )
        if "max_speed" not in out:
            raise ValueError("missing a speed bound like max_deg_per_s")
        return out
