"""`ssjpub import-targets`: an insured-enterprise export (XLSX or GBK CSV) becomes a snapshot."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from conftest import SAMPLE_MOBILE, fictional_code, problems_of, run_cli, with_wrong_check
from libreoffice import CSV_UTF8, XLSX, convert, needs_libreoffice
from ssjpub.model import SNAPSHOT_COLUMNS

HEADERS = ["统一社会信用代码", "单位名称", "所属区域", "行业", "诚信等级", "投诉举报数", "严重违法记录", "单位状态", "联系人", "联系电话"]
CODE_A, CODE_B, CODE_C, CODE_D = (fictional_code(n) for n in (101, 102, 103, 104))
CONTACT_PHONE = "13800138000"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# Spreadsheet rows 2..6 (row 1 is the header).
ROWS = [
    [full_width(CODE_A), "示例县示例甲建材有限公司", "城关镇", "制造业", "A", 0, "否", "正常", "张某", CONTACT_PHONE],  # row 2
    [f" {CODE_B.lower()} ", "示例县示例乙物流有限公司", "周庄镇", "交通运输、仓储和邮政业", "b", 0, "否", "正常", "李某", "13900139000"],  # 3
    [with_wrong_check(CODE_C), "示例县示例丙商贸有限公司", "城关镇", "批发和零售业", "A", 0, "否", "正常", "王某", "13700137000"],  # 4 bad
    [CODE_A, "示例县示例甲建材有限公司（重复）", "城关镇", "制造业", "A", 0, "否", "正常", "赵某", "13600136000"],  # 5 duplicate
    [CODE_D, "示例县示例丁餐饮管理有限公司", "石桥镇", "住宿和餐饮业", "C", 0, "否", "正常", "钱某", "0375-6123456"],  # 6
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
    assert f"{shown}:参保单位!A4: invalid-credit-code " in result.stdout
    assert f"{shown}:参保单位!A5: duplicate-id " in result.stdout
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
    lines = ["统一社会信用代码,单位名称,所属区域,行业,诚信等级,投诉举报数,严重违法记录,经营状态,来源,联系电话"]
    lines.append(f"{CODE_A},示例县示例甲建材有限公司,城关镇,制造业,A,2,否,在营,参保登记,{CONTACT_PHONE}")
    lines.append(f"{CODE_B},示例县示例乙职业培训学校,周庄镇,教育,B,0,否,在营,本部门审批,")
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
    text = f"统一社会信用代码,单位名称,区域,行业,诚信等级,投诉举报数,严重违法记录,经营状态\n{CODE_A},示例县示例甲建材有限公司,城关镇,制造业,A,0,否,在营\n"
    export.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = import_targets(repo, export, "--source", "参保登记")
    assert result.exit_code == 0, result.output
    assert rows_of(snapshot_path(repo))[0]["credit_code"] == CODE_A


def test_personal_data_in_a_public_column_refuses_the_row_and_is_masked(repo, tmp_path):
    rows = [ROWS[0], [CODE_D, f"示例县示例丁餐饮管理有限公司（{SAMPLE_MOBILE}）", "石桥镇", "住宿和餐饮业", "C", 0, "否", "在营", "", ""]]
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=rows)
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    assert f"{xlsx.as_posix()}:参保单位!A3: personal-data " in result.stdout
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
        "统一社会信用代码,单位名称,区域,行业,诚信等级,投诉举报数,严重违法记录,经营状态\n"
        f"{CODE_A},示例县示例甲建材有限公司,城关镇,制造业,A,0,否,在营\n"
        "\n"
        f"{with_wrong_check(CODE_C)},示例县示例丙商贸有限公司,城关镇,批发和零售业,A,0,否,在营\n"
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
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0], [None] * 10, ROWS[1]])
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 0, result.output
    assert len(rows_of(snapshot_path(repo))) == 2


def test_a_digit_int_refuses_in_the_complaints_column_is_a_problem_not_a_crash(repo, tmp_path):
    """“፩” (Ethiopic one) passes str.isdigit() and has no NFKC form; int() refuses it."""
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0][:5] + ["፩"] + ROWS[0][6:], ROWS[1][:5] + ["３"] + ROWS[1][6:]])
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["wrong-type"]
    assert f"{xlsx.as_posix()}:参保单位!F2:" in result.stdout  # the full-width “３” is normalised, as before


def test_a_line_break_inside_a_cell_is_refused_at_the_cell(repo, tmp_path):
    """Alt+Enter in a name cell: a snapshot record is one line (draw-spec §2), so the row is refused
    at its cell rather than written into a snapshot that `validate` would then refuse."""
    rows = [ROWS[0], [CODE_D, "示例县示例丁餐饮\n管理有限公司", "石桥镇", "住宿和餐饮业", "C", 0, "否", "在营", "钱某", "0375-6123456"]]
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=rows)
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    assert f"{xlsx.as_posix()}:参保单位!B3: invalid-value " in result.stdout and "单元格 B3" in result.stdout
    assert not snapshot_path(repo).exists()


# --- exports as the insured-enterprise system writes them (issue 14 item 4) --------------------

REAL_HEADERS = ["序号", "单位名称", "统一社会信用代码", "所属区域/乡镇", "行业类别", "单位状态", "联系人", "联系电话"]
REAL = [fictional_code(n) for n in range(201, 207)]


def real_export(path: Path, statuses=("正常参保", "暂停缴费", "正常参保", "迁出", "迁出", "正常参保"),
                headers=REAL_HEADERS, extra_sheet: bool = True, broken_code: bool = False) -> Path:
    """A title merged over A1:H1, a date line, the header on row 3, blank rows, a 合计 row, a notes sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "宝丰县参保单位名单"
    ws.merge_cells("A1:H1")
    ws["A2"] = "导出日期：2025-01-02"
    ws.merge_cells("A2:D2")
    ws.append(headers)  # row 3
    areas = ["城关镇", "城关镇", "周庄镇", "周庄镇", "石桥镇", "石桥镇"]
    for i, (code, status, area) in enumerate(zip(REAL, statuses, areas), start=1):  # rows 4..9
        if broken_code and i == 2:
            code = with_wrong_check(code)
        ws.append([i, f"示例县示例{i}号商贸有限公司", code, area, "批发和零售业", status, "某某", "13800138000"])
        if i == 3:
            ws.append([None] * len(headers))  # row 7: a blank row between blocks
    ws.append([])  # row 11: blank
    ws.append(["合计", None, None, None, None, None, "6 家", None])  # row 12
    if extra_sheet:
        notes = wb.create_sheet("说明")
        notes["A1"] = "本表由社会保险信息系统导出，仅供内部使用。"
    wb.save(path)
    return path


