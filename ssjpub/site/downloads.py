"""The data download beside each table: CSV (UTF-8 with a BOM, so that Excel shows Chinese), JSON
and XLSX, built from the same ``Table`` the page shows.

Same table → same bytes: the XLSX workbook's properties carry a date from the data (never the
build's clock), and the ZIP container is rewritten with fixed entry timestamps and order.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from ssjpub.site.tables import Table

FORMATS = ("csv", "json", "xlsx")
BOM = "\ufeff"
# ZIP cannot store dates before 1980; the workbook's own date is in its properties.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


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


def _safe_cell(text: str) -> str:
    """A cell that a spreadsheet would read as a formula ("=…", "+…", "-…", "@…") is written with a
    leading apostrophe, as OWASP advises against CSV injection; numbers stay numbers."""
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def table_csv(table: Table) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in table.columns])
    for row in _rows(table):
        writer.writerow([_safe_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def table_json(table: Table, sources: list[dict] | None = None) -> bytes:
    doc = {
        "caption": table.caption,
        "columns": [c.title for c in table.columns],
        "rows": [[c.text for c in row] for row in table.rows],
    }
    if table.foot:
        doc["total"] = [c.text for c in table.foot]
    if sources is not None:
        doc["sources"] = sources
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def table_xlsx(table: Table, day: date | None, author: str = "") -> bytes:
    """A one-sheet workbook. ``day`` (from the data or git) dates the workbook's properties."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    stamp = datetime(*(day or date(1980, 1, 1)).timetuple()[:3])
    wb = Workbook()
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = author or "ssjpub"
    wb.properties.lastModifiedBy = author or "ssjpub"
    wb.properties.title = table.caption
    ws = wb.active
    ws.title = _sheet_title(table.key)
    ws.append([c.title for c in table.columns])
    bold = Font(bold=True)
    for c in ws[1]:
        c.font = bold
    ws.freeze_panes = "A2"
    numeric = [c.numeric for c in table.columns]
    for row in _rows(table):
        ws.append([int(v) if num and _is_number(v) else _safe_cell(v) for v, num in zip(row, numeric)])
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook() would stamp the build's clock as "modified".
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip(raw.getvalue(), day)


def _sheet_title(key: str) -> str:
    title = "".join(ch for ch in key if ch not in "[]:*?/\\")[:31]
    return title or "data"


def _fixed_zip(data: bytes, day: date | None) -> bytes:
    """The same entries in the same order, with one fixed timestamp and fixed attributes."""
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day and day.year >= 1980 else _ZIP_EPOCH
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            dst.writestr(fixed, src.read(info.filename), compresslevel=6)
    return out.getvalue()
