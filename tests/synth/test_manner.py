"""How people perform (manner.py) and cat_cow's orders, checked on the keyframes and the
truth alone (no rendering): a start posture, a tipped head, a nod or a larger sway is never
a rep; cow-first and cow-cat-cow reps are labelled with their order; all of it seeded.
The postures' parameter tables come from the synth extra (torch), no body is built."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch", reason="the performer needs the synth extra (torch, anny)")
pytest.importorskip("anny", reason="the performer needs the synth extra (torch, anny)")

from posecheck.synth import poses as P
from posecheck.synth import truth as T
from posecheck.synth.choreography import RepPlan, perform
from posecheck.synth.manner import NOD_MARGIN_S, Manner, check
from posecheck.synth.posture import Upright
from posecheck.synth.variants import HeadTipSupine, KneelingAllFours

POSTURE = {"supine": HeadTipSupine, "allfours": KneelingAllFours, "upright": Upright}


class Stand:
    """The posture's parameter table only (no body): all perform() needs but the bridge."""

    def __init__(self, exercise: str):
        self.DEFAULTS = POSTURE[P.POSTURE[exercise]].DEFAULTS


def play(exercise, plan, manner=None, seed=7):
    return perform(exercise, plan, Stand(exercise), np.random.default_rng(seed), 1.0, manner)


def truth_of(perf) -> dict:
    reps, faults = perf.truth_reps()
    fps = 30.0
    frames = int(np.ceil(perf.duration * fps))
    return {
        "exercise": perf.exercise,
        "kind": "fault" if faults else ("good" if all(r["counted"] for r in reps) else "short_hold"),
        "duration_s": frames / fps,
        "frames": frames,
        "fps": fps,
        "hold_s": perf.hold_s,
        "reps": reps,
        "faults": faults,
        "summary": {"reps_counted": sum(r["counted"] for r in reps), "reps_attempted": len(reps)},
    }


def shape(truth: dict) -> list:
    """The reps without their times."""
    return [(r["side"], r["counted"], r["faults"], r.get("phase_order")) for r in truth["reps"]]


def test_plain_manner_is_the_performance_as_before():
    plan = [RepPlan(), RepPlan(order=("cat", "cow"))]
    a, b = play("cat_cow", plan), play("cat_cow", plan, Manner())
    assert [(k.pose, k.move_s, k.hold_s, k.label) for k in a.keys] == [
        (k.pose, k.move_s, k.hold_s, k.label) for k in b.keys
    ]
    assert a.truth_reps() == b.truth_reps()


@pytest.mark.parametrize(
    "exercise, plan, manner",
    [
        ("cat_cow", [RepPlan(order=("cow", "cat", "cow"))], Manner(start="kneeling", nods=2, sway_gain=2.0)),
        ("seated_rotation", [RepPlan("left"), RepPlan("right")], Manner(start="standing", nods=1)),
        ("knee_to_chest", [RepPlan("both")], Manner(head_tip_deg=-20.0, nods=1, sway_gain=1.5)),
    ],
)
def test_same_seed_same_performance_other_seed_other_timing(exercise, plan, manner):
    a, b, c = play(exercise, plan, manner), play(exercise, plan, manner), play(exercise, plan, manner, seed=8)
    assert [(k.pose, k.move_s, k.hold_s) for k in a.keys] == [(k.pose, k.move_s, k.hold_s) for k in b.keys]
    assert a.bumps == b.bumps
    assert a.duration != c.duration


@pytest.mark.parametrize(
    "exercise, start, param, at_start, at_rest",
    [
        ("cat_cow", "kneeling", "kneel", 1.0, 0.0),
        ("seated_rotation", "standing", "sit", 0.0, 1.0),
        ("shoulder_blade_squeeze", "standing", "sit", 0.0, 1.0),
        ("cat_cow", "cat", "spine", P.CAT["spine"], 0.0),
        ("cat_cow", "cow", "spine", P.COW["spine"], 0.0),
    ],
)
def test_a_start_posture_is_settled_before_the_first_rep_and_is_no_rep(exercise, start, param, at_start, at_rest):
    plan = [RepPlan(P.SIDES.get(exercise, (None,))[0])] * 2
    perf = play(exercise, plan, Manner(start=start))
    truth = truth_of(perf)
    assert T.problems(truth) == []
    assert shape(truth) == shape(truth_of(play(exercise, plan)))  # the same reps as a plain start
    assert perf.keys[0].label == start
    assert perf.pose_at(0.0)[0][param] == pytest.approx(at_start, abs=2.0)  # sway aside
    first = truth["reps"][0]["start_s"]
    settled = next(k for k in perf.keys[1:] if k.label == "A")
    assert settled.arrive < first
    assert settled.pose[param] == at_rest
    for rep in perf.reps:  # every rep leaves from and returns to the rest position
        assert perf.keys[rep.first - 1].pose[param] == at_rest and perf.keys[rep.last].pose[param] == at_rest


