"""What the search offers to filter a page by and shows beside it (Pagefind filters and metadata):
the kind of page, the agency and the year(s); and the enterprise names the page is about, which
the search finds by any part (theme/static/js/search.js). Derived here once for every page, from
its template, its URL (ssjpub.site.urls: ``<agency>/<year>/…``) and its data, so the page
families need not each say it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ssjpub.loader.repository import Repository
from ssjpub.site.pages.common import SitePage, _agencies, _short
from ssjpub.site.tables import Table

# The search page's "类别" filter: what a reader looks for, not how the site is built.
RECORD = "企业档案"
TASK = "任务"
PLAN = "计划"
DIRECTORY = "名录"
RESULTS = "结果"
OTHER = "其他"
KINDS = (RECORD, TASK, PLAN, DIRECTORY, RESULTS, OTHER)

_KIND_OF_TEMPLATE = {
    "enterprise.html": RECORD,
    "task.html": TASK,
    "drawn.html": TASK,  # a page of a task's drawn table
    "plan.html": PLAN,
    "enterprises.html": DIRECTORY,
    "target_list.html": DIRECTORY,
    "targets.html": DIRECTORY,
    "checklist.html": DIRECTORY,
    "inspectors.html": DIRECTORY,
    "results.html": RESULTS,
}


@dataclass(frozen=True)
class Facets:
    kind: str
    agency: str = ""  # the agency's short name, "" for a site-wide page
    years: tuple[int, ...] = ()
    summary: str = ""  # shown instead of the excerpt: an enterprise record's description says more
    names: tuple[str, ...] = ()  # the enterprise(s) the page is about, or lists
    name_weight: int = 1  # Pagefind's weight of those names: a record's own name outranks a list's


NAME_COLUMN = "单位名称"


def _listed_names(page: SitePage) -> tuple[str, ...]:
    """The names in a list page's table (its 单位名称 column)."""
    table = page.data.get("table")
    if not isinstance(table, Table):
        return ()
    at = [i for i, c in enumerate(table.columns) if c.title == NAME_COLUMN]
    return tuple(row[at[0]].text for row in table.rows) if at else ()


def page_facets(page: SitePage, agencies: dict[str, str], years: dict[str, frozenset[int]]) -> Facets:
    """`agencies`: agency code → short name; `years`: agency code → the years it has plans for."""
    kind = _KIND_OF_TEMPLATE.get(page.template, OTHER)
    head, _, rest = page.url.partition("/")
    if head not in agencies:
        return Facets(kind)
    if kind == RECORD:  # the years of the tasks the enterprise was in
        visits = [*page.data.get("random_visits", ()), *page.data.get("other_visits", ())]
        return Facets(kind, agencies[head], tuple(sorted({v.year for v in visits})), page.description,
                      (page.data["who"].name,), 10)
    second = rest.partition("/")[0]
    found = (int(second),) if second.isdigit() and int(second) in years[head] else ()
    return Facets(kind, agencies[head], found, names=_listed_names(page) if kind == DIRECTORY else ())


def with_facets(repo: Repository, pages: list[SitePage]) -> list[SitePage]:
    agencies = {code: _short(d) for code, d in _agencies(repo)}
    years = {code: frozenset(d.plans) for code, d in _agencies(repo)}
    return [replace(p, facets=page_facets(p, agencies, years)) for p in pages]
