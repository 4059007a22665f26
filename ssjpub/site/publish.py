"""What the build writes besides pages, and how it lands in ``output/``: the Atom feed, the sitemap,
``manifest.json``, and the staging folder that is swapped in only when the build succeeded.

Plain functions of plain values: no clock, no Pelican. Dates come from the data (announcements) or
from git (the commit that last changed a page's sources).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

from ssjpub.site.pages import Announcement

# Dates are days; the feed states them as midnight in Beijing time (the data's own calendar).
TZ = "+08:00"
_NAMESPACE = uuid.UUID("8f6b2f4e-5a52-4f0e-9a4c-7d3f1f0c2a11")  # fixed: ids never change


def entry_id(key: str) -> str:
    """A permanent, location-independent id (the site may move; a feed entry must not change)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00{TZ}"


def _abs(siteurl: str, url: str) -> str:
    return f"{siteurl}/{url}" if siteurl else url


def atom_feed(items: list[Announcement], title: str, siteurl: str, feed_url: str, key: str) -> bytes:
    """An Atom 1.0 feed (RFC 4287). With a relative site (a preview) the links are relative to the
    feed, which sits at the site's root."""
    updated = max((a.day for a in items), default=date(2000, 1, 1))
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<title>{escape(title)}</title>",
        f"<subtitle>{escape('抽查工作计划、随机抽取结果和检查结果的公示')}</subtitle>",
        f"<id>{entry_id(key)}</id>",
        f"<updated>{_stamp(updated)}</updated>",
        f"<link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(_abs(siteurl, feed_url))}/>",
        f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(_abs(siteurl, '') or './')}/>",
        f"<author><name>{escape(title)}</name></author>",
    ]
    for a in items:
        out += [
            "<entry>",
            f"<title>{escape(a.title)}</title>",
            f"<id>{entry_id(a.key)}</id>",
            f"<updated>{_stamp(a.day)}</updated>",
            f"<published>{_stamp(a.day)}</published>",
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(_abs(siteurl, a.url) or './')}/>",
            f"<category term={quoteattr(a.kind)}/>",
            f"<summary>{escape(a.summary)}</summary>",
            "</entry>",
        ]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str  # site-relative
    lastmod: date | None


def sitemap_xml(entries: Iterable[SitemapEntry], siteurl: str) -> bytes:
    """sitemaps.org 0.9; ``siteurl`` must be absolute (a sitemap holds full URLs)."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for e in sorted(entries, key=lambda e: e.url):
        lastmod = f"<lastmod>{e.lastmod.isoformat()}</lastmod>" if e.lastmod else ""
        out.append(f"<url><loc>{escape(_abs(siteurl, e.url))}</loc>{lastmod}</url>")
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")


def robots_txt(sitemap: str | None) -> bytes:
    """RFC 9309: every crawler may read every page; the sitemap's full URL when there is one (a
    sitemap needs an absolute SITEURL). Crawlers read it at the host's root only."""
    lines = ["User-agent: *", "Allow: /"] + ([f"Sitemap: {sitemap}"] if sitemap else [])
    return ("\n".join(lines) + "\n").encode("utf-8")


def is_absolute(siteurl: str) -> bool:
    return siteurl.startswith(("http://", "https://"))


# --- manifest.json ----------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


MANIFEST_FORMAT = "ssjpub-manifest/3"


@dataclass(frozen=True, slots=True)
class Stamp:
    """A file as it was written: its digest, and its size and modification time then. A file on
    disk with the same size and time is that file; one rewritten since has another time."""

    sha256: str
    bytes: int
    mtime_ns: int


