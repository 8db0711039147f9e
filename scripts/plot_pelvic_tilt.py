#!/usr/bin/env python3
"""The pelvic tilt's image signal over time: a plot to judge the seen gate by eye.

    python scripts/plot_pelvic_tilt.py VIDEO [VIDEO ...] --out tilt.png [--labels DIR]

Each video is reviewed as pelvic_tilt (the same review as `posecheck review`; --hold 0.1 for
a real clip, a render with its truth beside it at the exercise's hold);
the plot shows belly_rise as the engine reads it (against where the person rests; 0 while the
gate does not trust it), the tilt bound, and the engine's phase in a strip below. With
--labels DIR, a real clip's hand labels (DIR/<clip>.json: flatten_s / arch_s per rep) are
shaded; a rendered sample's truth (VIDEO with .json beside it) is shaded too. Prints, per
clip, whether the signal was trusted (seen) and the count. With --raw, also the outline as
measured (before the gate; against its median) and the pose model's mid-hip height (torso
lengths, + up, against its median): that outline is read over the live hip-shoulder line, so a
hip landmark that moves with the tilt cancels it there (renders: issue 14); the engine reads it
over the line where it lay in the start position (the signal's anchor). Needs
matplotlib; runs the pose model (with person masks) over each video.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from posecheck.exercise import definition  # noqa: E402
from posecheck.exercise.signals import mask_rise  # noqa: E402
from posecheck.session.review import ReviewOptions, review  # noqa: E402

COLOURS = {"arch": "tab:red", "flat": "tab:green", "rest": "0.7"}


def _spans(video: Path, labels: Path | None) -> list[tuple[str, float, float]]:
    truth = video.with_suffix(".json")
    if labels is not None and (labels / f"{video.stem}.json").exists():
        reps = json.loads((labels / f"{video.stem}.json").read_text()).get("reps", [])
        names = {"flatten_s": "flat", "arch_s": "arch"}
        return [(names[k], *r[k]) for r in reps for k in names if k in r]
    if truth.exists():
        reps = json.loads(truth.read_text()).get("reps", [])
        return [(h["phase"], h["start_s"], h["end_s"]) for r in reps for h in r.get("holds", [])]
    return []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("videos", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--labels", type=Path, help="folder of hand labels (<clip>.json)")
    ap.add_argument("--raw", action="store_true", help="also the outline before the gate and the hip's height")
    args = ap.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ex = definition.load("pelvic_tilt")
    seen = ex.guided.seen if ex.guided else None
    if seen is None:
        sys.exit("exercises/pelvic_tilt.toml has no [guided.seen] table")
    span = ex.signals[seen.signal].span
    fig, axes = plt.subplots(len(args.videos), 1, figsize=(12, 3.2 * len(args.videos)), squeeze=False)
    for ax, video in zip(axes[:, 0], args.videos, strict=True):
        rows: list[tuple[float, float | None, str | None]] = []
        raw: list[tuple[float, float, float, float]] = []  # t, outline, mid-hip height (px, + up), torso px

        def keep(t, step, rows=rows, raw=raw):
            rows.append((t, step.view.state.values.get(seen.signal), step.view.state.phase))
            p = step.raw_pose
            if args.raw and p is not None and p.mask is not None and p.torso_px > 1:
                hip, sh = (p.xy[23] + p.xy[24]) / 2, (p.xy[11] + p.xy[12]) / 2
                v = mask_rise(p.mask, hip, sh, span, p.torso_px)
                raw.append((t, float("nan") if v is None else v, -hip[1], p.torso_px))

        # a real clip holds briefly (--hold 0.1, as the bench reviews it); a render its truth's 5 s
        hold = None if video.with_suffix(".json").exists() else 0.1
        report = review(video, ex, ReviewOptions(hold_s=hold, progress=False), on_step=keep)
        ts = [r[0] for r in rows]
        ax.plot(ts, [float("nan") if r[1] is None else r[1] for r in rows], "k", lw=1, label="as the engine reads it")
        if raw:
            import numpy as np

            r = np.array(raw)
            live = "outline, live hip-shoulder line"
            ax.plot(r[:, 0], r[:, 1] - np.nanmedian(r[:, 1]), "tab:orange", lw=1, label=live)
            hip = (r[:, 2] - np.nanmedian(r[:, 2])) / np.nanmedian(r[:, 3])  # over the clip's torso length
            ax.plot(r[:, 0], hip, "tab:blue", lw=1, label="mid-hip height")
            ax.legend(fontsize=7, loc="upper right")
        for y in (seen.tilt_torso_len, -seen.tilt_torso_len):
            ax.axhline(y, color="k", ls=":", lw=0.8)
        for (t0, _, ph), (t1, *_) in itertools.pairwise(rows):
            if ph in COLOURS:
                ax.axvspan(t0, t1, ymin=0, ymax=0.06, color=COLOURS[ph], lw=0)
        for ph, a, b in _spans(video, args.labels):
            ax.axvspan(a, b, ymin=0.06, color=COLOURS.get(ph, "y"), alpha=0.15, lw=0)
        s = report["summary"]
        seen_word = "seen" if report.get("countable") else "guided (not seen)"
        ax.set_title(f"{video.name}: {seen_word}, counted {s['reps_counted']} of {s['reps_attempted']}", fontsize=9)
        reach = (7 if args.raw else 3) * seen.tilt_torso_len
        ax.set_ylim(-reach, reach)
        ax.set_ylabel(f"{seen.signal} (torso lengths)")
        print(f"{video.name}: {seen_word}; counted {s['reps_counted']}, attempts {s['reps_attempted']}")
    axes[-1, 0].set_xlabel("s (shaded: labelled flatten green / arch red; strip: engine phase; dotted: tilt bound)")
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
