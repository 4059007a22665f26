"""What every page family shares: the page value, the navigation and breadcrumbs, the day and
name helpers, the task's source, enterprise names and result rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.model import Plan, Snapshot, Task
from ssjpub.site import urls
from ssjpub.site.tables import Cell, Link, cell


HOME_LINK = Link("首页", urls.HOME)
NON_RANDOM_LABEL = "非随机（投诉举报/转办交办）"


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
    description: str = ""  # <meta name="description">: what the page holds, from its data (clip())
    # Files whose content the page also uses without listing them as its sources (names of
    # checklist items, the counts a summary shows): with `sources`, what dates the page.
    depends: tuple[str, ...] = ()
    facets: Any = None  # ssjpub.site.pages.facets.Facets: the search's filters and metadata

    @property
    def save_as(self) -> str:
        return urls.save_as(self.url)

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every repository file the page is built from: its sitemap date and manifest entry."""
        return tuple(dict.fromkeys((*self.sources, *self.depends)))


DESCRIPTION_LIMIT = 120  # characters: what search engines show of a description


# A line break inside Chinese text is no space (Markdown sources wrap lines anywhere).
_CJK_BREAK = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def clip(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """A description on one line, at most `limit` characters (an ellipsis ends a cut one)."""
    text = " ".join(_CJK_BREAK.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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


# More agencies than this: the navigation names none but links to the home page's list of them. It
# is on every page: a city's ten names were ~0.6 KB a page, a province's hundred ~6 KB.
NAV_AGENCIES = 3


def nav_links(repo: Repository, extra: Iterable[Link] = ()) -> tuple[Link, ...]:
    """The site-wide navigation: home, one entry per agency (or, past NAV_AGENCIES, one to the
    home page's list), then the site's own pages (``extra``: Markdown pages such as 关于本站)."""
    found = _agencies(repo)
    agencies = ([Link(_short(d), urls.agency(code)) for code, d in found] if len(found) <= NAV_AGENCIES
                else [Link(f"各机关（{len(found)} 个）", "index.html#agencies-h")])
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


def snapshot_files(snapshot) -> tuple[str, ...]:
    """The files a snapshot is read from: itself, or each part of a split one (ssjpub-draw/3)."""
    return tuple(p.file for p in snapshot.parts) or (snapshot.file,)


def population_files(data: AgencyData, file: str) -> tuple[str, ...]:
    """A record's population.file as files: a split snapshot's folder is its parts."""
    found = next((s for s in data.snapshots.values() if s.file == file), None)
    return snapshot_files(found) if found is not None else (file,)


def section_files(data: AgencyData) -> tuple[str, ...]:
    """The files section_links() counts from."""
    files = [f.file for f in (data.checklist, data.inspectors) if f]
    if data.snapshots:
        files += snapshot_files(data.snapshots[max(data.snapshots)])
    return (*files, *(data.plans[y].file for y in sorted(data.plans)))


def checklist_files(data: AgencyData) -> tuple[str, ...]:
    """Where the names of checklist items a plan or task shows come from."""
    return (data.checklist.file,) if data.checklist else ()


# --- tasks and their results, as several pages show them ----------------------------------------

RESULT_COLUMNS = ("检查对象", "统一社会信用代码", "结果类别", "检查日期", "办结日期", "发现的问题", "处理情况", "整改回访")


def is_random(task: Task) -> bool:
    return task.basis == "随机抽查"


def task_source(task: Task) -> str:
    return "随机抽查" if is_random(task) else f"{task.basis}（非随机）"


def task_of(plan: Plan, task_id: str) -> Task | None:
    return next((t for t in plan.tasks if t.id == task_id), None)


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


def result_categories(repo: Repository) -> dict[str, bool]:
    if repo.categories is None:
        return {}
    return {c.name: c.found_problem for c in repo.categories.model.categories}


def verify_draw_argv(record_file: str) -> tuple[str, ...]:
    return ("python3", "docs/verify_draw.py", record_file)
