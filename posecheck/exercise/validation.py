"""What a valid number in the user's files looks like, and how a validation error is told.

Shared by the exercise files and the settings; pure (no files, no clock).
"""

from __future__ import annotations

from typing import Any

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


def describe_error(err: ErrorDetails) -> str:
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return "missing: this key is required"
    if err["type"] == "extra_forbidden":
        return "unexpected key (a typo?)"
    got = err.get("input")
    if err["type"] in ("value_error", "assertion_error") or isinstance(got, (dict, list)):
        return "expected " + msg[0].lower() + msg[1:] if msg.startswith("Input should") else msg
    return f"{msg[0].lower() + msg[1:]}, got {got!r}"
