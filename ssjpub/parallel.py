"""Share independent pieces of work among forked processes, or say it cannot be done here.

Forked children inherit the loaded repository as it is: only the pieces' indices and the
results are pickled. Where fork is unavailable the caller does the work itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

S = TypeVar("S")
P = TypeVar("P")
R = TypeVar("R")

_work: tuple | None = None  # (fn, shared, pieces) for the children, set just before they fork


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _one(index: int):
    fn, shared, pieces = _work
    return fn(shared, pieces[index])


def map_forked(fn: Callable[[S, P], R], shared: S, pieces: Sequence[P], workers: int) -> list[R] | None:
    """[fn(shared, piece) for piece in pieces], in order, computed by up to `workers` forked
    processes; None when no process can be forked here, and the caller does the work itself.
    An exception raised by fn is raised here, as it would be in the caller's own loop."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _work
    _work = fn, shared, pieces
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(pieces)), mp_context=context) as pool:
            return list(pool.map(_one, range(len(pieces))))
    except (BrokenProcessPool, OSError):  # a child died or none could start
        return None
    finally:
        _work = None


def share_forked(fn: Callable[[S, P], R], shared: S, pieces: Sequence[P]) -> list[R] | None:
    """[fn(shared, piece) for piece in pieces], in order: the first piece computed here while
    forked processes compute the others (for one large job split in two, this process would
    otherwise sit waiting). None when no process can be forked here."""
    if "fork" not in multiprocessing.get_all_start_methods() or len(pieces) < 2:
        return None
    global _work
    _work = fn, shared, pieces
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(pieces) - 1, mp_context=context) as pool:
            others = pool.map(_one, range(1, len(pieces)))
            first = fn(shared, pieces[0])
            return [first, *others]
    except (BrokenProcessPool, OSError):
        return None
    finally:
        _work = None
