"""The inspector draw leaves a real choice (S0 三（三）): warned before the lottery, stated after."""

from __future__ import annotations

from ssjpub.draw.choice import no_choice, summary, task_choice
from ssjpub.problems import Severity
from ssjpub.rules.catalogue import RuleContext
from ssjpub.rules.sources import S0_3_3
from ssjpub.rules.tasks import MET, NOT_APPLICABLE, NOT_DUE, NOT_MET, TaskCtx, Verdict, task_rule

CODE = "inspector-no-choice"


@task_rule(CODE, "检查人员的随机抽取有真正的选择余地（可选人员多于每组人数，检查组不全相同）", Severity.WARNING, S0_3_3)
def inspector_choice(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if not tc.random:
        return Verdict(NOT_APPLICABLE, "非随机抽查")
    choice = task_choice(tc.data, tc.year, tc.task)
    if choice is None:
        return Verdict(NOT_DUE, "尚未抽取，任务的名录快照不存在")
    text = summary(choice)
    if choice.real:
        return Verdict(MET if choice.drawn else NOT_DUE, text)
    note = no_choice(choice)
    where = tc.pos("group_size")  # the task itself when group_size is left at its default
    if choice.drawn:  # done and published: stated as information, never a failure
        return Verdict(NOT_MET, f"{text}。{note}", (where.problem(
            CODE, f"任务 {tc.task.id} 已抽取，{note}", Severity.INFO),))
    return Verdict(NOT_MET, f"{text}。{note}", (ctx.finding(
        CODE, where, f"任务 {tc.task.id} 尚未抽取：每组 {choice.group_size} 人，可选检查人员最少只有 {choice.fewest} 名"
                     f"（实施股室 {choice.pool} 人中符合条件的 {choice.base} 人）。{note}"),))
