"""`ssjpub import-results`: a filled workbook → results/<agency>/<year>/<task>.yaml.

The YAML is checked exactly as `ssjpub validate` and `ssjpub check` would check it once written
(the loader, the integrity checks and the rule catalogue, on the repository with this file in
place of the old one), and every problem found in it is placed back in the cell it came from:
the written YAML is parsed for the position of each value, and each value's path names a cell.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ssjpub import yamlwrite
from ssjpub.loader.repository import Repository, load_yaml
from ssjpub.loader.textfile import text_file
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.model import FollowUp, Result, TaskResults, Withheld
from ssjpub.problems import Problem
from ssjpub.resultbook import layout as L
from ssjpub.resultbook.cells import at
from ssjpub.resultbook.entries import Entry, TaskRef
from ssjpub.resultbook.reader import Book, Row
from ssjpub.rules.catalogue import RuleContext, calendar_of, commit_date, latest_data_date, run_rules
from ssjpub.rules.integrity import check_repository

_LINE = re.compile(r"第 ([0-9]+) 行")
NESTED = {"follow_up": FollowUp, "withheld": Withheld}
# A rule's message names a YAML field ("withheld.reason"); to an Excel user, its column.
_COLUMN_NAMES = {".".join(c.path): f"{letter} 列“{c.title}”" for letter, c in zip(L.LETTERS, L.COLUMNS) if c.path}
_COLUMN_NAMES["follow_up"] = "{}、{} 列".format(L.cell_of(("follow_up", "visited_on")), L.cell_of(("follow_up", "outcome")))
_FIELD = re.compile(r"(?<![A-Za-z0-9_.])(?:" + "|".join(map(re.escape, sorted(_COLUMN_NAMES, key=len, reverse=True))) + r")(?![A-Za-z0-9_.])")
# Not a problem of the workbook: rows left blank are "not yet inspected", counted in the summary.
NOT_YET = {"result-missing"}


def _ordered(model, body: dict) -> dict:
    """``body`` with its keys in the model's field order (nested mappings too)."""
    out = {}
    for name in model.model_fields:
        if name in body:
            value = body[name]
            out[name] = _ordered(NESTED[name], value) if name in NESTED else value
    return out


def result_body(code: str, row: Row) -> dict:
    body: dict = {"target": code}
    for path, value in row.values.items():
        if value is None:  # a date that could not be read: reported where it is
            continue
        node = body
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return _ordered(Result, body)


@dataclass
class Emitted:
    """A results file as it would be written, and which sheet row each of its results came from."""

    text: str
    body: dict
    rows: list[Row]
    _starts: list[tuple[int, int]] = field(default_factory=list)
    _paths: list[list[tuple]] = field(default_factory=list)

    def __post_init__(self) -> None:
        doc, _ = parse_yaml(self.text, "")
        where: dict[tuple[int, int], list[tuple]] = {}
        for table in (doc.values, doc.keys):
            for path, pos in table.items():
                where.setdefault(pos, []).append(path)
        self._starts = sorted(where)
        self._paths = [sorted(set(where[p]), key=len) for p in self._starts]

    def row_of_line(self, line: int) -> str:
        path = self.paths_at(line, 1 << 30)[-1]
        return str(self.rows[path[1]].number) if len(path) > 1 and path[0] == "results" else "?"

    def paths_at(self, line: int, column: int) -> list[tuple]:
        """The paths whose text starts last at or before this position, shallowest first."""
        i = bisect_right(self._starts, (line, column)) - 1
        return self._paths[i] if i >= 0 else [()]


def emit(header: str, ref: TaskRef, dates: dict, results: list[tuple[str, Row]], written: bool = False) -> Emitted:
    """The file as it will be ``written`` (only filled values), or as it is checked: the task's
    optional dates left empty there as nulls (the same to the model), so that a rule about a date not yet
    filled in (results-late, archive-missing) finds that date's place, and its cell."""
    empty = {} if written else {d.key: None for d in L.TASK_DATES if not TaskResults.model_fields[d.key].is_required()}
    body = {"agency": ref.data.code, "year": ref.year, "task": ref.task.id, **empty, **dates,
            "results": [result_body(code, row) for code, row in results]}
    body = _ordered(TaskResults, body)
    if not body["results"]:
        del body["results"]
    return Emitted(header + yamlwrite.dump(body), body, [row for _, row in results])


