"""Pagefind's bundle made the same bytes for the same pages (ssjpub.site.pagefind_bundle), without
Pelican: a handful of HTML pages with filters, indexed by the real Pagefind twice. The search
itself runs on the rewritten demo bundle in Chromium (tests/test_search.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cbor2
import pytest
from hypothesis import given, strategies as st

from ssjpub.site import pagefind_bundle as B
from ssjpub.site.search_index import settle as settle_search_index

FILTERS = {"类别": ["任务", "计划", "名录", "企业档案", "结果", "其他"],
           "机关": ["宝丰县人社局", "偃师区人社局", "示例一局", "示例二局", "示例三局"],
           "年度": [str(y) for y in range(2018, 2026)]}


def _site(root: Path) -> Path:
    """Twenty pages, each with one value of every filter (a year page has two years)."""
    for i in range(20):
        tags = [f'<span data-pagefind-filter="{name}">{values[(i * (k + 1)) % len(values)]}</span>'
                for k, (name, values) in enumerate(FILTERS.items())]
        if i % 4 == 0:
            tags.append(f'<span data-pagefind-filter="年度">{2018 + (i + 3) % 8}</span>')
        page = root / f"p{i:02d}/index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<!doctype html><html lang="zh-cn"><head><title>页{i}</title></head><body>'
                        f'<main data-pagefind-body><h1>示例页面{i}</h1><p>检查对象第{i}号。</p>{"".join(tags)}'
                        "</main></body></html>", encoding="utf-8")
    return root


def _pagefind(site: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--silent"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return site / "pagefind"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """Two runs of Pagefind on the same pages: (as Pagefind wrote them, after the step) each."""
    site = _site(tmp_path_factory.mktemp("tiny") / "site")
    out = []
    for run in ("one", "two"):
        copy = tmp_path_factory.mktemp(run) / "site"
        shutil.copytree(site, copy)
        bundle = _pagefind(copy)
        raw = tmp_path_factory.mktemp(run + "-raw") / "pagefind"
        shutil.copytree(bundle, raw)
        B.drop_unused(bundle)
        B.canonicalise(bundle)
        out.append((raw, bundle))
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _decode(path: Path):
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(B.SIGNATURE)
    return raw[len(B.SIGNATURE):]


def _meta(bundle: Path) -> tuple[str, list]:
    entry = json.loads((bundle / B.ENTRY).read_text(encoding="utf-8"))
    [(lang, info)] = entry["languages"].items()
    return lang, cbor2.loads(_decode(bundle / f"pagefind.{info['hash']}.pf_meta"))


def _content(bundle: Path) -> dict:
    """What the browser reads: filter → value → the multiset of its pages; and the rest of the
    metadata, with the filters' file names left out."""
    lang, meta = _meta(bundle)
    filters = {}
    for name, hash_ in meta[3]:
        index = cbor2.loads(_decode(bundle / f"filter/{hash_}.pf_filter"))
        assert index[0] == name
        filters[name] = {value: Counter(pages) for value, pages in index[1]}
    return {"lang": lang, "filters": filters, "meta": meta[:3] + meta[4:]}


def test_two_runs_give_the_same_bytes_after_the_step(bundles):
    (_, one), (_, two) = bundles
    assert _files(one) == _files(two)


def test_the_step_keeps_what_pagefind_wrote_and_drops_the_unused_interfaces(bundles):
    for raw, done in bundles:
        assert _content(done) == _content(raw)
        raw_files, done_files = _files(raw), _files(done)
        for rel, data in raw_files.items():  # the word index and the fragments stay as written
            if rel.startswith(("index/", "fragment/")) or rel in ("pagefind.js", "pagefind-worker.js"):
                assert done_files[rel] == data, rel
        assert {"pagefind-ui.js", "pagefind-ui.css", "pagefind-highlight.js"} <= raw_files.keys()
        assert not any(rel in B.UNUSED for rel in done_files)
        assert {"pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind", B.ENTRY} <= done_files.keys()


