"""Seeing the pelvic tilt in the person mask (exercise/seen.py, the mask_rise signal): counted
only when the belly outline's movement stands out of its still-noise, else guided as before."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from posecheck.exercise.definition import load
from posecheck.exercise.engine import Engine
from posecheck.exercise.seen import TORSO_PX_KEY, Seen, SeenGate
from posecheck.exercise.signals import SignalReader, mask_rise
from posecheck.pose.follow import PoseSmoother

from stickfigure import REST, Key, perform, pose_of

PELVIC = load("pelvic_tilt")
SEEN = PELVIC.guided.seen


def _body_mask(pose, lift_px: float) -> np.ndarray:
    """A person mask: a band along the hip-shoulder line, its top outline lifted by
    `lift_px` (sub-pixel, on the soft edge) over the lower belly."""
    h, w = pose.height, pose.width
    hip = (pose.xy[23] + pose.xy[24]) / 2
    sh = (pose.xy[11] + pose.xy[12]) / 2
    half = 0.15 * pose.torso_px
    mask = np.zeros((h, w), np.float32)
    x0, x1 = min(hip[0], sh[0]) - 0.3 * pose.torso_px, max(hip[0], sh[0]) + 0.3 * pose.torso_px
    rows = np.arange(h, dtype=np.float32)[:, None]
    for x in range(max(0, int(x0)), min(w, int(x1) + 1)):
        f = (x - hip[0]) / (sh[0] - hip[0])
        y = hip[1] + (sh[1] - hip[1]) * f
        bump = lift_px if 0.1 <= f <= 0.45 else 0.0
        top, bottom = y - half - bump, y + half
        mask[:, x] = np.clip(np.minimum(rows[:, 0] - top + 0.5, bottom - rows[:, 0] + 0.5), 0.0, 1.0)
    return mask


def _tilts(cycles: int, rest_s: float = 3.0, hold_s: float = 2.0, move_s: float = 0.6):
    """(t, tilt) pieces: rest, then arch / rest / flatten cycles; tilt +1 arch, -1 flatten."""
    keys = [(rest_s, 0.0)]
    for _ in range(cycles):
        keys += [
            (move_s, None),
            (hold_s, 1.0),
            (move_s, None),
            (1.0, 0.0),
            (move_s, None),
            (hold_s, -1.0),
            (move_s, None),
            (1.0, 0.0),
        ]
    return keys


def _tilt_at(t: float, pieces) -> float:
    at, prev = 0.0, 0.0
    for i, (dur, level) in enumerate(pieces):
        if t < at + dur:
            if level is None:  # moving from the previous level to the next
                nxt = pieces[i + 1][1] if i + 1 < len(pieces) else 0.0
                return prev + (nxt - prev) * (t - at) / dur
            return level
        prev = level if level is not None else prev
        at += dur
    return 0.0


def run_tilts(cycles: int, tilt_torso_len: float, noise_torso_len: float, seed: int = 1, scale: float = 2.5):
    """The stick figure lying still while its belly outline tilts; `scale` brings the camera
    closer (the figure is 150 px a torso at 1)."""
    pieces = _tilts(cycles)
    total = sum(d for d, _ in pieces) + 1.0
    rng = np.random.default_rng(seed)
    engine, reader, smooth = Engine(PELVIC, hold_s=1.0), SignalReader(PELVIC), PoseSmoother(PELVIC)
    for t, pose in perform([Key(REST, stay_s=total)], 30.0):
        w, h = round(pose.width * scale), round(pose.height * scale)
        pose = replace(pose, xy=pose.xy * scale, z=pose.z * scale, width=w, height=h)
        lift = (_tilt_at(t, pieces) * tilt_torso_len + rng.normal(0.0, noise_torso_len)) * pose.torso_px
        pose = smooth(t, replace(pose, mask=_body_mask(pose, lift)))
        engine.update(t, reader.read(t, pose))
    engine.finish()
    return engine


def test_mask_rise_reads_the_outline_in_fractions_of_a_pixel():
    pose = pose_of(REST)
    hip = (pose.xy[23] + pose.xy[24]) / 2
    sh = (pose.xy[11] + pose.xy[12]) / 2
    flat = mask_rise(_body_mask(pose, 0.0), hip, sh, (0.2, 0.35), pose.torso_px)
    lifted = mask_rise(_body_mask(pose, 0.4), hip, sh, (0.2, 0.35), pose.torso_px)
    assert flat is not None and lifted is not None
    assert abs((lifted - flat) * pose.torso_px - 0.4) < 0.05
    assert abs(flat - 0.15) < 0.01  # the band's half width over the line


def test_clear_tilts_are_seen_and_counted_not_guided():
    eng = run_tilts(3, tilt_torso_len=0.015, noise_torso_len=0.0005)
    assert eng.seen is not None and eng.seen.ever_confident
    counted = [r for r in eng.reps if r.counted]
    assert len(counted) == 3
    assert all(not r.guided and set(r.holds) == {"arch", "flat"} for r in counted)


def test_lying_still_counts_nothing_even_when_seen():
    eng = run_tilts(0, tilt_torso_len=0.015, noise_torso_len=0.0005)
    eng2 = run_tilts(3, tilt_torso_len=0.0, noise_torso_len=0.0005)
    assert eng.seen.ever_confident and eng.reps == []
    assert eng2.reps == []


def test_a_noisy_outline_stays_guided_and_counts_nothing():
    # the same tilts, but the outline jitters more than the bound allows: never trusted
    noise = 2.0 * SEEN.tilt_torso_len / SEEN.noise_factor
    eng = run_tilts(3, tilt_torso_len=0.015, noise_torso_len=noise)
    assert not eng.seen.ever_confident
    assert eng.reps == []


def test_a_far_camera_stays_guided_however_clean():
    # the tilt bound spans fewer pixels than min_tilt_px: the outline's wander could pass for it
    eng = run_tilts(3, tilt_torso_len=0.015, noise_torso_len=0.0005, scale=1.0)
    assert SEEN.tilt_torso_len * 150.0 < SEEN.min_tilt_px
    assert not eng.seen.ever_confident
    assert eng.reps == []


def test_gate_measures_noise_only_while_still_and_centres_on_the_middle():
    seen = Seen(
        signal="s", noise_window_s=0.5, centre_window_s=10.0, noise_factor=3.0, tilt_torso_len=0.006, min_tilt_px=2.0
    )
    gate = SeenGate(seen)
    rng = np.random.default_rng(0)
    t = 0.0
    for _ in range(30):  # still: noise 0.001
        out = gate.apply(t, {"s": 0.1 + rng.normal(0, 0.001), TORSO_PX_KEY: 500.0}, still=True)
        t += 1 / 30
    assert gate.confident and abs(gate.noise - 0.001) < 0.0005
    gate.apply(t, {"s": 0.12, TORSO_PX_KEY: 500.0}, still=False)
    out = gate.apply(t + 0.03, {"s": 0.08, TORSO_PX_KEY: 500.0}, still=False)
    assert abs(out["s"] - (0.08 - 0.10)) < 0.004  # against the middle of 0.08..0.12
    assert gate.apply(t + 0.06, {"s": None, TORSO_PX_KEY: 500.0}, still=False)["s"] == 0.0
    # the same person farther away: the bound spans too few pixels, nothing is seen
    out = gate.apply(t + 0.09, {"s": 0.08, TORSO_PX_KEY: 300.0}, still=False)
    assert not gate.confident and out["s"] == 0.0
