"""What a valid number in the user's files looks like, and how a validation error is told.

Shared by the exercise files and the settings; pure (no files, no clock).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import ErrorDetails

HOLD_MAX_S = 600.0  # a hold longer than ten minutes is a typo, not a prescription
TARGET_MAX = 1000  # more reps than this in one session is a typo (and beyond SQLite's integers soon after)


def key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def describe_error(err: ErrorDetails, model: type[BaseModel] | None = None) -> str:
    """One validation error in words; with the model validated, an unknown key is told
    with the keys allowed there."""
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return "missing: this key is required"
    if err["type"] == "extra_forbidden":
        return unknown_key(model, err["loc"]) if model is not None else "unexpected key (a typo?)"
    got = err.get("input")
    if err["type"] in ("value_error", "assertion_error") or isinstance(got, (dict, list)):
        return "expected " + msg[0].lower() + msg[1:] if msg.startswith("Input should") else msg
    return f"{msg[0].lower() + msg[1:]}, got {got!r}"


def normal_id(text: str) -> str:
    """An exercise id as typed, in the files' spelling: 'Knee-to-chest' -> 'knee_to_chest'."""
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'bridge'?)' for a near miss among choices, else ''."""
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_in(tp: Any) -> type[BaseModel] | None:
    """The model a field's type holds: X, X | None, dict[str, X], list[X]."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in reversed(get_args(tp)):  # dict[str, X]: the value type is last
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The keys a table at loc (an error's location, the unknown key last) may hold, or None
    when the path cannot be followed."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None:
            return None
        if isinstance(part, str) and part in current.model_fields:
            current = _model_in(current.model_fields[part].annotation)
        # else: a dict key or list index inside the field just followed; stay on its model
    if current is None:
        return None
    return [info.alias or name for name, info in current.model_fields.items()]


def unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """'unknown key (did you mean 'hold_s'?); allowed: hold_s, target'."""
    allowed = allowed_keys(model, loc)
    if not allowed:
        return "unexpected key (a typo?)"
    return f"unexpected key{did_you_mean(str(loc[-1]), allowed)}; allowed: {', '.join(allowed)}"
