"""The site's full-text search index: each agency's pages in a few Pagefind bundles of a bounded
size, merged in the browser (issue 16 item 3).

Pagefind holds every page of a bundle in memory until it writes the bundle (5.3 GiB for a whole
city site, 2.8 GiB for one city agency of 9,791 pages), about 25 times the HTML it indexes, so no
bundle holds more than ``PAGES`` pages or ``BYTES`` of HTML. An agency's pages (every HTML file
under ``<code>/``, whatever kinds of page there are) are grouped by their first folder
(``enterprises/``, each year, ``targets/``, …; the agency's own pages together), the groups taken
in sorted order and packed into bundles within both limits; a group over them is cut, by sorted
path, into as few chunks as fit (the enterprise archive at county and city scale). The bundles
are ``<code>/pagefind/1/``, ``2/``, … with the agency's folder as their site (result URLs
relative to it). The pages outside every agency (home, results, verify, content pages) go into
``pagefind/``, whose ``pagefind.js`` the search page loads and whose instance merges all the
others (Pagefind's ``mergeIndex``). The bundles are built one after another: the peak is that of
the largest bundle, not of an agency or the site.

The list of bundles is data: the search page is rendered with its agencies (``data-bundles``,
ssjpub.site.pages.search) and, once the bundles are known, rewritten here to list every bundle
of each agency, with the folder its URLs are relative to (the search page itself is not indexed).

Each bundle is settled to the same bytes for the same pages (ssjpub.site.pagefind_bundle) and, when
a cache folder is given, stored under the SHA-256 of the pages it indexes (their paths and
digests), its folder, Pagefind's version and ssjpub's code: a bundle whose pages did not change is
copied back, every byte checked against the digests stored with it (ssjpub.site.sitecache's
entries), instead of being indexed again.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from itertools import groupby
from pathlib import Path
from typing import Iterable

from jinja2.utils import htmlsafe_json_dumps

from ssjpub.draw.verifycache import code_version
from ssjpub.site import pagefind_bundle, sitecache, urls

logger = logging.getLogger(__name__)

FORMAT = "ssjpub-search-index/2"
BUNDLE = "pagefind"  # the bundles' folder, inside the folder they index
SITE = "_site"  # the cache's name for the pages outside every agency (no agency code starts with "_")
# The most pages and HTML bytes in one bundle. Pagefind's peak is about 25 times the HTML it
# indexes, ~0.1 GiB at least (docs/scale.md 第四节第 2 条: 2,363 enterprise records of 24.8 MiB
# 618 MiB, 222 task and plan pages of 16.4 MiB 414 MiB): 40 MiB stays near 1 GiB, under the
# 1.5 GiB goal with a margin; the page count bounds the per-page part for small pages.
PAGES = 2_500
BYTES = 40 * 1024 * 1024
TIMEOUT = 600  # seconds for one bundle
REUSED = "%s的搜索索引：页面未变，从缓存复制"
# What Pagefind ships as: the wrapper and the binary it runs (extended: it segments Chinese).
_DISTRIBUTIONS = ("pagefind", "pagefind_bin_extended", "pagefind_bin")
_LIST = re.compile(r"data-bundles='([^']*)'")  # the search page's list (tojson escapes ')


@dataclass(frozen=True)
class Bundle:
    """One Pagefind bundle: `pages` (relative to `folder`, sorted) into ``folder/out``."""

    name: str  # in the cache and the log: the agency's code and the bundle's number, or SITE
    folder: Path
    out: str  # relative to folder
    pages: tuple[str, ...]


def index_site(site: Path, agencies: Iterable[str], cache: sitecache.SiteCache | None = None,
               pages: int = PAGES, size: int = BYTES) -> list[str]:
    """Index `site`: every agency folder of `agencies` into bundles of at most `pages` pages and
    `size` bytes of HTML (agency_bundles), the
    rest of the site into ``pagefind/``; list the agencies' bundles on the search page. Returns
    every bundle file written (relative to `site`, sorted). A bundle that cannot be built is left
    out with a warning and stays on the list: the search page says which agency's is missing."""
    codes = sorted(c for c in set(agencies) if (site / c).is_dir())
    shutil.rmtree(site / BUNDLE, ignore_errors=True)  # never a bundle left from another build
    plan: dict[str, list[Bundle]] = {}
    for code in codes:
        shutil.rmtree(site / code / BUNDLE, ignore_errors=True)
        plan[code] = agency_bundles(site / code, code, pages, size)
        for bundle in plan[code]:
            _build(bundle, cache)
    list_bundles(site, plan)  # before the rest is indexed: the list is part of no bundle, but the key covers every page
    _build(Bundle(SITE, site, BUNDLE, tuple(html_pages(site, frozenset(codes)))), cache)
    if cache is not None:
        cache.save()  # the entries of this build; the rest is removed
    written = []
    for folder in [site / BUNDLE, *(site / c / BUNDLE for c in codes)]:
        written += [p.relative_to(site).as_posix() for p in folder.rglob("*") if p.is_file()]
    return sorted(written)


