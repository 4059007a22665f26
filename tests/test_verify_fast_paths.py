"""What makes `ssjpub verify` fast changes nothing it finds: snapshots reused row by row, the
state earlier records pass on carried along, records verified in forked processes, the garbage
collector paused while loading."""

from __future__ import annotations

import csv
import gc
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssjpub.draw.engine import PriorDraws, execute, made_at
from ssjpub.draw.record import render_json, render_yaml
from ssjpub.draw.verify import verify_draws
from ssjpub.identifiers import credit_code_problem
from ssjpub.loader.csvfile import Reuse, _field_columns, parse_snapshot
from ssjpub.loader.textfile import TextFile
from ssjpub.model import (
    SNAPSHOT_COLUMNS,
    SNAPSHOT_TITLES,
    TARGET_SOURCES,
    TARGET_STATUSES,
    Columns,
    Snapshot,
    Target,
)
from ssjpub.pii import shown
from ssjpub.problems import Pos
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = sorted((ROOT / "plans").glob("*/targets/*.csv"))


@pytest.fixture
def demo(tmp_path) -> Path:
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


# --- snapshots ------------------------------------------------------------------------------------


def reference_parse(tf: TextFile, agency: str, taken_on: date):
    """parse_snapshot as it was before rows were reused: csv for every row, columns for every row."""
    problems = []
    lines = tf.text.split("\n")
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return None, [Pos(tf.rel).problem("csv-header", "文件为空：第一行应为表头")]
    header = [h.strip() for h in header]
    if sorted(header) != sorted(SNAPSHOT_COLUMNS):
        return "header", None  # header problems are not what this reference is for
    index = {name: i for i, name in enumerate(header)}
    seen: dict[str, int] = {}
    targets = []
    flags = {"是": True, "否": False}
    last = reader.line_num
    for row in reader:
        line, start, last = reader.line_num, last + 1, reader.line_num
        if line != start:  # a quoted value over a line break: one record per line (draw-spec §2)
            problems.append(Pos(tf.rel, start).problem(
                "csv-row", "这一行引号中的值含有换行，一条记录跨了多行：名录中的值不能换行（多半是单元格内的换行），请删去后重新导出"))
            continue
        if not row or row == [""]:
            continue
        cols = _field_columns(lines[line - 1], len(header))
        if len(row) != len(header):
            problems.append(Pos(tf.rel, line).problem("csv-row", f"该行有 {len(row)} 列，表头有 {len(header)} 列"))
            continue
        v = {name: row[i].strip() for name, i in index.items()}

        def bad(name, code, message, line=line, cols=cols):
            problems.append(Pos(tf.rel, line, cols[index[name]]).problem(code, message))

        ok = True
        why = credit_code_problem(v["credit_code"])
        if why:
            bad("credit_code", "invalid-credit-code", f"统一社会信用代码“{shown(v['credit_code'])}”无效：{why}")
            ok = False
        elif v["credit_code"] in seen:
            bad("credit_code", "duplicate-id", f"统一社会信用代码重复（第一次出现在第 {seen[v['credit_code']]} 行）")
            ok = False
        else:
            seen[v["credit_code"]] = line
        for name in ("name", "area", "industry"):
            if not v[name]:
                bad(name, "missing-field", f"{SNAPSHOT_TITLES[name]}不能为空")
                ok = False
        if v["grade"] not in ("A", "B", "C"):
            bad("grade", "invalid-value", f"诚信等级只能是 A、B、C，实际为“{v['grade']}”")
            ok = False
        if not v["complaints"].isdigit():
            bad("complaints", "wrong-type", f"投诉举报数应为非负整数，实际为“{v['complaints']}”")
            ok = False
        if v["serious_violation"] not in flags:
            bad("serious_violation", "invalid-value", "严重违法记录只能填“是”或“否”")
            ok = False
        if v["status"] not in TARGET_STATUSES:
            bad("status", "invalid-value", f"经营状态只能是：{'、'.join(TARGET_STATUSES)}")
            ok = False
        if v["source"] not in TARGET_SOURCES:
            bad("source", "invalid-value", f"来源只能是：{'、'.join(TARGET_SOURCES)}")
            ok = False
        if ok:
            targets.append(Target(v["credit_code"], v["name"], v["area"], v["industry"], v["grade"],
                                  int(v["complaints"]), flags[v["serious_violation"]], v["status"], v["source"], line))
    if problems:
        return None, problems
    return Snapshot(agency, taken_on, tf.rel, tf.sha256, Columns.of(targets)), []  # rows in file order


