"""Each agency's pages in Pagefind bundles of a bounded number of pages, and one bundle for the rest
of the site (ssjpub.site.search_index), by the real Pagefind over a small site of two agencies,
without Pelican: which pages each bundle holds, the search page's list of bundles, the same bytes
every run; the bundles' cache: a bundle whose pages did not change is copied back byte for byte,
one whose pages changed is indexed again, and a damaged cache entry is never used. The merged
search runs in Chromium (tests/test_search.py)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pagefind_pages import bundle_urls
from ssjpub.site import pagefind_bundle, search_index as S
from ssjpub.site.sitecache import SiteCache

AGENCIES = ("alpha", "beta")
LIMIT = 4  # pages a bundle in these tests: each agency's 11 pages make 4 bundles
# Each agency's pages: its own page, two years, a list, and an archive larger than LIMIT.
PAGES = ("index.html", "2024/index.html", "2024/t1/index.html", "2025/index.html", "checklist/index.html",
         *(f"enterprises/e{i}/index.html" for i in range(6)))
BUNDLES = (  # by LIMIT: the top pages and the years packed, the list alone, the archive cut by sorted path
    ("index.html", "2024/index.html", "2024/t1/index.html", "2025/index.html"),
    ("checklist/index.html",),
    tuple(f"enterprises/e{i}/index.html" for i in range(4)),
    tuple(f"enterprises/e{i}/index.html" for i in range(4, 6)),
)


def _page(path: Path, title: str, text: str, agency: str = "") -> None:
    tag = f'<span data-pagefind-filter="机关">{agency}</span>' if agency else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<!doctype html><html lang="zh-cn"><head><title>{title}</title></head><body>'
                    f"<main data-pagefind-body><h1>{title}</h1><p>{text}</p>{tag}</main></body></html>",
                    encoding="utf-8")


def _site(root: Path) -> Path:
    _page(root / "index.html", "首页", "本站公示各机关的抽查。")
    _page(root / "results/index.html", "结果公示", "各机关的检查结果。")
    listed = json.dumps([{"agency": c, "name": f"{c}局"} for c in (*AGENCIES, "gamma")], ensure_ascii=False)
    (root / "search").mkdir()
    (root / "search/index.html").write_text(  # as ssjpub.site.pages.search renders it (no data-pagefind-body)
        f"<!doctype html><html><body><div id=\"search\" data-bundles='{html.escape(listed, quote=False)}'></div></body></html>",
        encoding="utf-8")
    for code in AGENCIES:
        for i, rel in enumerate(PAGES):
            _page(root / code / rel, f"{code}示例单位{i}", f"检查对象第{i}号。", code)
    (root / "alpha/files").mkdir()
    (root / "alpha/files/data.csv").write_text("a,b\n", encoding="utf-8")
    return root


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _url(rel: str) -> str:
    return "/" + rel.removesuffix("index.html")


def _listed(site: Path) -> list[dict]:
    text = (site / "search/index.html").read_text(encoding="utf-8")
    return json.loads(html.unescape(re.search(r"data-bundles='([^']*)'", text).group(1)))


def _folders(site: Path) -> list[str]:
    """Every bundle of the site, relative to it."""
    return sorted(p.parent.relative_to(site).as_posix() for p in site.rglob(pagefind_bundle.ENTRY))


def _index_site(site: Path, cache: SiteCache | None = None) -> list[str]:
    return S.index_site(site, AGENCIES, cache, pages=LIMIT)


def _indexed(site: Path, folder: Path) -> set[str]:
    """Index `site` with the cache in `folder`: the bundles Pagefind built (not restored). Read from
    the cache rather than the log: Pelican's log filter, once a test ran Pelican in this process,
    drops a message it has already shown."""
    cache = SiteCache(folder)
    _index_site(site, cache)
    return set(cache.rendered)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The site indexed without a cache: (site, its bundles' files)."""
    site = _site(tmp_path_factory.mktemp("fresh") / "site")
    written = _index_site(site)
    return site, written


def test_each_agency_is_split_into_bounded_bundles_and_the_rest_is_one_more(fresh):
    site, written = fresh
    numbered = [f"{code}/pagefind/{n}" for code in AGENCIES for n in range(1, len(BUNDLES) + 1)]
    assert _folders(site) == sorted(["pagefind", *numbered])
    assert {w.rsplit("/", 1)[0] for w in written if w.endswith(pagefind_bundle.ENTRY)} == set(_folders(site))
    for code in AGENCIES:
        for n, pages in enumerate(BUNDLES, 1):  # each result URL relative to the agency's folder
            assert bundle_urls(site / code / "pagefind" / str(n)) == {_url(p) for p in pages}, (code, n)
    assert bundle_urls(site / "pagefind") == {"/", "/results/"}  # none of the agencies' pages
    for folder in _folders(site):
        assert not (site / folder / "pagefind-ui.js").exists()  # settled: the unused interfaces dropped
        # The search's code only where the search page loads it; the agencies' bundles are merged into it.
        assert {p.name for p in (site / folder).glob("*.js")} == ({"pagefind.js", "pagefind-worker.js"} if folder == "pagefind" else set())
        assert any((site / folder).glob("wasm.*.pagefind")) == (folder == "pagefind")


