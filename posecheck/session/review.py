"""`posecheck review`: a recorded video through the whole pipeline, to a report and an annotated copy."""

from __future__ import annotations

import errno
from collections.abc import Callable, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.coach.overlay import annotate
from posecheck.errors import Interrupted, NoPersonError, PosecheckError, VideoError
from posecheck.exercise.definition import Exercise
from posecheck.exercise.state import EngineState
from posecheck.exercise.view import View
from posecheck.pose.types import Pose
from posecheck.records import report as report_mod
from posecheck.records import safeout
from posecheck.session.interrupts import frame_by_frame
from posecheck.session.landmarks import WithImages
from posecheck.session.overlap import Behind
from posecheck.session.pipeline import Listener, Pipeline, Step
from posecheck.session.poses import (
    Kept,
    ModelPoses,
    Posed,
    PoseSource,
    RecordedPoses,
    Thinned,
    Timings,
    VideoFacts,
    keep,
)
from posecheck.sources.video import VideoFile, VideoWriter

STAGES = ("decode", "pose", "engine", "overlay", "encode")


@dataclass
class ReviewOptions:
    hold_s: float | None = None
    target: int | None = None
    model: Path | None = None
    output: Path | None = None
    report: Path | None = None
    progress: bool = True
    # fast mode: the pose model on about this many frames a second, interpolated between
    # (None: every frame)
    pose_fps: float | None = None


