"""The site serves its raw inputs byte-identical (files/, files/index.json), the task pages link each
input with its digest and size and explain the browser verifier beside it, with a worked example
recomputed from the record; the commands printed for Linux/macOS and Windows really work.

Real Pelican builds (the demo, a failed draw, a theme with the verifier's script) and real git
clones in tmp folders. PowerShell is not installable here: its commands are asserted as text, and
their Python parts run with python3.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import unicodedata
import urllib.parse
from pathlib import Path

import pytest

from ssjpub.beacon.drand import QUICKNET
from ssjpub.site import served, urls
from ssjpub.site.commands import Command, ps_quote
from ssjpub.site.pages import site_pages
from ssjpub.site.pages.verifier import official_sources
from ssjpub.site.publish import read_manifest
from ssjpub.validate import validate
from test_failures import commit, failed, git, ssjpub  # noqa: F401 (a fixture)
from test_links import pelican
from test_site import ROOT, Html

DRAW = "plans/baofeng/2024/draws/2024-01.json"
TASK_PAGE = "baofeng/2024/2024-01/index.html"


def field(text: str) -> bytes:
    """docs/draw-spec.md §1, written out here rather than imported from the engine."""
    data = unicodedata.normalize("NFC", text).encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def h(*texts: str) -> str:
    return hashlib.sha256(b"".join(field(t) for t in texts)).hexdigest()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("served") / "output"
    done = pelican(ROOT, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def repo_files(root: Path) -> list[str]:
    """What the site serves: every file under plans/ and results/ but hidden ones and the draw
    records' YAML copies (a .yaml beside a .json in draws/)."""
    return sorted(p.relative_to(root).as_posix() for d in ("plans", "results") for p in (root / d).rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
                  and not (p.parent.name == "draws" and p.suffix == ".yaml" and p.with_suffix(".json").is_file()))


# --- the catalogue and the index ----------------------------------------------------------------


def test_every_file_under_plans_and_results_is_catalogued_and_nothing_hidden_or_linked(tmp_path):
    (tmp_path / "plans/a/.git").mkdir(parents=True)
    (tmp_path / "plans/a/.git/config").write_text("x", encoding="utf-8")
    (tmp_path / "plans/a/.DS_Store").write_bytes(b"\0")
    (tmp_path / "plans/a/b c.yaml").write_text("名：值\n", encoding="utf-8")
    (tmp_path / "results/z").mkdir(parents=True)
    (tmp_path / "results/z/r.yaml").write_bytes(b"a\r\nb")
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "plans/link.txt").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "content").mkdir()
    (tmp_path / "content/x.md").write_text("x", encoding="utf-8")
    files = served.catalogue(tmp_path)
    assert list(files) == ["plans/a/b c.yaml", "results/z/r.yaml"]
    assert files["results/z/r.yaml"].sha256 == hashlib.sha256(b"a\r\nb").hexdigest()
    assert files["results/z/r.yaml"].bytes == 4
    assert files["plans/a/b c.yaml"].url == "files/plans/a/b%20c.yaml"
    index = json.loads(served.index_json(files))
    assert index == {"format": "ssjpub-files/1", "files": {
        "plans/a/b c.yaml": {"sha256": files["plans/a/b c.yaml"].sha256, "bytes": len("名：值\n".encode())},
        "results/z/r.yaml": {"sha256": files["results/z/r.yaml"].sha256, "bytes": 4}}}
    assert json.loads(served.index_json({})) == {"format": "ssjpub-files/1", "files": {}}