def html_pages(folder: Path, skip: frozenset[str] = frozenset()) -> list[str]:
    """Every HTML page under `folder` but in its subfolders `skip` and the bundles, relative and sorted."""
    skip = skip | {BUNDLE}
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name not in skip:
            found += [p.relative_to(folder).as_posix() for p in entry.rglob("*.html") if p.is_file()]
        elif entry.is_file() and entry.suffix == ".html":
            found.append(entry.name)
    return sorted(found)


def split(sizes: dict[str, int], pages: int = PAGES, size: int = BYTES) -> list[list[str]]:
    """The pages of `sizes` (path → bytes) in bundles of at most `pages` pages and `size` bytes
    (a page larger than that alone): grouped by first folder (the pages at the top together,
    first), the groups packed in sorted order, a group over either limit cut by sorted path into
    as few chunks as fit, which are not packed with other groups (a change in the group does not
    move its neighbours' bundles)."""
    out: list[list[str]] = []
    current: list[str] = []
    held = 0
    for _, group in groupby(sorted(sizes, key=lambda p: (_first(p), p)), key=_first):
        unit = list(group)
        total = sum(sizes[p] for p in unit)
        if current and (len(current) + len(unit) > pages or held + total > size):
            out.append(current)
            current, held = [], 0
        if len(unit) <= pages and total <= size:
            current += unit
            held += total
            continue
        chunk: list[str] = []
        taken = 0
        for p in unit:
            if chunk and (len(chunk) == pages or taken + sizes[p] > size):
                out.append(chunk)
                chunk, taken = [], 0
            chunk.append(p)
            taken += sizes[p]
        out.append(chunk)
    return out + [current] if current else out


def _first(page: str) -> str:
    return page.split("/")[0] if "/" in page else ""


def agency_bundles(folder: Path, code: str, pages: int = PAGES, size: int = BYTES) -> list[Bundle]:
    """The bundles of an agency's folder: its pages split (split) and numbered from 1."""
    sizes = {rel: (folder / rel).stat().st_size for rel in html_pages(folder)}
    chunks = split(sizes, max(1, pages), max(1, size))
    return [Bundle(f"{code}/{n}", folder, f"{BUNDLE}/{n}", tuple(chunk)) for n, chunk in enumerate(chunks, 1)]


