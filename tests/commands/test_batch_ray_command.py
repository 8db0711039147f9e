"""`posecheck batch --engine ray` through the real command line, on a local Ray started for
the batch: the same reports as the local engine (same files, same counts, the same report
for each video), a corrupt file listed with the rest done, and a file over its time limit
failing alone. Skipped only where Ray is not installed (CI installs the cluster extra).

The model runs twice (the short sample, once per engine); the timeout test re-scores the
landmarks the Ray batch kept."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from helpers import SAMPLES, posecheck

pytest.importorskip("ray")

SHORT = SAMPLES / "sweep_shoulder_blade_squeeze_106.mp4"  # 12.6 s, one squeeze held about 6 s
VOLATILE = ("seconds", "report", "annotated")  # the summary's columns that name the run, not the result


def _rows(folder) -> dict[str, dict[str, str]]:
    with open(folder / "summary.csv", newline="") as f:
        return {r["file"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """The same folder (the short sample and a corrupt file) through both engines."""
    root = tmp_path_factory.mktemp("ray")
    videos = root / "videos"
    videos.mkdir()
    shutil.copy(SHORT, videos / "a.mp4")
    (videos / "corrupt.mp4").write_bytes(b"\x00\x01garbage\xff")
    common = ["batch", videos, "-e", "shoulder_blade_squeeze", "--keep-landmarks", "--no-progress"]
    local = posecheck(*common, "-r", root / "local", "-j", "1")
    on_ray = posecheck(*common, "-r", root / "ray", "--engine", "ray", "-j", "2")
    return root, local, on_ray


@pytest.mark.model
def test_ray_gives_the_local_engines_reports(engines):
    root, local, on_ray = engines
    assert local.returncode == on_ray.returncode == 1, on_ray.stderr
    assert "2 files: 1 reviewed, 0 already done, 1 failed" in on_ray.stdout
    assert "corrupt.mp4: not a video" in on_ray.stdout and "Traceback" not in on_ray.stderr
    assert sorted(p.name for p in (root / "ray").iterdir()) == sorted(p.name for p in (root / "local").iterdir())
    assert _rows(root / "ray") == _rows(root / "local")
    rep = json.loads((root / "ray" / "a.json").read_text())
    assert rep["summary"]["reps_counted"] == 1
    assert rep == json.loads((root / "local" / "a.json").read_text())


@pytest.mark.model
def test_a_file_over_its_time_limit_fails_alone_on_ray(engines, tmp_path):
    root, _, _ = engines
    record = root / "ray" / "a.landmarks.npz"
    proc = posecheck("batch", record, tmp_path / "missing.npz", "-e", "shoulder_blade_squeeze", "-r", tmp_path / "out",
                     "--engine", "ray", "--timeout", "0.001", "--no-progress", timeout=300)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    rows = _rows(tmp_path / "out")
    assert "timed out after 0.001 s" in rows[str(record)]["error"]
    assert rows[str(tmp_path / "missing.npz")]["status"] == "failed"
    assert not (tmp_path / "out" / "a.json").exists()


def test_an_address_without_the_ray_engine_is_one_line(tmp_path):
    proc = posecheck("batch", tmp_path, "-e", "bridge", "-r", tmp_path / "r", "--ray-address", "127.0.0.1:6379")
    assert proc.returncode == 2 and proc.stderr.startswith("posecheck: error: ") and "--engine ray" in proc.stderr
