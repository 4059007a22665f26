from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import click

from ssjpub.loader import tree
from ssjpub.atomicfile import write_file
from ssjpub.problems import Pos, format_problems
from ssjpub.model import TARGET_SOURCES


def _day(_ctx, _param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是有效日期，格式为 YYYY-MM-DD")


@click.command("import-targets")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", required=True, help="机关代号，即 plans/ 下的目录名，如 baofeng。")
@click.option("--date", "taken_on", required=True, callback=_day, help="快照日期（导出日期），YYYY-MM-DD。")
@click.option("--source", type=click.Choice(TARGET_SOURCES), default=None, help="表中没有“来源”列时，全部行的来源。")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True, help="数据仓库根目录。")
@click.option("--skip-invalid", is_flag=True, help="跳过有问题的行，只写入其余行（默认：有问题就什么也不写）。")
def import_targets(file: Path, agency: str, taken_on: date, source: str | None, root: Path, skip_invalid: bool) -> None:
    """把参保系统导出的 XLSX/CSV 转为检查对象名录快照 plans/AGENCY/targets/DATE.csv。

    只保留公开字段（统一社会信用代码、单位名称、区域、行业、诚信等级、投诉举报数、严重违法记录、
    经营状态、来源），其余列（联系人、电话等）一律丢弃；统一社会信用代码转为半角大写并核对校验码。
    有问题的行按表格中的行号列出。已有的快照不会被覆盖。
    """
    # pandas takes half a second to import and only this command needs it
    from ssjpub.importer import convert, read_table

    shown = file.as_posix()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", agency):
        _fail([Pos(shown).problem("invalid-value", f"机关代号“{agency}”只能用小写字母、数字和连字符")])
    agency_dir = root / "plans" / agency
    # Never write through a link: the snapshot would land outside the repository.
    on_the_way = (root / "plans", agency_dir, agency_dir / "targets", agency_dir / "targets" / f"{taken_on}.csv")
    links = [p for p in on_the_way if tree.kind(p) == "link"]
    if links:
        _fail([tree.symlink_problem(p.as_posix()) for p in links])
    if not agency_dir.is_dir():
        _fail([Pos(shown).problem("dangling-reference", f"机关“{agency}”不存在（没有目录 {agency_dir.as_posix()}）")])
    target = agency_dir / "targets" / f"{taken_on.isoformat()}.csv"
    if target.exists():
        _fail([Pos(target.as_posix()).problem("duplicate-id", "该日期的快照已存在；快照一经提交不得修改，请换一个日期")])
    try:
        frame = read_table(file)
    except Exception as exc:  # noqa: BLE001 - any unreadable spreadsheet is the user's file, not our bug
        _fail([Pos(shown).problem("file-read", f"无法读取表格：{exc}")])
    result, problems = convert(frame, shown, source)
    sys.stdout.write(format_problems(problems))
    if not result.kept or (problems and not skip_invalid):
        click.echo(f"有 {result.refused or len(problems)} 行（项）问题，未写入任何文件。"
                   + ("可加 --skip-invalid 跳过有问题的行。" if result.csv_text else ""), err=True)
        sys.exit(1)
    write_file(target, result.csv_text.encode("utf-8"))
    click.echo(f"已写入 {target.as_posix()}：{result.kept} 家单位，跳过 {result.refused} 行。", err=True)
    if result.dropped_columns:
        click.echo(f"已丢弃非公开列：{'、'.join(result.dropped_columns)}", err=True)
    if result.defaulted_columns:
        click.echo(f"表中没有这些列，已取默认值：{'、'.join(result.defaulted_columns)}", err=True)


def _fail(problems) -> None:
    sys.stdout.write(format_problems(problems))
    sys.exit(1)
