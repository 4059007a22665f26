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
        assert not html.all("script"), rel
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
    for csv in (root / "plans/baofeng/targets").glob("*.csv"):
        lines = csv.read_text(encoding="utf-8").split("\n")
        lines = [",".join([code, SCRIPT, *l.split(",")[2:]]) if l.startswith(code + ",") else l for l in lines]
        csv.write_text("\n".join(lines), encoding="utf-8")
    checklist = root / "plans/baofeng/checklist.yaml"
    text = checklist.read_text(encoding="utf-8")
    old = "  name: 用人单位遵守工资支付规定情况\n"
    assert text.count(old) == 1
    checklist.write_text(text.replace(old, f'  name: "{SCRIPT}"\n'), encoding="utf-8")
    assert validate(root)[1] == []

    out = build(root / "content", tmp_path / "output", root=root)
    for rel in ("baofeng/2024/index.html", "baofeng/checklist/index.html"):
        raw = (out / rel).read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;示例公司" in raw, rel
        html = Html(raw)
        assert SCRIPT in html.text(), rel
    for path in out.rglob("*.html"):
        assert not Html(path.read_text(encoding="utf-8")).all("script"), path


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
