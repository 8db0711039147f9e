"""`posecheck batch`: a folder or glob of videos, one report each, on worker processes."""

from __future__ import annotations

from pathlib import Path

import click

from posecheck.commands.options import HOLD, POSE_FPS, TARGET, Seconds


@click.command("batch")
@click.argument("inputs", nargs=-1)
@click.option("-e", "--exercise", "exercise_id", help="Exercise id or definition file, for every file.")
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A CSV of file,exercise rows (paths relative to it) instead of INPUTS.",
)
@click.option(
    "-r",
    "--reports",
    "reports_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the reports (NAME.json), summary.csv and index.html.",
)
@click.option(
    "--output-dir", type=click.Path(path_type=Path, file_okay=False), help="Also write annotated videos here."
)
@click.option("--keep-landmarks", is_flag=True, help="Also save each file's landmarks beside its report.")
@click.option("-j", "--jobs", "workers", type=click.IntRange(min=1),
              help="Files at a time, one pose model each (default 1; on Ray, its CPUs).")  # fmt: skip
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Worker processes on this machine, or Ray tasks (needs the cluster extra).")  # fmt: skip
@click.option("--ray-address", help="With --engine ray: the cluster's address (without it, a local Ray is started).")
@click.option("--timeout", "timeout_s", type=Seconds(0, 24 * 3600, above=True), help="Seconds allowed per file.")
@click.option("--hold", "hold_s", type=HOLD, help="Hold time in seconds (overrides).")
@click.option("--target", type=TARGET, help="Target reps (overrides).")
@click.option("--model", type=click.Path(path_type=Path), help="A MediaPipe pose landmarker .task file.")
@click.option("--pose-fps", type=POSE_FPS, help="Fast mode: the pose model on about N frames a second.")
@click.option("--fast", is_flag=True, help="Fast mode at each file's exercise's own rate (see `review --fast`).")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar over the files on stderr.")
@click.pass_context
def batch_cmd(
    ctx: click.Context,
    inputs: tuple[str, ...],
    exercise_id: str | None,
    manifest: Path | None,
    reports_dir: Path,
    output_dir: Path | None,
    keep_landmarks: bool,
    workers: int | None,
    engine: str,
    ray_address: str | None,
    timeout_s: float | None,
    hold_s: float | None,
    target: int | None,
    model: Path | None,
    pose_fps: float | None,
    fast: bool,
    progress: bool,
) -> None:
    """Review many videos (INPUTS: folders, quoted globs, files; .npz landmarks records are
    re-scored without the model), one report each, and a summary table. Files already done
    are skipped; exit status 1 when any file failed. The history is not written."""
    from posecheck.errors import Interrupted, PosecheckError
    from posecheck.exercise import definition
    from posecheck.records import batch_index
    from posecheck.records.summary import plural
    from posecheck.session import batch
    from posecheck.session.thinning import pose_rate
    from posecheck.settings import load_settings

    if ray_address and engine != "ray":
        raise PosecheckError("--ray-address goes with --engine ray")
    if engine == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            from posecheck.session.batch_ray import NEEDS_EXTRA

            raise PosecheckError(NEEDS_EXTRA)
    if manifest is not None:
        if inputs:
            raise PosecheckError("give INPUTS or --manifest, not both")
        listed = batch.read_manifest(manifest, exercise_id)
    else:
        if not inputs:
            raise PosecheckError("give the videos to review: folders, globs or files (or --manifest)")
        if not exercise_id:
            raise PosecheckError("give the exercise: -e ID (or a --manifest of file,exercise)")
        definition.load(exercise_id)  # an unknown exercise stops the batch before it starts
        listed = [(p, exercise_id) for p in batch.find_inputs(inputs)]
    for folder in (reports_dir, output_dir):
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise PosecheckError(f"{folder}: cannot make the folder ({e.strerror})") from None

    own = load_settings()
    taken: set[str] = set()
    jobs: list = []
    loaded: dict = {}
    results: dict = {}
    for path, ex in listed:
        name = batch.name_for(path, taken)
        job = batch.Job(input=path, exercise=ex, report=reports_dir / f"{name}.json")
        try:
            exercise = loaded[ex] if ex in loaded else loaded.setdefault(ex, definition.load(ex))
            rate = None if job.is_record else pose_rate(exercise, pose_fps, fast)  # a record replays as made
        except PosecheckError as e:  # this file fails; the others go on
            results[job] = batch.Result(job, "failed", str(e))
            continue
        job = batch.Job(
            input=path,
            exercise=ex,
            report=job.report,
            output=output_dir / f"{name}.annotated.mp4" if output_dir else None,
            landmarks_out=reports_dir / f"{name}.landmarks.npz" if keep_landmarks and not job.is_record else None,
            hold_s=own.hold_s(exercise.id, hold_s),
            target=own.target(exercise.id, target),
            model=model,
            timeout_s=timeout_s,
            pose_fps=rate,
        )
        done = batch.finished_report(job, exercise.id)
        if done is not None:
            results[job] = batch.Result(job, "skipped", report=done)
        else:
            jobs.append(job)

    from tqdm import tqdm

    bar = tqdm(total=len(listed), unit="file", desc="batch", disable=None if progress else True, dynamic_ncols=True)
    bar.update(len(results))

    def on_result(result: batch.Result) -> None:
        results[result.job] = result
        bar.update(1)

    interrupted = False
    try:
        if jobs:
            verbose = bool(ctx.obj and ctx.obj.get("verbose"))
            if engine == "ray":
                from posecheck.session import batch_ray

                batch_ray.run(jobs, address=ray_address, workers=workers and min(workers, len(jobs)),
                              on_result=on_result, verbose=verbose, timeout_s=timeout_s)  # fmt: skip
            else:
                batch.run(jobs, workers=min(workers or 1, len(jobs)), on_result=on_result, verbose=verbose,
                          timeout_s=timeout_s)  # fmt: skip
    except KeyboardInterrupt:
        interrupted = True
        # a worker may have finished a report in the moment before the stop, not yet collected
        for job in jobs:
            if job not in results and (done := batch.finished_report(job, exercise.id)) is not None:
                results[job] = batch.Result(job, "done", report=done)
    finally:
        bar.close()

    table = []
    for result in results.values():
        job = result.job
        paths = {"report": job.report, "output": job.output}
        table.append(batch_index.row(job.input, job.exercise, result.status, result.error, result.seconds,
                                     result.report, paths))  # fmt: skip
    order = {str(p): i for i, (p, _) in enumerate(listed)}
    table.sort(key=lambda r: order.get(r["file"], len(order)))
    csv_path, html_path = batch_index.write(table, reports_dir)
    counts = {s: sum(r["status"] == s for r in table) for s in ("done", "skipped", "failed")}
    click.echo(
        f"{plural(len(listed), 'file')}: {counts['done']} reviewed, {counts['skipped']} already done, "
        f"{counts['failed']} failed"
    )
    for r in table:
        if r["status"] == "failed":
            click.echo(f"  failed: {r['error']}")
    click.echo(f"summary: {csv_path}\nindex: {html_path}")
    if interrupted:
        left = plural(len(listed) - len(table), "file")
        raise Interrupted(f"interrupted: {left} not reviewed; run it again to resume")
    if counts["failed"]:
        ctx.exit(1)
