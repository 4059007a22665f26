"""`ssjpub draw` is crash-safe and Ctrl-C is clean, tested on real processes.

- A draw killed at any moment leaves nothing, the complete pair, or leftovers that `validate`
  reports as `draw-incomplete` and that the next `ssjpub draw` removes before drawing again,
  giving the same bytes; a leftover git holds is refused instead.
- Ctrl-C at any moment after the interpreter has started our code ends with exit 130 and one
  Chinese line on stderr, never a traceback, and never a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import console_script, copy_demo
from ssjpub.cli.entry import INTERRUPTED
from ssjpub.validate import validate

TASK = "baofeng/2024/2024-07"
DRAWS = Path("plans/baofeng/2024/draws")
RECORD = DRAWS / "2024-07.json"
COPY = DRAWS / "2024-07.yaml"


def _command() -> list[str]:
    script = console_script()
    return [str(script)] if script else [sys.executable, "-m", "ssjpub"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """The committed demo's record of the task: what every redo must give, byte for byte."""
    root = copy_demo(tmp_path_factory.mktemp("reference"))
    return {rel: (root / rel).read_bytes() for rel in (RECORD, COPY)}


@pytest.fixture
def undrawn(tmp_path) -> Path:
    root = copy_demo(tmp_path / "demo")
    (root / RECORD).unlink()
    (root / COPY).unlink()
    return root


def _leftovers(root: Path) -> list[str]:
    folder = root / DRAWS
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".2024-07.") or
                  p.name.startswith("2024-07."))


def _codes(root: Path) -> list[tuple[str, str]]:
    _, problems = validate(root)
    return [(p.file, p.code) for p in problems]


def _draw(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*_command(), "draw", TASK, "--root", str(root)], capture_output=True, text=True,
                          timeout=300)