def complaints_export(path: Path, counts: dict[str, int]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "投诉举报"
    ws["A1"] = "投诉举报受理情况统计"
    ws.merge_cells("A1:C1")
    ws.append(["统一社会信用代码", "单位名称", "投诉举报件数"])
    for code, n in counts.items():
        ws.append([code, "（略）", n])
    wb.save(path)
    return path


def test_a_real_export_reports_every_problem_once_in_one_run_and_writes_nothing(repo, tmp_path):
    xlsx = real_export(tmp_path / "名单.xlsx", broken_code=True)
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    shown = xlsx.as_posix()
    lines = result.stdout.splitlines()
    # The missing fact columns: one line each, at the header row, naming the three ways to give them.
    missing = [line for line in lines if " csv-header " in line]
    assert [line.split(": ")[0] for line in missing] == [f"{shown}:Sheet1!A3"] * 3
    for title in ("诚信等级", "投诉举报数", "严重违法记录"):
        assert sum(f"没有“{title}”列" in line for line in missing) == 1
    assert all("--merge" in line and "--carry" in line and "表头在第 3 行" in line for line in missing)
    # The unknown status: once, at its first cell, with its rows and what is accepted.
    status = [line for line in lines if "迁出" in line]
    assert len(status) == 1
    assert status[0].startswith(f"{shown}:Sheet1!F8: invalid-value ")
    assert "第 8、9 行" in status[0] and "在营、停业、注销" in status[0] and "import.yaml" in status[0]
    # The bad code, in the same run; no line for the title, the date, the blank or the 合计 rows.
    assert f"{shown}:Sheet1!C5: invalid-credit-code " in result.stdout
    assert len(lines) == 5, result.stdout
    assert "表头在第 3 行" in result.stderr
    assert not snapshot_path(repo).exists()


def test_a_real_export_with_merged_complaints_and_carried_grades_is_written(repo, tmp_path):
    (repo / "plans/shili/import.yaml").write_text("status:\n  迁出: 注销\n", encoding="utf-8")
    xlsx = real_export(tmp_path / "名单.xlsx")
    complaints = complaints_export(tmp_path / "投诉举报.xlsx", {REAL[0]: 3, REAL[4]: 1})
    previous = repo / "plans/shili/targets/2024-01-05.csv"
    with previous.open("a", encoding="utf-8") as fh:  # one of the export's units was there last time
        fh.write(f"{REAL[0]},示例县示例1号商贸有限公司,城关镇,批发和零售业,C,520,是,在营,参保登记\n")
    result = import_targets(repo, xlsx, "--source", "参保登记", "--merge", complaints, "--carry", date="2025-01-02")
    # Units the previous snapshot lacks cannot carry a grade: one line, their rows listed.
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{xlsx.as_posix()}:Sheet1!C5: missing-field plans/shili/targets/2024-01-05.csv 中没有")
    assert "诚信等级、严重违法记录" in line and "第 5、6、8、9、10 行" in line
    assert not snapshot_path(repo, "2025-01-02").exists()

    with previous.open("a", encoding="utf-8") as fh:
        for code in REAL[1:]:
            fh.write(f"{code},示例县示例商贸有限公司,城关镇,批发和零售业,B,1,否,在营,参保登记\n")
    grades = complaints_export(tmp_path / "诚信等级.xlsx", {})  # a grading export: code and grade
    wb = openpyxl.load_workbook(grades)
    ws = wb.active
    ws["C2"] = "诚信等级"
    for i, code in enumerate(REAL):
        ws.append([code, "（略）", "ABCABC"[i]])
    ws.append([fictional_code(999), "（不在名单中的单位）", "B"])
    wb.save(grades)
    result = import_targets(repo, xlsx, "--source", "参保登记", "--merge", complaints, "--merge", grades,
                            "--carry", date="2025-01-02")
    assert result.exit_code == 0, result.output
    rows = {r["credit_code"]: r for r in rows_of(snapshot_path(repo, "2025-01-02"))}
    assert sorted(rows) == sorted(REAL)
    assert [rows[c]["grade"] for c in REAL] == list("ABCABC")  # merged, not carried: a merged file comes first
    # Per unit: the merged file where it lists the unit, else the carried snapshot (as asked).
    assert [rows[c]["complaints"] for c in REAL] == ["3", "1", "1", "1", "1", "1"]
    assert rows[REAL[0]]["serious_violation"] == "是"  # carried, as asked
    assert [rows[c]["status"] for c in REAL] == ["在营", "停业", "在营", "注销", "注销", "在营"]
    assert [rows[c]["area"] for c in REAL] == ["城关镇", "城关镇", "周庄镇", "周庄镇", "石桥镇", "石桥镇"]
    assert "跳过空行 2 行、合计行 1 行" in result.stderr
    assert f"投诉举报数：取自 {complaints.as_posix()}（2 家）、plans/shili/targets/2024-01-05.csv（4 家）\n" in result.stderr
    # The grading export's unit the export lacks: listed, not dropped silently.
    assert f"注意：{grades.as_posix()} 中有 1 家单位不在导出表中，其值未使用（统一社会信用代码是否写错？）：第 9 行" in result.stderr
    assert "严重违法记录：取自 plans/shili/targets/2024-01-05.csv（6 家）" in result.stderr
    assert "联系电话" in result.stderr and "13800138000" not in snapshot_path(repo, "2025-01-02").read_text()
    assert problems_of(repo) == []


def test_carry_from_names_the_snapshot_and_a_failed_one_writes_nothing(repo, tmp_path):
    xlsx = real_export(tmp_path / "名单.xlsx", statuses=("正常参保",) * 6)
    result = import_targets(repo, xlsx, "--source", "参保登记", "--carry-from", "plans/shili/targets/2023-01-01.csv")
    assert result.exit_code == 1 and "missing-file" in result.stdout and "--carry-from" in result.stdout
    assert "csv-header" not in result.stdout  # not the noise of the columns the carry was for


def test_an_agency_mapping_names_other_columns_and_is_validated(repo, tmp_path):
    headers = [h if h != "所属区域/乡镇" else "辖区" for h in REAL_HEADERS]
    xlsx = real_export(tmp_path / "名单.xlsx", headers=headers, statuses=("正常参保",) * 6)
    result = import_targets(repo, xlsx, "--source", "参保登记", "--carry")
    assert result.exit_code == 1
    assert "找不到“区域”列" in result.stdout and "“所属乡镇”" in result.stdout
    assert "plans/shili/import.yaml 的 columns.area" in result.stdout

    mapping = repo / "plans/shili/import.yaml"
    mapping.write_text("columns:\n  area: [辖区]\n  aera: [乡镇]\n", encoding="utf-8")
    result = import_targets(repo, xlsx, "--source", "参保登记", "--carry")
    assert result.exit_code == 1
    assert "plans/shili/import.yaml:3:3: unknown-key " in result.stdout and "area" in result.stdout
    assert any(p.code == "unknown-key" and p.file == "plans/shili/import.yaml" for p in problems_of(repo))

    mapping.write_text("columns:\n  area: [辖区]\n  industry: [辖区]\n", encoding="utf-8")
    assert [(p.line, p.code) for p in problems_of(repo)] == [(3, "duplicate-id")]


def test_two_sheets_with_headers_need_the_sheet_option(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0]])
    wb = openpyxl.load_workbook(xlsx)
    second = wb.create_sheet("第二批")
    second.append(HEADERS)
    second.append(ROWS[4])
    wb.save(xlsx)
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1 and "--sheet" in result.stdout and "“第二批”（第 1 行）" in result.stdout
    result = import_targets(repo, xlsx, "--source", "参保登记", "--sheet", "第二批")
    assert result.exit_code == 0, result.output
    assert [r["credit_code"] for r in rows_of(snapshot_path(repo))] == [CODE_D]


