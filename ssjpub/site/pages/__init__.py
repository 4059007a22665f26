"""What each page of the site shows, as plain values built from a validated repository.

These functions know nothing of Pelican: they take the loaded repository (``ssjpub.validate``)
and return ``SitePage`` values (URL, template, title, breadcrumbs, source files and the page's
data). The generator only writes them; the tests call them directly. Everything here is plain
text: escaping is left to Jinja2's autoescaping in the templates.

One module per page family (home, agency, directories, plan, task and its draw, enterprise records,
results, verify, search); what they share is in ``common``. This module puts the whole site together, and its names
are the package's public ones.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from ssjpub.draw.history import History
from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.site import urls
from ssjpub.site.served import Catalogue, catalogue
from ssjpub.site.pages.agency import agency_page
from ssjpub.site.pages.announcements import Announcement, announcements
from ssjpub.site.pages.common import (
    DESCRIPTION_LIMIT, HOME_LINK, NON_RANDOM_LABEL, RESULT_COLUMNS, SITE_LINKS, Document, SitePage, _agencies, clip,
    is_random, nav_links, result_categories, section_links, target_names, task_of, task_source, verify_draw_argv,
)
from ssjpub.site.pages.directories import (
    CHECKLIST_COLUMNS, GRADES, INSPECTOR_COLUMNS, SnapshotSummary, checklist_page, checklist_table, inspectors_page,
    inspectors_table, snapshot_summary, target_list_pages, targets_page,
)
from ssjpub.site.pages.draw import DrawView, draw_view
from ssjpub.site.pages.enterprise import enterprise_pages, record_areas, record_codes
from ssjpub.site.pages.facets import with_facets
from ssjpub.site.pages.home import HOME_LATEST, home_page
from ssjpub.site.pages.plan import NonRandomResults, non_random_results, plan_page, task_size, tasks_table
from ssjpub.site.pages.results import RESULTS_COLUMNS, results_page, results_tables
from ssjpub.site.pages.search import search_page
from ssjpub.site.pages.task import (
    ResultsView, compliance_table, drawn_pages, failure_view, named_table, results_view, task_facts, task_page,
    timestamp_evidence, verify_commands,
)
from ssjpub.site.pages.verify import DRAWS_COLUMNS, verify_page
from ssjpub.site.tables import Cell, Link, Table, cell, columns
from ssjpub.site.yearly import year_downloads

__all__ = [
    "CHECKLIST_COLUMNS", "DESCRIPTION_LIMIT", "DRAWS_COLUMNS", "GRADES", "HOME_LATEST", "HOME_LINK",
    "INSPECTOR_COLUMNS",
    "NON_RANDOM_LABEL", "RESULTS_COLUMNS", "RESULT_COLUMNS", "SITE_LINKS",
    "Announcement", "Cell", "Document", "DrawView", "Link", "NonRandomResults", "ResultsView", "SitePage",
    "SnapshotSummary", "Table",
    "agency_page", "agency_pages", "announcements", "cell", "checklist_page", "checklist_table", "clip", "columns", "compliance_table",
    "draw_view", "drawn_pages", "enterprise_pages", "failure_view", "home_page", "inspectors_page", "inspectors_table", "is_random",
    "named_table", "nav_links", "non_random_results", "page_tables", "plan_page", "record_areas", "record_codes",
    "result_categories", "results_page",
    "results_tables", "results_view", "search_page", "section_links", "shared_pages", "site_pages", "snapshot_summary",
    "target_list_pages", "target_names", "targets_page", "task_facts", "task_of", "task_page", "task_size", "year_pages", "agency_head",
    "task_source", "tasks_table", "timestamp_evidence", "verify_commands", "verify_draw_argv", "verify_page",
]


# --- the whole site -------------------------------------------------------------------------


def site_pages(
    repo: Repository, documents: Iterable[Document] = (), commit: str = "未知", compliance: dict | None = None,
    repository: str | None = None, history: History | None = None, dirty: frozenset[str] = frozenset(),
    files: Catalogue | None = None,
) -> list[SitePage]:
    """Every page the generator writes, in a fixed order: the cross-agency pages, then each
    agency's (``agency_pages``). `compliance` is the per-task record of
    ssjpub.rules.tasks.compliance(); `repository` the site's address (SSJPUB_REPOSITORY); `history`
    what ssjpub.draw.history.read_history() proved, and `dirty` the files changed since the last
    commit (their claims are not checked); `files` the served copies (ssjpub.site.served), catalogued
    from the repository when not given."""
    files = catalogue(repo.root) if files is None else files
    pages = shared_pages(repo, documents, commit, repository, files)
    for code, _data in _agencies(repo):
        pages.extend(agency_pages(repo, code, commit, compliance, history, dirty, files))
    return pages


def shared_pages(repo: Repository, documents: Iterable[Document], commit: str, repository: str | None,
                 files: Catalogue) -> list[SitePage]:
    """The pages drawn from every agency: home, results, verify, search."""
    return with_facets(repo, [home_page(repo, documents), results_page(repo), verify_page(repo, commit, repository, files),
                              search_page(repo)])


def agency_pages(
    repo: Repository, code: str, commit: str = "未知", compliance: dict | None = None,
    history: History | None = None, dirty: frozenset[str] = frozenset(), files: Catalogue | None = None,
) -> list[SitePage]:
    """One agency's pages, all under ``<code>/``, built from its own data and the shared files only
    (the incremental build caches them page by page: ssjpub.site.sitecache)."""
    compliance = compliance or {}
    files = catalogue(repo.root) if files is None else files
    games = repo.games.model if repo.games else None
    categories = result_categories(repo)
    data = repo.agencies[code]
    codes = record_codes(data)
    records = enterprise_pages(data, codes)
    pages = agency_head(data, records, codes)
    for year in sorted(data.plans):
        pages += year_pages(data, year, categories, commit, compliance.get(data.code, {}).get(str(year), {}),
                            history, dirty, files, games)
    pages.extend(records)
    return with_facets(repo, pages)


def agency_head(data: AgencyData, records: list[SitePage], codes: frozenset[str]) -> list[SitePage]:
    """The agency's own pages before its years: the agency page (its areas from the enterprise
    records' pages), the checklist, the inspectors, the target directory and its lists."""
    pages = [agency_page(data, record_areas(records))]
    if data.checklist:
        pages.append(checklist_page(data))
    if data.inspectors:
        pages.append(inspectors_page(data))
    if data.snapshots:
        pages.append(targets_page(data))
        pages.extend(target_list_pages(data, codes))
    return pages