@pytest.mark.parametrize("order", [("cow", "cat"), ("cow", "cat", "cow"), ("cat", "cow", "cat")])
def test_cat_cow_orders_are_one_rep_labelled_in_order(order):
    perf = play("cat_cow", [RepPlan(order=order), RepPlan()])
    truth = truth_of(perf)
    assert T.problems(truth) == []
    first, second = truth["reps"]
    assert first["phase_order"] == list(order) and second["phase_order"] == ["cat", "cow"]
    assert [h["phase"] for h in first["holds"]] == list(order)
    assert first["counted"] and first["hold_s"] == pytest.approx(min(h["end_s"] - h["start_s"] for h in first["holds"]))
    for h in first["holds"]:  # the body is in that position during its hold
        mid = 0.5 * (h["start_s"] + h["end_s"])
        spine = perf.pose_at(mid)[0]["spine"]
        assert np.sign(spine) == np.sign(P.CAT["spine"] if h["phase"] == "cat" else P.COW["spine"])


def test_a_short_position_in_a_three_position_rep_leaves_it_uncounted():
    perf = play("cat_cow", [RepPlan(order=("cow", "cat", "cow"), hold_s=0.5)])
    (rep,) = truth_of(perf)["reps"]
    assert not rep["counted"] and rep["hold_s"] < 1.0


@pytest.mark.parametrize(
    "exercise, plan, param",
    [
        ("knee_to_chest", [RepPlan("left"), RepPlan("right")], "head_tip"),
        ("cat_cow", [RepPlan(), RepPlan(order=("cow", "cat"))], "head"),
        ("seated_rotation", [RepPlan("right")], "head_turn"),
    ],
)
def test_nods_sit_inside_holds_move_the_head_and_change_no_rep(exercise, plan, param):
    plain, nodded = play(exercise, plan, Manner()), play(exercise, plan, Manner(nods=2))
    assert truth_of(plain)["reps"] == truth_of(nodded)["reps"]  # drawn after the reps
    assert nodded.bumps and len(nodded.bumps) <= 2
    holds = [(nodded.keys[i].arrive, nodded.keys[i].depart) for r in nodded.reps for i in r.targets]
    for b in nodded.bumps:
        assert b.param == param
        assert any(
            a + NOD_MARGIN_S - 1e-9 <= b.start_s and b.start_s + b.dur_s <= d - NOD_MARGIN_S + 1e-9 for a, d in holds
        )
        mid = b.start_s + 0.5 * b.dur_s
        moved = nodded.pose_at(mid)[0][param] - plain.pose_at(mid)[0][param]
        assert moved == pytest.approx(b.amp) and abs(b.amp) >= 8.0
        assert nodded.pose_at(b.start_s + b.dur_s + 0.05)[0][param] == pytest.approx(
            plain.pose_at(b.start_s + b.dur_s + 0.05)[0][param]
        )


def test_cat_cow_nods_go_deeper_into_the_position():
    perf = play("cat_cow", [RepPlan(), RepPlan(order=("cow", "cat"))], Manner(nods=4))
    assert len(perf.bumps) == 4
    for b in perf.bumps:
        held = perf.pose_at(b.start_s)[0]["head"]
        assert np.sign(b.amp) == np.sign(held)


def test_a_tipped_head_rests_all_clip_and_changes_no_rep():
    plan = [RepPlan("left"), RepPlan("both")]
    perf = play("knee_to_chest", plan, Manner(head_tip_deg=18.0))
    assert all(k.pose["head_tip"] == 18.0 for k in perf.keys)
    assert all(k.pose["head"] == 0.0 for k in perf.keys)  # not lifted: the neck is untouched
    assert truth_of(perf)["reps"] == truth_of(play("knee_to_chest", plan))["reps"]


def test_sway_gain_scales_the_breathing_sway():
    plan = [RepPlan()]
    calm, big = play("cat_cow", plan), play("cat_cow", plan, Manner(sway_gain=2.5))
    t = np.linspace(0.0, 1.3, 40)  # the first rest, before any rep
    d_calm = np.ptp([calm.pose_at(x)[0]["spine"] for x in t])
    d_big = np.ptp([big.pose_at(x)[0]["spine"] for x in t])
    assert d_calm > 0 and d_big == pytest.approx(2.5 * d_calm, rel=1e-6)


