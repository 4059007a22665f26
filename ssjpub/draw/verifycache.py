"""The verification cache: which records were re-executed and found exact, keyed by everything
their verdict rests on, so that a pull request re-executes only the draws whose inputs changed.

A record's key is the SHA-256 of the digests of: the record (JSON and its YAML copy), the year's
plan file, the snapshot the task names, the randomness file, the agency's files (agency,
checklist, roster), the shared files (lottery games, result categories, holiday calendars), every
earlier record of the agency in the order the draws were made (they pass on the yearly cap and
the last inspectors), the algorithms and ssjpub's version and source code. Any byte changed in
any of them gives another key, which has no entry: the draw is re-executed. Only a verdict with no
problem at all is stored; a draw that disagrees is re-executed every time.

An entry is one small file whose whole content is known in advance from its key: anything else
found there (torn by a crash, edited, truncated) is ignored and the draw re-executed. Entries are
written to a temporary file and renamed; they are not fsync'ed, as a lost or torn one only costs
a re-execution. `verify --history` is never cached; the roster check of plain `verify` keeps its
own entries (verdict ROSTER, keyed by the record's key and the roster versions it was checked
against: ssjpub.draw.history.check_rosters). The YAML documents and draw records read are cached
beside, in `parsed/` (ssjpub.loader.parsecache), and what each agency's records pass on to the
next draw, in `states/` (States).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from ssjpub.atomicfile import write_cache_file
from ssjpub.draw.encoding import ALGORITHMS
from ssjpub.draw.engine import PriorDraws, made_at
from ssjpub.loader.parsecache import ParseCache, source_digest
from ssjpub.loader.repository import AgencyData, Repository

DEFAULT_DIR = ".ssjpub-cache/verify"  # under the repository root; git-ignored, kept by CI's cache step
FORMAT = "ssjpub-verify-cache/1"

Key = tuple[str, int, str, str]  # agency, year, task, "draw" | "failure"


@lru_cache(maxsize=1)
def code_version() -> str:
    """ssjpub's version and source code (ssjpub.loader.parsecache.source_digest) and the algorithms."""
    return hashlib.sha256(f"{source_digest()}\n{','.join(ALGORITHMS)}\n".encode()).hexdigest()


class _Digests:
    """Each file's SHA-256 read once (snapshots are shared by many draws); "absent" when it is not
    a regular file, so that a file appearing changes the key as much as one changing. `known`:
    those of the bytes the loader read (Repository.digests), not read a second time."""

    def __init__(self, root: Path, known: dict[str, str] | None = None) -> None:
        self.root = root
        self.seen: dict[str, str] = dict(known or {})
        self.split: dict[str, list | None] = {}

    def parts(self, snapshot: str) -> list | None:
        """_parts of the snapshot, once per snapshot (many draws name the same one)."""
        if snapshot not in self.split:
            self.split[snapshot] = _parts(self.root, snapshot, self)
        return self.split[snapshot]

    def __call__(self, rel: str | None) -> str:
        if rel is None:
            return "absent"
        if rel not in self.seen:
            try:
                with open(os.path.join(self.root, rel), "rb") as fh:  # not pathlib: ~400 files a run
                    self.seen[rel] = hashlib.sha256(fh.read()).hexdigest()
            except (OSError, ValueError):
                self.seen[rel] = "absent"
        return self.seen[rel]


def _shared(repo: Repository, digest: _Digests) -> dict:
    calendar = sorted(f for f in repo.files if f.startswith("plans/calendar/"))
    return {"code": code_version(),
            "games": digest("plans/lottery-games.yaml"),
            "categories": digest("plans/result-categories.yaml"),
            "calendar": {f: digest(f) for f in calendar}}


def record_keys(repo: Repository, chains: dict[str, list[str]] | None = None) -> dict[Key, str]:
    """The cache key of every draw record and failure record of the loaded repository. With
    `chains`, each agency's chain digests go there too: the i-th is that of the records made
    before its i-th record in made_at order, the last that of all of them (States' keys)."""
    digest = _Digests(repo.root, repo.digests)
    shared = _shared(repo, digest)
    keys: dict[Key, str] = {}
    for code, data in sorted(repo.agencies.items()):
        agency = {name: digest(f"plans/{code}/{name}") for name in ("agency.yaml", "checklist.yaml", "inspectors.yaml")}
        order = sorted(data.draws, key=lambda k: made_at(data, *k))
        chain, before = hashlib.sha256(), {}  # made_at -> digest of every record made before it
        for key in order:
            before[key] = chain.hexdigest()
            chain.update(f"{data.draws[key].file}\0{digest(data.draws[key].file)}\n".encode())
        if chains is not None:
            chains[code] = [*(before[key] for key in order), chain.hexdigest()]
        for key in order:
            keys[(code, *key, "draw")] = _key(repo, data, key, "draw", shared, agency, before[key], digest)
        for key in sorted(data.failures):
            here = made_at(data, *key)
            prior = hashlib.sha256()
            for earlier in order:
                if made_at(data, *earlier) < here:
                    prior.update(f"{data.draws[earlier].file}\0{digest(data.draws[earlier].file)}\n".encode())
            keys[(code, *key, "failure")] = _key(repo, data, key, "failure", shared, agency, prior.hexdigest(), digest)
    return keys


