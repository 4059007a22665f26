"""Findable pages (issue 15, item 6): a description per page from its data, robots.txt, and a
sitemap dated per page from the commits of the files the page is built from.

A real Pelican build of the demo copied into a git repository whose commits carry known dates:
the sitemap must give each page the date of its own latest input, never the build's clock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from ssjpub import pii
from ssjpub.site import pages as P
from ssjpub.site import publish
from ssjpub.validate import validate
from test_site import ROOT, copy_demo

SITEURL = "https://ssj.example.gov.cn/gongshi"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FIRST, RESULTS_DAY, CHECKLIST_DAY = "2025-01-10", "2025-02-20", "2025-03-05"
LATE_RESULTS = "results/baofeng/2024/2024-03.yaml"
LATE_CHECKLIST = "plans/yanshi/checklist.yaml"


def _commit(root: Path, day: str, *paths: str) -> None:
    stamp = f"{day}T10:00:00+08:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "add", "--", *paths], cwd=root, check=True, capture_output=True, env=env)
    subprocess.run([*git, "commit", "-q", "-m", day], cwd=root, check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> tuple[Path, Path]:
    """The demo and the theme in a repository of three dated commits: everything but one task's
    results; then those results; then a comment added to a checklist. Built as published."""
    root = copy_demo(tmp_path_factory.mktemp("dated") / "repo")
    shutil.copytree(ROOT / "theme", root / "theme")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    late = root / LATE_RESULTS
    held = late.read_bytes()
    late.unlink()
    _commit(root, FIRST, ".")
    late.write_bytes(held)
    _commit(root, RESULTS_DAY, LATE_RESULTS)
    with (root / LATE_CHECKLIST).open("a", encoding="utf-8") as fh:
        fh.write("# 2025 年复核，内容未变\n")
    _commit(root, CHECKLIST_DAY, LATE_CHECKLIST)
    out = root.parent / "output"
    done = subprocess.run(
        [sys.executable, "-m", "pelican", str(root / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(out),
         "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(root))}", f"THEME={json.dumps(str(root / 'theme'))}",
         f"SITEURL={json.dumps(SITEURL)}",
         "RELATIVE_URLS=false", "SSJPUB_PAGEFIND=false", "SSJPUB_DOWNLOADS=false"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "400", "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    return root, out


def lastmods(site: Path) -> dict[str, str | None]:
    urls = ET.fromstring((site / "sitemap.xml").read_bytes())
    out = {}
    for u in urls:
        loc = u.find(f"{SM}loc").text
        assert loc.startswith(SITEURL + "/")
        mod = u.find(f"{SM}lastmod")
        out[loc[len(SITEURL) + 1:]] = mod.text if mod is not None else None
    return out


def test_each_page_is_dated_by_the_latest_commit_of_its_own_inputs(dated):
    root, site = dated
    mods = lastmods(site)
    pages = sorted(p.relative_to(site).as_posix()[: -len("index.html")] for p in site.rglob("index.html"))
    assert sorted(mods) == pages
    assert mods["baofeng/2024/2024-03/"] == RESULTS_DAY  # its results came later
    assert mods["baofeng/2024/2024-01/"] == FIRST
    assert mods["results/"] == RESULTS_DAY
    assert mods["baofeng/checklist/"] == FIRST
    assert mods["yanshi/checklist/"] == CHECKLIST_DAY
    # A task page shows its items' names from the checklist: it changes when they may.
    assert {mods[u] for u in mods if u.startswith("yanshi/2023/2023-")} == {CHECKLIST_DAY}
    assert mods["yanshi/2023/"] == CHECKLIST_DAY and mods["baofeng/2024/"] == FIRST
    assert mods["yanshi/"] == CHECKLIST_DAY and mods["baofeng/"] == FIRST  # their sections' counts
    assert mods["baofeng/targets/list/2/"] == mods["about/"] == FIRST
    assert mods[""] == CHECKLIST_DAY  # the home page counts every section
    # Built from no data file: dated by its template.
    assert mods["search/"] == FIRST
    assert date.today().isoformat() not in mods.values()


def test_robots_txt_allows_everything_and_points_to_the_sitemap(dated):
    _root, site = dated
    assert (site / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nAllow: /\nSitemap: {SITEURL}/sitemap.xml\n")
    _commit, _sources, files = publish.read_manifest((site / "manifest.json").read_bytes())
    assert "robots.txt" in files
    # A preview (relative URLs) has no sitemap to point to.
    assert publish.robots_txt(None) == b"User-agent: *\nAllow: /\n"


class _Meta(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.descriptions: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "description":
            self.descriptions.append(a.get("content") or "")


def test_every_page_has_its_own_short_chinese_description_without_personal_data(dated):
    root, site = dated
    repo, problems = validate(root)
    assert problems == []
    people = {p.name for d in repo.agencies.values() if d.inspectors for p in d.inspectors.model.inspectors}
    seen: dict[str, str] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        [text] = _Meta(path.read_text(encoding="utf-8")).descriptions
        assert 20 <= len(text) <= P.DESCRIPTION_LIMIT, (rel, text)
        assert re.search(r"[\u4e00-\u9fff]", text) and "\n" not in text, rel
        assert text not in seen, (rel, seen.get(text))
        seen[text] = rel
        assert pii.find(text) == [], (rel, text)
        assert not [n for n in people if n in text], (rel, text)
    assert len(seen) >= 90


def test_a_task_description_names_agency_year_task_and_its_counts(dated):
    root, site = dated
    repo, _ = validate(root)
    data = repo.agencies["baofeng"]
    task = next(t for t in data.plans[2024].model.tasks if t.id == "2024-03")
    record = data.draws[(2024, task.id)].data
    results = data.results[(2024, task.id)].model.results
    [text] = _Meta((site / "baofeng/2024/2024-03/index.html").read_text(encoding="utf-8")).descriptions
    assert text.startswith(f"宝丰县人社局 2024 年抽查任务 2024-03“{task.name}”（随机抽查）")
    assert f"从 {record['eligible']['count']} 家可抽单位中随机抽取 {len(record['targets'])} 家" in text
    assert f"检查 {len(results)} 家" in text
    [complaint] = _Meta((site / "baofeng/2024/2024-06/index.html").read_text(encoding="utf-8")).descriptions
    assert "非随机" in complaint and "随机抽取" not in complaint


@given(st.text(alphabet=st.sampled_from("宝丰县人社局 \n\t2024年，。“”abc"), max_size=300))
def test_clip_gives_one_line_within_the_limit_from_the_start_of_the_text(text):
    out = P.clip(text)
    assert len(out) <= P.DESCRIPTION_LIMIT and "\n" not in out and "\t" not in out
    assert out == out.strip()
    flat = " ".join(re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", text).split())
    assert out == flat or (out.endswith("…") and flat.startswith(out[:-1]))


def test_a_wrapped_markdown_line_leaves_no_space_inside_chinese():
    assert P.clip("检查对象名录、\n执法检查人员名录") == "检查对象名录、执法检查人员名录"
    assert P.clip("宝丰县人社局\n2024 年") == "宝丰县人社局 2024 年"
