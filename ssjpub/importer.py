"""Turn an export of the insured-enterprise system (XLSX or CSV) into a target-directory snapshot.

The header is found below title rows; columns and status values are named through
ssjpub.importmap (defaults and the agency's import.yaml); totals and blank rows are skipped and
counted. 诚信等级, 投诉举报数, 严重违法记录 and 经营状态 come from the export or, per unit, from the
first merged file (``--merge``, by credit code) that has the unit, else from the previous
snapshot when asked (``--carry``), never from a default. Only the public columns survive; every refused cell is reported where
Excel shows it, and a value refused on many rows is reported once, with its rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from ssjpub.digits import is_ascii_int
from ssjpub.excel import Cell, Header, Sheet, data_rows, is_blank, norm, pick_sheet
from ssjpub.identifiers import credit_code_problem, normalize_credit_code
from ssjpub.importmap import Names
from ssjpub.model import SNAPSHOT_COLUMNS, SNAPSHOT_TITLES, TARGET_SOURCES, TARGET_STATUSES, Snapshot
from ssjpub.pii import scan_text, shown
from ssjpub.problems import Problem
from ssjpub.spreadsheet import formula_message, formula_start, write_csv

REQUIRED = ("credit_code", "name", "area", "industry")
FACTS = ("grade", "complaints", "serious_violation", "status")  # from the file, a merged file, or carried
# What a merged file's silence means: the complaints system lists the enterprises with complaints,
# a violations list those with violations. A grade or status must be there for each enterprise.
ABSENT_IN_MERGE = {"complaints": "0", "serious_violation": "否"}
_TOTALS = re.compile(r"^(合计|总计|小计|共计)")
_FLAG = {"是": "是", "有": "是", "Y": "是", "YES": "是", "TRUE": "是", "1": "是",
         "否": "否", "无": "否", "N": "否", "NO": "否", "FALSE": "否", "0": "否"}
_SHOWN_ROWS = 8


@dataclass(frozen=True)
class Table:
    """A located table: the sheet, its header, and which column holds each of our fields."""

    sheet: Sheet
    header: Header
    columns: dict[str, int]  # our column -> 1-based column
    dropped: tuple[str, ...]  # their headers we do not publish

    def cell(self, row: int, col: str) -> Cell:
        return self.sheet.at(row, self.columns.get(col, 1))

    def where(self) -> str:
        name = f"工作表“{self.sheet.name}”" if self.sheet.name else ""
        return f"{self.sheet.file} {name}第 {self.header.row} 行"


@dataclass
class Summary:
    csv_text: str = ""
    kept: int = 0
    refused: int = 0
    blank: int = 0
    totals: int = 0
    table: Table | None = None
    sources: dict[str, "Chain"] = field(default_factory=dict)  # fact column -> where its values came from
    codes: set[str] = field(default_factory=set)  # the export's valid credit codes


def locate(sheets: list[Sheet], names: Names, wanted: str | None) -> Table | Problem:
    found = pick_sheet(sheets, names.column, wanted)
    if isinstance(found, Problem):
        return found
    sheet, header = found
    columns: dict[str, int] = {}
    dropped = []
    for i, text in header.cells:
        ours = names.column(text)
        if ours is None or ours in columns:
            dropped.append(text)
        else:
            columns[ours] = i
    return Table(sheet, header, columns, tuple(dropped))


def rows_text(rows: list[int]) -> str:
    if len(rows) <= _SHOWN_ROWS:
        return "第 " + "、".join(map(str, rows)) + " 行"
    return "第 " + "、".join(map(str, rows[:_SHOWN_ROWS])) + f"……行（共 {len(rows)} 行）"


class Collector:
    """Problems of one import: per cell, or once per distinct mistake with the rows it is on."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.grouped: dict[tuple[str, str], list[Cell]] = {}
        self.bad_rows: set[tuple[str, str | None, int]] = set()

    def add(self, cell: Cell, code: str, message: str) -> None:
        self.bad_rows.add((cell.file, cell.sheet, cell.row))
        self.problems.append(cell.problem(code, message))

    def group(self, cell: Cell, code: str, message: str) -> None:
        """``message`` gets the rows it applies to appended: '…：第 4、9 行'."""
        self.bad_rows.add((cell.file, cell.sheet, cell.row))
        self.grouped.setdefault((code, message), []).append(cell)

    def refuse(self, cell: Cell) -> None:
        """The row is refused for a problem reported elsewhere (its unit's value in a merged file)."""
        self.bad_rows.add((cell.file, cell.sheet, cell.row))

    def refused(self, cell: Cell) -> bool:
        return (cell.file, cell.sheet, cell.row) in self.bad_rows

    def all(self) -> list[Problem]:
        out = list(self.problems)
        for (code, message), cells in self.grouped.items():
            out.append(cells[0].problem(code, f"{message}（{rows_text([c.row for c in cells])}）"))
        return out


