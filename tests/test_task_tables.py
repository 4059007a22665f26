"""The task page's enterprise table (issue 15 item 4, issue 16 item 7): every fact of the draw
record's targets and groups, and every published result, is in the drawn table, one row per
enterprise (the results table is only a download there), paged urls.DRAWN_PAGE_SIZE rows a page
(the first on the task page, the others at <task>/drawn/<n>/) with one complete download; every
link into it from an enterprise archive names the page that holds the row. In headless Chromium at
360 px each row is a card whose name and result are on the screen, at 1280 px the table is a table,
and a link from an archive to a row on a later page lands on that row.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ssjpub.site import urls
from test_browser import BROWSER, _close_page, _new_page, browser  # noqa: F401 (fixture)
from test_site import ROOT

TASK = "baofeng/2024/2024-03/"  # 245 drawn, in batches: the drawn table has many pages
SMALL = "baofeng/2024/2024-04/"  # 17 drawn: not folded


@pytest.fixture(scope="module")
def site(demo_site) -> Path:
    return demo_site


@pytest.fixture(scope="module")
def served(demo_served):
    return demo_served


class _Rows(HTMLParser):
    """The text of every table row that has an id on one of its cells, by that id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, str] = {}
        self._ids: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._ids, self._text = [], []
        elif self._text is not None and tag in ("th", "td"):
            if self._text:
                self._text.append("\n")
            if dict(attrs).get("id"):
                self._ids.append(dict(attrs)["id"])
        elif self._text is not None and tag == "br":
            self._text.append("\n")

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "tr" and self._text is not None:
            for i in self._ids:
                self.rows[i] = "".join(self._text)
            self._text = None


def _rows(page: Path) -> dict[str, str]:
    p = _Rows()
    p.feed(page.read_text(encoding="utf-8"))
    return p.rows


def _task_pages(task_page: Path) -> list[Path]:
    """A task page and its drawn table's later pages (<task>/drawn/<n>/), in page order."""
    later = sorted((task_page.parent / "drawn").glob("*/index.html"), key=lambda p: int(p.parent.name))
    return [task_page, *later]


def _all_rows(task_page: Path) -> dict[str, str]:
    """The rows of the drawn table on all its pages (and the task page's other tables)."""
    rows: dict[str, str] = {}
    for page in _task_pages(task_page):
        found = _rows(page)
        assert not found.keys() & rows.keys(), page  # no row on two pages
        rows.update(found)
    return rows