def list_bundles(site: Path, plan: dict[str, list[Bundle]]) -> None:
    """Rewrite the search page's list (rendered as one entry per agency, with its name) to one
    entry per bundle of each agency: its URL and the folder its result URLs are relative to."""
    page = site / urls.SEARCH / "index.html"
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return  # a site without a search page (the tests' small sites)
    found = _LIST.search(text)
    if not found:
        return
    names: dict[str, str] = {}
    for entry in json.loads(html.unescape(found.group(1))):
        names.setdefault(entry["agency"], entry["name"])  # rendered, or rewritten by an earlier run
    listed = [{"agency": code, "name": names[code], "url": f"{code}/{b.out}/", "base": f"{code}/"}
              for code in sorted(plan) if code in names for b in plan[code]]
    value = htmlsafe_json_dumps(listed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    page.write_text(text[:found.start(1)] + str(value) + text[found.end(1):], encoding="utf-8")


def _build(bundle: Bundle, cache: sitecache.SiteCache | None) -> None:
    """`bundle`, from the cache when it holds the bundle of exactly these pages."""
    key = cache_key(bundle) if cache is not None else ""
    # The pages indexed are the finished ones (no placeholders left): a bundle is restored as stored.
    if cache is not None and cache.restore(key, bundle.folder):
        logger.info(REUSED, bundle.name)
        return
    out = bundle.folder / bundle.out
    if not _pagefind(bundle):
        return
    settle(out, merged=bundle.name != SITE)
    if cache is not None and out.is_dir():
        files = {p.relative_to(bundle.folder).as_posix(): cache.put(p.read_bytes())
                 for p in sorted(out.rglob("*")) if p.is_file()}
        cache.keep(key, bundle.name, files)


def cache_key(bundle: Bundle) -> str:
    """The cache entry of `bundle`: its pages' key (bundle_key) under its name and folder."""
    return hashlib.sha256(f"{bundle.name}\0{bundle.out}\0{bundle_key(bundle)}".encode("utf-8")).hexdigest()


def bundle_key(bundle: Bundle) -> str:
    """The SHA-256 of everything a bundle is made from: the path and digest of each page Pagefind
    indexes, Pagefind's version and ssjpub's code (which settles the bundle)."""
    pages = {rel: hashlib.sha256((bundle.folder / rel).read_bytes()).hexdigest() for rel in bundle.pages}
    text = json.dumps({"format": FORMAT, "pagefind": _pagefind_version(), "code": code_version(), "pages": pages},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _glob(pages: tuple[str, ...]) -> str:
    """Pagefind's glob for exactly `pages`."""
    return "{" + ",".join(_escape(p) for p in pages) + "}" if pages else "index.html"


def _escape(name: str) -> str:
    # Pagefind's globs (the wax crate): a backslash makes a metacharacter literal.
    return "".join(f"\\{c}" if c in "*?[]{}(),<>:$" else c for c in name)


def _pagefind_version() -> str:
    found = []
    for dist in _DISTRIBUTIONS:
        try:
            found.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return ",".join(found)


def _pagefind(bundle: Bundle) -> bool:
    """Pagefind's extended build (pip package ``pagefind[extended]``) over `bundle`'s pages. The
    glob names every page, so it goes in Pagefind's configuration file (an argument is limited to
    128 KiB), in a folder of its own that is the command's working folder."""
    what = "本站跨机关页面" if bundle.name == SITE else f"机关“{bundle.name.split('/')[0]}”（第 {bundle.name.split('/')[-1]} 个索引）"
    try:
        with tempfile.TemporaryDirectory(prefix="ssjpub-pagefind-") as work:
            (Path(work) / "pagefind.json").write_text(json.dumps({"glob": _glob(bundle.pages)}), encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-m", "pagefind", "--site", str(bundle.folder.resolve()),
                 "--output-subdir", bundle.out, "--silent"],
                capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=work,
            )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("%s的搜索索引未生成：无法运行 pagefind（%s）", what, exc)
        shutil.rmtree(bundle.folder / bundle.out, ignore_errors=True)
        return False
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        logger.warning("%s的搜索索引未生成：pagefind 出错（%s）。请运行 pip install 'pagefind[extended]'。",
                       what, detail[-1] if detail else done.returncode)
        shutil.rmtree(bundle.folder / bundle.out, ignore_errors=True)
        return False
    return True


def settle(bundle: Path, merged: bool = False) -> None:
    """Pagefind's bundle without the files the site does not use (a `merged` one: nor the search's
    code, the site's bundle runs it), rewritten to the same bytes for the same pages; none at all
    when it cannot be (an index that differed from build to build would break "same commit, same site")."""
    pagefind_bundle.drop_unused(bundle, merged)
    try:
        pagefind_bundle.canonicalise(bundle)
    except pagefind_bundle.UnknownBundle as exc:
        shutil.rmtree(bundle, ignore_errors=True)
        logger.warning("搜索索引未生成：无法整理 pagefind 的输出（%s）。请安装 pyproject.toml 写明的 pagefind 版本。", exc)


def main(argv: list[str] | None = None) -> int:
    """``python -m ssjpub.site.search_index [--pages N] SITE [AGENCY …]``: index a built site as
    the build does (bench/run.py measures it so), without a cache; at most N pages a bundle."""
    args = sys.argv[1:] if argv is None else list(argv)
    limit = PAGES
    if args[:1] == ["--pages"] and len(args) > 1 and args[1].isdigit() and int(args[1]) > 0:
        limit, args = int(args[1]), args[2:]
    if not args or args[0].startswith("-"):
        print("用法：python -m ssjpub.site.search_index [--pages 每个索引的最多页数] 网站目录 [机关代码 …]", file=sys.stderr)
        return 2
    logging.basicConfig(format="%(levelname)s: %(message)s")
    written = index_site(Path(args[0]), args[1:], pages=limit)
    print(json.dumps({"files": len(written)}))
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