def test_a_draw_records_yaml_copy_is_not_served_but_a_lone_yaml_in_draws_is(tmp_path):
    """The copy is derived byte for byte from its JSON (verify checks it): not served twice. A
    .yaml without its .json is no copy (validate reports it) and is served as any file."""
    draws = tmp_path / "plans/a/2024/draws"
    draws.mkdir(parents=True)
    for name in ("2024-01.json", "2024-01.yaml", "2024-02.yaml"):
        (draws / name).write_text("x\n", encoding="utf-8")
    (tmp_path / "plans/a/2024/randomness").mkdir()
    (tmp_path / "plans/a/2024/randomness/2024-01.yaml").write_text("y\n", encoding="utf-8")
    (tmp_path / "plans/a/2024/randomness/2024-01.json").write_text("{}\n", encoding="utf-8")
    assert list(served.catalogue(tmp_path)) == [
        "plans/a/2024/draws/2024-01.json", "plans/a/2024/draws/2024-02.yaml",
        "plans/a/2024/randomness/2024-01.json", "plans/a/2024/randomness/2024-01.yaml"]


def test_a_file_changed_after_it_was_catalogued_is_not_served(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans/a.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "plans/b.yaml").write_text("b: 1\n", encoding="utf-8")
    files = served.catalogue(tmp_path)
    (tmp_path / "plans/b.yaml").write_text("b: 2\n", encoding="utf-8")
    out = tmp_path / "out"
    written, problems = served.write(files, tmp_path, out)
    assert [(p.file, p.code) for p in problems] == [("plans/b.yaml", "changed-during-build")]
    assert problems[0].code == "changed-during-build"
    assert (out / "files/plans/a.yaml").read_bytes() == b"a: 1\n" and not (out / "files/plans/b.yaml").exists()
    assert "files/plans/a.yaml" in written


# --- the built site ------------------------------------------------------------------------------


def test_the_site_serves_every_input_byte_identical_and_lists_it(site):
    expected = repo_files(ROOT)
    served_here = sorted(p.relative_to(site / "files").as_posix() for p in (site / "files").rglob("*")
                         if p.is_file() and p != site / "files/index.json")
    assert served_here == expected
    index = json.loads((site / "files/index.json").read_text(encoding="utf-8"))
    assert index["format"] == "ssjpub-files/1" and list(index["files"]) == expected  # sorted
    for rel in expected:
        data = (ROOT / rel).read_bytes()
        assert (site / "files" / rel).read_bytes() == data, rel
        assert index["files"][rel] == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}, rel
    _commit, _sources, manifest = read_manifest((site / "manifest.json").read_bytes())
    assert manifest[f"files/{DRAW}"].sources == (DRAW,)
    assert set(manifest["files/index.json"].sources) == set(expected)


def test_the_verifier_scripts_land_under_theme_verify(site):
    vendor = ROOT / "theme/static/verify"
    for path in vendor.rglob("*"):
        if path.is_file():
            rel = path.relative_to(vendor).as_posix()
            assert (site / "theme/verify" / rel).read_bytes() == path.read_bytes(), rel


def _inputs(source: str) -> list[tuple[str, str, int, str]]:
    """(href, path, bytes, sha256) of each file of the 输入 list."""
    html = source[source.index('<ul class="inputs">'):]
    html = html[:html.index("</ul>")]
    full = re.compile(r'<li><strong>[^<]*</strong>：<a href="([^"]+)"><code>([^<]+)</code></a>（([\d,]+) 字节）'
                      r'<br>SHA-256 <code class="hash">([0-9a-f]{64})</code></li>')
    return [(m.group(1), m.group(2), int(m.group(3).replace(",", "")), m.group(4)) for m in full.finditer(html)]


WHOLE_YEAR = "该年度的全部抽取记录"


def _priors(source: str) -> list[tuple[str, str, int, list[str] | None]]:
    """(year, href, count, task ids or None for all of that year's) of each year of the earlier
    draws the 输入 list names."""
    if '<ul class="priors">' not in source:
        return []
    html = source[source.index('<ul class="priors">'):]
    html = html[:html.index("</ul>")]
    return [(y, href, int(n), None if tasks == WHOLE_YEAR else tasks.split("、")) for href, y, n, tasks in
            re.findall(r'<li><a href="([^"]+)">(\d{4}) 年</a>（(\d+) 个）：([^<]+)</li>', html)]


