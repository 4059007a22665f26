"""Spreadsheet formula injection: text starting with = + - @ (or a tab or CR before them) is
refused where data comes in (`validate`, `import-targets`: `formula-text`), and every CSV/XLSX
the project writes keeps such text as text."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from conftest import fictional_code, problems_of
from ssjpub.site import downloads as D
from ssjpub.site import pages as P
from ssjpub.site import xlsx
from ssjpub.spreadsheet import FORMULA_START, csv_cell, write_csv

EVIL = ["=HYPERLINK(\"http://example.invalid\",\"示例\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
        "=1", "-", "@"]
HEADERS = ["统一社会信用代码", "单位名称", "所属区域", "行业", "诚信等级", "投诉举报数", "严重违法记录", "经营状态"]
FACTS = ["0", "否", "在营"]
CODES = [fictional_code(n) for n in (201, 202, 203, 204)]


def _import(repo: Path, file: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssjpub", "import-targets", str(file), "--agency", "shili",
                           "--date", "2024-07-01", "--source", "参保登记", "--root", str(repo), *extra],
                          capture_output=True, text=True, timeout=300)


def _export(path: Path) -> Path:
    """An XLSX export whose text cells begin with formula characters, stored as text (as an
    export system or a careful Excel user stores them), rows 2-5."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    rows = [
        [CODES[0], "示例县示例甲建材有限公司", "城关镇", "制造业", "A"],
        [CODES[1], "=HYPERLINK(\"http://example.invalid\",\"示例\")", "城关镇", "制造业", "B"],
        [CODES[2], "示例县示例丙商贸有限公司", " +城关镇", "批发和零售业", "A"],
        [CODES[3], "示例县示例丁餐饮管理有限公司", "石桥镇", "@住宿和餐饮业", "C"],
    ]
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row + FACTS, 1):
            cell = ws.cell(r, c)
            cell.value = value
            cell.data_type = "s"  # text, even where it starts with "=" (openpyxl would make it a formula)
    wb.save(path)
    return path


def test_import_targets_refuses_formula_text_at_the_spreadsheet_cell(repo, tmp_path):
    run = _import(repo, _export(tmp_path / "导出.xlsx"))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [
        [f"{tmp_path / '导出.xlsx'}:Sheet!B3:", "formula-text"],
        [f"{tmp_path / '导出.xlsx'}:Sheet!C4:", "formula-text"],
        [f"{tmp_path / '导出.xlsx'}:Sheet!D5:", "formula-text"],
    ]
    assert "（B3 单元格）" in lines[0] and "以“=”开头" in lines[0]
    assert "（C4 单元格）" in lines[1] and "（D5 单元格）" in lines[2]
    assert not (repo / "plans/shili/targets/2024-07-01.csv").exists()


def test_skipping_them_writes_a_snapshot_that_validates(repo, tmp_path):
    run = _import(repo, _export(tmp_path / "导出.xlsx"), "--skip-invalid")
    assert run.returncode == 0, run.stdout + run.stderr
    rows = list(csv.DictReader(io.StringIO((repo / "plans/shili/targets/2024-07-01.csv").read_text("utf-8"))))
    assert [r["credit_code"] for r in rows] == [CODES[0]]
    assert problems_of(repo) == []


def test_a_csv_export_is_checked_the_same_way(repo, tmp_path):
    export = tmp_path / "导出.csv"
    export.write_text(",".join(HEADERS) + f"\n{CODES[0]},-示例县示例甲建材有限公司,城关镇,制造业,A,0,否,在营\n", encoding="utf-8")
    run = _import(repo, export)
    assert run.returncode == 1 and run.stdout.startswith(f"{export}:2:2: formula-text ")


def test_validate_leaves_numbers_and_inner_signs_alone(repo):
    """A sign inside a name, or in a number column, is no formula."""
    path = repo / "plans/shili/targets/2024-01-05.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("示例县示例乙职业培训学校", "示例县示例乙职业培训学校（A+B）"), encoding="utf-8")
    assert problems_of(repo) == []


# --- what the project writes ----------------------------------------------------------------


@given(st.text())
def test_a_csv_cell_never_starts_a_formula_and_reads_back(text):
    cell = csv_cell(text)
    assert not cell or cell[0] not in FORMULA_START or cell.lstrip("-").isdigit() and cell.isascii()
    assert cell in (text, "'" + text)
    [row] = list(csv.reader(io.StringIO(write_csv([[text]]), newline=""))) or [[""]]
    assert row == [cell] or (text == "" and row == [])


def _evil_table() -> P.Table:
    rows = tuple((P.cell(text), P.cell("-3")) for text in EVIL)
    return P.Table("x", "x", P.columns("名称", "数量", numeric=("数量",)), rows)


def test_csv_downloads_keep_formula_text_as_text_and_numbers_as_numbers():
    text = D.table_csv(_evil_table()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["名称", "数量"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in EVIL]
    assert {r[1] for r in rows[1:]} == {"-3"}


def test_xlsx_downloads_hold_formula_text_as_strings_never_formulas():
    data = D.table_xlsx(_evil_table(), None)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [(ws.cell(r, 1), ws.cell(r, 2)) for r in range(2, len(EVIL) + 2)]
    assert [c.data_type for c, _ in cells] == ["s"] * len(EVIL)
    # (a carriage return is stored as Excel's _x000D_ escape, which openpyxl leaves undecoded)
    assert [c.value for c, _ in cells] == [t.replace("\r", "_x000D_") for t in EVIL]
    assert {(n.data_type, n.value) for _, n in cells} == {("n", -3)}


@given(st.text(alphabet=st.sampled_from(list(FORMULA_START) + list("ab1(）示"))))
def test_any_text_written_to_xlsx_is_a_string(text):
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.workbook("s", ["h"], [[text]]))).active
    if text:
        assert ws.cell(2, 1).data_type == "s"
