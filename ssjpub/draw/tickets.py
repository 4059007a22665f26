"""Tickets and selection: the lowest tickets are drawn; weight w = minimum of w tickets.

Taking the minimum of w independent uniform tickets orders candidates exactly as successive
weighted sampling without replacement does (each of the W = Σw ticket copies is equally likely to
be lowest), with integers only. Tickets are compared as 256-bit big-endian integers, which is the
same as comparing the digests as bytes; ties (astronomically unlikely) go to the lower id.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from fractions import Fraction
from typing import NamedTuple, Sequence

from ssjpub import parallel
from ssjpub.draw.encoding import ALGORITHM, field, fields


class Candidate(NamedTuple):
    # A tuple, not a dataclass: a province draw builds a million of them.
    code: str
    stratum: str = ""
    weight: int = 1


class Ticket(NamedTuple):
    """A drawn candidate. A NamedTuple: a province draw makes 50,000 of them."""

    code: str
    stratum: str
    weight: int
    ticket: bytes  # the lowest of the candidate's `weight` tickets
    copy: int  # which copy (1..weight) gave it

    @property
    def hex(self) -> str:
        return self.ticket.hex()


def ticket_prefix(seed_hex: str, kind: str, algorithm: str = ALGORITHM):
    """SHA-256 state after field(algorithm) ‖ field(kind) ‖ field(seed): copied for every ticket."""
    return hashlib.sha256(fields(algorithm, kind, seed_hex))


def ticket_digest(prefix, code: str, copy: int) -> bytes:
    h = prefix.copy()
    h.update(field(code) + field(str(copy)))
    return h.digest()


def ticket_of(prefix, code: str, weight: int, stratum: str = "") -> Ticket:
    best, best_copy = b"", 0
    for k in range(1, weight + 1):
        d = ticket_digest(prefix, code, k)
        if not best or d < best:
            best, best_copy = d, k
    return Ticket(code, stratum, weight, best, best_copy)


def count_for(ratio: Fraction, size: int) -> int:
    """Ratio to count by ceiling, so that a '≥ 5%' rule holds for every stratum size."""
    return -(-ratio.numerator * size // ratio.denominator)


def _threshold(n: int, size: int) -> bytes | None:
    """A ticket bound that, in expectation, n + 6√n + 32 of `size` unweighted tickets fall under.

    Purely a speed-up: only tickets under it are sorted. Weights only lower a candidate's ticket,
    so they only add to that count; if fewer than n fall under it after all, the stratum is
    redone without a bound. The result is the same either way.
    """
    wanted = n + 6 * math.isqrt(n) + 32
    if wanted >= size:
        return None
    return ((wanted << 256) // size).to_bytes(33, "big")[1:] if wanted < size else None


_LENGTHS = {n: n.to_bytes(4, "big") for n in range(64)}
_COPIES = [field(str(k)) for k in range(64)]  # field(str(copy)) of the usual weights, made once


def _scan(prefix, candidates: Sequence[Candidate], bounds: dict[str, bytes | None]) -> dict[str, list]:
    """(ticket, code, weight, copy) of every candidate of a drawn stratum whose ticket is under
    the stratum's bound. Same bytes as ticket_digest(), with the copy loop skipped for weight 1."""
    pools: dict[str, list] = {s: [] for s in bounds}
    copy = prefix.copy
    first = field("1")
    lengths = _LENGTHS
    get = bounds.get
    skip = object()
    for code, stratum, weight in candidates:
        bound = get(stratum, skip)
        if bound is skip:
            continue
        # field(code), inlined (a call per candidate cost a tenth of the scan): an ASCII code (one byte
        # per character) is its own NFC form
        data = code.encode()
        n = len(data)
        code_field = lengths[n] + data if n == len(code) and n < 64 else field(code)
        h = copy()
        h.update(code_field + first)
        best, best_copy = h.digest(), 1
        for k in range(2, weight + 1):
            h = copy()
            h.update(code_field + (_COPIES[k] if k < len(_COPIES) else field(str(k))))
            d = h.digest()
            if d < best:
                best, best_copy = d, k
        if bound is None or best < bound:
            pools[stratum].append((best, code, weight, best_copy))
    return pools


# Below this many candidates a second process costs more than it saves.
PARALLEL_MIN = 200_000


