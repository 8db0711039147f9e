"""The history file's schema, as the steps that build it: MIGRATIONS[i] takes a file from
version i to i + 1 (PRAGMA user_version); version 0 is an empty file.
"""

from __future__ import annotations

from collections.abc import Iterator

from posecheck.records.sessions import EVENING_FROM_HOUR

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
    # 3: whether a session is the user's own exercise (a live one is; a review is only when
    # the user says so: a demo or someone else's video must not make a streak or a target);
    # the back pain the user gave at its end, 0-10 (NULL: not asked or skipped)
    """
    ALTER TABLE sessions ADD COLUMN mine INTEGER NOT NULL DEFAULT 1;
    UPDATE sessions SET mine = 0 WHERE kind = 'review';
    ALTER TABLE sessions ADD COLUMN pain INTEGER CHECK (pain BETWEEN 0 AND 10);
    """,
    # 4: whether a rep of a watched guided movement (the pelvic tilt) was taken from the
    # picture throughout (NULL: the exercise is not watched, or the rep came before)
    """
    ALTER TABLE reps ADD COLUMN seen INTEGER;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> Iterator[str]:
    """A migration script's statements (no `;` inside strings in ours)."""
    for stmt in script.split(";"):
        lines = [line.split("--", 1)[0] for line in stmt.splitlines()]
        text = "\n".join(lines).strip()
        if text:
            yield text
