"""Seeing a guided movement after all: a signal trusted only when it stands out of its own noise.

A guided exercise's phases (the pelvic tilt's arch and flatten) move the body too little for
the landmarks. An image signal (the lower belly's outline, exercises/pelvic_tilt.toml) may
still show them, depending on the person, the camera and the light. So the signal is
trusted per person: while they lie still in the start position its frame-to-frame noise is
measured, and the guided phases are recognised from it only while `noise_factor` noise
widths fit inside the phases' threshold (`tilt_torso_len`), that threshold spans
`min_tilt_px` pixels, and a movement each way has been held `practice_factor` times past it
(the first rep, paced live, is the practice; nothing is learnt while a fault's condition holds).
Otherwise the signal reads 0 (nothing seen) and the exercise stays guided. The phases read
the signal's median over `smooth_s`: a held tilt's outline can jump between pixel rows. When it
jumps too often (over `max_unsteady_share` of the steps between frames in the holds, once
`unsteady_after_s` of holds are watched), no median times the hold: trust is withdrawn for good.
So it is when `max_one_way` tilts in a row, read from the picture with the reading back inside
the bound between them, all go the same way: a picture that shows the arch but no longer the
flatten (the real close clip, filmed farther away: its flattens read as rest) cannot count
reps that need both, and would read each arch as a rep begun and never finished.

The signal is taken against where this person rests: the median of their outline over their
first `rest_window_s` settled in the start position (measured again when they move, which
moves the line the outline is read over). A body's arch and flatten are seldom the same size
(a render's arch moves the outline 0.027 torso lengths, its flatten 0.016; the real close clip
the other way round), so the middle between them lies off the rest and reads as a tilt. Until the
person has settled that long (someone who flows from arch to flatten without pausing), the
signal is taken against their middle: halfway between the highest and the lowest it has been
over the last `centre_window_s`.

What a picture shows is the picture's: when the recording changes camera (`new_view`), its
noise, the rest and the practice are learnt again in the new one (a first view's arch and a
second view's jump at the cut once made a practice, and a picture that never showed a tilt was
trusted), and a review's first reading's trust holds only in the view it was reached in.

Pure: numbers in, numbers out.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from statistics import median
from typing import Protocol

from pydantic import Field

from posecheck.exercise.conditions import Condition, StrictModel
from posecheck.exercise.state import Signals


class _Phase(Protocol):  # definition.Phase, as the gate reads it (definition imports this module)
    @property
    def guided(self) -> bool: ...

    @property
    def when(self) -> Sequence[Condition]: ...


# The median absolute difference of white noise is 0.6745 sigma; successive differences
# carry the noise twice: sigma = median|dv| / (0.6745 * sqrt(2)).
_MAD_TO_SIGMA = 1.0 / (0.6745 * math.sqrt(2.0))
# Frames further apart than this are not successive (a dropout, a pause out of position).
_MAX_STEP_S = 0.25
# The signals carry the body's size in the picture under this key (exercise/signals.py).
TORSO_PX_KEY = "torso_px"
# ...and, for a signal read over an anchored line, how many times the line was placed (it moves
# with the person: readings over the old line do not compare with the new)
LINE_KEY = "line_placed"


class Anchoring(StrictModel):
    """A mask signal's line a-b taken where it lay in the start position (signals.Anchor): the
    median of its first `window_s`, moved only when the median of its last `window_s` has left
    it by more than `shift_torso_len` at either end (the person moved, not a tilt)."""

    window_s: float = Field(gt=0, le=600)
    shift_torso_len: float = Field(gt=0)


class Seen(StrictModel):
    """The guided phases are recognised from `signal` when its still-noise allows."""

    signal: str
    noise_window_s: float = Field(gt=0)  # lying still this long measures the noise
    centre_window_s: float = Field(gt=0)  # the person's middle: halfway between their extremes over this long
    # settled in the start position this long measures where the person rests (the reference);
    # a movement passing through the start position is shorter
    rest_window_s: float = Field(gt=0)
    noise_factor: float = Field(ge=1)  # a tilt must stand this many noise widths from the middle
    tilt_torso_len: float = Field(gt=0)  # the guided phases' threshold from the middle (their conditions')
    # ...and that threshold must span this many pixels of the picture: the mask's outline
    # wanders a pixel or so over seconds (shading, clothing, the model's own resolution),
    # which its frame-to-frame noise does not show. A far or low-resolution camera fails here.
    min_tilt_px: float = Field(gt=0)
    # A review counts from the picture only when it was trusted this long in position: a
    # moment of confidence (the noise dipping under the bound once) is no evidence of a tilt seen.
    min_seen_s: float = Field(gt=0)
    # The practice (a first tilt) must reach this many times the bound: a tilt whose widest barely
    # crosses it is timed where the noise flips it in and out, so its holds cannot be trusted.
    practice_factor: float = Field(ge=1)
    # ...held that far over this long (its median): an outline flickering at an edge reaches it for a frame
    practice_window_s: float = Field(gt=0)
    smooth_s: float = Field(gt=0)  # the phases read the median of the signal over this long
    # Trust is withdrawn (for the session) when, over at least `unsteady_after_s` of holds, more
    # than this share of the frame-to-frame steps of the signal exceed the bound: an outline
    # jumping between pixel rows while the body holds still cannot time a hold.
    max_unsteady_share: float = Field(gt=0, le=1)
    unsteady_after_s: float = Field(gt=0)
    # Trust is withdrawn (for the session) when this many tilts in a row, read from the picture,
    # go the same way: one way is no longer seen (every set alternates, or repeats a way twice
    # at most: arch-flatten then flatten-arch)
    max_one_way: int = Field(ge=3)


class SeenGate:
    """Follows one signal's still-noise and middle; says whether it can be trusted now."""

    def __init__(self, seen: Seen, phases: Sequence[_Phase] = ()) -> None:
        self.seen = seen
        # the seen phases' other conditions (lying, the hips down): a movement of the outline is
        # a tilt only where one of them holds (a bridge rising sweeps the outline both ways
        # before its fault is said: it was taken for the practice, and its good tilts, too
        # small to see, were read as rest)
        self._poses = [[c for c in p.when if c.signal != seen.signal] for p in phases if p.guided]
        # ...and their conditions on the signal itself: which way a tilt read from the picture goes
        self._ways = [[c for c in p.when if c.signal == seen.signal] for p in phases if p.guided]
        self.one_sided = False  # too many tilts in a row went one way: trust withdrawn
        # the steps read while the engine held a tilt from the picture: how long, how many, how many over the bound
        self.held_s, self._held_steps, self._held_jumps = 0.0, 0, 0
        self.unsteady = False  # the outline jumped too often in the holds: trust withdrawn
        self.first_confident_s: float | None = None
        self.noise_when_first_confident: float | None = None
        self.view_s: float | None = None  # where the camera view read now began (None: the first)
        self.view_when_first_confident: float | None = None
        # a review's reading again from the start (prime): the noise and the practice its first
        # reading found, and the view it found them in
        self._prime_noise: float | None = None
        self._primed_view_s: float | None = None
        self.primed_from_s: float | None = None
        self.read = False  # this frame's value was taken from the picture (confident, and read)
        # For reports, in pixels so a therapist can judge: the widest the signal moved either
        # side of its middle while in position, the body's size then, how long it was watched.
        self.largest_tilt = 0.0
        self.torso_px = 0.0
        self._last_t: float | None = None
        self.placed_s = 0.0  # in position, with the signal read
        self.seen_s = 0.0  # ...and trusted
        self._learn_view()

    def _learn_view(self) -> None:
        """What the picture shows of this person, learnt from nothing: at the start, and again
        at a cut (new_view)."""
        self._recent: deque[tuple[float, float]] = deque()  # every reading, for the middle
        self._steps: deque[tuple[float, float]] = deque()  # |change| between successive still frames
        self._still_s = 0.0  # how long the person has been seen lying still (to the noise window)
        self._last_still: tuple[float, float] | None = None
        self._rest_run: deque[tuple[float, float]] = deque()  # this stay settled in the start position
        self.rest: float | None = None  # where the person rests, once measured
        self._line: float | None = None  # which placing of the signal's line readings are over
        self.noise: float | None = None  # the signal's noise (one sigma) while still
        self.confident = False
        # a movement each way reached the bound while the camera could see it (or primed for this view)
        self.practised = self._primed_noise is not None
        self._practice: set[bool] = set()  # the ways (True: +) a movement has reached it so far
        self._swings: deque[tuple[float, float]] = deque()  # the last practice window's swings
        self._smooth: deque[tuple[float, float]] = deque()  # the last smooth_s of readings
        self._held: tuple[float, float] | None = None  # the last reading in a hold (t, v)
        self._placed: deque[tuple[float, float]] = deque()  # in position, for the report's widest tilt
        self._way: int | None = None  # the way (a seen phase's index) the reading goes now
        self._last_way: int | None = None  # ...and the last it went
        self.one_way = 0  # tilts in a row that went that way

    def posed(self, values: Mapping[str, float | None]) -> bool:
        """The body is where a seen phase could be, bar the watched signal (no phases: anywhere)."""
        return not self._poses or any(all(c.holds(values.get(c.signal), True) for c in p) for p in self._poses)

    @property
    def measured(self) -> bool:
        """The still-noise has been measured (the person lay still long enough), here or by
        a first pass over the same recording (prime)."""
        return self._primed_noise is not None or (self.noise is not None and self._still_s >= self.seen.noise_window_s)

    @property
    def _primed_noise(self) -> float | None:
        """The first reading's noise, while the view it came to trust the picture in is read."""
        return self._prime_noise if self.view_s == self._primed_view_s else None

    def _noise_now(self) -> float:
        """The noise judged against: the first reading's when primed (the noise it came to trust
        the picture at: before that trust this reading's own would be measured over tilts the
        engine cannot yet see, as the first reading's was), else this reading's own."""
        if self._primed_noise is not None:
            return self._primed_noise
        return self.noise or 0.0

    def prime(self, first_pass: SeenGate) -> None:
        """A review sees the whole recording: when a first reading of it came to trust the
        picture (the noise measured lying still, a first tilt reaching the bound), a reading
        again from the start begins with that noise and practice, so the tilts before that
        moment are read too (the first is the practice, live). Nothing changes when it never
        did (session/review.py reads again only when it did)."""
        if first_pass.noise_when_first_confident is None:
            return
        self._prime_noise = first_pass.noise_when_first_confident
        self.primed_from_s = first_pass.first_confident_s
        self._primed_view_s = first_pass.view_when_first_confident
        self.practised = self._primed_noise is not None  # a later view is primed when it begins

    def new_view(self, t: float) -> None:
        """The recording changed camera at t: what the last picture showed of this person (the
        noise, the rest, the middle, the practice) is learnt again in this one; a review primed
        by a first reading that came to trust this view starts trusting it here."""
        self.view_s = t
        self._learn_view()

    def apply(
        self, t: float, signals: Signals, still: bool, in_position: bool = True, holding: bool = False
    ) -> Signals:
        """The signals with the watched one taken against the person's middle when it can be
        trusted, and 0 (nothing seen) when not; `still`: settled in the start position;
        `in_position`: in one of the exercise's positions and `posed` (counted in the report's figures);
        `holding`: the engine is timing a hold (of a phase read from this signal, when trusted)."""
        name = self.seen.signal
        v = signals.get(name)
        out = dict(signals)
        dt = 0.0 if self._last_t is None else min(max(0.0, t - self._last_t), _MAX_STEP_S)
        self._last_t = t
        self.read = False
        if v is None:  # no outline this frame: nothing seen
            self._last_still = self._held = None
            out[name] = 0.0
            return out
        torso_px = signals.get(TORSO_PX_KEY) or 0.0
        line = signals.get(LINE_KEY)
        if line != self._line:
            # the line the signal is read over was placed again (signals.Anchor: the person
            # moved): readings over the old line do not compare with the new
            self._line = line
            self.rest = None
            self._recent.clear()
            self._smooth.clear()
            self._placed.clear()
            self._rest_run.clear()
            self._held = None
        self._watch_hold(t, v, holding and self.confident)
        self._recent.append((t, v))
        while self._recent[0][0] < t - self.seen.centre_window_s:
            self._recent.popleft()
        if still:
            self._learn_rest(t, v)
            self._learn_noise(t, v)
        else:
            self._last_still = None
            self._rest_run.clear()
        could = (
            self.measured
            and self.seen.noise_factor * self._noise_now() <= self.seen.tilt_torso_len
            and self.seen.tilt_torso_len * torso_px >= self.seen.min_tilt_px
        )
        swing = self._follow_tilt(t, v) if in_position else 0.0
        # ...and a first movement each way in position has reached the bound while it could be
        # seen: a camera that could see a tilt this big is not yet evidence that this person's
        # tilt is (a subtle tilter would read "seen, nothing counted" instead of guided), and
        # one that sees the arch may not see the flatten (a render at 18 degrees: the flatten
        # left the outline where it rests, and its good rep read as an arch alone)
        # (held: the median over `practice_window_s`, so a flickering outline's spikes are no tilt)
        held = self._held_swing(t, swing) if in_position else 0.0
        if could and abs(held) >= self.seen.practice_factor * self.seen.tilt_torso_len:
            self._practice.add(held > 0)
        self.practised = self.practised or len(self._practice) == 2
        self.confident = could and self.practised and not self.withdrawn
        if self.confident and self.first_confident_s is None:
            self.first_confident_s = t
            self.noise_when_first_confident = self._noise_now()
            self.view_when_first_confident = self.view_s
        self.read = self.confident
        reading = self._smoothed(t, v) - self._reference() if self.confident else 0.0
        if self.confident and in_position:
            self._follow_ways(reading)
        if in_position:
            self.torso_px = torso_px
            self.placed_s += dt
            self.seen_s += dt if self.confident else 0.0
        out[name] = reading
        return out

    def _follow_ways(self, reading: float) -> None:
        """Which way the reading goes, by the seen phases' own bounds on it; a tilt the same way
        as the last (the reading back inside the bound between them) lengthens the run, and
        `max_one_way` of them withdraw trust for good."""
        now = self._way
        if now is not None and not all(c.holds(reading, True) for c in self._ways[now]):
            now = None
        if now is None:
            now = next((i for i, cs in enumerate(self._ways) if cs and all(c.holds(reading, False) for c in cs)), None)
            if now is not None:  # a tilt begins
                self.one_way = self.one_way + 1 if now == self._last_way else 1
                self._last_way = now
                self.one_sided = self.one_sided or self.one_way >= self.seen.max_one_way
        self._way = now

    @property
    def withdrawn(self) -> bool:
        """Trust withdrawn for good: the outline jumped too often in the holds, or the tilts
        went one way only (a review then counts nothing: session/review.py)."""
        return self.unsteady or self.one_sided

    def _watch_hold(self, t: float, v: float, holding: bool) -> None:
        """Counts the steps between successive readings while a tilt read from the picture is
        held, and those over the bound; past `unsteady_after_s` of them, too many over it
        withdraws trust for good (a review then counts nothing: session/review.py)."""
        last, self._held = self._held, (t, v) if holding else None
        if not holding or last is None or not 0.0 < t - last[0] <= _MAX_STEP_S:
            return
        self.held_s += t - last[0]
        self._held_steps += 1
        self._held_jumps += abs(v - last[1]) > self.seen.tilt_torso_len
        share = self.unsteady_share or 0.0
        self.unsteady = self.unsteady or (
            self.held_s >= self.seen.unsteady_after_s and share > self.seen.max_unsteady_share
        )

    @property
    def unsteady_share(self) -> float | None:
        """The share of steps over the bound in the holds so far (None before any)."""
        return self._held_jumps / self._held_steps if self._held_steps else None

    def _reference(self) -> float:
        """Where the tilt is read from: the rest once measured, else the middle of the last
        `centre_window_s` (only then worth the pass over those readings)."""
        if self.rest is not None:
            return self.rest
        values = [x for _, x in self._recent]
        return (min(values) + max(values)) / 2.0

    def _smoothed(self, t: float, v: float) -> float:
        """The signal as the phases read it: the median of its last `smooth_s` (the mask's
        outline flickers between pixel rows, and a held tilt read frame by frame moves)."""
        recent = self._smooth
        if recent and not 0.0 < t - recent[-1][0] <= _MAX_STEP_S:
            recent.clear()
        recent.append((t, v))
        while recent[0][0] <= t - self.seen.smooth_s:
            recent.popleft()
        return median(x for _, x in recent)

    def _learn_rest(self, t: float, v: float) -> None:
        """Where the person rests: the median of their outline over the last `rest_window_s` of
        the first stay settled in the start position that lasts that long. Kept until the
        signal's line moves (the person moved): then measured again in the next such stay. Not
        followed stay by stay: a flatten too small to leave the start position (a render's:
        0.009 torso lengths) would become the rest."""
        run = self._rest_run
        if run and not 0.0 < t - run[-1][0] <= _MAX_STEP_S:
            run.clear()
        run.append((t, v))
        while run[0][0] < t - self.seen.rest_window_s:
            run.popleft()
        if self.rest is None and run[-1][0] - run[0][0] >= self.seen.rest_window_s - 1e-9:
            self.rest = median(x for _, x in run)

    def _held_swing(self, t: float, swing: float) -> float:
        """The swing held over the last `practice_window_s` (its median)."""
        recent = self._swings
        recent.append((t, swing))
        while recent[0][0] < t - self.seen.practice_window_s:
            recent.popleft()
        return median(x for _, x in recent)

    def _follow_tilt(self, t: float, v: float) -> float:
        """How far, and which way, the signal now stands from where the person rests (until
        that is measured, the middle of their in-position values); the widest either side of
        that middle is kept for the report."""
        self._placed.append((t, v))
        while self._placed[0][0] < t - self.seen.centre_window_s:
            self._placed.popleft()
        values = [x for _, x in self._placed]
        self.largest_tilt = max(self.largest_tilt, (max(values) - min(values)) / 2.0)
        return v - (self.rest if self.rest is not None else (max(values) + min(values)) / 2.0)

    @property
    def ever_confident(self) -> bool:
        return self.first_confident_s is not None

    @property
    def established(self) -> bool:
        """The picture was trusted long enough, in position, for a review to count from it."""
        return self.seen_s >= self.seen.min_seen_s

    def figures(self) -> dict[str, str | float | None]:
        """What the gate measured, in pixels of the picture (the body's size when last in
        position), for a report: a therapist can judge whether the movement was seen."""

        def px(x: float | None) -> float | None:
            return None if x is None or not self.torso_px else round(x * self.torso_px, 2)

        s = self.seen
        return {
            "signal": s.signal,
            "torso_px": round(self.torso_px, 1),
            # the frame-to-frame noise lying still (one sigma), last measured (or the first pass's)
            "noise_px": px(self._primed_noise if self._primed_noise is not None else self.noise),
            "tilt_px": px(self.largest_tilt),  # the widest movement either side of the middle, in position
            "bound_px": px(s.tilt_torso_len),  # a movement this far from the middle is recognised
            "noise_factor": s.noise_factor,  # ...when it spans this many noise widths
            "min_bound_px": s.min_tilt_px,  # ...and this many pixels
            "in_position_s": round(self.placed_s, 2),
            "seen_s": round(self.seen_s, 2),  # of which the movement was taken from the picture
            "min_seen_s": s.min_seen_s,  # ...and this long makes a review count from the picture
            "first_seen_s": None if self.first_confident_s is None else round(self.first_confident_s, 3),
            # ways (up, down) a movement was held practice_factor bounds past it: the practice needs both
            "practice_ways": len(self._practice),
            # in the holds timed from the picture: the share of frame-to-frame steps over the bound,
            # and the share over which trust was withdrawn (`unsteady`)
            "held_s": round(self.held_s, 2),
            "unsteady_share": None if self.unsteady_share is None else round(self.unsteady_share, 3),
            "max_unsteady_share": s.max_unsteady_share,
            "unsteady": self.unsteady,
            # tilts in a row the same way, read from the picture: this many withdraw trust
            "one_way": self.one_way,
            "max_one_way": s.max_one_way,
            "one_sided": self.one_sided,
            # a review's: where its first pass came to trust the picture (the practice tilt),
            # from which the whole recording was read (None: read in one pass, as live)
            "trusted_from_s": None if self.primed_from_s is None else round(self.primed_from_s, 3),
        }

    def _learn_noise(self, t: float, v: float) -> None:
        last = self._last_still
        self._last_still = (t, v)
        if last is None or not 0.0 < t - last[0] <= _MAX_STEP_S:
            return
        self._still_s += t - last[0]
        self._steps.append((t, abs(v - last[1])))
        # the noise follows the last centre window of still frames (light and pose change)
        while self._steps[0][0] < t - self.seen.centre_window_s:
            self._steps.popleft()
        self.noise = _MAD_TO_SIGMA * median(d for _, d in self._steps)
