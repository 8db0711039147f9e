"""The history: round trip, migration from an older schema, reps kept when a session is killed,
adherence and streaks, the `history` and `target` commands, and clear errors for bad files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import cv2
import pytest
from click.testing import CliRunner

from posecheck.commands.cli import cli
from posecheck.exercise.definition import load
from posecheck.exercise.engine import Engine
from posecheck.exercise.signals import SignalReader
from posecheck.exercise.state import Rep
from posecheck.pose.follow import PoseSmoother
from posecheck.records.history import DB_NAME, History, HistoryError
from posecheck.records.migrations import SCHEMA_VERSION
from posecheck.records.recorder import Recorder
from posecheck.records.sessions import days_of, streak

from helpers import BRIDGE as BRIDGE_VIDEO
from helpers import ROOT, posecheck
from stickfigure import REST, Body, Key, lift_for_line, perform

BRIDGE = load("bridge")
TOP = Body(lift_deg=lift_for_line(0.0))
LOW = Body(lift_deg=lift_for_line(-17.0))
MORNING = datetime(2025, 3, 3, 8, 15).astimezone()
EVENING = datetime(2025, 3, 3, 19, 40).astimezone()


@pytest.fixture
def db(tmp_path):
    with History(tmp_path / DB_NAME) as h:
        yield h


def _rep(i, counted=True, faults=(), hold=12.3, side=None):
    return {"index": i, "side": side, "start_s": 10.0 * i, "end_s": 10.0 * i + 8, "hold_s": hold, "counted": counted,
            "faults": list(faults), "holds": {"up": hold}, "guided": False}  # fmt: skip


# --- round trip --------------------------------------------------------------------------


def test_round_trip(tmp_path):
    path = tmp_path / DB_NAME
    report = {"exercise": "bridge", "summary": {"reps_counted": 2}, "note": "<b>&</b>"}
    with History(path) as h:
        sid = h.start_session(BRIDGE, kind="review", source="/videos/b.mp4", target=5, hold_s=10.0,
                              settings={"hold_s": 10.0, "model": "bundled"}, started_at=MORNING)  # fmt: skip
        h.add_rep(sid, _rep(1))
        h.add_rep(
            sid,
            Rep(
                index=2,
                side="left",
                start_s=20.0,
                end_s=28.0,
                hold_s=4.0,
                counted=False,
                faults=["hips_low"],
                holds={"up": 4.0},
            ),
        )
        h.add_fault(sid, {"id": "hips_low", "message": "Lift your hips", "start_s": 22.0, "end_s": 25.0})
        h.finish_session(
            sid, status="complete", duration_s=30.0, report=report, ended_at=MORNING + timedelta(minutes=1)
        )
        h.set_target("bridge", 9)
    with History(path) as h:  # reopened: everything is there
        (s,) = h.sessions()
        assert (s.id, s.exercise, s.kind, s.source, s.status) == (sid, "bridge", "review", "/videos/b.mp4", "complete")
        assert (s.reps_counted, s.reps_attempted, s.fault_reps) == (1, 2, 1)
        assert (s.day, s.time_of_day, s.target, s.hold_s, s.duration_s) == (MORNING.date(), "morning", 5, 10.0, 30.0)
        assert s.best_hold_s == pytest.approx(12.3) and s.fault_ids == ["hips_low"]
        assert s.settings == {"hold_s": 10.0, "model": "bundled"} and s.sessions_per_day == 1
        assert s.started_at == MORNING.replace(microsecond=0)
        reps = h.reps(sid)
        assert [r["index"] for r in reps] == [1, 2]
        assert reps[1] == {"index": 2, "side": "left", "start_s": 20.0, "end_s": 28.0, "hold_s": 4.0, "counted": False,
                           "faults": ["hips_low"], "holds": {"up": 4.0}, "guided": False, "seen": None}  # fmt: skip
        assert h.faults(sid) == [{"id": "hips_low", "message": "Lift your hips", "start_s": 22.0, "end_s": 25.0}]
        assert h.report(sid) == report
        assert h.manual_target("bridge") == 9 and h.target(BRIDGE).reps == 9
        assert h.clear_target("bridge") and h.manual_target("bridge") is None
        assert h.target(BRIDGE).reps == 5
        assert h.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert h.version == SCHEMA_VERSION


def test_a_watched_reps_seen_mark_round_trips(db):
    """A pelvic tilt rep taken from the picture (or paced) keeps its mark, and a report rebuilt
    from the history carries it as a review's report would; an unwatched rep carries none."""
    from posecheck.records.report import from_history

    pelvic = load("pelvic_tilt")
    sid = db.start_session(pelvic, kind="live", source="camera 0", target=5, hold_s=5.0)
    db.add_rep(sid, Rep(1, None, 1.0, end_s=13.0, hold_s=5.2, counted=True, holds={"arch": 5.2}, seen=True))
    db.add_rep(sid, Rep(2, None, 14.0, end_s=26.0, hold_s=5.0, counted=True, guided=True, seen=False))
    db.add_rep(sid, _rep(3))
    assert [r["seen"] for r in db.reps(sid)] == [True, False, None]
    rebuilt = from_history(db.session(sid), db.reps(sid), db.faults(sid))
    assert [r.get("seen", "absent") for r in rebuilt["reps"]] == [True, False, "absent"]


