"""Tables as data: what a page shows in a table is built once, as plain strings.

The theme renders every ``Table`` with one macro (caption, ``<th scope>``, a scrolling wrapper),
and the same value can later be written as the CSV/JSON/XLSX download beside it. Cells hold
plain text; escaping is the template's job (Jinja2 autoescaping), never done here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str  # site-relative ("baofeng/checklist/") or absolute ("https://…")

    @property
    def external(self) -> bool:
        return "://" in self.url


class Cell(NamedTuple):
    """A NamedTuple, not a frozen dataclass: a county's pages build half a million cells, and a
    frozen dataclass's __init__ costs three times as much."""

    lines: tuple[str, ...] = ()
    url: str | None = None  # the whole cell links there (site-relative)
    anchor: str | None = None  # id of the cell, so that other pages can link to the row

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    numeric: bool = False
    wide: bool = False  # long text: keep the column readable rather than squeezed
    mono: bool = False  # digests and tickets: monospace, may break anywhere


@dataclass(frozen=True)
class Shown:
    """How a page shows a table whose download keeps one column per fact: fewer columns, each
    cell a few parts (each part its own lines, link and anchor), so that a row of many facts
    reads as one line on a desktop and as one short card on a phone."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[tuple[Cell, ...], ...], ...]  # row → cell → parts

    def __post_init__(self) -> None:
        if any(len(row) != len(self.columns) for row in self.rows):
            raise ValueError("shown rows must have one cell per shown column")


@dataclass(frozen=True)
class Table:
    key: str  # stable and unique on its page: the id of the caption, later the download's name
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    foot: tuple[Cell, ...] | None = None  # a totals row
    row_headers: bool = True  # the first cell of each row is its header (<th scope="row">)
    # The files this table is built from, when fewer than its page's (a page of several agencies'
    # tables): what its JSON download and the manifest name. None: the page's sources.
    sources: tuple[str, ...] | None = None
    # A page of a longer table: the downloads are the whole table's, written once, not this page's.
    part_of: "Dataset | None" = None
    shown: Shown | None = None  # what the page shows instead of the rows (the download keeps the rows)
    cards: bool = False  # on a phone each row is a card, each cell labelled with its column's title
    fold_over: int = 0  # more rows than this: the table is folded (<details>) until opened; 0 never

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in (*self.rows, *([self.foot] if self.foot else [])):
            if len(row) != width:
                raise ValueError(f"table {self.key}: row of {len(row)} cells, {width} columns")

    def column(self, title: str) -> list[str]:
        """The text of one column, for tests and downloads."""
        i = [c.title for c in self.columns].index(title)
        return [row[i].text for row in self.rows]


@dataclass(frozen=True)
class Dataset:
    """A table shown a page at a time (the enterprise lists), or a part on each of several pages
    (a year's tasks: ssjpub.site.yearly), and downloaded whole, once."""

    base: str  # site-relative URL of its download files, without the extension
    table: Table  # every row; its ``sources`` are the files it is built from
    label: str = ""  # the download link's text when the table is not a page of a list (ssjpub.site.yearly)


def cell(value: object = None, url: str | None = None, anchor: str | None = None) -> Cell:
    """A cell from a string, a number, a list of lines or None (an empty cell)."""
    if type(value) is str and value:
        return Cell((value,), url, anchor)
    if type(value) is int:
        return Cell((str(value),), url, anchor)
    if value is None or value == "":
        lines: tuple[str, ...] = ()
    elif isinstance(value, (list, tuple)):
        lines = tuple(str(v) for v in value if v is not None and v != "")
    else:
        lines = (str(value),)
    return Cell(lines, url, anchor)


WIDE = frozenset({"名称", "事项", "依据", "内容", "职责", "发现的问题", "处理情况", "检查对象", "单位名称"})
MONO = frozenset({"签号", "截止签号", "种子", "SHA-256"})


def columns(*titles: str, numeric: Iterable[str] = ()) -> tuple[Column, ...]:
    numeric = set(numeric)
    return tuple(Column(t, t in numeric, t in WIDE, t in MONO) for t in titles)
