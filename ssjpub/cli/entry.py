"""The `ssjpub` console script: Ctrl-C and a closed pipe end any command quietly.

It installs the handling before importing anything heavy (click, pydantic, the commands take
half a second to import), so an interrupt at any moment gives one Chinese line and exit 130, never
a traceback. Ctrl-C is raised as ``Interrupted``, which click does not catch (it would print
"Aborted!" for a KeyboardInterrupt) and ``except Exception`` does not swallow; ``finally`` blocks
still run, and files are written whole or not at all (ssjpub.atomicfile).

What comes before this module is the interpreter starting (some 30 ms, most of it the .pth files
of site-packages) and the console script importing it: no package code can run earlier, and a
Ctrl-C there is Python's own (it dies silently, or prints its traceback). Nothing is written then.
"""

from __future__ import annotations

import os
import signal
import sys

INTERRUPTED = "已中断（Ctrl-C），没有留下写了一半的文件。"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
EXIT_PIPE = 141  # 128 + SIGPIPE: the reader went away (`ssjpub rules | head`)


class Interrupted(BaseException):
    """Ctrl-C."""


def _interrupt(_signum, _frame) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
    raise Interrupted


def _stop_output() -> None:
    """Later writes to stdout go nowhere, so that flushing at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    try:
        try:
            from ssjpub.cli.main import main as run

            run()
        finally:
            sys.stdout.flush()  # a closed pipe shows here, while it can still be handled
            # The command is over: Ctrl-C while Python shuts down (it restores the default
            # handler then) would only kill the process by signal, with nothing left to stop.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (Interrupted, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            print(INTERRUPTED, file=sys.stderr, flush=True)
        except OSError:
            pass
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        _stop_output()
        sys.exit(EXIT_PIPE)


if __name__ == "__main__":
    main()