@pytest.mark.parametrize(
    "exercise, manner, message",
    [
        ("bridge", Manner(start="kneeling"), "can start rest, not 'kneeling'"),
        ("cat_cow", Manner(start="standing"), "not 'standing'"),
        ("cat_cow", Manner(head_tip_deg=12.0), "head tip is for the lying exercises"),
        ("bridge", Manner(head_tip_deg=35.0), "at most 30"),
        ("bridge", Manner(nods=-1), "nods"),
        ("bridge", Manner(sway_gain=float("nan")), "sway gain"),
    ],
)
def test_manners_that_do_not_fit_are_refused(exercise, manner, message):
    with pytest.raises(ValueError, match=message):
        check(exercise, manner)


def test_orders_are_for_cat_cow_only():
    with pytest.raises(ValueError, match="for cat_cow"):
        play("pelvic_tilt", [RepPlan(order=("cat", "cow"))])
    with pytest.raises(ValueError, match="for cat_cow"):
        play("cat_cow", [RepPlan(order=("cat", "cat"))])


# ---- the sweep's plan ------------------------------------------------------------------------
def _sweep():
    path = Path(__file__).resolve().parents[2] / "scripts" / "make_sweep.py"
    spec = importlib.util.spec_from_file_location("make_sweep_for_tests", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_sweep_draws_manners_deterministically_with_the_stated_shares():
    sweep = _sweep()
    clips = [sweep.plan_clip(5000, i, 0.5, 10**6) for i in range(1400)]
    assert clips[:50] == [sweep.plan_clip(5000, i, 0.5, 10**6) for i in range(50)]
    by = lambda ex: [c for c in clips if c["exercise"] == ex]  # noqa: E731
    cat = by("cat_cow")
    share = lambda cs, f: sum(map(f, cs)) / len(cs)  # noqa: E731
    assert share(cat, lambda c: c["manner"]["start"] == "kneeling") == pytest.approx(0.3, abs=0.08)
    assert share(cat, lambda c: c["manner"]["start"] in ("cat", "cow")) == pytest.approx(0.2, abs=0.08)
    seated = by("seated_rotation") + by("shoulder_blade_squeeze")
    assert share(seated, lambda c: c["manner"]["start"] == "standing") == pytest.approx(0.4, abs=0.08)
    lying = [c for c in clips if P.POSTURE[c["exercise"]] == "supine"]
    assert share(lying, lambda c: c["manner"]["head_tip_deg"] != 0) == pytest.approx(0.4, abs=0.06)
    assert all(10 <= abs(c["manner"]["head_tip_deg"]) <= 25 for c in lying if c["manner"]["head_tip_deg"])
    assert all(c["manner"]["head_tip_deg"] == 0 for c in clips if c not in lying)
    assert share(clips, lambda c: c["manner"]["nods"] > 0) == pytest.approx(0.35, abs=0.05)
    assert share(clips, lambda c: c["manner"]["sway_gain"] != 1.0) == pytest.approx(0.3, abs=0.05)
    cow_first = [r for c in cat for r in c["reps"] if "/cow-" in r]
    assert 0.25 < len(cow_first) / sum(len(c["reps"]) for c in cat) < 0.55
    assert all("/" not in r for c in clips if c["exercise"] != "cat_cow" for r in c["reps"])


def test_sweep_argv_carries_the_manner_and_parses():
    from posecheck.synth.cli import _parse_rep

    sweep = _sweep()
    clips = [sweep.plan_clip(910000, i, 0.5, sweep.FRAME_BUDGET) for i in range(60)]
    for c in clips:
        argv, m = c["argv"], c["manner"]
        assert ("--start" in argv) == (m["start"] != "rest")
        assert ("--nods" in argv) == (m["nods"] > 0)
        assert ("--head-tip" in argv) == (m["head_tip_deg"] != 0)
        plans = [_parse_rep(c["exercise"], argv[k + 1]) for k, a in enumerate(argv) if a == "--rep"]
        check(c["exercise"], Manner(**m))
        assert all(
            not p.order or p.order in {("cow", "cat"), ("cow", "cat", "cow"), ("cat", "cow", "cat")} for p in plans
        )
    assert any(c["manner"]["start"] != "rest" for c in clips)


def test_cheapest_first_changes_the_order_not_the_plan():
    sweep = _sweep()
    clips = [sweep.plan_clip(910000, i, 0.5, sweep.FRAME_BUDGET) for i in range(21)]
    cheap = sweep.render_order(clips, True)
    assert sweep.render_order(clips, False) == clips
    assert sorted(c["name"] for c in cheap) == sorted(c["name"] for c in clips)
    frames = [c["estimated_frames"] for c in cheap]
    assert frames == sorted(frames) and frames != [c["estimated_frames"] for c in clips]
