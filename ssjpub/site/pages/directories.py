"""An agency's directories: the checklist (一单), the inspectors, and the targets (summary and list).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from ssjpub.loader.repository import AgencyData
from ssjpub.model import TARGET_STATUSES, Snapshot, format_ratio
from ssjpub.site import directory, urls
from ssjpub.site.pages.common import Link, SitePage, _agency_crumbs, _day, _name, _short, clip, snapshot_files
from ssjpub.site.tables import Table, cell, columns

GRADES = ("A", "B", "C")


# --- checklist (一单) -----------------------------------------------------------------------

CHECKLIST_COLUMNS = (
    "编号", "事项", "子项", "类别", "抽查主体", "依据", "内容", "对象", "方式", "比例", "频次", "检查人员要求",
)


def checklist_table(data: AgencyData, status: str = "有效") -> Table:
    rows = []
    for item in data.checklist.model.items:
        if item.status != status:
            continue
        rows.append(
            (
                cell(item.id, anchor=urls.item_anchor(item.id)),
                cell(item.name),
                cell(item.sub_item),
                cell(item.category),
                cell(item.department),
                cell(item.basis),
                cell(item.content),
                cell(item.target_kind),
                cell("、".join(item.methods)),
                cell(format_ratio(item.ratio)),
                cell(f"{item.frequency} 次/年"),
                cell(item.inspector_requirements),
            )
        )
    caption = f"{_short(data)}随机抽查事项清单" if status == "有效" else f"{_short(data)}已停用的抽查事项"
    return Table(
        key="checklist" if status == "有效" else "checklist-inactive",
        caption=caption,
        columns=columns(*CHECKLIST_COLUMNS),
        rows=tuple(rows),
    )


def checklist_page(data: AgencyData) -> SitePage:
    c = data.checklist.model
    active = [i for i in c.items if i.status == "有效"]
    counts = Counter(i.category for i in active)
    tables = [checklist_table(data)]
    if len(active) < len(c.items):
        tables.append(checklist_table(data, "停用"))
    return SitePage(
        url=urls.checklist(data.code),
        template="checklist.html",
        title=f"{_name(data)}随机抽查事项清单",
        crumbs=_agency_crumbs(data),
        sources=(data.checklist.file,),
        description=clip(f"{_name(data)}随机抽查事项清单（{_day(c.updated_on)} 更新）：有效抽查事项 {len(active)} 项，"
                         f"其中重点事项 {counts.get('重点', 0)} 项、一般事项 {counts.get('一般', 0)} 项，"
                         "列明依据、内容、方式、比例和频次。"),
        data={
            "updated_on": _day(c.updated_on),
            "total": len(active),
            "key_items": counts.get("重点", 0),
            "general_items": counts.get("一般", 0),
            "tables": tables,
        },
    )


# --- inspector directory --------------------------------------------------------------------

INSPECTOR_COLUMNS = ("姓名", "性别", "单位", "职务", "监察证号", "有效期", "股室")


def inspectors_table(data: AgencyData) -> Table:
    d = data.inspectors.model
    rows = []
    for p in d.inspectors:
        if not p.active:
            continue
        expiry = f"至 {_day(p.cert_expires)}"
        if p.cert_expires < d.updated_on:  # judged at the directory's date, never the build's
            expiry += "（已过期）"
        rows.append(
            (
                cell(p.name),
                cell(p.gender),
                cell(p.unit),
                cell(p.title),
                cell(p.cert_no),
                cell(expiry),
                cell(p.department),
            )
        )
    return Table(
        key="inspectors",
        caption=f"{_short(data)}执法检查人员名录",
        columns=columns(*INSPECTOR_COLUMNS),
        rows=tuple(rows),
    )


def inspectors_page(data: AgencyData) -> SitePage:
    d = data.inspectors.model
    table = inspectors_table(data)
    return SitePage(
        url=urls.inspectors(data.code),
        template="inspectors.html",
        title=f"{_name(data)}执法检查人员名录",
        crumbs=_agency_crumbs(data),
        sources=(data.inspectors.file,),
        # Counts only: no name of a person in a description.
        description=clip(f"{_name(data)}执法检查人员名录（{_day(d.updated_on)} 更新）：在册执法检查人员 {len(table.rows)} 人，"
                         "列明单位、职务、监察证号及有效期，随机选派检查人员从中抽取。"),
        data={
            "updated_on": _day(d.updated_on),
            "total": len(table.rows),
            "inactive": sum(not p.active for p in d.inspectors),
            # Only how many declared a conflict: the enterprises themselves stay unpublished.
            "declared_conflicts": sum(bool(p.conflicts) for p in d.inspectors if p.active),
            "table": table,
        },
    )


# --- target directory -----------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotSummary:
    taken_on: str
    file: str
    sha256: str
    total: int
    statuses: tuple[tuple[str, int], ...]
    serious_violation: int
    with_complaints: int
    tables: tuple[Table, ...]  # by 区域, 行业, 诚信等级


def _count_table(snapshot: Snapshot, key: str, title: str, attr: str, order: list[str]) -> Table:
    by: dict[str, Counter] = {}
    for t in snapshot.targets:
        by.setdefault(getattr(t, attr), Counter())[t.status] += 1
    rows = tuple(
        (cell(value), cell(sum(by[value].values())), *(cell(by[value][s]) for s in TARGET_STATUSES))
        for value in order
        if value in by
    )
    totals = Counter(t.status for t in snapshot.targets)
    return Table(
        key=f"{key}-{snapshot.taken_on.isoformat()}",
        caption=f"按{title}统计（{snapshot.taken_on.isoformat()} 快照）",
        columns=columns(title, "单位数", *TARGET_STATUSES, numeric=("单位数", *TARGET_STATUSES)),
        rows=rows,
        foot=(cell("合计"), cell(len(snapshot.targets)), *(cell(totals[s]) for s in TARGET_STATUSES)),
    )


def _by_size(values: Iterable[str]) -> list[str]:
    """Most frequent first; ties in code-point order, so that the page never depends on hashing."""
    counts = Counter(values)
    return sorted(counts, key=lambda v: (-counts[v], v))


def snapshot_summary(snapshot: Snapshot) -> SnapshotSummary:
    targets = snapshot.targets
    statuses = Counter(t.status for t in targets)
    return SnapshotSummary(
        taken_on=_day(snapshot.taken_on),
        file=snapshot.file,
        sha256=snapshot.sha256,
        total=len(targets),
        statuses=tuple((s, statuses[s]) for s in TARGET_STATUSES),
        serious_violation=sum(t.serious_violation for t in targets),
        with_complaints=sum(t.complaints > 0 for t in targets),
        tables=(
            _count_table(snapshot, "area", "区域", "area", _by_size(t.area for t in targets)),
            _count_table(snapshot, "industry", "行业", "industry", _by_size(t.industry for t in targets)),
            _count_table(snapshot, "grade", "诚信等级", "grade", list(GRADES)),
        ),
    )


def targets_page(data: AgencyData) -> SitePage:
    snapshots = [data.snapshots[d] for d in sorted(data.snapshots, reverse=True)]
    return SitePage(
        url=urls.targets(data.code),
        template="targets.html",
        title=f"{_name(data)}检查对象名录",
        crumbs=_agency_crumbs(data),
        sources=tuple(f for s in snapshots for f in snapshot_files(s)),
        data={"snapshots": [snapshot_summary(s) for s in snapshots], "list_link": directory.list_link(data)},
        description=targets_description(data, snapshots),
    )


def targets_description(data: AgencyData, snapshots: list[Snapshot]) -> str:
    """The latest snapshot's size and statuses; `snapshots` newest first."""
    if not snapshots:
        return clip(f"{_name(data)}检查对象名录：尚无名录快照。")
    latest = snapshots[0]
    statuses = Counter(t.status for t in latest.targets)
    counts = "、".join(f"{s} {statuses[s]} 家" for s in TARGET_STATUSES if statuses[s])
    return clip(f"{_name(data)}检查对象名录：{_day(latest.taken_on)} 快照共 {len(latest.targets)} 家单位（{counts}），"
                f"按区域、行业和诚信等级统计；共 {len(snapshots)} 次快照。")