def header_problems(table: Table, names: Names, wanted: tuple[str, ...]) -> list[Problem]:
    """A required column the header lacks: which row was taken as the header, and what it holds."""
    problems = []
    for col in wanted:
        if col in table.columns:
            continue
        found = "、".join(f"“{t}”" for _i, t in table.header.cells[:12])
        usual = "、".join(f"“{h}”" for h in _usual(names, col))
        where = f"在 {names.file} 的 columns.{col} 下" if names.file else f"在 plans/<机关>/import.yaml 的 columns.{col} 下"
        problems.append(table.sheet.at(table.header.row, 1).problem(
            "csv-header",
            f"表头在第 {table.header.row} 行（{found}），其中找不到“{SNAPSHOT_TITLES[col]}”列。"
            f"可用的列名：{usual}；表中的列名不同时，{where}写上它"
            + ("；表中没有这一列时，用 --source 指定全部行的来源（参保登记或本部门审批）" if col == "source" else "")))
    return problems


def _usual(names: Names, col: str) -> list[str]:
    return [h for h in names.header_names(col) if not h.isascii()][:6]


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


@dataclass
class Facts:
    """Values of one fact column by credit code, from a merged file or a carried snapshot."""

    label: str  # where they come from, for the summary and the messages
    values: dict[str, str]
    absent: str | None  # what an enterprise missing from it has, if anything
    refused: set[str] = field(default_factory=set)  # codes whose value it had was refused (reported there)
    found: int = 0  # enterprises of the export it gave the value of


@dataclass
class Merged:
    """A merged file: its fact columns, and the row of each credit code it lists."""

    table: Table
    facts: dict[str, Facts]
    rows: dict[str, int]


@dataclass
class Chain:
    """Where one fact column's values come from, per unit the first that has it: the merged files
    in order, then the carried snapshot; a unit none has gets ``absent`` (a complaints or
    violations file's silence), if any."""

    sources: list[Facts]
    absent: str | None
    missing: int = 0  # units that got ``absent``

    def label(self) -> str:
        return "、".join(s.label for s in self.sources)

    def value(self, code: str) -> tuple[str | None, bool]:
        """The unit's value, and whether a source's value of it was refused (the row is then refused)."""
        for source in self.sources:
            if code in source.refused:
                return None, True
            value = source.values.get(code)
            if value is not None:
                source.found += 1
                return value, False
        if self.absent is not None:
            self.missing += 1
        return self.absent, False