def review(
    video_path: Path,
    exercise: Exercise,
    options: ReviewOptions,
    *,
    timings: Timings | None = None,
    on_step: Callable[[float, Step], None] | None = None,
    listeners: Sequence[Listener] = (),
    on_report: Callable[[dict[str, Any]], object] | None = None,
    poses: PoseSource | None = None,
) -> dict[str, Any]:
    """Review a video. Returns the report (also written to options.report when given).

    The detections come from the pose model over the video's frames, or from `poses`
    when given (a record of an earlier run: see session/poses.py); the rest is the same.
    With `options.pose_fps` (fast mode), only the detections of about that many frames a
    second are used (the model runs on only those), interpolated between.
    Raises a PosecheckError for bad input. When interrupted or when the video ends
    early, the outputs cover what was reviewed and are still written.
    """
    timings = timings or Timings()
    check_outputs(video_path, options)
    if poses is None:
        poses = ModelPoses(VideoFile(video_path), options.model, pose_fps=options.pose_fps)
    elif options.output is not None and not poses.images:
        raise ValueError("an annotated copy needs the video's frames; these poses come without them")
    elif options.pose_fps is not None:
        poses = Thinned(poses, options.pose_fps)
    video = poses.facts
    writer = _open_writer(options.output, video, timings) if options.output is not None else None
    interrupted = False
    bar = None
    if options.progress:
        from tqdm import tqdm

        # disable=None: drawn on a terminal, left out of pipes and logs
        bar = tqdm(
            total=video.frame_count,
            unit="frame",
            desc=f"{exercise.id}",
            leave=False,
            mininterval=0.5,
            dynamic_ncols=True,
            disable=None,
        )
    video_error: PosecheckError | None = None
    counting = _Counting(
        Pipeline(exercise, hold_s=options.hold_s, target=options.target), writer, listeners, on_step, timings
    )
    # a movement that may or may not be seen (exercise/seen.py): read from the start again
    # once the picture is trusted
    watch = _Watch(video_path, poses.facts, options) if counting.pipeline.engine.seen is not None else None
    if watch is not None:
        counting.deferred = True
    try:
        # an interrupt waits for the frame in hand: counted in the report and drawn in the copy, or neither
        with closing(poses.frames(masks=exercise.needs_mask, timings=timings)) as frames, frame_by_frame() as held:
            for frame in frames:
                with held.each():
                    counting.count(frame)
                    if watch is not None and watch.keep(frame, counting.pipeline):
                        counting, watch = watch.read_again(counting), None
                if bar is not None:
                    bar.update(1)
                counting.tell()
    except KeyboardInterrupt:
        interrupted = True
    except BaseException as e:
        if counting.writer is not None:
            _drop(counting.writer)
            counting.writer = None
        if not (isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT) and options.output is not None):
            raise
        # the disk filled up: the review stops here, and the history's session still ends
        video_error = safeout.output_error(options.output, e)
    finally:
        if bar is not None:
            bar.close()
    pipeline, writer = counting.pipeline, counting.writer
    end_events = pipeline.finish()
    seen = pipeline.engine.seen
    if seen is not None and seen.withdrawn:  # its outline jumped too often in the holds, or showed one way only
        for r in pipeline.engine.reps:
            r.counted = False
    counting.deferred = False
    counting.tell()  # a watched movement: only now is its reading final
    annotated: Path | None = None
    if writer is not None:
        counting.end_copy(pipeline.state)
        try:
            annotated = _finish_writer(writer, options.output)
        except PosecheckError as e:  # e.g. the disk filled up: the history's session still ends
            video_error = e
    for listen in listeners:
        listen(exercise, end_events, pipeline.state)

    video = poses.facts  # now that every frame has been read: where it ended, whether early
    duration = video.last_t_s + (1.0 / video.fps if video.fps else 0.0)
    engine = pipeline.engine
    hold_used = options.hold_s if options.hold_s is not None else exercise.hold.hold_s
    rep = report_mod.build(
        exercise,
        video=str(Path(video_path).resolve()),  # a page drawn from any folder finds it
        duration_s=duration,
        frames=pipeline.frames,
        frames_with_pose=pipeline.frames_with_pose,
        hold_s=hold_used,
        target=engine.target,
        reps=engine.reps,
        faults=engine.fault_spans,
        fault_peaks=pipeline.peaks.of,
        fps=round(video.fps, 3),
        width=video.width,
        height=video.height,
        setup=pipeline.setup_dict(),
        second_person=[[round(a, 2), round(b, 2)] for a, b in pipeline.follower.crowded_spans],
        # where the recording cut to another camera: the start position was measured again
        camera_changes_s=[round(t, 2) for t in pipeline.new_views_s],
        settings={
            "hold_s": options.hold_s,
            "target": options.target,
            "model": str(options.model) if options.model else "bundled",
            # fast mode's rate (that of a record's review, for a replay); None: every frame
            "pose_fps": getattr(poses, "pose_fps", None),
        },
        interrupted=interrupted,
        truncated=video.truncated,
        annotated=str(options.output) if annotated else None,
        timeline=pipeline.timeline_dict(),
        # A guided exercise's movement cannot be seen (unless its image signal stood out of
        # its noise: exercise/seen.py): a review checks position and faults, and counts
        # nothing it did not see (live coaching paces and counts it).
        countable=exercise.guided is None or (seen is not None and seen.established and not seen.withdrawn),
        not_countable_reason=exercise.guided.reason if exercise.guided else None,
        # what the watch for a guided movement measured, in pixels (exercise/seen.py)
        **({"seen": seen.figures()} if seen is not None else {}),
    )
    try:
        if video_error is not None:
            raise video_error
        if annotated is not None and options.output is not None:
            safeout.commit(annotated, options.output)
            annotated = None
        if options.report is not None:
            report_mod.write(rep, options.report)
    finally:
        if annotated is not None:
            safeout.discard(annotated)
        if on_report is not None:  # the history's session ends even when an output could not be written
            on_report(rep)
    if interrupted:
        raise Interrupted(f"interrupted: the outputs cover the first {duration:.1f} s")
    if pipeline.frames_with_pose == 0:
        raise NoPersonError(
            f"{video_path}: no person found in any of its {pipeline.frames} frames — "
            f"{exercise.camera.placement[0].lower()}{exercise.camera.placement[1:]}"
        )
    if video.truncated:
        expected = f" of {video.nominal_duration_s:.1f} s" if video.nominal_duration_s else ""
        raise VideoError(
            f"{video_path}: the video ends early, at {duration:.1f} s{expected} (truncated or damaged); "
            "the outputs cover what could be read"
        )
    return rep


