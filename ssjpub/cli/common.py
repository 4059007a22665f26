"""What several commands share."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ssjpub.loader.repository import Repository
from ssjpub.problems import Problem, format_problems, has_errors
from ssjpub.validate import find_root, validate


def load_valid(root: Path, fmt: str) -> tuple[Repository, list[Problem]]:
    """The repository at or above `root` when it validates (warnings returned); otherwise print
    every problem and exit 1: nothing else may run on invalid data."""
    repo, problems = validate(find_root(root))
    if has_errors(problems):
        sys.stdout.write(format_problems(problems, fmt))
        click.echo("数据未通过校验，先修正上面的问题。", err=True)
        sys.exit(1)
    return repo, problems
