"""What each page of the site shows, as plain values built from a validated repository.

These functions know nothing of Pelican: they take the loaded repository (``ssjpub.validate``)
and return ``SitePage`` values (URL, template, title, breadcrumbs, source files and the page's
data). The generator only writes them; the tests call them directly. Everything here is plain
text: escaping is left to Jinja2's autoescaping in the templates.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from typing import Any, Iterable

from ssjpub.digits import is_ascii_int
from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.model import TARGET_STATUSES, Plan, Snapshot, Task, format_ratio
from ssjpub.draw.history import History
from ssjpub.site import directory, proof, urls
from ssjpub.site.commands import Command, checkout_command, clone_commands, command, fetch_commands, seed_argv
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


SITE_LINKS = (
    Link("结果公示", urls.RESULTS),
    Link("如何验证", urls.VERIFY),
    Link("搜索", urls.SEARCH),
)


def nav_links(repo: Repository, extra: Iterable[Link] = ()) -> tuple[Link, ...]:
    """The site-wide navigation: home, one entry per agency, then the site's own pages
    (``extra``: Markdown pages such as 关于本站)."""
    agencies = (Link(_short(d), urls.agency(code)) for code, d in _agencies(repo))
    return (HOME_LINK, *agencies, *SITE_LINKS, *extra)


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
        data={"snapshots": [snapshot_summary(s) for s in snapshots], "list_link": directory.list_link(data)},
    )


def target_list_pages(data: AgencyData) -> list[SitePage]:
    """The latest snapshot's enterprises, PAGE_SIZE a page (ssjpub.site.directory)."""
    snapshot = directory.latest(data)
    if snapshot is None:
        return []
    rows = directory.ordered(snapshot)
    pages = directory.page_count(len(rows))
    areas = directory.area_starts(data.code, rows)
    crumbs = (*_agency_crumbs(data), Link("检查对象名录", urls.targets(data.code)))
    out = []
    for page in range(1, pages + 1):
        out.append(SitePage(
            url=urls.target_list(data.code, page),
            template="target_list.html",
            title=f"{_name(data)}检查对象名单" + (f"（第 {page} 页）" if page > 1 else ""),
            crumbs=crumbs,
            sources=(snapshot.file,),
            data={
                "taken_on": _day(snapshot.taken_on),
                "file": snapshot.file,
                "total": len(rows),
                "page_size": directory.PAGE_SIZE,
                "areas": areas,
                "pager": directory.pager(data.code, page, pages, len(rows)),
                "table": directory.list_table(snapshot, rows, (page - 1) * directory.PAGE_SIZE, page, pages),
            },
        ))
    return out


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
                cell(task.name, url=urls.task(data.code, plan.year, task.id)),
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
    (later snapshots only fill in codes the earlier ones lack). A fresh dict each call; the work
    is shared between calls on the same snapshots (a site has many tasks, few snapshots)."""
    before = tuple(sorted((d for d in data.snapshots if d <= on), reverse=True))
    after = tuple(sorted(d for d in data.snapshots if d > on))
    snapshots = tuple(data.snapshots[d] for d in before + after)
    key = tuple(id(s) for s in snapshots)
    hit = _NAMES.pop(key, None)
    if hit is None:
        names: dict[str, str] = {}
        for snapshot in snapshots:
            for t in snapshot.targets:
                names.setdefault(t.credit_code, t.name)
        hit = (snapshots, names)  # the snapshots stay alive: their ids stay theirs
        while len(_NAMES) >= _NAMES_KEPT:
            del _NAMES[next(iter(_NAMES))]  # the least recently used
    _NAMES[key] = hit
    return dict(hit[1])


# Tasks of a year end on different days, so consecutive calls alternate between a few orders.
_NAMES_KEPT = 8
_NAMES: dict[tuple, tuple[tuple[Snapshot, ...], dict[str, str]]] = {}


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


# --- task pages: the plan, the draw record, the groups, the results and how to verify ---------

SEED_FIELDS = ("算法", "用途", "机关代号", "年度", "任务编号", "名录快照的 SHA-256", "任务参数的 SHA-256", "公开随机数规范值")
STRATA_COLUMNS = ("层", "可抽单位数", "比例或数量", "抽取数", "截止签号")
GROUP_COLUMNS = ("顺序", "检查对象", "组长", "组员", "回避人数", "上次检查人员数")
NAMED_COLUMNS = ("统一社会信用代码", "单位名称", "结果类别")
_KIND_BY = {"grade": "诚信等级", "area": "区域", "industry": "行业"}


def task_of(plan: Plan, task_id: str) -> Task | None:
    return next((t for t in plan.tasks if t.id == task_id), None)


def _weights_text(task: Task) -> list[str]:
    w = task.weights
    lines = [f"诚信等级 {g} 级：{n} 倍" for g, n in sorted(w.grade.items())]
    if w.complaints:
        lines.append(f"投诉举报不少于 {w.complaints.at_least} 件：{w.complaints.weight} 倍")
    if w.serious_violation:
        lines.append(f"有严重违法记录：{w.serious_violation} 倍")
    return lines


def _declared_text(task: Task) -> list[str]:
    """Every declared source, in declared order (the canonical randomness joins them so)."""
    lines = []
    for i, r in enumerate(task.sources, start=1):
        head = f"来源 {i}：" if len(task.sources) > 1 else ""
        lines.append(f"{head}{r.kind}：" + "，".join(x for x in (r.game, r.source) if x) if r.kind != "drand"
                     else f"{head}drand quicknet 第 {r.round} 轮")
        if r.issue:
            lines.append(f"期号 {r.issue}")
        lines.append(f"日期 {_day(r.expected_on)}")
        if r.place:
            lines.append(f"地点 {r.place}")
        if r.witnesses:
            lines.append("见证：" + "、".join(r.witnesses))
    if len(task.sources) > 1:
        lines.append("规范随机数为各来源规范值按以上顺序的连接，任何一方都不能单独决定结果")
    return lines


def _values_text(entry) -> list[str]:
    if entry.numbers:
        return [" ".join(str(n) for n in group) for group in entry.numbers]
    if entry.digits:
        return [entry.digits]
    return [f"drand 第 {entry.round} 轮，签名 {entry.signature}"]


def task_facts(data: AgencyData, plan: Plan, task: Task) -> list[tuple[str, list[str]]]:
    """The task as the annual plan states it, one (label, lines) pair per fact."""
    items = {i.id: i for i in data.checklist.model.items} if data.checklist else {}
    facts: list[tuple[str, list[str]]] = [
        ("任务编号", [task.id]),
        ("检查来源", [task_source(task)]),
        ("抽查事项", [f"{i} {items[i].name}" if i in items else i for i in task.items]),
        ("实施股室", list(task.departments)),
        ("检查方式", [task.method]),
        ("实施时间", [f"{_day(task.window.start)} 至 {_day(task.window.end)}"]),
    ]
    if is_random(task):
        facts += [
            ("名录快照", [_day(task.snapshot)] if task.snapshot else []),
            ("比例或数量", task_size(task)),
            ("重点监管权重", _weights_text(task) or ["无（每家单位一张签）"]),
            ("每组检查人员", [f"{task.group_size} 人"]),
            ("检查批次", [f"{task.batches} 批，批次顺序由签号决定"] if task.batches else []),
            ("公开随机数来源", _declared_text(task)),
        ]
    return [(k, v) for k, v in facts if v]


@dataclass(frozen=True)
class DrawView:
    """A committed draw record, as the task page shows it."""

    file: str
    yaml_file: str | None
    algorithm: str
    population: tuple[str, str, int]  # file, sha256, rows
    parameters_sha256: str
    randomness_file: str
    canonical: str
    announced_on: str
    evidence: str
    numbers: list[str]  # the public values as committed, one line per group (or the digits)
    seed: str
    seed_inputs: list[tuple[str, str]]
    seed_argv: tuple[str, ...]  # the one-line Python command that recomputes the seed
    prior_draws: list[Link]
    eligible: int
    inactive: int
    out_of_scope: int
    capped: list[str]
    drawn: int
    strata: Table
    targets: Table
    groups: Table
    batches: int | None
    group_size: int
    requirements: list[str]
    inspectors_file: str
    pool_size: int
    candidates: int


def _inspector_name(pool: dict[str, dict], ident: str) -> str:
    p = pool.get(ident)
    return f"{p['name']}（{ident}）" if p and p.get("name") else ident  # a name may be absent (null)


def draw_view(data: AgencyData, year: int, task: Task, results: dict[str, Any]) -> DrawView | None:
    draw = data.draws.get((year, task.id))
    if draw is None:
        return None
    rec = draw.data
    ranks = {t["code"]: t["rank"] for t in rec.get("targets", [])}
    batches = rec.get("parameters", {}).get("batches")
    stratified = any(t["stratum"] for t in rec.get("targets", []))
    titles = ["顺序", "统一社会信用代码", "单位名称", "检查结果", "区域", "行业", "诚信等级"]
    titles += ["层"] if stratified else []
    titles += ["权重", "签", "签号"] + (["批次"] if batches else [])
    rows = []
    for t in rec.get("targets", []):
        r = results.get(t["code"])
        row = [
            cell(t["rank"], anchor=urls.target_anchor(t["code"])),
            cell(t["code"]),
            cell(t["name"]),
            cell(r.category, url=f"#{urls.result_anchor(t['code'])}") if r else cell("尚未公示"),
            cell(t["area"]),
            cell(t["industry"]),
            cell(t["grade"]),
        ]
        if stratified:
            row.append(cell(t["stratum"]))
        row += [cell(t["weight"]), cell(t["copy"]), cell(t["ticket"])]
        if batches:
            row.append(cell(t["batch"]))
        rows.append(tuple(row))
    targets = Table(
        key="drawn",
        caption=f"抽中的单位（{len(rows)} 家，按签号从小到大排列，即检查顺序）",
        columns=columns(*titles, numeric=("顺序", "权重", "签", "批次")),
        rows=tuple(rows),
    )
    strata = Table(
        key="strata",
        caption="各层的抽取数量和截止签号",
        columns=columns(*STRATA_COLUMNS, numeric=("可抽单位数", "抽取数")),
        rows=tuple(
            (cell(s["stratum"] or "（不分层）"), cell(s["eligible"]), cell(s["rule"]), cell(s["count"]), cell(s["cutoff"]))
            for s in rec.get("strata", [])
        ),
    )
    insp = rec.get("inspectors", {})
    pool = {p["id"]: p for p in insp.get("pool", [])}
    names = {t["code"]: t["name"] for t in rec.get("targets", [])}
    groups = Table(
        key="groups",
        caption=f"检查组（每组 {rec.get('parameters', {}).get('group_size', 2)} 人，第一人为组长）",
        columns=columns(*GROUP_COLUMNS, numeric=("顺序", "回避人数", "上次检查人员数")),
        rows=tuple(
            (
                cell(ranks.get(g["target"], "")),
                cell(names.get(g["target"], g["target"]), url=f"#{urls.target_anchor(g['target'])}"),
                cell(_inspector_name(pool, g["leader"])),
                cell([_inspector_name(pool, m) for m in g["members"]]),
                cell(len(g.get("recused", []))),
                cell(len(g.get("previous", []))),
            )
            for g in rec.get("groups", [])
        ),
    )
    randomness = data.randomness.get((year, task.id))
    numbers: list[str] = []
    announced_on = evidence = ""
    if randomness is not None:
        entries = randomness.model.sources
        announced_on = "、".join(dict.fromkeys(_day(e.announced_on) for e in entries))
        evidence = "；".join(dict.fromkeys(e.evidence for e in entries))
        for e in entries:
            numbers += _values_text(e)
    population = rec.get("population", {})
    values = [
        str(rec.get("algorithm", "")),
        "seed",
        data.code,
        str(year),
        task.id,
        str(population.get("sha256", "")),
        str(rec.get("parameters_sha256", "")),
        str(rec.get("randomness", {}).get("canonical", "")),
    ]
    prior = []
    for ref in rec.get("prior_draws", []):
        y, _, t = str(ref).partition("/")
        prior.append(Link(ref, urls.task(data.code, int(y), t)) if is_ascii_int(y) else Link(ref, ""))
    eligible = rec.get("eligible", {})
    candidates = sum(1 for p in pool.values() if not p.get("excluded"))
    return DrawView(
        file=draw.file,
        yaml_file=draw.yaml_file,
        algorithm=values[0],
        population=(str(population.get("file", "")), values[5], int(population.get("rows", 0))),
        parameters_sha256=values[6],
        randomness_file=str(rec.get("randomness", {}).get("file", "")),
        canonical=values[7],
        announced_on=announced_on,
        evidence=evidence,
        numbers=numbers,
        seed=str(rec.get("seed", "")),
        seed_inputs=list(zip(SEED_FIELDS, values)),
        seed_argv=seed_argv(values),
        prior_draws=prior,
        eligible=int(eligible.get("count", 0)),
        inactive=int(eligible.get("inactive", 0)),
        out_of_scope=int(eligible.get("out_of_scope", 0)),
        capped=list(eligible.get("capped", [])),
        drawn=len(rows),
        strata=strata,
        targets=targets,
        groups=groups,
        batches=batches,
        group_size=int(rec.get("parameters", {}).get("group_size", 2)),
        requirements=list(insp.get("requirements", [])),
        inspectors_file=str(insp.get("file", "")),
        pool_size=len(pool),
        candidates=candidates,
    )


@dataclass(frozen=True)
class ResultsView:
    file: str
    completed_on: str
    published_on: str
    archived_on: str
    count: int
    found_problem: int
    withheld: int
    table: Table


def _found_problem(repo_categories: dict[str, bool], category: str) -> bool:
    return repo_categories.get(category, False)


def results_view(
    data: AgencyData, year: int, task: Task, order: list[str], categories: dict[str, bool]
) -> tuple[ResultsView | None, dict[str, Any]]:
    """The task's published results, in draw order (then file order for anything else)."""
    loaded = data.results.get((year, task.id))
    if loaded is None:
        return None, {}
    r = loaded.model
    by_code = {x.target: x for x in r.results}
    rank = {code: i for i, code in enumerate(order)}
    ordered = [x for _, x in sorted(enumerate(r.results), key=lambda ix: (rank.get(ix[1].target, len(rank)), ix[0]))]
    names = target_names(data, task.window.end)
    for code in order:  # names as the draw record has them
        names.setdefault(code, code)
    rows = []
    for x in ordered:
        cells = list(_result_cells(x, names))
        cells[0] = Cell(cells[0].lines, None, urls.result_anchor(x.target))
        rows.append(tuple(cells))
    caption = f"{task.id} 检查结果" + ("" if is_random(task) else f"（{task.basis}，非随机抽取）")
    table = Table(key="results", caption=caption, columns=columns(*RESULT_COLUMNS), rows=tuple(rows))
    view = ResultsView(
        file=loaded.file,
        completed_on=_day(r.completed_on),
        published_on=_day(r.published_on),
        archived_on=_day(r.archived_on),
        count=len(r.results),
        found_problem=sum(_found_problem(categories, x.category) for x in r.results),
        withheld=sum(x.withheld is not None for x in r.results),
        table=table,
    )
    return view, by_code