def _crash_between_renames(root: Path) -> int:
    """A real `ssjpub draw` process that dies (os._exit, no cleanup) right after its first
    rename: the YAML copy is in place, the JSON record only staged."""
    program = (
        "import os, sys\n"
        "real = os.replace\n"
        "def replace(src, dst):\n"
        "    real(src, dst)\n"
        "    os._exit(137)\n"
        "os.replace = replace\n"
        f"sys.argv = ['ssjpub', 'draw', {TASK!r}, '--root', {str(root)!r}]\n"
        "from ssjpub.cli.entry import main\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=300).returncode


def test_a_crash_between_the_two_renames_is_reported_and_redone(undrawn, reference):
    assert _crash_between_renames(undrawn) == 137
    names = _leftovers(undrawn)
    assert names[-1] == "2024-07.yaml" and len(names) == 2 and names[0].startswith(".2024-07.json.tmp-")
    # validate names both leftovers, says it was never committed, and how to redo it
    _, problems = validate(undrawn)
    assert sorted((p.file, p.code) for p in problems) == sorted(
        [((DRAWS / names[0]).as_posix(), "draw-incomplete"), (COPY.as_posix(), "draw-incomplete")])
    assert all("未提交到 git" in p.message and f"ssjpub draw {TASK}" in p.message for p in problems)
    # the redo removes them, says so, and writes exactly what an uninterrupted draw writes
    run = _draw(undrawn)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"已删除上次中断的抽取留下的 {COPY.as_posix()}" in run.stderr
    assert _leftovers(undrawn) == ["2024-07.json", "2024-07.yaml"]
    assert {rel: (undrawn / rel).read_bytes() for rel in reference} == reference
    assert _codes(undrawn) == []


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


def test_a_committed_lone_half_is_a_published_record_problem_and_is_kept(undrawn):
    assert _crash_between_renames(undrawn) == 137
    _git(undrawn, "init", "-q")
    _git(undrawn, "add", COPY.as_posix())
    _git(undrawn, "commit", "-qm", "half a record")
    run = _draw(undrawn)
    assert run.returncode == 1
    assert run.stdout.startswith(f"{COPY.as_posix()}:1:1: draw-incomplete ") and "已提交到 git" in run.stdout
    assert "Traceback" not in run.stderr
    assert (undrawn / COPY).is_file()  # nothing removed
    _, problems = validate(undrawn)
    held = [p for p in problems if p.file == COPY.as_posix()]
    assert [p.code for p in held] == ["draw-incomplete"] and "不能重抽" in held[0].message


def test_a_record_without_its_copy_is_reported(undrawn, reference):
    (undrawn / RECORD).write_bytes(reference[RECORD])
    assert _codes(undrawn) == [(RECORD.as_posix(), "draw-incomplete")]


def _duration(root: Path) -> float:
    """How long an uninterrupted draw takes here (the machine may be loaded); its files removed."""
    start = time.monotonic()
    assert _draw(root).returncode == 0
    took = time.monotonic() - start
    for rel in _leftovers(root):
        (root / DRAWS / rel).unlink()
    return took


# Fractions of a whole run: start-up and imports, loading and validation, the draw, the writes.
SPREAD = (0.02, 0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.91, 0.94, 0.97, 1.0, 1.05, 1.2)


def test_a_draw_killed_at_any_moment_leaves_nothing_or_a_redoable_leftover(undrawn, reference):
    """SIGKILL at delays spread over the whole run."""
    seen = set()
    full = _duration(undrawn)
    for delay in (full * f for f in SPREAD):
        for rel in _leftovers(undrawn):
            (undrawn / DRAWS / rel).unlink()
        process = subprocess.Popen([*_command(), "draw", TASK, "--root", str(undrawn)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.kill()
        process.wait(timeout=60)
        names = _leftovers(undrawn)
        if names == ["2024-07.json", "2024-07.yaml"]:
            seen.add("complete")  # killed after the commit point
            assert {rel: (undrawn / rel).read_bytes() for rel in reference} == reference
            continue
        seen.add("leftovers" if names else "nothing")
        # whatever is left is reported, one problem each, and a redo clears it
        assert sorted(_codes(undrawn)) == sorted(((DRAWS / n).as_posix(), "draw-incomplete") for n in names)
        run = _draw(undrawn)
        assert run.returncode == 0, run.stdout + run.stderr
        assert {rel: (undrawn / rel).read_bytes() for rel in reference} == reference
    assert "nothing" in seen


# --- Ctrl-C ---------------------------------------------------------------------------------


PROFILER_LINE = re.compile(r"import time:|\s*\d+ \|")


def _interrupt(args: list[str], delay: float) -> subprocess.CompletedProcess:
    """Run the real console script and send SIGINT ``delay`` seconds after our code has started:
    Python's import profiler prints a line each time a module finishes importing, and the first
    after ``ssjpub.cli.entry`` comes from inside its main(), where Ctrl-C is already handled.
    (Before that the interpreter itself is starting; no package code runs there.)"""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    process = subprocess.Popen([*_command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    lines: list[bytes] = []
    entered = False
    for line in process.stderr:
        lines.append(line)
        if entered:
            break
        entered = line.rstrip().endswith(b"| ssjpub.cli.entry")
    assert entered, b"".join(lines)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    out, rest = process.communicate(timeout=120)
    err = b"".join(lines) + rest
    # The profiler's lines are not what the user sees; nor the end of one ("    19478 |     ssjpub.x"):
    # communicate() reads the pipe itself, so what the line iterator had read ahead is not in `rest`.
    shown = [l for l in err.decode("utf-8").splitlines() if not PROFILER_LINE.match(l)]
    return subprocess.CompletedProcess(args, process.returncode, out.decode("utf-8"), "\n".join(shown))


@pytest.mark.parametrize("delay", [0, 0.01, 0.05, 0.1, 0.2, 0.3])
def test_ctrl_c_during_the_imports_exits_130_with_one_line(tmp_path, delay):
    run = _interrupt(["validate", str(copy_demo(tmp_path / "demo"))], delay)
    assert run.returncode == 130, (run.stdout, run.stderr)
    assert run.stderr == INTERRUPTED
    assert "Traceback" not in run.stdout


def test_ctrl_c_during_a_draw_leaves_the_pair_or_nothing(undrawn, reference):
    outcomes = set()
    full = _duration(undrawn)
    for delay in (full * f for f in SPREAD):
        for rel in _leftovers(undrawn):
            (undrawn / DRAWS / rel).unlink()
        run = _interrupt(["draw", TASK, "--root", str(undrawn)], delay)
        assert "Traceback" not in run.stderr + run.stdout
        if run.returncode == 130:
            assert run.stderr == INTERRUPTED
        else:  # done before the signal came
            assert run.returncode == 0 and run.stderr == "", (run.returncode, run.stderr)
        names = _leftovers(undrawn)
        assert names in ([], ["2024-07.json", "2024-07.yaml"]), names  # never a half, never a temp
        if names:
            assert {rel: (undrawn / rel).read_bytes() for rel in reference} == reference
        outcomes.add((run.returncode, bool(names)))
    assert (130, False) in outcomes  # some interrupts did land inside the draw


def test_ctrl_c_waits_while_a_group_of_files_is_renamed(tmp_path):
    """A real SIGINT sent inside uninterrupted() takes effect only when the block ends."""
    from ssjpub.atomicfile import uninterrupted, write_files

    reached = []
    with pytest.raises(KeyboardInterrupt):
        with uninterrupted():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            reached.append("end of block")
    assert reached == ["end of block"]
    write_files([(tmp_path / "b.yaml", b"b\n"), (tmp_path / "a.json", b"a\n")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.yaml"]  # no temporary file left


def test_a_reader_that_goes_away_ends_the_command_quietly():
    process = subprocess.Popen([*_command(), "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # `ssjpub rules | head` once head has what it wants
    err = process.stderr.read()
    process.wait(timeout=120)
    assert err == b"" and process.returncode in (1, 141)


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
# The demo's re-execution after the fork lasts only a few tens of milliseconds on an idle machine
# (since the province round made loading cheaper): a later signal would find verify already done.
@pytest.mark.parametrize("after", [0, 0.002, 0.01])
@pytest.mark.parametrize("whom", ["group", "parent"])
def test_ctrl_c_while_verify_has_forked_workers_gives_one_line(tmp_path, after, whom):
    """SIGINT to the whole process group, as from a terminal, or to the command alone, just as
    its workers start or once they work: one line, exit 130, and no worker left behind (one would
    hold the output open, and communicate() would time out)."""
    root = copy_demo(tmp_path / "demo")
    process = subprocess.Popen([*_command(), "verify", "--jobs", "2", "--root", str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    while not _children(process.pid) and process.poll() is None:
        time.sleep(0.0005)
    assert process.poll() is None, "verify ended before it forked its workers"
    time.sleep(after)
    if whom == "group":
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert b"Traceback" not in out + err
    assert (process.returncode, err.decode("utf-8")) == (130, INTERRUPTED + "\n")
