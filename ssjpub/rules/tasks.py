"""Per-task rules: each gives a verdict for every task, which is both what `ssjpub check`
reports and the task's public compliance record."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator

from ssjpub.loader.repository import AgencyData, DrawFile, Loaded
from ssjpub.loader.yamlfile import YamlDoc, parse_yaml
from ssjpub.model import Plan, Task, TaskResults
from ssjpub.problems import Pos, Problem, Severity
from ssjpub.rules.catalogue import RuleContext, Source, rule

MET, NOT_MET, NOT_DUE, NOT_APPLICABLE, UNKNOWN = "met", "not-met", "not-due", "not-applicable", "unknown"
STATUS_TEXT = {MET: "符合", NOT_MET: "不符合", NOT_DUE: "尚未到期", NOT_APPLICABLE: "不适用", UNKNOWN: "无法判断"}


@dataclass(frozen=True)
class Verdict:
    status: str
    detail: str
    problems: tuple[Problem, ...] = ()


@dataclass
class TaskCtx:
    code: str
    data: AgencyData
    year: int
    plan: Loaded[Plan]
    index: int
    task: Task
    data_root: str = ""  # the repository root, to read draw records for positions

    def pos(self, *path, key: bool = False) -> Pos:
        return self.plan.doc.pos("tasks", self.index, *path, key=key)

    @property
    def random(self) -> bool:
        return self.task.basis == "随机抽查"

    @property
    def failed(self) -> bool:
        """The draw failed once its values existed, and its failure record is published."""
        return (self.year, self.task.id) in self.data.failures

    @property
    def draw(self) -> DrawFile | None:
        return self.data.draws.get((self.year, self.task.id))

    @property
    def results(self) -> Loaded[TaskResults] | None:
        return self.data.results.get((self.year, self.task.id))

    @cached_property
    def draw_doc(self) -> YamlDoc:
        """Positions in the draw record (JSON is YAML to the positioned parser); read only when
        a finding needs a line."""
        doc, _ = parse_yaml((Path(self.data_root) / self.draw.file).read_text(encoding="utf-8"), self.draw.file)
        return doc

    def drawn(self) -> list[str]:
        return [t["code"] for t in self.draw.data.get("targets", [])] if self.draw else []


TASK_RULES: dict[str, Callable[[RuleContext, TaskCtx], Verdict]] = {}


def tasks(ctx: RuleContext) -> Iterator[TaskCtx]:
    for code, data in sorted(ctx.repo.agencies.items()):
        for year, plan in sorted(data.plans.items()):
            for i, task in enumerate(plan.model.tasks):
                yield TaskCtx(code, data, year, plan, i, task, data_root=str(ctx.repo.root))


# Rules a task whose draw failed (and published its failure record) still answers to; every other
# rule is the retry's to meet (docs/staff-guide.md, 抽取失败时怎么办).
FAILED_TASK_RULES = {"draw-missing"}


def task_rule(code: str, title: str, severity: Severity, *sources: Source):
    def register(fn: Callable[[RuleContext, TaskCtx], Verdict]):
        def verdict(ctx: RuleContext, tc: TaskCtx) -> Verdict:
            if tc.failed and code not in FAILED_TASK_RULES:
                return Verdict(NOT_APPLICABLE, "抽取未能完成，已公示失败记录：由重新抽取的任务完成")
            return fn(ctx, tc)

        def check(ctx: RuleContext) -> Iterator[Problem]:
            for tc in tasks(ctx):
                yield from verdict(ctx, tc).problems

        rule(code, title, severity, *sources)(check)
        TASK_RULES[code] = verdict
        return fn

    return register


def compliance(ctx: RuleContext) -> dict:
    """{agency: {year: {task: [{code, title, severity, status, status_text, detail}]}}}"""
    from ssjpub.rules import checks  # noqa: F401
    from ssjpub.rules.catalogue import RULES

    out: dict = {}
    for tc in tasks(ctx):
        rows = []
        for code in sorted(TASK_RULES):
            v = TASK_RULES[code](ctx, tc)
            r = RULES[code]
            # A verdict's own finding may be milder than its rule (a fact stated after the draw).
            severity = v.problems[0].severity.value if v.problems else r.severity.value
            rows.append({"code": code, "title": r.title, "severity": severity, "status": v.status,
                         "status_text": STATUS_TEXT[v.status], "detail": v.detail,
                         "sources": [s.ref for s in r.sources]})
        out.setdefault(tc.code, {}).setdefault(str(tc.year), {})[tc.task.id] = rows
    return out