def _records(plan_page: Path) -> dict[str, tuple[str, int, str]]:
    """A plan page's list of draw records: task id → (href of the record file, bytes, sha256)."""
    html = plan_page.read_text(encoding="utf-8")
    html = html[html.index('<caption id="cap-records">'):]
    html = html[:html.index("</table>")]
    row = re.compile(r'<tr><th scope="row" id="d-([^"]+)"><a href="[^"]+">[^<]+</a></th><td><a href="([^"]+)">[^<]+</a></td>'
                     r'<td class="num">(\d+)</td><td class="hash">([0-9a-f]{64})</td></tr>')
    return {m.group(1): (m.group(2), int(m.group(3)), m.group(4)) for m in row.finditer(html)}


def test_task_pages_link_each_input_to_its_served_copy_with_its_digest_and_size(demo_repo, site):
    """Each input of a draw with its digest and size; each earlier draw by task id, a year at a
    time, linked to that year's plan page, which lists its record file, size and digest."""
    index = json.loads((site / "files/index.json").read_text(encoding="utf-8"))["files"]
    priors_checked = 0
    for data in demo_repo.agencies.values():
        for (year, task_id), draw in data.draws.items():
            page_path = site / data.code / str(year) / task_id / "index.html"
            source = page_path.read_text(encoding="utf-8")
            inputs = _inputs(source)
            shown = [p for _, p, _, _ in inputs]
            rec = draw.data
            wanted = [rec["population"]["file"], rec["randomness"]["file"], data.plans[year].file,
                      rec["inspectors"]["file"], data.checklist.file, draw.file]
            assert shown == wanted, page_path
            assert f"<code>{draw.yaml_file}</code>，与上面的 JSON 记录同一内容" in source
            for href, path, size, sha in inputs:
                target = (page_path.parent / urllib.parse.unquote(href)).resolve()
                assert target == (site / "files" / path).resolve() and target.is_file(), href
                assert index[path] == {"sha256": sha, "bytes": size}, path
            priors = _priors(source)
            assert sum(n for _, _, n, _ in priors) == len(rec["prior_draws"]), page_path
            named = []
            for y, href, n, tasks in priors:
                if tasks is None:  # the whole year: exactly the draws of that year
                    tasks = [t for (year_, t) in data.draws if str(year_) == y]
                    assert sorted(tasks) == sorted(r[5:] for r in rec["prior_draws"] if r[:4] == y), (page_path, y)
                    tasks = [r[5:] for r in rec["prior_draws"] if r[:4] == y]
                assert len(tasks) == n, (page_path, y)
                named += [f"{y}/{t}" for t in tasks]
                plan_url = urllib.parse.urlsplit(href)
                assert plan_url.fragment == "records-h"
                plan = (page_path.parent / urllib.parse.unquote(plan_url.path) / "index.html").resolve()
                assert plan == (site / data.code / y / "index.html").resolve(), href
                records = _records(plan)
                assert set(records) == {t for (year_, t) in data.draws if str(year_) == y}  # that year's, all
                for t in tasks:
                    file_href, size, sha = records[t]
                    path = data.draws[(int(y), t)].file
                    assert (plan.parent / urllib.parse.unquote(file_href)).resolve() == (site / "files" / path).resolve()
                    assert index[path] == {"sha256": sha, "bytes": size}, path
                    priors_checked += 1
            assert named == rec["prior_draws"], page_path
    assert priors_checked > 10


def _verifier(page: Html) -> dict:
    [section] = [a for t, a, _ in page.tags if t == "section" and a.get("id") == "verifier"]
    return section