def test_every_fact_of_the_draw_is_in_its_enterprise_row(site):
    """For every draw record of the demo: each drawn enterprise's row (#t-) holds its rank, code,
    name, area, industry, grade, stratum, weight, copy, ticket, batch, its group's leader and
    members (name and id), and who could not be sent; and there is no separate groups table."""
    checked = 0
    for path in sorted((ROOT / "plans").glob("*/*/draws/*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        agency, year, task = path.parts[-4], path.parts[-3], path.stem
        page = site / agency / year / task / "index.html"
        html = page.read_text(encoding="utf-8")
        assert 'id="cap-groups"' not in html and "<h3 id=\"drawn-h\">" in html
        rows = _all_rows(page)
        pool = {p["id"]: p.get("name") for p in rec["inspectors"]["pool"]}
        groups = {g["target"]: g for g in rec["groups"]}
        for t in rec["targets"]:
            row = rows[f"t-{t['code']}"]
            lines = row.split("\n")
            assert lines[0] == str(t["rank"]), row
            for fact in (t["code"], t["name"], t["area"], t["industry"], t["ticket"], f"权重 {t['weight']}",
                         f"第 {t['copy']} 张签"):
                assert fact in lines or any(fact in line for line in lines), (fact, row)
            if t["grade"]:
                assert f"诚信等级 {t['grade']}" in row
            if t["stratum"]:
                assert f"层：{t['stratum']}" in lines
            if rec["parameters"].get("batches"):
                assert f"第 {t['batch']} 批" in lines
            g = groups[t["code"]]
            for m in [g["leader"], *g["members"]]:
                assert (f"{pool[m]}（{m}）" if pool.get(m) else m) in lines, (m, row)
            # the leader first, as the column says
            assert lines.index(f"{pool[g['leader']]}（{g['leader']}）") < min(
                lines.index(f"{pool[m]}（{m}）") for m in g["members"] if m != g["leader"])
            # Who could not be sent: a short mark after the group's names, the legend above the table says it in full.
            last = max(lines.index(f"{pool[m]}（{m}）" if pool.get(m) else m) for m in [g["leader"], *g["members"]])
            marks = lines[last + 1].split("，")
            for key, mark in (("recused", "回避"), ("previous", "上次")):
                assert (f"{mark} {len(g[key])}" in marks) == bool(g.get(key)), (key, row)
            checked += 1
    assert checked > 1000


def test_card_labels_are_the_column_titles(site):
    """The phone layout's labels come from the columns the page shows, once a page."""
    html = (site / TASK / "index.html").read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    heads = re.search(r'<table>\s*<caption id="cap-drawn">.*?<thead>\s*<tr>(.*?)</tr>', html, re.S).group(1)
    titles = re.findall(r"<th[^>]*>([^<]*)</th>", heads)
    labels = re.findall(r'\[aria-labelledby="cap-drawn"\] t[hd]:nth-child\((\d+)\)::before\{content:"([^"]*)"\}', style)
    assert [t for _, t in labels] == titles and [int(i) for i, _ in labels] == list(range(1, len(titles) + 1))
    assert "cap-results" not in style  # folded into the drawn table


def test_every_result_is_in_its_drawn_row_and_only_downloaded_as_a_table(site):
    """Each published result of a drawn enterprise (category, dates, findings, handling,
    follow-up, or why it is withheld) is in that enterprise's row, whose result cell is the #r-
    anchor; the results table is not on the page, its three downloads are, with every result."""
    import yaml

    checked = 0
    for path in sorted((ROOT / "results").glob("*/*/*.yaml")):
        agency, year, task = path.parts[-3], path.parts[-2], path.stem
        if not (ROOT / "plans" / agency / year / "draws" / f"{task}.json").exists():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        page = site / agency / year / task / "index.html"
        html = page.read_text(encoding="utf-8")
        assert 'id="cap-results"' not in html
        for ext in ("csv", "xlsx", "json"):
            assert f'href="results.{ext}"' in html or f'/{task}/results.{ext}"' in html, ext
        assert len(json.loads((page.parent / "results.json").read_text(encoding="utf-8"))["rows"]) == len(doc["results"])
        rows = _all_rows(page)
        for r in doc["results"]:
            row = rows[f"t-{r['target']}"]
            assert rows[f"r-{r['target']}"] == row
            lines = row.split("\n")
            assert r["category"] in lines, row
            assert str(r["inspected_on"]) in row and str(r.get("completed_on") or "") in row, row
            if r.get("withheld"):
                assert f"依法不予公开：{r['withheld']['reason']}" in row, row
            else:
                for label, key in (("发现的问题", "findings"), ("处理情况", "handling")):
                    if r.get(key):
                        assert f"{label}：{r[key]}" in row, (key, row)
                if r.get("follow_up"):
                    assert f"整改回访：{r['follow_up']['visited_on']} {r['follow_up']['outcome']}" in row, row
            checked += 1
    assert checked > 500


# --- in Chromium ---------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(BROWSER is None, reason="没有安装 Chromium：浏览器测试跳过")


def _page(port: int, url: str, width: int, media: str = ""):
    page, target = _new_page(port)
    page.call("Page.enable")
    page.call("Emulation.setDeviceMetricsOverride", width=width, height=800, deviceScaleFactor=1, mobile=width < 600)
    if media:
        page.call("Emulation.setEmulatedMedia", media=media)
    page.call("Page.navigate", url=url)
    page.wait_for("Page.loadEventFired")
    return page, target


# For a table (by its caption id) and a few rows: where the name and the result are, the page's
# and the table's widths, how the rows are laid out, and the label before the result.
GEOMETRY = """((key, name, result) => {
  const table = document.getElementById('cap-' + key).closest('table');
  const fold = table.closest('details'); if (fold) fold.open = true;
  const rows = [...table.tBodies[0].rows];
  const pick = [0, 1, Math.floor(rows.length / 2), rows.length - 2, rows.length - 1];
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width, height: r.height}; };
  const wrap = table.closest('.table-wrap');
  return {
    count: rows.length, client: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth,
    wrapScroll: wrap.scrollWidth, wrapClient: wrap.clientWidth,
    display: getComputedStyle(rows[0]).display, head: box(table.tHead),
    label: getComputedStyle(rows[0].cells[result], '::before').content,
    rows: pick.map(i => ({name: box(rows[i].cells[name].querySelector('a') || rows[i].cells[name]),
                          nameText: rows[i].cells[name].innerText, result: box(rows[i].cells[result]),
                          resultText: rows[i].cells[result].innerText, top: [...rows[i].cells].map(c => Math.round(c.getBoundingClientRect().top))})),
  };
})"""
TABLES = (("drawn", 1, 2),)  # key, the name's cell, the result's cell


@needs_chromium
@pytest.mark.parametrize("url", [TASK, SMALL])
def test_at_360_px_each_row_shows_its_name_and_result_on_the_screen(served, browser, url):
    page, target = _page(browser, served + url, 360)
    try:
        for key, name, result in TABLES:
            g = page.evaluate(f"{GEOMETRY}({json.dumps(key)}, {name}, {result})")
            assert g["count"] >= 10 and g["scroll"] <= g["client"], (key, g["scroll"])
            assert g["wrapScroll"] <= g["wrapClient"] + 1, (key, "the table scrolls sideways")
            assert g["display"] == "block" and g["head"]["height"] <= 1, (key, "not cards")
            assert g["label"] == '"检查结果"', g["label"]
            for r in g["rows"]:
                for what in ("name", "result"):
                    b = r[what]
                    assert b["width"] > 0 and b["height"] > 0 and 0 <= b["left"] and b["right"] <= g["client"], (key, what, r)
                assert r["nameText"].strip() and r["resultText"].strip(), r
    finally:
        page.ws.close()
        _close_page(browser, target)


@needs_chromium
def test_at_1280_px_the_tables_are_tables(served, browser):
    page, target = _page(browser, served + TASK, 1280)
    try:
        for key, name, result in TABLES:
            g = page.evaluate(f"{GEOMETRY}({json.dumps(key)}, {name}, {result})")
            assert g["display"] == "table-row" and g["head"]["height"] > 10, (key, g["display"])
            assert g["label"] in ("none", "normal"), g["label"]
            for r in g["rows"]:
                assert len(set(r["top"])) == 1, (key, r["top"])  # the cells of a row side by side
                assert r["result"]["left"] > r["name"]["left"], (key, r)
    finally:
        page.ws.close()
        _close_page(browser, target)


@needs_chromium
def test_a_link_from_an_archive_to_a_row_on_a_later_page_lands_on_it(served, browser, site):
    """The enterprise archive's link to its row in the drawn table opens the page that holds it,
    scrolled to the row; the drawn table is never folded (a page is fewer rows than FOLD_OVER)."""
    from ssjpub.site.pages.draw import FOLD_OVER

    assert urls.DRAWN_PAGE_SIZE < FOLD_OVER
    rec = json.loads((ROOT / "plans/baofeng/2024/draws/2024-03.json").read_text(encoding="utf-8"))
    code = rec["targets"][200]["code"]
    archive = site / urls.save_as(urls.enterprise("baofeng", code))
    [href] = re.findall(r'href="([^"]*#t-' + code + ')"', archive.read_text(encoding="utf-8"))
    assert "/drawn/" in href
    at = (archive.parent / href.split("#")[0]).resolve().relative_to(site.resolve()).as_posix() + "/"
    assert at == urls.drawn("baofeng", 2024, "2024-03", urls.drawn_page_of(200))
    page, target = _page(browser, served + at + "#t-" + code, 1280)
    try:
        state = page.evaluate(f"""(() => {{
          const e = document.getElementById({json.dumps("t-" + code)}); const r = e.getBoundingClientRect();
          return {{folds: document.querySelectorAll('details.fold').length, top: r.top, height: r.height,
                   inner: innerHeight}}; }})()""")
        assert state["folds"] == 0 and state["height"] > 0 and -1 <= state["top"] < state["inner"], state
    finally:
        page.ws.close()
        _close_page(browser, target)


def test_a_long_drawn_table_has_every_row_once_across_its_pages_in_ticket_order(site):
    """245 drawn: the task page holds the first DRAWN_PAGE_SIZE rows, drawn/2/, … the others; every
    page says which page it is of how many and of how many enterprises, links to the others, and
    links to the one complete download (beside the task page, none beside the later pages)."""
    rec = json.loads((ROOT / "plans/baofeng/2024/draws/2024-03.json").read_text(encoding="utf-8"))
    codes = [t["code"] for t in rec["targets"]]
    pages = _task_pages(site / TASK / "index.html")
    assert len(pages) == -(-len(codes) // urls.DRAWN_PAGE_SIZE) > 2
    seen = []
    for n, page in enumerate(pages, start=1):
        html = page.read_text(encoding="utf-8")
        found = re.findall(r'<th scope="row" id="t-([^"]+)"', html)
        assert 0 < len(found) <= urls.DRAWN_PAGE_SIZE, page
        seen += found
        assert f"第 {n} 页，共 {len(pages)} 页，共 {len(codes)} 家" in html, page
        assert f"第 {n} 页，共 {len(pages)} 页</p>" in html, page  # the pager
        pager = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', html, re.S).group(1)
        linked = {(page.parent / h).resolve() for h in re.findall(r'href="([^"]*)"', pager)}
        assert pages[-1].parent.resolve() in linked if n == 1 else (site / TASK).resolve() in linked, page
        [csv] = re.findall(r'href="([^"]*drawn\.csv)"', html)
        assert (page.parent / csv).resolve() == (site / TASK / "drawn.csv").resolve(), page
    assert seen == codes
    assert not list((site / TASK / "drawn").rglob("*.csv"))
    assert len(json.loads((site / TASK / "drawn.json").read_text(encoding="utf-8"))["rows"]) == len(codes)


def test_every_drawn_row_link_of_an_enterprise_archive_names_the_page_that_holds_it(site):
    """Each #t- link of every enterprise archive resolves to a row id on the page it names."""
    ids: dict[Path, set[str]] = {}
    checked = 0
    for archive in sorted(site.glob("*/enterprises/*/index.html")):
        for href in re.findall(r'href="([^"]*#t-[^"]+)"', archive.read_text(encoding="utf-8")):
            path, _, anchor = href.partition("#")
            target = (archive.parent / path / "index.html").resolve()
            if target not in ids:
                ids[target] = set(re.findall(r'<th scope="row" id="(t-[^"]+)"', target.read_text(encoding="utf-8")))
            assert anchor in ids[target], (archive, href)
            checked += 1
    assert checked > 1000 and any("/drawn/" in str(p) for p in ids)
