"""The batch's parts without the model (session/batch.py): what a folder, a glob and a
manifest give, unique output names, which earlier reports count as done, and a worker
stuck past its limit killed by the parent while the other files still run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from posecheck.errors import PosecheckError
from posecheck.session import batch


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_inputs_from_folders_globs_and_files(tmp_path):
    a, b = _touch(tmp_path / "v" / "a.mp4"), _touch(tmp_path / "v" / "b.MOV")
    _touch(tmp_path / "v" / "notes.txt")
    _touch(tmp_path / "v" / ".hidden.mp4")
    _touch(tmp_path / "v" / "a.annotated.mp4")  # an earlier batch's output, not an input
    rec = _touch(tmp_path / "r" / "c.landmarks.npz")
    assert batch.find_inputs([str(tmp_path / "v")]) == [a, b]
    assert batch.find_inputs([str(tmp_path / "r" / "*.npz"), str(a)]) == [rec, a]
    assert batch.find_inputs([str(a), str(a)]) == [a]
    with pytest.raises(PosecheckError, match="no videos found"):
        batch.find_inputs([str(tmp_path / "r" / "*.mp4")])


def test_a_manifest_names_files_beside_it_and_their_exercises(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("file,exercise\na.mp4,bridge\n\n# a comment\n/abs/b.mp4\n")
    assert batch.read_manifest(m, "cat_cow") == [(tmp_path / "a.mp4", "bridge"), (Path("/abs/b.mp4"), "cat_cow")]
    with pytest.raises(PosecheckError, match="line 5: no exercise"):
        batch.read_manifest(m, None)
    m.write_text("file,exercise\n")
    with pytest.raises(PosecheckError, match="lists no files"):
        batch.read_manifest(m, None)


def test_names_are_unique():
    taken: set[str] = set()
    names = [batch.name_for(Path(p), taken) for p in ("x/a.mp4", "y/a.mp4", "z/b.landmarks.npz")]
    assert names[0] == "a" and names[1].startswith("a-") and names[2] == "b"
    assert batch.name_for(Path("y/a.mp4"), {"a"}) == names[1]  # the same name on a re-run
    assert batch.name_for(Path("y/a.mp4"), taken) == names[1] + "-2"  # listed twice


def test_only_a_complete_report_for_the_same_settings_counts_as_done(tmp_path):
    job = batch.Job(input=Path("v.mp4"), exercise="bridge", report=tmp_path / "v.json", hold_s=5.0)
    good = {"exercise": "bridge", "video": "v.mp4", "frames_with_pose": 10, "summary": {},
            "settings": {"hold_s": 5.0, "target": None, "model": "bundled"}}  # fmt: skip
    assert batch.finished_report(job, "bridge") is None  # none yet
    job.report.write_text(json.dumps(good))
    assert batch.finished_report(job, "bridge") == good
    for change in ({"interrupted": True}, {"truncated": True}, {"frames_with_pose": 0}, {"exercise": "cat_cow"},
                   {"settings": {"hold_s": 8.0, "target": None, "model": "bundled"}}):  # fmt: skip
        job.report.write_text(json.dumps(good | change))
        assert batch.finished_report(job, "bridge") is None, change
    job.report.write_text(json.dumps(good)[:-5])  # cut short
    assert batch.finished_report(job, "bridge") is None


def test_a_stuck_worker_is_killed_and_the_other_files_still_run(tmp_path):
    """A file whose exercise definition is a FIFO blocks its worker in open() for good; with
    the worker's own timer off, the parent's limit kills it. A missing file fails at once."""
    import os

    fifo = tmp_path / "stuck.toml"
    os.mkfifo(fifo)
    jobs = [
        batch.Job(input=tmp_path / "stuck.mp4", exercise=str(fifo), report=tmp_path / "s.json"),
        batch.Job(input=tmp_path / "missing.mp4", exercise="bridge", report=tmp_path / "m.json"),
    ]
    results: list[batch.Result] = []
    t0 = time.monotonic()
    batch.run(jobs, workers=1, on_result=results.append, timeout_s=0.5, grace_s=2.0)
    by = {r.job.input.name: r for r in results}
    assert set(by) == {"stuck.mp4", "missing.mp4"}, results
    assert not by["stuck.mp4"].ok and "timed out after 0.5 s (worker killed)" in by["stuck.mp4"].error
    assert not by["missing.mp4"].ok and "no such file" in by["missing.mp4"].error
    assert time.monotonic() - t0 < 90
