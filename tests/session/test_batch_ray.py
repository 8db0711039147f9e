"""The Ray engine's parent without the model (session/batch_ray.py), on a local Ray started
for the test: a task stuck past its file's limit is cancelled with its worker process while
the other files still run. Skipped only where Ray is not installed (CI installs the
cluster extra)."""

from __future__ import annotations

import importlib.util
import os

import pytest

from posecheck.session import batch

# Not importorskip: Ray reads its settings when imported, and batch_ray sets them first.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="Ray is not installed (CI installs it)")


def test_a_stuck_ray_task_is_killed_and_the_other_files_still_run(tmp_path):
    """A file whose exercise definition is a FIFO blocks its task in open() for good; with
    the worker's own timer off, the parent's limit cancels it. A missing file fails at once."""
    from posecheck.session import batch_ray

    fifo = tmp_path / "stuck.toml"
    os.mkfifo(fifo)
    jobs = [
        batch.Job(input=tmp_path / "stuck.mp4", exercise=str(fifo), report=tmp_path / "s.json"),
        batch.Job(input=tmp_path / "missing.mp4", exercise="bridge", report=tmp_path / "m.json"),
    ]
    results: list[batch.Result] = []
    batch_ray.run(jobs, address=None, workers=1, on_result=results.append, timeout_s=0.5, grace_s=2.0)
    by = {r.job.input.name: r for r in results}
    assert set(by) == {"stuck.mp4", "missing.mp4"}, results
    assert not by["stuck.mp4"].ok and "timed out after 0.5 s (worker killed)" in by["stuck.mp4"].error
    assert not by["missing.mp4"].ok and "no such file" in by["missing.mp4"].error
