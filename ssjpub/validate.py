"""Load everything and run the integrity checks: the whole of `ssjpub validate`."""

from __future__ import annotations

from pathlib import Path

from ssjpub.loader.repository import Repository, load_repository
from ssjpub.problems import Problem, sort_problems
from ssjpub.rules.integrity import check_repository
from ssjpub.timestamp.check import file_problems as timestamp_problems


def find_root(path: Path) -> Path:
    """The repository root: the folder holding plans/, at or above ``path``."""
    path = path.resolve()
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / "plans").is_dir():
            return folder
    return start


def validate(root: Path, results: bool = True) -> tuple[Repository, list[Problem]]:
    repo, problems = load_repository(root, results)
    problems += check_repository(repo)
    problems += timestamp_problems(repo)
    return repo, sort_problems(problems)
