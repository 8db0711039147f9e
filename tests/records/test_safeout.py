"""Safe outputs: a temp file beside the target, moved into place only when complete."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from posecheck.records import safeout
from posecheck.records.safeout import OutputError


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_replaces_only_when_complete_and_keeps_permissions(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    target.chmod(0o640)
    safeout.write_text(target, "new")
    assert target.read_text() == "new"
    assert (target.stat().st_mode & 0o777) == 0o640
    assert _names(tmp_path) == ["r.json"]


def test_temp_is_hidden_beside_the_target_with_its_suffix(tmp_path):
    temp = safeout.temp_beside(tmp_path / "out.mp4")
    assert temp.parent == tmp_path and temp.name.startswith(".out.") and temp.suffix == ".mp4"
    safeout.discard(temp)
    assert _names(tmp_path) == []


def test_pending_removes_the_temp_when_the_writer_fails(tmp_path):
    target = tmp_path / "p.png"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), safeout.pending(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("the writer broke")
    assert target.read_bytes() == b"old" and _names(tmp_path) == ["p.png"]


def test_a_full_disk_names_the_file_and_leaves_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "e.csv"
    target.write_bytes(b"old")

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OutputError, match=r"e\.csv: cannot write: no space left"):
        safeout.write_text(target, "new")
    assert target.read_bytes() == b"old" and _names(tmp_path) == ["e.csv"]


def test_a_link_to_a_file_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    safeout.write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize("kind", ["folder", "fifo", "link to fifo"])
def test_only_regular_files_are_replaced(tmp_path, kind):
    target = tmp_path / "t"
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        os.mkfifo(tmp_path / "f")
        target.symlink_to(tmp_path / "f")
    with pytest.raises(OutputError):
        safeout.check_outputs({"--report": target})


def test_an_output_is_never_an_input_or_another_output(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"video")
    with pytest.raises(OutputError, match="would overwrite the video"):
        safeout.check_outputs({"--output": tmp_path / "." / "v.mp4"}, {"video": video})
    with pytest.raises(OutputError, match="given as both"):
        safeout.check_outputs({"--output": tmp_path / "o.mp4", "--report": tmp_path / "o.mp4"})
    safeout.check_outputs({"--output": tmp_path / "o.mp4", "--report": None}, {"video": video, "model": None})