def test_an_old_xls_file_is_told_to_be_saved_as_xlsx(repo, tmp_path):
    xls = tmp_path / "名单.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    result = import_targets(repo, xls, "--source", "参保登记")
    assert result.exit_code == 1 and "file-read" in result.stdout and "另存为" in result.stdout


@needs_libreoffice
def test_exports_saved_by_libreoffice_as_xlsx_and_csv_import_alike(repo, tmp_path):
    """LibreOffice writes its own XLSX (shared strings, its merged-cell records) and a CSV where the
    merged title fills one cell: both give the same problems at the same rows, and once fixed, the
    same snapshot."""
    original = real_export(tmp_path / "名单.xlsx", broken_code=True)
    saved = convert(original, XLSX, tmp_path / "lo")
    as_csv = convert(original, CSV_UTF8, tmp_path / "lo-csv")  # the first sheet only
    for path, at in ((saved, "Sheet1!C5"), (as_csv, "5:3")):
        result = import_targets(repo, path, "--source", "参保登记", "--carry")
        assert result.exit_code == 1, result.output
        assert f"{path.as_posix()}:{at}: invalid-credit-code " in result.stdout
        assert "第 8、9 行" in result.stdout and "迁出" in result.stdout
        assert not snapshot_path(repo).exists()
    (repo / "plans/shili/import.yaml").write_text("status:\n  迁出: 注销\n", encoding="utf-8")
    (tmp_path / "fixed").mkdir()
    clean = real_export(tmp_path / "fixed/名单.xlsx")
    fixed = convert(clean, XLSX, tmp_path / "lo-fixed")
    fixed_csv = convert(clean, CSV_UTF8, tmp_path / "lo-fixed-csv")
    previous = repo / "plans/shili/targets/2024-01-05.csv"
    with previous.open("a", encoding="utf-8") as fh:
        for code in REAL:
            fh.write(f"{code},示例县示例商贸有限公司,城关镇,批发和零售业,B,1,否,在营,参保登记\n")
    written = []
    for date, path in (("2025-01-02", fixed), ("2025-01-03", fixed_csv)):
        result = import_targets(repo, path, "--source", "参保登记", "--carry-from", previous, date=date)
        assert result.exit_code == 0, result.output
        assert "跳过空行 2 行、合计行 1 行" in result.stderr
        written.append(snapshot_path(repo, date).read_text(encoding="utf-8"))
    assert written[0] == written[1] and len(written[0].splitlines()) == 7