def test_the_search_page_lists_every_bundle_of_each_agency(fresh, tmp_path):
    site, _ = fresh
    listed = _listed(site)
    assert listed == [{"agency": code, "name": f"{code}局", "url": f"{code}/pagefind/{n}/", "base": f"{code}/"}
                      for code in AGENCIES for n in range(1, len(BUNDLES) + 1)]  # gamma has no pages: not listed
    # Indexed again (the build over an earlier output, or the tests' copy): the list is rewritten from itself.
    again = tmp_path / "site"
    shutil.copytree(site, again)
    S.index_site(again, AGENCIES, pages=100)
    assert _listed(again) == [{"agency": code, "name": f"{code}局", "url": f"{code}/pagefind/1/", "base": f"{code}/"}
                              for code in AGENCIES]
    assert _folders(again) == ["alpha/pagefind/1", "beta/pagefind/1", "pagefind"]  # no bundle left from before


def test_the_bundles_are_the_same_bytes_every_run(fresh, tmp_path):
    site, _ = fresh
    again = _site(tmp_path / "site")
    _index_site(again)
    for folder in _folders(site):
        assert _files(site / folder) == _files(again / folder), folder
    assert (site / "search/index.html").read_bytes() == (again / "search/index.html").read_bytes()


_FIRST = st.sampled_from(["", "2024", "2025", "checklist", "enterprises", "targets"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.tuples(_FIRST, st.text("abc", min_size=1, max_size=4)), st.integers(1, 50), max_size=60),
       st.integers(1, 12), st.integers(1, 120))
def test_split_keeps_every_page_once_in_order_within_both_limits(named, pages, size):
    sizes = {(f"{d}/{n}.html" if d else f"{n}.html"): b for (d, n), b in named.items()}
    bundles = S.split(sizes, pages, size)
    flat = [p for b in bundles for p in b]
    assert flat == sorted(sizes, key=lambda p: (S._first(p), p))  # each page once, in order
    weight = lambda b: sum(sizes[p] for p in b)  # noqa: E731
    assert all(0 < len(b) <= pages and (weight(b) <= size or len(b) == 1) for b in bundles)
    folder = {f: [p for p in sizes if S._first(p) == f] for f in {S._first(p) for p in sizes}}
    fits = {f: len(ps) <= pages and weight(ps) <= size for f, ps in folder.items()}
    for f, ps in folder.items():
        holding = [i for i, b in enumerate(bundles) if set(b) & set(ps)]
        if fits[f]:
            assert len(holding) == 1, (f, bundles)  # a folder that fits is never cut
        else:
            assert all(set(bundles[i]) <= set(ps) for i in holding)  # a cut folder's chunks are its own
    # As few bundles as fit: two neighbours of whole folders, or of one cut folder, could not be one.
    for a, b in zip(bundles, bundles[1:]):
        whole = all(fits[S._first(p)] for p in a + b)
        same_cut = {S._first(p) for p in a + b} == {S._first(a[0])} and not fits[S._first(a[0])]
        if whole or same_cut:
            assert len(a) + len(b) > pages or weight(a + b) > size, (a, b)


def test_a_bundle_stays_within_the_bytes_as_well(tmp_path):
    site = _site(tmp_path / "site")
    largest = max(p.stat().st_size for p in (site / "alpha/enterprises").rglob("*.html"))
    bundles = S.agency_bundles(site / "alpha", "alpha", pages=100, size=largest * 2)
    archive = [b.pages for b in bundles if b.pages[0].startswith("enterprises/")]
    assert [len(b) for b in archive] == [2, 2, 2]


def _index(folder: Path) -> dict:
    return json.loads((folder / "index.json").read_bytes())["pages"]


