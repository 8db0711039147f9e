"""The therapist's page on a guided movement watched in the picture (exercise/seen.py): what
the camera measured, in pixels, and whether each rep was counted from what it saw."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict


class SeenFigures(BaseModel):
    """A report's `seen`: the gate's figures (SeenGate.figures), those read here checked."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    signal: str
    torso_px: float
    noise_px: float | None = None
    tilt_px: float | None = None
    bound_px: float | None = None
    noise_factor: float
    min_bound_px: float
    in_position_s: float = 0.0
    seen_s: float = 0.0
    min_seen_s: float | None = None  # reports before it: none
    first_seen_s: float | None = None
    practice_ways: int | None = None  # ways (up, down) a movement was held far enough past the bound; older: none
    # in the holds read from the picture, the share of frame-to-frame steps over the bound; over
    # max_unsteady_share the picture was found too unsteady to time them (older reports: none)
    unsteady_share: float | None = None
    max_unsteady_share: float | None = None
    unsteady: bool = False
    # tilts in a row the same way read from the picture; max_one_way of them withdrew trust (older: none)
    one_way: int | None = None
    max_one_way: int | None = None
    one_sided: bool = False

    @property
    def withdrawn(self) -> bool:
        """Trusted, then no longer (for good)."""
        return self.unsteady or self.one_sided

    @property
    def too_brief(self) -> bool:
        """Trusted, but for less time than a review needs to count from the picture."""
        return self.first_seen_s is not None and self.min_seen_s is not None and self.seen_s < self.min_seen_s


def px_text(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} px" if abs(x) < 1 else f"{x:.1f} px"


def _why_not(f: SeenFigures) -> str:
    """Why the movement was never taken from the picture, from the figures."""
    if f.noise_px is None or f.bound_px is None:
        return "the person never lay still long enough for the camera's noise to be measured"
    if f.bound_px < f.min_bound_px:
        need = px_text(f.min_bound_px)
        return f"the body is too small in the picture: {px_text(f.bound_px)} is under the {need} needed"
    if f.noise_factor * f.noise_px > f.bound_px:
        return f"the picture is too unsteady: {f.noise_factor:g} × the noise is over {px_text(f.bound_px)}"
    if f.tilt_px is not None and f.tilt_px < f.bound_px:
        return f"no movement reached {px_text(f.bound_px)} from the middle (the widest: {px_text(f.tilt_px)})"
    if f.practice_ways == 0:
        return f"no movement was held far enough past {px_text(f.bound_px)} to be timed"
    if f.practice_ways == 1:
        return "a movement was held far enough past the bound one way only: the camera must show both"
    return "the person was not seen lying still in the start position"


def _withdrawn(f: SeenFigures) -> str:
    """Why trust was withdrawn."""
    if f.one_sided:
        return (
            f"{f.max_one_way} movements in a row went the same way: the camera showed one way only, and a "
            "rep needs both"
        )
    share, most = f.unsteady_share or 0.0, f.max_unsteady_share or 0.0
    return (
        f"the outline was found too unsteady to time a hold: in the holds, {share:.0%} of its steps from "
        f"one frame to the next jumped past the bound (over {most:.0%} is too many)"
    )


def seen_text(report: dict[str, Any], words: dict[str, Any]) -> str | None:
    """The summary row: what moved, against what it had to stand out of; None without figures."""
    if not report.get("seen"):
        return None
    f = SeenFigures.model_validate(report["seen"])
    desc = ((words.get("signals") or {}).get(f.signal) or {}).get("description") or "the measured outline"
    what = re.split(r"[,:;]", desc, maxsplit=1)[0].strip()
    text = (
        f"{what[:1].upper()}{what[1:]} moved up to {px_text(f.tilt_px)} either side of its middle; lying still, "
        f"its noise was {px_text(f.noise_px)}. A movement is taken from the picture when it reaches "
        f"{px_text(f.bound_px)} from the middle (it must span at least {px_text(f.min_bound_px)} and "
        f"{f.noise_factor:g} × the noise; the body {f.torso_px:.0f} px from hips to shoulders). "
    )
    if f.first_seen_s is None:
        return text + f"It never was: {_why_not(f)}. Its reps are not counted from the video."
    if f.withdrawn:
        until = f"It was from {f.first_seen_s:.1f} s, until {_withdrawn(f)}"
        return text + until + ": its reps are not counted from the video."
    if f.too_brief:
        return text + (
            f"It was for only {f.seen_s:.1f} s in position (from {f.first_seen_s:.1f} s; {f.min_seen_s:g} s are "
            "needed): too briefly to be sure, so its reps are not counted from the video."
        )
    return text + (
        f"It was for {f.seen_s:.1f} of {f.in_position_s:.1f} s in position (from {f.first_seen_s:.1f} s); "
        "a rep is marked seen only when it was taken from the picture throughout."
    )


def seen_line(report: dict[str, Any]) -> str | None:
    """The figures in one line, for the summary a review prints; None without figures."""
    if not report.get("seen"):
        return None
    f = SeenFigures.model_validate(report["seen"])
    took = f"{f.seen_s:.1f} of {f.in_position_s:.1f} s" if f.first_seen_s is not None else f"never: {_why_not(f)}"
    if f.withdrawn:
        took += f", until {_withdrawn(f)}"
    if f.too_brief:
        took += f", under the {f.min_seen_s:g} s needed to count from the video"
    return (
        f"seen by the camera {took} (movement up to {px_text(f.tilt_px)}, noise {px_text(f.noise_px)}, "
        f"recognised at {px_text(f.bound_px)})"
    )


def rep_mark(rep: dict[str, Any]) -> str:
    """After a rep's counted cell: whether the camera saw it (reports of watched exercises)."""
    if rep.get("seen") is True:
        return " (seen by the camera)"
    if rep.get("seen") is False and not rep.get("guided"):
        return " (not seen throughout)"
    return ""
