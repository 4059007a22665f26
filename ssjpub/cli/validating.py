from __future__ import annotations

import sys
from pathlib import Path

import click

from ssjpub.cli.common import AGENCY, chosen_agencies
from ssjpub.problems import format_problems, has_errors, summary
from ssjpub.validate import find_root, unresolved, validate

FORMATS = click.Choice(["text", "json", "github"])


@click.command("validate")
@click.argument("path", default=".", metavar="[路径]", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=FORMATS,
    default="text",
    show_default=True,
    help="text：file:line:col: CODE 说明；json：机器可读；github：GitHub Actions 注释。",
)
@AGENCY
def validate_cmd(path: Path, fmt: str, agencies: tuple[str, ...]) -> None:
    """校验数据仓库中的全部数据，一次列出所有问题。

    路径是仓库根目录（含 plans/）或其中的某个文件；给出文件时只列出该文件的问题，
    但引用关系仍按整个仓库检查。有错误时退出码为 1，没有错误时为 0。
    --agency 只校验所写的机关和共享文件（CI 按机关分作业）。
    """
    if not path.exists():
        click.echo(f"路径不存在：{path}", err=True)
        sys.exit(2)
    root = find_root(path)
    _repo, problems = validate(root, agencies=chosen_agencies(root, agencies))
    target = unresolved(path)  # a link named here is reported as itself, never its target
    if (path.is_file() or path.is_symlink()) and (root / "plans").is_dir() and target.is_relative_to(root):
        rel = target.relative_to(root).as_posix()
        problems = [p for p in problems if p.file == rel]
    sys.stdout.write(format_problems(problems, fmt))
    if fmt == "text":
        click.echo(summary(problems), err=True)
    sys.exit(1 if has_errors(problems) else 0)
