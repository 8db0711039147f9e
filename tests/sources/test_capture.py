"""The capture thread: only the newest frame is handed out, and a camera that went away is reopened."""

from __future__ import annotations

import threading
import time

import numpy as np

from posecheck.sources.capture import Capture


def test_capture_hands_out_only_the_newest_frame():
    class Fast:
        name, fps, ended = "fast", 100.0, False

        def __init__(self):
            self.n = 0

        def open(self):
            pass

        def read(self):
            if self.n >= 50:
                self.ended = True
                return None
            time.sleep(0.002)
            self.n += 1
            return self.n / 100, np.full((2, 2, 3), self.n, np.uint8)

        def reopen(self):
            return False

        def close(self):
            pass

    cap = Capture(Fast(), stall_s=0.5)
    cap.start()
    got = []
    while True:
        g = cap.latest(timeout=0.2)
        if g is None:
            if cap.status().ended:
                break
            continue
        got.append(g.index)
        time.sleep(0.02)  # a slow consumer
    st = cap.status()
    cap.stop()
    assert got == sorted(got) and len(set(got)) == len(got)  # never an older frame, never twice
    assert got[-1] == 49  # the last frame is not lost
    assert st.dropped == 50 - len(got) and st.dropped > 10
    assert not any(t.name == "posecheck-capture" and t.is_alive() for t in threading.enumerate())


def test_capture_reopens_a_camera_that_went_away():
    class Unplugged:
        """Delivers, goes away, and delivers again only once reopened (a replugged webcam)."""

        name, fps, ended = "unplugged", 30.0, False

        def __init__(self):
            self.n, self.plugged, self.reopened = 0, True, 0

        def open(self):
            pass

        def read(self):
            time.sleep(0.01)
            if self.n == 10:
                self.plugged, self.n = False, 11
            if not self.plugged:
                return None
            self.n += 1
            return self.n / 30, np.zeros((2, 2, 3), np.uint8)

        def reopen(self):
            self.reopened += 1
            self.plugged = True
            return True

        def close(self):
            pass

    src = Unplugged()
    cap = Capture(src, stall_s=0.1, reopen_after_s=0.2)
    cap.start()
    deadline = time.perf_counter() + 5
    while time.perf_counter() < deadline and src.n < 20:
        cap.latest(timeout=0.05)
    cap.stop()
    assert src.reopened >= 1 and src.n >= 20
