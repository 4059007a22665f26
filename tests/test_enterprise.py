"""Enterprise records (企业抽查档案, issue 15 item 2): one page per enterprise ever drawn, named in
a non-random task or with a result, whose facts are the committed records'; linked from every
table that names it; reached from the home page in three taps on a phone.

Page values are checked on the demo data; links on a real Pelican build; the phone path in
headless Chromium at 360 px (skipped without Chromium, as in test_browser).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from ssjpub.draw.engine import weight_of
from ssjpub.site import pages as P
from ssjpub.site import urls
from ssjpub.site.pages.enterprise import weight_reasons
from ssjpub.validate import validate
from test_browser import BROWSER, OVERFLOW, _close_page, _new_page, browser, served  # noqa: F401 (fixtures)
from test_links import _Refs
from test_site import ROOT


@pytest.fixture(scope="module")
def demo():
    repo, problems = validate(ROOT)
    assert problems == [], problems
    return repo


@pytest.fixture(scope="module")
def records(demo) -> dict[str, P.SitePage]:
    return {p.url: p for p in P.site_pages(demo) if p.template == "enterprise.html"}


def _facts(pairs) -> dict[str, list[str]]:
    return {k: v for k, v in pairs}


def test_every_drawn_named_or_inspected_enterprise_has_one_record(demo, records):
    expected = set()
    for data in demo.agencies.values():
        drawn = {t["code"] for r in data.draws.values() for t in r.data["targets"]}
        named = {c for p in data.plans.values() for t in p.model.tasks if t.basis != "随机抽查" for c in t.targets}
        inspected = {x.target for r in data.results.values() for x in r.model.results}
        assert named and drawn and inspected - drawn  # the demo has all three kinds
        expected |= {urls.enterprise(data.code, c) for c in drawn | named | inspected}
    assert set(records) == expected
    for url, page in records.items():
        assert url == f"{url.split('/')[0]}/enterprises/{page.data['who'].code.lower()}/"
        assert page.data["who"].code in page.description and page.data["who"].name in page.description


def test_each_draw_on_a_record_is_the_draw_records_ticket_rank_weight_and_group(demo, records):
    checked = 0
    for data in demo.agencies.values():
        for (year, task_id), rec in sorted(data.draws.items()):
            task = next(t for t in data.plans[year].model.tasks if t.id == task_id)
            pool = {p["id"]: p["name"] for p in rec.data["inspectors"]["pool"]}
            groups = {g["target"]: g for g in rec.data["groups"]}
            snapshot = {t.credit_code: t for t in data.snapshots[task.snapshot].targets}
            for t in rec.data["targets"]:
                page = records[urls.enterprise(data.code, t["code"])]
                [visit] = [v for v in page.data["random_visits"] if v.task.url == urls.task(data.code, year, task_id)]
                facts = _facts(visit.draw)
                assert facts["签号"] == [t["ticket"]]
                assert facts["抽中顺序"] == [f"第 {t['rank']} 家（共 {len(rec.data['targets'])} 家）"]
                assert facts["权重"][0] == f"{t['weight']} 张签"
                # The reasons are the engine's factors: they multiply to the recorded weight.
                assert weight_of(snapshot[t["code"]], task) == t["weight"]
                product = 1
                for line in facts["权重"][1:]:
                    product *= int(line.rsplit("×", 1)[1]) if "×" in line else 1
                assert product == t["weight"], facts["权重"]
                assert facts["签"] == [f"第 {t['copy']} 张"]
                assert (facts.get("层") == [t["stratum"]]) if t["stratum"] else "层" not in facts
                g = _facts(visit.group)
                leader = groups[t["code"]]["leader"]
                assert g["组长"] == [f"{pool[leader]}（{leader}）"]
                assert g["组员"] == [f"{pool[m]}（{m}）" for m in groups[t["code"]]["members"] if m != leader]
                announced = {e.announced_on.isoformat() for e in data.randomness[(year, task_id)].model.sources}
                assert all(d in facts["抽取日期"][0] for d in announced)
                checked += 1
    assert checked > 1000


def test_results_on_a_record_are_the_published_ones_and_withheld_shows_only_category_and_reason(demo, records):
    withheld = 0
    for data in demo.agencies.values():
        for (year, task_id), loaded in data.results.items():
            for x in loaded.model.results:
                page = records[urls.enterprise(data.code, x.target)]
                [visit] = [v for v in page.data["random_visits"] + page.data["other_visits"]
                           if v.task.url == urls.task(data.code, year, task_id)]
                facts = _facts(visit.result)
                assert facts["结果类别"] == [x.category] and facts["检查日期"] == [x.inspected_on.isoformat()]
                if x.withheld is not None:
                    withheld += 1
                    assert x.withheld.reason in facts["依法不予公开"][0]
                    assert "发现的问题" not in facts and "处理情况" not in facts and "整改回访" not in facts
                else:
                    assert facts.get("发现的问题", []) == ([x.findings] if x.findings else [])
    assert withheld


def test_non_random_inspections_are_apart_and_labelled_never_as_drawn(demo, records):
    for data in demo.agencies.values():
        for year, plan in data.plans.items():
            for task in plan.model.tasks:
                if task.basis == "随机抽查":
                    continue
                for code in task.targets:
                    page = records[urls.enterprise(data.code, code)]
                    [visit] = [v for v in page.data["other_visits"] if v.task.url == urls.task(data.code, year, task.id)]
                    assert not visit.random and not visit.draw and not visit.group
                    assert visit.source == f"{task.basis}（非随机，未经抽取）"
                    assert all(v.task.url != visit.task.url for v in page.data["random_visits"])


def test_weight_reasons_name_each_factor_that_applies():
    weights = {"grade": {"C": 3}, "complaints": {"at_least": 3, "weight": 2}, "serious_violation": 5}
    row = type("Row", (), {"complaints": 4, "serious_violation": True})()
    assert weight_reasons(weights, "C", row) == ["诚信等级 C 级：×3", "投诉举报 4 件（不少于 3 件）：×2", "有严重违法记录：×5"]
    row.complaints, row.serious_violation = 2, False
    assert weight_reasons(weights, "A", row) == ["不适用任何加权因素"]
    assert weight_reasons({"grade": {}, "complaints": None, "serious_violation": None}, "C", row) == ["不适用任何加权因素"]


def test_record_pages_stay_small(records):
    for page in records.values():
        assert not P.page_tables(page)  # facts only: no table, no downloads per record


# --- the built site -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(demo_site) -> Path:
    return demo_site


def _hrefs(path: Path) -> list[str]:
    return _Refs(path.read_text(encoding="utf-8")).refs


def _resolve(page: Path, site: Path, href: str) -> tuple[Path, str]:
    url = urllib.parse.urljoin(page.relative_to(site).as_posix(), href)
    path, _, frag = url.partition("#")
    return site / (path + "index.html" if path.endswith("/") or not path else path), frag


def test_every_table_that_names_an_enterprise_links_to_its_record(demo, site):
    data = demo.agencies["baofeng"]
    rec = data.draws[(2024, "2024-01")].data
    task = site / "baofeng/2024/2024-01/index.html"
    pages = [task, *task.parent.glob("drawn/*/index.html")]  # the drawn table a page at a time
    targets = {_resolve(p, site, h)[0] for p in pages for h in _hrefs(p) if "/enterprises/" in h}
    wanted = {site / urls.save_as(urls.enterprise("baofeng", t["code"])) for t in rec["targets"]}
    assert wanted <= targets and all(p.is_file() for p in targets)
    # Each result is shown in its enterprise's row of the drawn table, which holds its #r- anchor.
    assert f'id="r-{rec["targets"][0]["code"]}"' in task.read_text(encoding="utf-8")
    record = (site / urls.save_as(urls.enterprise("baofeng", rec["targets"][0]["code"]))).read_text(encoding="utf-8")
    assert rec["targets"][0]["ticket"] in record and "2024-01" in record
    # A complaint task: its named table and its results table, on the task and the plan page.
    complaint = next(t for t in data.plans[2024].model.tasks if t.basis != "随机抽查")
    for page in (site / urls.save_as(urls.task("baofeng", 2024, complaint.id)), site / "baofeng/2024/index.html"):
        linked = {_resolve(page, site, h)[0] for h in _hrefs(page) if "/enterprises/" in h}
        assert {site / urls.save_as(urls.enterprise("baofeng", c)) for c in complaint.targets} <= linked, page
    # The enterprise list: a name links to its record exactly when it has one.
    codes = P.record_codes(data)
    list_page = site / "baofeng/targets/list/index.html"
    linked = {_resolve(list_page, site, h)[0].parent.name for h in _hrefs(list_page) if "/enterprises/" in h}
    listed = {t.credit_code for t in sorted(data.snapshots[max(data.snapshots)].targets,
                                            key=lambda t: (t.area, t.credit_code))[:100]}
    assert linked == {c.lower() for c in listed & codes} and linked


def test_home_agency_record_in_three_taps_by_links(demo, site):
    """home → agency (navigation) → area in the list of records (agency page) → the record."""
    home = site / "index.html"
    agency, _ = _resolve(home, site, next(h for h in _hrefs(home) if h.rstrip("/").endswith("baofeng")))
    assert agency == site / "baofeng/index.html"
    areas = [h for h in _hrefs(agency) if "enterprises/" in h and "#a-" in h]  # "enterprises/…": the shortest way
    assert areas
    for href in areas:
        index, frag = _resolve(agency, site, href)
        text = index.read_text(encoding="utf-8")
        row = text[text.index(f'id="{frag}"'):].split("</tr>", 1)[0]
        [record] = [h for h in _Refs(row).refs]
        assert _resolve(index, site, record)[0].is_file()


def test_records_are_indexed_with_name_and_code_first(site):
    page = next((site / "yanshi/enterprises").glob("9*/index.html"))
    text = page.read_text(encoding="utf-8")
    code = page.parent.name.upper()
    assert '<h1 data-pagefind-weight="10">' in text and f"<code>{code}</code>" in text
    assert f'<meta name="description" content="' in text and code in text.split("<body>")[0]


# --- a phone ----------------------------------------------------------------------------------


@pytest.mark.skipif(BROWSER is None, reason="没有安装 Chromium：浏览器测试跳过")
def test_a_phone_goes_home_agency_record_in_three_taps(served, browser):  # noqa: F811
    page, target_id = _new_page(browser)
    try:
        page.call("Page.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=360, height=800, deviceScaleFactor=1, mobile=True)
        page.call("Page.navigate", url=served)
        page.wait_for("Page.loadEventFired")
        taps = [
            "[...document.querySelectorAll('nav a')].find(a => a.getAttribute('href').endsWith('baofeng/'))",
            "document.querySelector('#records-h').parentElement.querySelector('.areas a')",
            "document.querySelector(':target').closest('tr').querySelector('a')",
        ]
        for tap in taps:
            box = page.evaluate(f"(() => {{ try {{ const a = {tap}; a.scrollIntoView({{block: 'center'}});"
                                " const r = a.getBoundingClientRect();"
                                " return [r.left + r.width / 2, r.top + r.height / 2, r.right]; }"
                                " catch (e) { return String(e) + ' at ' + location.href; } })()")
            assert isinstance(box, list) and box[2] <= 360 + 1, (tap, box)  # the link is on the screen, not scrolled off to the right
            for kind in ("mousePressed", "mouseReleased"):
                page.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
            page.wait_for("Page.loadEventFired")
        url = page.evaluate("location.pathname")
        assert "/baofeng/enterprises/" in url and url.count("/") == 4, url
        metrics = page.evaluate(OVERFLOW)
        assert metrics["scroll"] <= metrics["client"], metrics
        # The result is on the screen's width too.
        right = page.evaluate("(() => { const h = [...document.querySelectorAll('dt')].find(d => d.textContent === '结果类别');"
                              " return h ? h.nextElementSibling.getBoundingClientRect().right : 0; })()")
        assert 0 < right <= 361
    finally:
        page.ws.close()
        _close_page(browser, target_id)
