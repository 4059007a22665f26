"""The `ssjpub` console script: Ctrl-C and a closed pipe end any command quietly.

It installs the Ctrl-C handler before importing anything heavy (click, pydantic and the commands
take half a second to import), so an interrupt at any moment gives one Chinese line and exit 130,
never a traceback. The handler ends the process there and then rather than raising
KeyboardInterrupt: an exception raised at an arbitrary point inside a library (the process pool,
a thread being started, a finaliser) can leave it half-changed, be swallowed ("Exception ignored"),
or hang the shutdown. Nothing is lost by stopping: files are written whole or not at all, and the
temporary files of a write under way are removed (ssjpub.atomicfile); forked workers die with the
process (ssjpub.parallel).

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

_owner = 0  # the process that installed the handler; forked workers inherit it
_quick_exit = False  # set by leave_quickly()


def leave_quickly() -> None:
    """Called by a command that leaves millions of objects behind (a province draw): when it has
    ended, the console script ends the process with os._exit instead of freeing them one by one
    (a second or more). Safe then, and only then: the command has returned, every file it wrote
    is written whole and closed (ssjpub.atomicfile), its worker processes are gone, and stdout
    and stderr are flushed just before; nothing else is left to run at exit. In-process callers
    (tests through click's runner) never reach main() and are not affected."""
    global _quick_exit
    _quick_exit = True


def _interrupt(_signum, _frame) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getpid() == _owner:  # (while files are renamed into place, this waits: atomicfile)
        discard = getattr(sys.modules.get("ssjpub.atomicfile"), "discard_staged", None)  # may be mid-import
        if discard is not None:
            discard()
        try:
            sys.stdout.flush()  # what the command printed so far; refused if a write is under way
        except Exception:  # noqa: BLE001 - a reentrant write or a closed pipe: drop it
            pass
        try:
            os.write(2, (INTERRUPTED + "\n").encode("utf-8"))  # not sys.stderr: it may be mid-write
        except OSError:
            pass
    os._exit(EXIT_INTERRUPTED)


def main() -> None:
    try:
        _main()
    except SystemExit as done:
        if _quick_exit and isinstance(done.code, int | None) and os.getpid() == _owner:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except OSError:
                raise done from None  # let Python's own exit report it
            os._exit(done.code or 0)
        raise


def _main() -> None:
    global _owner
    _owner = os.getpid()
    signal.signal(signal.SIGINT, _interrupt)
    try:
        try:
            from ssjpub.cli.main import main as run

            run()
        finally:
            # The command is over: a Ctrl-C now has nothing left to stop (and while Python shuts
            # down, with its default handler back, it would kill the process by signal).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            sys.stdout.flush()  # a closed pipe shows here, while it can still be handled
    except BrokenPipeError:
        try:  # later writes (Python flushes stdout at exit) go nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(EXIT_PIPE)


if __name__ == "__main__":
    main()
