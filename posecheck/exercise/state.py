"""What leaves the engine: its state after each frame, the events, the reps and fault spans.

Plain dataclasses with no behaviour, read by the session's flow, the coach and the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Signals = dict[str, float | None]


@dataclass
class Rep:
    index: int
    side: str | None
    start_s: float
    end_s: float | None = None
    hold_start_s: float | None = None
    hold_end_s: float | None = None
    hold_s: float = 0.0
    counted: bool = False
    faults: list[str] = field(default_factory=list)
    # achieved hold per hold phase (a rep may have several, e.g. arch then flatten)
    holds: dict[str, float] = field(default_factory=dict)
    guided: bool = False  # paced by the coach (live), not seen
    # a guided exercise watched for its movement (exercise/seen.py): the movement taken from the picture at
    # every frame of the rep; None for an exercise that is not watched
    seen: bool | None = None
    # faults that matter in a position this rep visited but that the camera cannot see there
    faults_unseen: list[str] = field(default_factory=list)


@dataclass
class FaultSpan:
    id: str
    message: str
    start_s: float
    end_s: float | None = None
    rep: int | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened at t_s. kind is one of:
    phase, hold_started, hold_complete, hold_short, rep, fault_started, fault_ended,
    setup, tracking_lost, tracking_back, baseline, set_complete."""

    t_s: float
    kind: str
    text: str = ""
    phase: str | None = None
    fault: str | None = None
    rep: Rep | None = None


@dataclass(frozen=True)
class EngineState:
    t_s: float
    tracking: bool
    started: bool
    setup_ok: bool
    setup_message: str
    phase: str | None
    instruction: str
    side: str | None
    next_side: str | None
    round: int
    reps_counted: int
    reps_attempted: int
    target: int
    hold_s: float
    hold_target_s: float
    in_hold: bool  # in a hold phase of a rep
    holding: bool  # the hold timer is running now
    hold_done: bool
    faults: tuple[str, ...]
    fault_message: str
    values: Signals
    set_complete: bool
    # reps counted on each side, in the order the exercise's phases name the sides
    side_counts: tuple[tuple[str, int], ...] = ()
    # a guided exercise ([guided]): how its movement is followed now. "seen": taken from the
    # picture; "checking": measuring whether it can be (lie still); "paced": not seen, the
    # coach paces it (live); "unseen": not seen, not counted (a review); "" otherwise
    guided: str = ""