def test_target_rises_from_recorded_sessions(db):
    for day in range(3):
        sid = db.start_session(
            BRIDGE, kind="live", source="camera 0", target=5, hold_s=12.0, started_at=MORNING + timedelta(days=day)
        )
        for i in range(1, 6):
            db.add_rep(sid, _rep(i))
        db.finish_session(sid, status="complete")
    assert db.target(BRIDGE).reps == 6
    db.set_target("bridge", 3)
    assert db.target(BRIDGE).reps == 3


# --- recording as a session runs ----------------------------------------------------------


def _perform(keys, listener, fps=15.0, hold_s=2.0):
    engine = Engine(BRIDGE, hold_s=hold_s)
    reader, smooth = SignalReader(BRIDGE), PoseSmoother(BRIDGE)
    for t, pose in perform(keys, fps):
        state, events = engine.update(t, reader.read(t, smooth(t, pose)))
        listener(BRIDGE, events, state)
    listener(BRIDGE, engine.finish(), engine.state())
    return engine


def test_recorder_writes_each_rep_as_it_completes(tmp_path):
    path = tmp_path / DB_NAME
    history = History(path)
    rec = Recorder(history, BRIDGE, kind="live", source="camera 0", hold_s=2.0, now=lambda: EVENING)
    seen_on_disk = []

    def listener(exercise, events, state):
        rec(exercise, events, state)
        if any(e.kind == "rep" for e in events):
            # another connection sees the rep at once: it is committed
            other = sqlite3.connect(path)
            seen_on_disk.append(other.execute("SELECT COUNT(*) FROM reps").fetchone()[0])
            other.close()

    keys = [Key(REST, stay_s=2.0)]
    for body in (TOP, TOP, LOW):
        keys += [Key(body, 1.5, 3.0), Key(REST, 1.5, 2.0)]
    engine = _perform(keys, listener)
    assert seen_on_disk == [1, 2, 3]
    sid = rec.finish(status="complete")
    s = history.session(sid)
    assert (s.kind, s.reps_counted, s.reps_attempted, s.time_of_day, s.status) == ("live", 2, 3, "evening", "complete")
    assert [r["counted"] for r in history.reps(sid)] == [r.counted for r in engine.reps]
    assert [f["id"] for f in history.faults(sid)] == [f.id for f in engine.fault_spans] == ["hips_low"]
    report = history.report(sid)  # a live session gets a report like a review's, with its timeline
    assert report["summary"]["reps_counted"] == 2 and report["faults"][0]["rep"] == 3
    tl = report["timeline"]
    assert tl["signal"] == "hip_line" and len(tl["t_s"]) == len(tl["values"]) == len(tl["phase"]) > 100
    history.close()
    page = tmp_path / "live.html"
    _invoke("report", "--session", sid, "--data-dir", tmp_path, "-o", page)
    text = page.read_text()
    assert "A live session: no video was recorded" in text and text.count("data:image/png;base64,") == 1  # the timeline


def test_recorder_forgets_a_session_that_never_saw_anyone(db):
    rec = Recorder(db, BRIDGE, kind="review", source="empty.mp4")
    engine = Engine(BRIDGE)
    for i in range(5):
        state, events = engine.update(i / 10, None)
        rec(BRIDGE, events, state)
    assert rec.finish() is None
    assert db.sessions() == []


# --- migration --------------------------------------------------------------------------------

