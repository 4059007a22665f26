"""Spreadsheets as staff's exports have them: a workbook's sheets (or a CSV file) as rows of text,
the header row found below title rows and merged cells, and places named as Excel names them.

Used by ``import-targets`` and by anything else that reads a spreadsheet staff filled in: a
problem in a workbook prints as ``名单.xlsx:Sheet1!D7: CODE …`` (the row as Excel shows it), one
in a CSV file as ``名单.csv:7:4: CODE …`` like every other text file.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from ssjpub.problems import Pos, Problem, Severity
from ssjpub.spreadsheet import column_letter

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SCAN_ROWS = 30  # title, date and note lines above the header: a handful in real exports


def norm(text: object) -> str:
    """A header or a value as compared: NFKC (full-width to half-width), no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def cell_text(value: object) -> str:
    """A cell's value as the text Excel shows for it: 3.0 is "3", a date is 2024-07-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Cell:
    """A place in a spreadsheet file: a workbook's sheet and cell, or a CSV file's line and column."""

    file: str
    sheet: str | None  # None: a CSV file
    row: int
    column: int

    @property
    def ref(self) -> str:
        """'Sheet1!D7' (a sheet name with spaces or punctuation quoted, as Excel writes it)."""
        name = self.sheet or ""
        if not re.fullmatch(r"\w+", name):
            name = "'" + name.replace("'", "''") + "'"
        return f"{name}!{column_letter(self.column)}{self.row}"

    def problem(self, code: str, message: str, severity: Severity = Severity.ERROR) -> Problem:
        problem = Pos(self.file, self.row, self.column).problem(code, message, severity)
        if self.sheet is None:
            return problem
        return Problem(problem.file, problem.line, problem.column, code, message, severity, self.ref)


@dataclass(frozen=True)
class Sheet:
    """One sheet's rows, each with its number as Excel shows it; every cell as text."""

    file: str
    name: str | None
    rows: tuple[tuple[int, tuple[str, ...]], ...]

    def at(self, row: int, column: int = 1) -> Cell:
        return Cell(self.file, self.name, row, column)


@dataclass(frozen=True)
class Header:
    """Where a sheet's header is: its row, and each header cell's 1-based column with its text."""

    row: int
    cells: tuple[tuple[int, str], ...]
    matched: int  # how many of them a caller's names know
    position: int  # its index in Sheet.rows


class UnreadableFile(Exception):
    """The file is no spreadsheet ssjpub can read; the message says what to do, for staff."""


def read_sheets(path: Path, shown: str) -> list[Sheet]:
    """Every sheet of a workbook, or the one table of a CSV file (UTF-8 or GBK/GB18030)."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return _workbook(path, shown)
    if suffix in (".xls", ".et"):
        raise UnreadableFile("这是旧版 Excel（.xls）或 WPS 格式：请在 Excel 或 WPS 中“另存为” .xlsx 后再导入")
    return [_csv(path, shown)]


def _workbook(path: Path, shown: str) -> list[Sheet]:
    import openpyxl  # a third of a second to import: only the commands that read workbooks need it

    try:
        # Not read-only: merged ranges are only known to a full load.
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file, not our bug
        raise UnreadableFile(f"无法读取工作簿（{type(exc).__name__}）：请确认它是 Excel 保存的 .xlsx 文件") from exc
    sheets = []
    for ws in book.worksheets:
        grid = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        # A merged range shows its first cell's value across the whole range (a 所属乡镇 merged
        # down five rows belongs to each of them); openpyxl leaves the others empty.
        for merged in ws.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else ""
            for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
                row = grid[r - 1]
                row.extend([""] * (merged.max_col - len(row)))
                for c in range(merged.min_col, merged.max_col + 1):
                    row[c - 1] = value
        sheets.append(Sheet(shown, ws.title, tuple((i, tuple(row)) for i, row in enumerate(grid, start=1))))
    return sheets


def _csv(path: Path, shown: str) -> Sheet:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # GBK exports of older systems: GB18030 is a superset
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("文件既不是 UTF-8 也不是 GBK 编码：请在 Excel 中另存为 .xlsx 或“CSV UTF-8”")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    start = 1
    try:
        for record in reader:
            rows.append((start, tuple(record)))
            start = reader.line_num + 1  # the next record's first line (a quoted cell may span lines)
    except csv.Error as exc:
        raise UnreadableFile(f"第 {reader.line_num} 行无法按 CSV 读取：{exc}") from exc
    return Sheet(shown, None, tuple(rows))


def is_blank(cells: tuple[str, ...]) -> bool:
    return all(not c.strip() for c in cells)


def find_header(sheet: Sheet, known: Callable[[str], object]) -> Header | None:
    """The header row: of the first rows, the one with the most cells whose name ``known`` knows
    (the first of equals; at least two), so title rows, merged titles and date lines above it
    are passed over. ``known`` is given each cell's text through ``norm``."""
    best: Header | None = None
    for position, (row, cells) in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        named = tuple((i, c.strip()) for i, c in enumerate(cells, start=1) if c.strip())
        matched = len({known(norm(text)) for _i, text in named} - {None})
        if matched >= 2 and (best is None or matched > best.matched):
            best = Header(row, named, matched, position)
    return best


def data_rows(sheet: Sheet, header: Header) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """The rows below the header."""
    return sheet.rows[header.position + 1:]


def pick_sheet(sheets: list[Sheet], known: Callable[[str], object], wanted: str | None) -> tuple[Sheet, Header] | Problem:
    """The sheet to read: ``wanted`` by name, else the only one with a header ``known`` knows."""
    file = sheets[0].file
    if wanted is not None:
        named = [s for s in sheets if s.name == wanted]
        if not named:
            names = "、".join(f"“{s.name}”" for s in sheets)
            return Pos(file).problem("csv-header", f"没有名为“{wanted}”的工作表（有 {names}）")
        sheets = named
    found = [(s, h) for s in sheets if (h := find_header(s, known)) is not None]
    if len(found) == 1:
        return found[0]
    if not found:
        where = "前 30 行中" if len(sheets) == 1 else f"{len(sheets)} 个工作表的前 30 行中都"
        return Pos(file).problem("csv-header", f"{where}找不到表头（至少两个可识别的列名，如“统一社会信用代码”“单位名称”）")
    names = "、".join(f"“{s.name}”（第 {h.row} 行）" for s, h in found)
    return Pos(file).problem("csv-header", f"多个工作表都有表头：{names}。请用 --sheet 指定要导入的工作表")
