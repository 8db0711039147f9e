"""Whose exercise a session is, and the back pain given at its end: a review (the bundled demo,
someone else's video, a negative clip) is kept apart from the user's own sessions; the pain
answers round-trip through the store, the `history` table, its exports and the migration."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from posecheck.commands.cli import cli
from posecheck.exercise.definition import load
from posecheck.records.history import DB_NAME, History, HistoryError
from posecheck.records.migrations import MIGRATIONS, SCHEMA_VERSION, statements
from posecheck.records.recorder import LiveLog
from posecheck.records.sessions import pain_by_day, streak

from helpers import BRIDGE as BRIDGE_VIDEO
from helpers import ROOT

BRIDGE = load("bridge")
SAMPLES = ROOT / "samples"


def _rep(i, counted=True):
    return {"index": i, "side": None, "start_s": 10.0 * i, "end_s": 10.0 * i + 8, "hold_s": 12.0,
            "counted": counted, "faults": [], "holds": {"up": 12.0}, "guided": False}  # fmt: skip


def _session(h, kind, day, counted=5, **kw):
    when = datetime.combine(day, datetime.min.time()).replace(hour=9).astimezone()
    sid = h.start_session(BRIDGE, kind=kind, source="x", target=5, hold_s=12.0, started_at=when, **kw)
    for i in range(1, counted + 1):
        h.add_rep(sid, _rep(i))
    h.finish_session(sid, status="complete")
    return sid


def _invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_reviews_make_no_streak_or_target_until_claimed(tmp_path):
    today = date.today()
    with History(tmp_path / DB_NAME) as h:
        ids = [_session(h, "review", today - timedelta(days=back)) for back in (2, 1, 0)]
        rows = h.sessions()
        assert [r.mine for r in rows] == [False] * 3 and not any(r.counts for r in rows)
        assert streak(rows, today) == 0 and h.target(BRIDGE).reps == 5
        h.set_mine(ids)  # the user says the videos are of them
        rows = h.sessions()
        assert streak(rows, today) == 3 and h.target(BRIDGE).reps == 6
        h.set_mine(ids[:1], False)
        assert streak(h.sessions(), today) == 2
        with pytest.raises(HistoryError, match="no session 99"):
            h.set_mine([99])
        # a review said to be the user's own at the start counts at once; a live one always
        own = _session(h, "review", today - timedelta(days=3), mine=True)
        assert h.session(own).mine and h.session(_session(h, "live", today)).mine


def test_a_negative_clip_makes_no_streak_even_as_ones_own(tmp_path):
    today = date.today()
    with History(tmp_path / DB_NAME) as h:
        _session(h, "review", today, counted=0, mine=True)
        _session(h, "live", today - timedelta(days=1), counted=0)
        assert streak(h.sessions(), today) == 0 and h.target(BRIDGE).reps == 5


@pytest.mark.model
def test_review_command_keeps_the_demo_apart_and_mine_counts(tmp_path):
    """The quick start's review of the bundled demo, then a negative clip: neither is the
    user's exercise day; `--mine` (at the review, or later in `history`) makes one count."""
    data = tmp_path / "data"
    record = tmp_path / "bridge.npz"
    out = _invoke("review", BRIDGE_VIDEO, "-e", "bridge", "--landmarks-out", record, "--data-dir", data,
                  "--no-progress")  # fmt: skip
    assert "2 reps counted" in out
    assert "history: session 1 (a review: not counted toward your streak or targets" in out
    out = _invoke("history", "--data-dir", data)
    assert " review " in out and "no sessions of your own yet" in out and "streak" not in out
    _invoke("review", SAMPLES / "negative_fidgeting.mp4", "-e", "bridge", "--data-dir", data, "--no-progress", "--mine")
    out = _invoke("history", "--data-dir", data)
    assert "streak 0 days" in out and "target now 5" in out
    out = _invoke("history", "--data-dir", data, "--mine", 1)
    assert " own " in out and "streak 1 day;" in out
    out = _invoke("review", "--landmarks", record, "-e", "bridge", "--mine", "--data-dir", data,
                  "--no-progress")  # fmt: skip
    assert "history: session 3; bridge target now" in out
    with History(data / DB_NAME) as h:
        assert [s.mine for s in h.sessions()] == [True, True, True]
        assert [s.reps_counted for s in h.sessions()] == [2, 0, 2]


