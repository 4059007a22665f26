"""The results page: per agency and year, the random tasks' results and apart from them the non-random ones.
"""

from __future__ import annotations

from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.site import urls
from ssjpub.site.pages.common import (
    HOME_LINK, NON_RANDOM_LABEL, SitePage, _agencies, _day, _name, _short, clip, is_random, result_categories,
    task_source,
)
from ssjpub.site.tables import Table, cell, columns


RESULTS_COLUMNS = ("任务", "检查来源", "任务完成日期", "结果公示日期", "检查单位数", "发现问题", "依法不予公开")


def results_tables(data: AgencyData, year: int, categories: dict[str, bool],
                   categories_file: str | None = None) -> tuple[Table | None, Table | None]:
    """Per agency and year: the random tasks' results, and apart from them the non-random ones."""
    plan = data.plans[year].model
    random_rows, other_rows = [], []
    random_files, other_files = [], []
    for task in plan.tasks:
        loaded = data.results.get((year, task.id))
        if loaded is None:
            continue
        (random_files if is_random(task) else other_files).append(loaded.file)
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
    # Each table names its own agency-year's files (the page's are every agency's, every year's).
    shared = (data.plans[year].file, *((categories_file,) if categories_file else ()))
    random_table = Table(
        key=f"results-{data.code}-{year}",
        caption=f"{short}{year} 年随机抽查结果",
        columns=columns(*RESULTS_COLUMNS, numeric=num),
        rows=tuple(random_rows),
        sources=(*random_files, *shared),
    ) if random_rows else None
    other_table = Table(
        key=f"results-{data.code}-{year}-non-random",
        caption=f"{short}{year} 年{NON_RANDOM_LABEL}检查结果",
        columns=columns(*RESULTS_COLUMNS, numeric=num),
        rows=tuple(other_rows),
        sources=(*other_files, *shared),
    ) if other_rows else None
    return random_table, other_table


def results_page(repo: Repository) -> SitePage:
    categories = result_categories(repo)
    sections = []
    sources: list[str] = []
    plans: list[str] = []  # the tasks' names
    for code, data in _agencies(repo):
        for year in sorted(data.plans, reverse=True):
            random_table, other_table = results_tables(data, year, categories,
                                                       repo.categories.file if repo.categories else None)
            if random_table is None and other_table is None:
                continue
            sections.append({
                "title": f"{_name(data)} {year} 年",
                "anchor": f"{code}-{year}",
                "random": random_table,
                "other": other_table,
            })
            sources += [loaded.file for (y, _t), loaded in sorted(data.results.items()) if y == year]
            plans.append(data.plans[year].file)
    if repo.categories is not None:
        sources.append(repo.categories.file)
    return SitePage(
        url=urls.RESULTS,
        template="results.html",
        title="检查结果公示",
        crumbs=(HOME_LINK,),
        sources=tuple(sources),
        depends=tuple(plans),
        description=results_description(repo, sections),
        data={
            "sections": sections,
            "categories": repo.categories.model.categories if repo.categories else [],
            "non_random_label": NON_RANDOM_LABEL,
        },
    )


def results_description(repo: Repository, sections: list[dict]) -> str:
    tables = [t for s in sections for t in (s["random"], s["other"]) if t is not None]
    tasks = sum(len(t.rows) for t in tables)
    checked = sum(int(n) for t in tables for n in t.column("检查单位数"))
    found = sum(int(n) for t in tables for n in t.column("发现问题"))
    names = "、".join(_short(d) for _code, d in _agencies(repo))
    return clip(f"{names}检查结果公示：{tasks} 项抽查任务共检查 {checked} 家单位，发现问题 {found} 家；"
                f"随机抽查与{NON_RANDOM_LABEL}的检查分开列出。")
