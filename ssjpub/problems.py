"""Validation problems as data (after frictionless-py): checks yield them, the CLI prints them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Iterable


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # a fact worth stating that no one can change any more (e.g. a drawn task's)


# Stable codes. The CLI and docs rely on these names: never rename, only add.
CODES: dict[str, str] = {
    "file-read": "文件无法读取",
    "file-encoding": "文件编码不是 UTF-8",
    "unexpected-file": "无法识别的数据文件",
    "missing-file": "缺少必需的数据文件",
    "yaml-syntax": "YAML 语法错误",
    "json-syntax": "JSON 语法错误",
    "yaml-alias": "不允许使用 YAML 锚点/别名",
    "duplicate-key": "同一层级出现重复的键",
    "missing-field": "缺少必填字段",
    "wrong-type": "字段类型错误",
    "unknown-key": "未知字段",
    "invalid-value": "字段取值无效",
    "impossible-date": "日期不存在",
    "csv-header": "CSV 表头不符合要求",
    "csv-row": "CSV 行的列数与表头不符",
    "duplicate-id": "编号重复",
    "dangling-reference": "引用的对象不存在",
    "invalid-credit-code": "统一社会信用代码无效",
    "personal-data": "数据文件中出现个人信息",
    "draw-mismatch": "抽取记录与重新执行的结果不一致",
    "shallow-clone": "无法核对 git 历史",
    "history-order": "提交顺序不能证明随机数是事后产生的",
    "published-changed": "已发布的抽取或其输入被修改",
    # Order proof (issue 11)
    "roster-changed": "抽取记录中的执法人员信息与随机数之前的名录不一致",
    # Trusted timestamps (RFC 3161), ssjpub.timestamp and docs/timestamps.md
    "timestamp-config": "可信时间戳服务的配置有误",
    "timestamp-invalid": "可信时间戳令牌无效",
    "timestamp-late": "可信时间戳不早于开奖（摇号）日期",
    "timestamp-commit": "可信时间戳所证明的提交与 git 历史不符",
    "timestamp-missing": "任务没有可信时间戳",
    "timestamp-request": "无法取得可信时间戳",
    # Links and commands that reach a citizen; the data tree is closed (issue 10, items 2 and 3).
    "invalid-url": "网址无效",
    "symlink": "数据目录中不允许符号链接",
    "invalid-path": "记录中的文件路径无效",
    # Pathological values (issue 10, item 4)
    "too-deep": "嵌套层数过多",
    "non-ascii-digit": "数字不是半角阿拉伯数字",
    # Crash-safe draws, byte-exact records, spreadsheet formula injection (issue 10, items 7-9).
    "record-not-canonical": "抽取记录的字节与 ssjpub draw 写出的不同",
    "draw-incomplete": "抽取记录不完整（抽取中途被中断）",
    "formula-text": "文字以 = + - @ 开头，电子表格会当作公式执行",
    # Lottery games and dates that cannot lie (issue 12, items 1 and 2); the rules are in the catalogue.
    "values-before-draw": "公开随机数的提交日期早于开奖（摇号）时间",
    # Combined randomness sources and ssjpub-draw/2 (issue 12, items 3 and 5)
    "randomness-sources-count": "公开随机数的项数与声明的来源数不同",
    "randomness-kind-mismatch": "公开随机数与声明的来源类型不符",
    "drand-round-mismatch": "drand 轮次与声明的不同",
    "drand-randomness-mismatch": "drand 随机数不是签名的 SHA-256",
    "drand-signature": "drand 签名不是该轮的签名（BLS 验证不通过）",
    # The raw inputs served by the site, byte-identical (issue 13, issue 15 item 5)
    "changed-during-build": "生成网站期间文件被改动",
    # Results through Excel: ssjpub import-results reads a results-template workbook (issue 14, item 5)
    "results-workbook": "不是 ssjpub results-template 生成的检查结果表",
    "results-task-mismatch": "检查结果表所属的任务与仓库不符",
    "key-cell-changed": "检查结果表中受保护的列被改动",
    # Withheld results: the public repository and the site's served copies must not carry what is withheld
    "withheld-content-public": "不予公开的结果写了不予公开的内容",
    # Results through Excel, review of s6: a blanked row does not delete a result
    "result-deleted": "检查结果表中原有结果的一行被清空",
    # A snapshot split into several files, ssjpub-draw/3 (issue 16, item 5)
    "snapshot-parts-header": "拆分的名录快照各文件的表头不同",
    "snapshot-parts-duplicate": "统一社会信用代码出现在拆分的名录快照的两个文件中",
    "snapshot-parts-empty": "拆分的名录快照目录中没有 .csv 文件",
    "snapshot-twice": "同一天的名录快照既有单个文件又有拆分的目录",
}


# Codes of the rule catalogue (ssjpub.rules.catalogue registers them with their titles).
RULE_CODES: dict[str, str] = {}


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = Severity.ERROR
    cell: str = ""  # in a workbook, the cell as Excel names it ("Sheet1!D7"), printed instead of line:col

    def __post_init__(self) -> None:
        if self.code not in CODES and self.code not in RULE_CODES:
            raise ValueError(f"unregistered problem code {self.code!r}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity"] = self.severity.value
        if not self.cell:
            del d["cell"]
        return d


@dataclass(frozen=True)
class Pos:
    """A place in a file, 1-based like editors and compilers show it."""

    file: str
    line: int = 1
    column: int = 1

    def problem(self, code: str, message: str, severity: Severity = Severity.ERROR) -> Problem:
        return Problem(self.file, self.line, self.column, code, message, severity)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.code, p.message))


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def _gh_escape(text: str) -> str:
    # GitHub workflow-command escaping for data and properties.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def format_problems(problems: list[Problem], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2) + "\n"
    lines = []
    for p in problems:
        if fmt == "github":
            kind = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(p.severity, "notice")
            file = _gh_escape(p.file).replace(",", "%2C").replace(":", "%3A")
            lines.append(
                f"::{kind} file={file},line={p.line},col={p.column},title={p.code}::"
                f"{_gh_escape(p.message)}"
            )
        else:
            tag = {Severity.ERROR: "", Severity.WARNING: "警告 "}.get(p.severity, "提示 ")
            where = p.cell or f"{p.line}:{p.column}"
            lines.append(f"{p.file}:{where}: {p.code} {tag}{p.message}")
    return "".join(line + "\n" for line in lines)


def summary(problems: list[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    notes = len(problems) - errors - warnings
    if not problems:
        return "校验通过，未发现问题。"
    return f"发现 {errors} 个错误、{warnings} 个警告" + (f"，另有 {notes} 条提示。" if notes else "。")
