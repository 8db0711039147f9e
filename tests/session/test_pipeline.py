"""The pipeline's record of what the setup checks said once counting (the report's setup.told)."""

from __future__ import annotations

from dataclasses import replace

from posecheck.exercise.definition import load
from posecheck.pose.types import Detection
from posecheck.session.pipeline import Pipeline

UNREADABLE = next(c.message for c in load("lower_back_rotation").setup if c.id == "roll_readable")


def test_what_the_setup_said_once_counting_is_kept_with_its_times():
    """Each stretch of frames whose instruction was a setup check's message, once counting had
    begun, is one [from, to, words]; the same words after something else said are a new one.
    Before the start a failing setup is the instruction too, but that is the setup, not a reading."""
    pipeline = Pipeline(load("lower_back_rotation"))
    base = pipeline.engine.state()
    # t: (started, the failing check's message, the instruction)
    script = {
        0.0: (False, "Lie on your back", "Lie on your back"),
        1.0: (True, "", "Roll both knees"),
        2.0: (True, UNREADABLE, "Roll both knees"),  # failing, not yet said
        3.0: (True, UNREADABLE, UNREADABLE),
        3.5: (True, UNREADABLE, UNREADABLE),
        4.0: (True, "", "Hold"),
        5.0: (True, UNREADABLE, UNREADABLE),
    }

    def update(t, signals):
        started, failing, words = script[t]
        return replace(base, t_s=t, started=started, setup_ok=not failing, setup_message=failing, instruction=words), []

    pipeline.engine.update = update
    for t in script:
        pipeline.step(t, Detection(poses=()))
    setup = pipeline.setup_dict()
    assert setup["told"] == [[3.0, 3.5, UNREADABLE], [5.0, 5.0, UNREADABLE]]
    assert setup["ok"] is False  # the engine itself never started: its own record


def test_the_floor_lines_are_placed_when_the_engine_takes_the_start_position():
    """The reader's floor lines (signals.SignalReader.start_taken) follow the engine's start:
    placed again where the person settled, once, not on the pose they passed on the way."""
    pipeline = Pipeline(load("lower_back_rotation"))
    base = pipeline.engine.state()
    started = {0.0: False, 0.5: False, 1.0: True, 1.5: True}
    pipeline.engine.update = lambda t, signals: (replace(base, t_s=t, started=started[t]), [])
    seen = []
    for t in started:
        pipeline.step(t, Detection(poses=()))
        seen.append(pipeline.reader.started)
    assert seen == [False, False, True, True]