def test_the_verifier_section_names_its_record_and_the_site_root(demo_repo, site):
    for data in demo_repo.agencies.values():
        for year, task_id in data.draws:
            page_path = site / data.code / str(year) / task_id / "index.html"
            page = Html(page_path.read_text(encoding="utf-8"))
            section = _verifier(page)
            assert section["data-record"] == data.draws[(year, task_id)].file
            root = (page_path.parent / section["data-root"]).resolve()
            assert root == site.resolve() and section["data-root"] == "../../../"
            assert (root / "files" / section["data-record"]).is_file()
            [ui] = [a for t, a, st in page.tags if t == "div" and a.get("class") == "verifier-ui"]
            assert "hidden" in ui
            noscript = "".join(d for d, st in page.texts if any(t == "noscript" for t, _ in st))
            assert "JavaScript" in noscript and "Python 3" in noscript
            words = "".join(d for d, st in page.texts if any(a.get("id") == "verifier" for _, a in st))
            for claim in ("✓ 证明什么", "全部 ✓ 也不能证明什么", "检查人员的情况是否属实", "社会保险登记", "官方", "先后"):
                assert claim in words, (page_path, claim)
            hrefs = [a["href"] for t, a, st in page.tags if t == "a" and any(x.get("id") == "verifier" for _, x in st)]
            assert "#order-h" in hrefs
    # The script is linked only when the theme has it (page.js is another engineer's).
    page = Html((site / TASK_PAGE).read_text(encoding="utf-8"))
    scripts = [a["src"] for a in page.all("script")]
    assert scripts == (["../../../theme/verify/page.js"] if (ROOT / "theme/static/verify/page.js").is_file() else [])


def test_each_declared_lottery_links_its_official_result_page(demo_repo, site):
    games = {g.name: str(g.result_page) for g in demo_repo.games.model.games}
    for data in demo_repo.agencies.values():
        for (year, task_id), draw in data.draws.items():
            page = Html((site / data.code / str(year) / task_id / "index.html").read_text(encoding="utf-8"))
            hrefs = {a["href"] for t, a, st in page.tags if t == "a" and any(x.get("id") == "verifier" for _, x in st)}
            declared = [s for s in draw.data["parameters"]["randomness"] if s["kind"] == "公开开奖"]
            assert declared and {games[s["game"]] for s in declared} <= hrefs


def test_a_drand_source_links_the_rounds_public_url_on_the_quicknet_chain():
    rec = {"parameters": {"randomness": [
        {"kind": "公开摇号", "game": None, "source": "县局摇号", "issue": None, "expected_on": "2024-01-08",
         "place": "县局", "witnesses": ["甲", "乙"], "round": None},
        {"kind": "drand", "game": None, "source": None, "issue": None, "expected_on": "2024-01-09",
         "place": None, "witnesses": [], "round": 4001212}]}}
    ceremony, beacon = official_sources(rec, None)
    assert ceremony.link is None and "甲、乙" in ceremony.note and ceremony.label.startswith("来源 1：公开摇号")
    assert beacon.link.url == f"https://api.drand.sh/{QUICKNET.hash}/public/4001212"
    assert QUICKNET.hash == "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"


def test_the_worked_ticket_example_is_the_records_first_target_recomputed(demo_repo, site):
    for data in demo_repo.agencies.values():
        for (year, task_id), draw in data.draws.items():
            rec = draw.data
            first = rec["targets"][0]
            page = Html((site / data.code / str(year) / task_id / "index.html").read_text(encoding="utf-8"))
            text = "".join(d for d, st in page.texts if any(a.get("id") == "verifier" for _, a in st))
            shown = dict((int(k), v) for k, v in re.findall(r"T\(c, (\d+)\)([0-9a-f]{64})", text))
            assert shown, (year, task_id)
            for k, digest in shown.items():
                assert digest == h(rec["algorithm"], "target", rec["seed"], first["code"], str(k))
            assert first["ticket"] in shown.values() and shown[first["copy"]] == first["ticket"]
            assert min(shown.values()) == first["ticket"]
            assert first["code"] in text and rec["seed"] in text and f"排第 {first['rank']} 位" in text
            stratum = next(s for s in rec["strata"] if s["stratum"] == first["stratum"])
            assert stratum["cutoff"] in text and f"签号最小的 {stratum['count']} 家" in text


@pytest.fixture(scope="module")
def demo_repo():
    repo, problems = validate(ROOT)
    assert problems == []
    return repo


# --- a failed draw --------------------------------------------------------------------------------


