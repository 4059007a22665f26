"""A cache of parsed and validated documents, by the file's bytes: a file read before, byte for
byte the same, is not parsed, personal-data scanned or validated again.

An entry's key is the SHA-256 of: the cache format, the digest of ssjpub's own source code and
version, the Python version, the file's repository path (the problems name it), what it was read
as (the model) and the SHA-256 of its bytes. The value is whatever the reader made of those bytes
(the document and its problems), pickled.

Pickle runs code on loading: it is used only because the cache folder is written by the same
CI job that reads it (`ssjpub verify --cache`, kept by CI's cache step under the repository's
git-ignored `.ssjpub-cache/`), never by a pull request's contents. An entry starts with a header
naming its key and the SHA-256 of the pickle that follows; an entry whose header does not match
(torn by a crash, edited, another version's) or that does not load is a miss, and is rewritten.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import ssjpub
from ssjpub.atomicfile import write_cache_file

FORMAT = "ssjpub-parse-cache/1"
FOLDER = "parsed"  # inside the verify cache folder


@lru_cache(maxsize=1)
def source_digest() -> str:
    """ssjpub's version and the digest of every source file of the package: an editable install
    keeps its version number while its code changes."""
    package = Path(ssjpub.__file__).resolve().parent
    h = hashlib.sha256(f"{ssjpub.__version__}\n".encode())
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


class ParseCache:
    """get/put by (repository path, what it is read as, SHA-256 of its bytes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, rel: str, kind: str, digest: str) -> str:
        text = "\0".join((FORMAT, source_digest(), sys.version, rel, kind, digest))
        return hashlib.sha256(text.encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def _payload(self, key: str) -> bytes | None:
        """The pickle of an entry whose header matches, else None."""
        try:
            raw = self._path(key).read_bytes()
        except (OSError, ValueError):
            return None
        header, _, payload = raw.partition(b"\n")
        if header != f"{FORMAT} {key} {hashlib.sha256(payload).hexdigest()}".encode():
            return None
        return payload

    def has(self, rel: str, kind: str, digest: str) -> bool:
        """Whether there is an intact entry (its header checked, the value not loaded)."""
        return self._payload(self.key(rel, kind, digest)) is not None

    def get(self, rel: str, kind: str, digest: str) -> Any | None:
        """The stored value, or None for a missing, torn or foreign entry."""
        payload = self._payload(self.key(rel, kind, digest))
        if payload is None:
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 - any failure to load is a miss (the header matched: unlikely)
            return None

    def put(self, rel: str, kind: str, digest: str, value: Any) -> bool:
        """Store `value`; False when it cannot be written (the run goes on without)."""
        key = self.key(rel, kind, digest)
        path = self._path(key)
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - not picklable: simply not cached
            return False
        header = f"{FORMAT} {key} {hashlib.sha256(payload).hexdigest()}\n".encode()
        return write_cache_file(path, header + payload)
