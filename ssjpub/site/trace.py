"""Traceability: which commit last changed each file, and links to the repository at that commit.

One ``git log`` pass over the whole history gives the last commit of every file at once (never one
git call per file); one ``git status`` says which files have uncommitted changes. Outside a git
checkout, or without git, everything is "未知" and the pages say so.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

UNKNOWN = "未知"
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_HEAD = "\x1e"  # starts each commit header in the log output
_SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class FileCommit:
    sha: str  # 40 (or 64) hex digits
    day: date  # the committer date, as written in the commit (its own time zone)


@dataclass(frozen=True)
class History:
    """The last commit of each path, and the paths changed in the working tree."""

    files: dict[str, FileCommit] = field(default_factory=dict)
    dirty: frozenset[str] = frozenset()
    known: bool = False  # False outside a git checkout

    def last(self, path: str) -> FileCommit | None:
        return self.files.get(path)


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=off", *args],
            cwd=root,
            capture_output=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogateescape")


def parse_log(text: str) -> dict[str, FileCommit]:
    """``git log --format=%x1e%H%x1f%cs --name-only`` output, newest first → the first (newest)
    commit naming each path."""
    files: dict[str, FileCommit] = {}
    current: FileCommit | None = None
    for line in text.split("\n"):
        if line.startswith(_HEAD):
            sha, _, day = line[1:].partition(_SEP)
            try:
                current = FileCommit(sha.strip(), date.fromisoformat(day.strip()))
            except ValueError:
                current = None
            continue
        if line and current is not None and line not in files:
            files[line] = current
    return files


def parse_status(text: str) -> frozenset[str]:
    """``git status --porcelain=v1 -z --untracked-files=all`` → the paths with changes."""
    out = set()
    entries = text.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        out.add(entry[3:])
        if entry[0] in "RC":  # a rename or copy: the next entry is the old path
            i += 1
    return frozenset(out)


def read_history(root: Path) -> History:
    """Two git calls for the whole repository: the log (names only) and the status."""
    log = _git(root, "log", "--no-renames", f"--format={_HEAD}%H{_SEP}%cs", "--name-only", "HEAD")
    if log is None:
        return History()
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all")
    return History(parse_log(log), parse_status(status or ""), known=True)


def build_commit(root: Path) -> str:
    """The commit the site is built from; "未知" outside a checkout."""
    out = _git(root, "rev-parse", "--verify", "HEAD")
    commit = (out or "").strip()
    return commit if _SHA.match(commit) else UNKNOWN


def _web(repository: str | None, sha: str, kind: str) -> str | None:
    """`<repository>/blob/<sha>` (GitHub) or `<repository>/-/blob/<sha>` (GitLab, by its host);
    None when unknown or not an http(s) address."""
    if not repository or not _SHA.match(sha):
        return None
    base = repository.strip().rstrip("/")
    if base.endswith(".git"):
        base = base[:-4]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{base}{'/-/' if 'gitlab' in parts.netloc.lower() else '/'}{kind}/{sha}"


def blob_url(repository: str | None, sha: str, path: str) -> str | None:
    """The file at a commit on the repository's web interface."""
    url = _web(repository, sha, "blob")
    return f"{url}/{quote(path)}" if url else None


def commit_url(repository: str | None, sha: str) -> str | None:
    return _web(repository, sha, "commit")


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source file of a page, as the page shows it."""

    path: str
    sha: str  # the commit that last changed it, or "未知"
    day: str  # that commit's date, or ""
    url: str | None  # the file at that commit on the repository's web site
    dirty: bool = False  # changed in the working tree since that commit (a local preview)

    @property
    def short(self) -> str:
        return self.sha[:10] if self.sha != UNKNOWN else UNKNOWN


def source_ref(history: History, path: str, repository: str | None) -> SourceRef:
    last = history.last(path)
    dirty = path in history.dirty
    if last is None:
        return SourceRef(path, UNKNOWN, "", None, dirty)
    return SourceRef(path, last.sha, last.day.isoformat(), blob_url(repository, last.sha, path), dirty)


def by_commit(refs: list[SourceRef]) -> list[list[SourceRef]]:
    """A page's sources grouped by the commit that last changed them, in the order each commit is
    first named: a page names a few commits for many files (a record's every draw and result), and
    each file said its commit again."""
    groups: dict[tuple[str, str], list[SourceRef]] = {}
    for ref in refs:
        groups.setdefault((ref.sha, ref.day), []).append(ref)
    return list(groups.values())


def latest_day(history: History, paths: list[str] | tuple[str, ...]) -> date | None:
    days = [c.day for p in paths if (c := history.last(p)) is not None]
    return max(days) if days else None