def result_categories(repo: Repository) -> dict[str, bool]:
    if repo.categories is None:
        return {}
    return {c.name: c.found_problem for c in repo.categories.model.categories}


def verify_commands(data: AgencyData, draw: DrawView | None, commit: str) -> list[Command]:
    """The commands that re-run this task's draw, each with what it does."""
    cmds = fetch_commands(data.agency.model.repository if data.agency else None, commit)
    if draw is None:
        return cmds
    cmds += [
        command(f"核对名录快照未被改动：结果应为 {draw.population[1]}", ("sha256sum", draw.population[0])),
        command(f"按公开的输入重新计算种子（只用 Python 标准库）：结果应为 {draw.seed}", draw.seed_argv),
        command("只用 Python 标准库独立重新执行这次抽取", verify_draw_argv(draw.file)),
        command("安装 ssjpub", ("python3", "-m", "venv", ".venv"), (".venv/bin/pip", "install", "-e", ".")),
        command("重新执行仓库中的每一次抽取，与记录逐项比对", (".venv/bin/ssjpub", "verify")),
        command("用 git 历史核对先后顺序：输入先于随机数提交，发布后未再修改", (".venv/bin/ssjpub", "verify", "--history")),
    ]
    return cmds


def verify_draw_argv(record_file: str) -> tuple[str, ...]:
    return ("python3", "docs/verify_draw.py", record_file)


