"""The pose model, wrapped once: MediaPipe's PoseLandmarker in, posecheck's Pose out.

Nothing else in posecheck imports MediaPipe. The rest of the code sees only `Pose`.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import os
import sys
import threading
import zipfile
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np

from posecheck.errors import ModelError
from posecheck.pose.types import Detection, Pose
from posecheck.pose.zoom import Box, Zoom, closer, holds_part

BUNDLED_MODEL_NAME = "pose_landmarker_full.task"
BUNDLED_MODEL_SHA256 = "6570a3125960046e7da4df2fbc6073ae7ddb761a7bf5581e3f9380b44c3e951c"
# A PoseLandmarker bundle holds these two TFLite models.
_BUNDLE_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


def bundled_model() -> Path:
    return Path(str(resources.files("posecheck.models").joinpath(BUNDLED_MODEL_NAME)))


def check_model(path: Path) -> Path:
    """Fail early and clearly if `path` is not a usable pose model bundle."""
    if not path.exists():
        raise ModelError(f"pose model not found: {path}")
    if not path.is_file():
        raise ModelError(f"pose model is not a file: {path}")
    if path.resolve() == bundled_model().resolve():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != BUNDLED_MODEL_SHA256:
            raise ModelError(
                f"the bundled pose model is damaged (sha256 {digest[:12]}…, "
                f"expected {BUNDLED_MODEL_SHA256[:12]}…): reinstall posecheck"
            )
        return path
    try:
        with zipfile.ZipFile(path) as z:
            names = {Path(n).name for n in z.namelist()}
    except (zipfile.BadZipFile, OSError):
        raise ModelError(f"{path} is not a MediaPipe .task bundle (not a zip archive)") from None
    if not names >= _BUNDLE_MEMBERS:
        raise ModelError(f"{path} is not a pose landmarker bundle: it lacks {sorted(_BUNDLE_MEMBERS - names)}")
    return path


# MediaPipe's native core carries a usage logger (mediapipe issue #6291) that, through its
# built-in libcurl, sends metrics to play.googleapis.com when a landmarker is created and
# runs: a DNS lookup and a connection from a program that promises nothing leaves the
# machine. The library has no setting for it. libcurl takes its proxy from these
# variables, so pointing them at a scheme libcurl does not know makes every transfer fail
# inside libcurl before any DNS lookup or connect() (strace-verified by
# tests/pose/test_no_egress.py). Only the logger's upload fails; inference does not use it.
OFFLINE_PROXY = "posecheck-offline://no-network"
_PROXY_VARIABLES = ("https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY")
_NO_PROXY_VARIABLES = ("no_proxy", "NO_PROXY")  # a host listed there would bypass the proxy


def block_network() -> None:
    """Keep the pose library off the network: no DNS lookup, no connection.

    Process-wide: it changes this process's environment (and so that of any child it
    starts), so any other HTTP client in the process that honours proxy variables
    (libcurl, urllib, requests) fails too. posecheck itself never uses the network.
    Called before MediaPipe is imported and before every landmarker is created.
    """
    for name in _PROXY_VARIABLES:
        os.environ[name] = OFFLINE_PROXY
    for name in _NO_PROXY_VARIABLES:
        os.environ.pop(name, None)


def silence_native_logs() -> None:
    """Send the native library's stderr chatter to /dev/null, keeping Python's stderr.

    MediaPipe's C++ core logs to file descriptor 2 and ignores GLOG_* variables, so we
    move Python's own stderr to a duplicate of fd 2 and point fd 2 at /dev/null.
    """
    if getattr(silence_native_logs, "done", False):
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        return
    sys.stderr = io.TextIOWrapper(
        os.fdopen(saved, "wb", buffering=0), encoding="utf-8", errors="replace", write_through=True, line_buffering=True
    )
    silence_native_logs.done = True  # type: ignore[attr-defined]


def _all_xy(result, width: int, height: int) -> list[np.ndarray]:
    """Where each person found lies, in pixels of the image looked at."""
    return [_to_pose(result, i, width, height, False).xy for i in range(len(result.pose_landmarks))]


def _to_pose(result, i: int, width: int, height: int, want_mask: bool) -> Pose:
    lms = result.pose_landmarks[i]
    arr = np.array([(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in lms], dtype=np.float64)
    xy = arr[:, :2] * (width, height)
    world = None
    if result.pose_world_landmarks and len(result.pose_world_landmarks) > i:
        world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[i]], dtype=np.float64)
    mask = None
    if want_mask and result.segmentation_masks and len(result.segmentation_masks) > i:
        mask = np.array(result.segmentation_masks[i].numpy_view(), dtype=np.float32).reshape(height, width)
    return Pose(
        xy=xy,
        z=arr[:, 2] * width,
        visibility=arr[:, 3],
        presence=arr[:, 4],
        world=world,
        mask=mask,
        width=width,
        height=height,
    )


class _InPlace(concurrent.futures.Executor):
    """Runs each call at once on the calling thread, one call at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            try:
                result = fn(*args, **kwargs)
            except BaseException as e:  # raised again by future.result(), as the executor's would be
                future.set_exception(e)
            else:
                future.set_result(result)
        return future


