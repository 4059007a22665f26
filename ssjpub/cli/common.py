"""What several commands share."""

from __future__ import annotations

import contextlib
import gc
import re
import sys
from pathlib import Path

import click

from ssjpub.loader.parsecache import ParseCache
from ssjpub.loader.repository import Repository, load_repository
from ssjpub.problems import Problem, format_problems, has_errors, sort_problems
from ssjpub.validate import find_root, validate


@contextlib.contextmanager
def gc_paused():
    """The cyclic collector off for a step that makes a million objects and no cycles (loading a
    province snapshot, a draw of it). With the loaded data frozen, the collector's full passes come
    often and each walks every object made since: a province draw spent seconds in them. What the
    step made is frozen before the collector is back on: it is all still in the youngest generation,
    and the first collection would walk it once (0.2 s after loading a province snapshot). Frozen
    objects are still freed when their last reference goes; only cycles among them would stay."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def load_valid(root: Path, fmt: str, results: bool = True, agencies: frozenset[str] | None = None,
               deferred: bool = False, parsed: ParseCache | None = None) -> tuple[Repository, list[Problem]]:
    """The repository at or above `root` when it validates (warnings returned); otherwise print
    every problem and exit 1: nothing else may run on invalid data. ``results=False`` leaves
    results/ unread, for commands that only re-execute draws. ``deferred`` (verify with its
    cache) loads as load_repository's ``deferred`` and checks only the files it read, leaving the
    checks across files to `validate`, which CI runs beside it; ``parsed`` is its cache of YAML documents."""
    # Loading makes millions of objects and no reference cycles (see tests/test_verify_fast_paths.py),
    # so the cyclic collector would only walk them over and over: it is paused while loading, and
    # what was loaded is frozen (it lives until the command ends).
    with gc_paused():
        if deferred:
            repo, problems = load_repository(find_root(root), results, agencies, deferred=True, parsed=parsed)
        else:
            repo, problems = validate(find_root(root), results, agencies)
    exit_if_invalid(problems, fmt)
    return repo, problems


def exit_if_invalid(problems: list[Problem], fmt: str) -> None:
    """Print every problem and exit 1 when there is an error among them."""
    if has_errors(problems):
        sys.stdout.write(format_problems(sort_problems(problems), fmt))
        click.echo("数据未通过校验，先修正上面的问题。", err=True)
        sys.exit(1)


AGENCY = click.option(
    "--agency", "agencies", multiple=True, metavar="CODE",
    help="只处理这个机关（plans/CODE/、results/CODE/）和共享文件；可写多次。CI 按机关分作业时用它。")


def chosen_agencies(root: Path, codes: tuple[str, ...]) -> frozenset[str] | None:
    """The agencies named with --agency (None: all); an unknown code ends the command (exit 2)."""
    if not codes:
        return None
    plans = find_root(root) / "plans"
    unknown = sorted(c for c in set(codes) if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", c) or not (plans / c).is_dir())
    if unknown:
        click.echo(f"机关“{'、'.join(unknown)}”不存在：--agency 应写 plans/ 下的机关代号。", err=True)
        sys.exit(2)
    return frozenset(codes)