class _Counting:
    """Each frame through the pipeline, to the annotated copy, the listeners (within the
    frame) and `on_step` (after it, at `tell`). While `deferred` the listeners and `on_step`
    hear nothing: the reading may still start over (`_Watch`); what they missed waits for the
    first `tell` after."""

    def __init__(
        self,
        pipeline: Pipeline,
        writer: _Drawing | None,
        listeners: Sequence[Listener],
        on_step: Callable[[float, Step], None] | None,
        timings: Timings,
    ) -> None:
        self.pipeline = pipeline
        self.writer = writer
        self.listeners = listeners
        self.on_step = on_step
        self.timings = timings
        self.deferred = False
        self._waiting: list[tuple[float, Step]] = []
        self._last: tuple[float, Step] | None = None
        # the copy's newest frame, drawn only once the next one comes or the reading ends
        self._newest: tuple[np.ndarray, View, float] | None = None

    def count(self, frame: Posed) -> None:
        with self.timings.stage("engine"):
            step = self.pipeline.step(frame.t_s, frame.detection, frame.new_view)
        if self.deferred:
            if self.listeners or self.on_step is not None:
                self._waiting.append((frame.t_s, _without_masks(step)))
        else:
            for listen in self.listeners:
                listen(self.pipeline.exercise, step.events, step.view.state)
            self._last = (frame.t_s, step)
        if self.writer is not None and frame.image is not None:
            if self._newest is not None:
                self.writer.put(self._newest)
            self._newest = (frame.image, step.view, frame.t_s)
        self.timings.frames += 1

    def end_copy(self, state: EngineState) -> None:
        """Draw the copy's last frame with the reading's final state: a rep closed by the end
        of the video (cut mid-return) counts only now, and a player rests on that frame."""
        if self.writer is not None and self._newest is not None:
            image, view, t_s = self._newest
            self.writer.put((image, replace(view, state=state), t_s))
        self._newest = None

    def tell(self) -> None:
        """Pass `on_step` the frame counted, and, once no longer deferred, what waited."""
        if self.deferred:
            return
        # taken before telling: a callback that raises (an interrupt) is not told again
        waiting, self._waiting = self._waiting, []
        last, self._last = self._last, None
        for t_s, step in waiting:
            for listen in self.listeners:
                listen(self.pipeline.exercise, step.events, step.view.state)
            if self.on_step is not None:
                self.on_step(t_s, step)
        if last is not None and self.on_step is not None:
            self.on_step(*last)


def _without_masks(step: Step) -> Step:
    """The step without its person masks (megabytes a frame, read only by the drawing, which
    has had them): the raw pose's and the smoothed one's, which shares the raw pose's array."""

    def bare(pose: Pose | None) -> Pose | None:
        return None if pose is None else replace(pose, mask=None)

    return replace(step, raw_pose=bare(step.raw_pose), view=replace(step.view, pose=bare(step.view.pose)))


class _Watch:
    """A movement the picture may or may not show (exercise/seen.py): its gate trusts the
    picture only once the person's noise is measured and a first tilt has gone past the
    bound. Live, the tilts before that go unread (the first is the paced practice); a review
    sees the whole recording, so once its gate trusts the picture the reading starts over
    from the first frame with that trust (and the noise it was reached at).

    Until then the detections are kept (masks packed) and the reading so far is deferred;
    a reading whose picture was never trusted is the only one, and stands."""

    def __init__(self, video_path: Path, facts: VideoFacts, options: ReviewOptions) -> None:
        self.video_path = video_path
        self.facts = facts
        self.options = options
        self.kept: list[Kept] = []

    def keep(self, frame: Posed, pipeline: Pipeline) -> bool:
        """Keep the frame's detection; whether the gate has now come to trust the picture."""
        seen = pipeline.engine.seen
        assert seen is not None
        self.kept.append(keep(frame, pipeline.exercise.needs_mask))
        return seen.ever_confident

    def read_again(self, first: _Counting) -> _Counting:
        """A reading from the first frame, primed by `first`'s gate, caught up to where it
        stands; `first`'s annotated copy is dropped and drawn again."""
        exercise, options = first.pipeline.exercise, self.options
        pipeline = Pipeline(exercise, hold_s=options.hold_s, target=options.target)
        assert pipeline.engine.seen is not None and first.pipeline.engine.seen is not None
        pipeline.engine.seen.prime(first.pipeline.engine.seen)
        writer = None
        if first.writer is not None:
            _drop(first.writer)
            first.writer = None
            writer = _open_writer(options.output, self.facts, first.timings)
        again = _Counting(pipeline, writer, first.listeners, first.on_step, first.timings)
        again.deferred = True  # to the end: the gate may yet find the outline too unsteady to count from
        again.timings.frames = 0
        record = RecordedPoses(self.facts, self.kept, exercise.needs_mask)
        self.kept = []
        source: PoseSource = WithImages(record, VideoFile(self.video_path)) if writer is not None else record
        try:
            with closing(source.frames(masks=exercise.needs_mask)) as frames:
                for frame in frames:
                    again.count(frame)
                    again.tell()
        except BaseException:
            if writer is not None:
                _drop(writer)
            raise
        return again


