"""`posecheck synth` / `python -m posecheck.synth`: render test clips with their truth.

    python -m posecheck.synth clip bridge --out out/synth
    python -m posecheck.synth clip bridge --rep - --rep :hips_low --rep @4 --seed 3
    python -m posecheck.synth clip knee_to_chest --rep left --rep right:other_leg_lifted --rep both
    python -m posecheck.synth negative walk_through --exercise bridge --duration 12
    python -m posecheck.synth list

A rep is SIDE[:FAULT[+FAULT...]][@HOLD_S][/ORDER]; '-' or '' for exercises without sides, e.g.
':hips_low' or '@4' (an attempt held 4 s); ORDER is cat_cow's end positions, e.g. '/cow-cat' or
'/cow-cat-cow' (one rep). --start, --head-tip, --nods, --sway and --tilt-depth vary how the person performs
(posecheck/synth/manner.py); none of them is a rep. Without --rep: every side once (--rounds times),
good form. Nothing random is left to chance: the seed fixes body, look, camera, tempo and
timings; any option given overrides its seeded value.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from posecheck.synth import poses as P
from posecheck.synth._deps import SynthUnavailable, require


def _parse_rep(exercise: str, text: str):
    from posecheck.synth.choreography import RepPlan

    order: tuple[str, ...] = ()
    if "/" in text:
        text, order_text = text.split("/", 1)
        order = tuple(order_text.split("-"))
    hold = None
    if "@" in text:
        text, hold_text = text.split("@", 1)
        try:
            hold = float(hold_text)
        except ValueError:
            raise click.BadParameter(
                f"hold in {text}@{hold_text} is not a number of seconds", param_hint="--rep"
            ) from None
    side, _, faults = text.partition(":")
    side = None if side in ("", "-") else side
    allowed = P.SIDES.get(exercise, (None,))
    if side not in allowed:
        shown = ", ".join(s or "-" for s in allowed)
        raise click.BadParameter(f"{exercise} reps have sides {shown}, not {side!r}", param_hint="--rep") from None
    from posecheck.synth.choreography import CAT_COW_ORDERS

    if order and (exercise != "cat_cow" or order not in CAT_COW_ORDERS):
        shown = ", ".join("-".join(o) for o in sorted(CAT_COW_ORDERS))
        raise click.BadParameter(f"an order is for cat_cow's end positions ({shown}), not {'-'.join(order)!r}")
    names = tuple(f for f in faults.split("+") if f)
    for f in names:
        if f not in P.FAULTS[exercise]:
            raise click.BadParameter(
                f"{exercise} has no fault {f!r}; it has {', '.join(P.FAULTS[exercise])}", param_hint="--rep"
            )
    if "other_leg_lifted" in names and side == "both":
        raise click.BadParameter("other_leg_lifted needs a one-leg rep (left or right)", param_hint="--rep") from None
    return RepPlan(side=side, faults=names, hold_s=hold, order=order)


def _common(f):
    options = [
        click.option(
            "--out",
            "out_dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("out/synth"),
            show_default=True,
            help="Folder for NAME.mp4/.json/.npz.",
        ),
        click.option("--name", help="File stem (default: the exercise or negative and the seed)."),
        click.option(
            "--seed", type=int, default=0, show_default=True, help="Fixes body, look, camera, tempo, timings."
        ),
        click.option(
            "--side", type=click.Choice(["left", "right"]), help="Side of the body facing the camera (side views)."
        ),
        click.option("--camera-height", type=float, help="Lens height, m."),
        click.option(
            "--distance",
            type=float,
            help="Horizontal distance to the body's centre, m (grown if the body does not fit).",
        ),
        click.option("--azimuth", type=float, help="Degrees away from the ideal placement."),
        click.option("--width", type=click.IntRange(64, 1920), default=640, show_default=True),
        click.option("--height", type=click.IntRange(48, 1080), default=480, show_default=True),
        click.option("--fps", type=click.FloatRange(1, 60), default=30.0, show_default=True),
        click.option("--tempo", type=click.FloatRange(0.3, 3.0), help="Speed of the moves (holds keep their length)."),
        click.option(
            "--max-frames",
            type=click.IntRange(1),
            help="Stop after this many frames (the truth keeps the complete reps).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _make(spec, out_dir: Path, name: str) -> None:
    from posecheck.synth.clip import make_clip

    start = time.time()
    last = [0.0]

    def progress(i: int, n: int) -> None:
        if time.time() - last[0] > 5 or i == n:
            last[0] = time.time()
            click.echo(f"  {name}: frame {i}/{n}", err=True)

    truth = make_clip(spec, out_dir, name, progress=progress)
    s = truth["summary"]
    click.echo(
        f"{out_dir / truth['video']}: {truth['exercise']} {truth['kind']}, {truth['frames']} frames, "
        f"{s['reps_counted']}/{s['reps_attempted']} reps counted, "
        f"faults {sorted({f['id'] for f in truth['faults']}) or '-'} ({time.time() - start:.0f} s)"
    )


def _spec(**kw):
    from posecheck.synth.clip import ClipSpec

    return ClipSpec(
        seed=kw["seed"],
        side=kw["side"],
        camera_height_m=kw["camera_height"],
        distance_m=kw["distance"],
        azimuth_deg=kw["azimuth"],
        width=kw["width"],
        height=kw["height"],
        fps=kw["fps"],
        tempo=kw["tempo"],
        max_frames=kw["max_frames"],
    )


def _needs_extra() -> None:
    try:
        require()
    except SynthUnavailable as e:
        raise click.ClickException(str(e)) from None


@click.group(
    name="synth", help="Render synthetic exercise clips with their truth (the performer); see --help of each command."
)
def synth() -> None:
    pass


@synth.command()
@click.argument("exercise", type=click.Choice(list(P.HOLD_S)))
@click.option("--rep", "reps", multiple=True, metavar="SIDE[:FAULT+..][@HOLD]", help="One rep (repeatable), in order.")
@click.option(
    "--rounds",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Without --rep: good reps, every side, this many times.",
)
@click.option(
    "--start",
    type=click.Choice(["rest", "kneeling", "standing", "cat", "cow"]),
    default="rest",
    show_default=True,
    help="Where the clip begins: cat_cow kneeling up, or mid-position (cat/cow); seated ones standing.",
)
@click.option(
    "--head-tip", type=click.FloatRange(-30, 30), default=0.0, help="Lying: the resting head tipped, deg (+ chin down)."
)
@click.option("--nods", type=click.IntRange(0, 20), default=0, help="Holds with a nod (sitting: a glance).")
@click.option("--sway", type=click.FloatRange(0, 4), default=1.0, help="Breathing sway, times the usual.")
@click.option(
    "--tilt-depth",
    type=float,
    default=1.0,
    help="pelvic_tilt: the pelvic rotation, times the usual (0.15: a subtle tilt, barely visible).",
)
@_common
def clip(exercise, reps, rounds, start, head_tip, nods, sway, tilt_depth, out_dir, name, **kw):
    """Render one exercise clip."""
    from posecheck.synth.choreography import default_plan
    from posecheck.synth.manner import Manner, check

    plan = [_parse_rep(exercise, r) for r in reps] or None
    manner = Manner(start=start, head_tip_deg=head_tip, nods=nods, sway_gain=sway, tilt_gain=tilt_depth)
    try:
        check(exercise, manner)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    _needs_extra()
    spec = _spec(**kw)
    spec.manner = manner
    spec.exercise = exercise
    spec.plan = plan or default_plan(exercise, rounds)
    spec.varies = ", ".join(reps) if reps else f"{rounds} round(s), good form"
    try:
        _make(spec, out_dir, name or f"{exercise}_{kw['seed']}")
    except ValueError as e:
        raise click.ClickException(str(e)) from None


@synth.command(name="negative")
@click.argument("kind", type=click.Choice(list(P.NEGATIVES)))
@click.option(
    "--exercise", type=click.Choice(list(P.HOLD_S)), help="The exercise the app is set to (default per kind)."
)
@click.option("--duration", type=click.FloatRange(4, 600), default=24.0, show_default=True, help="Seconds (about).")
@_common
def negative_cmd(kind, exercise, duration, out_dir, name, **kw):
    """Render a clip with no reps: lying still, fidgeting, sitting down and up, walking through."""
    _needs_extra()
    spec = _spec(**kw)
    spec.negative = kind
    spec.exercise = exercise
    spec.duration_s = duration
    spec.varies = P.NEGATIVES[kind][2]
    try:
        _make(spec, out_dir, name or f"negative_{kind}_{kw['seed']}")
    except ValueError as e:
        raise click.ClickException(str(e)) from None


@synth.command(name="list")
def list_cmd():
    """The exercises, their sides, holds and faults, and the negatives."""
    for ex, hold in P.HOLD_S.items():
        sides = ", ".join(s for s in P.SIDES.get(ex, ()) if s) or "-"
        click.echo(f"{ex}: hold {hold:g} s, sides {sides}, view {P.VIEW[ex]}")
        for f in P.FAULTS[ex].values():
            click.echo(f"    fault {f.id}" + (f": {f.note}" if f.note else ""))
    for kind, (_, ex, what) in P.NEGATIVES.items():
        click.echo(f"negative {kind} (as {ex}): {what}")


def main(argv=None) -> int:
    """Entry point; returns the exit code (click's for user errors, 1 for a missing extra)."""
    try:
        synth.main(args=argv, prog_name="posecheck synth", standalone_mode=True)
    except SystemExit as e:
        return int(e.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
