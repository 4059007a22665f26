"""Published text the loader does not read: the Markdown pages under content/, the draw records'
YAML copies, notes beside the data (README.md), and for the site the theme and a content folder
of its own. The repository is public, so each is scanned for personal data as the data files are."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Iterable

from ssjpub.loader import tree
from ssjpub.pii import scan_text
from ssjpub.problems import Pos, Problem

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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems = scan_text(text, rel)
    if path.suffix.lower() in _MARKUP and "&" in text:
        problems += _entities(text, rel, {p.line for p in problems})
    return problems


# Pages rendered as HTML: a character reference (&#49;, &nbsp;) shows on the site as what it stands for.
_MARKUP = {".md", ".markdown", ".html", ".htm"}


def _entities(text: str, rel: str, reported: set[int]) -> list[Problem]:
    """Personal data that only HTML character references hide, at the line (and first `&`) where
    it is written; lines already reported are not reported twice."""
    found = []
    for n, line in enumerate(text.split("\n"), 1):
        if "&" not in line or n in reported:
            continue
        shown = html.unescape(line)
        if shown != line:
            found += [Pos(rel, n, line.index("&") + 1).problem(p.code, p.message) for p in scan_text(shown, rel)]
    return found
