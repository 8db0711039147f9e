"""The history: every session, live or reviewed, in one SQLite file in the user's data folder.

Each completed rep is written in its own transaction the moment it completes, so a session
that is interrupted or killed keeps every rep it counted. The journal is WAL (a reader never
blocks the writer); the schema's version is PRAGMA user_version and MIGRATIONS upgrade an
older file in place.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import click

from posecheck.exercise import progression
from posecheck.errors import PosecheckError

if TYPE_CHECKING:  # the command line imports this module; keep `posecheck --help` light
    from posecheck.exercise.definition import Exercise
    from posecheck.exercise.engine import EngineState, Event, FaultSpan, Rep

DB_NAME = "history.sqlite3"
ENV_DATA_DIR = "POSECHECK_DATA_DIR"
# The page asks for the routine morning and evening: a session that starts before this
# hour (local time) is the morning one, from it on the evening one.
EVENING_FROM_HOUR = 14
BUSY_TIMEOUT_S = 5.0


class HistoryError(PosecheckError):
    """The history file cannot be opened, read or written."""


def data_dir(override: str | Path | None = None) -> Path:
    """--data-dir, else $POSECHECK_DATA_DIR, else the platform's user data folder."""
    if override:
        return Path(override).expanduser()
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR]).expanduser()
    import platformdirs

    return platformdirs.user_data_path("posecheck", appauthor=False)


def time_of_day(when: datetime) -> str:
    return "morning" if when.hour < EVENING_FROM_HOUR else "evening"


# --- schema ---------------------------------------------------------------------------------

