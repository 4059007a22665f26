"""The province draw's fast paths (issue 16 item 5) give the bytes the plain code gave.

A province-shaped repository of 20,000 enterprises (bench/synth.py, the `make bench` generator)
is drawn by the real CLI; the record passes docs/verify_draw.py, the stdlib-only verifier that
re-executes the draw from docs/draw-spec.md alone and checks the file's bytes (§8), and both files
equal what json.dumps and yaml.dump write. The snapshot checks' fast paths are compared with the
slow ones on random data.
"""

from __future__ import annotations

import json
import string
import subprocess
import sys
from datetime import date
from pathlib import Path

from hypothesis import event, given, settings
from hypothesis import strategies as st

from bench import synth
from ssjpub.draw import yamlcopy
from ssjpub.draw.record import YAML_HEAD, json_bytes, render_json
from ssjpub.identifiers import CREDIT_CHARSET, credit_code_problem, credit_code_valid
from ssjpub.loader.columns import credit_codes_valid, read_columns, read_with_kinds
from ssjpub.loader.csvfile import Reuse, parse_snapshot
from ssjpub.loader.textfile import TextFile
from conftest import REPO, credit_code, run_cli


def test_a_province_shaped_draw_passes_the_independent_verifier(tmp_path):
    root = tmp_path / "province"
    stamp = synth.generate_province(synth.Scale("province", 10, 20_000), root, jobs=1)
    done = run_cli("draw", stamp["task"], "--root", root)
    assert done.exit_code == 0, done.output
    record_file = root / "plans/x41/2025/draws/2025-01.json"
    check = subprocess.run([sys.executable, str(REPO / "docs/verify_draw.py"), "--root", str(root),
                            "plans/x41/2025/draws/2025-01.json"], capture_output=True, text=True, timeout=600)
    assert check.returncode == 0 and check.stdout.startswith("OK "), check.stdout + check.stderr
    record = json.loads(record_file.read_text(encoding="utf-8"))
    # One file per county (GitHub refuses one 126 MiB file): a split population, ssjpub-draw/3
    assert record["algorithm"] == "ssjpub-draw/3" and len(record["population"]["parts"]) == stamp["snapshot_parts"] == 10
    assert sum(p["rows"] for p in record["population"]["parts"]) == record["population"]["rows"] == 20_000
    assert len(record["targets"]) > 900 and len({t["weight"] for t in record["targets"]}) > 1
    assert record_file.read_bytes() == (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode()
    copy = record_file.with_suffix(".yaml").read_text(encoding="utf-8")
    assert copy == YAML_HEAD + yamlcopy.dump(record)


# JSON data without floats: a record has none (the draw is integers only), where orjson and json differ.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400)
@given(JSON)
def test_record_json_is_json_dumps_indented(data):
    try:
        expected = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        expected.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no record can be written either way
        return
    assert json_bytes(data) == expected.encode("utf-8")  # what draw writes and verify compares
    assert render_json(data) == expected


def test_record_json_takes_what_orjson_refuses():
    for data in ({1: "a"}, {"big": 2**70}, [{"k": {True: None}}]):
        expected = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        assert json_bytes(data) == expected.encode("utf-8")
        assert render_json(data) == expected


CODE_TEXT = st.text(alphabet=CREDIT_CHARSET + "IOSVZa０ ", min_size=16, max_size=19)


@settings(max_examples=2000)
@given(st.one_of(CODE_TEXT, st.text(alphabet=CREDIT_CHARSET, min_size=17, max_size=17).map(credit_code)))
def test_the_fast_credit_code_check_agrees_with_the_explained_one(code):
    assert credit_code_valid(code) == (credit_code_problem(code) is None)


ROW = ["91410999MA0000001X", "示例公司", "东城", "制造业", "A", "0", "否", "在营", "本部门审批"]


@given(st.lists(st.sampled_from([" ", "\t", "\u3000", "\xa0", ""]), min_size=9, max_size=9),
       st.permutations(range(9)))
def test_cells_are_stripped_and_columns_reordered_whatever_the_fast_paths(pads, order):
    header = ["credit_code", "name", "area", "industry", "grade", "complaints", "serious_violation", "status", "source"]
    code = credit_code("91410999MA0000001")
    row = [code, *ROW[1:]]
    cells = [pads[i] + row[i] + pads[i] for i in order]
    text = ",".join(header[i] for i in order) + "\n" + ",".join(cells) + "\n"
    snapshot, problems = parse_snapshot(TextFile("t.csv", text, "0" * 64), "shili", date(2024, 1, 5))
    assert problems == [] and snapshot is not None
    t = snapshot.targets[0]
    assert (t.credit_code, t.name, t.area, t.status, t.complaints) == (code, "示例公司", "东城", "在营", 0)


def test_the_last_snapshot_keeps_nothing_for_a_next_one_and_parses_the_same():
    header = ",".join(["credit_code", "name", "area", "industry", "grade", "complaints", "serious_violation", "status", "source"])
    codes = [credit_code(f"91410999MA{i:07d}") for i in range(50)]
    first = header + "\n" + "".join(f"{c},甲公司{i},东城,制造业,A,{i % 3},否,在营,参保登记\n" for i, c in enumerate(codes))
    second = header + "\n" + "".join(f"{c},甲公司{i},东城,制造业,{'AB'[i % 2]},0,否,在营,参保登记\n" for i, c in enumerate(codes))
    reuse = Reuse()
    parse_snapshot(TextFile("a.csv", first, "0" * 64), "shili", date(2024, 1, 5), reuse)
    assert reuse.valid_codes == set(codes)
    reuse.more = False
    kept, problems = parse_snapshot(TextFile("b.csv", second, "0" * 64), "shili", date(2024, 7, 5), reuse)
    alone, _ = parse_snapshot(TextFile("b.csv", second, "0" * 64), "shili", date(2024, 7, 5))
    assert problems == [] and kept.targets == alone.targets and reuse.valid_codes == set(codes)


def test_a_valid_export_is_read_by_column_and_an_invalid_one_row_by_row():
    """The column reader takes the common valid file whole; one bad cell sends it back to the
    row reader, which names the cell (the error fixtures check every message)."""
    header = ",".join(synth.SNAPSHOT_COLUMNS)
    codes = [credit_code(f"91410999MA{i:07d}") for i in range(30)]
    text = header + "\n" + "".join(f"{c},乙公司{i},西城,建筑业,{'ABC'[i % 3]},{i % 4},{'是否'[i % 2]},在营,参保登记\n"
                                   for i, c in enumerate(codes))
    columns = read_columns(text, list(range(9)), set())
    assert columns is not None and columns.credit_code == tuple(codes) and columns.line == tuple(range(2, 32))
    assert columns.complaints[:4] == (0, 1, 2, 3) and columns.serious_violation[:2] == (True, False)
    bad = text.replace("乙公司7,", "=乙公司7,")
    assert read_columns(bad, list(range(9)), set()) is None
    snapshot, problems = parse_snapshot(TextFile("t.csv", bad, "0" * 64), "shili", date(2024, 1, 5))
    assert snapshot is None and [(p.code, p.line, p.column) for p in problems] == [("formula-text", 9, 20)]


@settings(max_examples=3000)
@given(st.lists(st.one_of(CODE_TEXT, st.text(alphabet=CREDIT_CHARSET, min_size=17, max_size=17).map(credit_code)),
                max_size=6))
def test_the_column_check_of_credit_codes_agrees_with_the_explained_one(codes):
    assert credit_codes_valid(codes) == all(credit_code_problem(c) is None for c in codes)


# Cells a rest of a row may hold: (valid ones, ones the row reader refuses); a valid one 9 times
# in 10, so that whole files pass too.
REST_CELLS = [st.sampled_from(valid * 9 + invalid) for valid, invalid in [
    (["东城", " 西城", "南城\t"], ["", "=东城", "+1"]),  # area
    (["制造业", "建筑业 "], ["", "@业"]),  # industry
    (["A", "B", " C"], ["D", "", "a"]),  # grade
    (["0", "3", " 12"], ["-1", "²", "1.5", ""]),  # complaints
    (["是", "否 "], ["", "Y"]),  # serious_violation
    (["在营", "停业", "注销"], ["歇业", ""]),  # status
    (["参保登记", " 本部门审批"], ["其他", ""]),  # source
]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(*REST_CELLS), min_size=1, max_size=12))
def test_the_column_check_of_the_rest_of_a_row_agrees_with_the_row_reader(rests):
    """The column reader checks each distinct rest column by column (issue 16 item 5): it takes a
    file exactly when the row reader finds nothing wrong, the same cells, and gives each row's
    kind (area, industry, grade, status, complaints, serious violation)."""
    header = ",".join(synth.SNAPSHOT_COLUMNS)
    text = header + "\n" + "".join(f"{credit_code(f'91410999MA{i:07d}')},丙公司{i},{','.join(r)}\n"
                                   for i, r in enumerate(rests))
    found = read_with_kinds(text, list(range(9)), set())
    rows, problems = parse_snapshot(TextFile("t.csv", text.replace("丙公司0,", '"丙公司0",'), "0" * 64),
                                    "shili", date(2024, 1, 5))  # quoted: the row reader only
    assert (found is None) == bool(problems)
    event("read by column" if found is not None else "refused")
    if found is not None:
        columns, kinds = found
        assert columns == rows.columns and rows.kinds is None
        c = columns
        assert [kinds.kinds[k] for k in kinds.of_row] == list(
            zip(c.area, c.industry, c.grade, c.status, c.complaints, c.serious_violation))
        assert len(set(kinds.kinds)) == len(kinds.kinds)  # one id per kind within a file