def test_the_staff_guide_shows_the_real_output(repo, tmp_path, monkeypatch):
    """The guide's example run and its problems, reproduced (docs/staff-guide.md, 导入导出表)."""
    guide = (Path(__file__).parent.parent / "docs/staff-guide.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    real_export(Path("名单.xlsx"), broken_code=True)
    result = run_cli("import-targets", "名单.xlsx", "--agency", "shili", "--date", "2025-01-02", "--root", "repo",
                     "--source", "参保登记")
    shown = [line for line in result.stdout.splitlines() if "诚信等级" in line or "!C5" in line or "!F8" in line]
    assert len(shown) == 3
    for line in shown:
        assert line.replace("plans/shili/", "plans/baofeng/") in guide, line
    real_export(Path("名单.xlsx"))
    complaints_export(Path("投诉举报.xlsx"), {REAL[0]: 3, REAL[4]: 1})
    wb = openpyxl.load_workbook(complaints_export(Path("诚信等级.xlsx"), {}))
    wb.active["C2"], wb.active["D2"] = "诚信等级", "严重违法记录"
    for i, code in enumerate(REAL):
        wb.active.append([code, "（略）", "ABCABC"[i], "否"])
    wb.save("诚信等级.xlsx")
    (repo / "plans/shili/import.yaml").write_text("status:\n  迁出: 注销\n", encoding="utf-8")
    result = run_cli("import-targets", "名单.xlsx", "--agency", "shili", "--date", "2025-01-02", "--root", "repo",
                     "--source", "参保登记", "--merge", "投诉举报.xlsx", "--merge", "诚信等级.xlsx")
    assert result.exit_code == 0, result.output
    expected = result.stderr.replace("repo/plans/shili/", "plans/baofeng/")
    assert "```text\n" + expected + "```" in guide


def facts_export(path: Path, headers: list[str], rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", *headers])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_merge_with_carry_takes_each_unit_from_the_merged_file_else_the_snapshot(repo, tmp_path):
    """The review's case: an export whose units were in the last snapshot, plus a new unit merged
    from a one-row file. The others keep their carried values; the summary says which came from where."""
    xlsx = real_export(tmp_path / "名单.xlsx", statuses=("正常参保",) * 6)
    previous = repo / "plans/shili/targets/2024-01-05.csv"
    with previous.open("a", encoding="utf-8") as fh:
        for code in REAL[:5]:
            fh.write(f"{code},示例县示例商贸有限公司,城关镇,批发和零售业,B,2,是,在营,参保登记\n")
    result = import_targets(repo, xlsx, "--source", "参保登记", "--carry", date="2025-01-02")
    assert result.exit_code == 1 and "2024-01-05.csv 中没有这些单位" in result.stdout and "第 10 行" in result.stdout
    new = facts_export(tmp_path / "newunit.xlsx", ["诚信等级", "投诉举报数", "严重违法记录"],
                       [[REAL[5], "A", 0, "否"], [fictional_code(998), "C", 4, "是"]])
    result = import_targets(repo, xlsx, "--source", "参保登记", "--carry", "--merge", new, date="2025-01-02")
    assert result.exit_code == 0, result.output
    rows = {r["credit_code"]: r for r in rows_of(snapshot_path(repo, "2025-01-02"))}
    assert [(rows[c]["grade"], rows[c]["complaints"], rows[c]["serious_violation"]) for c in REAL] == [
        ("B", "2", "是")] * 5 + [("A", "0", "否")]
    carried = "plans/shili/targets/2024-01-05.csv（5 家）"
    for title in ("诚信等级", "投诉举报数", "严重违法记录"):
        assert f"{title}：取自 {new.as_posix()}（1 家）、{carried}\n" in result.stderr
    assert "记为 0" not in result.stderr
    assert f"{new.as_posix()} 中有 1 家单位不在导出表中" in result.stderr and "：第 3 行" in result.stderr
    assert problems_of(repo) == []


def test_a_mistyped_code_in_a_complaints_file_is_listed_not_dropped(repo, tmp_path):
    xlsx = real_export(tmp_path / "名单.xlsx", statuses=("正常参保",) * 6)
    other = fictional_code(997)
    complaints = complaints_export(tmp_path / "投诉举报.xlsx", {REAL[0]: 3, other: 2})
    grades = facts_export(tmp_path / "诚信等级.xlsx", ["诚信等级", "严重违法记录"], [[c, "B", "否"] for c in REAL])
    result = import_targets(repo, xlsx, "--source", "参保登记", "--merge", complaints, "--merge", grades)
    assert result.exit_code == 0, result.output
    assert "投诉举报数：取自 " + complaints.as_posix() + "（1 家，不在其中的 5 家记为 0）" in result.stderr
    assert (f"注意：{complaints.as_posix()} 中有 1 家单位不在导出表中，其值未使用（统一社会信用代码是否写错？）：第 4 行"
            in result.stderr)
    assert "诚信等级.xlsx 中有" not in result.stderr


def test_a_bad_value_in_a_merged_file_is_reported_once_and_the_closing_line_counts_it(repo, tmp_path):
    xlsx = real_export(tmp_path / "名单.xlsx", statuses=("正常参保",) * 6)
    grades = facts_export(tmp_path / "grade.xlsx", ["诚信等级", "投诉举报数", "严重违法记录"],
                          [[c, g, 0, "否"] for c, g in zip(REAL, ["A", "A级", "B", "良好", "C", "A级"])])
    result = import_targets(repo, xlsx, "--source", "参保登记", "--merge", grades)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(" ")[1] for line in lines] == ["invalid-value", "invalid-value"], result.stdout
    assert "没有这些单位" not in result.stdout
    assert "合并的表中有 3 行有问题，未写入任何文件。" in result.stderr
    assert "可加 --skip-invalid：" in result.stderr and "只写入其余 3 家单位" in result.stderr
    result = import_targets(repo, xlsx, "--source", "参保登记", "--merge", grades, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert sorted(r["credit_code"] for r in rows_of(snapshot_path(repo))) == sorted([REAL[0], REAL[2], REAL[4]])


def test_a_blank_status_or_grade_cell_is_said_to_be_empty(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0][:7] + [None], ROWS[1][:4] + [None] + ROWS[1][5:]])
    result = import_targets(repo, xlsx, "--source", "参保登记")
    assert result.exit_code == 1
    shown = xlsx.as_posix()
    assert f"{shown}:参保单位!H2: missing-field 经营状态为空：请在表格中填写 在营、停业、注销（或已有对照的状态）（第 2 行）" in result.stdout
    assert f"{shown}:参保单位!E3: missing-field 诚信等级为空：请在表格中填写 A、B 或 C（第 3 行）" in result.stdout
    assert "import.yaml" not in result.stdout
    assert f"{shown} 中有 2 行有问题，未写入任何文件。" in result.stderr


