"""Perturbed copies of the labelled real clips, to measure how counts hold up when the
camera differs: validation that no threshold was fitted to (the clips stay on this machine,
like the originals: ../shared/real/README.md).

    python scripts/augment_real.py /tmp/real /tmp/real-aug --kinds flip tilt tilt_back far small dim
    python scripts/bench_accuracy.py --real /tmp/real-aug/flip

Each kind writes OUT/<kind>/ with the clips and their labels. A mirrored clip swaps the
person's sides in the labels (a left leg pulled, seen in a mirror, is a right one).
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

# ffmpeg video filters: what each kind does to the picture (or the frame rate)
KINDS = {
    "flip": "hflip",  # filmed from the other side
    "tilt": "rotate=5*PI/180:fillcolor=black",  # the camera not level (5 degrees)
    "tilt_back": "rotate=-5*PI/180:fillcolor=black",  # ...rolled the other way
    "far": "scale=iw*0.6:-2,pad=iw/0.6:ih/0.6:(ow-iw)/2:(oh-ih)/2:color=gray",  # farther away
    "small": "scale=-2:360,fps=15",  # a small, slow webcam
    "dim": "eq=brightness=-0.12:contrast=0.75,noise=alls=12:allf=t",  # a dim room, a grainy sensor
}
_SWAP = {"left": "right", "right": "left", "L": "R", "R": "L"}


def _swap_sides(node: object) -> object:
    if isinstance(node, dict):
        return {k: (_SWAP.get(v, v) if k == "side" and isinstance(v, str) else _swap_sides(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap_sides(v) for v in node]
    return node


def augment(src: Path, out: Path, kind: str) -> None:
    (out / "labels").mkdir(parents=True, exist_ok=True)
    for label in sorted((src / "labels").glob("*.json")):
        data = json.loads(label.read_text())
        clip = src / data["clip"]
        dst = out / clip.name
        if not dst.exists():
            tmp = dst.with_suffix(".part.mp4")
            # veryfast: the default preset took minutes a clip on a 1080p 60 fps demo (grain is costly to encode)
            cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-vf", KINDS[kind], "-an", "-crf", "20"]
            cmd += ["-preset", "veryfast", str(tmp)]
            subprocess.run(cmd, check=True)
            tmp.replace(dst)
        (out / "labels" / label.name).write_text(json.dumps(_swap_sides(data) if kind == "flip" else data, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path, help="the real clips (with labels/)")
    ap.add_argument("out", type=Path)
    ap.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=sorted(KINDS))
    args = ap.parse_args()
    for kind in args.kinds:
        augment(args.src, args.out / kind, kind)
        print(f"{kind}: {args.out / kind}")


if __name__ == "__main__":
    main()
