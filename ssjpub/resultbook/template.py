"""`ssjpub results-template`: a task's results workbook, prefilled, protected, with drop-downs.

openpyxl writes it (data validation and sheet protection are what it is for; the site's fast
writer, ssjpub.site.xlsx, has neither). Same repository state → same bytes: the document
properties and every ZIP entry carry a fixed time, not the clock.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from ssjpub.model import ResultCategory, TaskResults
from ssjpub.resultbook import layout as L
from ssjpub.resultbook.entries import Entry, TaskRef

FIXED_TIME = datetime(1980, 1, 1)  # ZIP cannot store earlier times
DATE_FORMAT = "yyyy-mm-dd"
BOLD = Font(bold=True)
KEY_FILL = PatternFill("solid", fgColor="EEEEEE")
EDIT_FILL = PatternFill("solid", fgColor="FFF8DC")
OPEN = Protection(locked=False)


def _text(cell, value: str) -> None:
    """Text stays text: openpyxl would store a value starting with "=" as a formula."""
    cell.value = value
    cell.data_type = "s"


def _date_rule() -> DataValidation:
    return DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                          allow_blank=True, showErrorMessage=True, errorTitle="日期无效",
                          error="请输入日期，如 2025-03-04 或 2025/3/4", showInputMessage=True, promptTitle="日期",
                          prompt="直接输入日期，如 2025-03-04")


def _value(result, path: tuple[str, ...]):
    for part in path:
        result = getattr(result, part, None) if result is not None else None
    return result


def _results_sheet(wb: Workbook, ref: TaskRef, title: str, rows: list[Entry], existing: TaskResults | None,
                   categories_range: str) -> None:
    ws = wb.active
    ws.title = L.SHEET
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws["A2"].font = "任务", BOLD
    _text(ws[L.TASK_CELL], ref.ref)
    ws["C2"] = f"{ref.task.name}（机关/年度/任务编号，不能修改；填写说明见“{L.GUIDE}”工作表）"
    dates = _date_rule()
    ws.add_data_validation(dates)
    for d in L.TASK_DATES:
        ws[f"A{d.row}"], ws[f"A{d.row}"].font = d.title, BOLD
        cell = ws[d.cell]
        cell.number_format, cell.protection, cell.fill = DATE_FORMAT, OPEN, EDIT_FILL
        cell.value = getattr(existing, d.key, None) if existing else None
        dates.add(d.cell)
        ws[f"C{d.row}"] = d.note
    for letter, column in zip(L.LETTERS, L.COLUMNS):
        head = ws[f"{letter}{L.HEADER_ROW}"]
        _text(head, column.title)
        head.font, head.alignment = BOLD, Alignment(wrap_text=True, vertical="center")
        head.fill = KEY_FILL if column.kind == "key" else EDIT_FILL
        ws.column_dimensions[letter].width = column.width
    by_code = {r.target: r for r in existing.results} if existing else {}
    last = L.FIRST_ROW + len(rows) - 1
    for r, entry in enumerate(rows, L.FIRST_ROW):
        result = by_code.get(entry.code)
        for letter, column in zip(L.LETTERS, L.COLUMNS):
            cell = ws[f"{letter}{r}"]
            if column.kind == "key":
                _text(cell, (entry.code, entry.name, entry.how)[L.KEY_COLUMNS.index(L.COLUMNS.index(column))])
                cell.fill = KEY_FILL
                continue
            cell.protection = OPEN
            value = _value(result, column.path) if result is not None else None
            if column.kind == "date":
                cell.number_format = DATE_FORMAT
                cell.value = value
            else:
                cell.number_format = "@"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if value is not None:
                    _text(cell, value)
    if rows:
        for letter, column in zip(L.LETTERS, L.COLUMNS):
            if column.kind == "date":
                dates.add(f"{letter}{L.FIRST_ROW}:{letter}{last}")
        pick = DataValidation(type="list", formula1=categories_range, allow_blank=True, showErrorMessage=True,
                              errorTitle="结果类别", error=f"请从下拉列表中选择（类别列在“{L.GUIDE}”工作表）",
                              showInputMessage=True, promptTitle="结果类别", prompt="从下拉列表中选择")
        ws.add_data_validation(pick)
        letter = L.LETTERS[next(i for i, c in enumerate(L.COLUMNS) if c.kind == "category")]
        pick.add(f"{letter}{L.FIRST_ROW}:{letter}{last}")
    ws.freeze_panes = f"D{L.FIRST_ROW}"
    _protect(ws)
    ws.protection.formatColumns = False  # staff may widen a column or a row to read it
    ws.protection.formatRows = False


def _protect(ws) -> None:
    # No password: the protection keeps the key columns from being changed by accident; the
    # import checks them against the hidden sheet all the same.
    ws.protection.sheet = True


def _guide_sheet(wb: Workbook, ref: TaskRef, categories: list[ResultCategory], window_note: str, due_note: str) -> str:
    """The 填写说明 sheet; returns the range of the category list, which the drop-down uses."""
    ws = wb.create_sheet(L.GUIDE)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 90
    ws["A1"] = "检查结果填报表：填写说明"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws["A2"].font = "任务", BOLD
    _text(ws[L.GUIDE_TASK_CELL], ref.ref)
    ws["C2"] = ref.task.name
    lines = [
        "每个单位一行。尚未检查的单位整行留空：导入时视为尚未检查，不写入检查结果，并统计家数。",
        "已检查的单位必须填写“检查日期”和“结果类别”；其余各列按下表填写，不需要的留空。",
        window_note,
        "日期直接输入，如 2025-03-04、2025/3/4 或 2025年3月4日。",
        "“是否发现问题”为“是”的类别，应填写“发现的问题”和“处理情况”；整改回访的，“回访日期”和“回访结果”同时填写。",
        "依法不予公开的结果（如涉及商业秘密），“不予公开的理由”“不予公开的法律依据”“批准不予公开的部门”三项都要填写；"
        "“结果类别”照常选择，公众由此知道是否发现了问题。这一行的“发现的问题”“处理情况”“回访日期”“回访结果”一律留空："
        "导入写成的结果文件在公开的仓库和网站上原样发布，填了就等于公开，导入时会报错。这些内容留在内部案卷；"
        "“不予公开的理由”只写理由（如“涉及商业秘密”），不要复述不予公开的内容。",
        "S0 三（五）：检查结果在任务完成后 20 个工作日内公示。工作日按法定节假日安排计算（周末、节假日不算，调休上班的周末算）。" + due_note,
        "“结果”工作表上方填写任务完成日期（必填）、结果公示日期和归档日期。",
        "统一社会信用代码、单位名称、抽取方式三列受保护，不能修改；不要增删行，不要改动工作表的名称。",
        f"填好后保存为 .xlsx，运行 ssjpub import-results 文件名.xlsx：它写入 {ref.results_file}，并逐个单元格列出问题。",
    ]
    row = 4
    for n, text in enumerate(lines, 1):
        ws[f"A{row}"] = f"{n}."
        ws[f"B{row}"] = text
        row += 1
    row += 1
    ws[f"A{row}"], ws[f"A{row}"].font = "各列的含义", BOLD
    row += 1
    for letter, column in zip(L.LETTERS, L.COLUMNS):
        ws[f"A{row}"], ws[f"B{row}"], ws[f"C{row}"] = f"{letter} 列", column.title, column.note
        row += 1
    row += 1
    ws[f"A{row}"], ws[f"B{row}"], ws[f"C{row}"] = "结果类别（下拉列表）", "是否发现问题", "说明"
    for c in "ABC":
        ws[f"{c}{row}"].font = BOLD
    first = row + 1
    for category in categories:
        row += 1
        _text(ws[f"A{row}"], category.name)
        ws[f"B{row}"] = "是" if category.found_problem else "否"
        ws[f"C{row}"] = category.description or ""
    _protect(ws)
    return f"'{L.GUIDE}'!$A${first}:$A${max(row, first)}"


def _meta_sheet(wb: Workbook, ref: TaskRef, rows: list[Entry]) -> None:
    ws = wb.create_sheet(L.META)
    ws.sheet_state = "hidden"
    for r, (key, value) in enumerate((("format", L.FORMAT), ("agency", ref.data.code), ("year", str(ref.year)),
                                      ("task", ref.task.id)), 1):
        _text(ws[f"A{r}"], key)
        _text(ws[f"B{r}"], value)
    _text(ws["A6"], "rows")
    for r, entry in enumerate(rows, 7):
        _text(ws[f"A{r}"], entry.code)
    _protect(ws)


class _FixedTimeZip(zipfile.ZipFile):
    """A ZIP whose entries all carry FIXED_TIME: openpyxl names most of them (zipfile would stamp
    the clock) and adds each worksheet from a temporary file (which would bring its mtime)."""

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:
            self.writestr(arcname or filename, fh.read(), compress_type, compresslevel)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def template(ref: TaskRef, title: str, rows: list[Entry], categories: list[ResultCategory],
             existing: TaskResults | None, drawn_after: date | None, due: date | None) -> bytes:
    wb = Workbook()
    start, end = ref.task.window.start.isoformat(), ref.task.window.end.isoformat()
    window_note = f"检查日期须在任务的实施时间 {start} 至 {end} 之内" + (
        f"，且不早于公开随机数公布的 {drawn_after.isoformat()}（抽取在那之后）。" if drawn_after else "。")
    due_note = f"本任务按已填的完成日期，应于 {due.isoformat()} 前公示。" if due else ""
    categories_range = _guide_sheet(wb, ref, categories, window_note, due_note)
    _results_sheet(wb, ref, title, rows, existing, categories_range)
    _meta_sheet(wb, ref, rows)
    wb.active = 0  # 结果 (the sheet Workbook() starts with) opens first
    wb.security = WorkbookProtection(lockStructure=True)  # sheets are not added, renamed or unhidden
    wb.properties.creator = wb.properties.lastModifiedBy = "ssjpub"
    wb.properties.title = title
    wb.properties.created = wb.properties.modified = FIXED_TIME
    out = io.BytesIO()
    ExcelWriter(wb, _FixedTimeZip(out, "w", zipfile.ZIP_DEFLATED)).save()
    return out.getvalue()