def _halves(n: int) -> list[range] | None:
    """Two halves of a large scan for two processes, or None: too small, one core, or already in
    a worker process (verify shares draws among processes; a draw inside one stays serial)."""
    if n < PARALLEL_MIN or not parallel.second_process_helps():
        return None
    return [range(0, n // 2), range(n // 2, n)]


def _scan_plain_piece(shared: tuple, piece: range) -> list:
    prefix, codes, bound = shared
    return _scan_plain(prefix, codes[piece.start : piece.stop], bound)


def _scan_piece(shared: tuple, piece: range) -> dict[str, list]:
    prefix, candidates, bounds = shared
    return _scan(prefix, candidates[piece.start : piece.stop], bounds)


def _scan_parallel(prefix, candidates: Sequence[Candidate], bounds: dict[str, bytes | None]) -> dict[str, list]:
    """_scan, on two cores for a large draw. Each ticket depends on its own candidate only and
    the pools are sorted afterwards, so the halves give the same result as one pass."""
    halves = _halves(len(candidates))
    if halves is None:
        return _scan(prefix, candidates, bounds)
    parts = parallel.share_forked(_scan_piece, (prefix, candidates, bounds), halves)
    return {s: parts[0][s] + parts[1][s] for s in bounds}


def _scan_plain_parallel(prefix, codes: Sequence[str], bound: bytes | None) -> list:
    halves = _halves(len(codes))
    if halves is None:
        return _scan_plain(prefix, codes, bound)
    parts = parallel.share_forked(_scan_plain_piece, (prefix, codes, bound), halves)
    return parts[0] + parts[1]


def _scan_plain(prefix, codes: Sequence[str], bound: bytes | None) -> list:
    """_scan for one stratum of unweighted ids: the hot loop of a province-sized draw, with
    field(code) inlined as in _scan (a call per id costs as much as the hashing)."""
    pool = []
    append = pool.append
    copy = prefix.copy
    first = field("1")
    lengths = _LENGTHS
    bound = bound if bound is not None else b"\xff" * 33  # above every digest
    for code in codes:
        data = code.encode()
        n = len(data)
        h = copy()
        h.update((lengths[n] + data if n == len(code) and n < 64 else field(code)) + first)
        d = h.digest()
        if d < bound:
            append((d, code, 1, 1))
    return pool


def draw_plain(seed_hex: str, codes: Sequence[str], n: int, algorithm: str = ALGORITHM) -> list[Ticket]:
    """draw_lowest() for unweighted ids in a single stratum: the same result, without building
    candidates. Codes must be unique."""
    if n > len(codes):
        raise ValueError(f"stratum '' has {len(codes)} candidates, {n} asked")
    prefix = ticket_prefix(seed_hex, "target", algorithm)
    pool = _scan_plain_parallel(prefix, codes, _threshold(n, len(codes)))
    if len(pool) < n:
        pool = _scan_plain_parallel(prefix, codes, None)
    return _take({"": pool}, {"": n})


def _take(pools: dict[str, list], counts: dict[str, int]) -> list[Ticket]:
    drawn = []
    for stratum, pool in pools.items():
        pool.sort()
        if any(a[0] == b[0] for a, b in zip(pool, pool[1:])):  # same bytes hashed: same id after NFC
            raise ValueError(f"duplicate candidate codes in stratum {stratum!r}")
        drawn.extend([Ticket(code, stratum, w, t, k) for t, code, w, k in pool[: counts[stratum]]])
    if len(pools) > 1:  # one pool is in (ticket, code) order already
        drawn.sort(key=lambda t: (t.ticket, t.code))
    return drawn


def draw_lowest(
    seed_hex: str,
    candidates: list[Candidate],
    counts: dict[str, int],
    sizes: dict[str, int] | None = None,
    algorithm: str = ALGORITHM,
) -> list[Ticket]:
    """The `counts[s]` lowest tickets of each stratum s, in ticket order overall.

    Candidate codes must be unique (snapshots refuse duplicate codes); `sizes` (candidates per
    stratum) saves a pass when the caller has counted them already. Raises ValueError when a
    stratum has fewer candidates than asked: an impossible draw never returns fewer than asked.
    """
    if sizes is None:
        sizes = Counter(c.stratum for c in candidates)
    if any(c.weight < 1 for c in candidates):
        raise ValueError("weights must be positive integers")
    for stratum, n in counts.items():
        if n > sizes.get(stratum, 0):
            raise ValueError(f"stratum {stratum!r} has {sizes.get(stratum, 0)} candidates, {n} asked")
    prefix = ticket_prefix(seed_hex, "target", algorithm)
    bounds = {s: _threshold(n, sizes[s]) for s, n in counts.items() if n > 0}
    pools = _scan_parallel(prefix, candidates, bounds)
    short = {s: None for s, pool in pools.items() if len(pool) < counts[s]}
    if short:
        pools.update(_scan_parallel(prefix, candidates, short))
    return _take(pools, counts)
