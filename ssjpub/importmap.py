"""The names an export gives our columns and its status values: ssjpub's defaults for the usual
names, extended (and, for statuses, overridden) by the agency's plans/<agency>/import.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from ssjpub.excel import norm
from ssjpub.model import SNAPSHOT_COLUMNS, ImportMapping
from ssjpub.problems import Problem

# Header names seen in exports of the insured-enterprise, credit and complaints systems.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "credit_code"),
    "name": ("单位名称", "企业名称", "用人单位名称", "参保单位名称", "用人单位", "名称", "name"),
    "area": ("区域", "所属区域", "乡镇", "乡镇(街道)", "乡镇街道", "所属乡镇", "所属区域/乡镇", "所属乡镇(街道)",
             "行政区划", "area"),
    "industry": ("行业", "所属行业", "行业类别", "行业门类", "行业分类", "industry"),
    "grade": ("诚信等级", "劳动保障守法诚信等级", "守法诚信等级", "信用等级", "评价等级", "grade"),
    "complaints": ("投诉举报数", "投诉举报次数", "投诉举报件数", "投诉次数", "投诉件数", "complaints"),
    "serious_violation": ("严重违法记录", "严重违法", "有无严重违法记录", "是否有严重违法记录", "serious_violation"),
    "status": ("经营状态", "单位状态", "登记状态", "参保状态", "缴费状态", "状态", "status"),
    "source": ("来源", "数据来源", "source"),
}

# Status values of those exports. 暂停缴费 (contributions suspended) and its like are counted as
# 停业: such a unit is seldom operating, and 停业 keeps it out of random draws; an agency that
# wants them drawn writes “暂停缴费: 在营” under status in its import.yaml.
DEFAULT_STATUS: dict[str, str] = {
    "在营": "在营", "正常": "在营", "存续": "在营", "开业": "在营", "参保": "在营", "正常参保": "在营",
    "参保缴费": "在营", "正常缴费": "在营", "在业": "在营",
    "停业": "停业", "歇业": "停业", "暂停缴费": "停业", "中断缴费": "停业", "停保": "停业",
    "注销": "注销", "吊销": "注销", "终止参保": "注销", "终止缴费": "注销", "注销登记": "注销", "已注销": "注销",
}


@dataclass(frozen=True)
class Names:
    """Normalised header → our column, and normalised status value → 在营/停业/注销."""

    columns: dict[str, str]
    status: dict[str, str]
    file: str | None  # the agency's import.yaml, for messages

    def column(self, header: str) -> str | None:
        return self.columns.get(norm(header))

    def header_names(self, column: str) -> list[str]:
        return [h for h, c in self.columns.items() if c == column]


def names(mapping: ImportMapping | None, file: str | None = None) -> Names:
    columns = {norm(alias): col for col, aliases in DEFAULT_COLUMNS.items() for alias in aliases}
    status = {norm(value): ours for value, ours in DEFAULT_STATUS.items()}
    if mapping is not None:
        for col in SNAPSHOT_COLUMNS:  # the agency's names win over a default of another column
            columns.update({norm(h): col for h in getattr(mapping.columns, col)})
        status.update({norm(value): ours for value, ours in mapping.status.items()})
    return Names(columns, status, file)


def mapping_problems(loaded) -> list[Problem]:
    """A column name listed twice in import.yaml (ssjpub could not tell which column it is), or a
    status value listed twice as the export may write it (“暂停缴费” and “暂停 缴费”)."""
    problems = []
    seen: dict[str, str] = {}
    for col in SNAPSHOT_COLUMNS:
        for i, header in enumerate(getattr(loaded.model.columns, col)):
            key = norm(header)
            if key in seen:
                problems.append(loaded.doc.pos("columns", col, i).problem(
                    "duplicate-id", f"列名“{header}”已写在 {seen[key]} 下：一个列名只能对应一个字段"))
            else:
                seen[key] = col
    values: set[str] = set()
    for value in loaded.model.status:
        if norm(value) in values:
            problems.append(loaded.doc.pos("status", value, key=True).problem(
                "duplicate-id", f"单位状态“{value}”重复（忽略空格和全角半角后相同）"))
        values.add(norm(value))
    return problems