class Importer:
    def __init__(self, names: Names, source: str | None) -> None:
        self.names = names
        self.source = source
        self.out = Collector()

    # --- values, each checked where it stands ------------------------------------------------

    def fact(self, col: str, text: str, cell: Cell) -> str | None:
        value = norm(text)
        if col in ("grade", "status") and not value:
            accepted = "A、B 或 C" if col == "grade" else "、".join(TARGET_STATUSES) + "（或已有对照的状态）"
            self.out.group(cell, "missing-field", f"{SNAPSHOT_TITLES[col]}为空：请在表格中填写 {accepted}")
        elif col == "grade":
            if value.upper() in ("A", "B", "C"):
                return value.upper()
            self.out.group(cell, "invalid-value", f"诚信等级应为 A、B、C，实际为“{shown(text)}”")
        elif col == "complaints":
            value = value or "0"  # a blank cell of the column: none (the column itself is never assumed)
            if is_ascii_int(value):
                return str(int(value))
            self.out.group(cell, "wrong-type", f"投诉举报数应为非负整数，实际为“{shown(text)}”")
        elif col == "serious_violation":
            flag = _FLAG.get(value.upper() or "否")
            if flag is not None:
                return flag
            self.out.group(cell, "invalid-value", f"严重违法记录应为“是”或“否”，实际为“{shown(text)}”")
        elif col == "status":
            status = self.names.status.get(value)
            if status is not None:
                return status
            where = self.names.file or "plans/<机关>/import.yaml"
            self.out.group(cell, "invalid-value",
                           f"无法识别的单位状态“{shown(text)}”：可以写 {'、'.join(TARGET_STATUSES)}，或已有对照的状态"
                           f"（如正常参保、暂停缴费，见工作人员指南）；要对照这个状态，在 {where} 的 status 下写上"
                           f"“{value}: 在营”（或停业、注销）")
        return None

    def code(self, text: str, cell: Cell, first: dict[str, int]) -> str | None:
        code = normalize_credit_code(text)
        why = credit_code_problem(code)
        if why:
            self.out.add(cell, "invalid-credit-code", f"统一社会信用代码“{shown(code)}”无效：{why}")
            return None
        if code in first:
            self.out.add(cell, "duplicate-id", f"统一社会信用代码重复（第一次出现在第 {first[code]} 行）")
            return None
        return code

    def words(self, table: Table, row: int, col: str, text: str) -> str:
        value = _text(text)
        cell = table.cell(row, col)
        if not value:
            self.out.group(cell, "missing-field", f"{SNAPSHOT_TITLES[col]}为空")
        elif "\n" in value or "\r" in value:  # a cell's own line break (Alt+Enter): a snapshot record is one line
            self.out.add(cell, "invalid-value", f"{SNAPSHOT_TITLES[col]}（单元格 {cell.ref.split('!')[-1]}）中有换行："
                         "请在表格中删去单元格内的换行后重新导入")
        elif formula_start(value):
            self.out.add(cell, "formula-text", formula_message(SNAPSHOT_TITLES[col], value, cell.ref.split("!")[-1]))
        return value

    # --- a merged file: credit code and some fact columns --------------------------------------

    def merged(self, table: Table) -> Merged:
        cols = [c for c in FACTS if c in table.columns]
        if "credit_code" not in table.columns or not cols:
            self.out.problems += header_problems(table, self.names, ("credit_code",))
            if not cols:
                self.out.problems.append(table.sheet.at(table.header.row, 1).problem(
                    "csv-header", f"表头在第 {table.header.row} 行，其中没有可以合并的列（"
                    + "、".join(SNAPSHOT_TITLES[c] for c in FACTS) + "）"))
            return Merged(table, {}, {})
        facts = {c: Facts(table.sheet.file, {}, ABSENT_IN_MERGE.get(c)) for c in cols}
        first: dict[str, int] = {}
        for row, cells in data_rows(table.sheet, table.header):
            if is_blank(cells) or self.is_total(table, cells):
                continue
            get = _getter(table, cells)
            code = self.code(get("credit_code"), table.cell(row, "credit_code"), first)
            if code is None:
                continue
            first[code] = row
            for c in cols:
                value = self.fact(c, get(c), table.cell(row, c))
                if value is not None:
                    facts[c].values[code] = value
                else:
                    facts[c].refused.add(code)
        return Merged(table, facts, first)

    def is_total(self, table: Table, cells: tuple[str, ...]) -> bool:
        """A 合计/总计/小计 row: its first filled cell says so, and it has no credit code."""
        first = next((c for c in cells if c.strip()), "")
        code = normalize_credit_code(_getter(table, cells)("credit_code"))
        return bool(_TOTALS.match(norm(first))) and credit_code_problem(code) is not None

    # --- the export ------------------------------------------------------------------------

    def run(self, table: Table, sources: dict[str, Chain]) -> Summary:
        summary = Summary(table=table, sources=sources)
        rows: dict[str, list[str]] = {}
        first: dict[str, int] = {}
        for row, cells in data_rows(table.sheet, table.header):
            if is_blank(cells):
                summary.blank += 1
                continue
            if self.is_total(table, cells):
                summary.totals += 1
                continue
            get = _getter(table, cells)
            code = self.code(get("credit_code"), table.cell(row, "credit_code"), first)
            public = [code or "", *(self.words(table, row, c, get(c)) for c in ("name", "area", "industry"))]
            lacking: dict[str, list[str]] = {}  # source -> the titles it has no value of for this unit
            for col in FACTS:
                if col in table.columns:
                    public.append(self.fact(col, get(col), table.cell(row, col)) or "")
                    continue
                chain = sources.get(col)
                if chain is None or code is None:  # no source: reported once at the header (fact_sources)
                    public.append("")
                    continue
                value, refused = chain.value(code)
                if refused:
                    self.out.refuse(table.cell(row, "credit_code"))
                elif value is None:
                    lacking.setdefault(chain.label(), []).append(SNAPSHOT_TITLES[col])
                public.append(value or "")
            for label, titles in lacking.items():
                self.out.group(table.cell(row, "credit_code"), "missing-field",
                               f"{label} 中{'都' if '、' in label else ''}没有这些单位，无法取得{'、'.join(titles)}："
                               "请在表中加上这些列，或用 --merge 合并有这些单位的表")
            src = _text(get("source")) if "source" in table.columns else self.source
            if src is not None and src not in TARGET_SOURCES:  # None: no column, reported at the header
                self.out.group(table.cell(row, "source"), "invalid-value",
                               f"来源应为{'或'.join(TARGET_SOURCES)}，实际为“{shown(src or '')}”")
            public.append(src or "")
            for hit in scan_text(",".join(public), table.sheet.file):
                self.out.add(table.sheet.at(row, 1), "personal-data", hit.message)
            if code is not None:
                first.setdefault(code, row)
            if self.out.refused(table.sheet.at(row)) or code is None:
                summary.refused += 1
                continue
            rows[code] = public
        summary.csv_text = write_csv([SNAPSHOT_COLUMNS, *(rows[code] for code in sorted(rows))])
        summary.kept = len(rows)
        summary.codes = set(first)
        return summary


