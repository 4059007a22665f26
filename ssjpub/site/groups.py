"""An agency's pages in groups, each with the list of input files its pages are built from, so
that the incremental build can skip computing a group whose inputs did not change (issue 16 item 1;
the cache itself is ssjpub.site.sitecache).

The groups, in the order ``ssjpub.site.pages.agency_pages`` gives their pages:

- ``agency``: the agency page, its directories (checklist, inspectors, the enterprise lists) and
  the enterprise records' index. It summarises everything, so it depends on every file of the
  agency, and on each record's summary (``Summary``): it is cheap, and rebuilt whenever the agency
  changes (its unchanged pages are still restored by their values' keys);
- ``year/<year>``: the plan page and the task pages of one year. Task pages name earlier years'
  draws and their files (the verifier reads them), so the group depends on every file under
  ``plans/<agency>/`` and on ``results/<agency>/<year>/``;
- ``enterprise/<code>``: one enterprise record. It shows the tasks it was in (``_tasks_of``, the
  same function the record is built with): those tasks' files (plan, draw and failure records,
  randomness, results, timestamps), and the agency's own files (snapshots, agency, checklist,
  inspectors).

Every group also depends on the shared files (every data file outside an agency's folders: result
categories, lottery games, the calendar …); the build-wide part of the key (theme, code, settings)
is ``sitecache.Keys``. The lists are deliberately wide: a file too many only rebuilds a group for
nothing, a file too few would publish a stale page (tests/test_site_cache.py changes each kind).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from ssjpub.draw.history import History
from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.site.pages import (
    SitePage, agency_head, result_categories, year_pages,
)
from ssjpub.site.pages.enterprise import (
    Identity, _Draws, _files, _identities, _tasks_of, enterprise_page, index_pages, record_codes,
    visits,
)
from ssjpub.site.pages.facets import with_facets
from ssjpub.site import sitecache
from ssjpub.site.served import Catalogue

AGENCY = "agency"
SUMMARY_FIELDS = ("drawn", "other", "latest")  # with "who": what the records' index shows of each


@dataclass
class Group:
    name: str  # <agency>/agency, <agency>/year/<year>, <agency>/enterprise/<code>
    files: tuple[str, ...]  # the input files its pages are built from (repository paths, sorted)
    values: Any  # what else they are built from, as plain values (compliance rows, the proof …)
    build: Callable[[], list[SitePage]]


@dataclass
class Plan:
    """One agency's groups. The agency group needs every record's summary: ``summaries`` is filled
    by the caller (from the records built, or from the cache) before that group is built."""

    code: str
    groups: list[Group]
    summaries: dict[str, SitePage] = field(default_factory=dict)  # record url → its summary page


def summary(page: SitePage) -> SitePage:
    """What the records' index and the sitemap take of a record: a page without the rest of its data."""
    return replace(page, data={k: page.data[k] for k in ("who", *SUMMARY_FIELDS)}, facets=None)


def summary_json(page: SitePage) -> dict:
    who = page.data["who"]
    return {"who": [who.code, who.name, who.area, who.industry, who.snapshot, who.snapshot_file],
            **{k: page.data[k] for k in SUMMARY_FIELDS}}


def summary_from_json(value: dict) -> dict:
    return {"who": Identity(*value["who"]), **{k: value[k] for k in SUMMARY_FIELDS}}


def agency_files(code: str, files: list[str]) -> list[str]:
    return [f for f in files if f.startswith((f"plans/{code}/", f"results/{code}/"))]


def shared_files(repo: Repository, files: list[str]) -> list[str]:
    """The data files outside every agency's own folders."""
    own = tuple(p for code in repo.agencies for p in (f"plans/{code}/", f"results/{code}/"))
    return [f for f in files if not f.startswith(own)]


def _year_of(path: str, code: str) -> int | None:
    """The year folder a file of the agency lies in (plans/<code>/<year>/…, results/<code>/<year>/…)."""
    parts = path.split("/")
    return int(parts[2]) if len(parts) > 3 and parts[1] == code and parts[2].isdigit() else None


def _task_files(data: AgencyData, files: list[str]) -> dict[tuple[int, str], list[str]]:
    """Per (year, task id), the files named after the task in its year's folders, and every file
    the loaded data holds for it."""
    out: dict[tuple[int, str], list[str]] = {}
    for f in files:
        year = _year_of(f, data.code)
        if year is not None:
            out.setdefault((year, f.rsplit("/", 1)[-1].split(".", 1)[0]), []).append(f)
    for kind in (data.draws, data.failures, data.results, data.randomness):
        for k, loaded in kind.items():
            out.setdefault(k, []).extend(x for x in (loaded.file, getattr(loaded, "yaml_file", None)) if x)
    for k, stamp in data.timestamps.items():
        out.setdefault(k, []).extend((stamp.record.file, stamp.token_file))
    return out