def named_table(data: AgencyData, task: Task, results: dict[str, Any]) -> Table:
    """The enterprises a complaint or referral task names: listed, never as drawn."""
    names = target_names(data, task.window.end)
    rows = []
    for code in task.targets:
        r = results.get(code)
        rows.append(
            (
                cell(code, anchor=urls.target_anchor(code)),
                cell(names.get(code, "")),
                cell(r.category, url=f"#{urls.result_anchor(code)}") if r else cell("尚未公示"),
            )
        )
    return Table(
        key="named",
        caption=f"检查对象（{task.basis}线索指定，{len(rows)} 家，非随机抽取）",
        columns=columns(*NAMED_COLUMNS),
        rows=tuple(rows),
    )


STATUS_ORDER = {"not-met": 0, "unknown": 1, "not-due": 2, "met": 3, "not-applicable": 4}


def compliance_table(task_id: str, rows: list[dict] | None) -> Table | None:
    """The task's compliance record (ssjpub.rules.tasks.compliance): each rule and whether the
    bureau kept it, with the dates that show it. Unmet rules first."""
    if not rows:
        return None
    ordered = sorted(rows, key=lambda r: (STATUS_ORDER.get(r["status"], 9), r["code"]))
    return Table(
        key="compliance",
        caption=f"任务 {task_id} 的合规记录（{len(rows)} 条规则）",
        columns=columns("规则", "结论", "说明", "出处", "代码"),
        rows=tuple(
            (cell(r["title"]), cell(r["status_text"] + ("（警告级）" if r["severity"] == "warning" and r["status"] == "not-met" else "")),
             cell(r["detail"]), cell("；".join(r["sources"])), cell(r["code"]))
            for r in ordered
        ),
    )


