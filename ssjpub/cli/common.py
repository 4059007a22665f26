"""What several commands share."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from ssjpub.loader.repository import Repository
from ssjpub.problems import Problem, format_problems, has_errors
from ssjpub.validate import find_root, validate


def load_valid(root: Path, fmt: str, results: bool = True) -> tuple[Repository, list[Problem]]:
    """The repository at or above `root` when it validates (warnings returned); otherwise print
    every problem and exit 1: nothing else may run on invalid data. ``results=False`` leaves
    results/ unread, for commands that only re-execute draws."""
    # Loading makes millions of objects and no reference cycles (see tests/test_verify_fast_paths.py),
    # so the cyclic collector would only walk them over and over: it is paused while loading, and
    # then told to leave what was loaded alone for good, as it lives until the command ends.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        repo, problems = validate(find_root(root), results)
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()
    if has_errors(problems):
        sys.stdout.write(format_problems(problems, fmt))
        click.echo("数据未通过校验，先修正上面的问题。", err=True)
        sys.exit(1)
    return repo, problems
