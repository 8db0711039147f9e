"""The set's progress: reps counted on each side, rounds done, and whether the target is met."""

from __future__ import annotations

from posecheck.exercise.definition import Reps


class Tally:
    """`add` each counted rep's side; `done` and `next_side` read the progress."""

    def __init__(self, reps: Reps, target: int) -> None:
        self._reps = reps
        self.target = target
        self.round = 1
        self.side_counts: dict[str, int] = {}
        self._round_done: set[str] = set()

    def add(self, side: str) -> None:
        """A rep counted on this side (the person's own)."""
        self.side_counts[side] = self.side_counts.get(side, 0) + 1
        if self._reps.counting == "rounds":
            self._round_done.add(side)
            if set(self._reps.rounds) <= self._round_done:
                self._round_done = set()
                self.round += 1

    def done(self, sides: list[str], counted: int) -> bool:
        """Whether the target is met (`sides`: those the exercise counts; `counted`: all reps)."""
        if self._reps.counting == "rounds":
            return self.round - 1 >= self.target
        if self._reps.counting == "each_side":
            return bool(sides) and all(self.side_counts.get(s, 0) >= self.target for s in sides)
        return counted >= self.target

    def next_side(self, sides: list[str]) -> str | None:
        """The side the next rep is for (None when any will do)."""
        if self._reps.counting == "rounds":
            return next((s for s in self._reps.rounds if s not in self._round_done), None)
        if self._reps.counting == "each_side":
            return min(sides, key=lambda s: self.side_counts.get(s, 0), default=None)
        return None
