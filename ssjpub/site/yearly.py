"""A year's small per-task tables downloaded once: every task page of a year shows its own
compliance record, strata and inspector-choice tables, and each links to one download of that
table for all the year's tasks (a 任务 column first), beside the year's plan page.

Each task had three files per table (a few rows each, the XLSX mostly its fixed zip parts, the
JSON mostly its sources): two fifths of a county's task downloads were these. The page still
shows every row; the download holds every task's rows, each naming its task.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ssjpub.site.tables import Column, Dataset, Table, cell

# The tables merged, and what the year's table is called.
MERGED = {"compliance": "合规记录", "strata": "各层的抽取数量和截止签号", "choice": "各检查组从多少名可选检查人员中抽取"}
TASK = "任务"


def _tables(value: Any, found: list[Table]) -> None:
    """The merged tables a task page's data holds (a Table, a dict, a dataclass, at any depth)."""
    if isinstance(value, Table):
        if value.key in MERGED and value.part_of is None:
            found.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _tables(v, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _tables(v, found)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _tables(getattr(value, f.name), found)


def _swap(value: Any, new: dict[int, Table]) -> Any:
    """``value`` with each table whose id is in ``new`` replaced; unchanged parts kept as they are."""
    if isinstance(value, Table):
        return new.get(id(value), value)
    if isinstance(value, dict):
        out = {k: _swap(v, new) for k, v in value.items()}
        return value if all(out[k] is value[k] for k in value) else out
    if isinstance(value, (list, tuple)):
        items = [_swap(v, new) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(items) if type(value) in (list, tuple) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: _swap(getattr(value, f.name), new) for f in dataclasses.fields(value) if f.init}
        if all(changed[k] is getattr(value, k) for k in changed):
            return value
        return dataclasses.replace(value, **changed)
    return value


def year_downloads(pages: list, plan_url: str, year: int) -> tuple[list, tuple[Table, ...]]:
    """The year's task pages (ssjpub.site.pages.SitePage, in plan order, each with data["task"]),
    each merged table made part of the year's one (``<plan_url><key>``), and a table per year's
    download for the plan page to hold: listed before the tasks, it is the page that writes them
    (ssjpub.site.downloads.owned), so that a change to one task's rows or sources re-renders the
    plan page and that task's, not the year's first task page (ssjpub.site.sitecache). Tables whose
    columns differ from the first of their kind (a choice table predicted before the draw) keep
    their own."""
    found: dict[str, list[tuple[str, Table]]] = {}
    titles: dict[str, tuple[str, ...]] = {}
    sources: dict[str, dict[str, None]] = {}
    per_page: list[list[Table]] = []
    for page in pages:
        mine: list[Table] = []
        _tables(page.data, mine)
        per_page.append(mine)
        for table in mine:
            shape = tuple(c.title for c in table.columns)
            if titles.setdefault(table.key, shape) != shape:
                continue
            found.setdefault(table.key, []).append((page.data["task"].id, table))
            sources.setdefault(table.key, {}).update(
                dict.fromkeys(table.sources if table.sources is not None else page.sources))
    datasets: dict[str, Dataset] = {}
    for key, tables in found.items():
        first = tables[0][1]
        rows = tuple((cell(task_id), *row) for task_id, t in tables for row in (*t.rows, *([t.foot] if t.foot else [])))
        whole = Table(key=key, caption=f"{year} 年度各任务的{MERGED[key]}（共 {len(tables)} 个任务）",
                      columns=(Column(TASK), *first.columns), rows=rows, sources=tuple(sources[key]))
        datasets[key] = Dataset(f"{plan_url}{key}", whole, label=f"下载 {year} 年度各任务的这张表（合为一份，每行注明任务）")
    out = []
    for page, mine in zip(pages, per_page):
        new = {id(t): dataclasses.replace(t, part_of=datasets[t.key]) for t in mine
               if t.key in datasets and any(t is x for _, x in found[t.key])}
        out.append(dataclasses.replace(page, data=_swap(page.data, new)) if new else page)
    owners = tuple(dataclasses.replace(d.table, rows=(), sources=None, part_of=d) for d in datasets.values())
    return out, owners
