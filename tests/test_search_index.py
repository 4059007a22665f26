"""One Pagefind bundle per agency and one for the rest of the site (ssjpub.site.search_index), by the
real Pagefind over a small site of two agencies, without Pelican; the bundles' cache: an agency
whose pages did not change gets its bundle back byte for byte, one whose pages changed is indexed
again, and a damaged cache entry is never used. The merged search runs in Chromium
(tests/test_search.py)."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ssjpub.site import pagefind_bundle, search_index as S
from ssjpub.site.sitecache import SiteCache

AGENCIES = ("alpha", "beta")


def _page(path: Path, title: str, text: str, agency: str = "") -> None:
    tag = f'<span data-pagefind-filter="机关">{agency}</span>' if agency else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<!doctype html><html lang="zh-cn"><head><title>{title}</title></head><body>'
                    f"<main data-pagefind-body><h1>{title}</h1><p>{text}</p>{tag}</main></body></html>",
                    encoding="utf-8")


def _site(root: Path) -> Path:
    _page(root / "index.html", "首页", "本站公示各机关的抽查。")
    _page(root / "results/index.html", "结果公示", "各机关的检查结果。")
    for code in AGENCIES:
        for i in range(6):
            _page(root / f"{code}/e{i}/index.html", f"{code}示例单位{i}", f"检查对象第{i}号。", code)
    (root / "alpha/files").mkdir()
    (root / "alpha/files/data.csv").write_text("a,b\n", encoding="utf-8")
    return root


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _urls(bundle: Path) -> set[str]:
    """Every page URL a bundle's fragments name."""
    out = set()
    for frag in (bundle / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(frag.read_bytes())
        out.add(json.loads(raw[len(pagefind_bundle.SIGNATURE):])["url"])
    return out


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The site indexed without a cache: (site, its bundles' files)."""
    site = _site(tmp_path_factory.mktemp("fresh") / "site")
    written = S.index_site(site, AGENCIES)
    return site, written


def test_each_agency_has_its_own_bundle_and_the_rest_one_more(fresh):
    site, written = fresh
    assert {w.split("/pagefind/")[0] for w in written if "/pagefind/" in w} == set(AGENCIES)
    assert any(w.startswith("pagefind/") for w in written)
    # Each agency's result URLs are relative to its folder (a site of its own); the rest holds none of theirs.
    assert _urls(site / "alpha/pagefind") == {f"/e{i}/" for i in range(6)}
    assert _urls(site / "beta/pagefind") == {f"/e{i}/" for i in range(6)}
    assert _urls(site / "pagefind") == {"/", "/results/"}
    for folder in ("pagefind", "alpha/pagefind", "beta/pagefind"):
        assert not (site / folder / "pagefind-ui.js").exists()  # settled: the unused interfaces dropped
        assert (site / folder / "pagefind.js").is_file()  # each agency's folder searchable by itself


def test_the_bundles_are_the_same_bytes_every_run(fresh, tmp_path):
    site, _ = fresh
    again = _site(tmp_path / "site")
    S.index_site(again, AGENCIES)
    for folder in ("pagefind", "alpha/pagefind", "beta/pagefind"):
        assert _files(site / folder) == _files(again / folder), folder


def _index(folder: Path) -> dict:
    return json.loads((folder / "index.json").read_bytes())["pages"]


def test_an_unchanged_agency_gets_its_bundle_from_the_cache_byte_for_byte(fresh, tmp_path, caplog):
    site, _ = fresh
    cache = SiteCache(tmp_path / "cache")
    first = _site(tmp_path / "one")
    S.index_site(first, AGENCIES, cache)
    assert len(_index(tmp_path / "cache")) == len(AGENCIES) + 1  # an entry per bundle

    # The next build: one page of beta changed.
    second = _site(tmp_path / "two")
    _page(second / "beta/e3/index.html", "beta示例单位3", "检查对象第3号，已整改。", "beta")
    with caplog.at_level(logging.INFO, logger=S.__name__):
        S.index_site(second, AGENCIES, cache)
    reused = {r.args[0] for r in caplog.records if r.msg == S.REUSED}
    assert reused == {"alpha", S.SITE}, caplog.text
    for folder in ("pagefind", "alpha/pagefind"):
        assert _files(second / folder) == _files(site / folder), folder  # identical to a fresh build
    assert _files(second / "beta/pagefind") != _files(site / "beta/pagefind")
    fresh_beta = tmp_path / "fresh-beta"
    shutil.copytree(second / "beta", fresh_beta, ignore=shutil.ignore_patterns("pagefind"))
    S.index_site(fresh_beta.parent, [fresh_beta.name])
    assert _files(second / "beta/pagefind") == _files(fresh_beta / "pagefind")


def test_a_damaged_cache_entry_is_not_used(fresh, tmp_path, caplog):
    site, _ = fresh
    cache = SiteCache(tmp_path / "cache")
    S.index_site(_site(tmp_path / "one"), AGENCIES, cache)
    index = _index(tmp_path / "cache")
    alpha = index[S.cache_key("alpha", site / "alpha", frozenset({S.BUNDLE}))]
    victim = cache.blob(next(sha for rel, sha in sorted(alpha.items()) if rel.startswith("pagefind/fragment/")))
    victim.write_bytes(victim.read_bytes()[:-1] + bytes([victim.read_bytes()[-1] ^ 1]))
    beta = index[S.cache_key("beta", site / "beta", frozenset({S.BUNDLE}))]
    cache.blob(beta["pagefind/pagefind-entry.json"]).unlink()
    again = _site(tmp_path / "two")
    with caplog.at_level(logging.INFO, logger=S.__name__):
        S.index_site(again, AGENCIES, cache)
    assert {r.args[0] for r in caplog.records if r.msg == S.REUSED} == {S.SITE}
    for folder in ("pagefind", "alpha/pagefind", "beta/pagefind"):
        assert _files(again / folder) == _files(site / folder), folder
    # And the entries were replaced by good ones.
    third = _site(tmp_path / "three")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=S.__name__):
        S.index_site(third, AGENCIES, cache)
    assert {r.args[0] for r in caplog.records if r.msg == S.REUSED} == {*AGENCIES, S.SITE}


def test_a_key_covers_every_page_and_only_the_pages_of_the_bundle(fresh, tmp_path):
    site = _site(tmp_path / "site")
    rest = frozenset([*AGENCIES, S.BUNDLE])
    key = S.bundle_key(site, rest)
    (site / "alpha/files/data.csv").write_text("changed\n", encoding="utf-8")
    _page(site / "alpha/e0/index.html", "alpha改", "改", "alpha")
    assert S.bundle_key(site, rest) == key  # an agency's page is not the rest's
    assert S.bundle_key(site / "alpha", frozenset([S.BUNDLE])) != S.bundle_key(site / "beta", frozenset([S.BUNDLE]))
    (site / "results/index.html").write_bytes((site / "results/index.html").read_bytes() + b" ")
    assert S.bundle_key(site, rest) != key


def test_the_command_indexes_as_the_build_does(fresh, tmp_path):
    site, _ = fresh
    again = _site(tmp_path / "site")
    done = subprocess.run([sys.executable, "-m", "ssjpub.site.search_index", str(again), *AGENCIES],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for folder in ("pagefind", "alpha/pagefind", "beta/pagefind"):
        assert _files(again / folder) == _files(site / folder), folder


def test_a_name_with_glob_characters_is_taken_literally(tmp_path):
    site = tmp_path / "site"
    _page(site / "a{b,c}[1]/index.html", "特别", "内容")
    _page(site / "ab/index.html", "另一页", "内容")
    _page(site / "alpha/x/index.html", "机关页", "内容", "alpha")
    S.index_site(site, ["alpha"])
    assert len(_urls(site / "pagefind")) == 2  # both, and not the agency's
