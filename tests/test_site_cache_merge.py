"""The CI fan-out (docs/scale.md 第四节第 3 条): each agency's pages built alone into its own site
cache (SSJPUB_CACHE_ONLY), the caches merged (python -m ssjpub.site.sitecache merge), then the
whole site built with the merged cache: no agency page is rendered again, and the site is byte for
byte the clean full build's. A tampered entry in one cache is not trusted."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from test_site_cache import CACHE, assert_same, build, index, repo  # noqa: F401 (the fixture)

AGENCIES = ("baofeng", "yanshi")


def agency_cache(root: Path, tmp: Path, code: str) -> str:
    """Build one agency's pages into their own cache folder; its path relative to `root`."""
    folder = f".ssjpub-cache/{code}"
    build(root, tmp / f"only-{code}", True, f"SSJPUB_CACHE_ONLY={json.dumps([code])}", cache=folder)
    rendered = set(json.loads((root / folder / "index.json").read_bytes())["rendered"])
    assert rendered and {p.split("/")[0] for p in rendered} == {code}
    assert not (root / folder / "output.json").exists()  # no site written, so none recorded for in-place updates
    return folder


def merge(root: Path, *folders: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "ssjpub.site.sitecache", "merge", CACHE, *folders],
                          cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def test_merged_agency_caches_render_no_agency_page(repo: Path, tmp_path: Path) -> None:  # noqa: F811
    folders = [agency_cache(repo, tmp_path, code) for code in AGENCIES]
    merge(repo, *folders)
    first = (repo / CACHE / "index.json").read_bytes()
    shutil.rmtree(repo / CACHE)
    merge(repo, *reversed(folders))
    assert (repo / CACHE / "index.json").read_bytes() == first  # the same index whatever the order

    assembled = build(repo, tmp_path / "assembled", True)
    assert index(repo)["rendered"] == []  # every agency page restored
    assert index(repo)["computed"] == []  # and no group of pages computed
    assert_same(assembled, build(repo, tmp_path / "clean", False))


def test_tampered_entry_is_not_trusted(repo: Path, tmp_path: Path) -> None:  # noqa: F811
    folders = [agency_cache(repo, tmp_path, code) for code in AGENCIES]
    meta = json.loads((repo / folders[1] / "index.json").read_bytes())
    sha = next(files for files in meta["pages"].values() if "yanshi/index.html" in files)["yanshi/index.html"]
    blob = repo / folders[1] / "blobs" / sha[:2] / sha
    blob.write_bytes(blob.read_bytes().replace(b"<", b"[", 1))
    done = merge(repo, *folders)
    assert "未采用" in done.stderr
    assert not (repo / CACHE / "blobs" / sha[:2] / sha).exists()

    assembled = build(repo, tmp_path / "assembled", True)
    rendered = set(index(repo)["rendered"])
    assert "yanshi/index.html" in rendered and all(p.startswith("yanshi/") for p in rendered)
    assert_same(assembled, build(repo, tmp_path / "clean", False))


def test_merge_drops_conflicting_and_unbacked_entries(tmp_path: Path) -> None:
    """Two caches that store one key with different files: neither is trusted, nor a group naming
    it; an entry whose blob is missing is dropped; the rest is the union, whatever the order."""
    from ssjpub.site.sitecache import SiteCache, merge as merge_caches

    def cache(name: str, pages: dict[str, bytes], groups: dict[str, list[str]]) -> Path:
        c = SiteCache(tmp_path / name)
        for key, data in pages.items():
            c.keep(key, f"{key}.html", {f"{key}.html": c.put(data)})
        for gkey, keys in groups.items():
            c.keep_group(gkey, [{"key": k} for k in keys])
        c.save()
        return c.folder

    one = cache("one", {"a": b"A", "same": b"S", "clash": b"1"}, {"g1": ["a", "same"], "g2": ["clash"]})
    two = cache("two", {"b": b"B", "same": b"S", "clash": b"2", "lost": b"L"}, {"g3": ["b", "lost"]})
    lost = SiteCache(two).index["lost"]["lost.html"]
    SiteCache(two).blob(lost).unlink()
    assert merge_caches(tmp_path / "ab", [one, two]) == ["group g2", "group g3", "page clash", "page lost"]
    merge_caches(tmp_path / "ba", [two, one])
    assert (tmp_path / "ab/index.json").read_bytes() == (tmp_path / "ba/index.json").read_bytes()
    merged = SiteCache(tmp_path / "ab")
    assert sorted(merged.index) == ["a", "b", "same"] and sorted(merged.groups) == ["g1"]
    out = tmp_path / "out"
    assert merged.restore("b", out) and (out / "b.html").read_bytes() == b"B"


