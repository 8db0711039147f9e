"""`posecheck batch` through the real command line: a corrupt file among good ones is listed
with its error and the rest are done (exit 1), a re-run skips what is done, a file over its
time limit fails alone, a manifest names each file's exercise, and the index escapes names.

The model runs once, in the first batch (two copies of the shortest sample, on two workers);
the later batches re-score the landmarks it kept, since they test the batching, not poses."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import SAMPLES, posecheck

SHORT = SAMPLES / "sweep_shoulder_blade_squeeze_106.mp4"  # 12.6 s, one squeeze held about 6 s


def _rows(folder) -> dict[str, dict[str, str]]:
    with open(folder / "summary.csv", newline="") as f:
        return {r["file"].rsplit("/", 1)[-1]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The batch with the model: a.mp4 and b.mp4 (the short sample) and a corrupt.mp4."""
    root = tmp_path_factory.mktemp("batch")
    videos = root / "videos"
    videos.mkdir()
    shutil.copy(SHORT, videos / "a.mp4")
    shutil.copy(SHORT, videos / "b.mp4")
    (videos / "corrupt.mp4").write_bytes(b"\x00\x01garbage\xff")
    args = ["batch", videos, "-e", "shoulder_blade_squeeze", "-r", root / "reports", "-j", "2", "--keep-landmarks",
            "--no-progress"]  # fmt: skip
    return root, args, posecheck(*args)


@pytest.mark.model
def test_a_corrupt_file_is_listed_and_the_others_are_done(first):
    root, _, proc = first
    assert proc.returncode == 1, proc.stderr
    assert "3 files: 2 reviewed, 0 already done, 1 failed" in proc.stdout
    assert "failed: " in proc.stdout and "corrupt.mp4: not a video" in proc.stdout
    rows = _rows(root / "reports")
    assert rows["corrupt.mp4"]["status"] == "failed" and "not a video" in rows["corrupt.mp4"]["error"]
    for name in ("a", "b"):
        assert rows[f"{name}.mp4"]["status"] == "done" and rows[f"{name}.mp4"]["reps_counted"] == "1"
        rep = json.loads((root / "reports" / f"{name}.json").read_text())
        assert rep["exercise"] == "shoulder_blade_squeeze" and rep["summary"]["reps_counted"] == 1
        assert (root / "reports" / f"{name}.landmarks.npz").is_file()
    index = (root / "reports" / "index.html").read_text()
    assert 'href="a.json"' in index and "1 failed" in index


@pytest.mark.model
def test_a_second_run_skips_the_files_done(first):
    root, args, _ = first
    before = {p.name: p.stat().st_mtime_ns for p in (root / "reports").glob("?.json")}
    proc = posecheck(*args, timeout=120)
    assert proc.returncode == 1, proc.stderr  # the corrupt file still fails
    assert "3 files: 0 reviewed, 2 already done, 1 failed" in proc.stdout
    assert {p.name: p.stat().st_mtime_ns for p in (root / "reports").glob("?.json")} == before
    assert [r["status"] for r in _rows(root / "reports").values()].count("skipped") == 2


@pytest.mark.model
def test_a_file_over_its_time_limit_fails_alone(first, tmp_path):
    root, _, _ = first
    kept = root / "reports"
    proc = posecheck("batch", kept / "a.landmarks.npz", "-e", "shoulder_blade_squeeze", "-r", tmp_path / "slow",
                     "--timeout", "0.001", "--no-progress", timeout=120)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "timed out after 0.001 s" in _rows(tmp_path / "slow")["a.landmarks.npz"]["error"]
    assert not (tmp_path / "slow" / "a.json").exists()


@pytest.mark.model
def test_a_manifest_gives_each_file_its_exercise_and_the_index_escapes_names(first, tmp_path):
    root, _, _ = first
    odd = tmp_path / 'a <b> & "c".npz'
    shutil.copy(root / "reports" / "a.landmarks.npz", odd)
    manifest = tmp_path / "list.csv"
    with open(manifest, "w", newline="") as f:
        csv.writer(f).writerows(
            [("file", "exercise"), (odd.name, "shoulder_blade_squeeze"), ("nope.npz", "no_such_exercise")]
        )
    proc = posecheck("batch", "--manifest", manifest, "-r", tmp_path / "out", "--hold", "7", "--no-progress",
                     timeout=120)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    rows = _rows(tmp_path / "out")
    assert rows[odd.name]["status"] == "done" and rows[odd.name]["reps_counted"] == "0"  # held 6 s of 7
    assert rows["nope.npz"]["status"] == "failed" and "no_such_exercise" in rows["nope.npz"]["error"]
    index = (tmp_path / "out" / "index.html").read_text()
    assert "a &lt;b&gt; &amp; &quot;c&quot;.npz" in index and "<b>" not in index


@pytest.mark.parametrize(
    "args, words",
    [
        (["-r", "{tmp}/r"], "give the videos"),
        (["{tmp}", "-r", "{tmp}/r"], "give the exercise"),
        (["{tmp}", "-e", "nope", "-r", "{tmp}/r"], "nope"),
        (["{tmp}", "-e", "bridge", "-r", "{tmp}/r"], "no videos found"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(tmp_path, args, words):
    proc = posecheck("batch", *(a.format(tmp=tmp_path) for a in args), timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("posecheck: error: ") and words in proc.stderr and "Traceback" not in proc.stderr


def _marked(mark: str) -> list[int]:
    """The processes whose environment holds `mark` (a batch's workers inherit it)."""
    found = []
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if mark.encode() in env.read_bytes():
                found.append(int(env.parent.name))
        except OSError:
            pass
    return found


@pytest.mark.model
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_sigterm_mid_batch_keeps_the_summary_and_leaves_no_worker(first, tmp_path):
    root, _, _ = first
    for i in range(30):
        shutil.copy(root / "reports" / "a.landmarks.npz", tmp_path / f"r{i:02}.npz")
    mark = f"POSECHECK_BATCH_TEST_{os.getpid()}_{time.time_ns()}"
    env = dict(os.environ, PYTHONUNBUFFERED="1", **{mark: "1"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "batch", str(tmp_path / "*.npz"), "-e", "shoulder_blade_squeeze",
         "-r", str(tmp_path / "out"), "-j", "2", "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (tmp_path / "out" / "r00.json").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "run it again to resume" in err
    rows = _rows(tmp_path / "out")
    assert 0 < len(rows) < 30 and all(r["status"] == "done" for r in rows.values())
    time.sleep(1)
    assert _marked(mark) == []