def target_list_pages(data: AgencyData, records: frozenset[str] = frozenset()) -> list[SitePage]:
    """The latest snapshot's enterprises, PAGE_SIZE a page (ssjpub.site.directory); the names in
    ``records`` (ssjpub.site.pages.enterprise.record_codes) link to their records."""
    snapshot = directory.latest(data)
    if snapshot is None:
        return []
    rows = directory.ordered(snapshot)
    pages = directory.page_count(len(rows))
    areas = directory.area_starts(data.code, rows)
    crumbs = (*_agency_crumbs(data), Link("检查对象名录", urls.targets(data.code)))
    tables = directory.list_tables(snapshot, rows, records)
    out = []
    for page in range(1, pages + 1):
        out.append(SitePage(
            url=urls.target_list(data.code, page),
            template="target_list.html",
            title=f"{_name(data)}检查对象名单" + (f"（第 {page} 页）" if page > 1 else ""),
            crumbs=crumbs,
            sources=snapshot_files(snapshot),
            description=clip(
                f"{_name(data)}检查对象名单（{_day(snapshot.taken_on)} 快照，共 {len(rows)} 家）第 {page}/{pages} 页："
                f"第 {(page - 1) * directory.PAGE_SIZE + 1}—{min(page * directory.PAGE_SIZE, len(rows))} 家，"
                "按区域排列，列明统一社会信用代码、行业和诚信等级。"),
            data={
                "taken_on": _day(snapshot.taken_on),
                "file": snapshot.file,
                "total": len(rows),
                "page_size": directory.PAGE_SIZE,
                "areas": areas,
                "pager": directory.pager(data.code, page, pages, len(rows)),
                "table": tables[page - 1],
            },
        ))
    return out