def _tf(text: str) -> TextFile:
    return TextFile("t.csv", text, "0" * 64)


def test_the_demo_snapshots_parse_the_same_reused_or_not():
    reuse = Reuse()
    for path in SNAPSHOTS:
        tf = _tf(path.read_text(encoding="utf-8"))
        alone = parse_snapshot(tf, "a", date(2024, 1, 5))
        assert parse_snapshot(tf, "a", date(2024, 1, 5), reuse) == alone == reference_parse(tf, "a", date(2024, 1, 5))
        assert alone[1] == [] and alone[0].targets


_CODES = ["91410999DEM0000014", "91410999DEM0000027", "91410999DEM000006K", "91410999DEM0000015", "9141099"]
_cell = {
    "credit_code": st.sampled_from(_CODES),
    "name": st.sampled_from(["示例恒达", " 示例宏盛 ", "", "a,b", "示例\n换行", 'say "hi"']),
    "area": st.sampled_from(["城关镇", "周庄镇", ""]),
    "industry": st.sampled_from(["制造业", "建筑业"]),
    "grade": st.sampled_from(["A", "B", "C", "D", " A"]),
    "complaints": st.sampled_from(["0", "3", "x", ""]),
    "serious_violation": st.sampled_from(["是", "否", "不详"]),
    "status": st.sampled_from(["在营", "停业", "注销", "营业"]),
    "source": st.sampled_from(list(TARGET_SOURCES) + ["其他"]),
}
_rows = st.lists(st.fixed_dictionaries(_cell), max_size=8)