# --- one part of a split snapshot (--part): a large agency imports one county at a time ----------


def test_parts_are_imported_one_county_at_a_time_into_the_day_folder(repo, tmp_path):
    first = write_xlsx(tmp_path / "a.xlsx", rows=[ROWS[0], ROWS[1]])
    second = write_xlsx(tmp_path / "b.xlsx", rows=[ROWS[4]])
    assert import_targets(repo, first, "--source", "参保登记", "--part", "410402", date="2025-01-02").exit_code == 0
    result = import_targets(repo, second, "--source", "参保登记", "--part", "410421-宝丰县.csv", date="2025-01-02")
    assert result.exit_code == 0, result.output
    folder = repo / "plans/shili/targets/2025-01-02"
    assert sorted(p.name for p in folder.iterdir()) == ["410402.csv", "410421-宝丰县.csv"]
    assert f"已写入 {folder.as_posix()}/410421-宝丰县.csv" in result.stderr
    assert [r["credit_code"] for r in rows_of(folder / "410402.csv")] == [CODE_A, CODE_B]
    assert not snapshot_path(repo, "2025-01-02").exists()
    assert problems_of(repo) == []  # the two parts are one snapshot of three units
    from ssjpub.validate import validate

    snapshot = validate(repo)[0].agencies["shili"].snapshots[__import__("datetime").date(2025, 1, 2)]
    assert [p.file.rsplit("/", 1)[1] for p in snapshot.parts] == ["410402.csv", "410421-宝丰县.csv"] and len(snapshot) == 3
    # The same part again is refused, nothing changed.
    before = (folder / "410402.csv").read_bytes()
    again = import_targets(repo, second, "--source", "参保登记", "--part", "410402", date="2025-01-02")
    assert again.exit_code == 1 and "duplicate-id" in again.stdout and "410402.csv" in again.stdout
    assert (folder / "410402.csv").read_bytes() == before