def test_filter_values_and_pages_are_sorted_and_match_the_pages_fragments(bundles):
    _, done = bundles[0]
    _, meta = _meta(done)
    fragments = [json.loads(_decode(done / f"fragment/{h}.pf_fragment")) for h, _count in meta[1]]
    assert [name for name, _ in meta[3]] == sorted(FILTERS)
    for name, hash_ in meta[3]:
        values = cbor2.loads(_decode(done / f"filter/{hash_}.pf_filter"))[1]
        assert [v for v, _ in values] == sorted(v for v, _ in values)
        for value, pages in values:
            assert pages == sorted(pages)
            # Page n is the metadata's n-th page: its fragment carries the value.
            assert pages == [n for n, f in enumerate(fragments) if value in f["filters"].get(name, [])]


def test_files_are_named_by_their_content_as_pagefind_names_them(bundles):
    _, done = bundles[0]
    lang, meta = _meta(done)

    def digest(data: bytes) -> str:
        return "".join(format(b, "x") for b in hashlib.sha1(data).digest())

    for _name, hash_ in meta[3]:
        assert hash_ == f"{lang}_{digest(_decode(done / f'filter/{hash_}.pf_filter'))}"[: len(lang) + 8]
    assert sorted(p.stem for p in (done / "filter").iterdir()) == sorted(h for _, h in meta[3])
    [meta_file] = done.glob("*.pf_meta")
    assert meta_file.name == f"pagefind.{lang}_{digest(_decode(meta_file))[: len(lang) + 8]}.pf_meta"
    # Pagefind's own gzip header: no name, no time; the entry still as serde_json writes it.
    assert meta_file.read_bytes()[:10] == bytes.fromhex("1f8b08000000000002ff")
    entry = (done / B.ENTRY).read_text(encoding="utf-8")
    assert entry == json.dumps(json.loads(entry), ensure_ascii=False, separators=(",", ":"))


def test_a_bundle_it_does_not_know_is_refused_before_anything_changes(bundles, tmp_path):
    raw, _ = bundles[0]
    bundle = shutil.copytree(raw, tmp_path / "pagefind")
    victim = sorted((bundle / "filter").iterdir())[-1]
    victim.write_bytes(gzip.compress(B.SIGNATURE + cbor2.dumps(["类别", [["任务", ["不是页码"]]]])))
    before = _files(bundle)
    with pytest.raises(B.UnknownBundle, match=victim.name):
        B.canonicalise(bundle)
    assert _files(bundle) == before
    victim.write_bytes(b"not gzip")
    with pytest.raises(B.UnknownBundle, match=victim.name):
        B.canonicalise(bundle)
    assert _files(bundle) == {**before, f"filter/{victim.name}": b"not gzip"}


def test_the_build_publishes_no_index_rather_than_one_it_could_not_settle(bundles, tmp_path, caplog):
    raw, done = bundles[0]
    good = shutil.copytree(raw, tmp_path / "good")
    settle_search_index(good)
    assert _files(good) == _files(done) and not caplog.records
    bad = shutil.copytree(raw, tmp_path / "bad")
    victim = sorted((bad / "filter").iterdir())[0]
    victim.write_bytes(gzip.compress(b"no signature"))
    settle_search_index(bad)
    assert not bad.exists()
    [record] = caplog.records
    assert record.levelname == "WARNING" and "搜索索引未生成" in record.getMessage() and victim.name in record.getMessage()


values = st.dictionaries(st.text(min_size=1, max_size=4), st.lists(st.integers(0, 50), max_size=6), max_size=8)


@given(values, st.randoms(use_true_random=False))
def test_a_filter_encodes_the_same_whatever_the_order_and_keeps_every_page(values, rnd):
    pairs = [[v, list(pages)] for v, pages in values.items()]
    shuffled = [[v, rnd.sample(pages, len(pages))] for v, pages in rnd.sample(pairs, len(pairs))]
    data = B._canonical_filter(["f", shuffled], "f", Path("f.pf_filter"))
    assert data == B._canonical_filter(["f", pairs], "f", Path("f.pf_filter"))
    name, decoded = cbor2.loads(data)
    assert name == "f"
    assert {v: Counter(p) for v, p in decoded} == {v: Counter(p) for v, p in values.items()}
