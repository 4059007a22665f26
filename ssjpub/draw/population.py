"""A snapshot's rows by kind: what a draw looks at besides the code (area, industry, grade,
status, complaints, serious violation).

A province snapshot has a million rows but some thousands of kinds. A draw decides scope,
stratum and weight once per kind and then only picks the codes of the rows of the kinds it
takes. Built on first use (no row object), dropped together with the snapshot; each row's kind
is the column reader's when it read the snapshot (Snapshot.kinds), else found from the columns.
"""

from __future__ import annotations

import weakref
from collections import Counter
from functools import cached_property
from itertools import compress, count
from typing import NamedTuple

from ssjpub.model import Snapshot, Target


class Kind(NamedTuple):
    """What rows of the same kind share: a draw treats them alike (ssjpub.draw.engine.in_scope,
    stratum_of and weight_of read these fields only)."""

    area: str
    industry: str
    grade: str
    status: str
    complaints: int
    serious_violation: bool

    @property
    def active(self) -> bool:
        return self.status == "在营"


class Population:
    def __init__(self, snapshot: Snapshot) -> None:
        c = self.columns = snapshot.columns
        known = snapshot.kinds
        if known is not None:  # the column reader's (a kind may have two ids: each is decided alike)
            self.kind_of: list[int] = known.of_row
            self.kinds: dict[int, Kind] = dict(enumerate(map(Kind._make, known.kinds)))
        else:  # read row by row, or built here: the position of the first row of its kind names it
            first: dict[tuple, int] = {}
            self.kind_of = list(map(first.setdefault, zip(c.area, c.industry, c.grade, c.status, c.complaints,
                                                          c.serious_violation), count()))  # in C
            self.kinds = {at: Kind._make(key) for key, at in first.items()}
        self.sizes: Counter[int] = Counter(self.kind_of)
        self.inactive = sum(self.sizes[at] for at, kind in self.kinds.items() if not kind.active)

    @cached_property
    def index(self) -> dict[str, int]:
        """Credit code -> position."""
        return dict(zip(self.columns.credit_code, range(len(self.columns.credit_code))))

    def find(self, codes) -> dict[str, int]:
        """The position of each of `codes` the snapshot has. A draw looks up some thousands (the
        drawn, the capped): one scan of the codes costs less than building the whole index."""
        wanted = set(codes)
        if not wanted:
            return {}
        if "index" in self.__dict__:
            return {c: self.index[c] for c in wanted if c in self.index}
        codes = self.columns.credit_code
        return {codes[i]: i for i in compress(range(len(codes)), map(wanted.__contains__, codes))}  # in C

    def get(self, code: str) -> Target | None:
        """The row of credit code `code`, or None."""
        i = self.index.get(code)
        return None if i is None else self.columns.row(i)


# id(snapshot) -> its Population. Snapshots hash by value (slow for thousands of rows), hence the
# id, and the finalizer that forgets the entry when the snapshot goes.
_CACHE: dict[int, Population] = {}


def population(snapshot: Snapshot) -> Population:
    key = id(snapshot)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = Population(snapshot)
        weakref.finalize(snapshot, _CACHE.pop, key, None)
    return found
