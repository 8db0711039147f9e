"""Output files written safely: checked before any work, written to a hidden temporary file
beside the target, flushed to disk, and moved into place only when complete.

An existing file at the target is never touched before the run has succeeded; only regular
files are replaced (never a folder, a device or a pipe); an output is never the run's input
or another of its outputs. A full disk is one line naming the file, and leaves no partial
file behind.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from posecheck.errors import PosecheckError


class OutputError(PosecheckError):
    """An output file cannot be written, or would destroy something the user has."""


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def _target(path: Path) -> Path:
    """Where the file really goes: a symlink to a regular file is followed (the link stays)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_target(path: Path) -> None:
    """Fail before any work if `path` cannot take a new regular file."""
    real = _target(path)
    try:
        st = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        st = None  # the folder's checks below say what is wrong
    except OSError as e:
        raise OutputError(f"{path}: cannot write here ({e.strerror})") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{path}: is a folder; give a file name")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{path}: is not a regular file (a device, pipe or socket); give a file name")
    parent = real.parent if str(real.parent) else Path(".")
    if not parent.exists():
        raise OutputError(f"{path}: cannot write here: the folder {parent} does not exist")
    if not parent.is_dir():
        raise OutputError(f"{path}: cannot write here: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK) or (st is not None and not os.access(real, os.W_OK)):
        raise OutputError(f"{path}: cannot write here: permission denied")


def check_outputs(outputs: Mapping[str, Path | None], inputs: Mapping[str, Path | None] | None = None) -> None:
    """Check a run's outputs up front: each writable as a regular file, none the same file as
    an input (the video, the camera's video file, the model) or as another output.

    `outputs` and `inputs` map an option's name (for the message) to its path, or None.
    """
    given = [(name, Path(p)) for name, p in outputs.items() if p is not None]
    ins = [(name, Path(p)) for name, p in (inputs or {}).items() if p is not None]
    for i, (name, path) in enumerate(given):
        for in_name, src in ins:
            if _same(path, src):
                raise OutputError(f"{path}: {name} would overwrite the {in_name}; give another file name")
        for other_name, other in given[:i]:
            if _same(path, other):
                raise OutputError(f"{path}: given as both {other_name} and {name}; give two file names")
        check_target(path)


def temp_beside(path: Path) -> Path:
    """A new, empty, hidden file beside `path`'s target, with the same suffix (writers choose
    their format by it)."""
    real = _target(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{real.stem}.", suffix=f".part{real.suffix}", dir=real.parent or ".")
    except OSError as e:
        raise output_error(path, e) from None
    os.close(fd)
    return Path(name)


def output_error(path: Path, e: OSError) -> OutputError:
    """The one line for an OSError while writing `path` (a full disk said so)."""
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(f"{path}: cannot write: no space left on the disk; nothing was written there")
    return OutputError(f"{path}: cannot write ({e.strerror or e})")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def discard(temp: Path) -> None:
    temp.unlink(missing_ok=True)


def commit(temp: Path, path: Path) -> None:
    """Flush `temp` to disk and move it over `path`'s target. On failure `temp` is removed,
    the target is unchanged, and an OutputError names `path`."""
    real = _target(path)
    try:
        check_target(path)  # it may have turned into something else while the run went on
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if real.exists():  # keep the user's permissions on the file they had
            os.chmod(temp, stat.S_IMODE(os.stat(real).st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, real)
    except OSError as e:
        discard(temp)
        raise output_error(path, e) from None
    except BaseException:
        discard(temp)
        raise
    _fsync_dir(real.parent)


def write_bytes(path: Path, data: bytes) -> None:
    """Write a whole file safely (temp beside, flushed, moved into place)."""
    temp = temp_beside(path)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_TRUNC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as e:
        discard(temp)
        raise output_error(path, e) from None
    except BaseException:
        discard(temp)
        raise
    commit(temp, path)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@contextmanager
def pending(path: Path) -> Iterator[Path]:
    """`with pending(target) as temp:` write `temp` (a writer given its path); it replaces the
    target when the block ends normally, and is removed when it raises."""
    temp = temp_beside(path)
    try:
        yield temp
    except OSError as e:
        discard(temp)
        raise output_error(path, e) from None
    except BaseException:
        discard(temp)
        raise
    commit(temp, path)


def history_files(folder: str | Path | None) -> dict[str, Path | None]:
    """The history's database files (for check_outputs' inputs): an output never replaces them."""
    from posecheck.records.history import DB_NAME, data_dir

    db = data_dir(folder) / DB_NAME
    return {
        "history": db,
        "history's log": db.with_name(db.name + "-wal"),
        "history's index": db.with_name(db.name + "-shm"),
    }
