"""Errors the user can act on. The CLI prints them as one line and exits non-zero."""


class PosecheckError(Exception):
    """A problem with the user's input or machine, reported as one line, no traceback."""

    exit_code = 2


class DefinitionError(PosecheckError):
    """An exercise definition file is malformed (names the file, the key, what was expected)."""


class VideoError(PosecheckError):
    """A video cannot be opened, decoded or written."""


class ModelError(PosecheckError):
    """The pose model file is missing or not a usable MediaPipe pose bundle."""


class NoPersonError(PosecheckError):
    """No person was found in the video."""

    exit_code = 3


class CameraError(PosecheckError):
    """A camera is missing, busy, or stopped delivering frames."""

    exit_code = 4


class Interrupted(PosecheckError):
    """Ctrl-C: what was done so far is kept and written."""

    exit_code = 130
