"""Read a filled results workbook: which task it says it is for, and each row's typed values.

Dates may be real date cells or text as staff type it ("2025-03-04", "2025/3/4", "2025年3月4日").
A row whose editable cells are all empty is "not yet inspected".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from ssjpub.digits import non_ascii_digits
from ssjpub.problems import Problem
from ssjpub.resultbook import layout as L
from ssjpub.resultbook.cells import at

_DATE = re.compile(r"([0-9]{4})\s*(?:[-/.]\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})|年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日?)")
DATE_FORMS = "2025-03-04、2025/3/4 或 2025年3月4日"


@dataclass
class Row:
    number: int  # the sheet row, as Excel shows it
    keys: tuple[str, str, str]  # credit code, name, how selected: as the cells now say
    values: dict[tuple[str, ...], object] = field(default_factory=dict)  # filled editable cells by result path

    @property
    def blank(self) -> bool:
        return not self.values


@dataclass
class Book:
    file: str  # as named on the command line
    ref: tuple[str, str, str] | None = None  # (agency, year, task) from the hidden sheet
    shown_refs: dict[str, str] = field(default_factory=dict)  # "结果!B2": what the visible task cells say
    codes: list[str] = field(default_factory=list)  # the template's rows, in order (hidden sheet)
    dates: dict[str, date] = field(default_factory=dict)  # task-level dates by TaskResults field
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, sheet: str | None, ref: str | None, code: str, message: str) -> None:
        self.problems.append(at(self.file, sheet, ref, code, message))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value).strip()
    return text or None


def parse_date(value: object) -> tuple[date | None, tuple[str, str] | None]:
    """(the date, None) or (None, (code, message)) for a cell's value."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = _text(value)
    if isinstance(value, (int, float)) or text is None:
        return None, ("wrong-type", f"“{text}”不是日期：请输入日期，如 {DATE_FORMS}")
    m = _DATE.fullmatch(text)
    if m is None:
        odd = non_ascii_digits(text, _DATE)
        if odd:
            return None, ("non-ascii-digit", f"日期{odd}")
        return None, ("wrong-type", f"“{text}”不是日期：请输入日期，如 {DATE_FORMS}")
    year, month, day = (int(g) for g in m.groups() if g is not None)
    try:
        return date(year, month, day), None
    except ValueError:
        return None, ("impossible-date", f"日期“{text}”不存在")


def _cell_value(book: Book, sheet: str, ref: str, kind: str, value: object) -> object | None:
    if kind != "date":
        return _text(value)
    if _text(value) is None:
        return None
    day, why = parse_date(value)
    if why is not None:
        book.problem(sheet, ref, *why)
    return day


def read_book(path: Path, shown: str) -> Book:
    book = Book(shown)
    try:
        wb = load_workbook(path, data_only=True)  # a formula counts as the value it shows
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's, not our bug
        book.problem(None, None, "file-read", f"无法读取工作簿（应为 .xlsx 文件）：{exc}")
        return book
    missing = [name for name in (L.SHEET, L.META) if name not in wb.sheetnames]
    meta = wb[L.META] if L.META not in missing else None
    if missing or meta["B1"].value != L.FORMAT:
        what = f"缺少“{missing[0]}”工作表" if missing else "隐藏的 ssjpub 工作表不是本版本写的"
        book.problem(None, None, "results-workbook",
                     f"这不是 ssjpub results-template 生成的检查结果表（{what}）：请用 ssjpub results-template 机关/年度/任务 生成，再填写")
        return book
    book.ref = tuple(_text(meta[f"B{r}"].value) or "" for r in (2, 3, 4))
    r = 7
    while _text(meta[f"A{r}"].value):
        book.codes.append(_text(meta[f"A{r}"].value))
        r += 1
    ws = wb[L.SHEET]
    book.shown_refs[f"{L.SHEET}!{L.TASK_CELL}"] = _text(ws[L.TASK_CELL].value) or ""
    if L.GUIDE in wb.sheetnames:
        book.shown_refs[f"{L.GUIDE}!{L.GUIDE_TASK_CELL}"] = _text(wb[L.GUIDE][L.GUIDE_TASK_CELL].value) or ""
    for d in L.TASK_DATES:
        value = _cell_value(book, L.SHEET, d.cell, "date", ws[d.cell].value)
        if value is not None:
            book.dates[d.key] = value
    last = max(ws.max_row, L.FIRST_ROW + len(book.codes) - 1)
    for n in range(L.FIRST_ROW, last + 1):
        cells = [ws[f"{letter}{n}"].value for letter in L.LETTERS]
        keys = tuple(_text(cells[i]) or "" for i in L.KEY_COLUMNS)
        row = Row(n, keys)
        for i in L.EDITABLE:
            column = L.COLUMNS[i]
            value = _cell_value(book, L.SHEET, f"{L.LETTERS[i]}{n}", column.kind, cells[i])
            if value is not None or (column.kind == "date" and _text(cells[i]) is not None):
                row.values[column.path] = value  # a bad date is still "filled": the row is not blank
        if n - L.FIRST_ROW < len(book.codes) or any(keys) or not row.blank:
            book.rows.append(row)
    return book