# MIGRATIONS[i] takes a file from version i to i + 1. Version 0 is an empty file.
MIGRATIONS: list[str] = [
    # 1: sessions and their reps
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        exercise TEXT NOT NULL,
        started_at TEXT NOT NULL,          -- local time, ISO 8601 with the UTC offset
        duration_s REAL,
        settings TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE reps (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        hold_s REAL NOT NULL,
        counted INTEGER NOT NULL,
        faults TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (session_id, idx)
    );
    """,
    # 2: live or reviewed, the local day and morning/evening for adherence, the target and
    # hold used, whether the session finished, the full report; rep timing and sides;
    # fault spans; targets set by hand
    f"""
    ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'review';
    ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT '';
    ALTER TABLE sessions ADD COLUMN day TEXT;
    ALTER TABLE sessions ADD COLUMN time_of_day TEXT;
    ALTER TABLE sessions ADD COLUMN ended_at TEXT;
    ALTER TABLE sessions ADD COLUMN target INTEGER;
    ALTER TABLE sessions ADD COLUMN hold_s REAL;
    ALTER TABLE sessions ADD COLUMN sessions_per_day INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'complete';
    ALTER TABLE sessions ADD COLUMN report TEXT;
    UPDATE sessions SET day = substr(started_at, 1, 10),
        time_of_day = CASE WHEN CAST(substr(started_at, 12, 2) AS INTEGER) < {EVENING_FROM_HOUR}
                           THEN 'morning' ELSE 'evening' END;
    CREATE INDEX sessions_by_exercise ON sessions(exercise, id);
    CREATE INDEX sessions_by_day ON sessions(day);
    ALTER TABLE reps ADD COLUMN side TEXT;
    ALTER TABLE reps ADD COLUMN start_s REAL;
    ALTER TABLE reps ADD COLUMN end_s REAL;
    ALTER TABLE reps ADD COLUMN holds TEXT NOT NULL DEFAULT '{{}}';
    ALTER TABLE reps ADD COLUMN guided INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE faults (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        fault TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        start_s REAL NOT NULL,
        end_s REAL
    );
    CREATE INDEX faults_by_session ON faults(session_id);
    CREATE TABLE targets (
        exercise TEXT PRIMARY KEY,
        reps INTEGER NOT NULL,
        set_at TEXT NOT NULL
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


# --- what comes out ---------------------------------------------------------------------------


@dataclass
class SessionRow:
    id: int
    exercise: str
    kind: str  # "live" or "review"
    source: str  # the video reviewed, or the camera
    started_at: datetime
    day: date
    time_of_day: str  # "morning" or "evening"
    duration_s: float | None
    target: int | None
    hold_s: float | None
    sessions_per_day: int
    status: str  # running (or killed), complete, interrupted, cut_short
    settings: dict[str, Any]
    reps_counted: int
    reps_attempted: int
    fault_reps: int
    best_hold_s: float | None
    fault_ids: list[str] = field(default_factory=list)
    has_report: bool = False

    @property
    def counts(self) -> bool:
        """Whether it counts as having exercised: at least one rep counted."""
        return self.reps_counted > 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["started_at"] = self.started_at.isoformat(timespec="seconds")
        d["day"] = self.day.isoformat()
        return d


def rep_row(rep: Rep | dict[str, Any]) -> dict[str, Any]:
    r = rep if isinstance(rep, dict) else asdict(rep)
    return {
        "index": int(r["index"]),
        "side": r.get("side"),
        "start_s": r.get("start_s"),
        "end_s": r.get("end_s"),
        "hold_s": float(r.get("hold_s") or 0.0),
        "counted": bool(r.get("counted")),
        "faults": list(r.get("faults") or []),
        "holds": dict(r.get("holds") or {}),
        "guided": bool(r.get("guided")),
    }


def _translate(path: Path, e: sqlite3.Error) -> HistoryError:
    msg = str(e).lower()
    if "locked" in msg or "busy" in msg:
        return HistoryError(f"{path}: the history is locked by another program (another posecheck?); try again, or use --no-history")
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return HistoryError(f"{path}: not a readable posecheck history (damaged?); move it aside to start a new one")
    if "unable to open" in msg or "readonly" in msg or "read-only" in msg:
        return HistoryError(f"{path}: cannot open the history for writing ({e}); pick another folder with --data-dir")
    if "disk" in msg or "full" in msg:
        return HistoryError(f"{path}: cannot write the history ({e})")
    return HistoryError(f"{path}: history database error: {e}")


class History:
    """The history file. Open with History.open(data_dir) or History(path); close when done."""

    def __init__(self, path: str | Path, *, timeout_s: float = BUSY_TIMEOUT_S, migrate: bool = True) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise HistoryError(f"{self.path}: is a folder, not a history file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise HistoryError(f"{self.path.parent}: cannot create the history folder ({e.strerror}); pick another with --data-dir") from None
        try:
            # autocommit: every write below opens and commits its own transaction
            self.db = sqlite3.connect(str(self.path), timeout=timeout_s, isolation_level=None)
        except sqlite3.Error as e:
            raise _translate(self.path, e) from None
        self.db.row_factory = sqlite3.Row
        with self._errors():
            self.db.execute("PRAGMA foreign_keys = ON")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{self.path}: written by a newer posecheck (history schema v{version}; this one reads up to v{SCHEMA_VERSION})"
                )
            if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                self.db.execute("PRAGMA journal_mode = WAL")
            # a committed rep survives a crash of the machine, not only of the process
            self.db.execute("PRAGMA synchronous = FULL")
            if migrate:
                self.migrate()

    @classmethod
    def open(cls, folder: str | Path | None = None, **kw: Any) -> "History":
        return cls(data_dir(folder) / DB_NAME, **kw)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing -------------------------------------------------------------------------

    def _errors(self):
        history = self

        class _Ctx:
            def __enter__(self) -> None:
                return None

            def __exit__(self, et, e, tb) -> bool:
                if isinstance(e, sqlite3.Error):
                    raise _translate(history.path, e) from None
                return False

        return _Ctx()

    def _write(self, sql_params: Sequence[tuple[str, tuple[Any, ...]]]) -> sqlite3.Cursor | None:
        """Statements in one transaction: all of them land, or none."""
        cur = None
        with self._errors():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in sql_params:
                    cur = self.db.execute(sql, params)
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
        return cur

    @property
    def version(self) -> int:
        with self._errors():
            return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Bring the file to SCHEMA_VERSION, one step per transaction."""
        with self._errors():
            while (v := self.version) < SCHEMA_VERSION:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    # re-read under the write lock: another process may have migrated meanwhile
                    if self.version != v:
                        self.db.execute("ROLLBACK")
                        continue
                    for stmt in _statements(MIGRATIONS[v]):
                        self.db.execute(stmt)
                    self.db.execute(f"PRAGMA user_version = {v + 1}")
                    self.db.execute("COMMIT")
                except BaseException:
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")
                    raise

    # --- writing a session ------------------------------------------------------------------

    def start_session(
        self,
        exercise: Exercise,
        *,
        kind: str,
        source: str,
        target: int | None,
        hold_s: float | None,
        settings: dict[str, Any] | None = None,
        started_at: datetime | None = None,
    ) -> int:
        when = (started_at or datetime.now()).astimezone()
        cur = self._write(
            [
                (
                    "INSERT INTO sessions (exercise, kind, source, started_at, day, time_of_day, target, hold_s,"
                    " sessions_per_day, settings, status, duration_s) VALUES (?,?,?,?,?,?,?,?,?,?, 'running', 0)",
                    (
                        exercise.id,
                        kind,
                        source,
                        when.isoformat(timespec="seconds"),
                        when.date().isoformat(),
                        time_of_day(when),
                        target,
                        hold_s,
                        exercise.reps.sessions_per_day,
                        json.dumps(settings or {}),
                    ),
                )
            ]
        )
        assert cur is not None
        return int(cur.lastrowid)

    def add_rep(self, session_id: int, rep: Rep | dict[str, Any]) -> None:
        """One completed rep, in its own transaction (with the session's running duration)."""
        r = rep_row(rep)
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO reps (session_id, idx, side, start_s, end_s, hold_s, counted, faults, holds, guided)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        session_id,
                        r["index"],
                        r["side"],
                        r["start_s"],
                        r["end_s"],
                        r["hold_s"],
                        int(r["counted"]),
                        json.dumps(r["faults"]),
                        json.dumps(r["holds"]),
                        int(r["guided"]),
                    ),
                ),
                (
                    "UPDATE sessions SET duration_s = MAX(COALESCE(duration_s, 0), ?) WHERE id = ?",
                    (r["end_s"] or 0.0, session_id),
                ),
            ]
        )

    def add_fault(self, session_id: int, span: FaultSpan | dict[str, Any]) -> None:
        f = span if isinstance(span, dict) else asdict(span)
        self._write(
            [
                (
                    "INSERT INTO faults (session_id, fault, message, start_s, end_s) VALUES (?,?,?,?,?)",
                    (session_id, f["id"], f.get("message") or "", f["start_s"], f.get("end_s")),
                )
            ]
        )

    def finish_session(
        self,
        session_id: int,
        *,
        status: str,
        duration_s: float | None = None,
        report: dict[str, Any] | None = None,
        ended_at: datetime | None = None,
    ) -> None:
        when = (ended_at or datetime.now()).astimezone()
        self._write(
            [
                (
                    "UPDATE sessions SET status = ?, ended_at = ?, duration_s = COALESCE(?, duration_s),"
                    " report = COALESCE(?, report) WHERE id = ?",
                    (status, when.isoformat(timespec="seconds"), duration_s, json.dumps(report) if report else None, session_id),
                )
            ]
        )

    def delete_session(self, session_id: int) -> None:
        self._write([(f"DELETE FROM {table} WHERE {key} = ?", (session_id,))
                     for table, key in (("reps", "session_id"), ("faults", "session_id"), ("sessions", "id"))])  # fmt: skip

    # --- targets set by hand ------------------------------------------------------------------

    def set_target(self, exercise_id: str, reps: int) -> None:
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO targets (exercise, reps, set_at) VALUES (?,?,?)",
                    (exercise_id, int(reps), datetime.now().astimezone().isoformat(timespec="seconds")),
                )
            ]
        )

    def clear_target(self, exercise_id: str) -> bool:
        cur = self._write([("DELETE FROM targets WHERE exercise = ?", (exercise_id,))])
        return bool(cur and cur.rowcount)

    def manual_target(self, exercise_id: str) -> int | None:
        with self._errors():
            row = self.db.execute("SELECT reps FROM targets WHERE exercise = ?", (exercise_id,)).fetchone()
        return None if row is None else int(row[0])

    # --- reading ----------------------------------------------------------------------------

    _SESSION_SQL = """
        SELECT s.*, s.report IS NOT NULL AS has_report,
               COUNT(r.idx) AS attempted, COALESCE(SUM(r.counted), 0) AS counted,
               COALESCE(SUM(r.faults != '[]'), 0) AS fault_reps, MAX(r.hold_s) AS best_hold,
               (SELECT group_concat(f, ',') FROM (SELECT DISTINCT je.value AS f FROM reps r2, json_each(r2.faults) je
                                                 WHERE r2.session_id = s.id)) AS fault_ids
        FROM sessions s LEFT JOIN reps r ON r.session_id = s.id
    """

    def sessions(
        self, exercise: str | None = None, *, since: date | None = None, limit: int | None = None, newest_first: bool = False
    ) -> list[SessionRow]:
        where, params = [], []
        if exercise:
            where.append("s.exercise = ?")
            params.append(exercise)
        if since:
            where.append("s.day >= ?")
            params.append(since.isoformat())
        sql = self._SESSION_SQL + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY s.id ORDER BY s.id"
        sql += " DESC" if newest_first or limit else ""
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._errors():
            rows = [self._session(r) for r in self.db.execute(sql, params)]
        return rows if newest_first or not limit else rows[::-1]

    def session(self, session_id: int) -> SessionRow:
        with self._errors():
            row = self.db.execute(self._SESSION_SQL + " WHERE s.id = ? GROUP BY s.id", (session_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no session {session_id} in the history at {self.path}")
        return self._session(row)

    def reps(self, session_id: int) -> list[dict[str, Any]]:
        with self._errors():
            rows = self.db.execute("SELECT * FROM reps WHERE session_id = ? ORDER BY idx", (session_id,)).fetchall()
        return [
            {
                "index": r["idx"],
                "side": r["side"],
                "start_s": r["start_s"],
                "end_s": r["end_s"],
                "hold_s": r["hold_s"],
                "counted": bool(r["counted"]),
                "faults": json.loads(r["faults"]),
                "holds": json.loads(r["holds"]),
                "guided": bool(r["guided"]),
            }
            for r in rows
        ]

    def faults(self, session_id: int) -> list[dict[str, Any]]:
        with self._errors():
            rows = self.db.execute("SELECT * FROM faults WHERE session_id = ? ORDER BY start_s", (session_id,)).fetchall()
        return [{"id": r["fault"], "message": r["message"], "start_s": r["start_s"], "end_s": r["end_s"]} for r in rows]

    def report(self, session_id: int) -> dict[str, Any] | None:
        with self._errors():
            row = self.db.execute("SELECT report FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no session {session_id} in the history at {self.path}")
        return json.loads(row[0]) if row[0] else None

    def results(self, exercise: Exercise) -> list[progression.SessionResult]:
        """Every session of the exercise, oldest first, as progression sees it (a set the user
        chose to redo is left out: it stopped for a reason other than the reps)."""
        with self._errors():
            rows = self.db.execute(
                "SELECT r.session_id, r.side, r.counted, r.faults FROM reps r JOIN sessions s ON s.id = r.session_id"
                " WHERE s.exercise = ? AND s.status != 'redone' ORDER BY r.session_id, r.idx",
                (exercise.id,),
            ).fetchall()
        by_session: dict[int, list[tuple[str | None, bool, bool]]] = {}
        for r in rows:
            by_session.setdefault(r[0], []).append((r[1], bool(r[2]), r[3] != "[]"))
        return [progression.session_result(exercise, reps) for _, reps in sorted(by_session.items())]

    def target(self, exercise: Exercise) -> progression.Target:
        """The exercise's target now: the plan from past sessions, or the one set by hand."""
        return progression.target(exercise, self.results(exercise), self.manual_target(exercise.id))

    @staticmethod
    def _session(r: sqlite3.Row) -> SessionRow:
        started = datetime.fromisoformat(r["started_at"])
        return SessionRow(
            id=r["id"],
            exercise=r["exercise"],
            kind=r["kind"],
            source=r["source"],
            started_at=started,
            day=date.fromisoformat(r["day"]) if r["day"] else started.date(),
            time_of_day=r["time_of_day"] or time_of_day(started),
            duration_s=r["duration_s"],
            target=r["target"],
            hold_s=r["hold_s"],
            sessions_per_day=r["sessions_per_day"],
            status=r["status"],
            settings=json.loads(r["settings"] or "{}"),
            reps_counted=int(r["counted"]),
            reps_attempted=int(r["attempted"]),
            fault_reps=int(r["fault_reps"]),
            best_hold_s=r["best_hold"],
            fault_ids=sorted(r["fault_ids"].split(",")) if r["fault_ids"] else [],
            has_report=bool(r["has_report"]),
        )


def _statements(script: str) -> Iterator[str]:
    """A migration script's statements (no `;` inside strings in ours)."""
    for stmt in script.split(";"):
        lines = [line.split("--", 1)[0] for line in stmt.splitlines()]
        text = "\n".join(lines).strip()
        if text:
            yield text


# --- recording a session as it runs ------------------------------------------------------------


Warn = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"posecheck: warning: {message}", file=sys.stderr)


class Recorder:
    """Writes one session to the history while it runs.

    A listener: call it with (exercise, events, state) after every frame. The session row is
    written at the first call; each rep when its "rep" event arrives; each fault when it ends.
    `finish` closes the session, with the review's report when there is one (a live session
    gets a report built from what it saw, timeline included). If a write fails mid-session
    the rep is kept in memory and retried with the next one; the session itself goes on.
    """

    TIMELINE_STEP_S = 0.1

    def __init__(
        self,
        history: History,
        exercise: Exercise,
        *,
        kind: str,
        source: str,
        hold_s: float | None = None,
        target: int | None = None,
        settings: dict[str, Any] | None = None,
        warn: Warn = _stderr,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.history, self.exercise = history, exercise
        self.kind, self.source = kind, source
        self.hold_s = hold_s if hold_s is not None else exercise.hold.hold_s
        self.target = target
        self.settings = settings or {}
        self.warn, self.now = warn, now
        self.session_id: int | None = None
        self.reps: list[Rep] = []
        self.fault_spans: list[FaultSpan] = []
        self._open_faults: dict[str, tuple[float, str]] = {}
        self._pending: list[tuple[str, Any]] = []
        self._warned = False
        self.frames = 0
        self.frames_tracked = 0
        self.first_t: float | None = None
        self.last_t: float | None = None
        self._next_sample_s: float | None = None
        self.timeline: dict[str, list[Any]] = {"t_s": [], "values": [], "phase": [], "holding": []}
        self.finished = False

    def __call__(self, exercise: Exercise, events: list[Event], state: EngineState) -> None:
        if self.session_id is None:
            if self.target is None:
                self.target = state.target  # what the engine aims for
            self.session_id = self.history.start_session(
                self.exercise, kind=self.kind, source=self.source, target=self.target, hold_s=self.hold_s,
                settings=self.settings, started_at=self.now(),
            )  # fmt: skip
        self.frames += 1
        self.frames_tracked += bool(state.tracking)
        if self.first_t is None:
            self.first_t = state.t_s
        self.last_t = state.t_s
        if self._next_sample_s is None or state.t_s >= self._next_sample_s:
            self._next_sample_s = state.t_s + self.TIMELINE_STEP_S
            key = state.values.get(self.exercise.key_signal) if state.tracking else None
            self.timeline["t_s"].append(round(state.t_s, 3))
            self.timeline["values"].append(None if key is None else round(float(key), 3))
            self.timeline["phase"].append(state.phase)
            self.timeline["holding"].append(bool(state.holding))
        for ev in events:
            if ev.kind == "rep" and ev.rep is not None:
                self.reps.append(ev.rep)
                self._pending.append(("rep", ev.rep))
            elif ev.kind == "fault_started" and ev.fault:
                self._open_faults[ev.fault] = (ev.t_s, ev.text)
            elif ev.kind == "fault_ended" and ev.fault and ev.fault in self._open_faults:
                start, message = self._open_faults.pop(ev.fault)
                span = self._span(ev.fault, message, start, ev.t_s)
                self.fault_spans.append(span)
                self._pending.append(("fault", span))
        if self._pending:
            self._flush()

    def _span(self, fault: str, message: str, start: float, end: float | None) -> "FaultSpan":
        from posecheck.exercise.engine import FaultSpan

        return FaultSpan(fault, message, start, end, _rep_at(self.reps, start))

    def _flush(self) -> bool:
        assert self.session_id is not None
        while self._pending:
            what, item = self._pending[0]
            try:
                if what == "rep":
                    self.history.add_rep(self.session_id, item)
                else:
                    self.history.add_fault(self.session_id, item)
            except HistoryError as e:
                if not self._warned:
                    self._warned = True
                    self.warn(f"{e} (will retry)")
                return False
            self._pending.pop(0)
        return True

    def finish(self, report: dict[str, Any] | None = None, *, status: str | None = None) -> int | None:
        """Close the session; returns its id (None when nobody was ever seen: nothing to keep)."""
        if self.finished or self.session_id is None:
            return self.session_id
        self.finished = True
        if self.frames_tracked == 0 and not self.reps:
            self.history.delete_session(self.session_id)
            self.session_id = None
            return None
        for fid, (start, message) in self._open_faults.items():
            span = self._span(fid, message, start, self.last_t)
            self.fault_spans.append(span)
            self._pending.append(("fault", span))
        self._open_faults = {}
        if not self._flush():
            raise HistoryError(f"{self.history.path}: could not save session {self.session_id} to the history")
        if report is None:
            report = self.live_report()
        if status is None:
            status = "interrupted" if report.get("interrupted") else "cut_short" if report.get("truncated") else "complete"
        self.history.finish_session(
            self.session_id, status=status, duration_s=report.get("duration_s"), report=report, ended_at=self.now()
        )
        return self.session_id

    def live_report(self) -> dict[str, Any]:
        """A report like a review's, for a session no review wrote one for."""
        from posecheck.records import report as report_mod

        duration = (self.last_t or 0.0) - (self.first_t or 0.0)
        return report_mod.build(
            self.exercise,
            video=self.source,
            duration_s=duration,
            frames=self.frames,
            frames_with_pose=self.frames_tracked,
            hold_s=self.hold_s,
            target=self.target if self.target is not None else self.exercise.reps.target,
            reps=self.reps,
            faults=self.fault_spans,
            settings=self.settings,
            kind=self.kind,
            timeline={
                "signal": self.exercise.key_signal,
                "unit": self.exercise.signals[self.exercise.key_signal].unit,
                **self.timeline,
            },
        )


def _rep_at(reps: list[Rep], t: float) -> int | None:
    """The rep a fault that began at t belongs to: the one under way then (the next to finish)."""
    for rep in reps:
        if rep.start_s - 1e-6 <= t <= (rep.end_s if rep.end_s is not None else t) + 1e-6:
            return rep.index
    return len(reps) + 1


def open_recorder(exercise: Exercise, *, kind: str, source: str, folder: str | Path | None = None, **kw: Any) -> Recorder:
    """A recorder on the user's history (opened now, so a bad file fails before the session)."""
    return Recorder(History.open(folder), exercise, kind=kind, source=source, **kw)


# A live set's outcome (posecheck.routine) as the session's status.
_OUTCOME_STATUS = {"done": "complete", "": "complete"}


class LiveLog:
    """A live session in the history: one history session per set of the routine.

    Subscribe it to the live loop as a listener (exercise, events, state) and `set_ended`
    as its set-ended hook (exercise, report); `close` when the loop is over. A set that
    never saw anyone is not kept. `with_targets` gives each item of the routine the
    target progression says, unless one was given.
    """

    def __init__(self, history: History, source: str, *, hold_s: float | None = None, settings: dict[str, Any] | None = None) -> None:
        self.history, self.source = history, source
        self.hold_s, self.settings = hold_s, settings or {}
        self.current: Recorder | None = None
        self.session_ids: list[int] = []

    @classmethod
    def open(cls, source: str, folder: str | Path | None = None, **kw: Any) -> "LiveLog":
        return cls(History.open(folder), source, **kw)

    def with_targets(self, items: list[Any]) -> list[Any]:
        from dataclasses import replace

        return [it if it.target is not None else replace(it, target=self.history.target(it.exercise).reps) for it in items]

    def __call__(self, exercise: Exercise, events: list[Event], state: EngineState) -> None:
        if self.current is None or self.current.exercise.id != exercise.id or self.current.finished:
            self.current = Recorder(self.history, exercise, kind="live", source=self.source, hold_s=self.hold_s, settings=self.settings)
        self.current(exercise, events, state)

    def set_ended(self, exercise: Exercise, report: dict[str, Any]) -> None:
        rec, self.current = self.current, None
        if rec is None:
            return
        outcome = str(report.get("outcome") or "")
        sid = rec.finish(report=report, status=_OUTCOME_STATUS.get(outcome, outcome))
        if sid is not None:
            self.session_ids.append(sid)

    def close(self) -> None:
        if self.current is not None and not self.current.finished:
            sid = self.current.finish(status="interrupted")
            if sid is not None:
                self.session_ids.append(sid)
        self.current = None
        self.history.close()


# --- adherence: morning and evening, day by day ------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    morning: bool
    evening: bool
    done: bool  # the exercise's need for the day was met


def days_of(rows: Sequence[SessionRow], first: date, last: date) -> list[Day]:
    """Per day, whether a morning and an evening session counted, and whether that met the need.

    An exercise done once a day (sessions_per_day 1: bridge, pelvic tilt) is done by any
    session with a counted rep; one done twice needs a morning and an evening session.
    """
    need = max((r.sessions_per_day for r in rows), default=1)
    out = []
    d = first
    while d <= last:
        todays = [r for r in rows if r.day == d and r.counts]
        morning = any(r.time_of_day == "morning" for r in todays)
        evening = any(r.time_of_day == "evening" for r in todays)
        done = (morning and evening) if need >= 2 else bool(todays)
        out.append(Day(d, morning, evening, done))
        d += timedelta(days=1)
    return out


def streak(rows: Sequence[SessionRow], today: date) -> int:
    """Days in a row the need was met, up to today (or yesterday, while today is still open)."""
    if not rows:
        return 0
    first = min(r.day for r in rows)
    days = days_of(rows, first, today)
    if days and not days[-1].done:
        days = days[:-1]
    n = 0
    for d in reversed(days):
        if not d.done:
            break
        n += 1
    return n


# --- the command line ---------------------------------------------------------------------------

_data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=f"Folder of the history (default: ${ENV_DATA_DIR}, else the user data folder).",
)


def _fmt_faults(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "-"


def _mark(d: Day, need: int) -> str:
    if d.done:
        return "X"
    if need >= 2 and (d.morning or d.evening):
        return "m" if d.morning else "e"
    return "."


def _session_line(s: SessionRow) -> str:
    hold = f"{s.best_hold_s:.1f}/{s.hold_s:g} s" if s.best_hold_s is not None and s.hold_s else "-"
    status = {"running": "unfinished", "cut_short": "cut short"}.get(s.status, s.status)
    dur = f"{s.duration_s:.0f} s" if s.duration_s else "-"
    return (
        f"{s.id:>4}  {s.started_at:%Y-%m-%d %H:%M}  {s.time_of_day:<7}  {s.exercise:<22}  {s.kind:<6}  "
        f"{s.reps_counted:>3}/{s.reps_attempted:<3}  {s.target if s.target is not None else '-':>6}  {hold:>11}  {dur:>6}  "
        f"{status:<11}  {_fmt_faults(s.fault_ids)}"
    )


def _exercise_or_none(exercise_id: str) -> Exercise | None:
    from posecheck.exercise.definition import load
    from posecheck.errors import DefinitionError

    try:
        return load(exercise_id)
    except DefinitionError:
        return None


def export_rows(history: History, rows: Sequence[SessionRow], fmt: str) -> str:
    if fmt == "json":
        out = []
        for s in rows:
            d = s.as_dict()
            d["reps"] = history.reps(s.id)
            d["faults"] = history.faults(s.id)
            out.append(d)
        return json.dumps(out, indent=1) + "\n"
    import csv
    import io

    buf = io.StringIO()
    cols = ["id", "exercise", "kind", "source", "started_at", "day", "time_of_day", "duration_s", "reps_counted",
            "reps_attempted", "target", "hold_s", "best_hold_s", "fault_reps", "fault_ids", "status"]  # fmt: skip
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for s in rows:
        d = s.as_dict()
        d["fault_ids"] = ";".join(s.fault_ids)
        w.writerow(d)
    return buf.getvalue()


@click.command("history")
@click.option("-e", "--exercise", "exercise_id", help="Only this exercise.")
@click.option("--days", type=click.IntRange(min=1), default=14, show_default=True, help="Days shown in the streaks and the plot.")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Sessions listed in the table.")
@click.option("--plot", type=click.Path(path_type=Path, dir_okay=False), help="Draw reps per day and adherence to this .png.")
@click.option("--export", "fmt", type=click.Choice(["csv", "json"]), help="Write every session (in --days) as CSV or JSON instead of the table.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the export here instead of stdout.")
@_data_dir_option
def history_cmd(exercise_id, days, limit, plot, fmt, out, data_dir) -> None:
    """Recent sessions, streaks, and morning/evening adherence."""
    if out and not fmt:
        raise click.UsageError("--out goes with --export csv|json")
    if plot is not None and plot.suffix.lower() != ".png":
        raise HistoryError(f"{plot}: the plot is written as PNG; name it .png")
    for path in (plot, out):
        if path is not None and not path.parent.exists():
            raise HistoryError(f"{path}: the folder {path.parent} does not exist")
    today = date.today()
    first = today - timedelta(days=days - 1)
    with History.open(data_dir) as h:
        if fmt:
            text = export_rows(h, h.sessions(exercise_id, since=first), fmt)
            if out:
                out.write_text(text, encoding="utf-8")
                click.echo(f"exported: {out}", err=True)
            else:
                click.echo(text, nl=False)
            return
        recent = h.sessions(exercise_id, limit=limit)
        window = h.sessions(exercise_id, since=first)
        if not recent:
            click.echo(f"No sessions yet in {h.path}.")
        else:
            click.echo(f"Recent sessions ({h.path}):")
            click.echo(
                f"{'id':>4}  {'started':<16}  {'':<7}  {'exercise':<22}  {'kind':<6}  {'reps':<7}  {'target':>6}  "
                f"{'best hold':>11}  {'time':>6}  {'status':<11}  faults"
            )
            for s in recent:
                click.echo(_session_line(s))
            click.echo("")
            click.echo(f"Last {days} days, oldest first (X done, m/e only morning/evening of two, . none):")
            by_ex: dict[str, list[SessionRow]] = {}
            for s in h.sessions(exercise_id):
                by_ex.setdefault(s.exercise, []).append(s)
            for ex_id, rows in sorted(by_ex.items()):
                need = max(r.sessions_per_day for r in rows)
                marks = "".join(_mark(d, need) for d in days_of(rows, first, today))
                per_day = "once a day" if need == 1 else "morning and evening"
                n = streak(rows, today)
                ex = _exercise_or_none(ex_id)
                tgt = f"; target now {h.target(ex).reps}" if ex else ""
                click.echo(f"  {ex_id:<22} {marks}  {per_day}; streak {n} day{'s' if n != 1 else ''}{tgt}")
            routine = days_of([s for s in window if s.counts], first, today)
            m = sum(d.morning for d in routine)
            e = sum(d.evening for d in routine)
            click.echo(f"  routine: mornings {m}/{days}, evenings {e}/{days} (any exercise counted)")
        if plot is not None:
            from posecheck.records.plots import history_figure

            exercises = {ex_id: ex for ex_id in {s.exercise for s in window} if (ex := _exercise_or_none(ex_id))}
            history_figure(window, first, today, plot, names={k: v.name for k, v in exercises.items()})
            click.echo(f"plot: {plot}")


@click.command("target")
@click.argument("exercise_id", metavar="ID")
@click.argument("reps", type=click.IntRange(min=1), required=False)
@click.option("--clear", is_flag=True, help="Forget the target set by hand; follow the plan again.")
@_data_dir_option
def target_cmd(exercise_id, reps, clear, data_dir) -> None:
    """Show the exercise's target reps now, or set it by hand (REPS), or --clear it."""
    from posecheck.exercise.definition import load

    exercise = load(exercise_id)
    if reps is not None and clear:
        raise click.UsageError("give REPS or --clear, not both")
    with History.open(data_dir) as h:
        if reps is not None:
            h.set_target(exercise.id, reps)
        elif clear:
            if not h.clear_target(exercise.id):
                click.echo(f"{exercise.id}: no target was set by hand", err=True)
        t = h.target(exercise)
    click.echo(f"{exercise.id}: target {t.reps} — {t.reason}")
    if t.manual is not None:
        click.echo(f"  `posecheck target {exercise.id} --clear` returns to the plan")