def _csv(header: list[str], rows: list[dict], extra: list[str]) -> str:
    lines = [",".join(header)]
    for row, tail in zip(rows, extra + [""] * len(rows)):
        cells = []
        for name in header:
            value = row[name]
            cells.append(f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\n') else value)
        lines.append(",".join(cells) + tail)
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(st.permutations(SNAPSHOT_COLUMNS), _rows, _rows, st.lists(st.sampled_from(["", ",多余", "\n"]), max_size=4))
def test_reused_rows_give_what_parsing_every_row_gives(header, first, second, extra):
    """Two snapshots in a row, the second reusing the first's rows: the same targets and the same
    problems, at the same lines and columns, as parsing each alone the way it was done before."""
    reuse = Reuse()
    for rows in (first, second, first):
        tf = _tf(_csv(list(header), rows, extra))
        expected = reference_parse(tf, "a", date(2024, 1, 5))
        assert parse_snapshot(tf, "a", date(2024, 1, 5), reuse) == expected
        assert parse_snapshot(tf, "a", date(2024, 1, 5)) == expected


@settings(max_examples=300, deadline=None)
@given(_rows, _rows, st.lists(st.sampled_from(["", ",多余", "\n"]), max_size=4))
def test_the_column_reader_gives_what_parsing_every_row_gives(first, second, extra):
    """The header in the columns' own order, as exports are: the column reader's path (valid files)
    or its fall back to the row reader (any problem), each as parsing row by row did before."""
    reuse = Reuse()
    for rows in (first, second, first):
        tf = _tf(_csv(list(SNAPSHOT_COLUMNS), rows, extra))
        expected = reference_parse(tf, "a", date(2024, 1, 5))
        assert parse_snapshot(tf, "a", date(2024, 1, 5), reuse) == expected
        snapshot, _ = parse_snapshot(tf, "a", date(2024, 1, 5))
        if snapshot is not None:
            rows = [snapshot.columns.row(i) for i in range(len(snapshot))]
            assert snapshot.targets == tuple(sorted(rows, key=lambda t: t.credit_code))


# --- records: the state earlier records pass on, and verification in forked processes ------------


def test_carried_state_is_what_rereading_the_earlier_records_gives():
    repo, problems = validate(ROOT)
    assert problems == []
    for data in repo.agencies.values():
        carried = PriorDraws()
        for key in sorted(data.draws, key=lambda k: made_at(data, *k)):
            fresh = PriorDraws.before(data, *key)
            assert (carried.keys, carried.times(key[0]), carried.previous) == (
                fresh.keys, fresh.times(key[0]), fresh.previous)
            assert execute(repo, data.code, *key, prior=carried) == execute(repo, data.code, *key)
            carried.add(key, data.draws[key].data)


def _tamper(root: Path) -> None:
    path = root / "plans/yanshi/2023/draws/2023-01.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["groups"][0]["leader"] = "YA999"
    path.write_text(render_json(record), encoding="utf-8")
    path.with_suffix(".yaml").write_text(render_yaml(record), encoding="utf-8")
    mirror = root / "plans/baofeng/2024/draws/2024-02.yaml"
    mirror.write_text(mirror.read_text(encoding="utf-8").replace("leader:", "leader: ", 1), encoding="utf-8")


def test_forked_verification_finds_the_same_in_the_same_order(demo):
    _tamper(demo)
    repo, _ = validate(demo)
    serial = verify_draws(repo, workers=1)
    assert serial[0] == 10 and len(serial[1]) >= 2
    assert verify_draws(repo, workers=2) == serial
    assert verify_draws(repo, workers=3) == serial


# --- loading leaves no garbage for the collector ---------------------------------------------------


def test_loading_makes_no_reference_cycles():
    """`ssjpub verify` pauses the cyclic garbage collector while loading and then freezes what was
    loaded; that is only safe while loading leaves no garbage cycles behind."""
    validate(ROOT)  # first use of everything (caches, lazily built schemas) happens here
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        validate(ROOT)
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_what_load_valid_loaded_is_frozen_before_the_collector_is_back_on():
    """Frozen while the collector is still paused: everything loaded is still in the youngest
    generation then, and the first collection after enabling it would walk it all once (0.2 s for
    a province snapshot). So no collection runs during or right after loading."""
    from ssjpub.cli.common import load_valid

    started = []

    def note(phase, info):
        if phase == "start":
            started.append(info["generation"])

    gc.collect()
    gc.callbacks.append(note)
    try:
        repo, _ = load_valid(ROOT, "text")
        young = gc.get_objects(generation=0)
    finally:
        gc.callbacks.remove(note)
    assert started == []
    assert gc.isenabled() and gc.get_freeze_count() > 0
    assert not any(o is repo for o in young)


def test_the_verify_command_prints_the_same_whatever_the_number_of_jobs(demo):
    from click.testing import CliRunner

    from ssjpub.cli.main import cli

    _tamper(demo)
    outputs = {jobs: CliRunner().invoke(cli, ["verify", "--root", str(demo), "--jobs", jobs]) for jobs in ("1", "2")}
    assert outputs["1"].exit_code == outputs["2"].exit_code == 1
    assert outputs["1"].output == outputs["2"].output and "draw-mismatch" in outputs["1"].output


def _helps(_shared, _piece) -> bool:
    from ssjpub import parallel

    return parallel.second_process_helps()


def test_a_forked_worker_never_forks_again_and_a_fresh_process_may():
    """multiprocessing is imported only where a process is forked (a cached verify never loads it):
    a worker still knows it is one, and a process that never loaded it is none."""
    from ssjpub import parallel

    if not parallel.can_fork():
        pytest.skip("no fork here")
    assert parallel.map_forked(_helps, None, [0, 1], 2) == [False, False]
    probe = "import sys; from ssjpub import parallel; print(parallel.second_process_helps(), 'multiprocessing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(parallel.usable_cpus() >= 2), "False"]
