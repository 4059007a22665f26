"""Text that a spreadsheet would run as a formula, and CSV written so that it never does.

Excel, WPS and LibreOffice read a cell that begins with "=", "+", "-" or "@" as a formula, and
a tab or carriage return before them is skipped (OWASP, "CSV Injection"): a company name like
``=HYPERLINK("http://…")`` in a download would run on the reader's machine. The loaders refuse
such text in the data (``formula-text``), and every CSV the project writes goes through
``write_csv``, which keeps any that remains as text with a leading apostrophe (OWASP's advice).
XLSX needs no guard: ssjpub.site.xlsx writes text as inline strings, never as formulas.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence

from ssjpub.pii import shown

FORMULA_START = "=+-@\t\r"
_INTEGER = re.compile(r"-?[0-9]+")


def formula_start(text: str) -> str | None:
    """The character that makes a spreadsheet read ``text`` as a formula, or None."""
    return text[0] if text and text[0] in FORMULA_START else None


_SHOWN = {"\t": "制表符", "\r": "回车符"}


def formula_message(title: str, text: str, cell: str) -> str:
    """Why a text cell is refused, for staff: what it starts with and where it is in Excel."""
    first = formula_start(text) or ""
    what = _SHOWN.get(first, f"“{first}”")
    rest = shown(text.lstrip(FORMULA_START).strip())  # what follows, masked if it is personal data
    sample = rest if len(rest) <= 30 else rest[:29] + "…"
    return (f"{title}“{first if first not in _SHOWN else ''}{sample}”以{what}开头（{cell} 单元格）：Excel、WPS 会把它当作公式执行（公式注入），"
            "下载表格的人打开时就会运行它。真实的名称不以这些符号开头，请核对原始数据，删去开头的符号")


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet evaluates; whole numbers ("-5") stay numbers."""
    if formula_start(text) and not _INTEGER.fullmatch(text):
        return "'" + text
    return text


def write_csv(rows: Iterable[Sequence[str]], lineterminator: str = "\n") -> str:
    """The rows (header first) as CSV text, each cell through ``csv_cell``.

    csv quotes a cell holding a line break only if the break is in ``lineterminator``: a lone
    "\r" under "\n" would be written bare and split the row when read back. So the rows are
    written ending in "\r\n" (both then quoted), and each row's ending replaced after."""
    written: list[str] = []
    writer = csv.writer(_Rows(written), lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return "".join(line[:-2] + lineterminator for line in written)


class _Rows:
    """A file for csv.writer, which writes each row with one call."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def column_letter(index: int) -> str:
    """Excel's name of the 1-based column ``index``: 1 → A, 27 → AA."""
    name = ""
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name
