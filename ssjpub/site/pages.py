"""What each page of the site shows, as plain values built from a validated repository.

These functions know nothing of Pelican: they take the loaded repository (``ssjpub.validate``)
and return ``SitePage`` values (URL, template, title, breadcrumbs, source files and the page's
data). The generator only writes them; the tests call them directly. Everything here is plain
text: escaping is left to Jinja2's autoescaping in the templates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.model import TARGET_STATUSES, Plan, Snapshot, Task, format_ratio
from ssjpub.site import urls
from ssjpub.site.tables import Cell, Link, Table, cell, columns

HOME_LINK = Link("首页", urls.HOME)
GRADES = ("A", "B", "C")
NON_RANDOM_LABEL = "非随机（投诉举报/转办交办）"
_STRATA_BY = {"grade": "诚信等级", "area": "区域", "industry": "行业"}


@dataclass(frozen=True)
class Document:
    """A Markdown page of content/ (the transcribed source documents), as the home page lists it."""

    title: str
    url: str
    summary: str = ""
    source: str = ""  # the document's origin (its ``Source:`` metadata)


@dataclass(frozen=True)
class SitePage:
    url: str
    template: str
    title: str
    crumbs: tuple[Link, ...] = ()  # from the home page down to the parent of this page
    sources: tuple[str, ...] = ()  # repository-relative data files this page shows
    data: dict[str, Any] = field(default_factory=dict)  # the template's own values

    @property
    def save_as(self) -> str:
        return urls.save_as(self.url)


def _day(d: date | None) -> str:
    return d.isoformat() if d else ""


def _name(data: AgencyData) -> str:
    return data.agency.model.name


def _short(data: AgencyData) -> str:
    return data.agency.model.short_name


# --- navigation ---------------------------------------------------------------------------


def nav_links(repo: Repository) -> tuple[Link, ...]:
    """The site-wide navigation: home, then one entry per agency."""
    return (HOME_LINK, *(Link(_short(d), urls.agency(code)) for code, d in _agencies(repo)))


def _agencies(repo: Repository) -> list[tuple[str, AgencyData]]:
    return [(code, d) for code, d in repo.agencies.items() if d.agency is not None]


def section_links(data: AgencyData) -> list[Link]:
    """The sections of an agency, with the size of each, for the home and agency pages."""
    code = data.code
    links = []
    if data.checklist:
        items = data.checklist.model.items
        links.append(Link(f"随机抽查事项清单（{len(items)} 项）", urls.checklist(code)))
    if data.inspectors:
        people = [p for p in data.inspectors.model.inspectors if p.active]
        links.append(Link(f"执法检查人员名录（{len(people)} 人）", urls.inspectors(code)))
    if data.snapshots:
        latest = data.snapshots[max(data.snapshots)]
        links.append(
            Link(
                f"检查对象名录（{len(latest.targets)} 家，{_day(latest.taken_on)} 快照）",
                urls.targets(code),
            )
        )
    for year in sorted(data.plans, reverse=True):
        links.append(Link(f"{year} 年度抽查工作计划", urls.plan(code, year)))
    return links


def _agency_crumbs(data: AgencyData) -> tuple[Link, ...]:
    return (HOME_LINK, Link(_short(data), urls.agency(data.code)))


# --- home -----------------------------------------------------------------------------------


def home_page(repo: Repository, documents: Iterable[Document] = ()) -> SitePage:
    agencies = [
        {"name": _name(d), "short_name": _short(d), "url": urls.agency(code), "sections": section_links(d)}
        for code, d in _agencies(repo)
    ]
    return SitePage(
        url=urls.HOME,
        template="home.html",
        title="首页",
        data={"agencies": agencies, "documents": list(documents)},
    )


# --- agency ---------------------------------------------------------------------------------


def agency_page(data: AgencyData) -> SitePage:
    a = data.agency.model
    facts = [
        ("机关全称", a.name),
        ("简称", a.short_name),
        ("行政区划代码", a.division_code),
        ("上级主管部门", a.parent or ""),
        ("牵头股室", a.lead_department),
        ("年度计划报送股室", a.plan_office),
    ]
    departments = Table(
        key="departments",
        caption=f"{a.short_name}股室及职责",
        columns=columns("股室", "职责"),
        rows=tuple((cell(d.name), cell(d.duties)) for d in a.departments),
    )
    return SitePage(
        url=urls.agency(data.code),
        template="agency.html",
        title=a.name,
        crumbs=(HOME_LINK,),
        sources=(data.agency.file,),
        data={
            "facts": [(k, v) for k, v in facts if v],
            "repository": a.repository,
            "departments": departments,
            "sections": section_links(data),
        },
    )


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
        sources=tuple(s.file for s in snapshots),
        data={"snapshots": [snapshot_summary(s) for s in snapshots]},
    )


# --- annual plan ----------------------------------------------------------------------------

TASK_COLUMNS = ("编号", "名称", "事项", "股室", "来源", "比例或数量", "时间", "方式")
RESULT_COLUMNS = ("检查对象", "统一社会信用代码", "结果类别", "检查日期", "办结日期", "发现的问题", "处理情况", "整改回访")


def is_random(task: Task) -> bool:
    return task.basis == "随机抽查"


def task_source(task: Task) -> str:
    return "随机抽查" if is_random(task) else f"{task.basis}（非随机）"


def task_size(task: Task) -> list[str]:
    """The ratio or count as the plan states it, and the scope it applies to."""
    if not is_random(task):
        lines = [f"指定 {len(task.targets)} 家（非随机）"]
    elif task.strata is not None:
        lines = [f"按{_STRATA_BY[task.strata.by]}分层："]
        lines += [f"{name} {format_ratio(r)}" for name, r in task.strata.ratios.items()]
    elif task.count is not None:
        lines = [f"{task.count} 家"]
    elif task.ratio is not None:
        lines = [format_ratio(task.ratio)]
    else:
        lines = []
    scope = task.scope
    parts = []
    if scope.areas:
        parts.append("区域：" + "、".join(scope.areas))
    if scope.industries:
        parts.append("行业：" + "、".join(scope.industries))
    if scope.grades:
        parts.append("诚信等级：" + "、".join(scope.grades))
    return lines + [f"范围（{p}）" for p in parts]


def tasks_table(data: AgencyData, plan: Plan) -> Table:
    items = {i.id: i for i in data.checklist.model.items} if data.checklist else {}
    rows = []
    for task in plan.tasks:
        rows.append(
            (
                cell(task.id, anchor=urls.task_anchor(task.id)),
                cell(task.name),
                cell([f"{i} {items[i].name}" if i in items else i for i in task.items]),
                cell(task.departments),
                cell(task_source(task)),
                cell(task_size(task)),
                cell(f"{_day(task.window.start)} 至 {_day(task.window.end)}"),
                cell(task.method),
            )
        )
    return Table(
        key="tasks",
        caption=f"{plan.year} 年度抽查任务",
        columns=columns(*TASK_COLUMNS),
        rows=tuple(rows),
    )


def target_names(data: AgencyData, on: date) -> dict[str, str]:
    """Enterprise names by credit code, as of the latest snapshot taken on or before ``on``
    (later snapshots only fill in codes the earlier ones lack)."""
    names: dict[str, str] = {}
    before = sorted((d for d in data.snapshots if d <= on), reverse=True)
    after = sorted(d for d in data.snapshots if d > on)
    for d in before + after:
        for t in data.snapshots[d].targets:
            names.setdefault(t.credit_code, t.name)
    return names


@dataclass(frozen=True)
class NonRandomResults:
    task_id: str
    name: str
    basis: str
    planned: int  # how many targets the plan names
    source: str = ""  # the results file, when there is one
    completed_on: str = ""
    published_on: str = ""
    table: Table | None = None


def _result_cells(result, names: dict[str, str]) -> tuple[Cell, ...]:
    follow = result.follow_up
    follow_text = f"{_day(follow.visited_on)} {follow.outcome}" if follow else ""
    if result.withheld is not None:
        w = result.withheld
        hidden = f"依法不予公开：{w.reason}（依据：{w.legal_basis}；批准：{w.approved_by}）"
        findings, handling, follow_text = hidden, "", ""
    else:
        findings, handling = result.findings, result.handling
    return (
        cell(names.get(result.target, result.target)),
        cell(result.target),
        cell(result.category),
        cell(_day(result.inspected_on)),
        cell(_day(result.completed_on)),
        cell(findings),
        cell(handling),
        cell(follow_text),
    )


def non_random_results(data: AgencyData, plan: Plan) -> list[NonRandomResults]:
    """Results of the complaint and referral tasks of a plan. These targets were not drawn, and
    the page says so: they are never listed with, or as, drawn ones."""
    out = []
    for task in plan.tasks:
        if is_random(task):
            continue
        loaded = data.results.get((plan.year, task.id))
        if loaded is None:
            out.append(NonRandomResults(task.id, task.name, task.basis, len(task.targets)))
            continue
        r = loaded.model
        names = target_names(data, task.window.end)
        table = Table(
            key=f"results-{task.id}",
            caption=f"{task.id} 检查结果（{task.basis}，非随机抽取）",
            columns=columns(*RESULT_COLUMNS),
            rows=tuple(_result_cells(x, names) for x in r.results),
        )
        out.append(
            NonRandomResults(
                task.id,
                task.name,
                task.basis,
                len(task.targets),
                source=loaded.file,
                completed_on=_day(r.completed_on),
                published_on=_day(r.published_on),
                table=table,
            )
        )
    return out


def plan_page(data: AgencyData, year: int) -> SitePage:
    loaded = data.plans[year]
    plan = loaded.model
    reported = " ".join(x for x in (_day(plan.reported_on), f"报送{plan.reported_to}" if plan.reported_to else "") if x)
    header = [
        ("文号", plan.doc_number or ""),
        ("牵头股室", plan.lead_department),
        ("报送", reported),
        ("公示日期", _day(plan.published_on)),
    ]
    random_tasks = [t for t in plan.tasks if is_random(t)]
    results = non_random_results(data, plan)
    snapshots = sorted({t.snapshot for t in random_tasks if t.snapshot in data.snapshots})
    sources = [loaded.file, *(data.snapshots[d].file for d in snapshots)]
    sources += [r.source for r in results if r.source]
    return SitePage(
        url=urls.plan(data.code, year),
        template="plan.html",
        title=plan.title,
        crumbs=_agency_crumbs(data),
        sources=tuple(sources),
        data={
            "header": [(k, v) for k, v in header if v],
            "tasks": tasks_table(data, plan),
            "random_count": len(random_tasks),
            "non_random_count": len(plan.tasks) - len(random_tasks),
            "non_random": results,
            "non_random_label": NON_RANDOM_LABEL,
            "checklist_url": urls.checklist(data.code),
        },
    )


# --- the whole site -------------------------------------------------------------------------


def site_pages(repo: Repository, documents: Iterable[Document] = ()) -> list[SitePage]:
    """Every page the generator writes, in a fixed order."""
    pages = [home_page(repo, documents)]
    for _code, data in _agencies(repo):
        pages.append(agency_page(data))
        if data.checklist:
            pages.append(checklist_page(data))
        if data.inspectors:
            pages.append(inspectors_page(data))
        if data.snapshots:
            pages.append(targets_page(data))
        for year in sorted(data.plans):
            pages.append(plan_page(data, year))
    return pages