def timestamp_evidence(data: AgencyData, year: int, task: Task) -> str | None:
    """What proves the declaration came before the draw (docs/timestamps.md); None for non-random tasks.
    The token itself was checked by `ssjpub validate` before the site is built."""
    if not is_random(task):
        return None
    stamp = data.timestamps.get((year, task.id))
    if stamp is None:
        return "本任务没有可信时间戳：随机数来源声明是否早于开奖，只能以 git 提交历史判断。"
    rec = stamp.record.model
    when = rec.gen_time.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    return (f"随机数来源声明于提交 {rec.commit[:10]} 取得可信时间戳（{rec.tsa}，{when} 北京时间），"
            "早于开奖（摇号）日期：令牌见 " + stamp.token_file + "，核对方法见 docs/timestamps.md。")


def task_page(
    data: AgencyData, year: int, task: Task, categories: dict[str, bool] | None = None, commit: str = "未知",
    compliance: list[dict] | None = None, history: History | None = None, dirty: frozenset[str] = frozenset(),
) -> SitePage:
    plan_file = data.plans[year]
    plan = plan_file.model
    categories = categories or {}
    random = is_random(task)
    draw_rec = data.draws.get((year, task.id))
    order = [t["code"] for t in draw_rec.data.get("targets", [])] if draw_rec else list(task.targets)
    results, by_code = results_view(data, year, task, order, categories)
    draw = draw_view(data, year, task, by_code) if random else None
    sources = [plan_file.file]
    if draw is not None:
        sources += [draw.file, *([draw.yaml_file] if draw.yaml_file else [])]
        sources += [draw.population[0], draw.randomness_file]
        if data.inspectors:
            sources.append(data.inspectors.file)
    if results is not None:
        sources.append(results.file)
    stamp = data.timestamps.get((year, task.id))
    if stamp is not None:
        sources.append(stamp.record.file)
    stamp_text = timestamp_evidence(data, year, task)
    failure = failure_view(data, year, task)
    if failure is not None:
        sources.append(failure["file"])
    found = history.records.get((data.code, year, task.id)) if history else None
    claims = proof.vanished_claims(found)
    if failure is not None:
        claims += proof.failure_claims(history, found, any(s in dirty for s in sources))
    if draw is not None:
        first = task.earliest_source()
        expected_on = first[1].expected_on if first else None
        claims += proof.draw_claims(history, found, expected_on, any(s in dirty for s in sources), stamp_text)
    crumbs = (*_agency_crumbs(data), Link(f"{year} 年度计划", urls.plan(data.code, year)))
    return SitePage(
        url=urls.task(data.code, year, task.id),
        template="task.html",
        title=f"{_short(data)} {year} 年 {task.id} {task.name}",
        crumbs=crumbs,
        sources=tuple(dict.fromkeys(s for s in sources if s)),
        data={
            "task": task,
            "random": random,
            "facts": task_facts(data, plan, task),
            "item_links": [Link(i, urls.checklist_item(data.code, i)) for i in task.items],
            "draw": draw,
            "drawn_pending": random and draw is None,
            "named": None if random else named_table(data, task, by_code),
            "results": results,
            "unpublished": max(0, len(order) - len(by_code)) if order else 0,
            "commands": verify_commands(data, draw, commit),
            "non_random_label": NON_RANDOM_LABEL,
            "plan_url": urls.plan(data.code, year),
            "compliance": compliance_table(task.id, compliance),
            "timestamp_evidence": stamp_text,
            "claims": claims,
            "failure": failure,
            "retry_of": Link(task.retry_of, urls.task(data.code, year, task.retry_of)) if task.retry_of else None,
        },
    )


