"""The searchable list of every enterprise in an agency's latest target snapshot.

One table split into pages of ``PAGE_SIZE`` rows (directory-style URLs: ``<code>/targets/list/``,
``…/list/2/``), ordered by area, then credit code, so that an index of areas can say on which
page each begins. Every page is in the Pagefind index (the search box on the page searches the
whole site, task pages included, where the enterprise's draws and results are); without
JavaScript the pages are browsed in order. The whole list downloads as one CSV/JSON/XLSX (linked
from every page), not a file per page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from ssjpub.loader.repository import AgencyData
from ssjpub.model import Snapshot, Target
from ssjpub.site import urls
from ssjpub.site.tables import Dataset, Link, Table, cell, columns

PAGE_SIZE = 100  # rows a page: about 30 KB of HTML, under the 50 KB median the site aims for
LIST_COLUMNS = ("统一社会信用代码", "单位名称", "区域", "行业", "诚信等级", "投诉举报", "严重违法记录", "状态")


@dataclass(frozen=True)
class AreaStart:
    area: str
    count: int  # enterprises in the area
    page: int  # the page its first row is on
    url: str


@dataclass(frozen=True)
class Pager:
    """Where a page sits among the list's pages; ``links`` is a window around it."""

    page: int
    pages: int
    first_row: int  # 1-based, for "第 101–200 家"
    last_row: int
    previous: str | None
    next: str | None
    links: tuple[tuple[int, str], ...]  # (page number, url)


def ordered(snapshot: Snapshot) -> list[Target]:
    """Area, then credit code, in code-point order: the same order on every build."""
    return sorted(snapshot.targets, key=lambda t: (t.area, t.credit_code))


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size))


def area_starts(code: str, rows: list, url: Callable[[str, int], str] = urls.target_list) -> list[AreaStart]:
    """Where each area begins in ``rows`` (anything with an ``area``, in area order), paged by ``url``."""
    starts: dict[str, list[int]] = {}
    for i, t in enumerate(rows):
        starts.setdefault(t.area, [i, 0])[1] += 1
    return [
        AreaStart(area, n, i // PAGE_SIZE + 1, f"{url(code, i // PAGE_SIZE + 1)}#{urls.area_anchor(i)}")
        for area, (i, n) in starts.items()
    ]


def pager(code: str, page: int, pages: int, total: int, window: int = 3,
          url: Callable[[str, int], str] = urls.target_list, size: int = PAGE_SIZE) -> Pager:
    """Page 1, the pages within ``window`` of this one, and the last page; ``url`` gives a page's
    address (the enterprise list's, or another list paged the same way, ``size`` rows a page)."""
    shown = sorted({1, pages, *range(max(1, page - window), min(pages, page + window) + 1)})
    return Pager(
        page=page,
        pages=pages,
        first_row=min(total, (page - 1) * size + 1),
        last_row=min(total, page * size),
        previous=url(code, page - 1) if page > 1 else None,
        next=url(code, page + 1) if page < pages else None,
        links=tuple((n, url(code, n)) for n in shown),
    )


def list_rows(snapshot: Snapshot, rows: list[Target], records: frozenset[str] = frozenset()) -> tuple:
    """Every row of the ordered list. The first row of each area carries an anchor that the area
    index links to; the name of an enterprise with a record (``records``: credit codes ever drawn
    or inspected) links to it."""
    out = []
    previous_area = None
    for i, t in enumerate(rows):
        anchor = urls.area_anchor(i) if t.area != previous_area else None
        previous_area = t.area
        out.append((
            cell(t.credit_code, anchor=anchor),
            cell(t.name, url=urls.enterprise(snapshot.agency, t.credit_code) if t.credit_code in records else None),
            cell(t.area),
            cell(t.industry),
            cell(t.grade),
            cell(t.complaints),
            cell("有" if t.serious_violation else "无"),
            cell(t.status),
        ))
    return tuple(out)


def list_tables(snapshot: Snapshot, rows: list[Target], records: frozenset[str] = frozenset()) -> list[Table]:
    """The list's pages, each a part of the whole snapshot's table (downloaded once, beside page 1)."""
    whole = Table(
        key=f"targets-{snapshot.taken_on.isoformat()}",
        caption=f"{snapshot.taken_on.isoformat()} 快照中的全部单位（共 {len(rows)} 家）",
        columns=columns(*LIST_COLUMNS, numeric=("投诉举报",)),
        rows=list_rows(snapshot, rows, records),
        sources=(snapshot.file,),
    )
    return paged(whole, urls.target_list(snapshot.agency, 1), "list",
                 lambda page, pages: f"{snapshot.taken_on.isoformat()} 快照中的单位（第 {page} 页，共 {pages} 页）")


def paged(whole: Table, first_url: str, key: str, caption: Callable[[int, int], str],
          size: int = PAGE_SIZE) -> list[Table]:
    """``whole`` cut into pages of ``size`` rows (``key``-1, ``key``-2, …), each linking to the
    whole table's downloads beside the first page; a shown table's shown rows are cut alike."""
    dataset = Dataset(f"{first_url}{whole.key}", whole)
    pages = page_count(len(whole.rows), size)

    def part(page: int) -> Table:
        cut = slice((page - 1) * size, page * size)
        shown = replace(whole.shown, rows=whole.shown.rows[cut]) if whole.shown else None
        return replace(whole, key=f"{key}-{page}", caption=caption(page, pages), rows=whole.rows[cut], foot=None,
                       sources=None, part_of=dataset, shown=shown)

    return [part(page) for page in range(1, pages + 1)]


def list_link(data: AgencyData) -> Link | None:
    snapshot = latest(data)
    if snapshot is None:
        return None
    return Link(f"全部 {len(snapshot.targets)} 家单位的名单（可搜索）", urls.target_list(data.code, 1))


def latest(data: AgencyData) -> Snapshot | None:
    return data.snapshots[max(data.snapshots)] if data.snapshots else None
