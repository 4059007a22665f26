"""The website: page contexts as plain functions on the demo data, and real Pelican builds.

The builds run Pelican as a user does (``python -m pelican … --fatal errors``) in a subprocess, so
that exit status, logs and hash randomisation are real. HTML is checked with ``html.parser``.
There are four builds: the demo twice (two hash seeds, compared byte for byte), an escaping
fixture, and a broken copy that must fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from ssjpub.site import pages as P
from ssjpub.site.generator import UNKNOWN_COMMIT, build_commit, content_problems
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "pelicanconf.py"
SCRIPT = "<script>alert(1)</script>示例公司"


# --- the demo repository, loaded once --------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    repo, problems = validate(ROOT)
    assert problems == [], problems
    return repo


# --- (a) page contexts, without Pelican ------------------------------------------------------


def test_site_pages_have_ascii_directory_urls(demo):
    pages = P.site_pages(demo)
    urls = [p.url for p in pages]
    assert len(urls) == len(set(urls))
    for url in urls:
        assert re.fullmatch(r"([a-z0-9][a-z0-9-]*/)*", url), url
    for p in pages:
        assert p.save_as == p.url + "index.html"
    assert {"", "baofeng/", "baofeng/checklist/", "baofeng/inspectors/", "baofeng/targets/",
            "baofeng/2024/", "yanshi/", "yanshi/2023/"} <= set(urls)


def test_checklist_table_lists_every_active_item(demo):
    for data in demo.agencies.values():
        table = P.checklist_table(data)
        items = [i for i in data.checklist.model.items if i.status == "有效"]
        assert [c.title for c in table.columns] == list(P.CHECKLIST_COLUMNS)
        assert table.column("编号") == [i.id for i in items]
        assert table.column("事项") == [i.name for i in items]
        assert set(table.column("类别")) <= {"重点", "一般"}
        assert all(re.fullmatch(r"\d+(\.\d+)?%", r) for r in table.column("比例"))
        # Rows can be linked to from the plan page.
        assert [row[0].anchor for row in table.rows] == [f"item-{i.id}" for i in items]
        page = P.checklist_page(data)
        assert page.data["key_items"] + page.data["general_items"] == page.data["total"] == len(items)


def test_target_summary_counts_add_up_to_the_snapshot(demo):
    seen = 0
    for data in demo.agencies.values():
        for snapshot in data.snapshots.values():
            summary = P.snapshot_summary(snapshot)
            size = len(snapshot.targets)
            assert summary.total == size > 0
            assert sum(n for _, n in summary.statuses) == size
            assert [t.caption[:5] for t in summary.tables] == ["按区域统计", "按行业统计", "按诚信等级"]
            for table in summary.tables:
                counts = [int(n) for n in table.column("单位数")]
                assert sum(counts) == size == int(table.foot[1].text)
                for row in table.rows:  # each row: total = 在营 + 停业 + 注销
                    assert int(row[1].text) == sum(int(c.text) for c in row[2:])
            areas = {t.area for t in snapshot.targets}
            assert set(summary.tables[0].column("区域")) == areas
            seen += 1
    assert seen == 4


def test_inspector_directory_lists_the_active_and_never_the_conflicts(demo):
    for data in demo.agencies.values():
        people = data.inspectors.model.inspectors
        table = P.inspectors_table(data)
        assert [c.title for c in table.columns] == list(P.INSPECTOR_COLUMNS)
        assert table.column("监察证号") == [p.cert_no for p in people if p.active]
        declared = {code for p in people for code in p.conflicts}
        assert declared, "the demo declares conflicts"
        cells = {line for row in table.rows for c in row for line in c.lines}
        assert not declared & cells
        page = P.inspectors_page(data)
        assert page.data["declared_conflicts"] == sum(bool(p.conflicts) for p in people if p.active)
        assert page.data["inactive"] == sum(not p.active for p in people)


def test_plan_page_keeps_complaint_cases_apart_from_the_random_tasks(demo):
    data = demo.agencies["baofeng"]
    plan = data.plans[2024].model
    page = P.plan_page(data, 2024)
    tasks = page.data["tasks"]
    assert tasks.column("编号") == [t.id for t in plan.tasks]
    sources = dict(zip(tasks.column("编号"), tasks.column("来源")))
    assert sources["2024-01"] == "随机抽查"
    assert sources["2024-06"] == "投诉举报（非随机）"
    count = next(t.count for t in plan.tasks if t.id == "2024-04")
    assert dict(zip(tasks.column("编号"), tasks.column("比例或数量")))["2024-04"].startswith(f"{count} 家")

    [complaints] = page.data["non_random"]
    assert (complaints.task_id, complaints.basis) == ("2024-06", "投诉举报")
    results = data.results[(2024, "2024-06")].model.results
    assert complaints.table.column("统一社会信用代码") == [r.target for r in results]
    assert "非随机" in complaints.table.caption
    # Names come from the snapshot, never left as bare codes when the snapshot knows them.
    names = P.target_names(data, plan.tasks[5].window.end)
    assert complaints.table.column("检查对象") == [names[r.target] for r in results]
    assert "results/baofeng/2024/2024-06.yaml" in page.sources
    assert page.data["random_count"] + page.data["non_random_count"] == len(plan.tasks)


def test_home_page_links_every_agency_section(demo):
    docs = [P.Document("原文", "s0/", "摘要")]
    home = P.home_page(demo, docs)
    assert [a["url"] for a in home.data["agencies"]] == ["baofeng/", "yanshi/"]
    assert home.data["latest"] and home.data["latest"] == sorted(home.data["latest"], key=lambda a: (-a.day.toordinal(), a.key))
    sections = [link.url for link in home.data["agencies"][0]["sections"]]
    assert sections == ["baofeng/checklist/", "baofeng/inspectors/", "baofeng/targets/", "baofeng/2024/"]
    assert home.data["documents"] == docs


def test_build_commit_is_one_git_call_or_unknown(tmp_path):
    assert build_commit(tmp_path) == UNKNOWN_COMMIT
    if (ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", build_commit(ROOT))


def _page(rel: str, slug: str | None, save_as: str, lang: str | None = None):
    meta = {k: v for k, v in (("slug", slug), ("lang", lang)) if v is not None}
    return SimpleNamespace(relative_source_path=rel, metadata=meta, save_as=save_as, url=save_as[:-10])


def test_markdown_pages_need_an_explicit_ascii_slug_of_their_own():
    pages = [
        _page("pages/ok.md", "about", "about/index.html"),
        _page("pages/no-slug.md", None, "guanyu/index.html"),
        _page("pages/chinese.md", "关于", "关于/index.html"),
        _page("pages/clash.md", "baofeng", "baofeng/index.html"),
        _page("pages/lang.md", "lang", "lang/zh-CN/index.html", lang="zh-CN"),
    ]
    problems = content_problems(pages, ["baofeng"], "content", "zh-cn")
    assert [(p.file, p.code) for p in problems] == [
        ("content/pages/no-slug.md", "missing-field"),
        ("content/pages/chinese.md", "invalid-value"),
        ("content/pages/clash.md", "invalid-value"),
        ("content/pages/lang.md", "invalid-value"),
    ]


# --- real builds ---------------------------------------------------------------------------


def run_pelican(content: Path, out: Path, root: Path | None = None, hash_seed: str = "0"):
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(CONF), "-o", str(out),
           "--fatal", "errors"]
    if root is not None:
        cmd += ["-e", f"SSJPUB_ROOT={json.dumps(str(root))}"]
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


def build(content: Path, out: Path, root: Path | None = None, hash_seed: str = "0") -> Path:
    done = run_pelican(content, out, root, hash_seed)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def copy_demo(dst: Path) -> Path:
    for name in ("plans", "results", "content"):
        shutil.copytree(ROOT / name, dst / name)
    return dst


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(ROOT / "content", tmp_path_factory.mktemp("site") / "output", hash_seed="1")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Html(HTMLParser):
    """Start tags with their attributes and ancestors, and text with its ancestors."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict, tuple]] = []
        self.texts: list[tuple[str, tuple]] = []
        self.stack: list[tuple[str, dict]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a, tuple(self.stack)))
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}, tuple(self.stack)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.texts.append((data, tuple(self.stack)))

    def all(self, tag: str) -> list[dict]:
        return [a for t, a, _ in self.tags if t == tag]

    def text_within(self, cls: str) -> str:
        return "".join(d for d, st in self.texts if any(cls in a.get("class", "").split() for _, a in st))

    def text(self) -> str:
        return "".join(d for d, _ in self.texts)


