"""`ssjpub results-template` and `ssjpub import-results`: results through Excel (issue 14, item 5)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ssjpub import yamlwrite
from ssjpub.atomicfile import write_file
from ssjpub.cli.common import load_valid
from ssjpub.digits import is_ascii_int
from ssjpub.loader import tree
from ssjpub.problems import Pos, Problem, format_problems, has_errors, sort_problems
from ssjpub.validate import find_root, validate
from ssjpub.workdays import CalendarGap

ROOT = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                    show_default=True, help="数据仓库根目录。")
DEFAULT_HEADER = "# 检查结果。\n"


def _task_ref(text: str) -> tuple[str, int, str]:
    parts = text.strip("/").split("/")
    if len(parts) != 3 or not is_ascii_int(parts[1]):
        click.echo(f"任务应写成“机关/年度/任务编号”，如 baofeng/2024/2024-01，而不是“{text}”", err=True)
        sys.exit(2)
    return parts[0], int(parts[1]), parts[2]


def _fail(problems: list[Problem], text: str | None = None) -> None:
    sys.stdout.write(format_problems(problems))
    if text:
        click.echo(text, err=True)
    sys.exit(1)


@click.command("results-template")
@click.argument("task_ref", metavar="AGENCY/YEAR/TASK")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写入的 .xlsx 文件；默认为当前目录下的“机关-年度-任务编号-检查结果.xlsx”。")
@click.option("--force", is_flag=True, help="文件已存在时覆盖它（默认不覆盖，以免丢掉已填写的表）。")
@ROOT
def results_template_cmd(task_ref: str, output: Path | None, force: bool, root: Path) -> None:
    """生成任务的检查结果填报表（Excel .xlsx），填好后用 ssjpub import-results 导入。

    表中列出任务的全部单位：随机抽查任务为抽取记录中抽中的单位（按抽签顺序），投诉举报、转办交办
    任务为计划中列明的单位（标明“非随机”）。已有的检查结果（results/AGENCY/YEAR/TASK.yaml）预先填入，
    所以也可以用它修改结果。统一社会信用代码、单位名称、抽取方式三列受保护；检查日期等是日期单元格，
    结果类别是下拉列表（取自 plans/result-categories.yaml）；“填写说明”工作表写明每一列怎么填。
    """
    from ssjpub.resultbook.entries import entries, find_task
    from ssjpub.resultbook.template import template
    from ssjpub.rules.catalogue import calendar_of
    from ssjpub.rules.checks.results import DAYS

    agency, year, task_id = _task_ref(task_ref)
    repo, _ = load_valid(root, "text")
    ref = find_task(repo, agency, year, task_id, Pos("plans"))
    if isinstance(ref, Problem):
        _fail([ref])
    rows = entries(ref)
    if rows is None:
        _fail([ref.data.plans[year].doc.pos("tasks", ref.data.plans[year].model.tasks.index(ref.task), "id").problem(
            "dangling-reference", f"任务 {task_id} 还没有抽取记录：抽取之后才能生成检查结果表")])
    existing = ref.data.results.get((year, task_id))
    values = ref.data.randomness.get((year, task_id))
    drawn_after = values.model.last_announced()[1] if values is not None and ref.task.basis == "随机抽查" else None
    due = None
    if existing is not None:
        try:
            due = calendar_of(repo).add_working_days(existing.model.completed_on, DAYS)
        except CalendarGap:
            due = None
    agency_model = ref.data.agency.model
    title = f"{agency_model.short_name} {year} 年度 {task_id}“{ref.task.name}”检查结果"
    categories = repo.categories.model.categories
    data = template(ref, title, rows, categories, existing.model if existing else None, drawn_after, due)
    out = output or Path(f"{agency}-{year}-{task_id}-检查结果.xlsx")
    if out.exists() and not force:
        _fail([Pos(out.as_posix()).problem("duplicate-id", "文件已存在，未覆盖（可能是已填写的表）：用 -o 指定其他文件名，或加 --force 覆盖")])
    write_file(out, data)
    filled = len(existing.model.results) if existing else 0
    click.echo(f"已写入 {out.as_posix()}：{len(rows)} 家单位，其中 {filled} 家已有检查结果（已预先填入）。", err=True)


@click.command("import-results")
@click.argument("file", metavar="填报表", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ROOT
def import_results_cmd(file: Path, root: Path) -> None:
    """把填好的检查结果填报表（ssjpub results-template 生成的 .xlsx）写入 results/机关/年度/任务编号.yaml。

    任务取自工作簿本身，并与仓库核对；写入之前按 ssjpub validate 和 ssjpub check 的全部规则检查，
    每个问题注明单元格（如“结果!D9”），一次列出；有错误时不写入任何文件，退出码为 1。
    整行留空的单位视为尚未检查，不写入结果，并统计家数。已有的结果文件按表中的内容更新。
    """
    from ssjpub.resultbook import layout as L
    from ssjpub.resultbook.cells import format_cell_problems, sort_cell_problems
    from ssjpub.resultbook.load import import_book
    from ssjpub.resultbook.reader import read_book

    shown = file.as_posix()
    book = read_book(file, shown)
    sheets = (L.SHEET, L.GUIDE)
    if book.ref is None:
        _fail_cells(book.problems, sheets)
    root = find_root(root)
    repo, problems = validate(root)
    agency, year, task_id = book.ref
    rel = f"results/{agency}/{year}/{task_id}.yaml"
    others = [p for p in problems if p.file != rel]
    if has_errors(others):
        _fail(sort_problems(others), "仓库中的数据未通过校验，先修正上面的问题，再导入检查结果。")
    found = _cross_check(book, repo)
    if isinstance(found, Problem):
        _fail_cells(book.problems + [found], sheets)
    ref, rows = found
    path = repo.root / ref.results_file
    links = [p for p in (repo.root / "results", path.parent.parent, path.parent, path) if tree.kind(p) == "link"]
    if links:
        _fail([tree.symlink_problem(p.relative_to(repo.root).as_posix()) for p in links])
    header = _header(path, ref.results_file)
    text, found, blank = import_book(repo, ref, book, rows, header)
    found = sort_cell_problems(found, sheets)
    sys.stdout.write(format_cell_problems(found))
    if has_errors(found):
        errors = sum(p.severity.value == "error" for p in found)
        click.echo(f"发现 {errors} 个错误，未写入任何文件。改正表中标出的单元格后再导入。", err=True)
        sys.exit(1)
    write_file(path, text.encode("utf-8"))
    done = len(rows) - blank
    click.echo(f"已写入 {ref.results_file}：{len(rows)} 家单位中 {done} 家已填写检查结果，{blank} 家尚未检查（整行留空）。", err=True)
    if blank:
        click.echo("全部单位都填写之后，ssjpub check 才不再报告 result-missing（缺少检查结果）。", err=True)


def _fail_cells(problems: list[Problem], sheets: tuple[str, ...]) -> None:
    from ssjpub.resultbook.cells import format_cell_problems, sort_cell_problems

    sys.stdout.write(format_cell_problems(sort_cell_problems(problems, sheets)))
    click.echo("未写入任何文件。", err=True)
    sys.exit(1)


def _cross_check(book, repo):
    """(the task, its rows) when the task the hidden sheet names is the one the visible cells
    show, exists, and has the rows the workbook was made with; else the problem."""
    from ssjpub.resultbook import layout as L
    from ssjpub.resultbook.cells import at
    from ssjpub.resultbook.entries import entries, find_task

    agency, year, task_id = book.ref
    said = f"{agency}/{year}/{task_id}"
    task_cell = (L.SHEET, L.TASK_CELL)
    for where, shown in book.shown_refs.items():
        if shown != said:
            sheet, _, cell = where.partition("!")
            return at(book.file, sheet, cell, "results-task-mismatch",
                      f"这里写的任务“{shown}”与工作簿生成时的任务 {said} 不同：一个工作簿只用于一个任务，"
                      f"请用 ssjpub results-template 为所需的任务重新生成")
    if not is_ascii_int(year):
        return at(book.file, *task_cell, "results-workbook", f"工作簿中记录的年度“{year}”无效：请重新生成")
    ref = find_task(repo, agency, int(year), task_id, Pos(""))
    if isinstance(ref, Problem):
        return at(book.file, *task_cell, "results-task-mismatch", f"工作簿所属的任务在仓库中找不到：{ref.message}")
    rows = entries(ref)
    if rows is None:
        return at(book.file, *task_cell, "results-task-mismatch", f"任务 {said} 在仓库中还没有抽取记录：请在抽取记录所在的仓库中导入")
    if [e.code for e in rows] != book.codes:
        return at(book.file, *task_cell, "results-task-mismatch",
                  f"表中的单位与仓库中任务 {said} 的{'抽取记录' if ref.task.basis == '随机抽查' else '检查对象'}不同"
                  f"（表中 {len(book.codes)} 家，仓库中 {len(rows)} 家）：这个表不是按本仓库的这个任务生成的，请重新生成")
    return ref, rows


def _header(path: Path, rel: str) -> str:
    """The comment lines the file starts with now (kept as they are), else the usual ones."""
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        head = "".join(line for line in _leading_comments(lines))
        if head:
            return head
    return yamlwrite.schema_line(rel, "results") + DEFAULT_HEADER


def _leading_comments(lines: list[str]):
    for line in lines:
        if not line.startswith("#"):
            return
        yield line