def failure_view(data: AgencyData, year: int, task: Task) -> dict | None:
    """A task whose draw failed once its values were known: what failed, and the retries."""
    failed = data.failures.get((year, task.id))
    if failed is None:
        return None
    rec = failed.data
    retries = [Link(f"{t.id} {t.name}", urls.task(data.code, year, t.id))
               for t in data.plans[year].model.tasks if t.retry_of == task.id]
    return {"file": failed.file, "seed": rec.get("seed"), "randomness": rec.get("randomness", {}).get("file"),
            "canonical": rec.get("randomness", {}).get("canonical"),
            "reasons": [f"{f.get('message')}（{f.get('code')}）" for f in rec.get("failure", [])],
            "retries": retries}


# --- announcements: the home page, the results page and the Atom feed -------------------------


@dataclass(frozen=True)
class Announcement:
    day: date
    kind: str  # 计划公示 | 抽取结果 | 检查结果
    title: str
    url: str
    summary: str
    key: str  # stable and unique: the feed entry's id
    sources: tuple[str, ...] = ()


def announcements(repo: Repository) -> list[Announcement]:
    """Everything the bureau made public, dated by the data: a plan's publication date, the date
    the public randomness of a draw was announced, a task's results' publication date.
    Newest first; same day in a fixed order."""
    categories = result_categories(repo)
    out = []
    for code, data in _agencies(repo):
        short = _short(data)
        for year in sorted(data.plans):
            loaded = data.plans[year]
            plan = loaded.model
            if plan.published_on:
                out.append(
                    Announcement(
                        plan.published_on, "计划公示", plan.title, urls.plan(code, year),
                        f"{short}{year} 年度抽查工作计划，共 {len(plan.tasks)} 项任务。",
                        f"{code}/{year}/plan", (loaded.file,),
                    )
                )
            for task in plan.tasks:
                draw = data.draws.get((year, task.id))
                rv = data.randomness.get((year, task.id))
                if draw is not None and rv is not None:
                    el = draw.data.get("eligible", {})
                    n = len(draw.data.get("targets", []))
                    out.append(
                        Announcement(
                            rv.model.last_announced()[1], "抽取结果", f"{short}{task.id} {task.name}：随机抽取结果",
                            urls.task(code, year, task.id),
                            f"从 {el.get('count', 0)} 家可抽单位中随机抽取 {n} 家，并随机选派检查组。",
                            f"{code}/{year}/{task.id}/draw", (draw.file, rv.file),
                        )
                    )
                res = data.results.get((year, task.id))
                if res is not None and res.model.published_on:
                    r = res.model
                    found = sum(categories.get(x.category, False) for x in r.results)
                    label = "" if is_random(task) else f"（{task.basis}，非随机）"
                    out.append(
                        Announcement(
                            r.published_on, "检查结果", f"{short}{task.id} {task.name}：检查结果公示{label}",
                            urls.task(code, year, task.id) + "#results-h",
                            f"检查 {len(r.results)} 家，发现问题 {found} 家。",
                            f"{code}/{year}/{task.id}/results", (res.file,),
                        )
                    )
    return sorted(out, key=lambda a: (-a.day.toordinal(), a.key))


