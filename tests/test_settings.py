"""The user's own settings: per-exercise holds and targets, with clear errors."""

from __future__ import annotations

import pytest

from posecheck.settings import SettingsError, load_settings


def test_no_file_means_no_overrides(tmp_path):
    s = load_settings(tmp_path / "none.toml")
    assert s.hold_s("bridge") is None and s.target("bridge") is None


def test_file_then_flag(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[exercises.bridge]\nhold_s = 8\ntarget = 10\n")
    s = load_settings(p)
    assert s.hold_s("bridge") == 8 and s.target("bridge") == 10
    assert s.hold_s("bridge", 4.0) == 4.0 and s.target("bridge", 3) == 3  # the flag wins
    assert s.hold_s("cat_cow") is None


@pytest.mark.parametrize(
    "text,match",
    [
        (
            "[exercises.brigde]\nhold_s = 8\n",
            r"exercises.brigde: unknown exercise "
            r"\(did you mean 'bridge'\?\); known: .*",
        ),
        ("[exercises.bridge]\nhold_s = -1\n", r"exercises.bridge.hold_s: "),
        (
            "[exercises.bridge]\nhold = 8\n",
            r"bridge.hold: unexpected key \(did you mean 'hold_s'\?\); allowed: hold_s, target$",
        ),
        (
            "[exercise.bridge]\nhold_s = 8\n",
            r": exercise: unexpected key \(did you mean 'exercises'\?\); allowed: exercises$",
        ),
        ("[exercises.bridge\n", r"not a readable TOML file"),
        ("[exercises.bridge]\nhold_s = inf\n", r"exercises.bridge.hold_s: input should be a finite number"),
        ("[exercises.bridge]\nhold_s = nan\n", r"exercises.bridge.hold_s: input should be a finite number"),
        ("[exercises.bridge]\nhold_s = 86400\n", r"exercises.bridge.hold_s: input should be less than or equal to 600"),
        ("[exercises.bridge]\ntarget = 99999999999999999999\n", r"exercises.bridge.target: .*1000"),
    ],
)
def test_bad_settings_name_file_and_key(tmp_path, text, match):
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(SettingsError, match=match) as err:
        load_settings(p)
    assert str(err.value).startswith(str(p))


def test_exercise_ids_in_the_settings_as_on_the_command_line(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[exercises.Bridge]\nhold_s = 8\n")
    assert load_settings(p).hold_s("bridge") == 8


def test_review_uses_the_settings_hold(tmp_path, monkeypatch):
    """The review command reads the settings file (checked through its error path, no model run)."""
    from helpers import BRIDGE, posecheck

    p = tmp_path / "c.toml"
    p.write_text("[exercises.bridge]\nhold_s = 0\n")
    import os

    env_before = os.environ.get("POSECHECK_CONFIG")
    os.environ["POSECHECK_CONFIG"] = str(p)
    try:
        proc = posecheck("review", BRIDGE, "-e", "bridge")
    finally:
        os.environ["POSECHECK_CONFIG"] = env_before or ""
    assert proc.returncode == 2 and "exercises.bridge.hold_s" in proc.stderr and "Traceback" not in proc.stderr