def call_in_place(landmarker: object, signatures: tuple) -> bool:
    """Make a landmarker call its C library on the calling thread instead of MediaPipe's.

    MediaPipe 1.x hands every call into its C library to a thread of its own (a
    `SerialDispatcher`: a one-thread executor, so that calls from many Python threads never
    overlap) and waits for it: two calls a frame, each a wake-up of that thread and two
    hand-overs of Python's lock, which wait for a core and for the lock whenever the review's
    other threads are busy. posecheck calls a landmarker from one thread at a time, so the
    calls run where they are made, still one at a time (a lock). Uses MediaPipe's private
    names; when they are not there (another version), nothing changes and this returns False.
    """
    lib = getattr(landmarker, "_lib", None)
    executor = getattr(lib, "_executor", None)
    register = getattr(lib, "_register_signature", None)
    if not signatures or register is None or not isinstance(executor, concurrent.futures.ThreadPoolExecutor):
        return False
    try:
        lib._executor = _InPlace()  # type: ignore[union-attr]  # read by each registration
        for signature in signatures:
            register(signature)
    except Exception:  # some calls may run in place, the rest on MediaPipe's thread: still one at a time
        lib._executor = executor  # type: ignore[union-attr]  # shut down with the landmarker
        return False
    executor.shutdown(wait=True)  # its thread, idle since the landmarker was made
    return True