def year_pages(data: AgencyData, year: int, categories, commit: str, compliance: dict, history: History | None,
               dirty: frozenset[str], files: Catalogue, games) -> list[SitePage]:
    """One year of an agency: its plan page (which writes the year's downloads), then each task
    page with its drawn-table pages. ``compliance``: that year's rows by task id."""
    plan = plan_page(data, year, files)
    tasks = [task_page(data, year, task, categories, commit, compliance.get(task.id), history, dirty, files, games)
             for task in data.plans[year].model.tasks]
    tasks, downloads = year_downloads(tasks, urls.plan(data.code, year), year)
    pages = [replace(plan, data={**plan.data, "year_downloads": downloads})]  # not shown: written
    for page in tasks:
        pages += [page, *drawn_pages(page)]
    return pages


def page_tables(value: Any) -> list[Table]:
    """Every Table a page shows (in its data, at any depth), in a fixed order: the downloads."""
    found: list[Table] = []

    def walk(v: Any) -> None:
        # By exact type, each type classified once: this walks every value of every page per build.
        kind = type(v)
        how = _WALK.get(kind)
        if how is None:
            how = _WALK[kind] = _walk_kind(kind)
        if how == "table":
            found.append(v)
        elif how == "page":
            walk(v.data)
        elif how == "dict":
            for x in v.values():
                walk(x)
        elif how == "items":
            for x in v:
                walk(x)
        elif how == "fields":
            for name in v.__dataclass_fields__:
                walk(getattr(v, name))

    walk(value)
    return found


_WALK: dict[type, str] = {}  # a type → how page_tables walks its values ("" for a leaf)


def _walk_kind(kind: type) -> str:
    if issubclass(kind, Table):
        return "table"
    if issubclass(kind, (Link, Cell, str)):
        return ""
    if issubclass(kind, SitePage):
        return "page"
    if issubclass(kind, dict):
        return "dict"
    if issubclass(kind, (list, tuple)):
        return "items"
    return "fields" if hasattr(kind, "__dataclass_fields__") else ""
