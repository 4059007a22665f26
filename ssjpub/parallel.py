"""Share independent pieces of work among forked processes, or say it cannot be done here.

Forked children inherit the loaded repository as it is: only the pieces' indices and the
results are pickled. Where fork is unavailable the caller does the work itself.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

# multiprocessing, concurrent.futures and ctypes (~40 ms to import) are imported where a process
# is forked: a command that forks none (a cached `verify`) never pays for them.

S = TypeVar("S")
P = TypeVar("P")
R = TypeVar("R")

_work: tuple | None = None  # (fn, shared, pieces) for the children, set just before they fork


def can_fork() -> bool:
    """Fork where it is the platform's safe default: not on macOS (system frameworks break in
    forked children; Python starts processes by spawning there) and not on Windows (no fork)."""
    import multiprocessing

    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def second_process_helps() -> bool:
    """A forked helper can run beside this process: two CPUs are ours, and this is not already a
    worker (verify's workers share the CPUs among themselves and stay serial inside)."""
    # No multiprocessing loaded: no pool made this process (a forked worker inherits the module).
    loaded = sys.modules.get("multiprocessing")
    return usable_cpus() >= 2 and (loaded is None or loaded.parent_process() is None)


def _child_start(parent: int) -> None:
    """A forked child dies of Ctrl-C at once and silently (the terminal sends it to every process
    of the command; the parent reports it), and it dies with its parent: a child left waiting for
    work that will never come would hold the command's output open for ever."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before that
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _one(index: int):
    fn, shared, pieces = _work
    return fn(shared, pieces[index])


def map_forked(fn: Callable[[S, P], R], shared: S, pieces: Sequence[P], workers: int) -> list[R] | None:
    """[fn(shared, piece) for piece in pieces], in order, computed by up to `workers` forked
    processes; None when no process can be forked here, and the caller does the work itself.
    An exception raised by fn is raised here, as it would be in the caller's own loop."""
    if not can_fork():
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _work
    _work = fn, shared, pieces
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(pieces)), mp_context=context,
                                 initializer=_child_start, initargs=(os.getpid(),)) as pool:
            return list(pool.map(_one, range(len(pieces))))
    except (BrokenProcessPool, OSError):  # a child died or none could start
        return None
    finally:
        _work = None


def share_forked(fn: Callable[[S, P], R], shared: S, pieces: Sequence[P], *, one_helper: bool = False,
                 then: Callable[[R], R] | None = None) -> list[R]:
    """[fn(shared, piece) for piece in pieces], in order: the first piece computed here while
    forked processes compute the others (for one large job split in two, this process would
    otherwise sit waiting). Where no process can be forked, or one dies (killed for memory, say),
    this process computes those pieces itself. An exception raised by fn is raised here.

    With `one_helper`, a single forked process computes the other pieces one after another, and
    `then` (applied here to each of their results) runs on each as soon as it comes, while the
    helper computes the next: the results stream in instead of waiting for all."""
    then = then if then is not None else _same
    if len(pieces) < 2 or not can_fork():
        return [fn(shared, pieces[0]), *(then(fn(shared, piece)) for piece in pieces[1:])] if pieces else []
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _work
    _work = fn, shared, pieces
    try:
        try:
            pool = ProcessPoolExecutor(max_workers=1 if one_helper else len(pieces) - 1,
                                       mp_context=multiprocessing.get_context("fork"),
                                       initializer=_child_start, initargs=(os.getpid(),))
            futures = [pool.submit(_one, i) for i in range(1, len(pieces))]
        except OSError:  # no process could start
            return [fn(shared, pieces[0]), *(then(fn(shared, piece)) for piece in pieces[1:])]
        with pool:
            results = [fn(shared, pieces[0])]
            for i, future in enumerate(futures, 1):
                try:
                    results.append(then(future.result()))
                except BrokenProcessPool:
                    results.append(then(fn(shared, pieces[i])))
            return results
    finally:
        _work = None


def _same(result):
    return result
