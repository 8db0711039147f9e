"""The live loop without a camera or the pose model: a scripted camera (stick-figure poses,
frames that stop and come back), and the command's errors. The routine's course is in
test_routine.py, the capture thread in tests/sources/test_capture.py."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from click.testing import CliRunner

from posecheck.coach.overlay import WARN
from posecheck.coach.voice import Backend, Speaker
from posecheck.commands.cli import cli
from posecheck.exercise.definition import load
from posecheck.pose.types import Detection
from posecheck.session import live as live_mod
from posecheck.session.live import Headless, LiveOptions, run_live
from posecheck.session.routine import Item
from posecheck.sources import capture as capture_mod

from stickfigure import REST, Key, bridge_reps, perform

BRIDGE = load("bridge")
FPS = 30.0
SPEED = 4.0  # the scripted camera runs this many times faster than real time


class ScriptedCamera:
    """A camera showing a stick-figure performance. Each frame carries its sample's number
    in its first pixel, for the fake detector. `stall=(at_s, for_wall_s)` stops delivery
    at performance time at_s for that many wall seconds (None: for good); the camera's
    clock runs on meanwhile, as a real one's would."""

    def __init__(self, keys: list[Key], *, stall: tuple[float, float | None] | None = None) -> None:
        self.samples = list(perform(keys, FPS))
        self.name = "scripted camera"
        self.fps = FPS
        self.ended = False
        self.stall = stall
        self.i = 0
        self.t0: float | None = None
        self.shift_s = 0.0  # camera time lost in the stall
        self.stalled_until: float | None = None

    def open(self) -> None:
        pass

    def read(self):
        now = time.perf_counter()
        if self.t0 is None:
            self.t0 = now
        if self.stalled_until is not None:
            if now < self.stalled_until:
                time.sleep(0.005)
                return None
            self.shift_s += (now - self.stalled_until + self.stall[1]) * SPEED
            self.stalled_until = None
            self.stall = None
        if self.i >= len(self.samples):
            self.ended = True
            return None
        t, _ = self.samples[self.i]
        if self.stall is not None and t >= self.stall[0]:
            self.stalled_until = now + (self.stall[1] if self.stall[1] is not None else 1e9)
            return None
        wait = self.t0 + (t + self.shift_s) / SPEED - now
        if wait > 0:
            time.sleep(wait)
        image = np.zeros((48, 64, 3), np.uint8)
        image[0, 0] = (self.i % 256, self.i // 256, self.i % 256)
        self.i += 1
        return t + self.shift_s, image

    def reopen(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def detector(self, rgb: np.ndarray, t_s: float) -> Detection:
        i = int(rgb[0, 0, 0]) + 256 * int(rgb[0, 0, 1])
        pose = self.samples[i][1]
        return Detection(poses=(pose,) if pose is not None else ())


@pytest.fixture(autouse=True)
def keep_stderr(monkeypatch, tmp_path):
    """The CLI sends the native library's stderr to /dev/null on its first run; in-process
    tests keep theirs, so that CliRunner sees the error line. History goes to tmp."""
    from posecheck.pose.model import silence_native_logs

    monkeypatch.setattr(silence_native_logs, "done", True, raising=False)
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))


def options(**kw) -> LiveOptions:
    base = {"hold_s": 1.0, "headless": True, "mute": True, "intro_s": 0.0, "stall_s": 0.25, "camera_timeout_s": 30.0}
    base.update(kw)
    return LiveOptions(**base)


def mute() -> Speaker:
    return Speaker(Backend("mute", lambda cue: None))


def run(cam: ScriptedCamera, opts: LiveOptions, *, ui=None, listeners=()):
    return run_live(
        cam,
        [Item(BRIDGE, opts.hold_s, opts.target)],
        opts,
        ui=ui,
        speaker=mute(),
        detector=cam.detector,
        listeners=listeners,
    )


