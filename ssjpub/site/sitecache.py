"""The incremental site build's cache: each agency page's rendered files (the page and the data
downloads it is the first to show), stored under a key of everything they are made from, so that a
build renders again only the pages whose data changed (issue 16 item 1).

Two grains. A group of pages (ssjpub.site.groups: an agency's own pages, one year's, one
enterprise record) is keyed by the input files it depends on (``Keys.group``); a group whose key is
stored (``index.json``'s "groups") is not computed at all: its pages are restored by their keys.
The pages of a group that is computed are each keyed by their value, and only those whose key
changed are rendered. A page's key (``Keys.page``) is the SHA-256 of:

- its value, all of it (``value_digest``): whatever the page shows from the data is in it, so no
  list of the files it depends on can be incomplete for the key;
- each file it names as a source and each file its downloads name, as the page shows it (the
  commit that last changed it, that commit's day, its link, a local change);
- the build-wide part (``Keys.__init__``): ssjpub's version and source, Python's version, the
  Pelican settings, every file of the theme and of the content folder, the navigation, and the
  build commit and compliance date *as the pages are rendered with them*.

Build-wide values the pages print, the build commit and the compliance date, are rendered as
``Placeholders`` and stored so: a new commit changes neither the value nor the key of a page whose
data did not change, and the real values are put in when a page is written, rendered or restored.
A download with a placeholder inside (an XLSX is a zip, where bytes cannot be replaced) is written
from the real values and never stored.

Layout of the folder: ``blobs/<sha256>`` (files by the SHA-256 of their stored form, placeholders
included), ``index.json`` (format; per key: output file → blob digest; per group key: its pages;
the pages the last build rendered and the groups it computed) and ``parsed/`` (the loader's
parse cache, ssjpub.loader.parsecache, not cleaned here). Each is written to
a temporary file and renamed. A blob is used only if its bytes have its name's digest, checked when
restored: a page with any file missing or altered is rendered again and stored again; an
unreadable index is an empty one. After a build, entries and blobs the build did not use are
removed, so that the cache stays the size of one site.

Caches of separate builds of one commit (CI's per-agency jobs, ``SSJPUB_CACHE_ONLY``) merge into
one (``merge``; ``python -m ssjpub.site.sitecache merge TARGET SOURCE…``): the keys hold nothing of
the build that wrote them but what its pages show.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import json
import os
import pickle
import shutil
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, Callable, Iterable

from pydantic import BaseModel

from ssjpub.draw.verifycache import code_version
from ssjpub.site.tables import Table

FORMAT = "ssjpub-site-cache/3"
DEFAULT_DIR = ".ssjpub-cache/site"  # under the repository root; git-ignored
INDEX = "index.json"
BLOBS = "blobs"
PARSED = "parsed"  # the loader's parse cache (ssjpub.loader.parsecache), kept beside: not this module's

# Settings that say where the build runs, not what it writes (the output folder, the cache itself,
# what the generator passes between its steps). THEME and pelicanconf's HERE are absolute paths: the
# theme is keyed by its files' digests instead, so that checkouts at other paths (CI's jobs) share keys.
LOCAL_SETTINGS = frozenset({
    "HERE", "THEME",
    "OUTPUT_PATH", "SSJPUB_FINAL_OUTPUT", "SSJPUB_BUILT_FILES", "SSJPUB_WRITTEN_FILES", "SSJPUB_CACHE", "SSJPUB_CACHE_ONLY", "SSJPUB_PAGEFIND", "SSJPUB_PAGEFIND_CACHE",
    "SSJPUB_HELD", "SSJPUB_HELD_SINCE", "SSJPUB_HELD_AS_OF", "SSJPUB_BLOBS",
    "PATH", "SSJPUB_ROOT", "CACHE_PATH", "LOAD_CONTENT_CACHE", "CACHE_CONTENT", "WRITE_SELECTED",
    "DELETE_OUTPUT_DIRECTORY", "BIND", "PORT",
})


@dataclasses.dataclass(frozen=True)
class Placeholders:
    """What the cached pages are rendered with instead of the build commit and the compliance date.

    The commit's stands in for a full SHA-1 (40 hex digits), so that the links and `git checkout`
    commands made from a commit are made from it too; outside a checkout (commit "未知") there is
    no link to make, and the real value is rendered (and is in the key). Both are fixed strings no
    data file holds (the data are validated text, not digests of this module)."""

    commit: str  # the real build commit
    as_of: str  # the real compliance date (ISO)

    COMMIT = "5e1f0c0ffee0ddba11ab1e5ca1ab1e0ddf00d5e1"
    AS_OF = "ssjpub-placeholder-compliance-as-of"

    @property
    def shown_commit(self) -> str:
        return self.COMMIT if _is_sha(self.commit) else self.commit

    def real(self, data: bytes) -> bytes:
        """`data` with the real values in place of the placeholders."""
        if self.COMMIT.encode() in data:
            data = data.replace(self.COMMIT.encode(), self.commit.encode())
        if self.AS_OF.encode() in data:
            data = data.replace(self.AS_OF.encode(), self.as_of.encode())
        return data

    def text(self, value: str) -> str:
        return value.replace(self.COMMIT, self.commit).replace(self.AS_OF, self.as_of)

    def within(self, data: bytes) -> bool:
        return self.COMMIT.encode() in data or self.AS_OF.encode() in data


def _is_sha(value: str) -> bool:
    return len(value) == 40 and all(c in "0123456789abcdef" for c in value)


def stable(value: Any) -> Any:
    """`value` as plain JSON values, the same for equal values in every process: sets sorted,
    dataclasses by their fields, functions and other objects by their qualified names."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, enum.Enum):
        return stable(value.value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: stable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: stable(v) for k, v in value.items()}  # json.dumps sorts them
        return sorted(([stable(k), stable(v)] for k, v in value.items()), key=_order)
    if isinstance(value, (set, frozenset)):
        return sorted((stable(v) for v in value), key=_order)
    if isinstance(value, (list, tuple)):
        return [stable(v) for v in value]
    kind = value if isinstance(value, type) or callable(value) else type(value)
    return f"<{getattr(kind, '__module__', '')}.{getattr(kind, '__qualname__', repr(kind))}>"