# --- home -------------------------------------------------------------------------------------

HOME_LATEST = 8


def home_page(repo: Repository, documents: Iterable[Document] = ()) -> SitePage:
    agencies = [
        {"name": _name(d), "short_name": _short(d), "url": urls.agency(code), "sections": section_links(d)}
        for code, d in _agencies(repo)
    ]
    latest = announcements(repo)[:HOME_LATEST]
    return SitePage(
        url=urls.HOME,
        template="home.html",
        title="首页",
        data={
            "agencies": agencies,
            "documents": list(documents),
            "latest": latest,
            "results_url": urls.RESULTS,
            "verify_url": urls.VERIFY,
            "feed_url": urls.FEED,
        },
    )


# --- results announcements ---------------------------------------------------------------------

RESULTS_COLUMNS = ("任务", "检查来源", "任务完成日期", "结果公示日期", "检查单位数", "发现问题", "依法不予公开")


def results_tables(data: AgencyData, year: int, categories: dict[str, bool]) -> tuple[Table | None, Table | None]:
    """Per agency and year: the random tasks' results, and apart from them the non-random ones."""
    plan = data.plans[year].model
    random_rows, other_rows = [], []
    for task in plan.tasks:
        loaded = data.results.get((year, task.id))
        if loaded is None:
            continue
        r = loaded.model
        row = (
            cell(f"{task.id} {task.name}", url=urls.task(data.code, year, task.id) + "#results-h"),
            cell(task_source(task)),
            cell(_day(r.completed_on)),
            cell(_day(r.published_on) or "尚未公示"),
            cell(len(r.results)),
            cell(sum(categories.get(x.category, False) for x in r.results)),
            cell(sum(x.withheld is not None for x in r.results)),
        )
        (random_rows if is_random(task) else other_rows).append(row)
    num = ("检查单位数", "发现问题", "依法不予公开")
    short = _short(data)
    random_table = Table(
        key=f"results-{data.code}-{year}",
        caption=f"{short}{year} 年随机抽查结果",
        columns=columns(*RESULTS_COLUMNS, numeric=num),
        rows=tuple(random_rows),
    ) if random_rows else None
    other_table = Table(
        key=f"results-{data.code}-{year}-non-random",
        caption=f"{short}{year} 年{NON_RANDOM_LABEL}检查结果",
        columns=columns(*RESULTS_COLUMNS, numeric=num),
        rows=tuple(other_rows),
    ) if other_rows else None
    return random_table, other_table