def _node(body, path: tuple):
    for part in path:
        body = body[part] if isinstance(body, dict) and part in body or isinstance(body, list) else None
        if body is None:
            return None
    return body


def _model_at(path: tuple):
    if not path:
        return TaskResults
    if path[0] == "results" and len(path) == 2:
        return Result
    if path[0] == "results" and len(path) == 3:
        return NESTED.get(path[2])
    return None


def place(book: Book, emitted: Emitted, p: Problem) -> Problem | None:
    """``p`` (a problem of the YAML) at the cell its value came from; None when the workbook
    already says so (a date it could not read)."""
    candidates = emitted.paths_at(p.line, p.column)
    path = candidates[-1]
    # A line of the YAML named in the message ("第一次出现在第 10 行") is the sheet row it came from.
    message = _LINE.sub(lambda m: f"第 {emitted.row_of_line(int(m.group(1)))} 行", p.message)
    message = _FIELD.sub(lambda m: _COLUMN_NAMES[m.group(0)], message)
    if p.code == "missing-field":  # the mapping is where the field is missing: name the empty cell
        path = candidates[0]
        model = _model_at(path)
        node = _node(emitted.body, path)
        absent = [n for n, f in model.model_fields.items() if f.is_required() and n not in node] if model and isinstance(node, dict) else []
        if absent:
            return _missing(book, emitted, path, absent[0], p)
    return _at_path(book, emitted, path, p.code, message, p)


def _missing(book: Book, emitted: Emitted, path: tuple, name: str, p: Problem) -> Problem | None:
    if not path:
        d = next((d for d in L.TASK_DATES if d.key == name), None)
        if d is None:
            return at(book.file, L.SHEET, L.TASK_CELL, p.code, p.message, p.severity)
        return at(book.file, L.SHEET, d.cell, p.code, f"缺少{d.title}（{d.note}）", p.severity)
    row = emitted.rows[path[1]]
    full = path[2:] + (name,)
    if full in row.values:  # filled, but not a date: already reported in that cell
        return None
    if path[2:] == ("follow_up",) and any(k[:1] == ("withheld",) for k in row.values):
        # Completing the follow-up would publish it (withheld-content-public): the filled half goes.
        filled = next(k for k in row.values if k[:1] == ("follow_up",))
        title = L.COLUMNS[L.LETTERS.index(L.cell_of(filled))].title
        return at(book.file, L.SHEET, f"{L.cell_of(filled)}{row.number}", p.code,
                  f"本行不予公开，不填写整改回访：请清空“{title}”，回访记录留在内部案卷", p.severity)
    letter = L.cell_of(full)
    title = L.COLUMNS[L.LETTERS.index(letter)].title
    why = {"follow_up": "回访日期和回访结果须同时填写", "withheld": "依法不予公开的，须填写不予公开的理由"}.get(
        path[2] if len(path) > 2 else "", "已检查的单位须填写检查日期和结果类别；尚未检查的单位整行留空")
    return at(book.file, L.SHEET, f"{letter}{row.number}", p.code, f"本行缺少“{title}”：{why}", p.severity)


def _at_path(book: Book, emitted: Emitted, path: tuple, code: str, message: str, p: Problem) -> Problem:
    if len(path) >= 2 and path[0] == "results" and isinstance(path[1], int):
        row = emitted.rows[path[1]]
        letter = L.cell_of(path[2:]) if len(path) > 2 else None
        return at(book.file, L.SHEET, f"{letter or L.CODE_COLUMN}{row.number}", code, message, p.severity)
    d = next((d for d in L.TASK_DATES if path[:1] == (d.key,)), None)
    if d is not None:
        return at(book.file, L.SHEET, d.cell, code, message, p.severity)
    if path[:1] == ("results",):
        return at(book.file, L.SHEET, f"{L.CODE_COLUMN}{L.HEADER_ROW}", code, message, p.severity)
    return at(book.file, L.SHEET, L.TASK_CELL, code, message, p.severity)


@dataclass
class Checked:
    loaded: bool  # the text reads as a results file (the integrity checks and rules ran on it)
    problems: list[Problem]  # in the YAML's own positions


