"""Target-directory snapshots: plans/<agency>/targets/YYYY-MM-DD.csv."""

from __future__ import annotations

import csv
from datetime import date

from ssjpub.identifiers import credit_code_problem
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

_FLAGS = {"是": True, "否": False}


def _field_columns(raw: str, count: int) -> list[int]:
    """1-based character column of each field, exact for the unquoted lines we write."""
    if '"' in raw:
        return [1] * count
    columns, col = [], 1
    for part in raw.split(",")[:count]:
        columns.append(col)
        col += len(part) + 1
    return columns + [1] * (count - len(columns))


def parse_snapshot(
    tf: TextFile, agency: str, taken_on: date
) -> tuple[Snapshot | None, list[Problem]]:
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

    index = {name: i for i, name in enumerate(header)}
    seen: dict[str, int] = {}
    targets: list[Target] = []
    for row in reader:
        line = reader.line_num
        if not row or row == [""]:
            continue
        cols = _field_columns(lines[line - 1], len(header))
        if len(row) != len(header):
            problems.append(
                Pos(tf.rel, line).problem("csv-row", f"该行有 {len(row)} 列，表头有 {len(header)} 列")
            )
            continue
        v = {name: row[i].strip() for name, i in index.items()}

        def bad(name: str, code: str, message: str) -> None:
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
        if v["serious_violation"] not in _FLAGS:
            bad("serious_violation", "invalid-value", "严重违法记录只能填“是”或“否”")
            ok = False
        if v["status"] not in TARGET_STATUSES:
            bad("status", "invalid-value", f"经营状态只能是：{'、'.join(TARGET_STATUSES)}")
            ok = False
        if v["source"] not in TARGET_SOURCES:
            bad("source", "invalid-value", f"来源只能是：{'、'.join(TARGET_SOURCES)}")
            ok = False
        if ok:
            targets.append(
                Target(
                    credit_code=v["credit_code"],
                    name=v["name"],
                    area=v["area"],
                    industry=v["industry"],
                    grade=v["grade"],
                    complaints=int(v["complaints"]),
                    serious_violation=_FLAGS[v["serious_violation"]],
                    status=v["status"],
                    source=v["source"],
                    line=line,
                )
            )
    if problems:
        return None, problems
    targets.sort(key=lambda t: t.credit_code)
    return Snapshot(agency, taken_on, tf.rel, tf.sha256, tuple(targets)), []
