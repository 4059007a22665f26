"""A snapshot's active targets grouped by what a task's scope looks at (area, industry, grade).

Several draws use each snapshot; with the groups, a draw tests each group against its scope once
instead of every row. Built on first use and dropped together with the snapshot.
"""

from __future__ import annotations

import weakref

from ssjpub.model import Snapshot, Target


class Population:
    def __init__(self, snapshot: Snapshot) -> None:
        self.inactive = 0
        # (area, industry, grade) -> positions in snapshot.targets, ascending
        self.groups: dict[tuple[str, str, str], list[int]] = {}
        self.by_code: dict[str, Target] = {t.credit_code: t for t in snapshot.targets}
        for i, t in enumerate(snapshot.targets):
            if t.active:
                self.groups.setdefault((t.area, t.industry, t.grade), []).append(i)
            else:
                self.inactive += 1


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