# The version-1 file as the first posecheck with a history wrote it (kept here verbatim).
V1 = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, exercise TEXT NOT NULL, started_at TEXT NOT NULL,
                       duration_s REAL, settings TEXT NOT NULL DEFAULT '{}');
CREATE TABLE reps (session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
                   hold_s REAL NOT NULL, counted INTEGER NOT NULL, faults TEXT NOT NULL DEFAULT '[]',
                   PRIMARY KEY (session_id, idx));
INSERT INTO sessions VALUES (1, 'bridge', '2025-01-10T07:30:00+01:00', 95.0, '{"hold_s": 12.0}');
INSERT INTO sessions VALUES (2, 'bridge', '2025-01-10T20:05:00+01:00', 80.0, '{}');
INSERT INTO reps VALUES (1, 1, 12.4, 1, '[]'), (1, 2, 12.1, 1, '[]'), (1, 3, 6.0, 0, '["hips_low"]');
INSERT INTO reps VALUES (2, 1, 12.0, 1, '[]');
PRAGMA user_version = 1;
"""


def test_migrates_a_version_1_file(tmp_path):
    path = tmp_path / DB_NAME
    old = sqlite3.connect(path)
    old.executescript(V1)
    old.close()
    with History(path) as h:
        assert h.version == SCHEMA_VERSION
        a, b = h.sessions()
        assert (a.reps_counted, a.reps_attempted, a.fault_ids, a.duration_s) == (2, 3, ["hips_low"], 95.0)
        assert (a.day, a.time_of_day, b.time_of_day) == (date(2025, 1, 10), "morning", "evening")
        assert (a.kind, a.status, a.settings) == ("review", "complete", {"hold_s": 12.0})
        assert h.reps(1)[2] == {
            "index": 3,
            "side": None,
            "start_s": None,
            "end_s": None,
            "hold_s": 6.0,
            "counted": False,
            "faults": ["hips_low"],
            "holds": {},
            "guided": False,
            "seen": None,
        }
        # and the new parts work on the old file
        sid = h.start_session(BRIDGE, kind="live", source="camera 0", target=5, hold_s=12.0)
        h.add_rep(sid, _rep(1))
        h.set_target("bridge", 7)
        assert h.session(sid).reps_counted == 1 and h.target(BRIDGE).reps == 7
    with History(path) as h:  # opening again changes nothing
        assert h.version == SCHEMA_VERSION and len(h.sessions()) == 3


# --- bad files ----------------------------------------------------------------------------------


def test_bad_files_give_clear_errors(tmp_path):
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(HistoryError, match="not a readable posecheck history"):
        History(corrupt)
    newer = tmp_path / "newer.sqlite3"
    sqlite3.connect(newer).execute("PRAGMA user_version = 99").connection.close()
    with pytest.raises(HistoryError, match="newer posecheck"):
        History(newer)
    with pytest.raises(HistoryError, match="is a folder"):
        History(tmp_path)


def test_locked_file(tmp_path):
    path = tmp_path / DB_NAME
    History(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with History(path, timeout_s=0.2) as h, pytest.raises(HistoryError, match="locked by another program"):
            h.start_session(BRIDGE, kind="live", source="camera 0", target=5, hold_s=12.0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_corrupt_history_is_one_line_on_the_command_line(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"garbage " * 500)
    proc = posecheck("history", "--data-dir", tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("posecheck: error: ") and "move it aside" in lines[0], proc.stderr


# --- adherence and streaks --------------------------------------------------------------------

D0 = date(2025, 3, 1)

# case: sessions as (day offset, "m"/"e", reps counted), sessions per day -> (done per day, streak on day 4)
ADHERENCE = {
    "once a day: any counted session": ([(0, "m", 5), (1, "e", 5), (2, "m", 5), (3, "e", 5)], 1, "XXXX", 4),
    "once a day: a gap breaks the streak": ([(0, "m", 5), (2, "m", 5), (3, "m", 5)], 1, "X.XX", 2),
    "a session with nothing counted does not count": (
        [(0, "m", 5), (1, "m", 0), (2, "m", 5), (3, "m", 5)],
        1,
        "X.XX",
        2,
    ),
    "twice a day needs morning and evening": (
        [(0, "m", 3), (0, "e", 3), (1, "m", 3), (2, "m", 3), (2, "e", 3)],
        2,
        "X.X.",
        1,
    ),
    "today still open keeps yesterday's streak": ([(0, "m", 3), (1, "m", 3), (2, "m", 3)], 1, "XXX.", 3),
}


def _rows(db, spec, per_day):
    ex = BRIDGE.model_copy(update={"reps": BRIDGE.reps.model_copy(update={"sessions_per_day": per_day})})
    for offset, tod, counted in spec:
        when = datetime(2025, 3, 1 + offset, 8 if tod == "m" else 20).astimezone()
        sid = db.start_session(ex, kind="live", source="camera 0", target=5, hold_s=12.0, started_at=when)
        for i in range(1, counted + 1):
            db.add_rep(sid, _rep(i))
    return db.sessions()


@pytest.mark.parametrize("name", list(ADHERENCE))
def test_adherence_and_streak(db, name):
    spec, per_day, want, want_streak = ADHERENCE[name]
    rows = _rows(db, spec, per_day)
    days = days_of(rows, D0, D0 + timedelta(days=3))
    assert "".join("X" if d.done else "." for d in days) == want
    assert streak(rows, D0 + timedelta(days=3)) == want_streak


# --- the commands ------------------------------------------------------------------------------


def _invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_history_command_table_export_and_plot(tmp_path):
    today = datetime.now().astimezone().replace(hour=9)
    with History(tmp_path / DB_NAME) as h:
        for back in (2, 1, 0):
            sid = h.start_session(
                BRIDGE, kind="live", source="camera 0", target=5, hold_s=12.0, started_at=today - timedelta(days=back)
            )
            for i in range(1, 6):
                h.add_rep(sid, _rep(i, faults=["hips_low"] if i == 5 else ()))
            h.finish_session(sid, status="complete", duration_s=120.0)
    out = _invoke("history", "--data-dir", tmp_path, "--days", 7)
    assert "Recent sessions" in out and out.count(" bridge ") >= 3 and "5/5" in out and "lift your hips higher" in out
    assert "....XXX" in out and "streak 3 days" in out and "target now 6" in out
    assert "mornings 3/7, evenings 0/7" in out
    assert _invoke("history", "--data-dir", tmp_path, "-e", "Bridge").count(" bridge ") >= 3  # ids in any case

    rows = list(
        __import__("csv").DictReader(_invoke("history", "--data-dir", tmp_path, "--export", "csv").splitlines())
    )
    assert [r["reps_counted"] for r in rows] == ["5", "5", "5"] and rows[0]["fault_ids"] == "hips_low"
    out_file = tmp_path / "h.json"
    _invoke("history", "--data-dir", tmp_path, "--export", "json", "--out", out_file)
    data = json.loads(out_file.read_text())
    assert len(data) == 3 and len(data[0]["reps"]) == 5 and data[0]["time_of_day"] == "morning"

    plot = tmp_path / "progress.png"
    _invoke("history", "--data-dir", tmp_path, "--plot", plot)
    image = cv2.imread(str(plot))
    assert image is not None and image.shape[0] > 200 and image.shape[1] > 500


def test_empty_history(tmp_path):
    assert "No sessions yet" in _invoke("history", "--data-dir", tmp_path)


def test_target_command(tmp_path, monkeypatch):
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path))  # the environment picks the folder too
    assert "bridge: target 5 — the starting value" in _invoke("target", "bridge")
    out = _invoke("target", "bridge", 12)
    assert "target 12" in out and "set by hand" in out and "--clear" in out
    assert "target 12" in _invoke("target", "bridge")
    assert "target 5" in _invoke("target", "bridge", "--clear")
    assert (tmp_path / DB_NAME).exists()


# --- a killed session keeps its reps (the real model) ------------------------------------------------


def _slow_bridge(path, tail_s=20.0):
    """The sample at triple speed (two reps in 13 s, holds of ~4 s), then lying still for tail_s."""
    cap = cv2.VideoCapture(str(BRIDGE_VIDEO))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    cap.release()
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (frames[0].shape[1], frames[0].shape[0]))
    for f in frames[::3] + [frames[-1]] * int(tail_s * 30):
        out.write(f)
    out.release()
    return path


@pytest.mark.model
def test_killed_review_keeps_every_completed_rep(tmp_path):
    video = _slow_bridge(tmp_path / "bridge3x.mp4")
    data = tmp_path / "data"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "review", str(video), "-e", "bridge", "--hold", "2", "--no-progress",
         "--data-dir", str(data)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    db = data / DB_NAME
    seen: list[tuple] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                    seen = con.execute("SELECT idx, hold_s, counted FROM reps ORDER BY idx").fetchall()
                    con.close()
                except sqlite3.OperationalError:
                    pass  # not created yet
            if seen:
                break
            time.sleep(0.05)
        assert seen, (
            f"no rep was written before the review ended: {proc.stderr.read() if proc.poll() is not None else ''}"
        )
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the review ended before it could be killed"
    with History(db) as h:
        assert h.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (s,) = h.sessions()
        assert s.status == "running"  # never finished
        reps = h.reps(s.id)
        assert len(reps) >= len(seen) >= 1
        # the history may hold a rep more than the killed process had reported
        for (idx, hold, counted), rep in zip(seen, reps, strict=False):
            assert (rep["index"], rep["hold_s"], rep["counted"]) == (idx, hold, bool(counted))
        assert reps[0]["counted"] and reps[0]["hold_s"] == pytest.approx(3.9, abs=0.75)
        assert s.duration_s == pytest.approx(reps[-1]["end_s"])
    out = _invoke("history", "--data-dir", data)
    assert "unfinished" in out
    page = tmp_path / "killed.html"
    _invoke("report", "--session", s.id, "--data-dir", data, "-o", page)
    assert "never finished" in page.read_text()


# --- live sessions: one history session per set -----------------------------------------------


def test_live_log_keeps_one_session_per_set_and_sets_targets(tmp_path):
    from dataclasses import dataclass

    from posecheck.records.recorder import LiveLog

    @dataclass(frozen=True)
    class Item:  # as posecheck.routine.Item
        exercise: object
        hold_s: float | None = None
        target: int | None = None

    with History(tmp_path / DB_NAME) as h:
        for day in range(3):  # three good sessions earlier: the plan says 6
            sid = h.start_session(
                BRIDGE, kind="live", source="camera 0", target=5, hold_s=12.0, started_at=MORNING + timedelta(days=day)
            )
            for i in range(1, 6):
                h.add_rep(sid, _rep(i))
    log = LiveLog.open("camera 0", tmp_path, hold_s=2.0)
    items = log.with_targets([Item(BRIDGE), Item(BRIDGE, target=3)])
    assert [it.target for it in items] == [6, 3]
    keys = [Key(REST, stay_s=2.0), Key(TOP, 1.5, 3.0), Key(REST, 1.5, 2.0)]
    for outcome in ("redone", "done"):
        engine = _perform(keys, log)
        log.set_ended(
            BRIDGE,
            {"outcome": outcome, "duration_s": 10.0, "reps": [], "summary": {"reps_counted": engine.reps_counted}},
        )
    _perform(keys, log)  # a third set, cut off by the end of the session
    log.close()
    with History(tmp_path / DB_NAME) as h:
        sessions = h.sessions()[3:]
        assert [s.status for s in sessions] == ["redone", "complete", "interrupted"]
        assert [s.reps_counted for s in sessions] == [1, 1, 1] and {s.kind for s in sessions} == {"live"}
        assert len(h.results(BRIDGE)) == 5  # the redone set is not judged by progression


@pytest.mark.model
def test_live_session_is_recorded_and_uses_the_target(tmp_path):
    """`posecheck live` on a file at real-time pace (one rep, ~7 s): the set lands in the history
    with the hand-set target."""
    video = _slow_bridge(tmp_path / "one_rep.mp4", tail_s=0.0)
    cap = cv2.VideoCapture(str(video))
    frames = []
    while (got := cap.read())[0] and len(frames) < 200:
        frames.append(got[1])
    cap.release()
    from helpers import write_video

    write_video(video, frames)
    data = tmp_path / "data"
    assert "target 1" in _invoke("target", "bridge", 1, "--data-dir", data)
    proc = posecheck(
        "live", "--exercise", "bridge", "--camera", video, "--headless", "--mute", "--hold", "2", "--data-dir", data
    )
    assert proc.returncode == 0, proc.stderr
    with History(data / DB_NAME) as h:
        (s,) = h.sessions()
        assert (s.kind, s.target, s.reps_counted, s.status) == ("live", 1, 1, "complete")
        assert h.report(s.id)["timeline"]["t_s"]
