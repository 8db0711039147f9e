"""The pose model's calls into its C library run on the calling thread (pose/model.py
`call_in_place`), with the same detections as through MediaPipe's own thread, and
nothing changes when MediaPipe's internals are not the ones it knows."""

from __future__ import annotations

import concurrent.futures
import threading

import cv2
import numpy as np
import pytest

from posecheck.pose import model
from posecheck.pose.model import PoseEstimator, call_in_place

from helpers import BRIDGE, read_frames


def _detections(frames: list[np.ndarray], in_place: bool, monkeypatch) -> tuple[list, bool, set[str]]:
    """Each frame's landmarks (None: nobody), whether the calls ran in place, and the threads
    that were alive while the model ran but not before it."""
    with monkeypatch.context() as m:
        if not in_place:
            m.setattr(model, "call_in_place", lambda landmarker, signatures: False)
        before = {t.ident for t in threading.enumerate()}
        out = []
        with PoseEstimator(masks=True) as estimator:
            for i, bgr in enumerate(frames):
                d = estimator.detect(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), i / 30)
                out.append((d.poses[0].xy.copy(), d.poses[0].mask.copy()) if d.poses else None)
            new = {t.name for t in threading.enumerate() if t.ident not in before}
            return out, estimator.calls_in_place, new


@pytest.mark.model
def test_the_models_calls_run_in_place_and_detect_the_same(monkeypatch):
    frames, _ = read_frames(BRIDGE, 2.0, 1.0)
    ours, in_place, new = _detections(frames, True, monkeypatch)
    theirs, their_in_place, their_new = _detections(frames, False, monkeypatch)
    assert in_place and not their_in_place
    # MediaPipe's dispatching threads: one per landmarker when its calls are handed over, none here
    assert sum(n.startswith("ThreadPoolExecutor") for n in their_new) == 2
    assert not any(n.startswith("ThreadPoolExecutor") for n in new)
    assert len(ours) == len(frames) and all(o is not None for o in ours)
    for (xy, mask), (their_xy, their_mask) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(xy, their_xy)
        np.testing.assert_array_equal(mask, their_mask)


class _Signature:
    def __init__(self, name: str) -> None:
        self.func_name = name


class _Dispatcher:
    """MediaPipe's SerialDispatcher as call_in_place sees it: an executor read by each registration."""

    def __init__(self, fail_on: str | None = None) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.registered: dict[str, object] = {}
        self.fail_on = fail_on

    def _register_signature(self, signature: _Signature) -> None:
        if signature.func_name == self.fail_on:
            raise AttributeError(signature.func_name)
        self.registered[signature.func_name] = self._executor


class _Landmarker:
    def __init__(self, lib: object) -> None:
        self._lib = lib


def test_calls_stay_on_mediapipes_thread_when_its_internals_differ():
    signatures = (_Signature("MpA"), _Signature("MpB"))
    assert not call_in_place(object(), signatures)  # no dispatcher where it is looked for
    assert not call_in_place(_Landmarker(_Dispatcher()), ())  # no signatures known
    failing = _Dispatcher(fail_on="MpB")
    pool = failing._executor
    assert not call_in_place(_Landmarker(failing), signatures)
    assert failing._executor is pool  # still shut down with the landmarker
    pool.shutdown()
    works = _Dispatcher()
    pool = works._executor
    assert call_in_place(_Landmarker(works), signatures)
    assert works._executor is not pool and set(works.registered.values()) == {works._executor}
    assert works._executor.submit(lambda a: a + 1, 1).result() == 2
    with pytest.raises(ZeroDivisionError):
        works._executor.submit(lambda: 1 / 0).result()
