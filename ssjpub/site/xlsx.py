"""A one-sheet XLSX workbook of text, whole numbers and dates, written as its XML parts directly.

Why not openpyxl here (it stays the reader, in the importer and the tests): openpyxl builds a
Python object per cell and serialises each through an XML tree, about 20 µs a cell. The downloads
of a county's ten years are 400,000 cells, and openpyxl took 43% of the whole site build
(cProfile, bench/data/county); XlsxWriter was half as slow, still 10× this. What is written here
is a fixed SpreadsheetML skeleton (ECMA-376 Part 1) around one ``<sheetData>`` of inline strings,
numbers and dates (a day number styled yyyy-mm-dd: SpreadsheetML has no date type of its own), the
smallest workbook Excel, WPS and LibreOffice open without repair.

Same rows → same bytes: fixed part order, fixed ZIP timestamps (from ``day``), no clock.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from typing import Sequence

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # ZIP cannot store earlier dates

_CONTENT_TYPES = _HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = _HEAD + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = _HEAD + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: the default; style 1: bold (the header row); style 2: a date as yyyy-mm-dd (custom
# number format 164, the first id not built in), the form the CSV download writes. Fills 0 and 1
# are required by Excel.
_STYLES = _HEAD + (
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_APP = _HEAD + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>ssjpub</Application></Properties>"
)

# Characters XML 1.0 cannot hold are written as OOXML's _xHHHH_ escape, and a literal "_xHHHH_"
# in the text has its underscore escaped, so that the cell reads back exactly.
# A carriage return too: an XML parser would read it back as a line feed.
_UNSAFE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "_" in text or not text.isprintable():
        text = _UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def _column_letters(n: int) -> list[str]:
    letters = []
    for i in range(1, n + 1):
        name = ""
        while i:
            i, rem = divmod(i - 1, 26)
            name = chr(65 + rem) + name
        letters.append(name)
    return letters


def _text_cell(ref: str, text: str, style: str) -> str:
    body = _escape(text)
    space = ' xml:space="preserve"' if body != body.strip() or "\n" in body else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{body}</t></is></c>'


# Day numbers count from 1899-12-30 (Excel's 1900 date system, whose day 60 is the 1900-02-29 that
# never was): right from 1900-03-01 on. An earlier day stays text.
_DAY_ZERO = date(1899, 12, 30)
_FIRST_DAY = date(1900, 3, 1)
DATE_WIDTH = 11  # characters: "2024-03-21" in full; narrower, a spreadsheet shows "####"

Value = str | int | date


def _cols(rows: Sequence[Sequence[Value]], n: int) -> str:
    """Columns holding a date are made wide enough to show it."""
    dated = sorted({i + 1 for row in rows for i, v in enumerate(row[:n]) if type(v) is date})
    return "".join(f'<col min="{i}" max="{i}" width="{DATE_WIDTH}" customWidth="1"/>' for i in dated)


def _sheet(header: Sequence[str], rows: Sequence[Sequence[Value]]) -> str:
    letters = _column_letters(max([len(header), *(len(r) for r in rows)], default=0))
    cols = _cols(rows, len(letters))
    out = [
        _HEAD,
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
        # The header row stays in view while scrolling.
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>",
        f"<cols>{cols}</cols>" if cols else "",
        "<sheetData>",
        '<row r="1">',
        *(_text_cell(f"{col}1", t, ' s="1"') for col, t in zip(letters, header)),
        "</row>",
    ]
    append = out.append
    for r, row in enumerate(rows, 2):
        cells = []
        for col, value in zip(letters, row):
            if type(value) is int:
                cells.append(f'<c r="{col}{r}"><v>{value}</v></c>')
            elif type(value) is date:
                if value >= _FIRST_DAY:
                    cells.append(f'<c r="{col}{r}" s="2"><v>{(value - _DAY_ZERO).days}</v></c>')
                else:
                    cells.append(_text_cell(f"{col}{r}", value.isoformat(), ""))
            elif value:
                cells.append(_text_cell(f"{col}{r}", value, ""))
        append(f'<row r="{r}">{"".join(cells)}</row>')
    append("</sheetData></worksheet>")
    return "".join(out)


def _core(title: str, author: str, day: date | None) -> str:
    stamp = f"{(day or date(1980, 1, 1)).isoformat()}T00:00:00Z"
    who = _escape(author)
    return _HEAD + (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_escape(title)}</dc:title><dc:creator>{who}</dc:creator>"
        f"<cp:lastModifiedBy>{who}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def sheet_title(key: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\."""
    title = "".join(ch for ch in key if ch not in "[]:*?/\\")[:31]
    return title or "data"


def workbook(
    sheet: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Value]],
    *,
    title: str = "",
    author: str = "ssjpub",
    day: date | None = None,
) -> bytes:
    """The XLSX bytes of one sheet: a bold, frozen header row, then ``rows`` (str cells as text,
    int cells as numbers, date cells as dates shown yyyy-mm-dd, empty strings as empty cells). ``day`` dates the properties and the ZIP
    entries; without it, 1980-01-01."""
    book = _HEAD + (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews><sheets>'
        f'<sheet name="{_escape(sheet_title(sheet)).replace(chr(34), "&quot;")}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )
    parts = (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/app.xml", _APP),
        ("docProps/core.xml", _core(title, author, day)),
        ("xl/workbook.xml", book),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", _sheet(header, rows)),
    )
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day and day.year >= 1980 else _ZIP_EPOCH
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, text.encode("utf-8"), compresslevel=6)
    return out.getvalue()
