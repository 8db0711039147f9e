"""An interrupt that lands inside a frame's work waits for the end of that frame."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from posecheck.session.interrupts import frame_by_frame


@pytest.fixture(autouse=True)
def _ctrl_c(ctrl_c_interrupts):
    """Every test here interrupts itself (conftest.ctrl_c_interrupts)."""


def test_ctrl_c_inside_a_frame_is_raised_when_the_frame_is_done() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), frame_by_frame() as held:
        for i in range(3):
            with held.each():
                if i == 1:
                    os.kill(os.getpid(), signal.SIGINT)
                done.append(i)  # reached: the interrupt is held
    assert done == [0, 1]


def test_ctrl_c_between_frames_is_raised_at_once() -> None:
    with frame_by_frame() as held, pytest.raises(KeyboardInterrupt):
        with held.each():
            pass
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # the handler runs between bytecodes
            pass
        pytest.fail("not interrupted")


def test_the_handlers_are_given_back() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with frame_by_frame():
        assert signal.getsignal(signal.SIGINT) is not before[0]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_signal_left_to_its_default_is_not_taken_over() -> None:
    before = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with frame_by_frame():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)


def test_off_the_main_thread_nothing_is_changed() -> None:
    seen = []

    def work() -> None:
        with frame_by_frame() as held, held.each():
            seen.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen == [before]
