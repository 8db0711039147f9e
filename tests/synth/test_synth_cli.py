"""The performer's command line without rendering: listing, user errors as one-line
messages, and the message when the synth extra is missing. No torch needed."""

from __future__ import annotations

import importlib.util

import pytest
from click.testing import CliRunner

from posecheck.synth import _deps
from posecheck.synth.cli import main, synth


def run(*args):
    return CliRunner().invoke(synth, list(args))


def test_list_names_every_exercise_fault_and_negative():
    res = run("list")
    assert res.exit_code == 0
    for word in ("bridge", "hips_low", "cat_cow", "too_fast", "walk_through", "sit_stand"):
        assert word in res.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["clip", "plank"], "is not one of"),
        (["clip", "bridge", "--rep", "left"], "bridge reps have sides -, not 'left'"),
        (["clip", "bridge", "--rep", ":sagging"], "bridge has no fault 'sagging'"),
        (["clip", "knee_to_chest", "--rep", "both:other_leg_lifted"], "needs a one-leg rep"),
        (["clip", "bridge", "--rep", "@soon"], "is not a number of seconds"),
        (["negative", "dancing"], "is not one of"),
        (["clip", "bridge", "--width", "10"], "--width"),
        (["clip", "cat_cow", "--rep", "/cow-dog"], "an order is for cat_cow's end positions"),
        (["clip", "bridge", "--rep", "/cat-cow"], "an order is for cat_cow's end positions"),
        (["clip", "bridge", "--start", "kneeling"], "bridge can start rest, not 'kneeling'"),
        (["clip", "cat_cow", "--head-tip", "15"], "head tip is for the lying exercises"),
        (["clip", "bridge", "--head-tip", "45"], "--head-tip"),
        (["clip", "bridge", "--sway", "-1"], "--sway"),
    ],
)
def test_user_errors_are_one_line_messages(args, message):
    res = run(*args)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_missing_extra_is_one_line(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(_deps.importlib.util, "find_spec", lambda name, *a: None if name == "anny" else real(name, *a))
    assert not _deps.available()
    with pytest.raises(_deps.SynthUnavailable, match=r"pip install 'posecheck\[synth\]'"):
        _deps.require()
    res = run("clip", "bridge")
    assert res.exit_code == 1
    assert res.output.strip() == f"Error: {_deps.MISSING_MESSAGE}"


def test_main_returns_the_exit_code():
    assert main(["list"]) == 0
    assert main(["clip", "plank"]) == 2
