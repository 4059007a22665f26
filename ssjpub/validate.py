"""Load everything and run the integrity checks: the whole of `ssjpub validate`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ssjpub.loader.repository import Repository, load_repository
from ssjpub.problems import Problem, sort_problems

if TYPE_CHECKING:
    from ssjpub.loader.parsecache import ParseCache


def unresolved(path: Path) -> Path:
    """``path`` made absolute with its folders resolved but not its last part: a symbolic link
    named on the command line stays the link (inside the repository), never its target."""
    path = Path(os.path.abspath(path))
    return path.parent.resolve() / path.name


def find_root(path: Path) -> Path:
    """The repository root: the folder holding plans/, at or above ``path``."""
    path = unresolved(path)
    into = path.is_dir() and (not path.is_symlink() or (path / "plans").is_dir())  # a linked root is fine
    start = path.resolve() if into else path.parent
    for folder in (start, *start.parents):
        if (folder / "plans").is_dir():
            return folder
    return start


def validate(root: Path, results: bool = True, agencies: frozenset[str] | None = None,
             parsed: ParseCache | None = None) -> tuple[Repository, list[Problem]]:
    """Every problem of the repository; ``results=False`` (for commands that only re-execute
    draws) also leaves the published text beside the data (content/, draws' YAML copies) unread.
    ``agencies`` limits it to those agencies and the shared files (see load_repository); with
    ``parsed``, YAML files whose bytes that cache holds are not parsed again (the site build's cache)."""
    # Imported here: `find_root` serves commands that check no rule (a cached `verify`).
    from ssjpub.loader.published import PUBLISHED, scan_unread
    from ssjpub.rules.integrity import check_repository
    from ssjpub.timestamp.check import file_problems as timestamp_problems  # cryptography: only here

    repo, problems = load_repository(root, results, agencies, parsed=parsed)
    if results:
        problems += scan_unread(repo.root, [repo.root / f for f in PUBLISHED], repo.files)
    problems += check_repository(repo)
    problems += timestamp_problems(repo)
    return repo, sort_problems(problems)
