"""Exercise files: every shipped one loads; malformed ones fail naming file, key and expectation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from posecheck.errors import DefinitionError
from posecheck.exercise.definition import builtin_dir, exercise_files, load, load_all, load_exercise

BRIDGE_TEXT = (builtin_dir() / "bridge.toml").read_text()


def test_every_shipped_exercise_loads():
    exercises = load_all()
    assert exercises, "no exercise files found"
    for ex in exercises:
        assert ex.id in exercise_files()
        assert ex.hold.hold_s > 0 and ex.reps.target <= ex.reps.target_max


def test_every_shipped_exercise_has_words_for_its_report():
    """The therapist's page labels the positions and the measurements that decide them in words."""
    for ex in load_all():
        unnamed = [p.id for p in ex.phases if not p.name.strip()]
        assert not unnamed, f"{ex.id}: phases without a name: {unnamed}"
        deciding = {ex.key_signal} | {c.signal for p in ex.phases for c in [*p.when, *p.hold_when]}
        deciding |= {c.signal for f in ex.faults for c in f.when}
        bare = sorted(s for s in deciding if not ex.signals[s].description.strip())
        assert not bare, f"{ex.id}: signals without a description: {bare}"


def test_every_shipped_exercise_has_a_fast_rate():
    # `--fast` reads it; the cat stretch's quick end positions need more frames than the holds
    rates = {ex.id: ex.tracking.fast_pose_fps for ex in load_all()}
    assert all(r is not None and r > 0 for r in rates.values()), rates
    assert rates["cat_cow"] > max(r for i, r in rates.items() if i != "cat_cow"), rates


def test_unknown_id_lists_the_known_ones():
    with pytest.raises(DefinitionError, match=r"unknown exercise 'brige' \(did you mean 'bridge'\?\); known: .*bridge"):
        load("brige")
    with pytest.raises(DefinitionError, match=r"unknown exercise 'squat'; known: "):
        load("squat")


@pytest.mark.parametrize("typed", ["Bridge", "BRIDGE", " bridge "])
def test_ids_are_case_insensitive(typed):
    assert load(typed).id == "bridge"
    assert load("Knee-to-chest").id == "knee_to_chest"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bridge.toml"
    p.write_text(text)
    return p


