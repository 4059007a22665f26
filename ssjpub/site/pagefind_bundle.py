"""Pagefind's bundle as the site publishes it: the same bytes for the same pages, and only the
files the search page uses.

Pagefind 1.5 writes the values of each filter (``filter/*.pf_filter``) and the list of filters in
the metadata (``pagefind.*.pf_meta``) in hash-map order, which changes from run to run (Pagefind
issue #638); the files are named by a hash of their content, so the names change too, and with
them the metadata's name in ``pagefind-entry.json``. Both lists are order-free for the browser:
it reads the filter names and each filter's values into hash maps and each value's pages into a
bit set (``pagefind_web``'s ``decode_filter_index_chunk``/``filter``), counting a value's pages by
the list's length. ``canonicalise`` sorts them and re-encodes, named as Pagefind names its files;
the browser fetches by name and checks no hash.

A Pagefind file is gzip of the signature ``pagefind_dcd`` followed by CBOR (``minicbor``: definite
lengths, shortest integers, which is also what ``cbor2`` writes). The word index and the fragments
come out the same every run and are left as Pagefind wrote them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
# Pagefind's ready-made interfaces and its highlighter: the theme's search.js uses the JS API
# (pagefind.js, which loads pagefind-worker.js and the wasm) and links none of these.
UNUSED = (
    "pagefind-ui.js", "pagefind-ui.css",
    "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
_FILTERS = 3  # MetaIndex: version, pages, index_chunks, filters, sorts, meta_fields (1.5)


class UnknownBundle(ValueError):
    """The bundle is not laid out as Pagefind 1.x writes it; the message says where."""


# What runs the search, fetched from the bundle the page loads only: a bundle merged into it
# (mergeIndex) gets its entry, metadata, index, filters and fragments, and the first one's wasm.
RUNTIME = ("pagefind.js", "pagefind-worker.js", "wasm.*.pagefind")


def drop_unused(bundle: Path, merged: bool = False) -> None:
    """Drop what the site does not fetch from `bundle`: Pagefind's ready-made interfaces and, for a
    bundle only merged into another (`merged`), the search's own code."""
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    if merged:
        for pattern in RUNTIME:
            for path in bundle.glob(pattern):
                path.unlink()


def canonicalise(bundle: Path) -> None:
    """Rewrite the filter indexes and metadata of every language canonically, renamed by their
    content, and point pagefind-entry.json at them. Everything is decoded and checked before any
    file changes; raises UnknownBundle (nothing written) when a file is not what Pagefind 1.x writes."""
    entry_path = bundle / ENTRY
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        languages = entry["languages"]
        hashes = {lang: str(languages[lang]["hash"]) for lang in sorted(languages)}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UnknownBundle(f"{ENTRY}: {exc}") from exc
    plans = [_plan(bundle, lang, meta_hash) for lang, meta_hash in hashes.items()]
    for plan in plans:
        plan.write(bundle)
        languages[plan.lang]["hash"] = plan.meta_hash
    # pagefind-entry.json as serde_json writes it: compact, keys in their order, UTF-8.
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


@dataclass
class _Plan:
    """One language's rewrite, computed in full before anything is written."""

    lang: str
    old: list[Path]  # the files Pagefind wrote that the rewrite replaces
    new: dict[str, bytes]  # bundle-relative path → gzipped content
    meta_hash: str

    def write(self, bundle: Path) -> None:
        for path in self.old:
            path.unlink()
        for rel, data in sorted(self.new.items()):
            (bundle / rel).write_bytes(data)


def _plan(bundle: Path, lang: str, meta_hash: str) -> _Plan:
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = _decode(meta_path)
    if not (isinstance(meta, list) and len(meta) > _FILTERS and isinstance(meta[_FILTERS], list)):
        raise UnknownBundle(f"{meta_path.name}: 不是 Pagefind 1.x 的元数据")
    old, new, filters, taken = [meta_path], {}, [], set()
    for item in sorted(meta[_FILTERS], key=_filter_name):
        name, old_hash = item
        path = bundle / "filter" / f"{old_hash}.pf_filter"
        data = _canonical_filter(_decode(path), name, path)
        new_hash = _short_hash(lang, data, len(lang) + 8, taken)
        taken.add(new_hash)
        old.append(path)
        new[f"filter/{new_hash}.pf_filter"] = _encode(data)
        filters.append([name, new_hash])
    meta[_FILTERS] = filters
    data = cbor2.dumps(meta)
    # The metadata's hash is cut at 2 × len(lang) + 9 characters (Pagefind's own arithmetic).
    new_meta_hash = f"{lang}_{_sha1(data)[: len(lang) + 8]}"
    new[f"pagefind.{new_meta_hash}.pf_meta"] = _encode(data)
    return _Plan(lang, old, new, new_meta_hash)


def _filter_name(item: Any) -> str:
    if not (isinstance(item, list) and len(item) == 2 and all(isinstance(s, str) for s in item)):
        raise UnknownBundle(f"元数据中的筛选项不是 [名称, 哈希]：{item!r}")
    return item[0]


def _canonical_filter(index: Any, name: str, path: Path) -> bytes:
    """FilterIndex [name, [[value, [page, …]], …]] with the values sorted (by UTF-8 bytes, as
    Rust orders strings) and each value's pages sorted (kept with any repeats: the count is the
    list's length)."""
    ok = isinstance(index, list) and len(index) == 2 and index[0] == name and isinstance(index[1], list)
    values = index[1] if ok else []
    for v in values:
        ok = ok and isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], list)
        ok = ok and all(isinstance(p, int) and p >= 0 for p in v[1])
    if not ok or len({v[0] for v in values}) != len(values):
        raise UnknownBundle(f"filter/{path.name}: 不是筛选项“{name}”的 Pagefind 1.x 索引")
    return cbor2.dumps([name, sorted([v[0], sorted(v[1])] for v in values)])


def _decode(path: Path) -> Any:
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UnknownBundle(f"{path.name}: {exc}") from exc
    if not raw.startswith(SIGNATURE):
        raise UnknownBundle(f"{path.name}: 缺少 Pagefind 的标记 {SIGNATURE.decode()}")
    try:
        return cbor2.loads(raw[len(SIGNATURE):])
    except cbor2.CBORDecodeError as exc:
        raise UnknownBundle(f"{path.name}: {exc}") from exc


def _encode(data: bytes) -> bytes:
    # Pagefind's own gzip header: no file name, mtime 0, best compression, OS "unknown". A
    # GzipFile writes that on every Python (gzip.compress with mtime=0 lets zlib write OS "Unix").
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(SIGNATURE + data)
    return out.getvalue()


def _sha1(data: bytes) -> str:
    # Pagefind's full_hash: each byte as `{:x?}`, i.e. hex without a leading zero.
    return "".join(format(b, "x") for b in hashlib.sha1(data).digest())


def _short_hash(lang: str, data: bytes, length: int, taken: set[str]) -> str:
    """`lang_` and the first characters of the content's hash, `length` in all; longer while
    another filter of the language has that name (Pagefind too lengthens a colliding name)."""
    full = f"{lang}_{_sha1(data)}"
    short = full[:length]
    while short in taken and len(short) < len(full):
        short = full[: len(short) + 1]
    return short
