"""What a token's message imprint is over (docs/timestamps.md §1): the SHA-256 of

    b"ssjpub-timestamp/1\\n" + b"<agency>/<year>/<task>\\n" + b"<commit id, lowercase hex>\\n"

The commit fixes the inputs and the declaration; naming the task keeps a token from being
presented for another task of the same commit, and the version line keeps the bytes from meaning
anything else to anyone. ASCII only (agency and task codes are slugs), so any shell can rebuild it.
"""

from __future__ import annotations

import hashlib
import re

VERSION = "ssjpub-timestamp/1"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_COMMIT = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")


def statement(agency: str, year: int, task: str, commit: str) -> bytes:
    if not (_SLUG.match(agency) and _SLUG.match(task) and _COMMIT.match(commit)):
        raise ValueError(f"not a task and commit id: {agency}/{year}/{task} {commit}")
    return f"{VERSION}\n{agency}/{year}/{task}\n{commit}\n".encode("ascii")


def digest(agency: str, year: int, task: str, commit: str) -> bytes:
    return hashlib.sha256(statement(agency, year, task, commit)).digest()