def _getter(table: Table, cells: tuple[str, ...]) -> Callable[[str], str]:
    def get(col: str) -> str:
        i = table.columns.get(col)
        return cells[i - 1] if i is not None and i <= len(cells) else ""
    return get


def carried(snapshot: Snapshot, label: str) -> dict[str, Facts]:
    """The previous snapshot's values, for the columns the export lacks (only when asked)."""
    values: dict[str, dict[str, str]] = {c: {} for c in FACTS}
    for t in snapshot.targets:
        row = dict(zip(SNAPSHOT_COLUMNS, t.row()))
        for c in FACTS:
            values[c][t.credit_code] = row[c]
    return {c: Facts(label, values[c], None) for c in FACTS}


def fact_sources(table: Table, merged: list[Merged], carry: dict[str, Facts] | None,
                 names: Names) -> tuple[dict[str, Chain], list[Problem]]:
    """For each fact column the export lacks, where its values come from: the merged files that
    have it, then the carried snapshot; with neither, an error naming the ways to give it."""
    chosen: dict[str, Chain] = {}
    problems = []
    for col in FACTS:
        if col in table.columns:
            continue
        merges = [m.facts[col] for m in merged if col in m.facts]
        if merges or carry is not None:
            absent = next((m.absent for m in merges if m.absent is not None), None)
            chosen[col] = Chain(merges + ([carry[col]] if carry is not None else []), absent)
            continue
        usual = "、".join(f"“{h}”" for h in _usual(names, col)[:3])
        problems.append(table.sheet.at(table.header.row, 1).problem(
            "csv-header",
            f"表头在第 {table.header.row} 行，其中没有“{SNAPSHOT_TITLES[col]}”列（如 {usual}），ssjpub 不会替它取默认值。"
            "请任选其一：在表中加上这一列；用 --merge 文件 合并另一个有这一列的表（按统一社会信用代码）；"
            "用 --carry 沿用上一快照中的值（或 --carry-from 快照文件 指定快照）"))
    return chosen, problems


def unmatched(merged: list[Merged], codes: set[str]) -> list[str]:
    """The merged files' units the export does not have (a mistyped code, say): their values unused."""
    lines = []
    for m in merged:
        rows = sorted(row for code, row in m.rows.items() if code not in codes)
        if rows:
            lines.append(f"注意：{m.table.sheet.file} 中有 {len(rows)} 家单位不在导出表中，其值未使用"
                         f"（统一社会信用代码是否写错？）：{rows_text(rows)}")
    return lines
