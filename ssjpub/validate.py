"""Load everything and run the integrity checks: the whole of `ssjpub validate`."""

from __future__ import annotations

from pathlib import Path

from ssjpub.loader.published import PUBLISHED, scan_unread
from ssjpub.loader.repository import Repository, load_repository
from ssjpub.problems import Problem, sort_problems
from ssjpub.rules.integrity import check_repository


def find_root(path: Path) -> Path:
    """The repository root: the folder holding plans/, at or above ``path``."""
    path = path.resolve()
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / "plans").is_dir():
            return folder
    return start


def validate(root: Path, results: bool = True) -> tuple[Repository, list[Problem]]:
    """Every problem of the repository; ``results=False`` (for commands that only re-execute
    draws) also leaves the published text beside the data (content/, draws' YAML copies) unread."""
    repo, problems = load_repository(root, results)
    if results:
        problems += scan_unread(repo.root, [repo.root / f for f in PUBLISHED], repo.files)
    problems += check_repository(repo)
    return repo, sort_problems(problems)
