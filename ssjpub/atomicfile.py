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
import threading
from collections.abc import Iterator
from pathlib import Path

TEMP_MARK = ".tmp-"


def temp_prefix(path: Path) -> str:
    return f".{path.name}{TEMP_MARK}"


_HELD = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None)
_pending: list[int] = []  # signals that came during an uninterrupted() block


def _hold(signum, _frame) -> None:
    _pending.append(signum)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Ctrl-C (and SIGTERM) wait until the block is done, then take effect as they would have.

    Their handlers are swapped for one that notes them, and the signal is raised again after:
    blocking it would not do, as Python runs a handler in the main thread whichever thread the
    signal reached. Only the main thread can swap handlers; elsewhere, this holds nothing back."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(_HELD[0]) is _hold:
        yield  # not the main thread, or already inside such a block
        return
    previous = {signum: signal.signal(signum, _hold) for signum in _HELD}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if _pending:
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


def write_cache_file(path: Path, data: bytes) -> bool:
    """``data`` renamed into place whole, without flushing to disk: for cache entries, which are
    checked when read (a torn one is a miss), so the fsync of write_file would only cost time.
    False when the folder cannot be written (the caller goes on without caching)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        return False
    return True
