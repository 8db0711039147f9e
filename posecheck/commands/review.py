"""`posecheck review`: a recorded video of one exercise, to a summary, a report and an annotated copy."""

from __future__ import annotations

from pathlib import Path

import click

from posecheck.commands.options import HOLD, POSE_FPS, TARGET, data_dir_option


@click.command("review")
@click.argument("video", type=click.Path(path_type=Path), required=False)
@click.option(
    "-e",
    "--exercise",
    "exercise_id",
    required=True,
    help="Exercise id (see `posecheck exercises`) or a definition .toml file.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write an annotated copy of the video here (.mp4)."
)
@click.option("-r", "--report", type=click.Path(path_type=Path), help="Write the report as JSON here.")
@click.option("--hold", "hold_s", type=HOLD, help="Hold time in seconds (overrides the exercise's).")
@click.option("--target", type=TARGET, help="Target reps (overrides the exercise's).")
@click.option(
    "--model", type=click.Path(path_type=Path), help="A MediaPipe pose landmarker .task file (default: bundled)."
)
@click.option(
    "--landmarks-out", type=click.Path(path_type=Path), help="Also save the detections here (.npz) to re-score later."
)
@click.option(
    "--landmarks",
    type=click.Path(path_type=Path),
    help="Re-score a record saved by --landmarks-out instead of running the model (VIDEO then optional).",
)
@click.option(
    "--pose-fps",
    type=POSE_FPS,
    help="Fast mode: run the pose model on about N frames a second, landmarks interpolated between.",
)
@click.option(
    "--fast", is_flag=True, help="Fast mode at the exercise's own rate, at which it counts as every frame does."
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@click.option(
    "--history/--no-history",
    "keep_history",
    default=True,
    help="Record the session in the history (see `posecheck history`).",
)
@click.option(
    "--mine",
    is_flag=True,
    help="The video is of you doing the exercise: count it toward your streak and targets "
    "(a review is otherwise kept apart from your own sessions).",
)
@data_dir_option
def review_cmd(
    video: Path | None,
    exercise_id: str,
    output,
    report,
    hold_s,
    target,
    model,
    landmarks_out,
    landmarks,
    pose_fps,
    fast,
    progress,
    keep_history,
    mine,
    data_dir,
) -> None:
    """Check a recorded VIDEO of one exercise: reps, holds, faults."""
    from posecheck.exercise import definition
    from posecheck.records.summary import summary_lines, wrap
    from posecheck.session import landmarks as kept
    from posecheck.session.review import ReviewOptions, check_outputs, review
    from posecheck.session.thinning import pose_rate
    from posecheck.settings import load_settings

    exercise = definition.load(exercise_id)
    pose_fps = pose_rate(exercise, pose_fps, fast)  # --pose-fps N over --fast's, the exercise's own
    poses = kept.for_review(
        video,
        landmarks=landmarks,
        landmarks_out=landmarks_out,
        model=model,
        masks=exercise.needs_mask,
        output=output,
        report=report,
        pose_fps=pose_fps,
    )
    video = poses.video
    own = load_settings()  # the user's own holds and targets, under any flag given
    hold_s, target = own.hold_s(exercise.id, hold_s), own.target(exercise.id, target)
    options = ReviewOptions(
        hold_s=hold_s,
        target=target,
        model=model,
        output=output,
        report=report,
        progress=progress,
        # the model's own source when none is given; a --landmarks-out recording runs at it already
        pose_fps=pose_fps if poses.source is None else None,
    )
    check_outputs(video, options)  # before the history or anything else is opened
    recorder = None
    if keep_history:
        from posecheck.records.safeout import check_outputs as check_paths
        from posecheck.records.safeout import history_files

        check_paths({"--output": output, "--report": report, "--landmarks-out": landmarks_out}, history_files(data_dir))
        from posecheck.records.recorder import open_recorder

        settings = {
            "hold_s": hold_s,
            "target": target,
            "model": str(model) if model else "bundled",
            "video": str(video),
            "pose_fps": pose_fps,
        }
        recorder = open_recorder(
            exercise,
            kind="review",
            source=str(video.resolve()),
            folder=data_dir,
            hold_s=hold_s,
            target=target,
            settings=settings,
            mine=mine,
        )
    try:
        rep = review(
            video,
            exercise,
            options,
            listeners=[recorder] if recorder else (),
            on_report=recorder.finish if recorder else None,
            poses=poses.source,
        )
        saved = (
            recorder
            and recorder.session_id
            and f"history: session {recorder.session_id}"
            + (
                f"; {exercise.id} target now {recorder.history.target(exercise).reps}"
                if mine
                else " (a review: not counted toward your streak or targets; --mine if the video is of you)"
            )
        )
    finally:
        if recorder:
            recorder.history.close()
        poses.save()
    for line in wrap(summary_lines(rep)):
        click.echo(line)
    rate = rep["settings"].get("pose_fps")
    if rate:
        click.echo(f"  fast mode: the pose model ran on about {rate:g} frames a second, interpolated between")
    for a, b in rep["second_person"][:3]:
        click.echo(f"  note: a second person was in view {a:.1f}–{b:.1f} s; posecheck followed one", err=True)
    for a, b, words in rep["setup"].get("told", [])[:3]:
        click.echo(f"  note: {a:.1f}–{b:.1f} s: {words}", err=True)
    if not rep["setup"]["ok"] and rep["setup"]["last_message"]:
        click.echo(f"  note: the start position was never seen clearly: {rep['setup']['last_message']}", err=True)
    if output:
        click.echo(f"annotated video: {output}")
    if report:
        click.echo(f"report: {report}")
    if landmarks_out:
        click.echo(f"landmarks: {landmarks_out}")
    if saved:
        click.echo(saved)
