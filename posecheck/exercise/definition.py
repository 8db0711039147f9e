"""Exercise definitions: the data in exercises/<id>.toml, validated at load.

Every number about bodies lives in those files; this module only knows their shape.
A malformed file raises DefinitionError naming the file, the key and what was expected.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from posecheck.errors import DefinitionError
from posecheck.exercise.conditions import Condition, Still, StrictModel
from posecheck.exercise.seen import Anchoring, Seen
from posecheck.exercise.validation import HOLD_MAX_S, describe_error, did_you_mean, key_path, normal_id
from posecheck.pose.landmarks import BASE_NAMES, PAIRED

# Each signal kind measures one thing in one unit; a condition's keys carry it (min_deg, max_torso_len ...).
SIGNAL_UNITS: dict[str, str] = {
    "angle": "deg",  # angle at the middle point of three, 0..180
    "line_offset": "deg",  # signed bend at the middle point away from the line of the outer two; + is up
    "incline": "deg",  # segment a->b from the horizontal; + when b is higher
    "between": "deg",  # segments a->b and c->d apart, 0..180 (a camera's roll turns both alike)
    "lean": "deg",  # segment a->b from the vertical; + toward where the person faces
    "tip": "deg",  # segment a->b from straight up in the picture; + toward the person's feet
    "height": "torso_len",  # a above b, in torso lengths
    "height_share": "ratio",  # a above b as a share of a above c (the person's own yardstick)
    "forward": "torso_len",  # a ahead of b along the facing direction, in torso lengths
    "distance": "torso_len",  # a to b, in torso lengths
    "along": "torso_len",  # a ahead of b along the trunk (hips toward shoulders), in torso lengths
    "width": "torso_len",  # horizontal gap between a and b, in torso lengths
    "roll": "deg",  # world: a->tip around the body's long axis; + toward the person's left
    "tilt": "deg",  # world: segment a->b away from straight up, any direction (0 = upright)
    "twist": "deg",  # world: shoulder line turned against hip line; + toward the person's left
    "in_frame": "ratio",  # share of the points inside the picture
    "mask_curve": "torso_len",  # person mask: the top outline between a and b bulging up (+) or sagging (-)
    "mask_gap": "torso_len",  # person mask: the bottom outline between a and b lifted (+) off the line of its ends
    "mask_rise": "torso_len",  # person mask: the top outline's height over the line a-b, across `span` of the way
}
# points a kind takes (most take a segment a->b)
POINT_COUNT: dict[str, tuple[int, int]] = dict.fromkeys(SIGNAL_UNITS, (2, 2)) | {
    "angle": (3, 3),
    "line_offset": (3, 3),
    "height_share": (3, 3),
    "between": (4, 4),
    "roll": (3, 3),
    "twist": (0, 0),
    "in_frame": (1, 33),
}
WORLD_KINDS = frozenset({"roll", "twist", "tilt"})
MASK_KINDS = frozenset({"mask_curve", "mask_gap", "mask_rise"})
SIDES = ("near", "far", "left", "right", "mid")
REP_SIDES = ("left", "right", "both")
PHASE_SIDES = (*REP_SIDES, "near", "far")  # "near"/"far": the side facing the camera, made left/right by the engine
NEAR_SIDE_KEY = "near_side_is_right"  # signals carry this: 1.0 when the right side faces the camera

_ID = r"^[a-z][a-z0-9_]*$"


def _known(points: list[str]) -> None:
    for p in points:
        base = p[4:] if p.startswith("mid_") else p
        if base not in BASE_NAMES or (p.startswith("mid_") and base not in PAIRED):
            raise ValueError(f"unknown landmark {p!r} (e.g. 'hip', 'left_knee', 'mid_shoulder')")


class Leveling(Anchoring):
    """The floor a person's heights and inclines are measured from: the line through `points`
    (two that lie on it: shoulders and hips lying down, hands and knees on all fours), taken
    where it lay as seen.Anchoring takes a line, and again where it lay when the person first
    settled in the start position. A camera rolled a few degrees tilts the picture's "up"; the
    body on the floor tilts with it. `until_start`: before that, the line as first placed, or
    the picture's own level (a line whose ends are not on the floor yet: kneeling up first).
    A line along the floor also tilts with depth when the camera sits above the floor and
    turned off the side, where the picture's verticals stay vertical: so neither reading is
    trusted alone. The bundled cat-cow names misplaced hands or knees only when the picture's
    level and the floor line both say so (README, Real people)."""

    points: list[str] = Field(min_length=2, max_length=2)
    until_start: Literal["placed", "picture"] = "placed"

    @model_validator(mode="after")
    def _names(self) -> Leveling:
        _known(self.points)
        return self


class Signal(StrictModel):
    kind: Literal[tuple(SIGNAL_UNITS)]  # type: ignore[valid-type]
    points: list[str] = Field(default_factory=list)
    side: Literal[SIDES] = "near"  # type: ignore[valid-type]
    # Against the person's own start position: "subtract" gives the change, "ratio" it as a share (unit "ratio").
    baseline: Literal["none", "subtract", "ratio"] = "none"
    description: str = ""
    span: tuple[float, float] = Field(default=(0.25, 0.75))  # mask_rise: the part of a-b sampled (fractions)
    anchor: Anchoring | None = None  # mask kinds, height: a-b (height: b) where it lay, not now (exercise/seen.py)
    level: Leveling | None = None  # height, incline: against the floor the person is on, not the picture

    @property
    def unit(self) -> str:
        return "ratio" if self.baseline == "ratio" else SIGNAL_UNITS[self.kind]

    @model_validator(mode="after")
    def _points(self) -> Signal:
        lo, hi = POINT_COUNT[self.kind]
        if not lo <= len(self.points) <= hi:
            want = f"{lo}" if lo == hi else f"{lo} to {hi}"
            raise ValueError(f"a {self.kind} signal takes {want} points, got {len(self.points)}")
        _known(self.points)
        if self.level is not None and self.kind not in ("height", "incline"):
            raise ValueError(f"level is for height and incline signals only (against the floor), not {self.kind}")
        return self


class BackWhen(StrictModel):
    """Back in the start position part of the way (exercise/partway.py): `signal`, taken
    against the start position, down to `max_peak_share` of the rep's own peak in this
    position, until it rises past `exit_max_peak_share` of that peak again."""

    signal: str
    max_peak_share: float = Field(gt=0, lt=1)
    exit_max_peak_share: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _order(self) -> BackWhen:
        if self.exit_max_peak_share < self.max_peak_share:
            raise ValueError("exit_max_peak_share must be at or above max_peak_share: rising again ends it")
        return self


class Phase(StrictModel):
    id: str = Field(pattern=_ID)
    name: str = ""  # the position in words, for reports and plots (e.g. "hips raised")
    instruction: str
    when: list[Condition] = Field(min_length=1)
    hold: bool = False
    # The target band inside the phase: the hold timer runs only while these hold too.
    hold_when: list[Condition] = Field(default_factory=list)
    # ...and while the body is still: a hold starts when the movement has settled.
    still: list[Still] = Field(default_factory=list)
    hold_s: float | None = Field(default=None, gt=0, le=HOLD_MAX_S)
    side: Literal[PHASE_SIDES] | None = None  # type: ignore[valid-type]
    done_instruction: str = ""
    spoken: str = ""  # said instead when the instruction would run into the hold's countdown
    guided: bool = False  # paced by the coach, not recognised from the picture (see Guided)
    # How long this position must last to count (overrides tracking.debounce_s): not one passed through.
    debounce_s: float | None = Field(default=None, ge=0)
    # False: a recognised wrong position (a slouch, legs uncrossed), judged for faults; no rep step, no hold.
    counts: bool = True
    back_when: BackWhen | None = None  # a hold position left part of the way back counts as back


class Hold(StrictModel):
    hold_s: float = Field(gt=0, le=HOLD_MAX_S)
    min_hold_s: float | None = Field(default=None, gt=0, le=HOLD_MAX_S)
    dropout_grace_s: float = Field(ge=0)
    breaths: int | None = Field(default=None, ge=1)


class Tracking(StrictModel):
    """Signal conditioning, in seconds and hertz (time, not frames)."""

    min_cutoff_hz: float = Field(gt=0)
    beta: float = Field(ge=0)
    d_cutoff_hz: float = Field(gt=0)
    debounce_s: float = Field(ge=0)
    setup_recheck_s: float = Field(ge=0)  # once counting, a setup failing this long between reps is said
    baseline_window_s: float = Field(gt=0)
    min_presence: float = Field(ge=0, le=1)
    side_tau_s: float = Field(gt=0)  # time constant for deciding which side faces the camera
    # Stillness fitted to the person (exercise/stillness.py); return_share: hold.py's Excursion.
    settle_speed_share: float = Field(ge=0, le=1)
    floor_peak_share: float = Field(gt=0, le=1)
    noise_speed_factor: float = Field(ge=1)
    return_share: float = Field(ge=0, le=1)
    min_fps: float | None = Field(default=None, gt=0)  # live slower than this: "running slowly"
    fast_pose_fps: float | None = Field(default=None, gt=0, le=240)  # `--fast`: the pose model's frames a second


class Reps(StrictModel):
    sequence: list[str | list[str]] = Field(min_length=2)
    counting: Literal["reps", "each_side", "rounds"] = "reps"
    any_order: bool = False  # the middle positions in any order (cat then cow, or cow then cat): one of each is a rep
    rest_within: bool = False  # ...and a relax in the start position between them does not end it
    begins_mid: bool = False  # a set may begin in a middle position (exercise/midstart.py); needs any_order
    # A trip out of the start position shorter than this (in its hold phases) is not an attempt.
    min_attempt_s: float = Field(default=0.0, ge=0)
    rounds: list[Literal[REP_SIDES]] = Field(default_factory=list)  # type: ignore[valid-type]
    # What to say in the start position when a given side is next ("Pull your left knee ...").
    side_cues: dict[Literal[REP_SIDES], str] = Field(default_factory=dict)  # type: ignore[valid-type]
    target: int = Field(ge=1)
    target_max: int = Field(ge=1)
    sessions_per_day: int = Field(default=1, ge=1)

    @property
    def steps(self) -> list[list[str]]:
        """The sequence, each step as the list of positions that make it."""
        return [[s] if isinstance(s, str) else list(s) for s in self.sequence]

    @property
    def start_phase(self) -> str:
        return self.steps[0][0]

    @property
    def middle(self) -> set[str]:
        """The positions between leaving the start position and coming back to it."""
        return {ph for step in self.steps[1:-1] for ph in step}

    @model_validator(mode="after")
    def _check(self) -> Reps:
        if self.target > self.target_max:
            raise ValueError(f"target ({self.target}) is above target_max ({self.target_max})")
        if self.counting == "rounds" and not self.rounds:
            raise ValueError('counting = \'rounds\' needs rounds = ["left", "right", "both"] or similar')
        if not isinstance(self.sequence[0], str) or self.sequence[0] != self.sequence[-1]:
            raise ValueError("sequence must start and end with the same single phase (the start position)")
        middle = self.sequence[1:-1]
        if self.any_order and (
            self.counting != "reps" or len(middle) < 2 or not all(isinstance(s, str) for s in middle)
        ):
            raise ValueError("any_order = true needs counting = 'reps' and two or more single middle phases")
        if self.begins_mid and not self.any_order:
            raise ValueError("begins_mid = true needs any_order = true (middle positions on both sides of the start)")
        return self


class Fault(StrictModel):
    id: str = Field(pattern=_ID)
    message: str
    phases: list[str] = Field(default_factory=list)  # where it is judged (none: only ever said unseen)
    on: Literal["condition", "short_hold"] = "condition"
    when: list[Condition] = Field(default_factory=list)
    min_duration_s: float = Field(default=0.0, ge=0)
    # judged only while the body is still (the phase's `still`): passing through is not a fault
    when_still: bool = False
    # Faults that take precedence: while any holds, this one is not judged (the cause is said, not its effect).
    unless: list[str] = Field(default_factory=list)
    # Also judged between positions, in none of them (hips lifted into a bridge is no tilt at all).
    between: bool = False
    # Positions where it matters but cannot be seen (a leg hidden): not judged, the rep says so.
    hidden_in: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Fault:
        if not self.phases and not self.hidden_in:
            raise ValueError("a fault needs 'phases' (where it is judged) or 'hidden_in' (where it cannot be seen)")
        if self.on == "condition" and self.phases and not self.when:
            raise ValueError("a condition fault needs 'when'")
        return self


class Progression(StrictModel):
    """How the target rises from reps.target toward reps.target_max as sessions go well."""

    step: int = Field(ge=1)  # added to the target when ready
    sessions_to_advance: int = Field(ge=1)  # consecutive recent sessions that met the target
    min_counted_ratio: float = Field(ge=0, le=1)  # good form: share of attempts that counted
    max_fault_reps_ratio: float = Field(ge=0, le=1)  # good form: share of reps with a fault


class SetupCheck(StrictModel):
    id: str = Field(pattern=_ID)
    message: str
    when: list[Condition] = Field(min_length=1)
    begins_reps: bool = False  # a rep does not begin while this fails (the exercise never leaves it)
    said_after_s: float | None = Field(default=None, gt=0)  # only said, once failing this long: holds nothing back


class Camera(StrictModel):
    view: Literal["side", "front"]
    height: Literal["low", "chest"]
    distance_min_m: float = Field(gt=0)
    distance_max_m: float = Field(gt=0)
    placement: str


class Guided(StrictModel):
    """The coach paces the rep when the camera cannot see the movement itself.

    Live, the coach announces the `guided = true` phases in turn and holds them for their time,
    checking what it can see (the start position, the phases' faults); a review counts nothing
    it could not see. With `seen`, the phases are recognised from the picture once it shows them.
    """

    reason: str
    rest_between_s: float = Field(gt=0)  # the relaxed pause between paced positions
    seen: Seen | None = None  # when the picture can show the movement after all (see Seen)


class Exercise(StrictModel):
    id: str = Field(pattern=_ID)
    name: str
    order: int = Field(ge=1)
    summary: str
    camera: Camera
    tracking: Tracking
    hold: Hold
    reps: Reps
    key_signal: str
    signals: dict[str, Signal] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=2)
    faults: list[Fault] = Field(default_factory=list)
    setup: list[SetupCheck] = Field(default_factory=list)
    guided: Guided | None = None
    progression: Progression

    # --- derived views -----------------------------------------------------------
    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.phases if p.id == phase_id)

    @property
    def needs_world(self) -> bool:
        return any(s.kind in WORLD_KINDS for s in self.signals.values())

    @property
    def needs_mask(self) -> bool:
        return any(s.kind in MASK_KINDS for s in self.signals.values())

    def fault_message(self, fault_id: str) -> str:
        return next(f.message for f in self.faults if f.id == fault_id)

    def hold_target_s(self, phase: Phase) -> float:
        return phase.hold_s if phase.hold_s is not None else self.hold.hold_s


def _fail(path: Path, key: str, expected: str) -> DefinitionError:
    return DefinitionError(f"{path}: {key}: {expected}")


def _cross_check(ex: Exercise, path: Path) -> None:
    """References between sections: signals, phases and units must agree."""
    phase_ids = [p.id for p in ex.phases]
    dup = {i for i in phase_ids if phase_ids.count(i) > 1}
    if dup:
        raise _fail(path, "phases", f"phase ids must be unique, repeated: {sorted(dup)}")

    def conditions(key: str, conds: Sequence[Condition | Still]) -> None:
        for i, c in enumerate(conds):
            if c.signal not in ex.signals:
                raise _fail(path, f"{key}[{i}].signal", f"unknown signal {c.signal!r}; defined: {sorted(ex.signals)}")
            unit = ex.signals[c.signal].unit
            if c.unit != unit:
                raise _fail(
                    path,
                    f"{key}[{i}]",
                    f"signal {c.signal!r} is in {unit}, so its bounds are min_{unit}/max_{unit}, not *_{c.unit}",
                )

    for i, p in enumerate(ex.phases):
        conditions(f"phases[{i}].when", p.when)
        conditions(f"phases[{i}].hold_when", p.hold_when)
        conditions(f"phases[{i}].still", p.still)
    for i, f in enumerate(ex.faults):
        conditions(f"faults[{i}].when", f.when)
        for ph in [*f.phases, *f.hidden_in]:
            if ph not in phase_ids:
                key = "phases" if ph in f.phases else "hidden_in"
                raise _fail(path, f"faults[{i}].{key}", f"unknown phase {ph!r}; defined: {phase_ids}")
    condition_faults = [f.id for f in ex.faults if f.on == "condition"]
    for i, f in enumerate(ex.faults):
        for other in f.unless:
            if other == f.id or other not in condition_faults:
                raise _fail(
                    path,
                    f"faults[{i}].unless",
                    f"expected ids of other condition faults {condition_faults}, not {other!r}",
                )
    for i, s in enumerate(ex.setup):
        conditions(f"setup[{i}].when", s.when)
    for i, step in enumerate(ex.reps.steps):
        for ph in step:
            if ph not in phase_ids:
                raise _fail(path, f"reps.sequence[{i}]", f"unknown phase {ph!r}; defined: {phase_ids}")
    if not any(ex.phase(ph).hold for step in ex.reps.steps for ph in step):
        raise _fail(path, "reps.sequence", "expected at least one phase with hold = true")
    for i, p in enumerate(ex.phases):
        back = p.back_when
        if back is not None and (
            not p.hold or back.signal not in ex.signals or ex.signals[back.signal].baseline != "subtract"
        ):
            raise _fail(path, f"phases[{i}].back_when", "expected a hold phase and a signal with baseline = 'subtract'")
    seen = ex.guided.seen if ex.guided else None
    for key, name in (("key_signal", ex.key_signal), ("guided.seen.signal", seen.signal if seen else ex.key_signal)):
        if name not in ex.signals:
            raise _fail(path, key, f"unknown signal {name!r}; defined: {sorted(ex.signals)}")
    paced = [p.id for p in ex.phases if p.guided]
    if paced and ex.guided is None:
        raise _fail(path, "guided", f"phases {paced} are guided: expected a [guided] table saying why and how")
    if ex.id != path.stem:
        raise _fail(path, "id", f"expected {path.stem!r} (the file's name), got {ex.id!r}")


def load_exercise(path: str | Path) -> Exercise:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"{path}: no such exercise file") from None
    except IsADirectoryError:
        raise DefinitionError(f"{path}: is a folder, not an exercise file (expected a .toml file)") from None
    except OSError as e:
        raise DefinitionError(f"{path}: cannot read the exercise file: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise DefinitionError(f"{path}: not valid TOML: {e}") from None
    try:
        ex = Exercise.model_validate(data)
    except ValidationError as e:
        errs = e.errors()
        first = errs[0]
        more = f" (and {len(errs) - 1} more)" if len(errs) > 1 else ""
        raise _fail(path, key_path(first["loc"]), describe_error(first, Exercise) + more) from None
    _cross_check(ex, path)
    return ex


def builtin_dir() -> Path:
    """The exercises folder: inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parents[1]  # the posecheck package
    for folder in (here / "exercises", here.parent / "exercises"):
        if any(folder.glob("*.toml")):
            return folder
    raise DefinitionError(f"no exercise definitions found (looked in {here / 'exercises'}): reinstall posecheck")


def exercise_files(folder: Path | None = None) -> dict[str, Path]:
    folder = folder or builtin_dir()
    return {p.stem: p for p in sorted(folder.glob("*.toml")) if not p.stem.startswith("_")}


def load(exercise_id: str, folder: Path | None = None) -> Exercise:
    """An exercise by id, or from a .toml path (a therapist's own definition)."""
    if exercise_id.endswith(".toml"):
        return load_exercise(exercise_id)
    files = exercise_files(folder)
    given, exercise_id = exercise_id, normal_id(exercise_id)  # "Bridge", "knee-to-chest" name them too
    if exercise_id not in files and Path(given).is_dir():
        raise DefinitionError(f"{given}: is a folder, not an exercise file (expected an id or a .toml file)")
    if exercise_id not in files:
        known = ", ".join(sorted(files, key=lambda i: load_exercise(files[i]).order)) or "none"
        raise DefinitionError(f"unknown exercise {given!r}{did_you_mean(exercise_id, files)}; known: {known}")
    return load_exercise(files[exercise_id])


def load_all(folder: Path | None = None) -> list[Exercise]:
    return sorted((load_exercise(p) for p in exercise_files(folder).values()), key=lambda e: e.order)
