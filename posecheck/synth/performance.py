"""Performances: scripts of keyframe poses with durations, and the truth they imply.

A performance is a list of keys. Each key is a pose (posture parameters), reached from the
previous key in `move_s` seconds (eased in and out, or at a constant speed) and held for
`hold_s` seconds. A small breathing sway is added all the time. Reps are marked on the keys
as they are added, so the rep and fault times are exact by construction:

- start_s: the rep leaves the rest pose; hold_start_s: the (first) target is reached;
  hold_end_s: the (last) target starts to be left; end_s: back at rest.
- hold_s achieved: the target hold; for reps with two end positions (pelvic tilt: arch and
  flat; cat-cow: cat and cow) the shorter of the two.
- counted: achieved hold >= the prescribed hold and no fault in the rep.
- a fault's span: from the middle of the move into the first key that shows it to the
  middle of the move out of the last one; `too_fast` spans its whole rep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posecheck.synth import poses as P

EASE_MIN_S = 1e-6


@dataclass
class Key:
    pose: dict
    move_s: float
    hold_s: float
    label: str
    faults: tuple = ()
    linear: bool = False  # constant speed (walking) instead of eased
    # filled by Performance.timing()
    arrive: float = 0.0
    depart: float = 0.0


@dataclass
class Rep:
    side: str | None
    first: int  # index of the first key after leaving rest
    last: int  # index of the key back at rest
    targets: list[int]  # keys that are end positions (holds)
    rep_faults: tuple = ()
    target_labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Bump:
    """A brief movement of one parameter and back (a nod), added over whatever is keyed:
    a raised cosine of `amp` from start_s to start_s + dur_s. Not a rep, not a fault."""

    param: str
    start_s: float
    dur_s: float
    amp: float

    def at(self, t: float) -> float:
        u = (t - self.start_s) / self.dur_s
        return 0.0 if not 0.0 < u < 1.0 else self.amp * 0.5 * (1.0 - np.cos(2 * np.pi * u))


@dataclass
class Performance:
    """A scripted performance in one posture, and the truth of its reps."""

    exercise: str
    posture: str
    rest: dict
    hold_s: float  # the prescribed hold
    tempo: float = 1.0
    keys: list[Key] = field(default_factory=list)
    reps: list[Rep] = field(default_factory=list)
    sway_phase: float = 0.0
    sway_gain: float = 1.0  # breathing sway, times P.SWAY's amplitudes
    bumps: list[Bump] = field(default_factory=list)  # nods and glances over the keyed pose

    def __post_init__(self):
        if not self.keys:
            self.keys.append(Key(dict(self.rest), 0.0, 0.0, "A"))

    # -- building ------------------------------------------------------------------------------
    def go(self, pose: dict, move_s: float, hold_s: float, label: str, faults=(), linear=False) -> int:
        """Append a key (pose merged over the rest pose); move time is divided by the tempo."""
        full = {**self.rest, **pose}
        self.keys.append(Key(full, move_s / self.tempo, hold_s, label, tuple(faults), linear))
        return len(self.keys) - 1

    def wait(self, seconds: float, label: str | None = None) -> None:
        """Stay in the current pose."""
        last = self.keys[-1]
        if label is None or label == last.label:
            last.hold_s += seconds
        else:
            self.keys.append(Key(dict(last.pose), 0.0, seconds, label, last.faults))

    def rep(
        self,
        side: str | None,
        phases: list[tuple],
        back_s: float,
        faults=(),
        rep_faults=(),
        back_label: str = "A",
        rest_hold_s: float = 0.0,
    ) -> Rep:
        """One rep from the current (rest) pose: phases are (label, pose, move_s, hold_s,
        is_target[, faults of this phase]); `faults` apply to every phase. Then back to the
        pose the rep started from (with its setup faults) in back_s."""
        start_pose = self.keys[-1].pose
        start_faults = self.keys[-1].faults
        first = len(self.keys)
        targets = []
        for label, pose, move_s, hold_s, is_target, *own in phases:
            i = self.go(pose, move_s, hold_s, label, tuple(faults) + tuple(own[0] if own else ()))
            if is_target:
                targets.append(i)
        last = len(self.keys)
        self.keys.append(Key(dict(start_pose), back_s / self.tempo, rest_hold_s, back_label, start_faults))
        rep = Rep(side, first, last, targets, tuple(rep_faults), [phases[t - first][0] for t in targets])
        self.reps.append(rep)
        return rep

    # -- timing --------------------------------------------------------------------------------
    def timing(self) -> float:
        t = 0.0
        for k in self.keys:
            k.arrive = t + k.move_s
            k.depart = k.arrive + k.hold_s
            t = k.depart
        return t

    @property
    def duration(self) -> float:
        return self.timing()

    def pose_at(self, t: float) -> tuple[dict, str]:
        """Pose parameters and phase label at time t (seconds from the start)."""
        keys = self.keys
        i = int(np.searchsorted([k.depart for k in keys], t, side="left"))
        i = min(i, len(keys) - 1)
        k = keys[i]
        if t >= k.arrive or i == 0:
            pose, label = dict(k.pose), k.label
        else:
            prev = keys[i - 1]
            u = (t - prev.depart) / max(k.move_s, EASE_MIN_S)
            w = u if k.linear else 0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0, 1))
            pose = {n: (1 - w) * prev.pose[n] + w * k.pose[n] for n in k.pose}
            label = f"{prev.label}>{k.label}"
        for name, (amp, period) in P.SWAY.get(self.posture, {}).items():
            if name in pose:
                pose[name] += self.sway_gain * amp * np.sin(2 * np.pi * t / period + self.sway_phase)
        for bump in self.bumps:
            if bump.param in pose:
                pose[bump.param] += bump.at(t)
        return pose, label

    # -- truth ---------------------------------------------------------------------------------
    def truth_reps(self) -> tuple[list[dict], list[dict]]:
        """(reps, faults) in the report's shape; times rounded to the millisecond."""
        self.timing()
        keys = self.keys
        r3 = lambda x: round(float(x), 3)  # noqa: E731
        spans = self._fault_spans()
        reps = []
        for n, rep in enumerate(self.reps, start=1):
            start = keys[rep.first - 1].depart
            end = keys[rep.last].arrive
            holds = [(keys[i].label, keys[i].arrive, keys[i].depart) for i in rep.targets]
            achieved = min(b - a for _, a, b in holds) if holds else 0.0
            names = set()
            for i in range(rep.first - 1, rep.last + 1):
                names.update(keys[i].faults)
            # a setup fault present only in the rest before/after the rep does not belong to it
            names = {f for f in names if any(s["start_s"] < end and s["end_s"] > start for s in spans if s["id"] == f)}
            names.update(rep.rep_faults)
            entry = {
                "index": n,
                "side": rep.side,
                "start_s": r3(start),
                "hold_start_s": r3(holds[0][1]) if holds else r3(start),
                "hold_end_s": r3(holds[-1][2]) if holds else r3(end),
                "end_s": r3(end),
                "hold_s": r3(achieved),
                "counted": bool(achieved >= self.hold_s - 1e-9 and not names),
                "faults": sorted(names),
            }
            if len(holds) > 1:
                entry["phase_order"] = [h[0] for h in holds]
                entry["holds"] = [{"phase": h[0], "start_s": r3(h[1]), "end_s": r3(h[2])} for h in holds]
            reps.append(entry)
        for rep, entry in zip(self.reps, reps, strict=True):
            for f in rep.rep_faults:
                spans.append({"id": f, "start_s": entry["start_s"], "end_s": entry["end_s"]})
        spans.sort(key=lambda s: (s["start_s"], s["id"]))
        return reps, [{k: (r3(v) if k != "id" else v) for k, v in s.items()} for s in spans]

    def _fault_spans(self) -> list[dict]:
        keys = self.keys
        spans = []
        names = sorted({f for k in keys for f in k.faults})
        for f in names:
            i = 0
            while i < len(keys):
                if f not in keys[i].faults:
                    i += 1
                    continue
                j = i
                while j + 1 < len(keys) and f in keys[j + 1].faults:
                    j += 1
                start = keys[i].arrive - 0.5 * keys[i].move_s
                end = keys[j].depart + 0.5 * keys[j + 1].move_s if j + 1 < len(keys) else keys[j].depart
                spans.append({"id": f, "start_s": start, "end_s": end})
                i = j + 1
        return spans

    def phase_names(self) -> list[str]:
        names: list[str] = []
        for i, k in enumerate(self.keys):
            if i > 0:
                move = f"{self.keys[i - 1].label}>{k.label}"
                if move not in names:
                    names.append(move)
            if k.label not in names:
                names.append(k.label)
        return names
