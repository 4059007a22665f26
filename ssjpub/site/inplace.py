"""Updating the output folder in place (issue 16 item 1): a build after a complete one writes only
the files whose bytes change and deletes only those no longer produced, instead of building a
whole new site beside it and swapping it in (ssjpub.site.publish).

What the output folder holds is recorded in the site cache's folder (``output.json``, never in the
published output): per file its SHA-256, its size and modification time as written, and the cache
blob it was made from. A file on disk with that size and time is taken to be those bytes.

Safety: an in-place build first deletes the record and ``manifest.json`` and puts ``MARK`` in the
output folder; a successful build removes the mark, then writes the record. A build that fails or
is killed leaves the mark (the output is clearly incomplete: no manifest) and no record, so the
next build is a full one through the staging folder, which replaces the whole folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ssjpub.site import sitecache

RECORD = "output.json"  # in the site cache's folder
MARK = ".ssjpub-incomplete"  # in the output folder while an in-place build runs
FORMAT = "ssjpub-output/1"


@dataclass(frozen=True)
class Held:
    """The output folder as the last build left it."""

    commit: str  # the build commit and compliance date its pages were written with
    as_of: str
    files: dict[str, list]  # rel → [blob digest or None, sha256, size, mtime_ns]


def previous(cache: Path, final: Path) -> Held | None:
    """The record of `final`, if the last build there finished and nothing has marked it since."""
    try:
        doc = json.loads((cache / RECORD).read_bytes())
        if doc.get("format") != FORMAT or doc["output"] != str(final) or (final / MARK).exists():
            return None
        if not (final / "manifest.json").is_file():
            return None
        return Held(doc["commit"], doc["as_of"], dict(doc["files"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def begin(cache: Path, final: Path, manifest: str) -> int:
    """Mark `final` incomplete before anything in it changes; returns the mark's change time (the
    file system's clock): a file changed since is one this build wrote."""
    (cache / RECORD).unlink(missing_ok=True)
    mark = final / MARK
    mark.write_bytes(b"")
    (final / manifest).unlink(missing_ok=True)
    return mark.stat().st_ctime_ns


def unchanged(held: Held | None, final: Path, rel: str, sha: str, blob: str | None,
              commit: str, as_of: str) -> tuple[str, int] | None:
    """(sha256, size) of `rel` if the output folder already holds the bytes this build would write:
    the same file digest (`sha`, or for a cached page the same blob with no build-wide value in it,
    or the same blob and the same build-wide values), the file as it was written."""
    if held is None:
        return None
    rec = held.files.get(rel)
    if rec is None:
        return None
    old_blob, old_sha, size, mtime = rec
    if blob is None:
        if old_sha != sha:
            return None
    elif old_blob != blob or (old_sha != blob and (held.commit, held.as_of) != (commit, as_of)):
        return None
    try:
        st = (final / rel).stat()
    except OSError:
        return None
    return (old_sha, size) if (st.st_size, st.st_mtime_ns) == (size, mtime) else None


def remove_stale(final: Path, files: list[str], since: int, kept: set[str]) -> list[str]:
    """Delete every file of `files` this build neither wrote (changed since the mark) nor kept, and
    the folders left empty; returns the files left."""
    left, emptied = [], set()
    for rel in files:
        path = final / rel
        if rel not in kept and rel != MARK and path.lstat().st_ctime_ns < since:
            path.unlink()
            emptied.add(path.parent)
        else:
            left.append(rel)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while folder != final and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return left


def finish(cache: Path, final: Path, commit: str, as_of: str, files: dict[str, list]) -> None:
    """The build is complete: unmark the folder, then record what it holds."""
    (final / MARK).unlink(missing_ok=True)
    doc = {"format": FORMAT, "output": str(final), "commit": commit, "as_of": as_of, "files": files}
    try:
        cache.mkdir(parents=True, exist_ok=True)
        sitecache.replace_file(cache / RECORD, json.dumps(doc, sort_keys=True, separators=(",", ":")).encode())
    except OSError:
        pass  # no record: the next build is a full one