def test_a_day_is_one_file_or_one_folder_of_parts(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "a.xlsx", rows=[ROWS[0]])
    # 2024-01-05.csv exists in the example repository: no folder of parts beside it.
    result = import_targets(repo, xlsx, "--source", "参保登记", "--part", "410402", date="2024-01-05")
    assert result.exit_code == 1 and "snapshot-twice" in result.stdout and "2024-01-05.csv" in result.stdout
    assert not (repo / "plans/shili/targets/2024-01-05").exists()
    assert import_targets(repo, xlsx, "--source", "参保登记", "--part", "410402", date="2025-01-02").exit_code == 0
    whole = import_targets(repo, xlsx, "--source", "参保登记", date="2025-01-02")
    assert whole.exit_code == 1 and "snapshot-twice" in whole.stdout and "--part" in whole.stdout
    assert not snapshot_path(repo, "2025-01-02").exists()


def test_a_part_name_that_is_no_plain_file_name_is_refused(repo, tmp_path):
    xlsx = write_xlsx(tmp_path / "a.xlsx", rows=[ROWS[0]])
    for name in ("../x", "a/b", ".hidden", "", "县 1"):
        result = import_targets(repo, xlsx, "--source", "参保登记", "--part", name, date="2025-01-02")
        assert result.exit_code == 1 and "invalid-value" in result.stdout and "--part" in result.stdout, name
    assert not (repo / "plans/shili/targets/2025-01-02").exists()


