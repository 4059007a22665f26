"""Everything the bureau made public, dated by the data: for the home page, the results page and
the Atom feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ssjpub.loader.repository import Repository
from ssjpub.site import urls
from ssjpub.site.pages.common import _agencies, _short, is_random, result_categories


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
