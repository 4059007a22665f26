"""The data tree is closed: nothing under plans/, results/ or content/ is a symbolic link.

A link is reported at its own path and never followed: it is looked at with ``os.lstat`` (which
sees the link, not what it points to), a linked folder is not entered, and its target (which may
be a file outside the repository, with anything in it) appears in no message and no log.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ssjpub.problems import Pos, Problem

Kind = str  # "file" | "dir" | "link" | "other"


def symlink_problem(rel: str) -> Problem:
    return Pos(rel).problem(
        "symlink", "这是符号链接（快捷方式）：数据目录中不允许符号链接，它不会被读取。请换成文件或目录本身"
    )


def _kind(mode: int) -> Kind:
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else "other"


def kind(path: Path) -> Kind | None:
    """What is at ``path`` itself (a link is a "link", whatever it points to); None if nothing."""
    try:
        return _kind(os.lstat(path).st_mode)
    except OSError:
        return None


def entries(folder: Path) -> list[tuple[str, Kind]]:
    """The names in a folder with what each is, sorted; empty when the folder cannot be listed."""
    try:
        with os.scandir(folder) as it:
            found = [(e.name, _kind(e.stat(follow_symlinks=False).st_mode)) for e in it]
    except OSError:
        return []
    return sorted(found)


def links_under(top: Path) -> list[Path]:
    """Every symbolic link at or under ``top``, sorted; linked folders are not entered."""
    if kind(top) == "link":
        return [top]
    found = []
    for folder, dirs, files in os.walk(top, followlinks=False):
        here = Path(folder)
        found += [here / n for n in (*dirs, *files) if kind(here / n) == "link"]
        dirs[:] = sorted(d for d in dirs if kind(here / d) == "dir")
    return sorted(found)
