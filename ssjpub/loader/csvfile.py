"""Target-directory snapshots: plans/<agency>/targets/YYYY-MM-DD.csv."""

from __future__ import annotations

import csv
import re
import sys
from datetime import date

from ssjpub.digits import is_ascii_int, non_ascii_digits
from ssjpub.identifiers import credit_code_problem, credit_code_valid
from ssjpub.loader.textfile import TextFile
from ssjpub.model import (
    SNAPSHOT_COLUMNS,
    SNAPSHOT_TITLES,
    TARGET_SOURCES,
    TARGET_STATUSES,
    Snapshot,
    Target,
)
from ssjpub.pii import shown
from ssjpub.problems import Pos, Problem
from ssjpub.spreadsheet import FORMULA_START, column_letter, formula_message, formula_start

_FLAGS = {"是": True, "否": False}
_GRADES = ("A", "B", "C")
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
    if v["grade"] not in _GRADES:
        bad("grade", "invalid-value", f"诚信等级只能是 A、B、C，实际为“{v['grade']}”")
    if not is_ascii_int(v["complaints"]):
        odd = non_ascii_digits(v["complaints"], _COUNT)
        if odd:
            bad("complaints", "non-ascii-digit", f"投诉举报数{odd}")
        else:
            bad("complaints", "wrong-type", f"投诉举报数应为非负整数，实际为“{v['complaints']}”")
    if v["serious_violation"] not in _FLAGS:
        bad("serious_violation", "invalid-value", "严重违法记录只能填“是”或“否”")
    if v["status"] not in TARGET_STATUSES:
        bad("status", "invalid-value", f"经营状态只能是：{'、'.join(TARGET_STATUSES)}")
    if v["source"] not in TARGET_SOURCES:
        bad("source", "invalid-value", f"来源只能是：{'、'.join(TARGET_SOURCES)}")
    return problems


class Reuse:
    """What parsing one snapshot leaves for the next: credit codes found valid (an agency's
    snapshots share most of them), and the previous snapshot's valid rows by their text, most of
    which recur unchanged. Use one per agency, its snapshots in date order."""

    def __init__(self) -> None:
        self.valid_codes: set[str] = set()
        self.header: list[str] = []
        self.rows: dict[str, tuple] = {}  # line text -> Target fields but the line number
        # False for the agency's last snapshot: nothing follows to use its rows, and keeping them
        # would keep every line of a province snapshot alive (hundreds of MiB).
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


def parse_snapshot(
    tf: TextFile, agency: str, taken_on: date, reuse: Reuse | None = None
) -> tuple[Snapshot | None, list[Problem]]:
    """The snapshot, or None and every problem."""
    reuse = Reuse() if reuse is None else reuse
    problems: list[Problem] = []
    lines = tf.text.split("\n")
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return None, [Pos(tf.rel).problem("csv-header", "文件为空：第一行应为表头")]
    header = [h.strip() for h in header]
    hcols = _field_columns(lines[0], len(header))
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
    width = len(header)
    # Cells are stripped; a file with no whitespace at all (the common export) has nothing to
    # strip, and in the columns' own order nothing to reorder either.
    stripped = _STRIPPABLE.search(tf.text) is None
    in_order = stripped and order == list(range(len(SNAPSHOT_COLUMNS)))
    previous = reuse.rows if reuse.header == header else {}
    current: dict[str, tuple] | None = {} if reuse.more else None
    valid_codes = reuse.valid_codes
    seen: dict[str, int] = {}
    targets: list[Target] = []
    intern = sys.intern  # each enterprise's strings recur in every snapshot: keep one copy
    # A code or name is its row's own, shared only with the agency's other snapshots: an agency's
    # only snapshot (the province's) need not intern them (str() is the string itself).
    own = intern if previous or reuse.more else str
    for line, raw, row in _records(tf.text, lines):
        if raw is not None:
            fields = previous.get(raw)
            if fields is not None and fields[0] not in seen:  # valid last time, the same now
                seen[fields[0]] = line
                if current is not None:
                    current[raw] = fields
                targets.append(Target(*fields, line))
                continue
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
        values = row if in_order else [row[i] for i in order] if stripped else [row[i].strip() for i in order]
        code, name, area, industry, grade, complaints, violation, status, source = values
        if (
            code not in seen
            and (code in valid_codes or credit_code_valid(code))
            and name and area and industry and grade in _GRADES and is_ascii_int(complaints)
            and name[0] not in FORMULA_START and area[0] not in FORMULA_START and industry[0] not in FORMULA_START
            and violation in _FLAGS and status in TARGET_STATUSES and source in TARGET_SOURCES
        ):
            seen[code] = line
            if current is not None:
                valid_codes.add(code)
            fields = (own(code), own(name), intern(area), intern(industry), grade,
                      int(complaints), _FLAGS[violation], intern(status), intern(source))
            if raw is not None and current is not None:
                current[raw] = fields
            targets.append(Target(*fields, line))
        else:
            problems += _row_problems(tf.rel, line, lines[line - 1], header, order, values, seen)
    reuse.header, reuse.rows = header, current or {}
    if problems:
        return None, problems
    targets.sort(key=lambda t: t.credit_code)
    return Snapshot(agency, taken_on, tf.rel, tf.sha256, tuple(targets)), []
