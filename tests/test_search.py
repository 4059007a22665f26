"""The search page in headless Chromium against the built demo site served over http (Pagefind
fetches its index; file:// cannot): real queries typed into the search box, the top result read
from the page. Issue 15, item 3: an enterprise's full name, three characters from the middle of
it, or its credit code (either case) put its record first; the agency, kind and year filters
narrow the results (read from the index as ssjpub.site.pagefind_bundle rewrote it); an
enterprise never drawn is found on the list page that names it.

The enterprises are chosen from the built site, not written down here.
"""

from __future__ import annotations

import csv
import functools
import html
import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from pagefind_pages import bundle_urls
from ssjpub.site import search_index as S
from test_browser import _QuietHandler, _close_page, _open, browser, pytestmark  # noqa: F401 (fixtures)
from test_site import ROOT

RECORD = re.compile(r"^(\w+)/enterprises/([0-9a-z]{18})/index\.html$")


@pytest.fixture(scope="module")
def site(demo_site, tmp_path_factory) -> Path:
    """The demo site indexed again in bundles of a third of the smaller agency's enterprise
    archive, so that the searches below run across several bundles of each agency, the archive
    cut in chunks (a city agency's split, ssjpub.site.search_index, at the demo's size)."""
    copy = tmp_path_factory.mktemp("bundles") / "site"
    shutil.copytree(demo_site, copy)
    codes = sorted(p.name for p in (ROOT / "plans").iterdir() if (p / "agency.yaml").is_file())
    limit = min(len(list((copy / c / "enterprises").rglob("*.html"))) for c in codes) // 3
    assert limit >= 3
    S.index_site(copy, codes, pages=limit)
    return copy


