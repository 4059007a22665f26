"""Results: complete, justified when withheld, published within 20 working days, archived."""

from __future__ import annotations

from ssjpub.problems import Severity
from ssjpub.rules.catalogue import RuleContext
from ssjpub.rules.sources import S0_3_5, S1_4_5, S1_REQ_2
from ssjpub.rules.tasks import MET, NOT_APPLICABLE, NOT_DUE, NOT_MET, UNKNOWN, TaskCtx, Verdict, task_rule
from ssjpub.workdays import CalendarGap

DAYS = 20


def _expected(tc: TaskCtx) -> list[str] | None:
    """Whom the task's results must cover: the drawn targets, or the listed non-random ones."""
    if tc.random:
        return tc.drawn() if tc.draw else None
    return list(tc.task.targets)


@task_rule("result-missing", "每个抽中（列明）的单位都有检查结果", Severity.ERROR, S0_3_5)
def results_complete(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    expected, res = _expected(tc), tc.results
    if expected is None or res is None:
        return Verdict(NOT_DUE, "尚无检查结果")
    have = {r.target for r in res.model.results}
    missing = [c for c in expected if c not in have]
    if missing:
        return Verdict(NOT_MET, f"{len(missing)} 家单位没有检查结果", (ctx.finding(
            "result-missing", res.doc.pos("results", key=True), f"任务 {tc.task.id} 缺少 {len(missing)} 家单位的检查结果：{'、'.join(missing[:5])}{'…' if len(missing) > 5 else ''}"),))
    return Verdict(MET, f"{len(expected)} 家单位都有检查结果")


@task_rule("result-extra", "检查结果只针对抽中（列明）的单位", Severity.ERROR, S0_3_5)
def results_extra(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    expected, res = _expected(tc), tc.results
    if res is None:
        return Verdict(NOT_DUE, "尚无检查结果")
    if expected is None:
        return Verdict(NOT_MET, "尚未抽取却已有检查结果", (ctx.finding(
            "result-extra", res.doc.pos("results", key=True), f"任务 {tc.task.id} 尚未抽取，却已有检查结果"),))
    allowed = set(expected)
    extra = [(i, r.target) for i, r in enumerate(res.model.results) if r.target not in allowed]
    if extra:
        return Verdict(NOT_MET, f"{len(extra)} 条结果的单位不在本任务中", tuple(
            ctx.finding("result-extra", res.doc.pos("results", i, "target"),
                        f"{c} 不是任务 {tc.task.id} {'抽中' if tc.random else '列明'}的单位") for i, c in extra))
    return Verdict(MET, "结果均针对本任务的单位")


@task_rule("result-date-outside", "检查日期在抽取之后、任务时间范围之内", Severity.ERROR, S0_3_5)
def result_dates(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    """An inspection dated before the draw could be made (the last public value announced), or
    outside the task's window, did not happen as the published task says (issue 14)."""
    res = tc.results
    if res is None:
        return Verdict(NOT_DUE, "尚无检查结果")
    values = tc.data.randomness.get((tc.year, tc.task.id)) if tc.random else None
    drawn_after = values.model.last_announced()[1] if values is not None and values.model.sources else None
    start, end = tc.task.window.start, tc.task.window.end
    bad = []
    for i, r in enumerate(res.model.results):
        day = r.inspected_on
        if drawn_after is not None and day < drawn_after:
            bad.append(ctx.finding("result-date-outside", res.doc.pos("results", i, "inspected_on"),
                                   f"{r.target} 的检查日期 {day.isoformat()} 早于抽取：公开随机数 {drawn_after.isoformat()} 才公布，"
                                   "抽取只能在那之后。请核对检查日期"))
        elif not start <= day <= end:
            bad.append(ctx.finding("result-date-outside", res.doc.pos("results", i, "inspected_on"),
                                   f"{r.target} 的检查日期 {day.isoformat()} 不在任务的时间范围 {start.isoformat()} 至 {end.isoformat()} 内。"
                                   "请核对检查日期"))
    if bad:
        return Verdict(NOT_MET, f"{len(bad)} 条结果的检查日期不在抽取之后的任务时间范围内", tuple(bad))
    return Verdict(MET, f"检查日期均在 {start.isoformat()} 至 {end.isoformat()} 之间" + ("，且在抽取之后" if drawn_after else ""))


@task_rule("result-completed-early", "办结日期不早于检查日期", Severity.ERROR, S0_3_5)
def completed_after_inspected(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    """A case cannot be closed before the inspection that opened it."""
    res = tc.results
    if res is None:
        return Verdict(NOT_DUE, "尚无检查结果")
    bad = [ctx.finding("result-completed-early", res.doc.pos("results", i, "completed_on"),
                       f"{r.target} 的办结日期 {r.completed_on.isoformat()} 早于检查日期 {r.inspected_on.isoformat()}："
                       "办结在检查之后（当天检查当天办结的，两者相同）。请核对办结日期和检查日期")
           for i, r in enumerate(res.model.results) if r.completed_on is not None and r.completed_on < r.inspected_on]
    if bad:
        return Verdict(NOT_MET, f"{len(bad)} 条结果的办结日期早于检查日期", tuple(bad))
    return Verdict(MET, "办结日期均不早于检查日期")


def _found_problem(ctx: RuleContext) -> dict[str, bool]:
    c = ctx.repo.categories
    return {x.name: x.found_problem for x in c.model.categories} if c else {}


@task_rule("result-findings-missing", "发现问题的结果公示发现的问题和处理情况", Severity.ERROR, S0_3_5)
def findings_published(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    """The public must see what was found and how it was handled (抽查结果公示); a result withheld
    by law says why instead (withheld-unjustified, withheld-content-public)."""
    res = tc.results
    if res is None:
        return Verdict(NOT_DUE, "尚无检查结果")
    found = _found_problem(ctx)
    bad = []
    for i, r in enumerate(res.model.results):
        if not found.get(r.category) or r.withheld is not None:
            continue
        missing = [t for n, t in (("findings", "发现的问题（findings）"), ("handling", "处理情况（handling）"))
                   if not (getattr(r, n) or "").strip()]
        if missing:
            bad.append(ctx.finding("result-findings-missing", res.doc.pos("results", i, "category"),
                                   f"{r.target} 的结果类别“{r.category}”是发现问题的类别，却未写{'和'.join(missing)}："
                                   "检查结果公示要让公众看到发现了什么问题、怎样处理。请填写；依法不予公开的，写明 withheld.reason"))
    if bad:
        return Verdict(NOT_MET, f"{len(bad)} 条发现问题的结果未写发现的问题或处理情况", tuple(bad))
    return Verdict(MET, "发现问题的结果均写明发现的问题和处理情况")


@task_rule("follow-up-without-problem", "整改回访只针对发现问题的结果", Severity.ERROR, S0_3_5)
def follow_up_needs_a_problem(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    """A follow-up visit checks that a problem was put right: on a result that found none, the
    category or the follow-up is wrong."""
    res = tc.results
    if res is None:
        return Verdict(NOT_DUE, "尚无检查结果")
    found = _found_problem(ctx)
    bad = [ctx.finding("follow-up-without-problem", res.doc.pos("results", i, "follow_up", key=True),
                       f"{r.target} 的结果类别“{r.category}”没有发现问题，却写了整改回访（follow_up）："
                       "回访是核实问题是否整改到位。请核对结果类别，或删去整改回访")
           for i, r in enumerate(res.model.results) if r.follow_up is not None and found.get(r.category) is False]
    if bad:
        return Verdict(NOT_MET, f"{len(bad)} 条未发现问题的结果写了整改回访", tuple(bad))
    return Verdict(MET, "整改回访均针对发现问题的结果")


@task_rule("withheld-unjustified", "不予公开的结果写明法律依据和批准部门", Severity.ERROR, S0_3_5, S1_4_5)
def withheld(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    res = tc.results
    if res is None:
        return Verdict(NOT_DUE, "尚无检查结果")
    bad, count = [], 0
    for i, r in enumerate(res.model.results):
        if r.withheld is None:
            continue
        count += 1
        missing = [t for n, t in (("legal_basis", "法律依据"), ("approved_by", "批准部门")) if getattr(r.withheld, n) is None]
        if missing:
            bad.append(ctx.finding("withheld-unjustified", res.doc.pos("results", i, "withheld", key=True),
                                   f"{r.target} 的结果不予公开，但未写明{'、'.join(missing)}"))
    if bad:
        return Verdict(NOT_MET, f"{len(bad)} 条不予公开的结果缺少依据", tuple(bad))
    return Verdict(MET if count else NOT_APPLICABLE, f"{count} 条结果依法不予公开，均写明依据" if count else "没有不予公开的结果")


def _deadline(ctx: RuleContext, tc: TaskCtx):
    ended = tc.results.model.completed_on if tc.results else tc.task.window.end
    return ended, ctx.calendar.add_working_days(ended, DAYS)


@task_rule("results-late", "任务完成后 20 个工作日内公示检查结果", Severity.ERROR, S0_3_5)
def results_on_time(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    try:
        ended, due = _deadline(ctx, tc)
        published = tc.results.model.published_on if tc.results else None
        if published is not None:
            n = ctx.calendar.working_days_between(ended, published)
    except CalendarGap as gap:
        return Verdict(UNKNOWN, f"缺少 {gap.year} 年的法定节假日安排，无法计算工作日：请录入{gap.notice}")
    if published is None:
        if ctx.as_of <= due:
            return Verdict(NOT_DUE, f"任务 {ended.isoformat()} 完成，应于 {due.isoformat()} 前公示")
        where = tc.results.doc.pos("published_on") if tc.results else tc.pos("window", "end")
        return Verdict(NOT_MET, f"应于 {due.isoformat()} 前公示，至今未公示", (ctx.finding(
            "results-late", where, f"任务 {tc.task.id} 于 {ended.isoformat()} 完成，检查结果应于 {due.isoformat()} 前公示，至今未公示"),))
    if n > DAYS:
        return Verdict(NOT_MET, f"结果于完成后第 {n} 个工作日公示（{published.isoformat()}），超过 {DAYS} 个工作日", (ctx.finding(
            "results-late", tc.results.doc.pos("published_on"),
            f"任务 {tc.task.id} 的结果于完成后第 {n} 个工作日公示，超过 {DAYS} 个工作日（应于 {due.isoformat()} 前）"),))
    return Verdict(MET, f"结果于完成后第 {n} 个工作日公示（{published.isoformat()}）")


@task_rule("calendar-missing", "法定节假日安排已录入，工作日可以计算", Severity.WARNING, S0_3_5)
def calendar_known(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    try:
        _deadline(ctx, tc)
    except CalendarGap as gap:
        return Verdict(NOT_MET, f"缺少 {gap.year} 年的节假日安排", (ctx.finding(
            "calendar-missing", tc.pos("window", "end"),
            f"计算任务 {tc.task.id} 的公示期限需要 {gap.year} 年的法定节假日安排：请在 plans/calendar/{gap.year}.yaml 中录入{gap.notice}"),))
    return Verdict(MET, "所需年度的节假日安排已知")


@task_rule("archive-missing", "抽查结束后做好归档", Severity.WARNING, S1_REQ_2)
def archived(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    res = tc.results
    if res is None or res.model.published_on is None:
        return Verdict(NOT_DUE, "结果公示后归档")
    a, done = res.model.archived_on, res.model.completed_on
    if a is None:
        return Verdict(NOT_MET, "结果已公示，未记录归档日期", (ctx.finding(
            "archive-missing", res.doc.pos("published_on"), f"任务 {tc.task.id} 的结果已公示，但未记录归档日期（archived_on）"),))
    if a < done:
        return Verdict(NOT_MET, f"归档日 {a.isoformat()} 早于任务完成日 {done.isoformat()}", (ctx.finding(
            "archive-missing", res.doc.pos("archived_on"), f"归档日 {a.isoformat()} 早于任务完成日 {done.isoformat()}"),))
    return Verdict(MET, f"{a.isoformat()} 归档")