# case: (replace this, with this) -> the error must mention this key and this expectation
BROKEN = [
    (("hold_s = 12.0 ", 'hold_s = "long" '), r"hold\.hold_s", r"valid number"),
    (("hold_s = 12.0 ", "hold_s = -3 "), r"hold\.hold_s", r"greater than 0"),
    (("dropout_grace_s = 0.5 ", ""), r"hold\.dropout_grace_s", r"missing"),
    (
        ("[reps]", "[reps]\ntarget_min = 2"),
        r"reps\.target_min",
        r"unexpected key \(did you mean 'target_max'\?\); allowed: sequence",
    ),
    (
        ("max_torso_len = 0.03, exit_max_torso_len = 0.045", "max_torso_len = 0.03, exit_max_deg = 0.045"),
        r"phases\[0\]\.when\[0\]",
        r"mix units",
    ),
    (
        ("max_torso_len = 0.03, exit_max_torso_len = 0.045", "max_deg = 0.03"),
        r"phases\[0\]\.when\[0\]",
        r"in torso_len, so its bounds are min_torso_len/max_torso_len",
    ),
    (
        ('{ signal = "hip_lift", max_torso_len = 0.03', '{ signal = "hip_lif", max_torso_len = 0.03'),
        r"phases\[0\]\.when\[0\]\.signal",
        r"unknown signal 'hip_lif'",
    ),
    (
        ('sequence = ["rest", "up", "rest"]', 'sequence = ["rest", "top", "rest"]'),
        r"reps\.sequence\[1\]",
        r"unknown phase 'top'",
    ),
    (
        ('phases = ["up"]\nwhen = [\n    { signal = "hip_line"', 'when = [\n    { signal = "hip_line"'),
        r"faults\[0\]",
        r"needs 'phases' \(where it is judged\) or 'hidden_in'",
    ),
    (
        ('id = "hips_low"\n', 'id = "hips_low"\nhidden_in = ["top"]\n'),
        r"faults\[0\]\.hidden_in",
        r"unknown phase 'top'",
    ),
    (('kind = "line_offset"', 'kind = "curvature"'), r"signals\.hip_line\.kind", r"line_offset"),
    (
        ('points = ["shoulder", "hip", "knee"]', 'points = ["shoulder", "hip"]'),
        r"signals\.hip_line",
        r"takes 3 points, got 2",
    ),
    (
        ('points = ["shoulder", "hip", "knee"]', 'points = ["shoulder", "hips", "knee"]'),
        r"signals\.hip_line",
        r"unknown landmark 'hips'",
    ),
    (('id = "bridge"', 'id = "bridges"'), r"\bid\b", r"expected 'bridge'"),
    (("target = 5\n", "target = 50\n"), r"reps", r"above target_max"),
    # a set begun mid-position needs middle positions on both sides of the start (cat-cow's)
    (("target = 5\n", "target = 5\nbegins_mid = true\n"), r"reps", r"begins_mid = true needs any_order"),
    (
        ('"hip_line", min_deg = -12 }]', '"hip_line", min_deg = 12, max_deg = -12 }]'),
        r"hold_when\[0\]",
        r"min \(12.0\) is above max",
    ),
    (
        ('unless = ["shoulders_lifted"]\n', 'unless = ["shoulder_lifted"]\n'),
        r"faults\[\d\]\.unless",
        r"ids of other condition faults .*not 'shoulder_lifted'",
    ),
    # a return part of the way is judged on a signal taken against the start position
    (
        ('back_when = { signal = "hip_lift"', 'back_when = { signal = "knee_angle"'),
        r"phases\[1\]\.back_when",
        r"a signal with baseline = 'subtract'",
    ),
    (
        ("max_peak_share = 0.33, exit_max_peak_share = 0.6", "max_peak_share = 0.6, exit_max_peak_share = 0.33"),
        r"back_when",
        r"exit_max_peak_share must be at or above max_peak_share",
    ),
    # a floor line squares heights and inclines to the floor the person is on (signals.SignalReader.floors)
    (
        (
            'kind = "angle"\npoints = ["hip", "knee", "ankle"]\n',
            'kind = "angle"\npoints = ["hip", "knee", "ankle"]\n'
            'level = { points = ["mid_shoulder", "mid_hip"], window_s = 1.0, shift_torso_len = 0.25 }\n',
        ),
        r"signals\.knee_angle",
        r"level is for height and incline signals only .*, not angle",
    ),
    (
        (
            'kind = "height"\npoints = ["knee", "heel"]\n',
            'kind = "height"\npoints = ["knee", "heel"]\n'
            'level = { points = ["mid_shoulder"], window_s = 1.0, shift_torso_len = 0.25 }\n',
        ),
        r"signals\.knees_up\.level\.points",
        r"at least 2 items",
    ),
    (
        (
            'kind = "height"\npoints = ["knee", "heel"]\n',
            'kind = "height"\npoints = ["knee", "heel"]\n'
            'level = { points = ["mid_shoulder", "mid_knee"], window_s = 1.0 }\n',
        ),
        r"signals\.knees_up\.level\.shift_torso_len",
        r"required",
    ),
    # nan and inf are valid TOML floats: every number of a file must be finite (issue 10)
    (("hold_s = 12.0 ", "hold_s = inf "), r"hold\.hold_s", r"finite number, got inf"),
    (("hold_s = 12.0 ", "hold_s = nan "), r"hold\.hold_s", r"finite number, got nan"),
    (("hold_s = 12.0 ", "hold_s = 1e300 "), r"hold\.hold_s", r"less than or equal to 600"),
    (("dropout_grace_s = 0.5 ", "dropout_grace_s = +inf "), r"hold\.dropout_grace_s", r"finite number"),
    (("distance_min_m = 2.0", "distance_min_m = nan"), r"camera\.distance_min_m", r"finite number"),
    (("min_cutoff_hz = 1.5 ", "min_cutoff_hz = inf "), r"tracking\.min_cutoff_hz", r"finite number"),
    # --fast's pose rate (issue 12): a positive number of frames a second, not past 240
    (("fast_pose_fps = 10.0 ", "fast_pose_fps = 0 "), r"tracking\.fast_pose_fps", r"greater than 0, got 0"),
    (("fast_pose_fps = 10.0 ", "fast_pose_fps = -10 "), r"tracking\.fast_pose_fps", r"greater than 0"),
    (("fast_pose_fps = 10.0 ", 'fast_pose_fps = "fast" '), r"tracking\.fast_pose_fps", r"valid number"),
    (("fast_pose_fps = 10.0 ", "fast_pose_fps = 1000 "), r"tracking\.fast_pose_fps", r"less than or equal to 240"),
    (("fast_pose_fps = 10.0 ", "fast_pose_fps = nan "), r"tracking\.fast_pose_fps", r"finite number"),
    (("fast_pose_fps = 10.0 ", "fast_pose_fps_hz = 10.0 "), r"tracking\.fast_pose_fps_hz", r"did you mean"),
    (
        ("min_torso_len = 0.4,", "min_torso_len = nan,"),
        r"when\[\d\]",
        r"min_torso_len: expected a finite number, got nan",
    ),
    (
        ("max_torso_len = 0.03, exit_max_torso_len = 0.045", "max_torso_len = -inf, exit_max_torso_len = 0.045"),
        r"phases\[0\]\.when\[0\]",
        r"max_torso_len: expected a finite number, got -inf",
    ),
    (
        ("max_deg_per_s = 20, window_s = 0.3", "max_deg_per_s = nan, window_s = 0.3"),
        r"still\[0\]",
        r"max_deg_per_s: expected a finite",
    ),
    (
        ("max_deg_per_s = 20, window_s = 0.3", "max_deg_per_s = 20, window_s = inf"),
        r"still\[0\]",
        r"window_s: expected a finite",
    ),
]


