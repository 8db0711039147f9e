"""The performer: renders synthetic exercise footage with its truth beside it.

A parametric body (the ``anny`` model) is posed through a scripted performance of one of
the seven exercises (or a negative: lying still, fidgeting, sitting down and standing up,
walking through), rendered on the CPU, and written as ``NAME.mp4`` with ``NAME.json``
(reps, holds, sides, faults in the shape of posecheck's report) and ``NAME.npz``
(per-frame keypoints and camera).

This is test tooling. It needs the optional ``synth`` extra (torch and anny); importing
this package does not, so ``posecheck --help`` works without them. The modules that do
need them raise :class:`SynthUnavailable` with a one-line message when they are missing.
"""

from posecheck.synth._deps import MISSING_MESSAGE, SynthUnavailable, available, require

__all__ = ["MISSING_MESSAGE", "SynthUnavailable", "available", "require"]
