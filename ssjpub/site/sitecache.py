"""The incremental site build's cache: each agency's rendered files (its pages and their
downloads), stored under the SHA-256 of everything they are made from, so that a build re-renders
only the agencies whose inputs changed (issue 16 item 1).

The key (``agency_key``) covers: the agency's files under plans/<code>/ and results/<code>/ and the
shared files (every served file outside the agencies' folders: lottery games, result categories,
calendars), by their digests; the commit each of those files last changed in, as the pages print
it; every file of the theme; the Pelican settings; ssjpub's version and source
(``verifycache.code_version``); and the build-wide values the agency's pages show (the build
commit, the compliance date, the navigation, the repository addresses, the agency's compliance
rows and history proof). Any of them changing gives another key, which has no entry.

An entry ``<folder>/<code>/<key>/`` holds ``entry.json`` (the key, each file's SHA-256, the
agency's summary for the cross-agency files) and the files under ``files/``. It is written in a
temporary folder and renamed. An entry is used only if its ``entry.json`` names its key and every
file's bytes have the digest it lists, checked while copying: anything else (torn, edited, a file
missing) is ignored, the agency re-rendered and the entry replaced.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, Iterable

from ssjpub.draw.verifycache import code_version

FORMAT = "ssjpub-site-cache/1"
DEFAULT_DIR = ".ssjpub-cache/site"  # under the repository root; git-ignored
ENTRY = "entry.json"

# Settings that say where the build runs, not what it writes (the output folder, the cache itself,
# what the generator passes between its steps).
LOCAL_SETTINGS = frozenset({
    "OUTPUT_PATH", "SSJPUB_FINAL_OUTPUT", "SSJPUB_BUILT_FILES", "SSJPUB_CACHE", "SSJPUB_PAGEFIND",
    "PATH", "SSJPUB_ROOT", "CACHE_PATH", "LOAD_CONTENT_CACHE", "CACHE_CONTENT", "WRITE_SELECTED",
    "DELETE_OUTPUT_DIRECTORY", "BIND", "PORT",
})


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


def output_settings(settings: dict[str, Any]) -> Any:
    return stable({k: v for k, v in settings.items() if k not in LOCAL_SETTINGS})


def folder_digests(folder: Path) -> dict[str, str]:
    """Every file under `folder` (the theme), by relative path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def agency_key(parts: dict[str, Any]) -> str:
    text = json.dumps({"format": FORMAT, "code": code_version(), **stable(dict(sorted(parts.items())))},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SiteCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def entry(self, code: str, key: str) -> Path:
        return self.folder / code / key

    def restore(self, code: str, key: str, output: Path) -> dict | None:
        """Copy the entry's files into `output` and return its summary; None (and nothing left in
        `output`) when there is no entry or it is not exactly what was stored."""
        folder = self.entry(code, key)
        try:
            meta = json.loads((folder / ENTRY).read_bytes())
            if meta.get("format") != FORMAT or meta.get("key") != key:
                return None
            files: dict[str, str] = meta["files"]
            summary = meta["summary"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        copied: list[Path] = []
        try:
            for rel, sha in sorted(files.items()):
                data = (folder / "files" / rel).read_bytes()
                if hashlib.sha256(data).hexdigest() != sha:
                    raise ValueError(rel)
                dst = output / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_bytes(data)
                copied.append(dst)
        except (OSError, ValueError, TypeError):
            for path in copied:  # never a mix of cached and re-rendered files
                path.unlink(missing_ok=True)
            return None
        return summary

    def store(self, code: str, key: str, output: Path, files: Iterable[str], summary: dict) -> bool:
        """Save the agency's files (paths relative to `output`) and summary as the entry for `key`,
        the agency's only one; False when the folder cannot be written (the build goes on)."""
        parent = self.folder / code
        try:
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=parent, prefix=".tmp-"))
        except OSError:
            return False
        try:
            digests = {}
            for rel in sorted(set(files)):
                dst = tmp / "files" / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                data = (output / rel).read_bytes()
                dst.write_bytes(data)
                digests[rel] = hashlib.sha256(data).hexdigest()
            meta = {"format": FORMAT, "key": key, "files": digests, "summary": summary}
            (tmp / ENTRY).write_text(json.dumps(meta, sort_keys=True, ensure_ascii=False), encoding="utf-8")
            for old in parent.iterdir():  # one entry per agency: the cache stays the size of a site
                if old != tmp:
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
            os.replace(tmp, self.entry(code, key))
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            return False
        return True
