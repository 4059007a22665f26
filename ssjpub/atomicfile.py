"""Files that appear whole or not at all.

Each is written to a hidden temporary file beside it (``.<name>.tmp-…``: the loader skips
dotfiles), flushed to disk, then renamed over its name, which POSIX makes atomic. Several files
are renamed together with Ctrl-C held back, so that an interrupt cannot fall between them; only a
hard crash (SIGKILL, power loss) can, and whoever writes such a group names the file renamed
last as its commit point (see ssjpub.draw.pair).
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


def stage(path: Path, data: bytes) -> Path:
    """``data`` on disk in a hidden temporary file beside ``path``, ready to be renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        os.unlink(tmp)
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


_HELD = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Ctrl-C (and SIGTERM) wait until the block is done, then take effect."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: nothing to hold them with
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


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
        for folder in sorted({path.parent for path, _ in files}):
            sync_folder(folder)
    finally:
        for tmp in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def write_file(path: Path, data: bytes) -> None:
    write_files([(path, data)])
