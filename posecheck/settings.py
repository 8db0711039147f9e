"""The user's own settings: per-exercise hold times and targets, in a TOML file.

    # ~/.config/posecheck/config.toml (or $POSECHECK_CONFIG)
    [exercises.bridge]
    hold_s = 8        # my therapist's hold
    target = 10

Precedence: a command-line flag, then this file, then the history's progression (for
targets), then the exercise definition.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from posecheck.errors import PosecheckError
from posecheck.exercise.validation import HOLD_MAX_S, TARGET_MAX, did_you_mean, key_path, normal_id, unknown_key

ENV = "POSECHECK_CONFIG"


class SettingsError(PosecheckError):
    """The user's settings file is malformed."""


class ExerciseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    hold_s: float | None = Field(default=None, gt=0, le=HOLD_MAX_S)
    target: int | None = Field(default=None, ge=1, le=TARGET_MAX)


class UserSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    exercises: dict[str, ExerciseSettings] = Field(default_factory=dict)

    def hold_s(self, exercise_id: str, flag: float | None = None) -> float | None:
        if flag is not None:
            return flag
        own = self.exercises.get(exercise_id)
        return own.hold_s if own else None

    def target(self, exercise_id: str, flag: int | None = None) -> int | None:
        if flag is not None:
            return flag
        own = self.exercises.get(exercise_id)
        return own.target if own else None


def settings_path() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from platformdirs import user_config_path

    return user_config_path("posecheck") / "config.toml"


def load_settings(path: Path | None = None) -> UserSettings:
    """The settings, or defaults when there is no file. Errors name the file and the key."""
    path = path or settings_path()
    if not path.exists():
        return UserSettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
        raise SettingsError(f"{path}: not a readable TOML file: {e}") from None
    from posecheck.exercise.definition import exercise_files

    known = exercise_files()
    if isinstance(data.get("exercises"), dict):  # ids as on the command line: "Bridge" is bridge
        own = data["exercises"]
        data = {**data, "exercises": {(normal_id(k) if normal_id(k) in known else k): v for k, v in own.items()}}
    try:
        settings = UserSettings.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        if err["type"] == "extra_forbidden":
            raise SettingsError(f"{path}: {key_path(err['loc'])}: {unknown_key(UserSettings, err['loc'])}") from None
        msg = err["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{path}: {key_path(err['loc'])}: {msg[0].lower() + msg[1:]}") from None
    for ex_id in settings.exercises:
        if ex_id not in known:
            hint = did_you_mean(ex_id, known)
            raise SettingsError(f"{path}: exercises.{ex_id}: unknown exercise{hint}; known: {', '.join(sorted(known))}")
    return settings
