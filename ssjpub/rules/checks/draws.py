"""The draws: group size, recusal, the yearly cap, weighting, joint inspections, non-random cases."""

from __future__ import annotations

from ssjpub.problems import Pos, Severity
from ssjpub.rules.catalogue import RuleContext
from ssjpub.rules.sources import LSI_16, S0_1_3, S0_3_2, S0_3_3, S1_4_4, S1_REQ_2
from ssjpub.rules.tasks import MET, NOT_APPLICABLE, NOT_DUE, NOT_MET, UNKNOWN, TaskCtx, Verdict, task_rule
from ssjpub.workdays import CalendarGap

CAP = 2


@task_rule("group-too-small", "每组检查人员不少于 2 人", Severity.ERROR, S0_3_3)
def group_size(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if not tc.random:
        return Verdict(NOT_APPLICABLE, "非随机抽查")
    if tc.task.group_size < 2:
        return Verdict(NOT_MET, f"每组 {tc.task.group_size} 人", (ctx.finding(
            "group-too-small", tc.pos("group_size"), f"任务 {tc.task.id} 每组只有 {tc.task.group_size} 人，不得少于 2 人"),))
    small = [g for g, group in enumerate(tc.draw.data.get("groups", [])) if len(group.get("members", [])) < 2] if tc.draw else []
    if small:
        return Verdict(NOT_MET, f"{len(small)} 个检查组不足 2 人", tuple(
            ctx.finding("group-too-small", tc.draw_doc.pos("groups", g), "检查组不足 2 人") for g in small))
    return Verdict(MET, f"每组 {tc.task.group_size} 人")


@task_rule("recusal-broken", "与单位有利害关系的检查人员回避", Severity.ERROR, LSI_16)
def recusal(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if tc.draw is None:
        return Verdict(NOT_DUE if tc.random else NOT_APPLICABLE, "尚未抽取检查人员" if tc.random else "非随机抽查")
    declared = {p.get("id"): set(p.get("conflicts", [])) for p in tc.draw.data.get("inspectors", {}).get("pool", [])}
    if tc.data.inspectors is not None:  # conflicts declared since count too, until the inspection
        for p in tc.data.inspectors.model.inspectors:
            declared.setdefault(p.id, set()).update(p.conflicts)
    bad = []
    for g, group in enumerate(tc.draw.data.get("groups", [])):
        for m, member in enumerate(group.get("members", [])):
            if group.get("target") in declared.get(member, set()):
                bad.append(ctx.finding("recusal-broken", tc.draw_doc.pos("groups", g, "members", m),
                                       f"检查人员 {member} 已申报与 {group.get('target')} 有利害关系，应当回避"))
    recused = sum(len(g.get("recused", [])) for g in tc.draw.data.get("groups", []))
    if bad:
        return Verdict(NOT_MET, f"{len(bad)} 名组员应回避而未回避", tuple(bad))
    return Verdict(MET, f"回避 {recused} 人次，组内无应回避人员")


@task_rule("yearly-cap-exceeded", "同一年度内对同一企业的抽查不超过 2 次", Severity.ERROR, S1_4_4)
def yearly_cap(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if tc.draw is None:
        return Verdict(NOT_DUE if tc.random else NOT_APPLICABLE, "尚未抽取" if tc.random else "非随机抽查")
    counts: dict[str, int] = {}
    for key, draw in sorted(tc.data.draws.items()):
        if key[0] == tc.year:
            for t in draw.data.get("targets", []):
                counts[t.get("code")] = counts.get(t.get("code"), 0) + 1
    over = [(i, c) for i, c in enumerate(tc.drawn()) if counts.get(c, 0) > CAP]
    if over:
        return Verdict(NOT_MET, f"{len(over)} 家单位本年度被抽取超过 {CAP} 次", tuple(
            ctx.finding("yearly-cap-exceeded", tc.draw_doc.pos("targets", i, "code"),
                        f"{c} 在 {tc.year} 年度被抽取 {counts[c]} 次，超过 {CAP} 次") for i, c in over))
    return Verdict(MET, f"抽中的单位本年度被抽取均不超过 {CAP} 次")


@task_rule("weighting-missing", "对 C 级、投诉举报多、有严重违法记录的单位加大抽查力度", Severity.WARNING, S0_3_2, S1_4_4)
def weighting(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if not tc.random:
        return Verdict(NOT_APPLICABLE, "非随机抽查")
    t = tc.task
    how = []
    if t.weights.grade.get("C", 1) > 1:
        how.append(f"C 级权重 {t.weights.grade['C']}")
    if t.weights.complaints is not None and t.weights.complaints.weight > 1:
        how.append(f"投诉举报 {t.weights.complaints.at_least} 次以上权重 {t.weights.complaints.weight}")
    if t.weights.serious_violation is not None and t.weights.serious_violation > 1:
        how.append(f"严重违法记录权重 {t.weights.serious_violation}")
    if t.strata is not None and t.strata.by == "grade":
        c = t.strata.ratios.get("C")
        others = [r for k, r in t.strata.ratios.items() if k != "C"]
        if c is not None and others and c > max(others):
            how.append("C 级分层比例更高")
    if how:
        return Verdict(MET, "；".join(how))
    return Verdict(NOT_MET, "未设置重点监管权重或更高的 C 级比例", (ctx.finding(
        "weighting-missing", tc.pos(), f"任务 {t.id} 没有对 C 级、投诉举报多或有严重违法记录的单位加大抽查力度（weights 或 strata）"),))


@task_rule("joint-not-once", "同一单位的多个检查事项一次性联合完成", Severity.WARNING, S1_4_4)
def joint(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if tc.draw is None:
        return Verdict(NOT_DUE if tc.random else NOT_APPLICABLE, "尚未抽取" if tc.random else "非随机抽查")
    mine = set(tc.drawn())
    clashes = []
    for other in tc.plan.model.tasks:
        if other.id == tc.task.id:
            continue
        draw = tc.data.draws.get((tc.year, other.id))
        if draw is None or not (other.window.start <= tc.task.window.end and tc.task.window.start <= other.window.end):
            continue
        both = mine & {t.get("code") for t in draw.data.get("targets", [])}
        if both:
            clashes.append((other.id, len(both)))
    if not clashes:
        return Verdict(MET, "抽中的单位在同期其他任务中没有再被抽中")
    text = "、".join(f"{o}（{n} 家）" for o, n in clashes)
    return Verdict(NOT_MET, f"与同期任务 {text} 抽中相同单位，宜联合检查一次完成", (ctx.finding(
        "joint-not-once", tc.pos("window", key=True), f"任务 {tc.task.id} 与同期任务 {text} 抽中了相同的单位：应协调联合检查，一次完成"),))


@task_rule("non-random-drawn", "投诉举报、转办交办的检查照常处理，不作为随机抽取", Severity.ERROR, S0_1_3)
def non_random(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if tc.random:
        return Verdict(NOT_APPLICABLE, "随机抽查")
    stray = [f for f in (tc.draw.file if tc.draw else None,
                         tc.data.randomness[(tc.year, tc.task.id)].file if (tc.year, tc.task.id) in tc.data.randomness else None) if f]
    if stray:
        return Verdict(NOT_MET, "非随机检查却有抽取记录或随机数", tuple(
            ctx.finding("non-random-drawn", Pos(f),
                        f"任务 {tc.task.id} 是“{tc.task.basis}”的检查，不是随机抽取，不得有抽取记录或随机数文件") for f in stray))
    return Verdict(MET, f"“{tc.task.basis}”的检查单独列明，不作为随机抽取")


@task_rule("draw-missing", "公开随机数产生后及时公示抽取记录或失败记录（不得悄悄重抽）", Severity.ERROR, S1_REQ_2)
def draw_or_failure_published(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    """Every committed set of public values ends in a draw record or a failure record within the
    agency's working days: values with neither could be the first of several quiet attempts."""
    if not tc.random:
        return Verdict(NOT_APPLICABLE, "非随机抽查")
    values = tc.data.randomness.get((tc.year, tc.task.id))
    if tc.draw is not None:
        return Verdict(MET, "已公示抽取记录")
    if (tc.year, tc.task.id) in tc.data.failures:
        return Verdict(MET, "抽取未能完成，已公示失败记录")
    if values is None:
        return Verdict(NOT_DUE, "尚未提交公开随机数")
    days = tc.data.agency.model.draw_within_working_days if tc.data.agency else 3
    announced_at, announced = values.model.last_announced()
    try:
        due = ctx.calendar.add_working_days(announced, days)
    except CalendarGap as gap:
        return Verdict(UNKNOWN, f"缺少 {gap.year} 年的法定节假日安排，无法计算工作日：请录入{gap.notice}")
    if ctx.as_of <= due:
        return Verdict(NOT_DUE, f"公开随机数 {announced.isoformat()} 公布，应于 {due.isoformat()} 前公示抽取记录或失败记录")
    return Verdict(NOT_MET, f"公开随机数 {announced.isoformat()} 公布，{days} 个工作日内没有抽取记录或失败记录", (ctx.finding(
        "draw-missing", values.doc.pos(*announced_at),
        f"任务 {tc.task.id} 的公开随机数于 {announced.isoformat()} 公布，至 {ctx.as_of.isoformat()} 既没有抽取记录也没有失败记录"
        f"（应于 {due.isoformat()} 前）：运行 ssjpub draw，抽取失败时也会写出失败记录，须提交公示"),))