def results_page(repo: Repository) -> SitePage:
    categories = result_categories(repo)
    sections = []
    sources: list[str] = []
    for code, data in _agencies(repo):
        for year in sorted(data.plans, reverse=True):
            random_table, other_table = results_tables(data, year, categories)
            if random_table is None and other_table is None:
                continue
            sections.append({
                "title": f"{_name(data)} {year} 年",
                "anchor": f"{code}-{year}",
                "random": random_table,
                "other": other_table,
            })
            sources += [loaded.file for (y, _t), loaded in sorted(data.results.items()) if y == year]
    if repo.categories is not None:
        sources.append(repo.categories.file)
    return SitePage(
        url=urls.RESULTS,
        template="results.html",
        title="检查结果公示",
        crumbs=(HOME_LINK,),
        sources=tuple(sources),
        data={
            "sections": sections,
            "categories": repo.categories.model.categories if repo.categories else [],
            "non_random_label": NON_RANDOM_LABEL,
        },
    )


# --- how to verify --------------------------------------------------------------------------

DRAWS_COLUMNS = ("任务", "抽取记录", "单独核对这次抽取", "种子")


def verify_page(repo: Repository, commit: str = "未知", repository: str | None = None) -> SitePage:
    """`repository`: the site's address (SSJPUB_REPOSITORY), else the first agency's."""
    rows = []
    sources = []
    repositories = []
    for code, data in _agencies(repo):
        if data.agency and data.agency.model.repository:
            repositories.append(data.agency.model.repository)
        for (year, task_id), draw in sorted(data.draws.items()):
            task = task_of(data.plans[year].model, task_id) if year in data.plans else None
            title = f"{_short(data)}{year} 年 {task_id}" + (f" {task.name}" if task else "")
            rows.append(
                (
                    cell(title, url=urls.task(code, year, task_id) if task else None),
                    cell(draw.file),
                    cell(shlex.join(verify_draw_argv(draw.file))),
                    cell(str(draw.data.get("seed", ""))),
                )
            )
            sources.append(draw.file)
    table = Table(
        key="draws",
        caption=f"本站公示的全部抽取（{len(rows)} 次）",
        columns=columns(*DRAWS_COLUMNS),
        rows=tuple(rows),
    )
    repository = repository or (repositories[0] if repositories else None)
    return SitePage(
        url=urls.VERIFY,
        template="verify.html",
        title="如何验证抽取",
        crumbs=(HOME_LINK,),
        sources=tuple(sources),
        data={
            "table": table,
            "clone": clone_commands(repository),
            "checkout": checkout_command(commit),
            "example": rows[0][2].text if rows else "",
        },
    )


