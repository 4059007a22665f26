"""二库：the inspector directory and the target directory snapshots."""

from __future__ import annotations

from typing import Iterator

from ssjpub.problems import Problem, Severity
from ssjpub.rules.catalogue import RuleContext, rule
from ssjpub.rules.sources import S0_2_2, S1_4_3
from ssjpub.rules.tasks import MET, NOT_APPLICABLE, NOT_DUE, NOT_MET, TaskCtx, Verdict, task_rule

REQUIRED = {"name": "姓名", "gender": "性别", "unit": "单位", "title": "职务", "cert_no": "监察证号"}


@rule("inspector-incomplete", "执法检查人员名录写明姓名、性别、单位、职务、监察证号", Severity.ERROR, S1_4_3,
      task_level=False)
def inspector_complete(ctx: RuleContext) -> Iterator[Problem]:
    for data in ctx.repo.agencies.values():
        if data.inspectors is None:
            continue
        for i, person in enumerate(data.inspectors.model.inspectors):
            missing = [title for name, title in REQUIRED.items() if getattr(person, name) is None]
            if missing:
                yield ctx.finding("inspector-incomplete", data.inspectors.doc.pos("inspectors", i),
                                  f"人员 {person.id} 未写明：{'、'.join(missing)}")


@task_rule("certificate-invalid", "检查人员的监察证在检查期间有效", Severity.ERROR, S1_4_3)
def certificates(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if tc.draw is None:
        return Verdict(NOT_APPLICABLE if not tc.random else NOT_DUE, "尚未抽取检查人员" if tc.random else "非随机抽查")
    pool = {p.get("id"): p for p in tc.draw.data.get("inspectors", {}).get("pool", [])}
    end = tc.task.window.end.isoformat()
    bad = []
    for g, group in enumerate(tc.draw.data.get("groups", [])):
        for m, member in enumerate(group.get("members", [])):
            expires = pool.get(member, {}).get("cert_expires", "")
            if expires < end:
                bad.append(ctx.finding("certificate-invalid", tc.draw_doc.pos("groups", g, "members", m),
                                       f"检查人员 {member} 的监察证有效期至 {expires}，早于任务结束日 {end}"))
    if bad:
        return Verdict(NOT_MET, f"{len(bad)} 人次的监察证在任务结束前到期", tuple(bad))
    return Verdict(MET, f"全部组员的监察证有效期均不早于任务结束日 {end}")


@task_rule("snapshot-stale", "抽取所用的检查对象名录快照足够新", Severity.ERROR, S0_2_2)
def snapshot_fresh(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    t = tc.task
    if not tc.random or t.snapshot is None:
        return Verdict(NOT_APPLICABLE, "非随机抽查" if not tc.random else "未指定快照")
    if not t.sources:
        return Verdict(NOT_DUE, "尚未声明公开随机数来源")
    limit = tc.data.agency.model.snapshot_max_age_days if tc.data.agency else 183
    drawn_on = t.earliest_source()[1].expected_on
    age = (drawn_on - t.snapshot).days
    detail = f"快照 {t.snapshot.isoformat()} 距开奖（摇号）日 {drawn_on.isoformat()} {age} 天"
    if age > limit:
        return Verdict(NOT_MET, f"{detail}，超过 {limit} 天", (ctx.finding(
            "snapshot-stale", tc.pos("snapshot"), f"任务 {t.id} 所用名录快照距开奖（摇号）日已 {age} 天，超过 {limit} 天：请先更新名录快照"),))
    if age < 0:
        return Verdict(NOT_MET, "快照晚于开奖（摇号）日", (ctx.finding(
            "snapshot-stale", tc.pos("snapshot"), f"任务 {t.id} 所用名录快照的日期晚于开奖（摇号）日"),))
    return Verdict(MET, f"{detail}（上限 {limit} 天）")
