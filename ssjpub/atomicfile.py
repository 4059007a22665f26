"""Files that appear whole or not at all.

Each is written to a hidden temporary file beside it (``.<name>.tmp-…``: the loader skips
dotfiles), flushed to disk, then renamed over its name, which POSIX makes atomic. Several files
are renamed together with Ctrl-C held back, so that an interrupt cannot fall between them; only a
hard crash (SIGKILL, power loss) can, and whoever writes such a group names the file renamed
last as its commit point (see ssjpub.draw.halves).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_MARK = ".tmp-"


def temp_prefix(path: Path) -> str:
    return f".{path.name}{TEMP_MARK}"


_HELD = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None)


_holding = 0  # depth of uninterrupted() blocks
_pending: list[int] = []  # signals a handler was asked to hold back meanwhile


def hold_signal(signum: int) -> bool:
    """For a signal handler: True when an uninterrupted() block is running, and the signal is
    then raised again as the block ends; False when the handler should act now. (Blocking the
    signal is not enough: it may reach another thread, or have arrived just before the block,
    and Python runs the handler in the main thread at its next instruction all the same.)"""
    if _holding:
        _pending.append(signum)
        return True
    return False


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Ctrl-C (and SIGTERM) wait until the block is done, then take effect."""
    global _holding
    masked = hasattr(signal, "pthread_sigmask")  # not on Windows
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD) if masked else None
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if not _holding and _pending:
            signum = _pending[0]
            _pending.clear()
            signal.raise_signal(signum)


# Temporary files written and not yet renamed or removed: a process ending on Ctrl-C removes
# them (ssjpub.cli.entry), as it does not unwind to the ``finally`` below.
_staged: set[str] = set()


def discard_staged() -> None:
    for tmp in list(_staged):
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def stage(path: Path, data: bytes) -> Path:
    """``data`` on disk in a hidden temporary file beside ``path``, ready to be renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with uninterrupted():  # no temporary file exists that _staged does not name
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path))
        _staged.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        os.unlink(tmp)
        _staged.discard(tmp)
        raise
    return Path(tmp)


def sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (a no-op where folders cannot be opened)."""
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


def write_files(files: list[tuple[Path, bytes]]) -> None:
    """Write every file, renamed into place in the order given; none is left half-written, and
    no temporary file is left behind unless the process is killed outright."""
    staged: list[Path] = []
    try:
        for path, data in files:
            staged.append(stage(path, data))
        with uninterrupted():
            for (path, _), tmp in zip(files, staged):
                os.replace(tmp, path)
                _staged.discard(str(tmp))
        for folder in sorted({path.parent for path, _ in files}):
            sync_folder(folder)
    finally:
        for tmp in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            _staged.discard(str(tmp))


def write_file(path: Path, data: bytes) -> None:
    write_files([(path, data)])