@pytest.mark.parametrize("change,key,expected", BROKEN, ids=[b[1] for b in BROKEN])
def test_malformed_file_names_file_key_and_expectation(tmp_path, change, key, expected):
    old, new = change
    assert old in BRIDGE_TEXT, f"fixture out of date: {old!r}"
    path = _write(tmp_path, BRIDGE_TEXT.replace(old, new, 1))
    with pytest.raises(DefinitionError) as err:
        load_exercise(path)
    msg = str(err.value)
    assert msg.startswith(str(path) + ": ")
    assert re.search(key, msg), msg
    assert re.search(expected, msg), msg
    assert "\n" not in msg


def test_not_toml(tmp_path):
    path = _write(tmp_path, "id = \n[[[")
    with pytest.raises(DefinitionError, match=r"not valid TOML"):
        load_exercise(path)


def test_load_by_path(tmp_path):
    path = _write(tmp_path, BRIDGE_TEXT.replace("hold_s = 12.0 ", "hold_s = 20.0 "))
    assert load(str(path)).hold.hold_s == 20.0


def test_no_body_numbers_in_the_engine_code():
    """Thresholds live in the data: the engine and signals modules hold no degree or second literals."""
    src = Path(__file__).resolve().parents[2] / "posecheck" / "exercise"
    for name in ("engine.py", "hold.py", "guided.py", "faults.py", "baseline.py", "stillness.py", "signals.py"):
        # named module constants (UPPER_CASE = ...) are allowed: they say what they are
        text = re.sub(r"(?m)^_?[A-Z][A-Z_]* = .*$", "", (src / name).read_text())
        # numbers other than 0, 1, 2, 0.5 (halves), 180/90/360 (geometry) and tiny epsilons
        literals = re.findall(
            r"(?<![\w.\[])(\d+\.?\d*)(?![\w.\]])", re.sub(r"#.*|\"\"\"[\s\S]*?\"\"\"|\d+e-\d+", "", text)
        )
        odd = {x for x in literals if float(x) not in (0, 1, 2, 0.5, 180, 90, 360, 3)}
        assert not odd, f"{name} has numeric literals {sorted(odd)}: thresholds belong in exercises/*.toml"


def test_a_folder_is_not_an_exercise_file(tmp_path):
    folder = tmp_path / "mine.toml"
    folder.mkdir()
    for given in (str(folder), str(tmp_path)):
        with pytest.raises(DefinitionError, match="is a folder, not an exercise file") as err:
            load(given)
        assert str(err.value).startswith(given + ": ") and "\n" not in str(err.value)
