"""Where everything is in a results workbook: what the template writes and the import reads."""

from __future__ import annotations

from dataclasses import dataclass

from ssjpub.spreadsheet import column_letter

SHEET = "结果"
GUIDE = "填写说明"
META = "ssjpub"  # hidden: which task the workbook belongs to, and its rows as written
FORMAT = "ssjpub-results/1"

TASK_CELL = "B2"  # "agency/year/task", shown to staff and cross-checked with the hidden sheet
GUIDE_TASK_CELL = "B2"


@dataclass(frozen=True)
class TaskDate:
    key: str  # TaskResults field
    title: str
    row: int
    note: str

    @property
    def cell(self) -> str:
        return f"B{self.row}"


TASK_DATES = (
    TaskDate("completed_on", "任务完成日期", 3, "必填：本任务全部检查办结的日期"),
    TaskDate("published_on", "结果公示日期", 4, "公示后填写：须在任务完成后 20 个工作日内"),
    TaskDate("archived_on", "归档日期", 5, "归档后填写：不早于任务完成日期"),
)
HEADER_ROW = 7
FIRST_ROW = 8


@dataclass(frozen=True)
class Column:
    title: str
    path: tuple[str, ...] | None  # where the value goes in a result; None: shown, not imported
    kind: str  # "key" (protected), "date", "category" or "text"
    width: int
    note: str

    @property
    def editable(self) -> bool:
        return self.kind != "key"


COLUMNS = (
    Column("统一社会信用代码", ("target",), "key", 22, "抽中（列明）单位的代码，不能修改"),
    Column("单位名称", None, "key", 34, "不能修改"),
    Column("抽取方式", None, "key", 22, "随机抽取（第几签）或非随机的检查来源，不能修改"),
    Column("检查日期", ("inspected_on",), "date", 13, "必填：实施检查的日期，在抽取之后、任务的实施时间之内"),
    Column("结果类别", ("category",), "category", 26, "必填：从下拉列表中选择"),
    Column("办结日期", ("completed_on",), "date", 13, "选填：检查办结（含整改）的日期"),
    Column("发现的问题", ("findings",), "text", 36, "发现问题的类别应填写"),
    Column("处理情况", ("handling",), "text", 36, "发现问题的类别应填写：责令改正、处理、处罚等"),
    Column("回访日期", ("follow_up", "visited_on"), "date", 13, "整改回访的日期；与回访结果同时填写"),
    Column("回访结果", ("follow_up", "outcome"), "text", 20, "如“已整改到位”；与回访日期同时填写"),
    Column("不予公开的理由", ("withheld", "reason"), "text", 20, "依法不予公开时填写，如“涉及商业秘密”（不要复述不予公开的内容）；填写后本行的发现的问题、处理情况、回访留空。不填即公开"),
    Column("不予公开的法律依据", ("withheld", "legal_basis"), "text", 30, "不予公开时必填"),
    Column("批准不予公开的部门", ("withheld", "approved_by"), "text", 18, "不予公开时必填"),
)
LETTERS = tuple(column_letter(i) for i in range(1, len(COLUMNS) + 1))
CODE_COLUMN = LETTERS[0]
KEY_COLUMNS = tuple(i for i, c in enumerate(COLUMNS) if c.kind == "key")
EDITABLE = tuple(i for i, c in enumerate(COLUMNS) if c.editable)


def cell_of(path: tuple[str, ...]) -> str | None:
    """The column letter of a result's field (or of the first field under a mapping)."""
    for letter, column in zip(LETTERS, COLUMNS):
        if column.path is not None and column.path[: len(path)] == path:
            return letter
    return None
