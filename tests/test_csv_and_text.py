"""Reading data files (UTF-8, BOM, GBK) and parsing target-directory snapshots with positions."""

from __future__ import annotations

import hashlib
from datetime import date


from conftest import BASE, problems_of
from ssjpub.loader.csvfile import parse_snapshot
from ssjpub.loader.textfile import TextFile, read_data_file
from ssjpub.model import SNAPSHOT_COLUMNS

SNAPSHOT = "plans/shili/targets/2024-01-05.csv"
HEADER = ",".join(SNAPSHOT_COLUMNS)
ROW = "91410999DEM0000014,示例县示例恒达机械制造有限公司,城关镇,制造业,A,0,否,在营,参保登记"
ROW2 = "91410999DEM0000027,示例县示例宏盛建筑工程有限公司,周庄镇,建筑业,C,2,否,在营,参保登记"


def parse(text: str):
    return parse_snapshot(TextFile("t.csv", text, "0" * 64), "shili", date(2024, 1, 5))


# --- read_data_file --------------------------------------------------------------------------


def test_utf8_file_is_read_as_is(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes("a: 中文\n".encode())
    tf, problems = read_data_file(path, "a.yaml")
    assert problems == [] and tf.text == "a: 中文\n" and tf.rel == "a.yaml"
    assert tf.sha256 == hashlib.sha256("a: 中文\n".encode()).hexdigest()


def test_bom_is_stripped_and_crlf_normalised_but_the_digest_is_of_the_raw_bytes(tmp_path):
    raw = b"\xef\xbb\xbf" + "a: 中文\r\nb: 1\r\n".encode()
    path = tmp_path / "a.yaml"
    path.write_bytes(raw)
    tf, problems = read_data_file(path, "a.yaml")
    assert problems == []
    assert tf.text == "a: 中文\nb: 1\n"
    assert tf.sha256 == hashlib.sha256(raw).hexdigest()


def test_gbk_file_is_refused_with_how_to_resave(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(f"{HEADER}\n{ROW}\n".encode("gbk"))
    tf, problems = read_data_file(path, "t.csv")
    assert tf is None
    assert [(p.line, p.code) for p in problems] == [(2, "file-encoding")]
    assert "GBK" in problems[0].message
    assert "CSV UTF-8" in problems[0].message


def test_other_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\xff\n")
    tf, problems = read_data_file(path, "t.yaml")
    assert tf is None
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 4, "file-encoding")]
    assert "不是 UTF-8" in problems[0].message


def test_missing_file_is_a_file_read_problem(tmp_path):
    tf, problems = read_data_file(tmp_path / "absent.yaml", "absent.yaml")
    assert tf is None
    assert [(p.file, p.line, p.code) for p in problems] == [("absent.yaml", 1, "file-read")]


def test_directory_is_a_file_read_problem(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    tf, problems = read_data_file(tmp_path / "dir.yaml", "dir.yaml")
    assert tf is None and [p.code for p in problems] == ["file-read"]


def test_personal_data_is_found_after_a_bom(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + "a: 1\n# 电话 13812345678\n".encode())
    tf, problems = read_data_file(path, "t.yaml")
    assert tf is not None  # still usable: the rest of the file is checked too
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 6, "personal-data")]


# --- whole-repository encodings ----------------------------------------------------------------


def test_excel_utf8_csv_with_bom_and_crlf_is_accepted(repo):
    path = repo / SNAPSHOT
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert problems_of(repo) == []


def test_bom_yaml_is_accepted(repo):
    path = repo / "plans/shili/2024/plan.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems_of(repo) == []


def test_gbk_yaml_is_refused(repo):
    path = repo / "plans/shili/agency.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    assert {(p.file, p.code) for p in problems_of(repo)} == {("plans/shili/agency.yaml", "file-encoding")}


# --- parse_snapshot ----------------------------------------------------------------------------