def check_text(repo: Repository, ref: TaskRef, text: str) -> Checked:
    """The problems `ssjpub validate` and `ssjpub check` would find in this results file."""
    rel, key = ref.results_file, (ref.year, ref.task.id)
    tf, read = text_file(rel, text)
    loaded, found = load_yaml(tf, read, TaskResults)
    old = ref.data.results.pop(key, None)
    try:
        if loaded is not None:
            ref.data.results[key] = loaded
            day = commit_date(repo.root) or latest_data_date(repo)
            found += check_repository(repo)
            found += run_rules(RuleContext(repo, day, calendar_of(repo)))
    finally:
        ref.data.results.pop(key, None)
        if old is not None:
            ref.data.results[key] = old
    return Checked(loaded is not None, [p for p in found if p.file == rel and p.code not in NOT_YET])


def import_book(repo: Repository, ref: TaskRef, book: Book, entries: list[Entry], header: str) -> tuple[str, list[Problem], int]:
    """(the YAML text, every problem placed in its cell, how many rows are not yet inspected)."""
    by_code = {e.code: e for e in entries}
    old = ref.data.results.get((ref.year, ref.task.id))
    had = {r.target: r for r in old.model.results} if old is not None else {}
    results: list[tuple[str, Row]] = []
    blank = 0
    for i, row in enumerate(book.rows):
        code = book.codes[i] if i < len(book.codes) else row.keys[0]
        _keys(book, row, by_code.get(code) if i < len(book.codes) else None)
        if row.blank and code in had:
            _deleted(book, row, had[code], old.model.published_on)
        if row.blank:
            blank += i < len(book.codes)
            continue
        if not code:
            book.problem(L.SHEET, f"{L.CODE_COLUMN}{row.number}", "missing-field",
                         "这一行不是模板中的单位，也没有统一社会信用代码：结果表只填写模板列出的单位，不要增加行")
            continue
        results.append((code, row))
    emitted = emit(header, ref, book.dates, results)
    checked = check_text(repo, ref, emitted.text)
    problems = [q for q in (place(book, emitted, p) for p in checked.problems) if q is not None]
    if not checked.loaded:
        # Rows the model refused leave the rest unchecked by the rules: check the others again, so
        # that every problem comes in this one run.
        bad = {id(emitted.rows[path[1]]) for p in checked.problems
               for path in emitted.paths_at(p.line, p.column)[-1:] if len(path) > 1 and path[0] == "results"}
        rest = [(c, r) for c, r in results if id(r) not in bad]
        # A missing task completion date stops the whole file: the rows are checked under the
        # task's end date instead, and only the rows' problems are kept from that check.
        dates = {"completed_on": ref.task.window.end, **book.dates}
        again = emit(header, ref, dates, rest)
        rows_only = "completed_on" not in book.dates
        problems += [q for q in (place(book, again, p) for p in check_text(repo, ref, again.text).problems)
                     if q is not None and not (rows_only and q.line < L.HEADER_ROW)]
    return emit(header, ref, book.dates, results, written=True).text, book.problems + problems, blank


def _deleted(book: Book, row: Row, was: Result, published) -> None:
    """A blank row reads as "not yet inspected": for a unit the file already has a result for, it
    would silently delete that (published) result."""
    when = f"已于 {published.isoformat()} 公示" if published else "尚未公示"
    book.problem(L.SHEET, f"{L.CODE_COLUMN}{row.number}", "result-deleted",
                 f"第 {row.number} 行原有检查结果（检查日期 {was.inspected_on.isoformat()}，{was.category}，{when}），"
                 "整行留空会删除它：请按原样填回（ssjpub results-template 重新生成的表会预先填入）；"
                 "确需撤销已有的结果，不要用填报表，直接修改结果文件并在提交说明中写明原因")


def _keys(book: Book, row: Row, entry: Entry | None) -> None:
    """The protected cells still say what the template wrote."""
    if entry is None:
        return
    for i, (now, was) in enumerate(zip(row.keys, (entry.code, entry.name, entry.how))):
        if now != was:
            title = L.COLUMNS[L.KEY_COLUMNS[i]].title
            book.problem(L.SHEET, f"{L.LETTERS[L.KEY_COLUMNS[i]]}{row.number}", "key-cell-changed",
                         f"“{title}”是受保护的列，模板中为“{was}”，现在是“{now}”：请改回原样（结果按模板中的单位导入）")