def _drop(writer: _Drawing) -> None:
    """Stop an annotated copy and remove its file (already failing or started over: an error
    here is not the one to tell)."""
    with suppress(Exception):
        writer.abort()
    safeout.discard(writer.path)


def check_outputs(video_path: Path, options: ReviewOptions) -> None:
    """Before anything is opened: each output a writable regular file, none the same file as
    the video, the model or the other output."""
    safeout.check_outputs(
        {"--output": options.output, "--report": options.report},
        {"video": video_path, "model": options.model},
    )


def _open_writer(output: Path | None, video: VideoFacts, timings: Timings) -> _Drawing:
    """The annotated copy's writer, on a temporary file beside `output` (moved into place when
    the review is done)."""
    assert output is not None
    temp = safeout.temp_beside(output)
    try:
        return _Drawing(VideoWriter(temp, video.fps or 30.0, (video.width, video.height)), timings)
    except VideoError as e:
        safeout.discard(temp)
        raise VideoError(str(e).replace(str(temp), str(output))) from None
    except BaseException:
        safeout.discard(temp)
        raise


class _Drawing:
    """The annotated copy, drawn on one thread and encoded on another behind the review
    (session/overlap.py), in the frames' order and with their times: a review whose
    detections are already known (a watched movement's counting pass) waits on neither."""

    def __init__(self, writer: VideoWriter, timings: Timings) -> None:
        self.writer = writer
        self.path = writer.path
        self._timings = timings
        self._encode: Behind[tuple[np.ndarray, float]] = Behind(self._write, name="posecheck-encode", lowered=True)
        self._draw: Behind[tuple[np.ndarray, View, float]] = Behind(self._scene, name="posecheck-draw", lowered=True)

    def _scene(self, item: tuple[np.ndarray, View, float]) -> None:
        image, view, t_s = item
        with self._timings.stage("overlay"):
            scene = annotate(image, view)
        self._encode.put((scene, t_s))

    def _write(self, item: tuple[np.ndarray, float]) -> None:
        scene, t_s = item
        with self._timings.stage("encode"):
            self.writer.write(scene, t_s)

    @property
    def frames(self) -> int:
        return self.writer.frames

    def put(self, item: tuple[np.ndarray, View, float]) -> None:
        self._draw.put(item)

    def close(self) -> None:
        """Draw and encode every frame handed over, then finish the file."""
        try:
            try:
                self._draw.close()
            except BaseException:
                self._encode.abort()
                raise
            self._encode.close()
        finally:
            self.writer.close()

    def abort(self) -> None:
        """Stop drawing and encoding (what waits is dropped) and release the file."""
        try:
            self._draw.abort()
            self._encode.abort()
        finally:
            self.writer.close()


def _finish_writer(writer: _Drawing, output: Path | None) -> Path | None:
    """Close the writer; its file when it holds a readable video, else None (the file removed).
    A video that cannot be read back (the disk filled up) is an error naming `output`."""
    try:
        writer.close()
    except OSError as e:
        safeout.discard(writer.path)
        raise safeout.output_error(output or writer.path, e) from None
    except BaseException:
        safeout.discard(writer.path)
        raise
    if writer.frames == 0:  # interrupted before the first frame: nothing worth replacing a file with
        safeout.discard(writer.path)
        return None
    if not playable(writer.path):
        safeout.discard(writer.path)
        full = _disk_full(writer.path.parent)
        raise VideoError(
            f"{output}: cannot write: "
            + ("no space left on the disk" if full else "the video written could not be read back")
            + "; nothing was written there"
        )
    return writer.path


def playable(path: Path) -> bool:
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        return bool(cap.isOpened()) and cap.read()[0]
    finally:
        cap.release()


def _disk_full(folder: Path) -> bool:
    import os

    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20