def test_merge_of_a_folder_that_is_no_cache_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = subprocess.run([sys.executable, "-m", "ssjpub.site.sitecache", "merge", str(tmp_path / "out"),
                           str(tmp_path / "empty")], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{tmp_path / 'empty'}:1:1: missing-cache 不是站点缓存目录" in done.stderr
    assert not (tmp_path / "out").exists()  # nothing written


def run_merge(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssjpub.site.sitecache", *map(str, args)],
                          capture_output=True, text=True)


def test_merge_refuses_what_it_could_not_do(tmp_path: Path) -> None:
    """A torn index, a target that is a source or holds files, a target that cannot be written:
    each a positioned problem, all in one run, exit 1, nothing written — never "已合并"."""
    from ssjpub.site.sitecache import SiteCache

    good = SiteCache(tmp_path / "good")
    good.keep("a", "a.html", {"a.html": good.put(b"A")})
    good.save()
    good = good.folder
    torn = tmp_path / "torn"
    torn.mkdir()
    (torn / "index.json").write_text("[]", encoding="utf-8")
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("x", encoding="utf-8")

    done = run_merge("merge", full, good, torn)
    assert done.returncode == 1 and "已合并" not in done.stdout and "Traceback" not in done.stderr
    assert f"{torn / 'index.json'}:1:1: bad-cache " in done.stderr
    assert f"{full}:1:1: target-not-empty " in done.stderr and "missing-cache" not in done.stderr
    assert sorted(p.name for p in full.iterdir()) == ["x"]

    done = run_merge("merge", good, good)
    assert done.returncode == 1 and f"{good}:1:1: target-is-source " in done.stderr

    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    done = run_merge("merge", blocker / "cache", good)
    assert done.returncode == 1 and f"{blocker / 'cache'}:1:1: cannot-write " in done.stderr

    done = run_merge("merge", "--help")
    assert done.returncode == 0 and "目标目录须不存在或为空" in done.stdout


def test_a_cache_only_build_without_a_cache_is_refused(tmp_path: Path) -> None:
    from test_links import pelican
    from test_site_cache import ROOT

    out = tmp_path / "output"
    done = pelican(ROOT, out, 'SSJPUB_CACHE_ONLY=["baofeng"]', "SSJPUB_CACHE=null")
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert re.search(r"pelicanconf\.py:\d+:1: invalid-value 设置 SSJPUB_CACHE_ONLY 只把页面生成到网站缓存，"
                     r"需要同时设置 SSJPUB_CACHE", log), log
    assert "Traceback" not in log and not (out / "index.html").exists()
    done = pelican(ROOT, out, 'SSJPUB_CACHE_ONLY=["nowhere"]')
    assert done.returncode == 1 and "设置 SSJPUB_CACHE_ONLY 无效：没有机关 nowhere" in done.stdout + done.stderr


def test_a_cache_made_in_another_checkout_is_used(repo: Path, tmp_path: Path) -> None:  # noqa: F811
    """CI's jobs may check the repository out at different paths: the keys hold no absolute path."""
    elsewhere = tmp_path / "elsewhere" / "repo"
    shutil.copytree(repo, elsewhere, symlinks=True)
    folders = [elsewhere / agency_cache(elsewhere, tmp_path / "elsewhere", code) for code in AGENCIES]
    merge(repo, *map(str, folders))
    assembled = build(repo, tmp_path / "assembled", True)
    assert index(repo)["rendered"] == []
    assert_same(assembled, build(repo, tmp_path / "clean", False))