def test_base_snapshot_loads_every_row_sorted_with_its_line():
    snapshot, problems = parse((BASE / SNAPSHOT).read_text(encoding="utf-8"))
    assert problems == []
    assert len(snapshot.targets) == 10
    codes = [t.credit_code for t in snapshot.targets]
    assert codes == sorted(codes)
    first = next(t for t in snapshot.targets if t.credit_code == "91410999DEM0000014")
    assert first.line == 4 and first.grade == "A" and first.complaints == 0
    road = next(t for t in snapshot.targets if t.credit_code == "91410999DEM000006K")
    assert road.serious_violation is True and road.active
    assert not next(t for t in snapshot.targets if t.status == "停业").active


def test_cell_problems_are_positioned_by_character_column():
    bad = ROW.replace(",A,0,", ",B,x,")
    _snapshot, problems = parse(f"{HEADER}\n{ROW2}\n{bad}\n")
    assert [(p.line, p.column, p.code) for p in problems] == [(3, 46, "wrong-type")]


def test_every_bad_cell_of_every_row_is_reported():
    row2 = ROW2.replace(",在营,", ",营业,").replace("参保登记", "其他")
    row1 = ROW.replace(",否,", ",不详,")
    _snapshot, problems = parse(f"{HEADER}\n{row1}\n{row2}\n")
    assert [(p.line, p.code) for p in problems] == [
        (2, "invalid-value"),
        (3, "invalid-value"),
        (3, "invalid-value"),
    ]


def test_blank_lines_are_skipped_and_later_lines_keep_their_numbers():
    bad = ROW2.replace(",C,", ",D,")
    _snapshot, problems = parse(f"{HEADER}\n{ROW}\n\n{bad}\n\n")
    assert [(p.line, p.code) for p in problems] == [(4, "invalid-value")]


def test_a_quoted_multi_line_cell_is_refused_where_it_starts_and_later_lines_keep_their_numbers():
    """One record per line (draw-spec §2): a line break inside quotes would be joined silently."""
    quoted = ROW.replace("示例县示例恒达机械制造有限公司", '"示例县示例恒达\n机械制造有限公司"')
    bad = ROW2.replace(",C,", ",D,")
    snapshot, problems = parse(f"{HEADER}\n{quoted}\n{bad}\n")
    assert [(p.line, p.code) for p in problems] == [(2, "csv-row"), (4, "invalid-value")]


def test_quoted_cells_with_commas_are_one_cell():
    quoted = ROW.replace("示例县示例恒达机械制造有限公司", '"示例县示例恒达机械制造有限公司,一分厂"')
    snapshot, problems = parse(f"{HEADER}\n{quoted}\n")
    assert problems == []
    assert snapshot.targets[0].name == "示例县示例恒达机械制造有限公司,一分厂"


def test_row_with_too_few_or_too_many_cells_is_a_csv_row_problem():
    short = ROW.rsplit(",", 1)[0]
    long = ROW2 + ",多余"
    _snapshot, problems = parse(f"{HEADER}\n{short}\n{long}\n")
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 1, "csv-row"), (3, 1, "csv-row")]


def test_missing_and_unknown_columns_are_named():
    header = HEADER.replace(",grade", "").replace(",source", ",来源,联系人")
    _snapshot, problems = parse(f"{header}\n")
    codes = [(p.line, p.column, p.code) for p in problems]
    assert (1, header.index("来源") + 1, "csv-header") in codes
    assert (1, header.index("联系人") + 1, "csv-header") in codes
    missing = [p.message for p in problems if "缺少列" in p.message]
    assert len(missing) == 1 and "grade（诚信等级）" in missing[0] and "source（来源）" in missing[0]


def test_duplicate_column_is_refused():
    _snapshot, problems = parse(f"{HEADER},name\n")
    assert any(p.code == "csv-header" and "重复" in p.message for p in problems)


def test_empty_file_is_a_header_problem():
    snapshot, problems = parse("")
    assert snapshot is None and [(p.line, p.code) for p in problems] == [(1, "csv-header")]


def test_header_only_snapshot_is_empty_not_broken():
    snapshot, problems = parse(f"{HEADER}\n")
    assert problems == [] and snapshot.targets == ()


def test_csv_with_cr_line_endings_does_not_crash_validate(repo):
    path = repo / SNAPSHOT
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    problems = problems_of(repo)  # raises _csv.Error today
    assert all(p.file == SNAPSHOT for p in problems)
