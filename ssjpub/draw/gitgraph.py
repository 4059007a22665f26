"""The commit graph as the history checks read it: which commit descends from which, never dates.

A commit's id covers its parents' ids, so a commit that descends from another was made after it,
whatever dates either carries (whoever commits sets those freely). The published history is the
first-parent chain of HEAD (the "mainline"): what landed on the branch, in the order it landed,
whether the platform merges pull requests with merge commits, squashes or rebases them. Commits on
a merged side branch are proposals; their changes count once the merge lands them.

Git is asked in bulk: one `git rev-list` for the mainline, one `git log` of the mainline's changes
under the given folders, one `git log` of the side branches' additions, and `git cat-file --batch`
for file versions.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

CHINA = timezone(timedelta(hours=8))
_NO_BLOB = "0" * 40


class GitError(Exception):
    pass


class Git:
    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        try:
            out = subprocess.run(["git", "-c", "core.quotePath=false", "-C", str(self.root), *args],
                                 input=stdin, capture_output=True, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            raise GitError(detail.decode("utf-8", "replace").strip() or str(exc)) from None
        return out.stdout

    def blobs(self, specs: list[str]) -> dict[str, bytes | None]:
        """Contents of `rev:path` specs (or object ids) in one process; None where absent."""
        if not specs:
            return {}
        out = self.run("cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
        result: dict[str, bytes | None] = {}
        pos = 0
        for spec in specs:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode()
            pos = end + 1
            if header.endswith(" missing") or header.endswith(" ambiguous"):
                result[spec] = None
                continue
            size = int(header.split()[2])
            result[spec] = out[pos:pos + size]
            pos += size + 1
        return result


@dataclass(frozen=True)
class Change:
    """A mainline commit that changed a path against its first parent; blob None: deleted."""

    commit: str
    blob: str | None


@dataclass
class Graph:
    mainline: list[str] = field(default_factory=list)  # oldest first, ending at HEAD
    position: dict[str, int] = field(default_factory=dict)
    dates: dict[str, datetime] = field(default_factory=dict)  # committer dates: shown, never trusted
    landed: dict[str, list[Change]] = field(default_factory=dict)  # per path, along the mainline
    added_aside: dict[str, list[str]] = field(default_factory=dict)  # per path, side-branch additions

    def first_landing(self, path: str) -> Change | None:
        """The mainline commit that first brought the path onto the branch."""
        return next((c for c in self.landed.get(path, []) if c.blob is not None), None)

    def changed_after(self, path: str, commit: str) -> Change | None:
        """The first mainline change of the path after `commit` (a modification, or None's
        blob for a deletion or rename); None when it never changed again."""
        return next((c for c in self.landed.get(path, []) if self.position[c.commit] > self.position[commit]), None)

    def short(self, sha: str) -> str:
        return sha[:10]


def _raw_changes(text: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """`git log --raw --format=%x00%H` output: per commit, its (status, new blob, path) lines."""
    commits = []
    for chunk in text.split("\0")[1:]:
        head, *lines = chunk.split("\n")
        entries = []
        for line in lines:
            if not line.startswith(":"):
                continue
            meta, path = line.split("\t", 1)
            parts = meta.split()
            entries.append((parts[4][0], parts[3], path))
        commits.append((head.strip(), entries))
    return commits


def read_graph(git: Git, folders: list[str], strip: str = "") -> Graph:
    """The mainline of HEAD and the changes under `folders` (git paths); paths are reported with
    the `strip` prefix (the repository's place inside the git work tree) removed."""
    graph = Graph()
    for line in git.run("rev-list", "--first-parent", "--reverse", "--format=%H %ct", "HEAD").decode().splitlines():
        if line.startswith("commit "):
            continue
        sha, stamp = line.split()
        graph.position[sha] = len(graph.mainline)
        graph.mainline.append(sha)
        graph.dates[sha] = datetime.fromtimestamp(int(stamp), CHINA)

    def rel(path: str) -> str:
        return path[len(strip):] if strip and path.startswith(strip) else path

    log = git.run("log", "--first-parent", "--diff-merges=first-parent", "--reverse", "--raw",
                  "--no-renames", "--no-abbrev", "--format=%x00%H", "HEAD", "--", *folders).decode()
    for sha, entries in _raw_changes(log):
        for status, blob, path in entries:
            graph.landed.setdefault(rel(path), []).append(Change(sha, None if status == "D" or blob == _NO_BLOB else blob))
    # Every addition anywhere in the graph (merges show no diff here, so these are the commits that
    # made the files); those off the mainline are the side branches' commits.
    log = git.run("log", "--full-history", "--reverse", "--raw", "--no-renames", "--no-abbrev",
                  "--diff-filter=A", "--format=%x00%H", "HEAD", "--", *folders).decode()
    for sha, entries in _raw_changes(log):
        if sha in graph.position:
            continue
        for status, _blob, path in entries:
            if status == "A":
                graph.added_aside.setdefault(rel(path), []).append(sha)
    return graph
