"""Sessions as the history gives them back, and what they add up to day by day: morning
and evening adherence, streaks. Pure: rows in, days out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

# The page asks for the routine morning and evening: a session that starts before this
# hour (local time) is the morning one, from it on the evening one.
EVENING_FROM_HOUR = 14


def time_of_day(when: datetime) -> str:
    return "morning" if when.hour < EVENING_FROM_HOUR else "evening"


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
    mine: bool = True  # the user's own exercise (live, or a review the user said is theirs)
    pain: int | None = None  # back pain 0-10 given at its end; None: not asked or skipped

    @property
    def counts(self) -> bool:
        """Whether it counts as having exercised: the user's own, with a rep counted."""
        return self.mine and self.reps_counted > 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["started_at"] = self.started_at.isoformat(timespec="seconds")
        d["day"] = self.day.isoformat()
        return d


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


def pain_by_day(rows: Sequence[SessionRow]) -> list[tuple[date, int]]:
    """The back pain the user gave, one value a day (the day's last answer), oldest first."""
    out: dict[date, int] = {}
    for r in sorted(rows, key=lambda r: r.started_at):
        if r.mine and r.pain is not None:
            out[r.day] = r.pain
    return sorted(out.items())


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
