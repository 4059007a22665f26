"""The data download beside each table: CSV (UTF-8 with a BOM, so that Excel shows Chinese), JSON
and XLSX, built from the same ``Table`` the page shows.

The three say the same thing cell for cell (``typed``): a whole number in a numeric column is a
number in JSON and XLSX; a cell that is exactly an ISO date is a date cell (yyyy-mm-dd) in XLSX, as
a spreadsheet reads the same cell of the CSV, and the same ISO string in JSON; everything else,
percentages ("5%") included, is the same text in all three.

Same table → same bytes: the XLSX workbook (``ssjpub.site.xlsx``) is dated from the data or git,
never the build's clock.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, TypeVar

from ssjpub.site import xlsx
from ssjpub.spreadsheet import write_csv
from ssjpub.site.tables import Cell, Table

P = TypeVar("P")

BOM = "\ufeff"


def table_base(page_url: str, table: Table) -> str:
    """Where a shown table's downloads are, without the extension: beside its page, or, for a page
    of a longer table, the whole table's."""
    return table.part_of.base if table.part_of else f"{page_url}{table.key}"


@dataclass(frozen=True, slots=True)
class Job:
    """One table to write as its three downloads."""

    base: str
    table: Table
    sources: tuple[str, ...]


def jobs(pages: Iterable[tuple[str, tuple[str, ...], list[Table]]]) -> list[Job]:
    """From each page (its url, its sources, the tables it shows) the downloads to write: each
    table once, a paged table's whole dataset once however many pages show a part of it (every
    page its own copy made the directory lists' downloads grow with their page count)."""
    return [job for _page, mine in owned((None, page) for page in pages) for job in mine]


def owned(pages: Iterable[tuple[P, tuple[str, tuple[str, ...], list[Table]]]]) -> list[tuple[P, list[Job]]]:
    """As ``jobs``, each page (any value, given with its url, sources and tables) with the downloads
    it is the first to show: the incremental build stores them with it (ssjpub.site.sitecache)."""
    seen: set[str] = set()
    out = []
    for page, (url, sources, tables) in pages:
        mine = []
        for table in tables:
            whole = table.part_of.table if table.part_of else table
            base = table_base(url, table)
            if base not in seen:
                seen.add(base)
                mine.append(Job(base, whole, whole.sources if whole.sources is not None else sources))
        out.append((page, mine))
    return out


def files(base: str) -> tuple[str, str, str]:
    """A table's three download files, in the order they are written."""
    return f"{base}.csv", f"{base}.json", f"{base}.xlsx"


def replace_text(table: Table, fix: Callable[[str], str]) -> Table:
    """The table with `fix` applied to every text it holds (caption, column titles, cells)."""
    def row(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
        return tuple(c._replace(lines=tuple(fix(line) for line in c.lines)) for c in cells)

    return dataclasses.replace(
        table, caption=fix(table.caption), rows=tuple(row(r) for r in table.rows),
        foot=row(table.foot) if table.foot else table.foot,
        columns=tuple(dataclasses.replace(c, title=fix(c.title)) for c in table.columns))


def _rows(table: Table) -> list[list[str]]:
    rows = [[c.text for c in row] for row in table.rows]
    if table.foot:
        rows.append([c.text for c in table.foot])
    return rows


_INT = re.compile(r"-?[0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _value(text: str, numeric: bool) -> str | int | date:
    if numeric and _INT.fullmatch(text):
        return int(text)
    if len(text) == 10 and _DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:  # "2024-02-30" is no day: text, as a spreadsheet keeps it
            return text
    return text


def typed(table: Table) -> list[list[str | int | date]]:
    """The rows and the totals row as the values the JSON and XLSX downloads hold."""
    numeric = [c.numeric for c in table.columns]
    return [[_value(v, num) for v, num in zip(row, numeric)] for row in _rows(table)]


def _json_value(value: str | int | date) -> str | int:
    return value.isoformat() if type(value) is date else value


def table_csv(table: Table) -> bytes:
    """Cells a spreadsheet would read as a formula ("=…", "+…", "-…", "@…") are kept as text with
    a leading apostrophe (ssjpub.spreadsheet); whole numbers stay numbers."""
    rows = [[c.title for c in table.columns], *_rows(table)]
    return (BOM + write_csv(rows, lineterminator="\r\n")).encode("utf-8")


def table_json(table: Table, sources: list[dict] | None = None) -> bytes:
    """An object of caption, columns, rows (one row a line, so that a diff shows the row that
    changed), total and sources. Each part goes through json's C encoder; ``indent`` would switch
    the whole document to the pure-Python one, five times slower on a county's tables."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = [f'{{"caption": {dump(table.caption)},', f' "columns": {dump([c.title for c in table.columns])},']
    values = [[_json_value(v) for v in row] for row in typed(table)]
    foot = values.pop() if table.foot else None
    rows = [dump(row) for row in values]
    parts.append(' "rows": [' + ("\n  " + ",\n  ".join(rows) + "\n ]" if rows else "]"))
    if foot is not None:
        parts[-1] += ","
        parts.append(f' "total": {dump(foot)}')
    if sources is not None:
        parts[-1] += ","
        parts.append(f' "sources": {dump(sources)}')
    return ("\n".join(parts) + "}\n").encode("utf-8")


def table_xlsx(table: Table, day: date | None, author: str = "") -> bytes:
    """A one-sheet workbook. ``day`` (from the data or git) dates the workbook's properties.

    Text cells are inline strings, which a spreadsheet never evaluates: "=1+1" stays text here
    without the apostrophe the CSV needs. Numbers and dates as ``typed`` gives them."""
    return xlsx.workbook(table.key, [c.title for c in table.columns], typed(table),
                         title=table.caption, author=author or "ssjpub", day=day)
