"""The review's threads (session/overlap.py): order kept, errors passed on, and every
thread ended however the review ends."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from posecheck.session.overlap import Ahead, Behind


def _ours() -> list[str]:
    # the overlap's own threads (other tests may leave the voice's daemon thread behind)
    ours = ("posecheck-ahead", "posecheck-behind", "posecheck-test", "posecheck-decode", "posecheck-draw")
    return [t.name for t in threading.enumerate() if t.name in ours]


def test_ahead_hands_on_every_item_in_order():
    ahead = Ahead(lambda: iter(range(100)), depth=3)
    assert list(ahead) == list(range(100))
    assert _ours() == []


def test_ahead_raises_the_source_error_where_it_happened():
    def source():
        yield 1
        yield 2
        raise OSError("disk gone")

    ahead = Ahead(source)
    assert next(ahead) == 1 and next(ahead) == 2
    with pytest.raises(OSError, match="disk gone"):
        next(ahead)
    assert _ours() == []


def test_closing_ahead_midway_ends_its_thread_and_closes_the_source_there():
    closed_on = []

    def source():
        try:
            yield from range(10**9)
        finally:
            closed_on.append(threading.current_thread().name)

    ahead = Ahead(source, depth=2, name="posecheck-test")
    assert [next(ahead) for _ in range(5)] == list(range(5))
    ahead.close()
    assert closed_on == ["posecheck-test"]
    assert _ours() == []
    with pytest.raises(StopIteration):
        next(ahead)


def test_behind_works_through_every_item_in_order_on_close():
    done = []

    def work(i):
        time.sleep(0.001)
        done.append(i)

    behind = Behind(work, depth=2)
    for i in range(50):
        behind.put(i)
    behind.close()
    assert done == list(range(50))
    assert _ours() == []


def test_an_error_behind_comes_out_of_a_later_put_or_close():
    def work(i):
        if i == 3:
            raise OSError(28, "No space left on device")

    behind = Behind(work, depth=1)
    with pytest.raises(OSError, match="No space"):
        for i in range(1000):
            behind.put(i)
    behind.abort()
    assert _ours() == []

    behind = Behind(work)
    for i in range(5):
        behind.put(i)
    with pytest.raises(OSError, match="No space"):
        behind.close()
    assert _ours() == []


def test_abort_drops_what_waits_and_ends_the_thread():
    started = threading.Event()
    done = []

    def work(i):
        started.set()
        time.sleep(0.05)
        done.append(i)

    behind = Behind(work, depth=100)
    for i in range(100):
        behind.put(i)
    started.wait(5)
    behind.abort()
    assert len(done) < 100
    assert _ours() == []


def test_prompt_handoffs_shortens_the_switch_interval_and_restores_it():
    """MediaPipe hands every C call to a thread of its own: while the model runs, a thread
    waiting for Python's lock must get it promptly (overlap.py), and afterwards the process's
    own interval is back, even after an error."""
    import sys

    from posecheck.session.overlap import HANDOFF_S, prompt_handoffs

    before = sys.getswitchinterval()
    assert before > HANDOFF_S  # Python's default (5 ms): the test would prove nothing otherwise
    with pytest.raises(RuntimeError), prompt_handoffs():
        assert sys.getswitchinterval() == pytest.approx(HANDOFF_S)
        with prompt_handoffs():  # nested: still the short one, and the outer's kept after
            assert sys.getswitchinterval() == pytest.approx(HANDOFF_S)
        assert sys.getswitchinterval() == pytest.approx(HANDOFF_S)
        raise RuntimeError("mid-review")
    assert sys.getswitchinterval() == before


def test_the_pose_model_runs_with_prompt_handoffs():
    import sys

    from posecheck.session.overlap import HANDOFF_S
    from posecheck.session.poses import ModelPoses
    from posecheck.sources.video import VideoFile

    from helpers import SAMPLES

    before = sys.getswitchinterval()
    frames = ModelPoses(VideoFile(SAMPLES / "bridge.mp4")).frames(masks=False)
    next(frames)
    assert sys.getswitchinterval() == pytest.approx(HANDOFF_S)
    frames.close()
    assert sys.getswitchinterval() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread has a priority of its own only on Linux")
def test_lowered_workers_run_below_the_models_priority_and_others_do_not():
    """The work beside the model (decoding ahead, drawing, encoding) yields a core at once to
    the model's hand-overs (overlap.background); the model's own thread keeps its priority."""
    import os

    from posecheck.session.overlap import BACKGROUND_NICE

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    mine = nice()
    seen: dict[str, int] = {}
    for lowered in (True, False):
        key = f"behind {lowered}"
        behind = Behind(lambda _, key=key: seen.__setitem__(key, nice()), lowered=lowered)
        behind.put(0)
        behind.close()
        ahead = Ahead(lambda: iter([nice()]), lowered=lowered)
        seen[f"ahead {lowered}"] = next(iter(ahead))
        ahead.close()
    expected = min(mine + BACKGROUND_NICE, 19)
    assert seen == {"behind True": expected, "ahead True": expected, "behind False": mine, "ahead False": mine}
    assert nice() == mine  # the caller's own is untouched


def test_a_review_draws_encodes_and_decodes_lowered_but_runs_the_model_at_its_priority(tmp_path):
    """Which threads are lowered in a real review: found by their names while it runs."""
    import contextlib
    import os

    from posecheck.exercise import definition
    from posecheck.session.review import ReviewOptions, review

    from helpers import SAMPLES

    found: dict[str, int] = {}

    class Enough(Exception):
        pass

    def look(t_s, step) -> None:
        if len(found) == 4:
            raise Enough  # seen them all: no need to review the whole sample
        for thread in threading.enumerate():
            if thread.name.startswith("posecheck-") and thread.native_id is not None:
                with contextlib.suppress(OSError):  # ended meanwhile
                    found[thread.name] = os.getpriority(os.PRIO_PROCESS, thread.native_id)

    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    options = ReviewOptions(output=tmp_path / "a.mp4", progress=False)
    with pytest.raises(Enough):
        review(SAMPLES / "bridge.mp4", definition.load("bridge"), options, on_step=look)
    assert not (tmp_path / "a.mp4").exists()
    assert found["posecheck-pose"] == mine
    assert {found[n] for n in ("posecheck-decode", "posecheck-draw", "posecheck-encode")} == {found["posecheck-draw"]}
    assert found["posecheck-draw"] > mine
