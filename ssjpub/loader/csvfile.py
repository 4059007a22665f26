"""Target-directory snapshots: plans/<agency>/targets/YYYY-MM-DD.csv."""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import replace
from datetime import date

from ssjpub.digits import is_ascii_int, non_ascii_digits
from ssjpub.identifiers import credit_code_problem, credit_code_valid
from ssjpub.loader.columns import FLAGS, GRADES, Packed, read_packed, read_with_kinds
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
from ssjpub.problems import Pos, Problem
from ssjpub.spreadsheet import FORMULA_START, column_letter, formula_message, formula_start

_COUNT = re.compile(r"[0-9]+")
# Whitespace str.strip() would remove (re's \s is str.isspace()); line breaks separate records.
_STRIPPABLE = re.compile(r"[^\S\n]")


def _field_columns(raw: str, count: int) -> list[int]:
    """1-based character column of each field, exact for the unquoted lines we write."""
    if '"' in raw:
        return [1] * count
    columns, col = [], 1
    for part in raw.split(",")[:count]:
        columns.append(col)
        col += len(part) + 1
    return columns + [1] * (count - len(columns))


def _row_problems(
    rel: str, line: int, raw: str, header: list[str], order: list[int], values: list[str], seen: dict[str, int]
) -> list[Problem]:
    """Every problem of a row that failed the checks, each at its cell. Only rows with problems
    come here, so the cell columns are worked out only for them."""
    cols = _field_columns(raw, len(header))
    v = dict(zip(SNAPSHOT_COLUMNS, values))
    problems: list[Problem] = []

    def bad(name: str, code: str, message: str) -> None:
        problems.append(Pos(rel, line, cols[order[SNAPSHOT_COLUMNS.index(name)]]).problem(code, message))

    why = credit_code_problem(v["credit_code"])
    if why:
        bad("credit_code", "invalid-credit-code", f"统一社会信用代码“{shown(v['credit_code'])}”无效：{why}")
    elif v["credit_code"] in seen:
        bad("credit_code", "duplicate-id", f"统一社会信用代码重复（第一次出现在第 {seen[v['credit_code']]} 行）")
    else:
        seen[v["credit_code"]] = line
    for name in ("name", "area", "industry"):
        if not v[name]:
            bad(name, "missing-field", f"{SNAPSHOT_TITLES[name]}不能为空")
        elif formula_start(v[name]):
            cell = f"{column_letter(order[SNAPSHOT_COLUMNS.index(name)] + 1)}{line}"
            bad(name, "formula-text", formula_message(SNAPSHOT_TITLES[name], v[name], cell))
    if v["grade"] not in GRADES:
        bad("grade", "invalid-value", f"诚信等级只能是 A、B、C，实际为“{v['grade']}”")
    if not is_ascii_int(v["complaints"]):
        odd = non_ascii_digits(v["complaints"], _COUNT)
        if odd:
            bad("complaints", "non-ascii-digit", f"投诉举报数{odd}")
        else:
            bad("complaints", "wrong-type", f"投诉举报数应为非负整数，实际为“{v['complaints']}”")
    if v["serious_violation"] not in FLAGS:
        bad("serious_violation", "invalid-value", "严重违法记录只能填“是”或“否”")
    if v["status"] not in TARGET_STATUSES:
        bad("status", "invalid-value", f"经营状态只能是：{'、'.join(TARGET_STATUSES)}")
    if v["source"] not in TARGET_SOURCES:
        bad("source", "invalid-value", f"来源只能是：{'、'.join(TARGET_SOURCES)}")
    return problems


class Reuse:
    """What parsing one snapshot leaves for the next: the credit codes found valid (an agency's
    snapshots share most of them). Use one per agency, its snapshots in date order."""

    def __init__(self) -> None:
        self.valid_codes: set[str] = set()
        # False for the agency's last snapshot: nothing follows to use its codes, and keeping
        # them would keep a province snapshot's million codes in a set for nothing.
        self.more = True


def _records(text: str, lines: list[str]):
    """(line number, line text, cells) of every record after the header; the cells are None
    when they are the text split at commas. That is what csv gives for a file without quotes,
    carriage returns, NULs or over-long fields, and the common case is then much faster."""
    if not ('"' in text or "\r" in text or "\0" in text) and max(map(len, lines)) <= csv.field_size_limit():
        for i in range(1, len(lines)):
            yield i + 1, lines[i], None
        return
    reader = csv.reader(lines)
    next(reader)
    last = reader.line_num
    for row in reader:
        # One record per line: a quoted value running over a line break (a cell's own line break in
        # an export) would be joined silently, so the row is refused instead (row None).
        yield (reader.line_num, None, row) if reader.line_num == last + 1 else (last + 1, None, None)
        last = reader.line_num