def test_an_unchanged_bundle_comes_from_the_cache_byte_for_byte(fresh, tmp_path):
    site, _ = fresh
    cache = SiteCache(tmp_path / "cache")
    first = _site(tmp_path / "one")
    _index_site(first, cache)
    assert len(_index(tmp_path / "cache")) == len(AGENCIES) * len(BUNDLES) + 1  # an entry per bundle

    # The next build: one enterprise of beta's second archive chunk changed.
    second = _site(tmp_path / "two")
    _page(second / "beta/enterprises/e4/index.html", "beta示例单位9", "检查对象第9号，已整改。", "beta")
    assert _indexed(second, tmp_path / "cache") == {"beta/4"}
    for folder in set(_folders(site)) - {"beta/pagefind/4"}:
        assert _files(second / folder) == _files(site / folder), folder  # identical to a fresh build
    assert _files(second / "beta/pagefind/4") != _files(site / "beta/pagefind/4")
    fresh_two = tmp_path / "fresh-two"
    shutil.copytree(second, fresh_two, ignore=shutil.ignore_patterns("pagefind"))
    _index_site(fresh_two)
    assert _files(second / "beta/pagefind") == _files(fresh_two / "beta/pagefind")


def test_a_damaged_cache_entry_is_not_used(fresh, tmp_path):
    site, _ = fresh
    cache = SiteCache(tmp_path / "cache")
    _index_site(_site(tmp_path / "one"), cache)
    index = _index(tmp_path / "cache")
    plan = {b.name: b for c in AGENCIES for b in S.agency_bundles(site / c, c, LIMIT)}
    alpha = index[S.cache_key(plan["alpha/3"])]
    victim = cache.blob(next(sha for rel, sha in sorted(alpha.items()) if rel.startswith("pagefind/3/fragment/")))
    victim.write_bytes(victim.read_bytes()[:-1] + bytes([victim.read_bytes()[-1] ^ 1]))
    beta = index[S.cache_key(plan["beta/1"])]
    cache.blob(beta["pagefind/1/pagefind-entry.json"]).unlink()
    again = _site(tmp_path / "two")
    assert _indexed(again, tmp_path / "cache") == {"alpha/3", "beta/1"}
    for folder in _folders(site):
        assert _files(again / folder) == _files(site / folder), folder
    # And the entries were replaced by good ones.
    assert _indexed(_site(tmp_path / "three"), tmp_path / "cache") == set()


def test_a_key_covers_every_page_and_only_the_pages_of_the_bundle(tmp_path):
    site = _site(tmp_path / "site")
    rest = S.Bundle(S.SITE, site, S.BUNDLE, tuple(S.html_pages(site, frozenset(AGENCIES))))
    assert rest.pages == ("index.html", "results/index.html", "search/index.html")
    key = S.bundle_key(rest)
    first, archive = (S.agency_bundles(site / "alpha", "alpha", LIMIT)[i] for i in (0, 2))
    keys = S.bundle_key(first), S.bundle_key(archive)
    (site / "alpha/files/data.csv").write_text("changed\n", encoding="utf-8")
    _page(site / "alpha/enterprises/e0/index.html", "alpha改", "改", "alpha")
    assert S.bundle_key(rest) == key  # an agency's page is not the rest's
    assert S.bundle_key(first) == keys[0] and S.bundle_key(archive) != keys[1]  # nor another chunk's
    (site / "results/index.html").write_bytes((site / "results/index.html").read_bytes() + b" ")
    assert S.bundle_key(rest) != key


def test_the_command_indexes_as_the_build_does(fresh, tmp_path):
    site, _ = fresh
    again = _site(tmp_path / "site")
    done = subprocess.run([sys.executable, "-m", "ssjpub.site.search_index", "--pages", str(LIMIT), str(again), *AGENCIES],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for folder in _folders(site):
        assert _files(again / folder) == _files(site / folder), folder


def test_a_bundle_of_thousands_of_pages_is_named_page_by_page(tmp_path):
    """More page names than one command-line argument holds (128 KiB): the glob is Pagefind's configuration."""
    site = tmp_path / "site"
    for i in range(3000):
        _page(site / f"alpha/enterprises/{'9' * 30}{i:05d}/index.html", f"单位{i}", "内容", "alpha")
    S.index_site(site, ["alpha"], pages=3000)
    entry = json.loads((site / "alpha/pagefind/1" / pagefind_bundle.ENTRY).read_text(encoding="utf-8"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == 3000


def test_a_name_with_glob_characters_is_taken_literally(tmp_path):
    site = tmp_path / "site"
    _page(site / "a{b,c}[1]/index.html", "特别", "内容")
    _page(site / "ab/index.html", "另一页", "内容")
    _page(site / "alpha/x/index.html", "机关页", "内容", "alpha")
    _page(site / "alpha/y,z}/index.html", "机关页二", "内容", "alpha")
    S.index_site(site, ["alpha"])
    assert len(bundle_urls(site / "pagefind")) == 2  # both, and not the agency's
    assert len(bundle_urls(site / "alpha/pagefind/1")) == 2