def test_a_failure_record_gets_the_same_section_adapted_with_its_seed(failed, tmp_path):  # noqa: F811
    out = ssjpub(failed, "draw", "baofeng/2024/2024-01")
    assert out.returncode != 0
    commit(failed, "2024-01-10T09:00:00+08:00", "失败记录")
    shutil.copytree(ROOT / "content", failed / "content")
    site = tmp_path / "site"
    done = pelican(failed, site)
    assert done.returncode == 0, done.stdout + done.stderr
    record_file = "plans/baofeng/2024/failures/2024-01.json"
    rec = json.loads((failed / record_file).read_text(encoding="utf-8"))
    page_path = site / TASK_PAGE
    page = Html(page_path.read_text(encoding="utf-8"))
    section = _verifier(page)
    assert section["data-record"] == record_file and (page_path.parent / section["data-root"]).resolve() == site.resolve()
    text = "".join(d for d, st in page.texts if any(a.get("id") == "verifier" for _, a in st))
    assert "确实无法完成抽取" in text and "换一组随机数" in text
    seed = h(rec["algorithm"], "seed", "baofeng", "2024", "2024-01", rec["population"]["sha256"],
             rec["parameters_sha256"], rec["randomness"]["canonical"])
    assert seed == rec["seed"] and seed in text
    shown = [p for _, p, _, _ in _inputs(page_path.read_text(encoding="utf-8"))]
    assert record_file in shown and rec["population"]["file"] in shown
    for href, path, size, sha in _inputs(page_path.read_text(encoding="utf-8")):
        data = (failed / path).read_bytes()
        assert (page_path.parent / href).resolve().read_bytes() == data
        assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest())
    # Its commands check the failure record too.
    cmds = [line for d, st in page.texts if st and st[-1][0] == "code" and any(t == "pre" for t, _ in st)
            for line in d.split("\n")]
    assert f"python3 docs/verify_draw.py {record_file}" in cmds
    assert "py -3 docs\\verify_draw.py " + record_file.replace("/", "\\") in cmds


# --- the theme's verifier script --------------------------------------------------------------------


def test_with_the_verifier_script_in_the_theme_task_and_verify_pages_load_it(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "static/verify/page.js").write_text("function ssjpubPage() {}\n", encoding="utf-8")
    site = tmp_path / "site"
    done = pelican(ROOT, site, f"THEME={json.dumps(str(theme))}")
    assert done.returncode == 0, done.stdout + done.stderr
    for rel, root in ((TASK_PAGE, "../../../"), ("verify/index.html", "../")):
        page = Html((site / rel).read_text(encoding="utf-8"))
        [script] = page.all("script")
        assert script["src"] == f"{root}theme/verify/page.js" and "defer" in script
        assert (site / rel).parent.joinpath(script["src"]).resolve() == (site / "theme/verify/page.js").resolve()
    verify = Html((site / "verify/index.html").read_text(encoding="utf-8"))
    [drop] = [a for t, a, _ in verify.tags if t == "section" and a.get("id") == "verifier-drop"]
    assert drop["data-root"] == "../"
    assert [a for t, a, st in verify.tags if t == "div" and a.get("class") == "verifier-ui"
            and any(x.get("id") == "verifier-drop" for _, x in st)]


# --- the /verify/ page leads with the browser route -----------------------------------------------


def test_the_verify_page_leads_with_the_browser_route(site):
    page = Html((site / "verify/index.html").read_text(encoding="utf-8"))
    h2 = [d for d, st in page.texts if st and st[-1][0] == "h2"]
    assert h2[0].startswith("在浏览器中验证") and h2[1] == "用命令行验证"
    [drop] = [a for t, a, _ in page.tags if t == "section" and a.get("id") == "verifier-drop"]
    assert drop["data-root"] == "../" and (site / "verify" / drop["data-root"]).resolve() == site.resolve()
    text = "".join(d for d, st in page.texts if any(a.get("id") == "verifier-drop" for _, a in st))
    for what in ("网站副本", "仓库", "一条记录和它的文件", "与本站公示的文件比对"):
        assert what in text
    hrefs = [a["href"] for a in page.all("a")]
    assert "../files/index.json" in hrefs


