"""The rule catalogue: every rule of the source documents as a small check with a stable code.

A rule is a generator of findings (positioned problems) plus what the catalogue says of it:
title, severity (error blocks a merge; warning is published), and the clause it comes from,
quoted. docs/rules.md is generated from here, so the document and the code cannot drift apart.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from ssjpub.loader.repository import Repository
from ssjpub.problems import RULE_CODES, Problem, Severity
from ssjpub.workdays import Calendar, YearOverride

CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Source:
    ref: str  # e.g. "S0 三（五）"
    quote: str  # the clause, verbatim


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: Severity
    sources: tuple[Source, ...]
    check: Callable[["RuleContext"], Iterator[Problem]]
    task_level: bool = True  # appears in each task's compliance record


RULES: dict[str, Rule] = {}


def rule(code: str, title: str, severity: Severity, *sources: Source, task_level: bool = True):
    def register(check):
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        RULES[code] = Rule(code, title, severity, sources, check, task_level)
        RULE_CODES[code] = title
        return check

    return register


@dataclass
class RuleContext:
    """What the rules look at: the loaded repository, the day they judge "not yet due" against
    (a commit's date, never the clock), and the statutory calendar."""

    repo: Repository
    as_of: date
    calendar: Calendar = field(default_factory=lambda: Calendar({}))

    def finding(self, code: str, pos, message: str) -> Problem:
        return pos.problem(code, message, RULES[code].severity)


def calendar_of(repo: Repository) -> Calendar:
    return Calendar({
        year: YearOverride(year, frozenset(c.model.holidays), frozenset(c.model.workdays))
        for year, c in repo.calendar.items()
    })


def commit_date(root: Path) -> date | None:
    """The date (Beijing time) of the commit being checked: "not yet due" is judged as of the
    data's own commit, so the same commit always gives the same findings."""
    try:
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return datetime.fromtimestamp(int(out), CHINA).date() if out else None


def latest_data_date(repo: Repository) -> date:
    """Outside git: the latest date the data itself states, so the result still depends on the
    data alone."""
    days = [date(2000, 1, 1)]
    for data in repo.agencies.values():
        days += list(data.snapshots)
        for plan in data.plans.values():
            days += [d for d in (plan.model.published_on, plan.model.reported_on) if d]
            days += [t.window.end for t in plan.model.tasks]
        for res in data.results.values():
            days += [d for d in (res.model.completed_on, res.model.published_on, res.model.archived_on) if d]
    return max(days)


def run_rules(ctx: RuleContext) -> list[Problem]:
    from ssjpub.rules import checks  # noqa: F401 - registers the rules

    found: list[Problem] = []
    for code in sorted(RULES):
        found += RULES[code].check(ctx)
    return found


def catalogue_markdown() -> str:
    from ssjpub.rules import checks  # noqa: F401

    lines = [
        "# 规则目录",
        "",
        "本目录由 `ssjpub rules` 从程序生成（`make rules` 更新），与 `ssjpub check` 实际执行的检查一一对应。",
        "“错误”阻止合并；“警告”照常发布，并显示在网站的合规记录中；事情已经做完、无法再改时（如已抽取的任务），",
        "同一条规则只列为“提示”。S0 指宝丰县人社局 2024 年实施方案，",
        "S1 指偃师区人社局 2023 年度抽查工作计划（原文见网站）。",
        "",
        "| 代码 | 规则 | 级别 | 出处 |",
        "|---|---|---|---|",
    ]
    for code in sorted(RULES):
        r = RULES[code]
        level = "错误" if r.severity is Severity.ERROR else "警告"
        lines.append(f"| `{code}` | {r.title} | {level} | {'；'.join(s.ref for s in r.sources)} |")
    lines.append("")
    for code in sorted(RULES):
        r = RULES[code]
        lines += [f"## `{code}`", "", r.title, ""]
        for s in r.sources:
            lines += [f"> {s.quote}", ">", f"> ——{s.ref}", ""]
    return "\n".join(lines)
