"""Published text the loader does not read: the Markdown pages under content/, the draw records'
YAML copies, notes beside the data (README.md), and for the site the theme and a content folder
of its own. The repository is public, so each is scanned for personal data as the data files are."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ssjpub.loader import tree
from ssjpub.pii import scan_text
from ssjpub.problems import Problem

# Everything under these folders is published (DESIGN §3).
PUBLISHED = ("plans", "results", "content")


def display_path(path: Path, root: Path) -> str:
    """Repository-relative where it can be, else the full path."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def scan_unread(root: Path, folders: Iterable[Path], read: Iterable[str] = (),
                skip: Iterable[Path] = ()) -> list[Problem]:
    """Personal data in every file under ``folders`` that is not among ``read`` (the
    repository-relative files the loader has already scanned), leaving out the folders in ``skip``
    and hidden ones (.git, .venv: not published). Links are never followed (os.walk does not enter
    linked folders; linked files are skipped): ssjpub.loader.tree reports them."""
    done, skipped = set(read), set(skip)
    problems: list[Problem] = []
    for folder in folders:
        if tree.kind(folder) != "dir":
            continue  # absent, or a link: never followed (the loader reports links)
        for top, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and Path(top, d) not in skipped)
            for name in sorted(files):
                path = Path(top, name)
                rel = display_path(path, root)
                if rel not in done and tree.kind(path) == "file":
                    problems += _scan_file(path, rel)
    return problems


def _scan_file(path: Path, rel: str) -> list[Problem]:
    try:
        raw = path.read_bytes()
    except OSError:
        return []  # nothing the site can publish either
    if b"\0" in raw:
        return []  # binary (an image, a workbook): no text to scan
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", "replace")  # a note saved by Excel or Notepad as GBK
    return scan_text(text.replace("\r\n", "\n").replace("\r", "\n"), rel)