def _order(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


def _json(value: Any) -> bytes:
    return json.dumps(stable(value), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(value: Any) -> str:
    """The SHA-256 of `value` as ``stable`` JSON."""
    return hashlib.sha256(_json(value)).hexdigest()


def output_settings(settings: dict[str, Any]) -> Any:
    return stable({k: v for k, v in settings.items() if k not in LOCAL_SETTINGS})


def folder_digests(folder: Path) -> dict[str, str]:
    """Every file under `folder` (the theme, the content), by relative path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


class _ValuePickler(pickle.Pickler):
    """Pickles a page's value for its digest. Pickle, not ``stable``: it runs in C, ten times as
    fast on a task page's tables. Equal pickles are equal values, so a digest can only miss, never
    match a different page. Two kinds are written another way: a table by its own digest, computed
    once however many pages show it (each page of a directory list holds the whole list's
    dataset), and a pydantic model (the plan's task) by its JSON, since its pickle holds a set whose
    order changes from process to process."""

    def __init__(self, file: io.BytesIO, tables: dict[int, tuple[Table, str]], top: Any) -> None:
        super().__init__(file, protocol=5)
        self.tables = tables
        self.top = top

    def reducer_override(self, obj: Any) -> Any:
        # Called for every object but the builtin containers and scalars: by its exact type, looked
        # up once (isinstance on pydantic's ABC metaclass was a third of the digest's time).
        kind = type(obj)
        how = _HOW.get(kind)
        if how is None:
            how = _HOW[kind] = "table" if issubclass(kind, Table) else "model" if issubclass(kind, BaseModel) else ""
        if how == "table" and obj is not self.top:
            return str, ("table:" + value_digest(obj, self.tables),)
        if how == "model":
            return str, (f"model:{kind.__module__}.{kind.__qualname__}:{obj.model_dump_json()}",)
        return NotImplemented


_HOW: dict[type, str] = {}  # a type → how _ValuePickler writes its objects ("" as pickle does)


def value_digest(value: Any, tables: dict[int, tuple[Table, str]]) -> str:
    """The SHA-256 of a page's value (or one table); `tables` remembers each table's by its id (and
    holds the table, so that the id is not reused while the dict lives)."""
    if isinstance(value, Table) and id(value) in tables:
        return tables[id(value)][1]
    buffer = io.BytesIO()
    _ValuePickler(buffer, tables, value).dump(value)
    digest = hashlib.sha256(buffer.getbuffer()).hexdigest()
    if isinstance(value, Table):
        tables[id(value)] = (value, digest)
    return digest


class Keys:
    """The pages' keys in one build: the build-wide part digested once."""

    def __init__(self, build: dict[str, Any]) -> None:
        whole = {"format": FORMAT, "code": code_version(), "python": sys.version, **build}
        self.base = hashlib.sha256(_json(whole)).digest()
        self.tables: dict[int, tuple[Table, str]] = {}
        self.parts: dict[Any, str] = {}

    def part(self, name: Any, value: Callable[[], Any]) -> str:
        """The SHA-256 of ``value()``'s JSON, computed once per `name` in a build: a source file as
        pages show it is named by thousands of pages (each enterprise its results and draws)."""
        digest = self.parts.get(name)
        if digest is None:
            digest = self.parts[name] = hashlib.sha256(_json(value())).hexdigest()
        return digest

    def page(self, value: Any, shown: Any) -> str | None:
        """`value`: the page's value; `shown`: what else its files show (the source files as the page
        and its downloads name them, the downloads it writes). None for a value that cannot be
        pickled: that page is rendered every time, never cached."""
        h = hashlib.sha256(self.base)
        try:
            h.update(value_digest(value, self.tables).encode())
        except (pickle.PicklingError, TypeError, AttributeError):
            return None
        h.update(_json(shown))
        return h.hexdigest()

    def group(self, name: str, files: Iterable[str], file_part: Callable[[str], str], values: Any) -> str:
        """A group of pages' key (ssjpub.site.groups): its name, each input file by `file_part`
        (its bytes' digest and how the pages show it), and its other inputs as values."""
        h = hashlib.sha256(self.base)
        h.update(_json({"group": name, "values": values}))
        for f in files:
            h.update(f"\n{f}\0{file_part(f)}".encode())
        return h.hexdigest()


_UMASK = os.umask(0o022)
os.umask(_UMASK)


def replace_file(path: Path, data: bytes) -> None:
    """Write by a temporary file renamed into place: a reader sees the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # as a file written in place would be (mkstemp makes 0600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SiteCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index, self.groups = self._read_index()
        self.used: dict[str, dict[str, str]] = {}  # the entries this build restored or stored
        self.used_groups: dict[str, list[dict]] = {}  # the groups of pages this build reused or stored
        self.rendered: list[str] = []  # the pages this build rendered (saved in the index: what it cost)
        self.computed: list[str] = []  # the groups of pages this build computed (ssjpub.site.groups), likewise

    def _read_index(self) -> tuple[dict[str, dict[str, str]], dict[str, list[dict]]]:
        try:
            meta = json.loads((self.folder / INDEX).read_bytes())
            if meta.get("format") != FORMAT:
                return {}, {}
            pages = {k: dict(v) for k, v in meta["pages"].items() if all(isinstance(s, str) for s in v.values())}
            groups = {k: v for k, v in meta.get("groups", {}).items()
                      if isinstance(v, list) and all(isinstance(e, dict) and e.get("key") in pages for e in v)}
            return pages, groups
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}, {}

    def group(self, key: str) -> list[dict] | None:
        """A group's stored pages (ssjpub.site.groups): per page its key, address, template,
        source files, downloads and summary; None when not stored."""
        return self.groups.get(key)

    def keep_group(self, key: str, entries: list[dict]) -> None:
        """Record a group reused or just built, if each of its pages is stored."""
        if all(e["key"] in self.used for e in entries):
            self.used_groups[key] = entries

    def blob(self, sha: str) -> Path:
        return self.folder / BLOBS / sha[:2] / sha

    def restore(self, key: str, output: Path, placeholders: Placeholders | None = None,
                written: dict[str, tuple[str, int]] | None = None,
                held: Callable[[str, str], tuple[str, int] | None] | None = None,
                blobs: dict[str, str] | None = None) -> bool:
        """Write the entry's files into `output`, the placeholders (if given) replaced; False (and
        nothing written) when there is no entry or any file of it is not exactly what was stored.
        `written`, if given, gets each file written: its SHA-256 and size (for manifest.json).
        `held` (an output folder updated in place, ssjpub.site.inplace): a file it gives the
        (SHA-256, size) of for (path, blob) is already there, and neither read nor written;
        the others are written by a temporary file renamed. `blobs` gets each file's blob."""
        files = self.index.get(key)
        if not files:
            return False
        datas = []
        for rel, sha in sorted(files.items()):
            there = held(rel, sha) if held else None
            if there is not None:
                datas.append((rel, there))
                continue
            try:
                data = self.blob(sha).read_bytes()
            except OSError:
                return False
            if hashlib.sha256(data).hexdigest() != sha:
                return False
            datas.append((rel, data))
        for rel, data in datas:
            if isinstance(data, tuple):
                if written is not None:
                    written[rel] = data
                continue
            dst = output / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            real = placeholders.real(data) if placeholders else data
            replace_file(dst, real) if held else dst.write_bytes(real)
            if written is not None:  # the blob's digest when nothing was replaced: not hashed again
                written[rel] = (files[rel] if real is data else hashlib.sha256(real).hexdigest(), len(real))
        if blobs is not None:
            blobs.update(files)
        self.used[key] = files
        return True

    def put(self, data: bytes) -> str | None:
        """Store one file's stored form; its digest, or None when the folder cannot be written
        (the build goes on, the page is not cached)."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.blob(sha)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, data)  # always written: an altered blob of that name is replaced
        except OSError:
            return None
        return sha

    def keep(self, key: str | None, page: str, files: dict[str, str | None]) -> None:
        """Record the entry of a page just rendered, unless it has no key or one of its files could
        not be stored."""
        self.rendered.append(page)
        if key is not None and files and all(files.values()):
            self.used[key] = {rel: sha for rel, sha in files.items() if sha}

    def save(self) -> None:
        """Write the index of this build's entries; remove the blobs no entry names."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_file(self.folder / INDEX,
                          json.dumps({"format": FORMAT, "pages": self.used, "groups": self.used_groups,
                                      "rendered": sorted(self.rendered), "computed": sorted(self.computed)},
                                     sort_keys=True, ensure_ascii=False).encode("utf-8"))
        except OSError:
            return
        self.index, self.groups = dict(self.used), dict(self.used_groups)  # what the next build with this object finds
        named = {sha for files in self.used.values() for sha in files.values()}
        for folder in _children(self.folder / BLOBS):
            for path in _children(folder):
                if path.name not in named:
                    path.unlink(missing_ok=True)
        for path in _children(self.folder):  # an entry of the first version, a torn temporary file
            if path.name not in (INDEX, BLOBS, PARSED):
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def _children(folder: Path) -> Iterable[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def merge(target: Path, sources: list[Path]) -> list[str]:
    """Merge the caches `sources` (each one build's folder, e.g. one agency's from a CI job) into
    `target`, an empty or absent folder: blobs by union, each copied only if its bytes have its
    name's digest; a page entry only if every blob it names was copied, and dropped when two caches
    store the same key with different files; a group only if all its pages are kept and every
    cache that has it stores the same pages. What is dropped is rendered by the next build.
    Returns what was dropped, for people (sorted)."""
    merged = SiteCache(target)
    dropped: set[str] = set()
    pages: dict[str, dict[str, str] | None] = {}  # None: a conflict
    groups: dict[str, list[dict] | None] = {}
    good: set[str] = set()
    for source in sources:
        cache = SiteCache(source)
        for key, files in sorted(cache.index.items()):
            pages[key] = files if pages.get(key, files) == files else None
        for key, entries in sorted(cache.groups.items()):
            groups[key] = entries if groups.get(key, entries) == entries else None
        for sha in sorted({sha for files in cache.index.values() for sha in files.values()} - good):
            try:
                data = cache.blob(sha).read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == sha and merged.put(data):
                good.add(sha)
    kept = {}
    for key, files in sorted(pages.items()):
        if files is not None and all(sha in good for sha in files.values()):
            kept[key] = files
        else:
            dropped.add(f"page {key}")
    merged.used = kept
    for key, entries in sorted(groups.items()):
        if entries is not None and all(e.get("key") in kept for e in entries):
            merged.used_groups[key] = entries
        else:
            dropped.add(f"group {key}")
    merged.save()
    return sorted(dropped)


MERGE_HELP = """用法：python -m ssjpub.site.sitecache merge 目标目录 缓存目录…

把几次构建各自的站点缓存（CI 中每个机关一个作业用 SSJPUB_CACHE_ONLY 生成）合并到目标目录，
再用目标目录作 SSJPUB_CACHE 构建整站时，这些页面从缓存恢复、不再生成。条目按内容寻址：
字节与摘要不符、相互矛盾的条目不采用，由下次构建重新生成。目标目录须不存在或为空，且不是
来源之一。"""


def _problem(path: Path | str, code: str, message: str) -> str:
    return f"{path}:1:1: {code} {message}"


def _merge_problems(target: Path, sources: list[Path]) -> list[str]:
    """What makes a merge impossible, all at once: a source that is no cache, a target that is
    not empty or is a source."""
    problems = []
    for source in sources:
        index = source / INDEX
        try:
            meta = json.loads(index.read_bytes())
            ok = isinstance(meta, dict) and meta.get("format") == FORMAT and isinstance(meta.get("pages"), dict)
        except FileNotFoundError:
            problems.append(_problem(source, "missing-cache", f"不是站点缓存目录（没有 {INDEX}）"))
            continue
        except (OSError, ValueError):
            ok = False
        if not ok:
            problems.append(_problem(index, "bad-cache", f"不是可读的站点缓存索引（应为 {FORMAT} 格式的 JSON）"))
    if any(target.resolve() == source.resolve() for source in sources):
        problems.append(_problem(target, "target-is-source", "目标目录不能同时是来源之一"))
    elif target.is_dir() and any(target.iterdir()):
        problems.append(_problem(target, "target-not-empty", "目标目录须不存在或为空"))
    elif target.exists() and not target.is_dir():
        problems.append(_problem(target, "target-not-empty", "目标不是目录"))
    return problems


def main(argv: list[str]) -> int:
    """``python -m ssjpub.site.sitecache merge TARGET SOURCE…``."""
    if argv[:1] in (["-h"], ["--help"]) or argv[1:2] in (["-h"], ["--help"]):
        print(MERGE_HELP)
        return 0
    if len(argv) < 3 or argv[0] != "merge":
        print(MERGE_HELP.split("\n")[0], file=sys.stderr)
        return 2
    target, sources = Path(argv[1]), [Path(a) for a in argv[2:]]
    problems = _merge_problems(target, sources)
    if not problems:
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            problems.append(_problem(target, "cannot-write", f"无法创建目标目录：{e.strerror}"))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    dropped = merge(target, sources)
    if not (target / INDEX).is_file():  # SiteCache.save gives up quietly when it cannot write
        print(_problem(target, "cannot-write", "无法写入目标目录"), file=sys.stderr)
        return 1
    for item in dropped:
        print(f"未采用（已损坏或相互矛盾，下次构建重新生成）：{item}", file=sys.stderr)
    print(f"已合并 {len(sources)} 个站点缓存到 {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
