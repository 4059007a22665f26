"""An annual plan's page: its header, its tasks, and the non-random tasks' results.
"""

from __future__ import annotations

from dataclasses import dataclass

from ssjpub.loader.repository import AgencyData
from ssjpub.model import Plan, Task, format_ratio
from ssjpub.site import urls
from ssjpub.site.pages.common import (
    NON_RANDOM_LABEL, RESULT_COLUMNS, SitePage, _agency_crumbs, _day, _name, _result_cells, checklist_files, clip,
    is_random, snapshot_files, target_names, task_source,
)
from ssjpub.site.served import Catalogue
from ssjpub.site.tables import Cell, Table, cell, columns

_STRATA_BY = {"grade": "诚信等级", "area": "区域", "industry": "行业"}


TASK_COLUMNS = ("编号", "名称", "事项", "股室", "来源", "比例或数量", "时间", "方式")


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
            rows=tuple(_linked(_result_cells(x, names), urls.enterprise(data.code, x.target)) for x in r.results),
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


def _linked(cells: tuple[Cell, ...], url: str) -> tuple[Cell, ...]:
    """A result row whose enterprise name links to its record."""
    return (cells[0]._replace(url=url), *cells[1:])


RECORD_COLUMNS = ("任务", "抽取记录", "字节数", "SHA-256")


def record_files(data: AgencyData, plan: Plan, files: Catalogue) -> list[str]:
    """The year's draw records the site serves, in plan order."""
    found = (data.draws.get((plan.year, t.id)) for t in plan.tasks)
    return [d.file for d in found if d is not None and d.file in files]


def records_table(data: AgencyData, plan: Plan, files: Catalogue) -> Table | None:
    """The year's draw records, each with its size and SHA-256 as the site serves it: what a later
    draw's task page names as its earlier draws (issue 16 item 7: listing all of them on every task
    page was a quarter of the page, and grew every year). None when the year has no record."""
    rows = []
    for task in plan.tasks:
        draw = data.draws.get((plan.year, task.id))
        f = files.get(draw.file) if draw else None
        if f is None:  # not drawn yet, or a path not served (validate has reported it)
            continue
        rows.append((
            cell(task.id, url=urls.task(data.code, plan.year, task.id), anchor=urls.record_anchor(task.id)),
            cell(f.path.rsplit("/", 1)[-1], url=f.url),
            cell(f.bytes),
            cell(f.sha256),
        ))
    if not rows:
        return None
    return Table(
        key="records",
        caption=f"{plan.year} 年度的抽取记录（{len(rows)} 个）",
        columns=columns(*RECORD_COLUMNS, numeric=("字节数",)),
        rows=tuple(rows),
    )


def plan_page(data: AgencyData, year: int, files: Catalogue | None = None) -> SitePage:
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
    sources = [loaded.file, *(f for d in snapshots for f in snapshot_files(data.snapshots[d]))]
    sources += [r.source for r in results if r.source]
    records = records_table(data, plan, files or {})
    return SitePage(
        url=urls.plan(data.code, year),
        template="plan.html",
        title=plan.title,
        crumbs=_agency_crumbs(data),
        sources=tuple(sources),
        # The names of the tasks' items; the draw records whose digests the page lists.
        depends=tuple(dict.fromkeys((*checklist_files(data), *record_files(data, plan, files or {})))),
        description=clip(
            f"{_name(data)} {year} 年度抽查工作计划：共 {len(plan.tasks)} 项抽查任务，其中随机抽查 {len(random_tasks)} 项、"
            f"{NON_RANDOM_LABEL}{len(plan.tasks) - len(random_tasks)} 项"
            + (f"；{_day(plan.published_on)} 公示" if plan.published_on else "") + "。"),
        data={
            "header": [(k, v) for k, v in header if v],
            "tasks": tasks_table(data, plan),
            "records": records,
            "random_count": len(random_tasks),
            "non_random_count": len(plan.tasks) - len(random_tasks),
            "non_random": results,
            "non_random_label": NON_RANDOM_LABEL,
            "checklist_url": urls.checklist(data.code),
        },
    )
