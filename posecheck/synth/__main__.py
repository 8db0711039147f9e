"""python -m posecheck.synth ..."""

import sys

from posecheck.synth.cli import main

sys.exit(main())
