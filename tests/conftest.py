import os
import signal
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Tests never touch the user's own history: reviews and live sessions record by default,
# so every run (in-process and the subprocesses it starts) gets a throwaway data folder.
os.environ["POSECHECK_DATA_DIR"] = tempfile.mkdtemp(prefix="posecheck-test-data-")
# ...and never read the user's own settings file.
os.environ["POSECHECK_CONFIG"] = os.path.join(os.environ["POSECHECK_DATA_DIR"], "config.toml")


@pytest.fixture(autouse=True)
def _speakers_closed(monkeypatch):
    """Every Speaker a test makes is closed after it: its voice thread would otherwise live on
    into later tests (the overlap tests look at the threads alive)."""
    from posecheck.coach import voice

    made: list = []
    init = voice.Speaker.__init__

    def tracked(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(voice.Speaker, "__init__", tracked)
    yield
    for speaker in made:
        speaker.close()


@pytest.fixture
def ctrl_c_interrupts():
    """Ctrl-C raises KeyboardInterrupt, as from a terminal: a test run started in the
    background (`cmd &`) has SIGINT ignored, and a test that interrupts itself would pass by."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)