def warn_in_centre(canvas: np.ndarray) -> bool:
    h, w = canvas.shape[:2]
    mid = canvas[h // 4 : 3 * h // 4, w // 8 : 7 * w // 8].astype(int)
    return bool((np.abs(mid - np.array(WARN)).sum(axis=2) < 60).mean() > 0.002)


# --- the loop on a scripted camera -----------------------------------------------------------


def test_counts_and_listeners_on_a_scripted_camera():
    cam = ScriptedCamera(bridge_reps(2))
    frames, ends = [], []
    listener = lambda ex, events, state: frames.append((ex.id, [e.kind for e in events], state.reps_counted))  # noqa: E731
    live_mod.SET_ENDED.append(lambda ex, report: ends.append(report))
    try:
        session = run(cam, options(), listeners=[listener])
    finally:
        live_mod.SET_ENDED.clear()
    assert session.ended_by == "end_of_video"
    (rec,) = session.sets
    assert rec.pipeline.engine.reps_counted == 2
    assert all(ex == "bridge" for ex, _, _ in frames)
    assert sum(kinds.count("rep") for _, kinds, _ in frames) == 2
    assert frames[-1][2] == 2
    # every frame the model saw went to the listeners (and the closing call after them)
    assert len(frames) == session.stats.processed + 1
    assert [r["summary"]["reps_counted"] for r in ends] == [2]
    assert ends[0]["outcome"] == "stopped" and ends[0]["live"] is True
    assert session.stats.processed + session.stats.dropped <= session.stats.captured


def test_camera_that_stops_and_comes_back_pauses_with_a_message():
    # the camera goes away in the rest between two reps and comes back
    cam = ScriptedCamera(bridge_reps(2), stall=(6.8, 0.8))
    ui = Headless((320, 180))
    shown = []
    ui.show = lambda canvas: shown.append(warn_in_centre(canvas))  # type: ignore[method-assign]
    kinds = []
    session = run(cam, options(), ui=ui, listeners=[lambda ex, ev, st: kinds.extend(e.kind for e in ev)])
    assert session.ended_by == "end_of_video"
    assert session.sets[0].pipeline.engine.reps_counted == 2
    assert "tracking_lost" in kinds and "tracking_back" in kinds
    assert any(shown), "the camera-lost card was never shown"
    assert not shown[-1], "the card stays after the camera came back"


def test_a_hold_does_not_run_on_while_the_camera_is_away():
    # the camera stops 1 s into a 2.5 s hold and comes back 0.6 s (2.4 s camera time) later
    cam = ScriptedCamera(bridge_reps(1, hold_s=2.5), stall=(3.5, 0.6))
    session = run(cam, options())
    engine = session.sets[0].pipeline.engine
    assert len(engine.reps) == 1
    rep = engine.reps[0]
    assert rep.counted  # the hold after the camera came back is long enough (1 s)
    assert rep.hold_s < 1.8  # ...but the time the camera was away is not in it


def test_camera_that_never_comes_back_ends_the_session_keeping_it():
    cam = ScriptedCamera(bridge_reps(2), stall=(6.8, None))
    t0 = time.perf_counter()
    session = run(cam, options(camera_timeout_s=0.6))
    assert time.perf_counter() - t0 < 10
    assert session.ended_by == "camera_lost"
    (rec,) = session.sets
    assert rec.outcome == "camera_lost"
    assert rec.pipeline.engine.reps_counted == 1  # what was counted before is kept
    (report,) = session.reports()
    assert report["summary"]["reps_counted"] == 1


def test_cli_camera_lost_is_exit_4_with_the_session_written(tmp_path, monkeypatch):
    cam = ScriptedCamera(bridge_reps(1, rest_s=2.5), stall=(6.8, None))

    class FakeEstimator:
        def __init__(self, *a, **kw):
            self.detect = cam.detector

        def close(self):
            pass

    monkeypatch.setattr(capture_mod, "open_source", lambda spec: cam)
    monkeypatch.setattr(live_mod, "PoseEstimator", FakeEstimator)
    out = tmp_path / "session.json"
    args = [
        "live",
        "-e",
        "bridge",
        "--camera",
        "0",
        "--headless",
        "--mute",
        "--hold",
        "1",
        "--camera-wait",
        "0.6",
        "--report",
        str(out),
    ]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 4, res.output
    assert "Traceback" not in res.output
    assert "1 rep counted" in res.output
    errors = [line for line in res.stderr.splitlines() if line.startswith("posecheck: error")]
    assert len(errors) == 1 and "the session so far is kept" in errors[0]
    doc = json.loads(out.read_text())
    assert doc["ended_by"] == "camera_lost"
    assert doc["sets"][0]["summary"]["reps_counted"] == 1


def test_mute_gives_a_silent_speaker(monkeypatch):
    made = []

    class Spy(Speaker):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            made.append(self)

    monkeypatch.setattr(live_mod, "Speaker", Spy)
    cam = ScriptedCamera([Key(REST, stay_s=0.5)])
    run_live(cam, [Item(BRIDGE)], options(mute=True), detector=cam.detector)
    assert made and made[0].backend.name == "mute"


def test_no_speech_engine_is_said_once_on_screen_and_in_the_terminal(monkeypatch, capsys):
    boards = []
    real_render = live_mod.render

    def spy(board, size, *painters):
        boards.append(board)
        return real_render(board, size, *painters)

    monkeypatch.setattr(live_mod, "render", spy)
    cam = ScriptedCamera([Key(REST, stay_s=1.0)])
    silent = Speaker(Backend("none", lambda cue: None))
    run_live(cam, [Item(BRIDGE)], options(mute=False, intro_s=0.5), ui=Headless((320, 180)), speaker=silent,
             detector=cam.detector)  # fmt: skip
    notes = [line for line in capsys.readouterr().err.splitlines() if "No speech engine found" in line]
    assert len(notes) == 1 and "espeak-ng" in notes[0]
    shown = {b.notice for b in boards if b.mode == "start"}
    assert shown == {"No speech engine found (no sound): the cues are on screen. Install espeak-ng to hear them"}


def test_a_speaking_voice_needs_no_note(capsys):
    cam = ScriptedCamera([Key(REST, stay_s=0.5)])
    talker = Speaker(Backend("espeak-ng", lambda cue: None))
    run_live(cam, [Item(BRIDGE)], options(mute=False), speaker=talker, detector=cam.detector)
    assert "No speech engine" not in capsys.readouterr().err


def test_quit_key_ends_and_keeps_the_session():
    cam = ScriptedCamera(bridge_reps(3))
    ui = Headless((320, 180), keys=[(40, "q")])
    session = run(cam, options(), ui=ui)
    assert session.ended_by == "quit"
    assert len(session.sets) == 1 and session.sets[0].outcome == "stopped"
    assert cam.i < len(cam.samples)


# --- the command's errors: one line, an exit code ----------------------------------------------


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["live", "--camera", "0", "--headless"], 2, "either --exercise ID or --routine"),
        (["live", "-e", "bridge", "--routine", "--headless"], 2, "either --exercise ID or --routine"),
        (["live", "-e", "bridge", "--camera", "9", "--headless"], 4, "camera 9"),
        (["live", "-e", "bridge", "--camera", "missing.mp4", "--headless"], 2, "no such file"),
        (["live", "-e", "nope", "--headless"], 2, "unknown exercise"),
    ],
)
def test_cli_errors_are_one_line(args, code, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == code, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0], res.output


