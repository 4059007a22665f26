"""Annual plans: reported, published in time, similar tasks merged."""

from __future__ import annotations

from typing import Iterator

from ssjpub.problems import Problem, Severity
from ssjpub.rules.catalogue import RuleContext, rule
from ssjpub.rules.sources import S0_3_1
from ssjpub.rules.tasks import MET, NOT_MET, TaskCtx, Verdict, task_rule


@rule("plan-not-reported", "年度抽查计划报送劳动保障监察股（或本机关规定的股室）并记录日期", Severity.ERROR,
      S0_3_1, task_level=False)
def plan_reported(ctx: RuleContext) -> Iterator[Problem]:
    for code, data in sorted(ctx.repo.agencies.items()):
        office = data.agency.model.plan_office if data.agency else None
        for year, plan in sorted(data.plans.items()):
            p = plan.model
            if p.reported_to is None or p.reported_on is None:
                yield ctx.finding("plan-not-reported", plan.doc.pos("reported_to" if p.reported_to is None else "reported_on"),
                                  f"{year} 年度计划未记录报送{'股室' if p.reported_to is None else '日期'}（应报{office or '劳动保障监察股'}）")
            elif office is not None and p.reported_to != office:
                yield ctx.finding("plan-not-reported", plan.doc.pos("reported_to"),
                                  f"{year} 年度计划报送给“{p.reported_to}”，本机关规定报送“{office}”")


@task_rule("plan-published-late", "年度抽查计划在任务开始前向社会公示", Severity.ERROR, S0_3_1)
def plan_published(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    published, start = tc.plan.model.published_on, tc.task.window.start
    if published is None:
        if ctx.as_of < start:
            return Verdict("not-due", f"任务 {start.isoformat()} 开始，计划尚未公示")
        return Verdict(NOT_MET, "计划未公示", (ctx.finding(
            "plan-published-late", tc.plan.doc.pos(), f"{tc.year} 年度计划尚未公示，任务 {tc.task.id} 已于 {start.isoformat()} 开始"),))
    if published > start:
        return Verdict(NOT_MET, f"计划于 {published.isoformat()} 公示，晚于任务开始日 {start.isoformat()}", (ctx.finding(
            "plan-published-late", tc.plan.doc.pos("published_on"),
            f"计划公示日 {published.isoformat()} 晚于任务 {tc.task.id} 的开始日 {start.isoformat()}"),))
    return Verdict(MET, f"计划于 {published.isoformat()} 公示，任务 {start.isoformat()} 开始")


def _overlap(a, b) -> bool:
    return a.window.start <= b.window.end and b.window.start <= a.window.end


@task_rule("tasks-not-merged", "检查对象和方式相近的任务合并安排", Severity.WARNING, S0_3_1)
def merged(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    t = tc.task
    if not tc.random:
        return Verdict("not-applicable", "非随机抽查")
    failed = {task for (year, task) in tc.data.failures if year == tc.year}  # superseded by their retries
    similar = [o for o in tc.plan.model.tasks if o.id != t.id and o.basis == "随机抽查" and o.method == t.method
               and o.scope == t.scope and _overlap(o, t) and o.id not in failed]
    if not similar:
        return Verdict(MET, "同期没有对象和方式相同的其他任务")
    names = "、".join(o.id for o in similar)
    return Verdict(NOT_MET, f"与任务 {names} 对象和方式相同、时间重叠", (ctx.finding(
        "tasks-not-merged", tc.pos("window", key=True),
        f"任务 {t.id} 与 {names} 的检查对象范围和检查方式相同、实施时间重叠，应当合并安排"),))