def _key(repo: Repository, data: AgencyData, key: tuple[int, str], kind: str, shared: dict, agency: dict,
         prior: str, digest: _Digests) -> str:
    year, task = key
    record = (data.draws if kind == "draw" else data.failures)[key]
    plan = data.plans.get(year)
    found = next((t for t in plan.model.tasks if t.id == task), None) if plan else None
    # The snapshot by its file, not the parsed one: a cached run leaves snapshots unread (verify).
    snapshot = f"plans/{data.code}/targets/{found.snapshot.isoformat()}.csv" if found is not None and found.snapshot else None
    parts = {
        "format": FORMAT, "kind": kind, "record": record.file, "shared": shared, "agency": agency, "prior": prior,
        "json": digest(record.file), "yaml": digest(record.yaml_file),
        "plan": digest(f"plans/{data.code}/{year}/plan.yaml"),
        "snapshot": [snapshot, digest(snapshot)] if snapshot is not None else None,
        "snapshot_parts": digest.parts(snapshot) if snapshot is not None else None,
        "randomness": digest(f"plans/{data.code}/{year}/randomness/{task}.yaml"),
    }
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _parts(root: Path, snapshot: str, digest: _Digests) -> list | None:
    """A split snapshot (the folder beside `snapshot`'s name, ssjpub-draw/3): every entry of the
    folder, hidden ones too, by name and digest, so that a part edited, added or removed changes
    the key; None when there is no such folder."""
    folder = root / snapshot.removesuffix(".csv")
    if not folder.is_dir():
        return None
    rel = snapshot.removesuffix(".csv")
    return [[p.name, digest(f"{rel}/{p.name}")] for p in sorted(folder.iterdir())]


EXACT = "exact"  # a draw re-executed and found exact
ROSTER = "roster-agrees"  # a record's roster facts found as committed before its values (history.check_rosters)


def _entry(key: str, verdict: str) -> bytes:
    """The whole content an entry for `key` must have."""
    return json.dumps({"format": FORMAT, "key": key, "verdict": verdict}, sort_keys=True).encode() + b"\n"


class Cache:
    """Verdicts by key, one file each; `verdict` tells the kinds apart (a roster check's entry
    never stands for a re-execution)."""

    def __init__(self, folder: Path, verdict: str = EXACT) -> None:
        self.folder, self.verdict = folder, verdict

    def of(self, verdict: str) -> Cache:
        """The same folder's entries of another verdict."""
        return Cache(self.folder, verdict)

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def has(self, key: str) -> bool:
        """True only for an entry whose bytes are exactly those `put` writes for the key."""
        try:
            return self.path(key).read_bytes() == _entry(key, self.verdict)
        except (OSError, ValueError):
            return False

    def put(self, key: str) -> bool:
        """Record an exact verdict; False when the folder cannot be written (the run goes on)."""
        return write_cache_file(self.path(key), _entry(key, self.verdict))


class States:
    """What an agency's records pass on (PriorDraws), by the digest of the chain of records that
    made it (record_keys' `chains`: every record's path and SHA-256, in made_at order), kept in the
    parse cache's format (ssjpub.loader.parsecache: the key names ssjpub's code, a torn entry is a
    miss). A pull request that adds a draw after the last, or redoes the last, finds the state
    before it here instead of adding up every earlier record (ssjpub.draw.verify `start`)."""

    KIND = "prior-draws"

    def __init__(self, folder: Path) -> None:
        self.store = ParseCache(folder / "states")

    def get(self, chain: str) -> PriorDraws | None:
        found = self.store.get("", self.KIND, chain)
        return found if isinstance(found, PriorDraws) else None

    def put(self, chain: str, state: PriorDraws) -> bool:
        return self.store.put("", self.KIND, chain, state)

    def has(self, chain: str) -> bool:
        return self.store.has("", self.KIND, chain)


Start = dict[str, tuple[int, PriorDraws]]  # agency -> (index in made_at order, the state before that record)


def _ordered(data: AgencyData) -> list[tuple[int, str]]:
    return sorted(data.draws, key=lambda k: made_at(data, *k))


def starts(repo: Repository, chains: dict[str, list[str]], known: frozenset[Key], states: States) -> Start:
    """For each agency with a record to re-execute, the cached state before the first of them."""
    out: Start = {}
    for code, data in sorted(repo.agencies.items()):
        first = next((i for i, k in enumerate(_ordered(data)) if (code, *k, "draw") not in known), None)
        if first and code in chains and (state := states.get(chains[code][first])) is not None:
            out[code] = (first, state)
    return out


def save_states(repo: Repository, chains: dict[str, list[str]], start: Start, states: States) -> None:
    """Keep each agency's state before its last record and after all of them: what the next pull
    request starts from when it adds a draw, or redoes the last one. Built from `start` when there
    is one (adding the records after it), else from the first record."""
    for code, data in sorted(repo.agencies.items()):
        order, marks = _ordered(data), chains.get(code, [])
        n = len(order)
        if not n or len(marks) != n + 1 or (states.has(marks[n - 1]) and states.has(marks[n])):
            continue
        begin, state = start.get(code, (0, None))
        if state is None or begin > n - 1:
            begin, state = 0, PriorDraws()
        else:
            state = state.copy()
        for key in order[begin:n - 1]:
            state.add(key, data.draws[key].passed_on)
        states.put(marks[n - 1], state)
        state.add(order[n - 1], data.draws[order[n - 1]].passed_on)
        states.put(marks[n], state)