def search_page() -> SitePage:
    return SitePage(url=urls.SEARCH, template="search.html", title="全文搜索", crumbs=(HOME_LINK,))


# --- the whole site -------------------------------------------------------------------------


def site_pages(
    repo: Repository, documents: Iterable[Document] = (), commit: str = "未知", compliance: dict | None = None,
    repository: str | None = None, history: History | None = None, dirty: frozenset[str] = frozenset(),
) -> list[SitePage]:
    """Every page the generator writes, in a fixed order. `compliance` is the per-task record of
    ssjpub.rules.tasks.compliance(); `repository` the site's address (SSJPUB_REPOSITORY); `history`
    what ssjpub.draw.history.read_history() proved, and `dirty` the files changed since the last
    commit (their claims are not checked)."""
    compliance = compliance or {}
    categories = result_categories(repo)
    pages = [home_page(repo, documents), results_page(repo), verify_page(repo, commit, repository), search_page()]
    for _code, data in _agencies(repo):
        pages.append(agency_page(data))
        if data.checklist:
            pages.append(checklist_page(data))
        if data.inspectors:
            pages.append(inspectors_page(data))
        if data.snapshots:
            pages.append(targets_page(data))
            pages.extend(target_list_pages(data))
        for year in sorted(data.plans):
            pages.append(plan_page(data, year))
            for task in data.plans[year].model.tasks:
                rows = compliance.get(data.code, {}).get(str(year), {}).get(task.id)
                pages.append(task_page(data, year, task, categories, commit, rows, history, dirty))
    return pages


def page_tables(value: Any) -> list[Table]:
    """Every Table a page shows (in its data, at any depth), in a fixed order: the downloads."""
    found: list[Table] = []

    def walk(v: Any) -> None:
        if isinstance(v, Table):
            found.append(v)
        elif isinstance(v, (Link, Cell, str)):
            return
        elif isinstance(v, SitePage):
            walk(v.data)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif hasattr(v, "__dataclass_fields__"):
            for name in v.__dataclass_fields__:
                walk(getattr(v, name))

    walk(value)
    return found
