"""The data tree is closed: nothing under plans/, results/ or content/ is a symbolic link, and no
file path written in the data leaves the repository.

A link is reported at its own path and never followed: it is looked at with ``os.lstat`` (which
sees the link, not what it points to), a linked folder is not entered, and its target (which may
be a file outside the repository, with anything in it) appears in no message and no log.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath

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


# --- paths written in the data -------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f]")


def path_problem(rel: str, root: Path, under: str = "plans/") -> str | None:
    """Why ``rel``, a file path written in the data, is not a plain path inside the repository
    (Chinese, for the message), or None. It must be relative, with ``/`` between its parts,
    none of them ``..``, ``.`` or empty, start with ``under``, and reach its file without going
    through a symbolic link: only then does it name the same file on every machine, and one
    inside the repository."""
    if _INVISIBLE.search(rel):
        return "路径中不能有换行等控制字符"
    if "\\" in rel:
        return "路径应以“/”分隔，不能有反斜杠“\\”"
    if rel.startswith("/") or _DRIVE.match(rel):
        return "应为相对于仓库根目录的路径，不能以“/”或盘符开头"
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "路径中不能有“..”“.”或连续的“/”：它不能指向仓库之外"
    if not rel.startswith(under):
        return f"路径应在 {under} 之下"
    here = root
    for part in PurePosixPath(rel).parts:
        here = here / part
        found = kind(here)
        if found == "link":
            return "路径经过符号链接：它可能指向仓库之外，不会被读取"
        if found is None:
            break  # a file that is missing is `verify`'s to report, not a way out
    return None
