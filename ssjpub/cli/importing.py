from __future__ import annotations

import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from ssjpub.loader import tree
from ssjpub.atomicfile import write_file
from ssjpub.problems import Pos, Problem, format_problems, sort_problems
from ssjpub.model import SNAPSHOT_TITLES, TARGET_SOURCES


def _day(_ctx, _param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是有效日期，格式为 YYYY-MM-DD")


@click.command("import-targets")
@click.argument("file", metavar="表格文件", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", required=True, metavar="CODE", help="机关代号，即 plans/ 下的目录名，如 baofeng。")
@click.option("--date", "taken_on", required=True, callback=_day, metavar="YYYY-MM-DD", help="快照日期（导出日期），YYYY-MM-DD。")
@click.option("--source", type=click.Choice(TARGET_SOURCES), default=None, help="表中没有“来源”列时，全部行的来源。")
@click.option("--sheet", default=None, metavar="工作表", help="要导入的工作表名称（工作簿中有多个带表头的工作表时）。")
@click.option("--merge", "merges", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="按统一社会信用代码合并另一个表中的诚信等级、投诉举报数、严重违法记录或单位状态（可重复）。")
@click.option("--carry", is_flag=True, help="表中没有的诚信等级等列，合并的表中没有的单位沿用该日期之前最近的快照中的值。")
@click.option("--carry-from", "carry_from", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="同 --carry，但沿用指定的快照文件，如 plans/baofeng/targets/2024-07-01.csv。")
@click.option("--part", default=None, metavar="NAME",
              help="写入拆分的名录中的一个文件 plans/AGENCY/targets/DATE/NAME.csv（名录太大、按县导入时，"
                   "如 --part 410402，每个县导入一次），而不是 DATE.csv。")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True, help="数据仓库根目录。")
@click.option("--skip-invalid", is_flag=True, help="跳过有问题的行，只写入其余行（默认：有问题就什么也不写）。")
def import_targets(file: Path, agency: str, taken_on: date, source: str | None, sheet: str | None,
                   merges: tuple[Path, ...], carry: bool, carry_from: Path | None, part: str | None, root: Path,
                   skip_invalid: bool) -> None:
    """把参保系统导出的 XLSX/CSV 转为检查对象名录快照 plans/AGENCY/targets/DATE.csv
    （加 --part NAME 时为拆分的名录中的一个文件 plans/AGENCY/targets/DATE/NAME.csv）。

    表头可以在标题行、日期行之下（自动查找）；列名和单位状态按默认对照及 plans/AGENCY/import.yaml
    识别；合计行、空行跳过并计数。只保留公开字段（统一社会信用代码、单位名称、区域、行业、诚信等级、
    投诉举报数、严重违法记录、经营状态、来源），其余列（联系人、电话等）一律丢弃。表中没有的诚信等级、
    投诉举报数、严重违法记录、经营状态不会取默认值：用 --merge 合并，或用 --carry 沿用上一快照。
    问题按 Excel 中的单元格（如 Sheet1!D7）列出；已有的快照不会被覆盖。

    --carry 沿用该日期之前最近的快照（单个文件，或拆分的目录的全部部分）中的值；加 --part 时沿用最近的同名部分
    （DATE/NAME.csv），还没有拆分过时沿用此前的单个文件。
    """
    from ssjpub.excel import UnreadableFile, read_sheets
    from ssjpub.importer import REQUIRED, Importer, fact_sources, header_problems, locate, unmatched
    from ssjpub.importmap import names as column_names
    from ssjpub.loader.repository import load_mapping

    shown = file.as_posix()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", agency):
        _fail([Pos(shown).problem("invalid-value", f"机关代号“{agency}”只能用小写字母、数字和连字符")])
    agency_dir = root / "plans" / agency
    day = taken_on.isoformat()
    whole, folder = agency_dir / "targets" / f"{day}.csv", agency_dir / "targets" / day
    if part is not None:
        part = part.removesuffix(".csv")
        if not _PART.fullmatch(part):
            _fail([Pos(shown).problem("invalid-value", f"--part“{part}”不能用作文件名：只能用字母、数字、汉字、连字符和下划线，"
                                                      "如 410402 或 410421-宝丰县")])
    target = whole if part is None else folder / f"{part}.csv"
    # Never write through a link: the snapshot would land outside the repository.
    on_the_way = (root / "plans", agency_dir, agency_dir / "targets", *((folder,) if part else ()), target)
    links = [p for p in on_the_way if tree.kind(p) == "link"]
    if links:
        _fail([tree.symlink_problem(p.as_posix()) for p in links])
    if not agency_dir.is_dir():
        _fail([Pos(shown).problem("dangling-reference", f"机关“{agency}”不存在（没有目录 {agency_dir.as_posix()}）")])
    if target.exists():
        _fail([Pos(target.as_posix()).problem("duplicate-id", "该日期的快照已存在；快照一经提交不得修改，请换一个日期" if part is None
                                              else f"该日期的快照中已有部分 {part}.csv；快照一经提交不得修改，请换一个日期或部分的名称")])
    other = folder if part is None else whole  # one day's snapshot is one file or one folder of parts
    if tree.kind(other) is not None:
        _fail([Pos(other.as_posix()).problem("snapshot-twice", (
            f"{day} 的名录快照已经拆分成目录 {folder.as_posix()}/：要加入一个部分，请加 --part（如 --part 410402）"
            if part is None else f"{day} 的名录快照已经是单个文件 {whole.as_posix()}：同一天不能再有拆分的目录，请换一个日期"))])
    mapping, problems = load_mapping(root, agency)
    if mapping is not None:
        from ssjpub.importmap import mapping_problems
        problems += mapping_problems(mapping)
    if problems:
        _fail(problems)
    names = column_names(mapping.model if mapping else None, f"plans/{agency}/import.yaml")

    problems = []
    tables = []
    for path in (file, *merges):
        try:
            found = locate(read_sheets(path, path.as_posix()), names, sheet if path == file else None)
        except UnreadableFile as exc:
            problems.append(Pos(path.as_posix()).problem("file-read", f"无法读取表格：{exc}"))
            continue
        if isinstance(found, Problem):
            problems.append(found)
        else:
            tables.append((path, found))
    main = next((t for p, t in tables if p == file), None)
    if main is None:
        _fail(problems)
    want = REQUIRED + (("source",) if source is None else ())
    problems += header_problems(main, names, want)
    if any(c not in main.columns for c in REQUIRED):
        _fail(problems)
    importer = Importer(names, source)
    merged = [importer.merged(t) for p, t in tables if p != file]
    carry_facts = None
    if carry or carry_from is not None:
        carry_facts, carry_problems = _carry(root, agency, taken_on, carry_from, part)
        if carry_facts is None:  # nothing to carry from: never written, --skip-invalid or not
            _fail(problems + carry_problems)
        problems += carry_problems
    sources, missing = fact_sources(main, merged, carry_facts, names)
    problems += missing
    result = importer.run(main, sources)
    problems = sort_problems(problems + importer.out.all())
    sys.stdout.write(format_problems(problems))
    click.echo(_read_line(main), err=True)
    for line in unmatched(merged, result.codes):
        click.echo(line, err=True)
    if not result.kept or (problems and not skip_invalid) or missing:
        merge_rows = len({r for r in importer.out.bad_rows if r[0] != main.sheet.file})
        counted = [f"{main.sheet.file} 中有 {result.refused} 行有问题"] if result.refused else []
        counted += [f"合并的表中有 {merge_rows} 行有问题"] if merge_rows else []
        click.echo(f"{'、'.join(counted) or f'有 {len(problems)} 个问题'}，未写入任何文件。"
                   + (f"可加 --skip-invalid：跳过 {main.sheet.file} 中有问题的行（包括在合并的表中取值有误的单位），"
                      f"不用合并的表中有问题的行，只写入其余 {result.kept} 家单位。" if result.kept and not missing else ""),
                   err=True)
        sys.exit(1)
    target.parent.mkdir(exist_ok=True)  # a split snapshot's folder, made by its first part
    write_file(target, result.csv_text.encode("utf-8"))
    click.echo(f"已写入 {target.as_posix()}：{result.kept} 家单位；跳过空行 {result.blank} 行、合计行 {result.totals} 行、"
               f"有问题的行 {result.refused} 行。", err=True)
    for col, chain in result.sources.items():
        click.echo(f"{SNAPSHOT_TITLES[col]}：取自 {_from(chain)}", err=True)
    if main.dropped:
        click.echo(f"已丢弃非公开列：{'、'.join(main.dropped)}", err=True)


def _from(chain) -> str:
    """Which source each unit's value came from: '投诉举报.xlsx（2 家，不在其中的 4 家记为 0）'."""
    if len(chain.sources) == 1:
        extra = f"，不在其中的 {chain.missing} 家记为 {chain.absent}" if chain.missing else ""
        return f"{chain.sources[0].label}（{chain.sources[0].found} 家{extra}）"
    extra = f"；都不在其中的 {chain.missing} 家记为 {chain.absent}" if chain.missing else ""
    return "、".join(f"{s.label}（{s.found} 家）" for s in chain.sources) + extra


def _read_line(table) -> str:
    sheet = f"工作表“{table.sheet.name}”" if table.sheet.name else ""
    return f"读取 {table.sheet.file} {sheet}：表头在第 {table.header.row} 行。"


def _carry(root: Path, agency: str, taken_on: date, carry_from: Path | None, part: str | None = None):
    """The snapshot to carry values from: the file named, or the latest one before ``taken_on``,
    in either form: a single-file day, or a split day (with `part`, its part of that name; a split
    day without it is passed over; without `part`, all its parts together)."""
    folder = root / "plans" / agency / "targets"
    if carry_from is None:
        days = []
        for path in folder.iterdir() if folder.is_dir() else ():
            day = path.stem if path.suffix == ".csv" and path.is_file() else path.name if path.is_dir() else ""
            if not _is_day(day) or day >= taken_on.isoformat():
                continue
            files = [path] if path.is_file() else sorted(path.glob("*.csv")) if part is None else \
                [p for p in (path / f"{part}.csv",) if p.is_file()]
            if files:
                days.append((day, files))
        if not days:
            what = "快照" if part is None else f"快照（单个文件，或拆分的快照中名为 {part}.csv 的部分）"
            return None, [Pos(folder.as_posix()).problem(
                "missing-file", f"--carry：{folder.as_posix()} 中没有 {taken_on} 之前的{what}可以沿用；"
                                "可用 --carry-from 指定一个快照文件")]
        day, files = max(days)
        return _carried_from(root, agency, date.fromisoformat(day), files)
    path = carry_from if carry_from.is_file() or carry_from.is_absolute() else root / carry_from
    if not path.is_file():
        return None, [Pos(carry_from.as_posix()).problem("missing-file", "--carry-from 指定的快照文件不存在")]
    day = next((date.fromisoformat(d) for d in (path.stem, path.parent.name) if _is_day(d)), taken_on)
    return _carried_from(root, agency, day, [path])


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _carried_from(root: Path, agency: str, day: date, paths: list[Path]):
    """The values of the snapshot files `paths` (one file, or the parts of a split day)."""
    from ssjpub.importer import carried
    from ssjpub.loader.csvfile import parse_snapshot
    from ssjpub.loader.textfile import read_data_file

    def shown(path: Path) -> str:
        resolved, base = path.resolve(), root.resolve()
        return resolved.relative_to(base).as_posix() if resolved.is_relative_to(base) else path.as_posix()

    problems, facts = [], None
    for path in paths:
        tf, more = read_data_file(path, shown(path))
        problems += more
        snapshot, more = parse_snapshot(tf, agency, day) if tf else (None, [])
        problems += more
        if snapshot is None:
            return None, problems
        values = carried(snapshot, shown(path))
        if facts is None:
            facts = values
        else:  # a split day's parts: one source, named by its folder
            label = shown(path.parent) + "/"
            facts = {c: replace(f, label=label, values={**f.values, **values[c].values}) for c, f in facts.items()}
    return facts, problems


# A part's name: a file name on every system and in a URL path segment, as county codes and names are.
_PART = re.compile(r"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff_-]*")


def _fail(problems) -> None:
    sys.stdout.write(format_problems(sort_problems(problems)))
    sys.exit(1)