@pytest.fixture(scope="module")
def served(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _records(site: Path) -> dict[str, tuple[str, str]]:
    """Every enterprise record: its URL → (name, credit code), read from the built pages."""
    out = {}
    for path in sorted(site.glob("*/enterprises/*/index.html")):
        rel = path.relative_to(site).as_posix()
        if RECORD.match(rel):
            text = path.read_text(encoding="utf-8")
            name = html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", text).group(1))
            code = re.search(r"统一社会信用代码 <code>([0-9A-Z]{18})</code>", text).group(1)
            out["/" + rel.removesuffix("index.html")] = (name, code)
    return out


def _snapshot_names() -> dict[str, str]:
    """Every enterprise of every committed snapshot: credit code → name."""
    out = {}
    for f in sorted(ROOT.glob("plans/*/targets/*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                out[row["credit_code"]] = row["name"]
    return out


def _fragment(name: str, others: list[str]) -> str | None:
    """Three consecutive characters from the middle of `name` that no other name contains."""
    middle = len(name) // 2
    for start in sorted(range(1, len(name) - 3), key=lambda i: abs(i + 1 - middle)):
        piece = name[start: start + 3]
        if not any(piece in o for o in others):
            return piece
    return None


class SearchPage:
    def __init__(self, port: int, site_url: str) -> None:
        self.port = port
        self.page, self.target = _open(port, site_url + "search/")
        self.wait("!document.querySelector('#search form').hidden")

    def wait(self, condition: str, timeout_ms: int = 20000):
        return self.wait_on(self.page, condition, timeout_ms)

    @staticmethod
    def wait_on(page, condition: str, timeout_ms: int = 20000):
        js = f"""new Promise((ok, fail) => {{ const t0 = Date.now(); (function poll() {{
            let v; try {{ v = ({condition}); }} catch (e) {{ v = false; }}
            if (v) ok(v); else if (Date.now() - t0 > {timeout_ms}) fail(new Error('timeout: ' + {json.dumps(condition)}));
            else setTimeout(poll, 50); }})(); }})"""
        res = page.call("Runtime.evaluate", expression=js, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in res, res
        return res["result"].get("value")

    def filter(self, key: str, value: str) -> None:
        self.page.evaluate(f"""(() => {{ const s = document.querySelector('select[data-filter={json.dumps(key)}]');
            s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change')); }})()""")

    def search(self, query: str) -> list[dict]:
        """Type `query` into the box as a person would; the results once shown."""
        self.page.evaluate("(() => { const i = document.getElementById('search-q'); i.value = ''; i.focus();"
                           " document.getElementById('search-status').textContent = ''; })()")
        self.page.call("Input.insertText", text=query)
        # The list must answer this query: a search started before (a filter just reset) can finish
        # while this one waits out the input's debounce.
        self.wait(f"document.getElementById('search-results').getAttribute('data-query') === {json.dumps(query.strip())}"
                  " && /^(找到|没有找到)/.test(document.getElementById('search-status').textContent)"
                  " && (document.querySelectorAll('#search-results li').length > 0"
                  " || /^没有/.test(document.getElementById('search-status').textContent))")
        return self.page.evaluate("""[...document.querySelectorAll('#search-results li')].map(li => ({
            url: new URL(li.querySelector('a').href).pathname, title: li.querySelector('a').textContent,
            tags: (li.querySelector('.meta') || {}).textContent || ''}))""")

    def count(self) -> int:
        return int(re.search(r"\d+", self.page.evaluate("document.getElementById('search-status').textContent")).group())

    def close(self) -> None:
        self.page.ws.close()
        _close_page(self.port, self.target)


@pytest.fixture(scope="module")
def search_page(served, browser):  # noqa: F811 (a fixture)
    page = SearchPage(browser, served)
    yield page
    page.close()


@pytest.fixture(scope="module")
def chosen(site):
    """Five records spread over the sorted list (both agencies), each with a fragment of its name
    that no other enterprise's name contains."""
    records = _records(site)
    names = _snapshot_names()
    assert len(records) > 20
    urls = sorted(records)
    picked = []
    for url in urls[:: max(1, len(urls) // 5)]:
        name, code = records[url]
        piece = _fragment(name, [n for c, n in names.items() if c != code and n != name])
        if piece:
            picked.append((url, name, code, piece))
    assert {u.split("/")[1] for u, *_ in picked} == {u.split("/")[1] for u in urls}  # every agency
    return picked


def test_an_enterprise_name_fragment_or_credit_code_puts_its_record_first(search_page, chosen):
    for url, name, code, piece in chosen:
        for query in (name, piece, code, code.lower()):
            found = search_page.search(query)
            assert found and found[0]["url"] == url, (query, url, found[:3])
            assert found[0]["title"] == name
        # Agency and year shown beside the result.
        assert "企业档案" in found[0]["tags"] and "年度" in found[0]["tags"], found[0]


def test_list_pages_rank_below_the_record(search_page, chosen):
    url, name, code, _ = chosen[0]
    found = search_page.search(name)
    lists = [i for i, r in enumerate(found) if "/targets/list/" in r["url"] or r["url"].endswith("/enterprises/")]
    assert lists and min(lists) > 0, found[:5]


def test_the_agency_kind_and_year_filters_narrow_the_results(search_page, site):
    everything = search_page.search("示例")
    total = search_page.count()
    assert total > 20 and everything
    agencies = search_page.page.evaluate(
        "[...document.querySelector('select[data-filter=\"机关\"]').options].map(o => o.value).filter(Boolean)")
    assert len(agencies) == 2, agencies
    try:
        search_page.filter("机关", agencies[0])
        found = search_page.search("示例")
        assert 0 < search_page.count() < total
        assert all(agencies[0] in r["tags"] for r in found), found[:3]
        search_page.filter("类别", "任务")
        found = search_page.search("示例")
        assert found and all("/" in r["url"] and r["tags"].startswith("任务") for r in found), found[:3]
        search_page.filter("机关", "")
        search_page.filter("类别", "")
        years = search_page.page.evaluate(
            "[...document.querySelector('select[data-filter=\"年度\"]').options].map(o => o.value).filter(Boolean)")
        assert len(years) >= 2 and years == sorted(years), years
        search_page.filter("年度", years[0])
        found = search_page.search("示例")
        assert 0 < search_page.count() < total
        assert all(years[0] in r["tags"] for r in found), found[:3]
    finally:
        search_page.filter("机关", "")
        search_page.filter("类别", "")
        search_page.filter("年度", "")


def test_an_enterprise_never_drawn_is_found_on_the_list_page(search_page, site):
    records = {code for _, code in _records(site).values()}
    latest = sorted(ROOT.glob("plans/*/targets/*.csv"))[-1]
    with latest.open(encoding="utf-8", newline="") as fh:
        never = [r for r in csv.DictReader(fh) if r["credit_code"] not in records]
    assert never
    row = never[len(never) // 2]
    for query in (row["credit_code"], row["name"]):
        found = search_page.search(query)
        assert found and "/targets/list/" in found[0]["url"], (query, found[:3])
        text = (site / found[0]["url"].lstrip("/") / "index.html").read_text(encoding="utf-8")
        assert row["credit_code"] in text


def test_a_search_handed_over_by_the_list_pages_form_runs(served, browser, chosen):  # noqa: F811
    url, _, code, _ = chosen[-1]
    page, target = _open(browser, served + "search/?q=" + code)
    try:
        first = SearchPage.wait_on(page, "!!document.querySelector('#search-results li a')")
        assert first and page.evaluate("new URL(document.querySelector('#search-results li a').href).pathname") == url
        assert page.evaluate("document.getElementById('search-q').value") == code
    finally:
        page.ws.close()
        _close_page(browser, target)


def test_from_the_home_page_to_an_enterprise_record_and_its_result_in_three_taps(served, browser, site, chosen):  # noqa: F811
    """On a phone: tap the home page's box and type the name, tap 搜索, tap the first result: the
    enterprise's record, whose contents list says each inspection's result."""
    categories = [c["name"] for c in yaml.safe_load((ROOT / "plans/result-categories.yaml").read_text(encoding="utf-8"))["categories"]]
    url, name, code, _ = next(c for c in chosen if any(k in (site / c[0].lstrip("/") / "index.html").read_text(encoding="utf-8")
                                                         for k in categories))
    page, target = _open(browser, served, width=360)
    try:
        page.call("Emulation.setDeviceMetricsOverride", width=360, height=800, deviceScaleFactor=1, mobile=True)
        page.evaluate("document.getElementById('home-q').focus()")  # tap 1, then the keyboard
        page.call("Input.insertText", text=name)
        page.evaluate("document.querySelector('#find-h ~ form button').click()")  # tap 2
        page.wait_for("Page.loadEventFired")
        first = SearchPage.wait_on(page, "document.querySelector('#search-results li a') && "
                                         "new URL(document.querySelector('#search-results li a').href).pathname")
        assert first == url, first
        page.evaluate("document.querySelector('#search-results li a').click()")  # tap 3
        page.wait_for("Page.loadEventFired")
        shown = page.evaluate("""(() => ({path: location.pathname, h1: document.querySelector('h1').textContent,
            toc: [...document.querySelectorAll('nav.toc li')].map(li => li.textContent),
            wide: document.documentElement.scrollWidth}))()""")
        assert shown["path"] == url and shown["h1"] == name, shown
        assert shown["toc"] and all(any(k in line for k in categories) or "结果尚未公示" in line for line in shown["toc"]), shown
        assert any(any(k in line for k in categories) for line in shown["toc"]) and shown["wide"] <= 360, shown
    finally:
        page.ws.close()
        _close_page(browser, target)


def _bundles(site: Path) -> list[dict]:
    """The search page's list of bundles."""
    text = (site / "search/index.html").read_text(encoding="utf-8")
    return json.loads(html.unescape(re.search(r"data-bundles='([^']*)'", text).group(1)))


def _agency_names(site: Path) -> dict[str, str]:
    """Folder → the agency's short name, from the search page's list."""
    return {b["agency"]: b["name"] for b in _bundles(site)}


def _pages(bundle: Path) -> int:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(lang["page_count"] for lang in entry["languages"].values())


def test_each_agency_has_several_bounded_indexes_and_one_search_finds_an_enterprise_of_each(search_page, site, chosen):
    names = _agency_names(site)
    assert set(names) == {p.name for p in (ROOT / "plans").iterdir() if (p / "agency.yaml").is_file()}
    bundles = _bundles(site)
    for code in names:  # the agency's pages are in its own indexes only, none over the limit
        mine = [b for b in bundles if b["agency"] == code]
        assert len(mine) >= 3 and all(b["base"] == f"{code}/" for b in mine), mine
        counts = [_pages(site / b["url"]) for b in mine]
        assert sum(counts) == len(S.html_pages(site / code)) and max(counts) < sum(counts) / 2, counts
        archive = [b for b in mine if any(u.startswith("/enterprises/") for u in bundle_urls(site / b["url"]))]
        assert len(archive) >= 2, mine  # the archive cut in chunks
    assert _pages(site / "pagefind") < 20
    for code in names:
        url, name, _, piece = next(c for c in chosen if c[0].startswith(f"/{code}/"))
        for query in (name, piece):
            found = search_page.search(query)
            assert found and found[0]["url"] == url, (query, url, found[:3])
            assert names[code] in found[0]["tags"]


def test_the_agency_filter_keeps_one_agencys_index(search_page, site):
    names = _agency_names(site)
    assert search_page.search("示例")
    total = search_page.count()
    counts = []
    try:
        for code, name in names.items():
            search_page.filter("机关", name)
            found = search_page.search("示例")
            assert found and all(name in r["tags"] and r["url"].startswith(f"/{code}/") for r in found), found[:3]
            counts.append(search_page.count())
        assert all(counts) and sum(counts) <= total, (counts, total)  # each agency's share of one search
    finally:
        search_page.filter("机关", "")


def test_the_page_works_when_one_agencys_index_fails_to_load(site, browser, chosen, tmp_path):  # noqa: F811
    """The yanshi bundle holding one of its enterprises' records is missing from the server: the
    page says which agency and how many of its indexes, finds baofeng's enterprises and yanshi's
    others, and no longer that record."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    url, other, _, _ = next(c for c in chosen if c[0].startswith("/yanshi/"))
    yanshi = [b for b in _bundles(site) if b["agency"] == "yanshi"]
    lost = next(b for b in yanshi if url.removeprefix("/yanshi") in bundle_urls(site / b["url"]))
    (copy / lost["url"] / "pagefind-entry.json").unlink()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(copy)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = SearchPage(browser, f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        note = page.wait("!document.getElementById('search-missing').hidden"
                         " && document.getElementById('search-missing').textContent")
        names = _agency_names(site)
        assert f"{names['yanshi']}（{len(yanshi)} 个索引中的 1 个）" in note and names["baofeng"] not in note, note
        b_url, name, _, _ = next(c for c in chosen if c[0].startswith("/baofeng/"))
        found = page.search(name)
        assert found and found[0]["url"] == b_url, found[:3]
        assert url not in [r["url"] for r in page.search(other)]
        kept = next(u for u in sorted(_records(site)) if u.startswith("/yanshi/")
                    and u.removeprefix("/yanshi") not in bundle_urls(site / lost["url"]))
        found = page.search(_records(site)[kept][1])  # by its credit code
        assert found and found[0]["url"] == kept, found[:3]  # the agency's other bundles still searched
        filters = page.page.evaluate(
            "[...document.querySelector('select[data-filter=\"机关\"]').options].map(o => o.value).filter(Boolean)")
        assert sorted(filters) == sorted(names.values()), filters
    finally:
        page.close()
        server.shutdown()
        server.server_close()