def _lazy_lines(text: str):
    """The lines of `text`, one at a time: reading the header need not split a province file."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def parse_snapshot(
    tf: TextFile, agency: str, taken_on: date, reuse: Reuse | None = None, packed: bool = False
) -> tuple[Snapshot | None, list[Problem]]:
    """The snapshot, or None and every problem. With `packed`, a file the column reader reads
    has its columns as ssjpub.loader.columns.Packed (to send to another process, which calls
    unpacked()); the others have Columns."""
    reuse = Reuse() if reuse is None else reuse
    problems: list[Problem] = []
    first = tf.text.split("\n", 1)[0]
    try:
        header = next(csv.reader(_lazy_lines(tf.text)))  # a quoted header may run on
    except StopIteration:
        return None, [Pos(tf.rel).problem("csv-header", "文件为空：第一行应为表头")]
    header = [h.strip() for h in header]
    hcols = _field_columns(first, len(header))
    missing = [c for c in SNAPSHOT_COLUMNS if c not in header]
    for name, col in zip(header, hcols):
        if name not in SNAPSHOT_COLUMNS:
            problems.append(
                Pos(tf.rel, 1, col).problem(
                    "csv-header",
                    f"未知列“{name}”：名录快照只能包含公开字段 {', '.join(SNAPSHOT_COLUMNS)}",
                )
            )
    if header.count("credit_code") > 1 or len(set(header)) != len(header):
        problems.append(Pos(tf.rel).problem("csv-header", "表头有重复的列"))
    if missing:
        names = "、".join(f"{c}（{SNAPSHOT_TITLES[c]}）" for c in missing)
        problems.append(Pos(tf.rel).problem("csv-header", f"缺少列：{names}"))
    if problems:
        return None, problems

    order = [header.index(name) for name in SNAPSHOT_COLUMNS]
    kinds = None  # the column reader knows each row's kind (ssjpub.draw.population uses it)
    if packed:
        columns = read_packed(tf.text, order, reuse.valid_codes)
    elif (found := read_with_kinds(tf.text, order, reuse.valid_codes)) is not None:
        columns, kinds = found
    else:
        columns = None
    if columns is None:  # something is irregular or wrong: row by row, to say what and where
        targets, problems = _read_rows(tf, tf.text.split("\n"), header, order)
        if problems:
            return None, problems
        columns = Columns.of(targets)
    if reuse.more:
        reuse.valid_codes.update(columns.codes.split("\n") if isinstance(columns, Packed) else columns.credit_code)
    return Snapshot(agency, taken_on, tf.rel, tf.sha256, columns, kinds=kinds), []


def unpacked(snapshot: Snapshot) -> Snapshot:
    """A snapshot parse_snapshot(…, packed=True) gave, with its columns as Columns."""
    if isinstance(snapshot.columns, Packed):
        return replace(snapshot, columns=snapshot.columns.columns(), kinds=snapshot.columns.kinds())
    return snapshot


def _read_rows(tf: TextFile, lines: list[str], header: list[str], order: list[int]) -> tuple[list[Target], list[Problem]]:
    """The rows in file order, or every problem of every row."""
    problems: list[Problem] = []
    width = len(header)
    stripped = _STRIPPABLE.search(tf.text) is None
    seen: dict[str, int] = {}
    targets: list[Target] = []
    for line, raw, row in _records(tf.text, lines):
        if raw is not None:
            row = raw.split(",")
        if row is None:
            problems.append(Pos(tf.rel, line).problem(
                "csv-row", "这一行引号中的值含有换行，一条记录跨了多行：名录中的值不能换行（多半是单元格内的换行），请删去后重新导出"))
            continue
        if not row or row == [""]:
            continue
        if len(row) != width:
            problems.append(
                Pos(tf.rel, line).problem("csv-row", f"该行有 {len(row)} 列，表头有 {width} 列")
            )
            continue
        values = [row[i] for i in order] if stripped else [row[i].strip() for i in order]
        code, name, area, industry, grade, complaints, violation, status, source = values
        if (
            code not in seen and credit_code_valid(code)
            and name and area and industry and grade in GRADES and is_ascii_int(complaints)
            and name[0] not in FORMULA_START and area[0] not in FORMULA_START and industry[0] not in FORMULA_START
            and violation in FLAGS and status in TARGET_STATUSES and source in TARGET_SOURCES
        ):
            seen[code] = line
            targets.append(Target(code, name, sys.intern(area), sys.intern(industry), grade,
                                  int(complaints), FLAGS[violation], sys.intern(status), sys.intern(source), line))
        else:
            problems += _row_problems(tf.rel, line, lines[line - 1], header, order, values, seen)
    return targets, problems
