"""Issue 16, item 2: a site that fits its host. A year's small per-task tables (compliance record,
strata, inspector choice) are downloaded once a year beside the plan page, each row naming its
task, while each task page still shows its own rows; the navigation does not name every agency."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from ssjpub.rules.catalogue import RuleContext, calendar_of
from ssjpub.rules.tasks import compliance
from ssjpub.site import pages as P
from ssjpub.site import urls, yearly
from ssjpub.site.downloads import jobs
from ssjpub.validate import validate
from test_site import ROOT


@pytest.fixture(scope="module")
def pages():
    repo, _ = validate(ROOT)
    record = compliance(RuleContext(repo, date(2026, 11, 22), calendar_of(repo)))
    return P.site_pages(repo, compliance=record)


def _task_pages(pages, agency: str, year: int):
    return [p for p in pages if p.template == "task.html" and p.url.startswith(f"{agency}/{year}/")]


@pytest.mark.parametrize("key", sorted(yearly.MERGED))
def test_each_task_shows_its_rows_and_the_years_download_holds_every_tasks_rows(pages, key):
    checked = 0
    for agency, year in {tuple(p.url.split("/")[:2]) for p in pages if p.template == "task.html"}:
        shown = [(p.data["task"].id, t) for p in _task_pages(pages, agency, int(year))
                 for t in P.page_tables(p) if t.key == key]
        if not shown:
            continue
        wholes = {id(t.part_of.table): t.part_of for _, t in shown if t.part_of}
        assert len(wholes) == 1, (agency, year)  # one download for the year
        [dataset] = wholes.values()
        assert dataset.base == urls.plan(agency, int(year)) + key
        want = [(task_id, *(c.text for c in row)) for task_id, t in shown
                for row in (*t.rows, *([t.foot] if t.foot else []))]
        got = [tuple(c.text for c in row) for row in dataset.table.rows]
        assert got == want  # every row of every task, in plan order, none twice
        assert dataset.table.columns[0].title == yearly.TASK
        checked += 1
    assert checked


def test_the_downloads_are_written_once_a_year_not_once_a_task(pages):
    bases = [j.base for j in jobs((p.url, p.sources, P.page_tables(p)) for p in pages)]
    assert len(bases) == len(set(bases))
    for key in yearly.MERGED:
        assert not [b for b in bases if b.endswith("/" + key) and b.count("/") > 2], key  # no <agency>/<year>/<task>/key


def test_the_built_site_links_each_task_page_to_its_years_download(demo_site: Path):
    site = demo_site
    assert not list(site.glob("*/*/*/compliance.csv"))
    for year_dir in sorted(site.glob("baofeng/20[0-9][0-9]")):
        task_dirs = [d for d in year_dir.iterdir() if (d / "index.html").is_file() and d.name[:4].isdigit()]
        if not (year_dir / "compliance.csv").is_file():
            continue
        rows = list(csv.reader(io.StringIO((year_dir / "compliance.csv").read_text(encoding="utf-8-sig"))))
        assert rows[0][0] == yearly.TASK
        tasks = {r[0] for r in rows[1:]}
        doc = json.loads((year_dir / "compliance.json").read_text(encoding="utf-8"))
        assert len(doc["rows"]) == len(rows) - 1 and doc["sources"]
        for d in task_dirs:
            html = (d / "index.html").read_text(encoding="utf-8")
            if 'id="compliance-h"' in html:
                assert d.name in tasks
                links = {(d / h).resolve() for h in re.findall(r'href="([^"]+compliance\.csv)"', html)}
                assert links == {(year_dir / "compliance.csv").resolve()} and "合为一份" in html


def test_past_a_few_agencies_the_navigation_links_to_the_home_pages_list_of_them(monkeypatch):
    """The navigation is on every page: a city's or a province's every agency named there was
    the largest part of a small page; the home page lists them."""
    from ssjpub.site.pages import common

    repo, _ = validate(ROOT)
    agencies = [urls.agency(code) for code in sorted(repo.agencies)]
    assert [link.url for link in common.nav_links(repo)][1:1 + len(agencies)] == agencies
    monkeypatch.setattr(common, "NAV_AGENCIES", len(agencies) - 1)
    links = common.nav_links(repo)
    assert (f"各机关（{len(agencies)} 个）", "index.html#agencies-h") in [(link.text, link.url) for link in links]
    assert not set(agencies) & {link.url for link in links}


def test_a_site_of_one_agency_holds_its_pages_and_files_and_nothing_of_another(demo_site, tmp_path):
    """SSJPUB_AGENCIES = ["baofeng"]: the first piece of one site per agency (docs/scale.md). Every
    page and download of that agency the whole site has, none of the other's, no other agency's
    served input, the manifest naming only what is there, and every link resolving inside it."""
    from ssjpub.site.publish import read_manifest
    from test_links import broken_links, pelican

    out = tmp_path / "baofeng-site"
    done = pelican(ROOT, out, 'SSJPUB_AGENCIES=["baofeng"]')
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (out / "yanshi").exists()
    assert not list((out / "files").glob("*/yanshi/**/*")) and list((out / "files/plans/baofeng").rglob("*.yaml"))
    mine = {p.relative_to(out).as_posix() for p in (out / "baofeng").rglob("*.html")}
    whole = {p.relative_to(demo_site).as_posix() for p in (demo_site / "baofeng").rglob("*.html")}
    assert mine == whole
    shared = {p.relative_to(out / "files").as_posix() for p in (out / "files").rglob("*") if p.is_file()}
    assert {p for p in shared if "yanshi" not in p} == shared and "index.json" in shared
    _commit, _sources, files = read_manifest((out / "manifest.json").read_bytes())
    theirs = ("yanshi/", "files/plans/yanshi/", "files/results/yanshi/")
    assert not [f for f in files if f.startswith(theirs)] and "files/index.json" in files
    assert broken_links(out) == []


def test_an_unknown_agency_in_the_selection_stops_the_build_with_the_known_ones(tmp_path):
    from test_links import pelican

    out = tmp_path / "output"
    done = pelican(ROOT, out, 'SSJPUB_AGENCIES=["baofeng", "nowhere"]')
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert re.search(r"pelicanconf\.py:\d+:1: invalid-value 设置 SSJPUB_AGENCIES 无效：没有机关 nowhere（仓库中的机关：baofeng、yanshi）"
                     r"（这个值不是本文件所写的，来自命令行的 -e SSJPUB_AGENCIES=… 或另一个设置文件）", log), log
    assert "Traceback" not in log and not (out / "index.html").exists()


def test_a_records_search_summary_is_its_description_read_from_the_page_head(demo_site, tmp_path):
    """The record's summary is no longer copied into its body: Pagefind reads the meta
    description (data-pagefind-meta="摘要[content]"); every record's fragment still carries it."""
    import gzip
    import html as H
    import shutil

    from ssjpub.site import pagefind_bundle
    from ssjpub.site import search_index as S

    site = tmp_path / "site"
    shutil.copytree(demo_site, site)
    S.index_site(site, ["yanshi"])
    described = {}
    for page in (site / "yanshi/enterprises").glob("*/index.html"):
        if len(page.parent.name) != 18:  # a page of the list of records, not a record
            continue
        text = page.read_text(encoding="utf-8")
        assert 'data-pagefind-meta="摘要">' not in text  # no second copy in the body
        [content] = re.findall(r'<meta name="description" content="([^"]*)" data-pagefind-meta="摘要\[content\]">', text)
        described[page.parent.name] = H.unescape(content)
    summaries = {}
    for frag in site.glob("yanshi/pagefind/*/fragment/*.pf_fragment"):
        doc = json.loads(gzip.decompress(frag.read_bytes())[len(pagefind_bundle.SIGNATURE):])
        if "/enterprises/" in doc["url"] and doc["meta"].get("类别") == "企业档案":
            summaries[doc["url"].rstrip("/").rsplit("/", 1)[-1]] = doc["meta"]["摘要"]
    assert described and summaries == described