def stamp(path: Path, sha256: str, size: int) -> Stamp | None:
    """`path` just written with bytes of that digest and size; None if it is not there or not
    those bytes' size (then manifest.json reads it)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return Stamp(sha256, size, st.st_mtime_ns) if st.st_size == size else None


def tree_files(folder: Path) -> list[str]:
    """Every file under `folder` (not following links), as sorted posix paths relative to it: one
    walk, which the end of a build shares (pathlib's rglob took a third of a second each time)."""
    out = []
    base = len(str(folder)) + 1
    for top, dirs, names in os.walk(folder):
        rel = top[base:].replace(os.sep, "/")
        out += [f"{rel}/{n}" if rel else n for n in names]
    return sorted(out)


def manifest(
    output: Path, build_commit: str, sources: dict[str, list[dict]], exclude: Iterable[str] = (),
    known: dict[str, Stamp] | None = None, files_in: list[str] | None = None,
) -> bytes:
    """Every file under ``output`` (posix paths, sorted) with its SHA-256, its size and the source
    files it was built from, each fact once:

        {"format": "ssjpub-manifest/3", "build_commit": "<sha>",
         "sources": [["plans/…/plan.yaml", "<commit that last changed it>"], …],   (by path)
         "inputs": [[0, 4, 9], …],        (each distinct set of sources, as indexes into "sources")
         "files": {"baofeng/index.html": ["<sha256>", <bytes>, <index into "inputs">], …}}

    A source feeds many files and a page's set of sources its every download: listing them with
    each file made a city's manifest 185 MiB, and the county's 8.3 MiB with one set a file. No
    indentation; one entry a line, so that a diff between two builds still reads line by line.
    ``read_manifest`` reads it back. A file in `known` with that stamp's size and time is not
    read again: the stamp's digest is its bytes'. `files_in`: ``tree_files(output)`` if known."""
    skip = set(exclude)
    commits: dict[str, str] = {}
    files: list[tuple[str, str, int, tuple[str, ...]]] = []
    for rel in tree_files(output) if files_in is None else files_in:
        if rel in skip:
            continue
        path = output / rel
        srcs = sources.get(rel, [])
        for src in srcs:
            commits[src["path"]] = src["commit"]
        st = path.stat()
        mark = (known or {}).get(rel)
        sha = mark.sha256 if mark and (mark.bytes, mark.mtime_ns) == (st.st_size, st.st_mtime_ns) else file_sha256(path)
        files.append((rel, sha, st.st_size, tuple(sorted({s["path"] for s in srcs}))))
    order = sorted(commits)
    number = {p: i for i, p in enumerate(order)}
    sets: dict[tuple[str, ...], int] = {}
    for *_, srcs in files:
        sets.setdefault(srcs, len(sets))

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    head = dump({"format": MANIFEST_FORMAT, "build_commit": build_commit})[:-1]
    parts = [
        head + ',"sources":[',
        ",\n".join(dump([p, commits[p]]) for p in order),
        '],"inputs":[',
        ",\n".join(dump([number[p] for p in srcs]) for srcs in sets),
        '],"files":{',
        ",\n".join(f"{dump(rel)}:{dump([sha, size, sets[srcs]])}" for rel, sha, size, srcs in files),
        "}}\n",
    ]
    return "\n".join(parts).encode("utf-8")


@dataclass(frozen=True, slots=True)
class ManifestFile:
    sha256: str
    bytes: int
    sources: tuple[str, ...]  # repository paths


def read_manifest(data: bytes) -> tuple[str, dict[str, str], dict[str, ManifestFile]]:
    """``manifest.json`` → (build commit, source path → its commit, output path → its entry)."""
    doc = json.loads(data)
    if doc.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"not {MANIFEST_FORMAT}: {doc.get('format')!r}")
    paths = [p for p, _ in doc["sources"]]
    sets = [tuple(paths[i] for i in s) for s in doc["inputs"]]
    files = {rel: ManifestFile(sha, size, sets[k]) for rel, (sha, size, k) in doc["files"].items()}
    return doc["build_commit"], dict(doc["sources"]), files


# --- the staging folder ------------------------------------------------------------------------


def staging_path(final: Path) -> Path:
    """Beside the output folder (same file system, so the swap is two renames)."""
    return final.parent / f".{final.name}.building"


def start_staging(final: Path) -> Path:
    staging = staging_path(final)
    if staging.exists():
        shutil.rmtree(staging)
    return staging


def swap_into(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging``: the old output is moved aside, the new one renamed in, the
    old one removed. ``final`` is never a half-written site."""
    old = final.parent / f".{final.name}.previous"
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old)