class PoseEstimator:
    """MediaPipe PoseLandmarker in VIDEO mode (frames with timestamps, in order).

    A context manager: the native graph is released on exit.
    """

    def __init__(
        self,
        model: Path | None = None,
        *,
        masks: bool = False,
        count_people_every_s: float | None = 1.0,
        min_detection: float = 0.5,
        min_presence: float = 0.5,
        min_tracking: float = 0.5,
    ) -> None:
        self.model = check_model(Path(model) if model else bundled_model())
        self.masks = masks
        block_network()  # before MediaPipe loads: its usage logger must not reach the network
        from mediapipe.tasks.python import vision
        from mediapipe.tasks.python.core.base_options import BaseOptions

        model_bytes = self.model.read_bytes()
        # One person is tracked from frame to frame (asking for two makes the model run its
        # detector on every frame: slower and noisier). A second, image-mode landmarker
        # looks for more people now and then.
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=model_bytes),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=min_detection,
            min_pose_presence_confidence=min_presence,
            min_tracking_confidence=min_tracking,
            output_segmentation_masks=masks,
        )
        crowd_options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=model_bytes),
            running_mode=vision.RunningMode.IMAGE,
            num_poses=3,
            min_pose_detection_confidence=min_detection,
            min_pose_presence_confidence=min_presence,
        )
        self._crowd = None
        self._options = options
        self._zoomed = None  # a second tracking landmarker, for a square of the frame (pose/zoom.py)
        self._zoom: Zoom | None = None
        try:
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
            if count_people_every_s:
                self._crowd = vision.PoseLandmarker.create_from_options(crowd_options)
        except Exception as e:  # the native layer raises plain RuntimeError/ValueError
            raise ModelError(f"{self.model}: the pose model could not be loaded ({str(e).splitlines()[0]})") from None
        from mediapipe.tasks.python.vision import pose_landmarker

        signatures = self._signatures = getattr(pose_landmarker, "_CTYPES_SIGNATURES", ())
        # whether each landmarker's calls now run on the calling thread (False: MediaPipe's own thread)
        self.calls_in_place = all(
            call_in_place(lm, signatures) for lm in (self._landmarker, self._crowd) if lm is not None
        )
        self._every_s = count_people_every_s
        self._next_count_s = 0.0
        self._last_ms = -1

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for lm in (self._landmarker, self._crowd, self._zoomed):
            if lm is not None:
                lm.close()
        self._landmarker = self._crowd = self._zoomed = None

    def detect(self, rgb: np.ndarray, t_s: float) -> Detection:
        """Find the people in an RGB frame taken at t_s seconds (strictly increasing)."""
        import mediapipe as mp

        ms = max(round(t_s * 1000), self._last_ms + 1)
        self._last_ms = ms
        height, width = rgb.shape[:2]
        if self._zoom is None or (self._zoom.width, self._zoom.height) != (width, height):
            self._zoom = Zoom(width, height)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._zoom.box is not None:
            poses = self._detect_in(self._zoom.box, rgb, ms, width, height)
            self._zoom.followed(t_s, poses[0].xy if poses else None)
        else:
            poses = self._tracked(image, ms, width, height)
            self._look_closer(rgb, t_s, bool(poses))
        people = None
        if self._crowd is not None and self._every_s and t_s >= self._next_count_s:
            self._next_count_s = t_s + self._every_s
            found = self._crowd.detect(image)
            people = len(found.pose_landmarks)
            # a person followed in a square may be too small for the whole frame's count
            people = max(people, len(poses)) if self._zoom.box is not None else people
            if self._zoom.box is None and poses:
                if holds_part(poses[0].xy, _all_xy(found, width, height)) is not None:
                    poses = self._track_again(image, ms, width, height)
                else:
                    self._look_at(rgb, poses[0].xy, width, height)
        return Detection(poses=poses, people=people)

    def _look_at(self, rgb: np.ndarray, xy: np.ndarray, width: int, height: int) -> None:
        """A small person followed in the whole frame: look at a square around them, and when
        it reads them whole where the tracker holds a part, follow them through a square
        (pose/zoom.py `closer`; a far person the whole frame's fresh look does not find)."""
        import mediapipe as mp

        assert self._zoom is not None and self._crowd is not None
        box = closer(xy, width, height)
        if box is None:
            return
        result = self._crowd.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=box.crop(rgb)))
        whole = holds_part(xy, [box.to_frame(f) for f in _all_xy(result, box.side, box.side)])
        if whole is not None:
            self._zoom.found_in(whole)

    def _track_again(self, image, ms: int, width: int, height: int) -> tuple[Pose, ...]:
        """The tracker holds a part of the person (pose/zoom.py `holds_part`): a new one, which
        looks at the whole frame afresh, on this frame."""
        from mediapipe.tasks.python import vision

        self._landmarker.close()
        self._landmarker = vision.PoseLandmarker.create_from_options(self._options)
        call_in_place(self._landmarker, self._signatures)
        return self._tracked(image, ms, width, height)

    def _tracked(self, image, ms: int, width: int, height: int) -> tuple[Pose, ...]:
        """The tracking landmarker on the whole frame."""
        result = self._landmarker.detect_for_video(image, ms)
        return tuple(_to_pose(result, i, width, height, self.masks) for i in range(len(result.pose_landmarks)))

    def _look_closer(self, rgb: np.ndarray, t_s: float, found: bool) -> None:
        """Nobody in the whole frame for a while: try one square of it (pose/zoom.py)."""
        import mediapipe as mp

        assert self._zoom is not None
        box = self._zoom.whole_frame(t_s, found)
        if box is None or self._crowd is None:
            return
        crop = box.crop(rgb)
        result = self._crowd.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=crop))
        if result.pose_landmarks:
            pose = _to_pose(result, 0, box.side, box.side, False)
            self._zoom.found_in(box.to_frame(pose.xy))

    def _detect_in(self, box: Box, rgb: np.ndarray, ms: int, width: int, height: int) -> tuple[Pose, ...]:
        """The tracking landmarker on a square of the frame; poses in the whole frame's pixels."""
        import mediapipe as mp
        from mediapipe.tasks.python import vision

        zoomed = self._zoomed
        if zoomed is None:
            zoomed = self._zoomed = vision.PoseLandmarker.create_from_options(self._options)
            call_in_place(zoomed, self._signatures)
        result = zoomed.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=box.crop(rgb)), ms)
        return tuple(
            _in_frame(_to_pose(result, i, box.side, box.side, self.masks), box, width, height)
            for i in range(len(result.pose_landmarks))
        )


def _in_frame(pose: Pose, box: Box, width: int, height: int) -> Pose:
    """A pose found in a square of the frame, in the whole frame's pixels (its mask pasted in)."""
    mask = None
    if pose.mask is not None:
        mask = np.zeros((height, width), dtype=np.float32)
        mask[box.y : box.y + box.side, box.x : box.x + box.side] = pose.mask
    return replace(pose, xy=box.to_frame(pose.xy), mask=mask, width=width, height=height)