def test_pain_round_trips_through_the_live_log_history_and_exports(tmp_path):
    today = date.today()
    with History(tmp_path / DB_NAME) as h:
        for back, pain in ((3, 6), (2, 5), (0, 3)):
            sid = _session(h, "live", today - timedelta(days=back))
            h.set_pain([sid], pain)
        later = _session(h, "live", today - timedelta(days=2))  # a second session that day: its answer wins
        h.set_pain([later], 4)
        _session(h, "review", today - timedelta(days=1))  # a review is never asked
        with pytest.raises(HistoryError, match="0 to 10"):
            h.set_pain([sid], 11)
        assert pain_by_day(h.sessions()) == [
            (today - timedelta(days=3), 6),
            (today - timedelta(days=2), 4),
            (today, 3),
        ]
    # a live routine: the answer lands on every set of it
    log = LiveLog.open("camera 0", tmp_path)
    for sid in (_session(log.history, "live", today), _session(log.history, "live", today)):
        log.session_ids.append(sid)
    log.close(pain=2)
    with History(tmp_path / DB_NAME) as h:
        assert [s.pain for s in h.sessions()[-2:]] == [2, 2]
    out = _invoke("history", "--data-dir", tmp_path)
    assert "back pain (0 none - 10 worst)" in out and "(down 4)" in out
    assert f"{today - timedelta(days=3):%m-%d} 6  {today - timedelta(days=2):%m-%d} 4" in out
    rows = list(csv.DictReader(_invoke("history", "--data-dir", tmp_path, "--export", "csv").splitlines()))
    assert [r["pain"] for r in rows] == ["6", "5", "3", "4", "", "2", "2"]
    assert [r["mine"] for r in rows].count("False") == 1
    data = json.loads(_invoke("history", "--data-dir", tmp_path, "--export", "json"))
    assert [d["pain"] for d in data] == [6, 5, 3, 4, None, 2, 2]


def test_migrates_a_version_2_file_keeping_everything(tmp_path):
    path = tmp_path / DB_NAME
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        for stmt in statements(script):
            old.execute(stmt)
    old.executescript(
        """
        INSERT INTO sessions (id, exercise, started_at, day, time_of_day, kind, source, status)
            VALUES (1, 'bridge', '2025-01-10T07:30:00+01:00', '2025-01-10', 'morning', 'live', 'camera 0', 'complete'),
                   (2, 'bridge', '2025-01-11T07:30:00+01:00', '2025-01-11', 'morning', 'review', '/v.mp4', 'complete');
        INSERT INTO reps (session_id, idx, hold_s, counted) VALUES (1, 1, 12.0, 1), (2, 1, 12.0, 1), (2, 2, 3.0, 0);
        PRAGMA user_version = 2;
        """
    )
    old.close()
    with History(path) as h:
        assert h.version == SCHEMA_VERSION
        live, review = h.sessions()
        assert (live.mine, review.mine, live.pain, review.pain) == (True, False, None, None)
        assert (review.reps_counted, review.reps_attempted, review.source) == (1, 2, "/v.mp4")
        assert streak([live, review], date(2025, 1, 11)) == 1
        h.set_pain([1], 7)
    with History(path) as h:
        assert h.session(1).pain == 7 and len(h.reps(2)) == 2


def test_the_therapists_page_shows_the_pain_trend_beside_adherence(tmp_path):
    today = date.today()
    with History(tmp_path / DB_NAME) as h:
        for back, pain in ((40, 9), (3, 6), (2, 5), (0, 3)):  # 40 days ago: outside the page's weeks
            sid = _session(h, "live", today - timedelta(days=back))
            h.set_pain([sid], pain)
        _session(h, "review", today - timedelta(days=1))  # a review: no exercise day
        h.finish_session(sid, status="complete")
    page = tmp_path / "page.html"
    _invoke("report", "--session", sid, "--data-dir", tmp_path, "-o", page)
    html = page.read_text()
    d = [f"{today - timedelta(days=b):%m-%d}" for b in (3, 2, 0)]
    assert f"Back pain, 28 days up to this session</th><td>{d[0]}: 6  {d[1]}: 5  {d[2]}: 3" in html
    assert "this exercise done on 3 of 28 days" in html and ": 9" not in html
