"""The site's full-text search index: one Pagefind bundle per agency, merged in the browser
(issue 16 item 3).

Indexing the whole site at once holds every page's text in Pagefind at the same time (5.3 GiB at
city scale). Each agency's pages (``<code>/…``) are indexed on their own into ``<code>/pagefind/``,
with the agency's folder as the site (its result URLs are relative to it, so the folder is a
searchable site by itself), and the pages outside every agency (home, results, verify, content
pages) into ``pagefind/``, whose ``pagefind.js`` the search page loads and whose instance merges
the agencies' bundles (Pagefind's ``mergeIndex``; the list is on the search page, see
ssjpub.site.pages.search). Peak memory is that of the largest agency.

Each bundle is settled to the same bytes for the same pages (ssjpub.site.pagefind_bundle) and, when
a cache folder is given, stored under the SHA-256 of the pages it indexes (their paths and
digests), Pagefind's version and ssjpub's code: an agency whose pages did not change gets its
bundle copied back, every byte checked against the digests stored with it (ssjpub.site.sitecache's
entries), instead of being indexed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Iterable

from ssjpub.draw.verifycache import code_version
from ssjpub.site import pagefind_bundle, sitecache

logger = logging.getLogger(__name__)

FORMAT = "ssjpub-search-index/1"
BUNDLE = "pagefind"  # each bundle's folder, inside the folder it indexes
SITE = "_site"  # the cache's name for the pages outside every agency (no agency code starts with "_")
TIMEOUT = 600  # seconds for one bundle
REUSED = "%s的搜索索引：页面未变，从缓存复制"
# What Pagefind ships as: the wrapper and the binary it runs (extended: it segments Chinese).
_DISTRIBUTIONS = ("pagefind", "pagefind_bin_extended", "pagefind_bin")


def bundle_url(code: str) -> str:
    """An agency's bundle, relative to the site's root."""
    return f"{code}/{BUNDLE}/"


def index_site(site: Path, agencies: Iterable[str], cache: sitecache.SiteCache | None = None) -> list[str]:
    """Index `site`: every agency folder of `agencies` into its own bundle, the rest of the site
    into ``pagefind/``. Returns every bundle file written (relative to `site`, sorted). A bundle
    that cannot be built is left out with a warning; the search page says which agency's is missing."""
    codes = sorted(c for c in set(agencies) if (site / c).is_dir())
    for code in codes:
        _bundle(site / code, code, frozenset(), cache)
    _bundle(site, SITE, frozenset(codes), cache)
    if cache is not None:
        cache.save()  # the entries of this build; the rest is removed
    written = []
    for folder in [site / BUNDLE, *(site / c / BUNDLE for c in codes)]:
        written += [p.relative_to(site).as_posix() for p in folder.rglob("*") if p.is_file()]
    return sorted(written)


def _bundle(folder: Path, name: str, skip: frozenset[str], cache: sitecache.SiteCache | None) -> None:
    """`folder`'s pages but those in its subfolders `skip` into ``folder/pagefind/``, from the
    cache when it holds the bundle of exactly these pages."""
    bundle = folder / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)  # never a bundle left from another build
    skip = skip | {BUNDLE}
    key = cache_key(name, folder, skip) if cache is not None else ""
    # The pages indexed are the finished ones (no placeholders left): a bundle is restored as stored.
    if cache is not None and cache.restore(key, folder):
        logger.info(REUSED, name)
        return
    if not _pagefind(folder, _glob(folder, skip), name):
        return
    settle(bundle)
    if cache is not None and bundle.is_dir():
        files = {p.relative_to(folder).as_posix(): cache.put(p.read_bytes())
                 for p in sorted(bundle.rglob("*")) if p.is_file()}
        cache.keep(key, name, files)


def cache_key(name: str, folder: Path, skip: frozenset[str]) -> str:
    """The cache entry of bundle `name`: its pages' key (bundle_key) under the bundle's name."""
    return hashlib.sha256(f"{name}\0{bundle_key(folder, skip)}".encode("utf-8")).hexdigest()


def _glob(folder: Path, skip: frozenset[str]) -> str:
    """Pagefind's glob for the HTML pages of `folder` outside its subfolders `skip`."""
    parts = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name not in skip:
            parts.append(f"{_escape(entry.name)}/**/*.html")
        elif entry.is_file() and entry.suffix == ".html":
            parts.append(_escape(entry.name))
    return "{" + ",".join(parts) + "}" if parts else "index.html"


def _escape(name: str) -> str:
    # Pagefind's globs (the wax crate): a backslash makes a metacharacter literal.
    return "".join(f"\\{c}" if c in "*?[]{}(),<>:$" else c for c in name)


def bundle_key(folder: Path, skip: frozenset[str]) -> str:
    """The SHA-256 of everything a bundle is made from: the path and digest of each page Pagefind
    indexes (every HTML file under `folder` outside its subfolders `skip`), Pagefind's version and
    ssjpub's code (which settles the bundle)."""
    pages = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name not in skip:
            found = sorted(entry.rglob("*.html"))
        elif entry.is_file() and entry.suffix == ".html":
            found = [entry]
        else:
            continue
        for path in found:
            pages[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    text = json.dumps({"format": FORMAT, "pagefind": _pagefind_version(), "code": code_version(), "pages": pages},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pagefind_version() -> str:
    found = []
    for dist in _DISTRIBUTIONS:
        try:
            found.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return ",".join(found)


def _pagefind(folder: Path, glob: str, name: str) -> bool:
    """Pagefind's extended build (pip package ``pagefind[extended]``) over `folder`'s pages."""
    what = "本站跨机关页面" if name == SITE else f"机关“{name}”"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(folder), "--glob", glob,
             "--output-subdir", BUNDLE, "--silent"],
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("%s的搜索索引未生成：无法运行 pagefind（%s）", what, exc)
        return False
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        logger.warning("%s的搜索索引未生成：pagefind 出错（%s）。请运行 pip install 'pagefind[extended]'。",
                       what, detail[-1] if detail else done.returncode)
        shutil.rmtree(folder / BUNDLE, ignore_errors=True)
        return False
    return True


def settle(bundle: Path) -> None:
    """Pagefind's bundle without the files the site does not use, rewritten to the same bytes for
    the same pages; none at all when it cannot be (an index that differed from build to build
    would break "same commit, same site")."""
    pagefind_bundle.drop_unused(bundle)
    try:
        pagefind_bundle.canonicalise(bundle)
    except pagefind_bundle.UnknownBundle as exc:
        shutil.rmtree(bundle, ignore_errors=True)
        logger.warning("搜索索引未生成：无法整理 pagefind 的输出（%s）。请安装 pyproject.toml 写明的 pagefind 版本。", exc)


def main(argv: list[str] | None = None) -> int:
    """``python -m ssjpub.site.search_index SITE [AGENCY …]``: index a built site as the build does
    (bench/run.py measures it so), without a cache."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("用法：python -m ssjpub.site.search_index 网站目录 [机关代码 …]", file=sys.stderr)
        return 2
    logging.basicConfig(format="%(levelname)s: %(message)s")
    written = index_site(Path(args[0]), args[1:])
    print(json.dumps({"files": len(written)}))
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