# --- the commands, for real ---------------------------------------------------------------------


def printed(page_path: Path) -> list[str]:
    page = Html(page_path.read_text(encoding="utf-8"))
    return [block for d, st in page.texts if st and st[-1][0] == "code" and any(t == "pre" for t, _ in st)
            for block in [d]]


def test_powershell_quoting_keeps_every_word_one_word():
    assert ps_quote("plans\\baofeng\\2024\\draws\\2024-01.json") == "plans\\baofeng\\2024\\draws\\2024-01.json"
    assert ps_quote("-Algorithm") == "-Algorithm"
    assert ps_quote("https://例子.中国/a,b") == "'https://例子.中国/a,b'"
    assert ps_quote("a'b\u2019c; rm") == "'a''b\u2019\u2019c; rm'"
    assert ps_quote("$(x)") == "'$(x)'" and ps_quote("@a") == "'@a'"


def test_the_windows_commands_on_a_task_page_are_exact_and_their_python_runs(site, tmp_path):
    blocks = printed(site / TASK_PAGE)
    rec = json.loads((ROOT / DRAW).read_text(encoding="utf-8"))
    snapshot = rec["population"]["file"]
    name = snapshot.rsplit("/", 1)[1]
    for line in (f"Get-FileHash -Algorithm SHA256 {name}",
                 "Get-FileHash -Algorithm SHA256 " + snapshot.replace("/", "\\"),
                 "py -3 docs\\verify_draw.py " + DRAW.replace("/", "\\"),
                 "py -3 -m venv .venv\n.venv\\Scripts\\pip install -e .",
                 ".venv\\Scripts\\ssjpub verify",
                 ".venv\\Scripts\\ssjpub verify --history"):
        assert line in blocks, line
    assert not [b for b in blocks if "&&" in b and b.startswith(("py ", "Get-FileHash", ".venv\\"))]
    # Their Python part, as python3 runs it here: the same verifier, the same record.
    [win] = [b for b in blocks if b.startswith("py -3 docs\\verify_draw.py ")]
    argv = [w.replace("\\", "/") for w in win.split()[2:]]
    done = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and f"OK {DRAW}" in done.stdout, done.stdout + done.stderr
    # Get-FileHash prints the same digest in capitals: the one the page states, from the served copy.
    downloaded = tmp_path / name
    shutil.copyfile(site / "files" / snapshot, downloaded)
    assert hashlib.sha256(downloaded.read_bytes()).hexdigest().upper() == rec["population"]["sha256"].upper()