def test_no_display_is_one_line(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    res = CliRunner().invoke(cli, ["live", "-e", "bridge", "--camera", "0"])
    assert res.exit_code == 2
    assert "use --headless" in res.output and len(res.output.strip().splitlines()) == 1


def test_cli_camera_that_raises_mid_session_still_writes_the_report_and_recording(tmp_path, monkeypatch):
    # issue 10: a camera driver that raises ends the session; what was counted is reported
    cam = ScriptedCamera(bridge_reps(1, rest_s=2.5))
    read = cam.read

    def failing_read():
        if cam.samples and cam.i < len(cam.samples) and cam.samples[cam.i][0] >= 8.2:  # after the rep, in the rest
            raise RuntimeError("the driver fell over")
        return read()

    cam.read = failing_read

    class FakeEstimator:
        def __init__(self, *a, **kw):
            self.detect = cam.detector

        def close(self):
            pass

    monkeypatch.setattr(capture_mod, "open_source", lambda spec: cam)
    monkeypatch.setattr(live_mod, "PoseEstimator", FakeEstimator)
    out, video = tmp_path / "session.json", tmp_path / "session.mp4"
    args = ["live", "-e", "bridge", "--camera", "0", "--headless", "--mute", "--hold", "1"]
    res = CliRunner().invoke(cli, [*args, "--report", str(out)])
    assert res.exit_code == 4, res.output
    assert "Traceback" not in res.output
    errors = [line for line in res.stderr.splitlines() if line.startswith("posecheck: error")]
    assert len(errors) == 1 and "the driver fell over" in errors[0] and "the session so far is kept" in errors[0]
    doc = json.loads(out.read_text())
    assert doc["ended_by"] == "camera_error"
    assert doc["sets"][0]["summary"]["reps_counted"] == 1
    # with --record too (drawing every frame is slow here: the count is not the point)
    cam.i, cam.t0, cam.ended = 0, None, False
    res = CliRunner().invoke(cli, [*args, "--report", str(out), "--record", str(video)])
    assert res.exit_code == 4, res.output
    assert json.loads(out.read_text())["ended_by"] == "camera_error"
    assert video.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["session.json", "session.mp4"]


def test_cli_record_on_a_full_disk_keeps_the_old_file_and_still_writes_the_report(tmp_path, monkeypatch):
    import errno
    import os

    from posecheck.sources.video import VideoWriter

    cam = ScriptedCamera([Key(REST, stay_s=2.0)])

    class FakeEstimator:
        def __init__(self, *a, **kw):
            self.detect = cam.detector

        def close(self):
            pass

    def full(self, *a, **kw):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(capture_mod, "open_source", lambda spec: cam)
    monkeypatch.setattr(live_mod, "PoseEstimator", FakeEstimator)
    monkeypatch.setattr(VideoWriter, "write", full)
    out, video = tmp_path / "session.json", tmp_path / "session.mp4"
    video.write_bytes(b"an earlier recording")
    args = ["live", "-e", "bridge", "--camera", "0", "--headless", "--mute"]
    res = CliRunner().invoke(cli, [*args, "--report", str(out), "--record", str(video)])
    assert res.exit_code == 2, res.output
    errors = [line for line in res.stderr.splitlines() if line.startswith("posecheck: error")]
    assert len(errors) == 1 and "session.mp4: cannot write: no space left" in errors[0], res.stderr
    assert json.loads(out.read_text())["ended_by"] == "end_of_video"
    assert video.read_bytes() == b"an earlier recording"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["session.json", "session.mp4"]


# --- the back pain at the end (issue 11) --------------------------------------------------------


class AnswersPain(Headless):
    """No window. Presses `key` once, when the question is asked (see `asking`)."""

    def __init__(self, key: str = "6", keys=None, size=(320, 180)) -> None:
        super().__init__(size, keys)
        self.key, self.asked, self.pressed = key, False, False

    def poll(self):
        if self.asked and not self.pressed:
            self.pressed = True
            return self.key
        return super().poll()


@pytest.fixture
def asking(monkeypatch):
    """The live loop's question, noting on the window that it is being asked."""
    real = live_mod.ask_pain

    def ask(ui, *a, **kw):
        ui.asked = True
        return real(ui, *a, **kw)

    monkeypatch.setattr(live_mod, "ask_pain", ask)


def test_the_back_pain_is_asked_at_the_end(asking):
    session = run(ScriptedCamera(bridge_reps(3)), options(ask_pain=True), ui=AnswersPain(keys=[(40, "q")]))
    assert session.ended_by == "quit" and session.pain == 6
    session = run(ScriptedCamera(bridge_reps(1)), options(ask_pain=True), ui=AnswersPain("1"))  # then a wait for 0
    assert session.ended_by == "end_of_video" and session.pain == 1
    session = run(ScriptedCamera(bridge_reps(1)), options(ask_pain=True), ui=AnswersPain("s"))
    assert session.ended_by == "end_of_video" and session.pain is None
    ui = AnswersPain()
    session = run(ScriptedCamera(bridge_reps(1)), options(), ui=ui)  # headless: not asked
    assert session.pain is None and not ui.asked
    nobody = ScriptedCamera([Key(REST, stay_s=2.0)])
    nobody.samples = [(t, None) for t, _ in nobody.samples]
    ui = AnswersPain()
    session = run(nobody, options(ask_pain=True), ui=ui)  # nobody seen: nothing kept, nothing asked
    assert session.ended_by == "end_of_video" and session.pain is None and not ui.asked


def test_cli_keeps_the_back_pain_in_the_history_and_the_report(tmp_path, monkeypatch, asking):
    import functools

    from posecheck.records.history import History

    cam = ScriptedCamera(bridge_reps(1))

    class FakeEstimator:
        def __init__(self, *a, **kw):
            self.detect = cam.detector

        def close(self):
            pass

    monkeypatch.setattr(capture_mod, "open_source", lambda spec: cam)
    monkeypatch.setattr(live_mod, "PoseEstimator", FakeEstimator)
    monkeypatch.setattr(live_mod, "Headless", lambda size: AnswersPain("8", size=size))
    monkeypatch.setattr(live_mod, "LiveOptions", functools.partial(LiveOptions, ask_pain=True))
    out = tmp_path / "session.json"
    args = ["live", "-e", "bridge", "--camera", "0", "--headless", "--mute", "--hold", "1", "--report", str(out)]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "back pain today: 8 of 10; kept in the history" in res.output
    assert json.loads(out.read_text())["pain"] == 8
    with History.open(tmp_path / "data") as h:
        (s,) = h.sessions()
        assert (s.kind, s.mine, s.pain, s.reps_counted) == ("live", True, 8, 1)


# --- the demonstration on the cards ------------------------------------------------------------


def _boards(monkeypatch) -> list:
    boards: list = []
    real_render = live_mod.render

    def spy(board, size, *painters):
        boards.append(board)
        return real_render(board, size, *painters)

    monkeypatch.setattr(live_mod, "render", spy)
    cam = ScriptedCamera([Key(REST, stay_s=8.0)])  # 2 s of wall time, the first 1.5 s on the start card
    cam.samples = [(t, None if t < 6.0 else pose) for t, pose in cam.samples]  # not yet seen: the card stays
    run_live(cam, [Item(BRIDGE)], options(intro_s=6.0), ui=Headless((320, 180)), speaker=mute(), detector=cam.detector)
    return boards


def test_the_start_card_loops_the_exercise_demonstration(monkeypatch):
    from posecheck.coach.demo import Demos

    frames = Demos(["bridge"]).get("bridge").frames  # type: ignore[union-attr]
    shown = [b.demo for b in _boards(monkeypatch) if b.mode == "start"]
    at = [next((i for i, f in enumerate(frames) if d is not None and np.array_equal(d, f)), None) for d in shown]
    assert shown and None not in at  # every start card shows a frame of the bridge's own loop
    assert len(set(at)) > 3  # and it plays while the card is up (10 fps for 1.5 s of wall time)


def test_a_missing_demonstration_leaves_the_session_as_it_was(monkeypatch, tmp_path, capsys):
    from posecheck.coach import demo as demo_mod

    monkeypatch.setattr(demo_mod, "DEMOS_DIR", tmp_path)
    boards = _boards(monkeypatch)
    assert any(b.mode == "start" for b in boards) and all(b.demo is None for b in boards)
    notes = [line for line in capsys.readouterr().err.splitlines() if "no demonstration" in line]
    assert len(notes) == 1 and "bridge" in notes[0]
