"""`posecheck synth`: the performer's commands (posecheck.synth.cli), under the main command.

The performer keeps its own command line (`python -m posecheck.synth`); this hook only
names it here. Its heavy dependencies load when a clip is made, not on import.
"""

from __future__ import annotations

from posecheck.synth.cli import synth as synth_cmd

__all__ = ["synth_cmd"]
