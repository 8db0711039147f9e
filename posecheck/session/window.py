"""The live screen's outlets: a window (OpenCV, resizable, full screen by default), or
nothing (headless; keys may be scripted for tests). The loop in posecheck.session.live
shows each screen and polls the keys through them.
"""

from __future__ import annotations

import os
import sys
from typing import ClassVar, Protocol

import cv2
import numpy as np

from posecheck.errors import PosecheckError

DEFAULT_SIZE = (1280, 720)


class UI(Protocol):
    def size(self) -> tuple[int, int]: ...

    def show(self, canvas: np.ndarray) -> None: ...

    def poll(self) -> str | None: ...

    def close(self) -> None: ...


class Headless:
    """No window. Keys may be scripted for tests: (after this many polls, key)."""

    def __init__(self, size: tuple[int, int] = DEFAULT_SIZE, keys: list[tuple[int, str]] | None = None) -> None:
        self._size = size
        self._keys = sorted(keys or [])
        self._polls = 0
        self.shown = 0
        self.last: np.ndarray | None = None

    def size(self) -> tuple[int, int]:
        return self._size

    def show(self, canvas: np.ndarray) -> None:
        self.shown += 1
        self.last = canvas

    def poll(self) -> str | None:
        self._polls += 1
        if self._keys and self._keys[0][0] <= self._polls:
            return self._keys.pop(0)[1]
        return None

    def close(self) -> None:
        pass


def check_display() -> None:
    """OpenCV's Qt window aborts the whole process without a display: say so first."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        raise PosecheckError("no display to open a window on (DISPLAY is not set); use --headless")


class Window:
    """A resizable OpenCV window, full screen by default; the screen is drawn at its size."""

    KEYS: ClassVar[dict[int, str]] = {32: " ", 27: "q", 13: " "}

    def __init__(
        self, title: str = "posecheck", *, fullscreen: bool = True, size: tuple[int, int] = DEFAULT_SIZE
    ) -> None:
        check_display()
        self.title = title
        self._default = size
        self.fullscreen = fullscreen
        try:
            cv2.namedWindow(
                title, cv2.WINDOW_NORMAL | cv2.WINDOW_FREERATIO | cv2.WINDOW_GUI_NORMAL
            )  # no toolbar: the picture fills it
            cv2.resizeWindow(title, *size)
            if fullscreen:
                cv2.setWindowProperty(title, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
        except cv2.error as e:
            raise PosecheckError(f"cannot open a window ({str(e).strip().splitlines()[-1]}); use --headless") from None
        self._shown = False
        self.closed = False

    def size(self) -> tuple[int, int]:
        try:
            _, _, w, h = cv2.getWindowImageRect(self.title)
        except cv2.error:
            return self._default
        return (w, h) if w >= 160 and h >= 120 else self._default

    def show(self, canvas: np.ndarray) -> None:
        if not self.closed:
            cv2.imshow(self.title, canvas)
            self._shown = True

    def poll(self) -> str | None:
        code = cv2.waitKey(1)
        if self._shown and cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            self.closed = True  # the window was closed with the mouse
            return "q"
        if code < 0:
            return None
        code &= 0xFF
        if code == ord("f"):
            self.fullscreen = not self.fullscreen
            mode = cv2.WINDOW_FULLSCREEN if self.fullscreen else cv2.WINDOW_NORMAL
            cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, mode)
            return None
        return self.KEYS.get(code, chr(code).lower() if 32 < code < 127 else None)

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass
