"""Turn an export of the insured-enterprise system (XLSX or CSV) into a target-directory snapshot.

Only the public columns survive; codes are normalised; every refused row is reported by its row
number in the spreadsheet, so staff can find it in Excel.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ssjpub.digits import is_ascii_int
from ssjpub.identifiers import credit_code_problem, normalize_credit_code
from ssjpub.model import SNAPSHOT_COLUMNS, SNAPSHOT_TITLES, TARGET_SOURCES
from ssjpub.pii import scan_text, shown
from ssjpub.problems import Pos, Problem
from ssjpub.spreadsheet import column_letter, formula_message, formula_start, write_csv

# Header names seen in exports, normalised (NFKC, no spaces), to our public columns.
ALIASES: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "credit_code"),
    "name": ("单位名称", "企业名称", "用人单位名称", "参保单位名称", "名称", "name"),
    "area": ("区域", "所属区域", "乡镇", "乡镇(街道)", "所属乡镇", "area"),
    "industry": ("行业", "所属行业", "行业类别", "行业门类", "industry"),
    "grade": ("诚信等级", "劳动保障守法诚信等级", "守法诚信等级", "信用等级", "grade"),
    "complaints": ("投诉举报数", "投诉举报次数", "投诉次数", "complaints"),
    "serious_violation": ("严重违法记录", "严重违法", "有无严重违法记录", "serious_violation"),
    "status": ("经营状态", "单位状态", "登记状态", "状态", "status"),
    "source": ("来源", "数据来源", "source"),
}
_STATUS = {"在营": "在营", "正常": "在营", "存续": "在营", "开业": "在营", "参保": "在营",
           "停业": "停业", "歇业": "停业", "注销": "注销", "吊销": "注销"}
_FLAG = {"是": "是", "有": "是", "Y": "是", "YES": "是", "TRUE": "是", "1": "是",
         "否": "否", "无": "否", "N": "否", "NO": "否", "FALSE": "否", "0": "否", "": "否"}
# Columns that may be absent from an export, with the value that absence means.
_DEFAULTS = {"complaints": "0", "serious_violation": "否", "status": "在营"}


def _norm(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")


@dataclass
class ImportResult:
    csv_text: str = ""
    kept: int = 0
    refused: int = 0
    dropped_columns: list[str] = field(default_factory=list)
    defaulted_columns: list[str] = field(default_factory=list)


def read_table(path: Path) -> pd.DataFrame:
    """Every cell as text; GBK exports from older systems are read as GB18030 (a superset)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("文件既不是 UTF-8 也不是 GBK 编码")
    # Blank lines kept, so that row numbers match what the spreadsheet shows.
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)


def convert(frame: pd.DataFrame, where: str, source: str | None) -> tuple[ImportResult, list[Problem]]:
    result = ImportResult()
    problems: list[Problem] = []
    lookup = {_norm(alias): col for col, aliases in ALIASES.items() for alias in aliases}
    mapping: dict[str, tuple[str, int]] = {}  # our column -> (their header, 1-based column)
    for i, header in enumerate(frame.columns, start=1):
        ours = lookup.get(_norm(header))
        if ours is None or ours in mapping:
            result.dropped_columns.append(str(header))
        else:
            mapping[ours] = (header, i)
    for col in ("credit_code", "name", "area", "industry", "grade"):
        if col not in mapping:
            names = "、".join(ALIASES[col][:3])
            problems.append(
                Pos(where).problem("csv-header", f"找不到“{SNAPSHOT_TITLES[col]}”列（可用的列名：{names}）")
            )
    if source is None and "source" not in mapping:
        problems.append(Pos(where).problem("csv-header", "表中没有“来源”列：请用 --source 指定"))
    if problems:
        return result, problems
    result.defaulted_columns = [c for c in _DEFAULTS if c not in mapping]

    rows: dict[str, list[str]] = {}
    first_row: dict[str, int] = {}
    for index, record in enumerate(frame.itertuples(index=False, name=None)):
        row_no = index + 2  # spreadsheet row: header is row 1
        if all(not str(v).strip() for v in record):
            continue  # an empty row between blocks is not an enterprise

        def cell(col: str) -> str:
            return str(record[mapping[col][1] - 1]) if col in mapping else _DEFAULTS.get(col, "")

        def refuse(col: str, code: str, message: str) -> None:
            problems.append(Pos(where, row_no, mapping[col][1] if col in mapping else 1).problem(code, message))

        before = len(problems)
        code = normalize_credit_code(cell("credit_code"))
        why = credit_code_problem(code)
        if why:
            refuse("credit_code", "invalid-credit-code", f"统一社会信用代码“{shown(code)}”无效：{why}")
        elif code in first_row:
            refuse("credit_code", "duplicate-id", f"统一社会信用代码重复（第一次出现在第 {first_row[code]} 行）")
        name = unicodedata.normalize("NFC", cell("name").strip())
        area = unicodedata.normalize("NFC", cell("area").strip())
        industry = unicodedata.normalize("NFC", cell("industry").strip())
        for col, value in (("name", name), ("area", area), ("industry", industry)):
            if not value:
                refuse(col, "missing-field", f"{SNAPSHOT_TITLES[col]}为空")
            elif "\n" in value or "\r" in value:  # a cell's own line break (Alt+Enter): a snapshot record is one line
                cell_ref = f"{column_letter(mapping[col][1])}{row_no}"
                refuse(col, "invalid-value", f"{SNAPSHOT_TITLES[col]}（单元格 {cell_ref}）中有换行：请在表格中删去单元格内的换行后重新导入")
            elif formula_start(value):
                cell_ref = f"{column_letter(mapping[col][1])}{row_no}"
                refuse(col, "formula-text", formula_message(SNAPSHOT_TITLES[col], value, cell_ref))
        grade = _norm(cell("grade")).upper()
        if grade not in ("A", "B", "C"):
            refuse("grade", "invalid-value", f"诚信等级应为 A、B、C，实际为“{cell('grade')}”")
        complaints = _norm(cell("complaints")) or "0"
        if not is_ascii_int(complaints):
            refuse("complaints", "wrong-type", f"投诉举报数应为非负整数，实际为“{cell('complaints')}”")
        flag = _FLAG.get(_norm(cell("serious_violation")).upper())
        if flag is None:
            refuse("serious_violation", "invalid-value", f"严重违法记录应为“是”或“否”，实际为“{cell('serious_violation')}”")
        status = _STATUS.get(_norm(cell("status")))
        if status is None:
            refuse("status", "invalid-value", f"无法识别的经营状态“{cell('status')}”")
        src = _norm(cell("source")) if "source" in mapping else source
        if src not in TARGET_SOURCES:
            refuse("source", "invalid-value", f"来源应为{'或'.join(TARGET_SOURCES)}，实际为“{src}”")
        public = [code, name, area, industry, grade, str(int(complaints)) if is_ascii_int(complaints) else "",
                  flag or "", status or "", src or ""]
        for p in scan_text(",".join(public), where):
            problems.append(Pos(where, row_no, 1).problem("personal-data", p.message))
        if len(problems) > before:
            result.refused += 1
            continue
        first_row[code] = row_no
        rows[code] = public
    result.csv_text = write_csv([SNAPSHOT_COLUMNS, *(rows[code] for code in sorted(rows))])
    result.kept = len(rows)
    return result, problems
