"""A split snapshot's parts read by two processes give what one process gives (issue 16 item 5).

A province snapshot's 100 county files are read half in this process, half in a forked one that
sends its columns packed (ssjpub.loader.columns.Packed). These tests lower the size from which
that happens (PARALLEL_MIN_BYTES, a tuning constant) so that a small real repository takes the
two-process path, and compare everything with the one-process path: the snapshot, every problem
(file:line:col, order), the CLI's output and a draw record's bytes.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssjpub import parallel
from ssjpub.draw.engine import candidates_of, find_task
from ssjpub.loader import snapshotparts
from ssjpub.loader.columns import read_columns, read_packed
from ssjpub.validate import validate
from conftest import fictional_code, run_cli

CASE = Path(__file__).resolve().parent / "vectors" / "draws" / "split-population"
PARTS = "plans/shili/targets/2023-01-03"
HEADER = "credit_code,name,area,industry,grade,complaints,serious_violation,status,source\n"


def _row(i: int, county: str) -> str:
    return (f"{fictional_code(i)},示例{i}号有限公司,{county}镇,制造业,{'ABC'[i % 3]},{i % 4},"
            f"{'是' if i % 7 == 0 else '否'},{'在营' if i % 5 else '停业'},参保登记\n")


def _rows(start: int, n: int, county: str) -> str:
    return "".join(_row(i, county) for i in range(start, start + n))


def _swap(text: str) -> str:
    """The first two columns swapped: the name first, the code second (the row reader's case)."""
    return "".join(",".join([c[1], c[0], *c[2:]]) for c in (line.split(",") for line in text.splitlines(keepends=True)))


def _repository(tmp_path: Path, broken: bool, swapped: bool = False) -> Path:
    """The split-population case with its parts replaced by eight generated ones: fast-path files
    and a quoted one (the row reader), with `swapped` all with the name first (the row reader's,
    and the code's column is not 1); with `broken` a bad cell in each half, a code in two parts
    (one in each half), a GBK file and a header unlike the first."""
    root = tmp_path / "repo"
    shutil.copytree(CASE, root)
    (root / "README.md").unlink()
    folder = root / PARTS
    shutil.rmtree(folder)
    folder.mkdir()
    parts = {f"4101{k:02d}.csv": HEADER + _rows(100 * k + 1, 60, f"县{k}") for k in range(8)}
    parts["410103.csv"] = HEADER + _rows(301, 30, "县3").replace("示例3", '"示例3', 5).replace("有限公司,", '有限公司",', 5) \
        + _rows(331, 30, "县3")
    if broken:
        parts["410101.csv"] = parts["410101.csv"].replace(",B,", ",D,", 1)  # the first half
        parts["410105.csv"] = parts["410105.csv"].replace(",在营,", ",歇业,", 2)  # the second half
        parts["410106.csv"] += _row(5, "县0")  # a code of 410100.csv again
        parts["410107.csv"] = "".join(  # status and source the other way round: valid, unlike the first
            ",".join([*c[:-2], c[-1].rstrip("\n"), c[-2]]) + "\n" for c in map(lambda l: l.split(","), parts["410107.csv"].splitlines(keepends=True)))
    for name, text in parts.items():
        text = _swap(text) if swapped else text
        (folder / name).write_bytes(text.encode("gb18030" if broken and name == "410102.csv" else "utf-8"))
    return root


@pytest.fixture
def two_processes(monkeypatch):
    """Any split snapshot is read by two processes; the pieces each call handed out are kept."""
    calls = []
    share = parallel.share_forked

    def kept(fn, shared, pieces, **options):
        calls.append(pieces)
        return share(fn, shared, pieces, **options)

    monkeypatch.setattr(snapshotparts, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    monkeypatch.setattr(parallel, "share_forked", kept)
    return calls


def _one_process(monkeypatch):
    monkeypatch.setattr(snapshotparts, "PARALLEL_MIN_BYTES", 1 << 62)


@pytest.mark.parametrize("broken", [False, True])
@pytest.mark.parametrize("swapped", [False, True])
def test_two_processes_read_the_same_snapshot_and_problems(tmp_path, monkeypatch, two_processes, broken, swapped):
    root = _repository(tmp_path, broken, swapped)
    repo2, problems2 = validate(root)
    (here, packed_here), *there = two_processes[0]  # one call: some parts here, each other one packed
    assert len(two_processes) == 1 and here and not packed_here and [len(p) for p, _ in there] == [1] * len(there)
    assert there and all(packed for _, packed in there)
    monkeypatch.undo()
    _one_process(monkeypatch)
    repo1, problems1 = validate(root)
    assert problems2 == problems1
    assert repo2.files == repo1.files and repo2.broken == repo1.broken
    codes = {p.code for p in problems1}
    if broken:
        assert {"invalid-value", "snapshot-parts-duplicate", "file-encoding", "snapshot-parts-header"} <= codes
        dup = [p for p in problems1 if p.code == "snapshot-parts-duplicate"]
        assert [(p.file.rsplit("/", 1)[1], p.line, p.column) for p in dup] == [("410106.csv", 62, len("示例5号有限公司,") + 1 if swapped else 1)]
        return
    assert [p for p in problems1 if p.code != "draw-mismatch"] == []  # the record was drawn from other parts
    one = repo1.agencies["shili"].snapshots
    two = repo2.agencies["shili"].snapshots
    assert one == two and len(one[max(one)]) == 8 * 60


def test_the_readers_row_kinds_group_the_rows_as_the_columns_do(tmp_path, monkeypatch, two_processes):
    """Each row's kind comes from the column reader (issue 16 item 5), through the packed half and
    across parts; a draw's candidates are the same as when the rows are grouped from the columns."""
    root = _repository(tmp_path, broken=False)
    (root / PARTS / "410103.csv").write_text(HEADER + _rows(301, 60, "县3"), encoding="utf-8")  # all by column
    snapshots = []
    for _ in range(2):  # two processes, then one
        repo, _ = validate(root)
        snapshots.append(snapshot := repo.agencies["shili"].snapshots[max(repo.agencies["shili"].snapshots)])
        assert snapshot.kinds is not None and len(snapshot.kinds.of_row) == 8 * 60
        c = snapshot.columns
        assert [snapshot.kinds.kinds[k] for k in snapshot.kinds.of_row] == list(
            zip(c.area, c.industry, c.grade, c.status, c.complaints, c.serious_violation))
        task = find_task(repo, "shili", 2024, "2024-01").task
        capped = {c.credit_code[3]: 2}
        assert candidates_of(snapshot, task, capped) == candidates_of(replace(snapshot, kinds=None), task, capped)
        monkeypatch.undo()
        _one_process(monkeypatch)
    assert len(two_processes) == 1 and snapshots[0].kinds == snapshots[1].kinds


def _sleep_then_say(shared: None, seconds: float) -> tuple[float, float]:
    time.sleep(seconds)
    return seconds, time.monotonic()  # CLOCK_MONOTONIC: one clock for every process


def test_one_helper_streams_each_result_back_as_soon_as_it_is_done():
    """The helper's results are handed on here while it computes the next (the parts of a split
    snapshot are unpacked here while the helper reads the rest)."""
    if not parallel.can_fork():
        pytest.skip("no fork here")
    arrived = []
    out = parallel.share_forked(_sleep_then_say, None, [0, 0, 0, 3], one_helper=True,
                                then=lambda r: arrived.append(time.monotonic()) or r)
    assert [seconds for seconds, _ in out] == [0, 0, 0, 3]
    assert len(arrived) == 3 and arrived[0] < out[3][1]  # the first came before the last was done


def test_the_cli_says_the_same_and_draws_the_same_bytes(tmp_path, monkeypatch, two_processes):
    out = {}
    for mode in ("two", "one"):
        if mode == "one":
            monkeypatch.undo()
            _one_process(monkeypatch)
        broken = _repository(tmp_path / f"{mode}-broken", True)
        done = run_cli("validate", broken)
        root = _repository(tmp_path / mode, False)
        for suffix in (".json", ".yaml"):
            (root / f"plans/shili/2024/draws/2024-01{suffix}").unlink()
        drawn = run_cli("draw", "shili/2024/2024-01", "--root", root)
        assert drawn.exit_code == 0, drawn.output
        out[mode] = (done.exit_code, done.stdout.replace(str(tmp_path / mode), ""),
                     *((root / f"plans/shili/2024/draws/2024-01{s}").read_bytes() for s in (".json", ".yaml")))
    assert len(two_processes) == 2
    assert out["two"][0] == 1 and "410105.csv:" in out["two"][1]
    assert out["two"] == out["one"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), max_size=40), st.booleans())
def test_packed_columns_are_the_columns(serials, terminated):
    text = HEADER + "".join(_row(i, f"县{i % 3}") for i in serials)
    text = text if terminated or not serials else text[:-1]
    order = list(range(9))
    plain, packed = read_columns(text, order, set()), read_packed(text, order, set())
    assert (plain is None) == (packed is None)  # a repeated serial: a duplicate code, for the row reader
    if plain is not None:
        assert packed.columns() == plain and len(plain.credit_code) == len(serials)