REQUIRED = [
    "index.html",
    "baofeng/index.html",
    "baofeng/checklist/index.html",
    "baofeng/inspectors/index.html",
    "baofeng/targets/index.html",
    "baofeng/2024/index.html",
    "yanshi/2023/index.html",
    "s0-baofeng-2024/index.html",
    "s1-yanshi-2023/index.html",
]


def test_demo_site_pages_are_complete_accessible_and_self_contained(site):
    for rel in REQUIRED:
        assert (site / rel).is_file(), rel
    htmls = sorted(site.rglob("*.html"))
    assert len(htmls) >= len(REQUIRED)
    for path in htmls:
        rel = path.relative_to(site).as_posix()
        html = Html(path.read_text(encoding="utf-8"))
        assert [a.get("lang") for a in html.all("html")] == ["zh-CN"], rel
        for landmark in ("header", "main", "footer"):
            assert len(html.all(landmark)) == 1, (rel, landmark)
        assert html.all("nav"), rel
        assert "虚构" in html.text_within("demo"), rel
        footer = "".join(d for d, st in html.texts if any(t == "footer" for t, _ in st))
        assert re.search(r"构建提交：([0-9a-f]{40}|未知)", footer), rel
        # Tables: a caption first, and every header cell says what it heads.
        for tag, attrs, stack in html.tags:
            if tag == "caption":
                assert stack[-1][0] == "table", rel
            if tag == "th":
                assert attrs.get("scope") in ("col", "row"), rel
        assert len(html.all("caption")) == len(html.all("table")), rel
        # Nothing is loaded from elsewhere: only <a href> may point off the site.
        for tag, attrs, _ in html.tags:
            for name, value in attrs.items():
                if tag == "a" and name == "href":
                    continue
                assert "://" not in value and not value.startswith("//"), (rel, tag, name, value)
        # Scripts only on the search page, and the verifier's on task pages and /verify/ (when the
        # theme has it), only the site's own.
        scripts = html.all("script")
        if rel == "search/index.html":
            assert scripts and all("://" not in a.get("src", "") and a.get("src") for a in scripts), rel
        elif scripts:
            assert [a.get("src", "").rsplit("/", 3)[-3:] for a in scripts] == [["theme", "verify", "page.js"]], rel
            assert (path.parent / scripts[0]["src"]).resolve().is_file(), rel
        ids = [a["id"] for _, a, _ in html.tags if "id" in a]
        assert len(ids) == len(set(ids)), rel
        # Every link inside the site leads to a file that exists.
        for a in html.all("a"):
            href = a["href"].split("#")[0]
            if not href or "://" in href:
                continue
            target = (path.parent / href).resolve()
            assert (target / "index.html" if href.endswith("/") else target).is_file(), (rel, href)
    css = (site / "theme/css/site.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css
    # The theme's size goal: the median page under 50 KB of HTML.
    sizes = sorted(p.stat().st_size for p in htmls)
    assert sizes[len(sizes) // 2] < 50_000, sizes[len(sizes) // 2]

    home = Html((site / "index.html").read_text(encoding="utf-8"))
    links = {a["href"] for a in home.all("a")}
    assert {"./s0-baofeng-2024/", "./s1-yanshi-2023/", "./baofeng/2024/", "./yanshi/2023/"} <= links

    plan = Html((site / "baofeng/2024/index.html").read_text(encoding="utf-8"))
    assert "不是随机抽取" in plan.text_within("notice")
    h2 = [d for d, st in plan.texts if st and st[-1][0] == "h2"]
    assert "非随机（投诉举报/转办交办）的检查" in h2
    assert "宝人社〔2024〕示1号" in plan.text()
    checklist = Html((site / "baofeng/checklist/index.html").read_text(encoding="utf-8"))
    headers = [d for d, st in checklist.texts if st and st[-1][0] == "th" and st[-1][1].get("scope") == "col"]
    assert headers == list(P.CHECKLIST_COLUMNS)


def test_same_commit_builds_byte_identical_output(site, tmp_path):
    again = build(ROOT / "content", tmp_path / "output", hash_seed="2")
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (site / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_data_text_is_escaped(tmp_path):
    root = copy_demo(tmp_path / "repo")
    code = "91410421DEM00001A7"  # a complaint case of baofeng 2024: its name is on the plan page
    # A later snapshot with the hostile name: the ones the draws used must stay as they were drawn
    # from (the build refuses a record whose snapshot changed).
    lines = (root / "plans/baofeng/targets/2024-07-01.csv").read_text(encoding="utf-8").split("\n")
    lines = [",".join([code, SCRIPT, *l.split(",")[2:]]) if l.startswith(code + ",") else l for l in lines]
    (root / "plans/baofeng/targets/2024-12-02.csv").write_text("\n".join(lines), encoding="utf-8")
    checklist = root / "plans/baofeng/checklist.yaml"
    text = checklist.read_text(encoding="utf-8")
    old = "  name: 用人单位遵守工资支付规定情况\n"
    assert text.count(old) == 1
    checklist.write_text(text.replace(old, f'  name: "{SCRIPT}"\n'), encoding="utf-8")
    assert validate(root)[1] == []
    # A staff-written page is sanitised too: no script, handler, javascript: link or outside image.
    (root / "content/pages/hostile.md").write_text(
        "Title: 测试页\nSlug: hostile\n\n正文<script>alert(2)</script>"
        '<img src="https://example.com/x.png" onerror="alert(3)"> <a href="javascript:alert(4)">链接</a>\n',
        encoding="utf-8")

    out = build(root / "content", tmp_path / "output", root=root)
    hostile = Html((out / "hostile/index.html").read_text(encoding="utf-8"))
    assert "正文" in hostile.text() and not hostile.all("script")
    assert not any("onerror" in attrs or attrs.get("src", "").startswith("https:") for _, attrs, _ in hostile.tags)
    assert not any(attrs.get("href", "").startswith("javascript:") for _, attrs, _ in hostile.tags)
    for rel in ("baofeng/2024/index.html", "baofeng/checklist/index.html"):
        raw = (out / rel).read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;示例公司" in raw, rel
        html = Html(raw)
        assert SCRIPT in html.text(), rel
    for path in out.rglob("*.html"):
        if path.parent.name != "search":
            # The one script a page may have: the browser verifier's, from this site, no inline code.
            scripts = Html(path.read_text(encoding="utf-8")).all("script")
            assert all(re.fullmatch(r"(\.\./)*theme/verify/page\.js", s.get("src", "")) for s in scripts), path
    # The downloads carry the text as it is: a spreadsheet cell, not HTML.
    csv = (out / "baofeng/checklist/checklist.csv").read_bytes().decode("utf-8")
    assert SCRIPT in csv


def test_validation_error_fails_the_build_and_keeps_the_previous_output(tmp_path):
    root = copy_demo(tmp_path / "repo")
    results = root / "results/baofeng/2024/2024-06.yaml"
    text = results.read_text(encoding="utf-8")
    results.write_text(text.replace("- target: 91410421DEM00001DG", "- target: 91410421DEM00001DH"), encoding="utf-8")
    line = text.split("\n").index("- target: 91410421DEM00001DG") + 1
    out = tmp_path / "output"
    out.mkdir()
    (out / "previous.html").write_text("上一次的网站", encoding="utf-8")

    done = run_pelican(root / "content", out, root=root)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert f"results/baofeng/2024/2024-06.yaml:{line}:" in log
    assert "invalid-credit-code" in log
    assert "Traceback" not in log
    assert (out / "previous.html").read_text(encoding="utf-8") == "上一次的网站"
    assert not (out / "index.html").exists()


def test_a_withheld_result_that_carries_its_findings_is_never_published(tmp_path):
    """The site serves the results YAML byte-identical (files/results/...): hiding the findings in
    the table is not enough, so a withheld row that still holds them stops the build."""
    root = copy_demo(tmp_path / "repo")
    results = root / "results/baofeng/2024/2024-03.yaml"
    text = results.read_text(encoding="utf-8")
    secret = "涉及企业工艺流程和客户名单"
    assert secret not in text and text.count("  withheld:\n") == 1
    results.write_text(text.replace("  withheld:\n", f"  findings: {secret}\n  withheld:\n"), encoding="utf-8")
    line = text.split("\n").index("  withheld:") + 1
    out = tmp_path / "output"
    done = run_pelican(root / "content", out, root=root)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert f"results/baofeng/2024/2024-03.yaml:{line}:3: withheld-content-public" in log
    assert "Traceback" not in log
    assert not any(secret in p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())


# --- task pages, results and announcements (contexts, without Pelican) -------------------------


def test_task_page_shows_every_drawn_target_with_its_ticket_group_and_result(demo):
    categories = P.result_categories(demo)
    seen = 0
    for data in demo.agencies.values():
        for year, loaded in data.plans.items():
            for task in loaded.model.tasks:
                page = P.task_page(data, year, task, categories, "0" * 40)
                assert page.url == f"{data.code}/{year}/{task.id}/"
                draw = data.draws.get((year, task.id))
                if not P.is_random(task):
                    # Never presented as drawn: no draw record, a table of named targets instead.
                    assert page.data["draw"] is None and page.data["named"] is not None
                    assert "非随机" in page.data["named"].caption
                    assert page.data["named"].column("统一社会信用代码") == list(task.targets)
                    continue
                assert draw is not None
                rec = draw.data
                view = page.data["draw"]
                assert view.seed == rec["seed"]
                drawn = view.targets.part_of.table if view.targets.part_of else view.targets  # every page's rows
                assert drawn.column("统一社会信用代码") == [t["code"] for t in rec["targets"]]
                assert drawn.column("签号") == [t["ticket"] for t in rec["targets"]]
                assert drawn.column("顺序") == [str(t["rank"]) for t in rec["targets"]]
                assert drawn.column("权重") == [str(t["weight"]) for t in rec["targets"]]
                if rec["parameters"]["batches"]:
                    assert drawn.column("批次") == [str(t["batch"]) for t in rec["targets"]]
                if any(t["stratum"] for t in rec["targets"]):
                    assert drawn.column("层") == [t["stratum"] for t in rec["targets"]]
                assert drawn.column("签") == [str(t["copy"]) for t in rec["targets"]]
                assert view.strata.column("截止签号") == [s["cutoff"] for s in rec["strata"]]
                # The groups are folded into the drawn table, one row per enterprise (issue 16 item 7).
                group_of = {g["target"]: g for g in rec["groups"]}
                assert len(group_of) == len(rec["targets"])
                assert all(group_of[t["code"]]["leader"] in leader for t, leader in zip(rec["targets"], drawn.column("组长")))
                # The seed command's inputs are the record's.
                assert dict(view.seed_inputs)["名录快照的 SHA-256"] == rec["population"]["sha256"]
                assert rec["population"]["file"] in page.sources and draw.file in page.sources
                results = data.results.get((year, task.id))
                if results is not None:
                    assert results.file in page.sources
                    by_code = {r.target: r for r in results.model.results}
                    assert page.data["results"].table.column("统一社会信用代码") == [
                        c for c in drawn.column("统一社会信用代码") if c in by_code
                    ]
                    assert drawn.column("检查结果") == [
                        by_code[c].category if c in by_code else "尚未公示" for c in drawn.column("统一社会信用代码")
                    ]
                commands = [c.text for c in page.data["commands"]]
                snapshot = draw.data["population"]["file"]
                assert commands[0] == f"sha256sum {snapshot.rsplit('/', 1)[1]}"  # the served copy, no clone
                assert commands[1].startswith("git clone https://github.com/ssjpub/ssjpub")
                assert f"sha256sum {snapshot}" in commands
                assert f"git checkout {'0' * 40}" in commands
                assert f"python3 docs/verify_draw.py {draw.file}" in commands
                seen += 1
    assert seen == 10


def test_withheld_results_show_category_and_legal_reason_never_the_findings(demo):
    from ssjpub.loader.repository import Loaded
    from ssjpub.model import Withheld

    data = demo.agencies["baofeng"]
    loaded = data.results[(2024, "2024-03")]
    first = next(r for r in loaded.model.results if r.findings and r.withheld is None)
    before = sum(r.withheld is not None for r in loaded.model.results)
    secret = first.model_copy(update={
        "withheld": Withheld(reason="涉及商业秘密", legal_basis="《政府信息公开条例》第十五条", approved_by="局办公室"),
    })
    model = loaded.model.model_copy(update={"results": [secret if r is first else r for r in loaded.model.results]})
    data.results[(2024, "2024-03")] = Loaded(model, loaded.doc)
    try:
        task = P.task_of(data.plans[2024].model, "2024-03")
        page = P.task_page(data, 2024, task, P.result_categories(demo))
        table = page.data["results"].table
        row = dict(zip([c.title for c in table.columns], [c.text for c in table.rows[
            table.column("统一社会信用代码").index(first.target)]]))
        assert row["结果类别"] == first.category
        assert "依法不予公开：涉及商业秘密" in row["发现的问题"] and "第十五条" in row["发现的问题"]
        assert first.findings not in row.values() and row["处理情况"] == ""
        assert page.data["results"].withheld == before + 1
    finally:
        data.results[(2024, "2024-03")] = loaded


def test_results_page_and_announcements_keep_non_random_apart(demo):
    page = P.results_page(demo)
    for s in page.data["sections"]:
        if s["random"]:
            assert all(v == "随机抽查" for v in s["random"].column("检查来源"))
        if s["other"]:
            assert all("非随机" in v for v in s["other"].column("检查来源"))
    items = P.announcements(demo)
    assert len({a.key for a in items}) == len(items)
    assert {a.kind for a in items} == {"计划公示", "抽取结果", "检查结果"}
    for a in items:
        if a.kind == "抽取结果":
            task_id = a.key.split("/")[2]
            assert task_id not in ("2024-06", "2023-05")  # the complaint and referral tasks
        if a.key.endswith("/2024-06/results"):
            assert "非随机" in a.title


def test_verify_page_lists_every_committed_draw(demo):
    page = P.verify_page(demo, "0" * 40)
    files = page.data["table"].column("抽取记录")
    expected = sorted(d.file for data in demo.agencies.values() for d in data.draws.values())
    assert sorted(files) == expected and len(files) == 10
    every, example = page.data["standalone"]
    assert every.text == "python3 docs/verify_draw.py --all"
    assert example.text.startswith("python3 docs/verify_draw.py plans/")
    assert example.windows_text.startswith("py -3 docs\\verify_draw.py plans\\")


# --- traceability, downloads, feed (plain functions) --------------------------------------------

from ssjpub.site import downloads as D  # noqa: E402
from ssjpub.site import publish as PUB  # noqa: E402
from ssjpub.site import trace as T  # noqa: E402


def test_repository_links_follow_github_and_gitlab_styles():
    sha = "a" * 40
    assert T.blob_url("https://github.com/o/r", sha, "plans/x.yaml") == f"https://github.com/o/r/blob/{sha}/plans/x.yaml"
    assert T.blob_url("https://gitlab.com/g/sub/r.git/", sha, "results/中文.yaml") == (
        f"https://gitlab.com/g/sub/r/-/blob/{sha}/results/%E4%B8%AD%E6%96%87.yaml"
    )
    assert T.commit_url("https://gitlab.example.gov.cn/g/r", sha) == f"https://gitlab.example.gov.cn/g/r/-/commit/{sha}"
    assert T.blob_url(None, sha, "a") is None
    assert T.blob_url("https://github.com/o/r", T.UNKNOWN, "a") is None
    assert T.blob_url("javascript:alert(1)", sha, "a") is None


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2024-03-01T10:00:00+08:00", "GIT_COMMITTER_DATE": "2024-03-01T10:00:00+08:00"}
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=cwd, check=True,
                   capture_output=True, env=env)


def test_one_git_log_pass_gives_the_last_commit_of_every_file(tmp_path, monkeypatch):
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    for i in range(30):
        (repo / f"f{i}.txt").write_text(str(i), encoding="utf-8")
    (repo / "名录.csv").write_text("a", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    (repo / "f3.txt").write_text("changed", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "two")
    (repo / "f4.txt").write_text("dirty", encoding="utf-8")
    calls = []
    real = T._git
    monkeypatch.setattr(T, "_git", lambda root, *a: calls.append(a) or real(root, *a))
    history = T.read_history(repo)
    assert len(calls) == 2  # one log and one status, whatever the number of files
    head = T.build_commit(repo)
    assert history.last("f3.txt").sha == head
    assert history.last("f0.txt").sha != head and history.last("名录.csv").sha == history.last("f0.txt").sha
    assert history.last("f0.txt").day.isoformat() == "2024-03-01"
    ref = T.source_ref(history, "f4.txt", "https://github.com/o/r")
    assert ref.dirty and ref.url.endswith("/f4.txt")
    # Outside a checkout: unknown, clearly.
    plain = T.read_history(tmp_path)
    assert not plain.known and T.source_ref(plain, "f0.txt", "https://github.com/o/r").short == "未知"


def test_downloads_are_excel_friendly_and_byte_deterministic(demo):
    import io
    import time
    import zipfile
    from datetime import date

    table = P.checklist_table(demo.agencies["baofeng"])
    raw = D.table_csv(table)
    assert raw.startswith("\ufeff".encode("utf-8"))
    text = raw.decode("utf-8-sig")
    assert text.split("\r\n")[0] == ",".join(P.CHECKLIST_COLUMNS)
    evil = P.Table("x", "x", P.columns("a", "b", numeric=("b",)), ((P.cell("=1+1"), P.cell("-3")),))
    assert D.table_csv(evil).decode("utf-8-sig").split("\r\n")[1] == "'=1+1,-3"
    doc = json.loads(D.table_json(table, [{"path": "p", "commit": "c"}]))
    assert doc["columns"] == list(P.CHECKLIST_COLUMNS) and len(doc["rows"]) == len(table.rows)
    day = date(2024, 3, 1)
    first = D.table_xlsx(table, day, "站")
    time.sleep(1.1)  # a clock anywhere in the workbook would show now
    assert D.table_xlsx(table, day, "站") == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2024, 3, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode("utf-8")
        assert "2024-03-01T00:00:00Z" in core and str(date.today().year + 1) not in core
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(first)).active
    assert [c.value for c in ws[1]] == list(P.CHECKLIST_COLUMNS)
    assert ws.max_row == len(table.rows) + 1


def test_atom_feed_and_sitemap_are_valid_xml_dated_from_the_data(demo):
    import xml.etree.ElementTree as ET

    items = P.announcements(demo)
    feed = PUB.atom_feed(items, "站<名>", "https://example.org/site", "feed.atom", "k")
    assert feed == PUB.atom_feed(items, "站<名>", "https://example.org/site", "feed.atom", "k")
    root = ET.fromstring(feed)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == len(items)
    assert root.find("a:updated", ns).text == f"{items[0].day.isoformat()}T00:00:00+08:00"
    assert all(e.find("a:link", ns).get("href").startswith("https://example.org/site/") for e in entries)
    assert root.find("a:title", ns).text == "站<名>"
    from datetime import date

    xml = PUB.sitemap_xml([PUB.SitemapEntry("b/", date(2024, 1, 2)), PUB.SitemapEntry("", None)], "https://e.org")
    locs = [u.find("{http://www.sitemaps.org/schemas/sitemap/0.9}loc").text for u in ET.fromstring(xml)]
    assert locs == ["https://e.org/", "https://e.org/b/"]


def test_swap_replaces_the_output_whole(tmp_path):
    final = tmp_path / "output"
    final.mkdir()
    (final / "old.html").write_text("old", encoding="utf-8")
    staging = PUB.start_staging(final)
    staging.mkdir()
    (staging / "new.html").write_text("new", encoding="utf-8")
    PUB.swap_into(staging, final)
    assert sorted(p.name for p in final.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


# --- the built demo: records, traceability, downloads, manifest ---------------------------------


def _links(path: Path, site: Path) -> list[tuple[Path, str]]:
    out = []
    for a in Html(path.read_text(encoding="utf-8")).all("a"):
        href = a.get("href", "")
        if not href or "://" in href or href.startswith("mailto:"):
            continue
        page, _, frag = href.partition("#")
        target = (path.parent / page).resolve() if page else path
        if page.endswith("/") or page in (".", ".."):
            target = target / "index.html"
        out.append((target, frag))
    return out


def test_home_page_leads_to_every_drawn_enterprise_result_with_its_commit(demo, site):
    # Breadth-first over the site's own links, starting at the home page.
    start = (site / "index.html").resolve()
    seen, queue = {start}, [start]
    while queue:
        page = queue.pop()
        for target, _ in _links(page, site):
            if target.suffix == ".html" and target.is_file() and target not in seen:
                seen.add(target)
                queue.append(target)
    for data in demo.agencies.values():
        for (year, task_id), draw in data.draws.items():
            page = (site / data.code / str(year) / task_id / "index.html").resolve()
            assert page in seen, page
            html = Html(page.read_text(encoding="utf-8"))
            ids = {a["id"] for _, a, _ in html.tags if "id" in a}
            for later in page.parent.glob("drawn/*/index.html"):  # the drawn table's other pages
                assert later.resolve() in seen, later
                ids |= {a["id"] for _, a, _ in Html(later.read_text(encoding="utf-8")).tags if "id" in a}
            results = data.results.get((year, task_id))
            for r in results.model.results if results else []:
                assert f"r-{r.target}" in ids
            # The source list names each file with a 10-digit commit linked at that commit.
            sources = [li for li in html.text_within("sources").split("\n") if li.strip()]
            text = "".join(sources)
            assert draw.file in text and (results is None or results.file in text)
            blobs = [a["href"] for a in html.all("a") if "/blob/" in a.get("href", "")]
            assert any(re.search(rf"/blob/[0-9a-f]{{40}}/{re.escape(draw.file)}$", h) for h in blobs), blobs


def test_every_table_has_its_downloads_and_the_manifest_covers_every_file(site):
    import hashlib

    for path in site.rglob("index.html"):
        html = Html(path.read_text(encoding="utf-8"))
        # Every table, and a task's results table shown in its drawn table's rows (downloads only).
        folded = "results.csv" in {a["href"].rsplit("/", 1)[-1] for a in html.all("a")} and not any(
            c.get("id") == "cap-results" for c in html.all("caption"))
        tables = len(html.all("table")) + folded
        hrefs = [a["href"] for a in html.all("a")]
        for ext in (".csv", ".xlsx", ".json"):
            got = [h for h in hrefs if h.endswith(ext) and "://" not in h and not h.endswith("manifest.json")
                   and "files/" not in h]  # the served inputs (test_served_files) are no table's
            assert len(got) == tables, (path, ext)
            for h in got:
                assert (path.parent / h).is_file(), (path, h)
    from ssjpub.site.publish import read_manifest

    raw = (site / "manifest.json").read_bytes()
    build_commit, commits, listed = read_manifest(raw)
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == files
    for rel, f in listed.items():
        assert f.sha256 == hashlib.sha256((site / rel).read_bytes()).hexdigest(), rel
        assert f.bytes == (site / rel).stat().st_size, rel
    assert json.loads(raw)["format"] == "ssjpub-manifest/3"
    task = listed["baofeng/2024/2024-01/index.html"].sources
    assert "plans/baofeng/2024/draws/2024-01.json" in task
    # Each source once, with the commit that last changed it; each set of sources once; no indentation.
    assert set(commits) == {s for f in listed.values() for s in f.sources}
    doc = json.loads(raw)
    assert len({tuple(s) for s in doc["inputs"]}) == len(doc["inputs"])
    assert not re.search(rb"\n ", raw) and raw.count(b"\n") <= len(listed) + len(commits) + len(doc["inputs"]) + 8
    assert all(re.fullmatch(r"[0-9a-f]{40}|未知", c) for c in commits.values())
    assert re.fullmatch(r"[0-9a-f]{40}|未知", build_commit)
    assert listed["theme/css/site.css"].sources == ("theme/static/css/site.css",)
    assert (site / "feed.atom").read_bytes().startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def test_the_commands_on_a_task_page_really_verify_the_draw(site):
    html = Html((site / "baofeng/2024/2024-02/index.html").read_text(encoding="utf-8"))
    cmds = [d for d, st in html.texts if st and st[-1][0] == "code" and any(t == "pre" for t, _ in st)]
    record = json.loads((ROOT / "plans/baofeng/2024/draws/2024-02.json").read_text(encoding="utf-8"))
    [seed_cmd] = [c for c in cmds if c.startswith("python3 -c ")]
    out = subprocess.run(seed_cmd, shell=True, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == record["seed"]
    [sha_cmd] = [c for c in cmds if c.startswith("sha256sum plans/")]
    if shutil.which("sha256sum"):
        out = subprocess.run(sha_cmd.split(), cwd=ROOT, capture_output=True, text=True, check=True).stdout
        assert out.split()[0] == record["population"]["sha256"]
    [verify_cmd] = [c for c in cmds if c.startswith("python3 docs/verify_draw.py ")]
    done = subprocess.run([sys.executable, *verify_cmd.split()[1:]], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {"ssjpub verify", "ssjpub verify --history"} <= {c.replace(".venv/bin/", "") for c in cmds}


def test_a_failure_after_validation_keeps_the_previous_output(tmp_path):
    root = copy_demo(tmp_path / "repo")
    (root / "content/pages/bad.md").write_text("Title: 无网址\n\n正文\n", encoding="utf-8")
    out = tmp_path / "output"
    out.mkdir()
    (out / "previous.html").write_text("上一次的网站", encoding="utf-8")
    done = run_pelican(root / "content", out, root=root)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert "content/pages/bad.md" in log and "Traceback" not in log
    # Pelican empties its output folder before it finds this: only the staging folder was.
    assert sorted(p.name for p in out.iterdir()) == ["previous.html"]


# --- CI that publishes ---------------------------------------------------------------------------


def test_ci_pins_actions_fetches_full_history_and_never_skips_the_history_check():
    import yaml

    gh = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    steps = [s for job in gh["jobs"].values() for s in job.get("steps", [])]
    for s in steps:
        if "uses" in s:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", s["uses"]), s["uses"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert "group" in gh["concurrency"]
    [history] = [s for s in steps if "--history" in s.get("run", "")]
    assert "continue-on-error" not in history  # the demo's replayed history passes: nothing to excuse
    assert "make demo-history" in history["run"] and "--format github" in history["run"]
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps)
    assert any(".ci/run" in s.get("run", "") for s in steps)

    gl = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gl["variables"]["GIT_DEPTH"] == "0"
    assert gl["pages"]["artifacts"]["paths"] == ["public"]
    assert "publishconf.py" in " ".join(gl["pages"]["script"])
    history = gl["verify-and-history"]
    assert "rules" not in history and "allow_failure" not in history
    assert "make demo-history" in " ".join(history["script"]) and "verify --history" in " ".join(history["script"])


def test_task_pages_carry_the_compliance_record(demo):
    """Each task page shows every per-task rule with its verdict, unmet ones first."""
    from datetime import date

    from ssjpub.rules.catalogue import RuleContext, calendar_of
    from ssjpub.rules.tasks import TASK_RULES, compliance

    record = compliance(RuleContext(demo, date(2026, 11, 22), calendar_of(demo)))
    pages = {p.url: p for p in P.site_pages(demo, compliance=record)}
    table = pages["baofeng/2024/2024-03/"].data["compliance"]
    assert sorted(table.column("代码")) == sorted(TASK_RULES)
    row = dict(zip(table.column("代码"), table.column("说明")))
    assert row["results-late"] == "结果于完成后第 10 个工作日公示（2024-08-14）"
    complaints = dict(zip(pages["baofeng/2024/2024-06/"].data["compliance"].column("代码"),
                          pages["baofeng/2024/2024-06/"].data["compliance"].column("结论")))
    assert complaints["non-random-drawn"] == "符合"  # a complaint case, recorded but never drawn


def test_sanitiser_keeps_tables_and_local_images_but_nothing_active_or_external():
    from ssjpub.site.sanitize import clean_html

    html = clean_html('<h2 id="a">题</h2><table><tr><th scope="col">列</th></tr></table>'
                      '<img src="../theme/x.png" alt="本站图"><img src="//cdn.example/x.png">'
                      '<p onclick="x()">段</p><iframe src="https://example.com"></iframe>')
    doc = Html(html)
    assert ("h2", {"id": "a"}) in [(t, a) for t, a, _ in doc.tags]
    assert doc.all("th") == [{"scope": "col"}]
    assert [a.get("src") for a in doc.all("img")] == ["../theme/x.png", None]
    assert doc.all("p") == [{}] and not doc.all("iframe")


@pytest.mark.parametrize("rows", [(), ((P.cell("a"), P.cell(1)), (P.cell('b"\n'), P.cell(None)))])
@pytest.mark.parametrize("foot", [None, (P.cell("合计"), P.cell(3))])
@pytest.mark.parametrize("sources", [None, [{"path": "p", "commit": "c"}]])
def test_json_download_is_valid_json_one_row_a_line(rows, foot, sources):
    table = P.Table("x", "标题", P.columns("a", "b"), rows, foot)
    raw = D.table_json(table, sources)
    doc = json.loads(raw)
    assert doc["caption"] == "标题" and doc["columns"] == ["a", "b"]
    assert doc["rows"] == [[c.text for c in r] for r in rows]
    assert doc.get("total") == ([c.text for c in foot] if foot else None)
    assert doc.get("sources") == sources
    assert raw.decode().count("\n") == 4 + len(rows) - (not rows) + bool(foot) + (sources is not None)


# --- the searchable enterprise list ----------------------------------------------------------

from ssjpub.site import directory as DIR  # noqa: E402


def test_pager_shows_first_last_and_a_window_and_row_ranges():
    p = DIR.pager("x", 5, 27, 2654)
    assert [n for n, _ in p.links] == [1, 2, 3, 4, 5, 6, 7, 8, 27]
    assert (p.first_row, p.last_row) == (401, 500)
    assert p.previous == "x/targets/list/4/" and p.next == "x/targets/list/6/"
    last = DIR.pager("x", 27, 27, 2654)
    assert (last.first_row, last.last_row, last.next) == (2601, 2654, None)
    only = DIR.pager("x", 1, 1, 0)
    assert only.links == ((1, "x/targets/list/"),) and only.previous is None and only.next is None
    assert DIR.page_count(0) == 1 and DIR.page_count(100) == 1 and DIR.page_count(101) == 2


def test_enterprise_list_pages_hold_the_latest_snapshot_once_each_in_order(demo):
    data = demo.agencies["baofeng"]
    snapshot = DIR.latest(data)
    pages = P.target_list_pages(data)
    assert [p.url for p in pages][:2] == ["baofeng/targets/list/", "baofeng/targets/list/2/"]
    codes = [c for p in pages for c in p.data["table"].column("统一社会信用代码")]
    assert sorted(codes) == sorted(t.credit_code for t in snapshot.targets)
    areas = [a for p in pages for a in p.data["table"].column("区域")]
    assert areas == sorted(areas)
    assert all(len(p.data["table"].rows) == DIR.PAGE_SIZE for p in pages[:-1])
    # The area index points at the page and the row where each area begins.
    starts = pages[0].data["areas"]
    assert sum(a.count for a in starts) == len(codes)
    for a in starts:
        page = pages[a.page - 1]
        anchor = a.url.split("#")[1]
        first = [row for row in page.data["table"].rows if row[0].anchor == anchor]
        assert len(first) == 1 and first[0][2].text == a.area
    assert all(p.sources == (snapshot.file,) for p in pages)


def test_enterprise_list_is_reachable_searchable_and_in_the_search_index(site):
    targets = Html((site / "baofeng/targets/index.html").read_text(encoding="utf-8"))
    listed = (site / "baofeng/targets/list").resolve()  # by the shortest relative link ("list/")
    assert any((site / "baofeng/targets" / a["href"]).resolve() == listed for a in targets.all("a"))
    first = site / "baofeng/targets/list/index.html"
    html = Html(first.read_text(encoding="utf-8"))
    forms = html.all("form")
    assert len(forms) == 1 and forms[0]["action"].endswith("/search/") and forms[0]["method"] == "get"
    assert [a["name"] for a in html.all("input")] == ["q"]
    labels = [a.get("for") for a in html.all("label")]
    assert labels == [html.all("input")[0]["id"]]
    # Pagination: every page reachable from the first by "下一页", each within the size goal.
    seen, page = [], first
    while page:
        seen.append(page)
        assert page.stat().st_size < 50_000, page
        nxt = [a["href"] for a in Html(page.read_text(encoding="utf-8")).all("a") if a.get("rel") == "next"]
        page = (page.parent / nxt[0] / "index.html").resolve() if nxt else None
    assert len(seen) == len(list((site / "baofeng/targets/list").rglob("index.html")))
    # Search: the list is indexed (inside <main data-pagefind-body>), and the search page hands
    # a ?q= over to the search (tests/test_search.py runs it in Chromium).
    assert any("data-pagefind-body" in a for a in html.all("main"))
    assert 'URLSearchParams(window.location.search).get("q")' in (site / "theme/js/search.js").read_text(encoding="utf-8")


def test_table_rows_escape_every_text_and_keep_lines_links_and_anchors():
    from ssjpub.site import table_html as H

    t = P.Table("k", "c", P.columns("a", "b", "c", numeric=("c",)), (
        (P.cell("x\x1fy"), P.cell(["1", "<2>"]), P.cell('<&>"', url="p/", anchor='a"')),
        (P.cell(["p\x1eq", "r"]), P.cell(None), P.cell(3)),
        (P.cell("<script>"), P.cell("'"), P.cell(4, url="https://e.org/?a=1&b=2")),
    ), foot=(P.cell("合计"), P.cell(""), P.cell(7)))
    rows = str(H.table_rows(t, "..")).split("\n")[:-1]
    assert rows == [
        '<tr><th scope="row">x\x1fy</th><td>1<br>&lt;2&gt;</td>'
        '<td id="a&#34;" class="num"><a href="../p/">&lt;&amp;&gt;&#34;</a></td></tr>',
        '<tr><th scope="row">p\x1eq<br>r</th><td></td><td class="num">3</td></tr>',
        '<tr><th scope="row">&lt;script&gt;</th><td>&#39;</td>'
        '<td class="num"><a href="https://e.org/?a=1&amp;b=2">4</a></td></tr>',
    ]
    assert str(H.table_foot(t, "..")) == '<tr><th scope="row">合计</th><td></td><td class="num">7</td></tr>\n'


def test_task_pages_say_what_the_order_of_declaration_and_draw_rests_on(site):
    """The demo has no trusted timestamps (docs/timestamps.md): the page says so plainly."""
    page = (site / "baofeng/2024/2024-01/index.html").read_text(encoding="utf-8")
    assert "本任务没有可信时间戳：先后顺序仅以 git 提交历史为据" in page
    assert "之前</strong>已提交" not in page  # no unconditional claim of order


def test_task_pages_say_from_how_many_inspectors_each_group_was_drawn(demo, site):
    """Item 7 of issue 12: every drawn task says it; where the number varies, a table; the one demo
    task drawn from a department too small for a choice carries the note citing S0 三（三）."""
    from ssjpub.rules.sources import S0_3_3

    forced = Html((site / "baofeng/2024/2024-05/index.html").read_text(encoding="utf-8"))
    assert "每组从 2 名可选检查人员中抽取 2 名。共 14 个检查组，出现 1 种不同的组员组合。" in forced.text()
    note = forced.text_within("notice")
    assert "检查人员的抽取没有真正的选择余地" in note and f"{S0_3_3.ref}：“{S0_3_3.quote}”" in note
    varied = Html((site / "baofeng/2024/2024-02/index.html").read_text(encoding="utf-8"))
    assert "名可选检查人员中抽取 2 名：" in varied.text() and "各检查组从多少名可选检查人员中抽取" in varied.text()
    assert "没有真正的选择余地" not in varied.text()
    assert (site / "baofeng/2024/choice.csv").is_file()  # the table has its downloads (the year's, ssjpub.site.yearly)
    pages = {p.url: p for p in P.site_pages(demo)}
    assert pages["baofeng/2024/2024-01/"].data["choice"]["note"] is None
    assert pages["baofeng/2024/2024-06/"].data["choice"] is None  # a complaint case draws no one


def test_a_task_still_to_be_drawn_shows_the_expected_choice_and_the_note(tmp_path):
    root = copy_demo(tmp_path / "demo")
    for rel in ("plans/baofeng/2024/draws/2024-05.json", "plans/baofeng/2024/draws/2024-05.yaml",
                "plans/baofeng/2024/randomness/2024-05.yaml", "results/baofeng/2024/2024-05.yaml"):
        (root / rel).unlink()
    repo, problems = validate(root)
    assert problems == []
    pages = {p.url: p for p in P.site_pages(repo)}
    choice = pages["baofeng/2024/2024-05/"].data["choice"]
    assert choice["text"].startswith("按现有名录和快照预计（尚未抽取，") and "每组从 2 名可选检查人员中抽取 2 名" in choice["text"]
    assert "并在开奖（摇号）之前提交" in choice["note"] and "S0 三（三）" in choice["note"]
    later = pages["baofeng/2024/2024-07/"].data["choice"]  # drawn: from its record
    assert later["text"].startswith("每组从 ") and later["note"] is None


@pytest.mark.parametrize("what", ["plan", "snapshot", "randomness"])
def test_a_draw_whose_inputs_changed_is_never_published(tmp_path, what):
    """The plan task, the snapshot or the randomness edited after the draw: the build stops with the
    file, the line and the field of the record it no longer matches (issue 14: a page once showed
    10 % above a table of 35 drawn from a plan edited afterwards)."""
    root = copy_demo(tmp_path / "repo")
    if what == "plan":
        path, old, new, field = root / "plans/baofeng/2024/plan.yaml", "ratio: 20%", "ratio: 25%", "parameters_sha256"
    elif what == "snapshot":
        path = root / "plans/baofeng/targets/2024-01-05.csv"
        old, new, field = "在营", "在营 ", "population.sha256"  # the same meaning, other bytes
    else:
        path, old, new, field = root / "plans/baofeng/2024/randomness/2024-01.yaml", "- - 14\n", "- - 30\n", "randomness.canonical"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    done = run_pelican(root / "content", tmp_path / "output", root=root)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert "published-changed" in log and field in log and "Traceback" not in log
    rel = path.relative_to(root).as_posix()
    assert re.search(rf"{re.escape(rel)}:\d+:\d+: (error )?published-changed", log) or f"{rel}:" in log, log
    assert not (tmp_path / "output" / "index.html").exists()


def test_task_pages_open_with_their_contents(site):
    """A phone shows a long task page a screen at a time: the contents come first, each entry a
    section of that page (tests/test_links.py checks that every #fragment exists)."""
    for rel in ("baofeng/2024/2024-01/index.html", "baofeng/2024/2024-06/index.html"):
        html = Html((site / rel).read_text(encoding="utf-8"))
        nav = [(t, a) for t, a, parents in html.tags if t == "a" and any(p == "nav" and pa.get("class") == "toc" for p, pa in parents)]
        hrefs = [a["href"] for _, a in nav]
        assert hrefs and all(h.startswith("#") for h in hrefs), rel
        assert "#plan-h" in hrefs and "#results-h" in hrefs, rel
        if rel.endswith("2024-01/index.html"):
            assert {"#draw-h", "#verifier-h", "#groups-h", "#verify-h"} <= set(hrefs)
