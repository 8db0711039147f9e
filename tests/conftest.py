import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# Tests never touch the user's own history: reviews and live sessions record by default,
# so every run (in-process and the subprocesses it starts) gets a throwaway data folder.
os.environ["POSECHECK_DATA_DIR"] = tempfile.mkdtemp(prefix="posecheck-test-data-")
# ...and never read the user's own settings file.
os.environ["POSECHECK_CONFIG"] = os.path.join(os.environ["POSECHECK_DATA_DIR"], "config.toml")
