"""Whether the synth extra (torch + anny) is installed, checked without importing it."""

from __future__ import annotations

import importlib.util

MISSING_MESSAGE = (
    "the performer needs the synth extra: pip install 'posecheck[synth]' "
    "(install torch==2.13.0 first on CPU-only machines)"
)

_REQUIRED = ("torch", "anny")


class SynthUnavailable(ImportError):
    """The synth extra is not installed; str() is the one-line message for the user."""


def available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRED)


def require() -> None:
    """Raise SynthUnavailable (an ImportError) with the one-line message if the extra is missing."""
    if not available():
        raise SynthUnavailable(MISSING_MESSAGE)