def test_the_verify_page_gives_every_step_for_both_systems(site):
    blocks = printed(site / "verify/index.html")
    assert "python3 docs/verify_draw.py --all" in blocks and "py -3 docs\\verify_draw.py --all" in blocks
    assert "python3 -m venv .venv && .venv/bin/pip install -e ." in blocks
    assert "py -3 -m venv .venv\n.venv\\Scripts\\pip install -e ." in blocks
    assert ".venv/bin/ssjpub verify --history" in blocks and ".venv\\Scripts\\ssjpub verify --history" in blocks
    done = subprocess.run([sys.executable, "docs/verify_draw.py", "--all"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_the_snapshot_check_needs_only_the_served_file(site, tmp_path):
    """The first command of a task page: download the snapshot from the site, run sha256sum in
    that folder; no clone."""
    rec = json.loads((ROOT / DRAW).read_text(encoding="utf-8"))
    name = rec["population"]["file"].rsplit("/", 1)[1]
    blocks = printed(site / TASK_PAGE)
    assert blocks[0] == f"sha256sum {name}"
    page = Html((site / TASK_PAGE).read_text(encoding="utf-8"))
    [href] = [a["href"] for a in page.all("a") if a.get("href", "").endswith("files/" + rec["population"]["file"])]
    (tmp_path / "下载").mkdir()
    shutil.copyfile((site / TASK_PAGE).parent / href, tmp_path / "下载" / name)  # what a browser saves
    if shutil.which("sha256sum"):
        out = subprocess.run(shlex.split(blocks[0]), cwd=tmp_path / "下载", capture_output=True, text=True, check=True)
        assert out.stdout.split()[0] == rec["population"]["sha256"]


def test_the_linux_commands_of_a_task_page_run_as_printed_on_a_fresh_clone(tmp_path):
    """A repository with its own history, built into a site; then every command of the task page,
    as printed, in a shell: the clone (from a local path instead of the web address), the checkout
    of the built commit, the digest, the seed, the standalone verifier and `ssjpub verify`."""
    origin = tmp_path / "origin"
    later = ("randomness", "draws")  # committed after everything else, as the draws were
    for name in ("plans", "results", "content", "docs"):
        shutil.copytree(ROOT / name, origin / name, ignore=shutil.ignore_patterns(*later))
    git(origin, "init", "-q", "-b", "main")
    commit(origin, "2023-01-01T10:00:00+08:00", "计划、名录和随机数来源声明")
    for folder in sorted(p for name in later for p in (ROOT / "plans").glob(f"*/*/{name}")):
        shutil.copytree(folder, origin / folder.relative_to(ROOT))
    commit(origin, "2024-12-31T10:00:00+08:00", "公开随机数和抽取记录")
    sha = git(origin, "rev-parse", "HEAD").strip()
    repo, problems = validate(origin)
    pages = {p.url: p for p in site_pages(repo, commit=sha)}
    cmds: list[Command] = pages[urls.task("baofeng", 2024, "2024-01")].data["commands"]
    texts = [c.text for c in cmds]
    clone = next(i for i, c in enumerate(cmds) if c.argvs[0][:2] == ("git", "clone"))
    url, folder = cmds[clone].argvs[0][2:]
    work = tmp_path / "citizen"
    work.mkdir()
    script = [texts[clone].replace(shlex.quote(url), shlex.quote(str(origin)), 1)]
    skip = {"安装 ssjpub"}  # pip install is slow and needs an index: the venv is this one's
    for c in cmds[clone + 1:]:
        if c.what in skip:
            continue
        script.append(c.text)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    log = tmp_path / "log"
    log.mkdir()
    lines = []
    for i, text in enumerate(script):
        if i == 2:  # after `cd`: the clone gets this environment's ssjpub
            lines.append(f"ln -s {shlex.quote(str(ROOT / '.venv'))} .venv || exit 9")
        lines.append(f"{text} > {log}/out-{i}.txt 2>&1; echo $? > {log}/rc-{i}.txt")
    done = subprocess.run(["bash", "-c", "set -u\n" + "\n".join(lines)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    clone_dir = work / folder

    def result(i: int) -> tuple[int, str]:
        return int((log / f"rc-{i}.txt").read_text()), (log / f"out-{i}.txt").read_text(encoding="utf-8")

    rec = json.loads((origin / DRAW).read_text(encoding="utf-8"))
    outcomes = {script[i]: result(i) for i in range(len(script))}
    by_start = lambda prefix: [v for k, v in outcomes.items() if k.startswith(prefix)]  # noqa: E731
    assert all(rc == 0 for rc, _ in by_start("git ")), outcomes
    assert git(clone_dir, "rev-parse", "HEAD").strip() == sha
    if shutil.which("sha256sum"):
        [(rc, out)] = by_start("sha256sum plans/")
        assert rc == 0 and out.split()[0] == rec["population"]["sha256"]
    [(rc, out)] = by_start("python3 -c ")
    assert rc == 0 and out.strip() == rec["seed"]
    [(rc, out)] = by_start("python3 docs/verify_draw.py ")
    assert rc == 0 and f"OK {DRAW}" in out, out
    [(rc, out)] = [v for k, v in outcomes.items() if k == ".venv/bin/ssjpub verify"]
    assert rc == 0 and "已重新执行 10 次抽取" in out, out
    [(rc, out)] = [v for k, v in outcomes.items() if k == ".venv/bin/ssjpub verify --history"]
    assert rc == 0, out
    assert "Traceback" not in "".join(out for _, out in outcomes.values())