def plan(repo: Repository, code: str, files: list[str], commit: str, compliance: dict, proof: History | None,
         dirty: frozenset[str], served: Catalogue) -> Plan:
    """The groups of one agency's pages. `files`: every data file of the repository."""
    data = repo.agencies[code]
    games = repo.games.model if repo.games else None
    categories = result_categories(repo)
    mine = agency_files(code, files)
    shared = shared_files(repo, files)
    years = sorted(data.plans)
    # What every group of the agency shares, digested once. Of the working tree's changes only the
    # data's (git status also lists untracked files such as the cache's own): each input file's
    # part of the key says whether it is changed too (trace.SourceRef.dirty).
    base = {"shared": sitecache.digest({"years": years, "commit": commit,
                                        "dirty": sorted(f for f in dirty if f.startswith(("plans/", "results/")))})}
    # The agency's own files: outside its year folders (snapshots, agency, checklist, inspectors).
    own = [f for f in mine if _year_of(f, code) is None]
    plans_all = [f for f in mine if f.startswith(f"plans/{code}/")]
    out = Plan(code, [])

    def facets(pages: list[SitePage]) -> list[SitePage]:
        return with_facets(repo, pages)

    def agency_group() -> list[SitePage]:
        records = [out.summaries[u] for u in sorted(out.summaries)]
        who = {p.data["who"].code: p for p in records}
        ordered = [who[c] for c in sorted(who, key=lambda c: (who[c].data["who"].area, c))]
        index = index_pages(data, ordered) if ordered else []
        return facets(agency_head(data, index, frozenset(who)) + index)

    out.groups.append(Group(f"{code}/{AGENCY}", tuple(sorted({*shared, *mine})), base, agency_group))

    proof_of = {k: v for k, v in (proof.records.items() if proof else ()) if k[0] == code}
    for year in years:
        def year_group(year: int = year) -> list[SitePage]:
            return facets(year_pages(data, year, categories, commit, compliance.get(code, {}).get(str(year), {}),
                                     proof, dirty, served, games))

        deps = {*shared, *plans_all, *(f for f in mine if f.startswith(f"results/{code}/{year}/"))}
        values = {**base, "compliance": compliance.get(code, {}).get(str(year)),
                  "proof": [proof is not None and proof.checked, proof.reason if proof else "",
                            sorted(([list(k), v] for k, v in proof_of.items() if k[1] == year), key=repr)]}
        out.groups.append(Group(f"{code}/year/{year}", tuple(sorted(deps)), values, year_group))

    codes = record_codes(data)
    if codes:
        keys = _tasks_of(data)
        per_task = _task_files(data, mine)
        context: dict[str, Any] = {}

        def records(code_: str) -> list[SitePage]:
            if not context:  # read once for all the records built in this build
                context["who"], context["draws"] = _identities(data, codes), _Draws(data)
            who = context["who"][code_]
            found = visits(data, code_, keys.get(code_, []), context["draws"])
            sources, depends = _files(data, who, keys.get(code_, []))
            return facets([enterprise_page(data, who, found, sources, depends)])

        for c in sorted(codes):
            tasks = keys.get(c, [])
            deps = {*shared, *own, *(f for k in tasks for f in per_task.get(k, ())),
                    *(data.plans[y].file for y, _t in tasks if y in data.plans)}
            out.groups.append(Group(f"{code}/enterprise/{c}", tuple(sorted(deps)),
                                    {**base, "tasks": [list(k) for k in tasks]},
                                    lambda c=c: records(c)))
    return out


def is_agency(group: Group) -> bool:
    return group.name.endswith(f"/{AGENCY}")


def assemble(groups: list[tuple[Group, list[SitePage]]]) -> list[SitePage]:
    """The agency's pages in ``agency_pages``' order: the agency group's (but the records' index),
    each year's, the records, then the records' index."""
    head = [p for g, pages in groups if is_agency(g) for p in pages]
    rest = [p for g, pages in groups if not is_agency(g) for p in pages]
    return ([p for p in head if p.template != "enterprises.html"] + rest
            + [p for p in head if p.template == "enterprises.html"])
