"""Interrupts that wait for the end of a frame.

A review steps the engine on a frame and then hands it to the annotated copy. Ctrl-C or a
SIGTERM landing between the two would leave a frame counted in the report and missing from
the video (or the engine half-updated). Inside `Frames.each()` an interrupt is held and
raised as that block ends, so every frame is either wholly done or not started.

Only the main thread receives signals in Python; elsewhere (a batch worker's thread) this
does nothing. Signals that are ignored or left to their default action are not touched.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_Handler = Callable[[int, FrameType | None], Any]


def _wanted() -> list[signal.Signals]:
    return [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])


class Frames:
    """Holds the interrupts that arrive inside `each()` until that block ends."""

    def __init__(self) -> None:
        self._inside = False
        self._held: tuple[_Handler, int] | None = None

    def _wrap(self, original: _Handler) -> _Handler:
        def handler(signum: int, frame: FrameType | None) -> Any:
            if self._inside:
                if self._held is None:
                    self._held = (original, signum)
                return None
            return original(signum, frame)

        return handler

    @contextmanager
    def each(self) -> Iterator[None]:
        self._inside = True
        try:
            yield
        finally:
            self._inside = False
            held, self._held = self._held, None
            if held is not None:
                original, signum = held
                original(signum, None)


@contextmanager
def frame_by_frame() -> Iterator[Frames]:
    """A `Frames` whose `each()` blocks hold interrupts, for as long as this is entered."""
    frames = Frames()
    if threading.current_thread() is not threading.main_thread():
        yield frames
        return
    before: dict[signal.Signals, _Handler] = {}
    for sig in _wanted():
        current = signal.getsignal(sig)
        if callable(current):
            before[sig] = current
            signal.signal(sig, frames._wrap(current))
    try:
        yield frames
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
