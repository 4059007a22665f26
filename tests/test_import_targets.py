"""`ssjpub import-targets`: an insured-enterprise export (XLSX or GBK CSV) becomes a snapshot."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from conftest import SAMPLE_MOBILE, fictional_code, problems_of, run_cli, with_wrong_check
from ssjpub.model import SNAPSHOT_COLUMNS

HEADERS = ["统一社会信用代码", "单位名称", "所属区域", "行业", "诚信等级", "联系人", "联系电话"]
CODE_A, CODE_B, CODE_C, CODE_D = (fictional_code(n) for n in (101, 102, 103, 104))
CONTACT_PHONE = "13800138000"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# Spreadsheet rows 2..6 (row 1 is the header).
ROWS = [
    [full_width(CODE_A), "示例县示例甲建材有限公司", "城关镇", "制造业", "A", "张某", CONTACT_PHONE],  # row 2
    [f" {CODE_B.lower()} ", "示例县示例乙物流有限公司", "周庄镇", "交通运输、仓储和邮政业", "b", "李某", "13900139000"],  # 3
    [with_wrong_check(CODE_C), "示例县示例丙商贸有限公司", "城关镇", "批发和零售业", "A", "王某", "13700137000"],  # 4 bad
    [CODE_A, "示例县示例甲建材有限公司（重复）", "城关镇", "制造业", "A", "赵某", "13600136000"],  # 5 duplicate
    [CODE_D, "示例县示例丁餐饮管理有限公司", "石桥镇", "住宿和餐饮业", "C", "钱某", "0375-6123456"],  # 6
]


def write_xlsx(path: Path, headers=HEADERS, rows=ROWS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "参保单位"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def import_targets(repo: Path, file: Path, *extra: str, date: str = "2024-07-01"):
    result = run_cli(
        "import-targets", file, "--agency", "shili", "--date", date, "--root", repo, *extra
    )
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def snapshot_path(repo: Path, date: str = "2024-07-01") -> Path:
    return repo / "plans/shili/targets" / f"{date}.csv"


def rows_of(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_refused_rows_are_listed_by_spreadsheet_row_and_nothing_is_written(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx")
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    shown = xlsx.as_posix()
    assert f"{shown}:4:1: invalid-credit-code " in result.stdout
    assert f"{shown}:5:1: duplicate-id " in result.stdout
    assert "第一次出现在第 2 行" in result.stdout
    assert len(result.stdout.splitlines()) == 2
    assert "--skip-invalid" in result.stderr
    assert not snapshot_path(repo).exists()
    assert list((repo / "plans/shili/targets").iterdir()) == [repo / "plans/shili/targets/2024-01-05.csv"]


def test_skip_invalid_writes_the_good_rows_with_public_columns_only(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx")
    result = import_targets(repo, xlsx, "--source", "参保登记", "--skip-invalid")
    assert result.exit_code == 0, result.output
    out = snapshot_path(repo)
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(SNAPSHOT_COLUMNS)
    rows = rows_of(out)
    assert [r["credit_code"] for r in rows] == sorted([CODE_A, CODE_B, CODE_D])  # half-width, upper, trimmed
    a = next(r for r in rows if r["credit_code"] == CODE_A)
    assert a == {
        "credit_code": CODE_A,
        "name": "示例县示例甲建材有限公司",  # the first of the duplicates is kept
        "area": "城关镇",
        "industry": "制造业",
        "grade": "A",
        "complaints": "0",
        "serious_violation": "否",
        "status": "在营",
        "source": "参保登记",
    }
    assert next(r for r in rows if r["credit_code"] == CODE_B)["grade"] == "B"
    # Contact people and telephone numbers never reach the repository.
    for private in ("张某", "李某", "钱某", CONTACT_PHONE, "0375-6123456", "联系"):
        assert private not in text
    assert "联系人" in result.stderr and "联系电话" in result.stderr  # told what was dropped
    assert "\r" not in text and not out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_imported_snapshot_validates_in_the_repository(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx")
    assert import_targets(repo, xlsx, "--source", "参保登记", "--skip-invalid").exit_code == 0
    assert problems_of(repo) == []
    result = run_cli("validate", repo)
    assert result.exit_code == 0 and result.stdout == ""


def test_a_clean_export_is_written_without_skip_invalid(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0], ROWS[1], ROWS[4]])
    result = import_targets(repo, xlsx, "--source", "本部门审批")
    assert result.exit_code == 0, result.output
    assert {r["source"] for r in rows_of(snapshot_path(repo))} == {"本部门审批"}


def test_an_existing_snapshot_is_never_overwritten(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0], ROWS[1]])
    existing = repo / "plans/shili/targets/2024-01-05.csv"
    before = existing.read_bytes()
    result = import_targets(repo, xlsx, "--source", "参保登记", date="2024-01-05")
    assert result.exit_code == 1
    assert "已存在" in result.stdout
    assert existing.read_bytes() == before
    result = import_targets(repo, xlsx, "--source", "参保登记", "--skip-invalid", date="2024-01-05")
    assert result.exit_code == 1 and existing.read_bytes() == before


def test_gbk_csv_export_is_read_correctly(repo, tmp_path):
    export = tmp_path / "export.csv"
    lines = ["统一社会信用代码,单位名称,所属区域,行业,诚信等级,投诉举报数,来源,联系电话"]
    lines.append(f"{CODE_A},示例县示例甲建材有限公司,城关镇,制造业,A,2,参保登记,{CONTACT_PHONE}")
    lines.append(f"{CODE_B},示例县示例乙职业培训学校,周庄镇,教育,B,0,本部门审批,")
    export.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    result = import_targets(repo, export)
    assert result.exit_code == 0, result.output
    rows = rows_of(snapshot_path(repo))
    assert [(r["name"], r["area"], r["industry"], r["complaints"], r["source"]) for r in rows] == [
        ("示例县示例甲建材有限公司", "城关镇", "制造业", "2", "参保登记"),
        ("示例县示例乙职业培训学校", "周庄镇", "教育", "0", "本部门审批"),
    ]
    assert problems_of(repo) == []


def test_utf8_bom_csv_export_is_read_correctly(repo, tmp_path):
    export = tmp_path / "export.csv"
    text = f"统一社会信用代码,单位名称,区域,行业,诚信等级\n{CODE_A},示例县示例甲建材有限公司,城关镇,制造业,A\n"
    export.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = import_targets(repo, export, "--source", "参保登记")
    assert result.exit_code == 0, result.output
    assert rows_of(snapshot_path(repo))[0]["credit_code"] == CODE_A


def test_personal_data_in_a_public_column_refuses_the_row_and_is_masked(repo, tmp_path):
    rows = [ROWS[0], [CODE_D, f"示例县示例丁餐饮管理有限公司（{SAMPLE_MOBILE}）", "石桥镇", "住宿和餐饮业", "C", "", ""]]
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=rows)
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    assert f"{xlsx.as_posix()}:3:1: personal-data " in result.stdout
    assert SAMPLE_MOBILE not in result.output
    assert not snapshot_path(repo).exists()


def test_missing_source_column_needs_the_source_option(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0]])
    result = import_targets(repo, xlsx)
    assert result.exit_code == 1
    assert "csv-header" in result.stdout and "--source" in result.stdout
    assert not snapshot_path(repo).exists()


def test_missing_required_column_is_named(repo, tmp_path):
    headers = [h for h in HEADERS if h != "行业"]
    rows = [[c for h, c in zip(HEADERS, ROWS[0]) if h != "行业"]]
    xlsx = write_xlsx(tmp_path / "export.xlsx", headers=headers, rows=rows)
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    assert "csv-header" in result.stdout and "行业" in result.stdout


def test_unknown_agency_is_refused(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0]])
    result = run_cli("import-targets", xlsx, "--agency", "nowhere", "--date", "2024-07-01", "--root", repo,
                     "--source", "参保登记")
    assert result.exit_code == 1 and "dangling-reference" in result.stdout
    assert not (repo / "plans/nowhere").exists()


def test_impossible_date_is_a_usage_error(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0]])
    result = import_targets(repo, xlsx, "--source", "参保登记", date="2024-02-30")
    assert result.exit_code == 2 and "不是有效日期" in result.output
    assert not snapshot_path(repo, "2024-02-30").exists()


def test_unreadable_spreadsheet_is_a_file_read_problem(repo, tmp_path):
    bogus = tmp_path / "export.xlsx"
    bogus.write_bytes(b"not a zip file")
    result = import_targets(repo, bogus, "--source", "参保登记")
    assert result.exit_code == 1 and "file-read" in result.stdout


def test_row_numbers_in_a_csv_count_blank_lines(repo, tmp_path):
    export = tmp_path / "export.csv"
    text = (
        "统一社会信用代码,单位名称,区域,行业,诚信等级\n"
        f"{CODE_A},示例县示例甲建材有限公司,城关镇,制造业,A\n"
        "\n"
        f"{with_wrong_check(CODE_C)},示例县示例丙商贸有限公司,城关镇,批发和零售业,A\n"
    )
    export.write_bytes(text.encode("gbk"))
    result = import_targets(repo, export, "--source", "参保登记")
    assert result.exit_code == 1
    assert f"{export.as_posix()}:4:1: invalid-credit-code " in result.stdout


def test_skip_invalid_with_every_row_refused_writes_nothing(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[2]])
    result = import_targets(repo, xlsx, "--source", "参保登记", "--skip-invalid")
    assert result.exit_code == 1
    assert not snapshot_path(repo).exists()


def test_blank_spreadsheet_row_is_skipped_not_refused(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0], [None] * 7, ROWS[1]])
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 0, result.output
    assert len(rows_of(snapshot_path(repo))) == 2


def test_a_digit_int_refuses_in_the_complaints_column_is_a_problem_not_a_crash(repo, tmp_path):
    """“፩” (Ethiopic one) passes str.isdigit() and has no NFKC form; int() refuses it."""
    xlsx = write_xlsx(tmp_path / "export.xlsx", headers=HEADERS + ["投诉举报数"],
                      rows=[ROWS[0] + ["፩"], ROWS[1] + ["３"]])
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["wrong-type"]
    assert f"{xlsx.as_posix()}:2:" in result.stdout  # the full-width “３” is normalised, as before


def test_a_line_break_inside_a_cell_is_refused_at_the_cell(repo, tmp_path):
    """Alt+Enter in a name cell: a snapshot record is one line (draw-spec §2), so the row is refused
    at its cell rather than written into a snapshot that `validate` would then refuse."""
    rows = [ROWS[0], [CODE_D, "示例县示例丁餐饮\n管理有限公司", "石桥镇", "住宿和餐饮业", "C", "钱某", "0375-6123456"]]
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=rows)
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    assert f"{xlsx.as_posix()}:3:2: invalid-value " in result.stdout and "单元格 B3" in result.stdout
    assert not snapshot_path(repo).exists()
