"""The raw inputs on the site: every file under plans/ and results/, byte-identical at
``files/<repository path>``, and ``files/index.json`` listing each with its SHA-256 and size; all
but the YAML copies of the draw records (``plans/<agency>/<year>/draws/<task>.yaml`` beside its
``.json``): a copy is the JSON record written again for reading, byte for byte derived from it
(`ssjpub verify` checks that), read by no verifier, and was a fifth of the served files (issue 16
item 2). It stays in the repository; the task page shows the record itself.

So that `sha256sum` and the browser verifier check a draw's inputs against the site alone, without
the repository host (issue 15 item 5, issue 13). A verifier reads repository path ``p`` at
``<site root>files/<p>``; from a clone or a downloaded copy of the site it finds the same relative
paths. Everything under these folders is public already (DESIGN §3) and scanned for personal data
by ``ssjpub validate``; hidden folders are not scanned, so nothing hidden is served either.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ssjpub.loader import tree
from ssjpub.problems import Pos, Problem
from ssjpub.site import urls
from ssjpub.site.sitecache import replace_file

FORMAT = "ssjpub-files/1"
FOLDERS = ("plans", "results")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ServedFile:
    path: str  # repository-relative, "/"-separated
    sha256: str  # hex, of the file's bytes
    bytes: int

    @property
    def url(self) -> str:
        """Site-relative, as every URL of ssjpub.site.urls."""
        return urls.served(self.path)


Catalogue = dict[str, ServedFile]  # repository path → its served copy, in path order


def served_paths(root: Path) -> list[str]:
    """Every regular file under plans/ and results/, sorted by path. Links are never followed
    (the loader refuses them); hidden names (.git, .DS_Store, editor files) are not data."""
    found = []
    for name in FOLDERS:
        top = root / name
        if tree.kind(top) != "dir":
            continue
        for folder, dirs, files in os.walk(top, followlinks=False):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and tree.kind(here / d) == "dir")
            found += [(here / f).relative_to(root).as_posix() for f in files
                      if not f.startswith(".") and tree.kind(here / f) == "file" and not is_record_copy(here / f)]
    return sorted(found)


def is_record_copy(path: Path) -> bool:
    """A draw record's YAML copy: ``…/<year>/draws/<task>.yaml`` with its ``<task>.json`` beside it."""
    return (path.suffix == ".yaml" and path.parent.name == "draws"
            and tree.kind(path.with_suffix(".json")) == "file")


def _digest(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def catalogue(root: Path) -> Catalogue:
    out = {}
    for rel in served_paths(root):
        sha, size = _digest(root / rel)
        out[rel] = ServedFile(rel, sha, size)
    return out


def index_json(files: Catalogue) -> bytes:
    """``files/index.json``: one file a line, paths sorted, the same bytes for the same files."""
    lines = [f"{json.dumps(p, ensure_ascii=False)}: {json.dumps({'sha256': f.sha256, 'bytes': f.bytes})}"
             for p, f in sorted(files.items())]
    body = "".join(f"\n{line}," for line in lines).rstrip(",") + ("\n" if lines else "")
    return f'{{"format": "{FORMAT}", "files": {{{body}}}}}\n'.encode("utf-8")


def write(files: Catalogue, root: Path, output: Path, there: Callable[[str, str], bool] | None = None,
          ) -> tuple[dict[str, list[str]], list[Problem]]:
    """Copy every file into ``output/files/`` and write the index; returns output file → its
    sources (for manifest.json), and a problem for each file whose bytes are no longer those the
    pages and the index state (changed while the site was built): never served half-true.
    `there(output path, sha256)`: the output folder already holds those bytes (it is updated in
    place, ssjpub.site.inplace); such a file is not written again, the others are by a rename."""
    written: dict[str, list[str]] = {}
    problems = []
    for rel, entry in files.items():
        data = (root / rel).read_bytes()
        if (hashlib.sha256(data).hexdigest(), len(data)) != (entry.sha256, entry.bytes):
            problems.append(Pos(rel).problem(
                "changed-during-build", "生成网站期间这个文件被改动了：网站未生成。请等改动完成后重新生成"))
            continue
        written[urls.FILES + rel] = [rel]
        if there is not None and there(urls.FILES + rel, entry.sha256):
            continue
        dst = output / urls.FILES / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        replace_file(dst, data) if there is not None else dst.write_bytes(data)
    (output / urls.FILES_INDEX).parent.mkdir(parents=True, exist_ok=True)
    (output / urls.FILES_INDEX).write_bytes(index_json(files))
    written[urls.FILES_INDEX] = sorted(files)
    return written, problems
