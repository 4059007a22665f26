"""The data download beside each table: CSV (UTF-8 with a BOM, so that Excel shows Chinese), JSON
and XLSX, built from the same ``Table`` the page shows.

Same table → same bytes: the XLSX workbook (``ssjpub.site.xlsx``) is dated from the data or git,
never the build's clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ssjpub.site import xlsx
from ssjpub.spreadsheet import write_csv
from ssjpub.site.tables import Table

FORMATS = ("csv", "json", "xlsx")
BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Download:
    """One file beside a table: ``<page url><table key>.<format>``."""

    url: str
    format: str
    table_key: str


def download_urls(page_url: str, table: Table) -> tuple[Download, ...]:
    return tuple(Download(f"{page_url}{table.key}.{fmt}", fmt, table.key) for fmt in FORMATS)


def _rows(table: Table) -> list[list[str]]:
    rows = [[c.text for c in row] for row in table.rows]
    if table.foot:
        rows.append([c.text for c in table.foot])
    return rows


def _is_number(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


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
    rows = [dump([c.text for c in row]) for row in table.rows]
    parts.append(' "rows": [' + ("\n  " + ",\n  ".join(rows) + "\n ]" if rows else "]"))
    if table.foot:
        parts[-1] += ","
        parts.append(f' "total": {dump([c.text for c in table.foot])}')
    if sources is not None:
        parts[-1] += ","
        parts.append(f' "sources": {dump(sources)}')
    return ("\n".join(parts) + "}\n").encode("utf-8")


def table_xlsx(table: Table, day: date | None, author: str = "") -> bytes:
    """A one-sheet workbook. ``day`` (from the data or git) dates the workbook's properties.

    Cells are inline strings, which a spreadsheet never evaluates: "=1+1" stays text here without
    the apostrophe the CSV needs. Numeric columns hold numbers."""
    numeric = [c.numeric for c in table.columns]
    rows = [[int(v) if num and _is_number(v) else v for v, num in zip(row, numeric)] for row in _rows(table)]
    return xlsx.workbook(table.key, [c.title for c in table.columns], rows,
                         title=table.caption, author=author or "ssjpub", day=day)