def test_carry_with_a_part_takes_the_same_part_of_an_earlier_day(repo, tmp_path):
    graded = write_xlsx(tmp_path / "a.xlsx", rows=[ROWS[0], ROWS[4]])
    assert import_targets(repo, graded, "--source", "参保登记", "--part", "410402", date="2025-01-02").exit_code == 0
    bare = write_xlsx(tmp_path / "b.xlsx", headers=HEADERS[:4] + HEADERS[7:8], rows=[r[:4] + r[7:8] for r in (ROWS[0], ROWS[4])])
    result = import_targets(repo, bare, "--source", "参保登记", "--part", "410402", "--carry", date="2025-02-03")
    assert result.exit_code == 0, result.output
    assert rows_of(repo / "plans/shili/targets/2025-02-03/410402.csv") == rows_of(repo / "plans/shili/targets/2025-01-02/410402.csv")
    # A part no earlier split day has: the single-file day before them (the first time a county is split).
    # (These two units are not in it, so nothing is written: the message names the file it looked in.)
    first = import_targets(repo, bare, "--source", "参保登记", "--part", "410403", "--carry", date="2025-02-03")
    assert first.exit_code == 1 and "plans/shili/targets/2024-01-05.csv 中没有这些单位" in first.stdout, first.output
    # Plain --carry after a split day: the values of all its parts.
    whole = import_targets(repo, bare, "--source", "参保登记", "--carry", date="2025-03-03")
    assert whole.exit_code == 0, whole.output
    assert "取自 plans/shili/targets/2025-02-03/" in whole.stderr
    assert rows_of(snapshot_path(repo, "2025-03-03")) == rows_of(repo / "plans/shili/targets/2025-02-03/410402.csv")


def test_nothing_to_carry_from_writes_nothing_even_with_skip_invalid(repo, tmp_path):
    bare = write_xlsx(tmp_path / "b.xlsx", headers=HEADERS[:4] + HEADERS[7:8], rows=[r[:4] + r[7:8] for r in (ROWS[0], ROWS[4])])
    for how in (("--carry-from", "plans/shili/targets/2000-01-01.csv"), ("--carry",)):
        result = import_targets(repo, bare, "--source", "参保登记", *how, "--skip-invalid", date="2000-01-01")
        assert result.exit_code == 1 and "missing-file" in result.stdout, how
        assert "--skip-invalid" not in result.output, how  # no way round it to offer
    assert not snapshot_path(repo, "2000-01-01").exists()
