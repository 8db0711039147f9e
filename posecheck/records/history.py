"""The history store: every session, live or reviewed, in one SQLite file in the user's data folder.

Each completed rep is written in its own transaction the moment it completes, so a session
that is interrupted or killed keeps every rep it counted. The journal is WAL (a reader never
blocks the writer); the schema's version is PRAGMA user_version and MIGRATIONS upgrade an
older file in place.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.errors import PosecheckError
from posecheck.exercise import progression
from posecheck.records.migrations import MIGRATIONS, SCHEMA_VERSION, statements
from posecheck.records.sessions import SessionRow, time_of_day

if TYPE_CHECKING:  # the command line imports this module; keep `posecheck --help` light
    from posecheck.exercise.definition import Exercise
    from posecheck.exercise.state import FaultSpan, Rep

DB_NAME = "history.sqlite3"
ENV_DATA_DIR = "POSECHECK_DATA_DIR"
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
        "seen": None if r.get("seen") is None else bool(r["seen"]),
    }


def _translate(path: Path, e: sqlite3.Error) -> HistoryError:
    msg = str(e).lower()
    if "locked" in msg or "busy" in msg:
        return HistoryError(
            f"{path}: the history is locked by another program (another posecheck?); try again, or use --no-history"
        )
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
            raise HistoryError(
                f"{self.path.parent}: cannot create the history folder ({e.strerror}); pick another with --data-dir"
            ) from None
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
                    f"{self.path}: written by a newer posecheck "
                    f"(history schema v{version}; this one reads up to v{SCHEMA_VERSION})"
                )
            if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                self.db.execute("PRAGMA journal_mode = WAL")
            # a committed rep survives a crash of the machine, not only of the process
            self.db.execute("PRAGMA synchronous = FULL")
            if migrate:
                self.migrate()

    @classmethod
    def open(cls, folder: str | Path | None = None, **kw: Any) -> History:
        return cls(data_dir(folder) / DB_NAME, **kw)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's errors inside, as one-line HistoryErrors."""
        try:
            yield
        except sqlite3.Error as e:
            raise _translate(self.path, e) from None

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
                    for stmt in statements(MIGRATIONS[v]):
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
        mine: bool | None = None,
    ) -> int:
        """A new session. `mine`: whether it is the user's own exercise (default: a live
        one is, a review is not); only those make streaks, adherence and targets."""
        when = (started_at or datetime.now()).astimezone()
        cur = self._write(
            [
                (
                    "INSERT INTO sessions (exercise, kind, source, started_at, day, time_of_day, target, hold_s,"
                    " sessions_per_day, settings, mine, status, duration_s)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?, 'running', 0)",
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
                        int(kind == "live" if mine is None else mine),
                    ),
                )
            ]
        )
        assert cur is not None and cur.lastrowid is not None
        return cur.lastrowid

    def add_rep(self, session_id: int, rep: Rep | dict[str, Any]) -> None:
        """One completed rep, in its own transaction (with the session's running duration)."""
        r = rep_row(rep)
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO reps"
                    " (session_id, idx, side, start_s, end_s, hold_s, counted, faults, holds, guided, seen)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
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
                        None if r["seen"] is None else int(r["seen"]),
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
                    (
                        status,
                        when.isoformat(timespec="seconds"),
                        duration_s,
                        json.dumps(report) if report else None,
                        session_id,
                    ),
                )
            ]
        )

    def delete_session(self, session_id: int) -> None:
        self._write(
            [
                (f"DELETE FROM {table} WHERE {key} = ?", (session_id,))
                for table, key in (("reps", "session_id"), ("faults", "session_id"), ("sessions", "id"))
            ]
        )

    def set_mine(self, session_ids: Sequence[int], mine: bool = True) -> None:
        """Count sessions as the user's own exercise (a review of a video of them), or not."""
        for sid in session_ids:
            self.session(sid)  # a clear error for an id that is not there
        self._write([("UPDATE sessions SET mine = ? WHERE id = ?", (int(mine), sid)) for sid in session_ids])

    def set_pain(self, session_ids: Sequence[int], pain: int | None) -> None:
        """The back pain (0-10) the user gave at the end of these sessions (None: skipped)."""
        if pain is not None and not 0 <= int(pain) <= 10:
            raise HistoryError(f"back pain is 0 to 10, not {pain}")
        self._write(
            [
                ("UPDATE sessions SET pain = ? WHERE id = ?", (None if pain is None else int(pain), sid))
                for sid in session_ids
            ]
        )

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
        self,
        exercise: str | None = None,
        *,
        since: date | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        mine_only: bool = False,
    ) -> list[SessionRow]:
        where, params = [], []
        if mine_only:
            where.append("s.mine = 1")
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
                "seen": None if r["seen"] is None else bool(r["seen"]),
            }
            for r in rows
        ]

    def faults(self, session_id: int) -> list[dict[str, Any]]:
        with self._errors():
            rows = self.db.execute(
                "SELECT * FROM faults WHERE session_id = ? ORDER BY start_s", (session_id,)
            ).fetchall()
        return [{"id": r["fault"], "message": r["message"], "start_s": r["start_s"], "end_s": r["end_s"]} for r in rows]

    def report(self, session_id: int) -> dict[str, Any] | None:
        with self._errors():
            row = self.db.execute("SELECT report FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no session {session_id} in the history at {self.path}")
        return json.loads(row[0]) if row[0] else None

    def results(self, exercise: Exercise) -> list[progression.SessionResult]:
        """Every session of the exercise, oldest first, as progression sees it (a set the user
        chose to redo is left out: it stopped for a reason other than the reps; so is a review
        that is not the user's own exercise)."""
        with self._errors():
            rows = self.db.execute(
                "SELECT r.session_id, r.side, r.counted, r.faults FROM reps r JOIN sessions s ON s.id = r.session_id"
                " WHERE s.exercise = ? AND s.status != 'redone' AND s.mine = 1 ORDER BY r.session_id, r.idx",
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
            mine=bool(r["mine"]),
            pain=r["pain"],
        )
