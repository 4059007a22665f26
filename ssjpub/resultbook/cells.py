"""Problems placed in a workbook: ``FILE.xlsx:结果!D7: CODE 说明``, as Excel names a cell."""

from __future__ import annotations

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from ssjpub.problems import Problem, Severity


def at(book: str, sheet: str | None, ref: str | None, code: str, message: str,
       severity: Severity = Severity.ERROR) -> Problem:
    """A problem at ``sheet!ref`` of the workbook ``book`` (line and column: the cell's row and
    column, for sorting); without a sheet, a problem of the whole workbook."""
    if sheet is None or ref is None:
        return Problem(book, 0, 0, code, message, severity)
    letter, row = coordinate_from_string(ref)
    return Problem(f"{book}:{sheet}!{ref}", row, column_index_from_string(letter), code, message, severity)


def sort_cell_problems(problems: list[Problem], sheets: tuple[str, ...]) -> list[Problem]:
    def key(p: Problem):
        sheet = p.file.rpartition(":")[2].partition("!")[0] if p.line else ""
        return (sheets.index(sheet) + 1 if sheet in sheets else 0, p.line, p.column, p.code, p.message)
    return sorted(set(problems), key=key)


def format_cell_problems(problems: list[Problem]) -> str:
    tag = {Severity.ERROR: "", Severity.WARNING: "警告 "}
    return "".join(f"{p.file}: {p.code} {tag.get(p.severity, '提示 ')}{p.message}\n" for p in problems)
