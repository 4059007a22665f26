"""The pre-lottery guarantee (issue 14, item 1): for every random task not drawn yet, what would
make its draw or a later check fail, decided without the randomness (ssjpub.draw.prelottery).

Errors, at the task in plan.yaml or at the roster entry, saying what to change; before the
numbers are public the change is allowed, afterwards only a failure record and a new
declaration are (docs/staff-guide.md, 抽取失败时怎么办).
"""

from __future__ import annotations

import weakref

from ssjpub.draw.prelottery import Forecast, Gap, forecast
from ssjpub.problems import Pos, Problem, Severity
from ssjpub.rules.catalogue import RuleContext
from ssjpub.rules.sources import S0_2_1, S0_3_3, S1_REQ_2
from ssjpub.rules.tasks import MET, NOT_APPLICABLE, NOT_MET, TASK_RULES, TaskCtx, Verdict, task_rule

TARGETS, INSPECTORS = "prelottery-targets", "prelottery-inspectors"


def undrawn(tc: TaskCtx) -> str | None:
    """Why the pre-lottery check does not apply to the task (None: it applies)."""
    if not tc.random:
        return "非随机抽查"
    if tc.draw is not None:
        return "已抽取"
    if tc.task.snapshot is None or tc.task.snapshot not in tc.data.snapshots:
        return "任务的名录快照不存在"  # validate reports the reference
    return None


# (id(agency data), year, task) -> its forecast; both rules, the compliance record and the verdict
# ask for it. Keyed by id (the data is not hashable) and forgotten with the data, as population.py does.
_FORECASTS: dict[tuple[int, int, str], Forecast] = {}


def task_forecast(tc: TaskCtx) -> Forecast:
    key = (id(tc.data), tc.year, tc.task.id)
    found = _FORECASTS.get(key)
    if found is None:
        if not any(k[0] == key[0] for k in _FORECASTS):
            weakref.finalize(tc.data, _forget, key[0])
        found = _FORECASTS[key] = forecast(tc.data, tc.year, tc.task)
    return found


def _forget(data_id: int) -> None:
    for key in [k for k in _FORECASTS if k[0] == data_id]:
        del _FORECASTS[key]


def timing(ctx: RuleContext, tc: TaskCtx) -> str:
    """What the staff can still do: before the values are public, change the plan or the roster;
    after (values committed, or the declared day past without them), the draw must be run and its
    failure record published."""
    if (tc.year, tc.task.id) in tc.data.randomness:
        return ("公开随机数已经提交，现在修改计划或名录会被 ssjpub verify --history 拒绝：运行 ssjpub draw 写出失败记录并提交，"
                "再按工作人员指南“抽取失败时怎么办”新增任务（retry_of）、重新声明公开随机数来源")
    past = passed(ctx, tc)
    if past:
        return (f"{past}：公开随机数已经产生，计划和名录不能再改。按开奖公告提交随机数文件，运行 ssjpub draw 写出失败记录并提交，"
                "再按工作人员指南“抽取失败时怎么办”新增任务（retry_of）、重新声明公开随机数来源")
    return "须在开奖（摇号）之前改正并提交：公开随机数产生之后，计划和名录就不能再改"


def passed(ctx: RuleContext, tc: TaskCtx) -> str:
    """"The declared day has passed, its values are missing" in words, or "" (the lottery is in
    the evening: on its day the plan can still change)."""
    first = tc.task.earliest_source()
    if first is None or first[1].expected_on >= ctx.as_of or (tc.year, tc.task.id) in tc.data.randomness:
        return ""
    return (f"声明的开奖（摇号）日 {first[1].expected_on.isoformat()} 已过，"
            f"但还没有提交随机数文件 plans/{tc.code}/{tc.year}/randomness/{tc.task.id}.yaml")


def _problems(ctx: RuleContext, tc: TaskCtx, code: str, gaps: list[Gap]) -> tuple[Problem, ...]:
    out = []
    for g in gaps:
        if g.inspector is None:
            pos = tc.pos(*g.path)
        else:
            pos = tc.data.inspectors.doc.pos("inspectors", g.inspector, *g.path) if tc.data.inspectors else Pos(
                f"plans/{tc.code}/inspectors.yaml")
        out.append(ctx.finding(code, pos, f"任务 {tc.task.id} 抽取前检查：{g.message}。{timing(ctx, tc)}"))
    return tuple(out)


@task_rule(TARGETS, "抽取前即可确定：可抽单位（名录快照、分层比例、抽取数量、抽取顺序）不会使抽取失败", Severity.ERROR,
           S0_2_1, S1_REQ_2)
def targets(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    skip = undrawn(tc)
    if skip:
        return Verdict(NOT_APPLICABLE, skip)
    f = task_forecast(tc)
    if f.target_gaps:
        return Verdict(NOT_MET, "；".join(g.message for g in f.target_gaps), _problems(ctx, tc, TARGETS, f.target_gaps))
    parts = [f"{s or '全部'}：可抽 {most} 家{f'（最少 {fewest} 家）' if fewest < most else ''}，抽取 {n} 家"
             for s, most, fewest, n in f.strata]
    return Verdict(MET, "；".join(parts))


@task_rule(INSPECTORS, "抽取前即可确定：每家可能抽中的单位在回避、排除上次检查人员之后都有足够的可选检查人员", Severity.ERROR,
           S0_3_3, S1_REQ_2)
def inspectors(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    skip = undrawn(tc)
    if skip:
        return Verdict(NOT_APPLICABLE, skip)
    f = task_forecast(tc)
    if f.inspector_gaps:
        return Verdict(NOT_MET, f.inspector_gaps[0].message, _problems(ctx, tc, INSPECTORS, f.inspector_gaps))
    if f.fewest_inspectors is None:
        return Verdict(MET, "没有可抽单位")
    return Verdict(MET, f"每家可抽单位至少有 {f.fewest_inspectors} 名可选检查人员，每组 {tc.task.group_size} 名")


def _errors(ctx: RuleContext, tc: TaskCtx) -> list[Problem]:
    """Every error finding about the task from any task rule except the pre-lottery two (their
    gaps are listed as such)."""
    return [p for code in sorted(TASK_RULES) if code not in (TARGETS, INSPECTORS)
            for p in TASK_RULES[code](ctx, tc).problems if p.severity is Severity.ERROR]


def verdicts(ctx: RuleContext, tcs) -> list[str]:
    """One line per random task not drawn yet: "宝丰县人社局 2025/2025-01：可以抽取", or what to fix:
    the decisive fixes first, then the secondary ones (fixing them alone cannot make it drawable)."""
    lines = []
    for tc in tcs:
        if tc.failed or undrawn(tc) in ("非随机抽查", "已抽取"):
            continue
        name = tc.data.agency.model.short_name if tc.data.agency else tc.code
        head = f"{name} {tc.year}/{tc.task.id}"
        if undrawn(tc):
            lines.append(f"{head}：不能抽取：{undrawn(tc)}")
            continue
        f = task_forecast(tc)
        gaps = f.target_gaps + f.inspector_gaps
        must = [g.message for g in gaps if not g.secondary] + [f"{p.code}：{p.message}" for p in _errors(ctx, tc)]
        minor = [g.message for g in gaps if g.secondary]
        if not must:
            note = []
            if not tc.task.sources:
                note.append("尚未声明公开随机数来源")
            elif passed(ctx, tc):
                note.append(f"{passed(ctx, tc)}，请按开奖公告提交")
            if f.pending:
                note.append(f"在 {'、'.join(f.pending)} 之后抽取")
            lines.append(f"{head}：可以抽取" + (f"（{'；'.join(note)}）" if note else ""))
            continue
        lines.append(f"{head}：须改正 {len(must)} 处（{timing(ctx, tc)}）")
        lines += [f"  - {m}" for m in must]
        if minor:
            lines.append(f"  另有 {len(minor)} 处次要（{f.secondary}）：")
            lines += [f"  - {m}" for m in minor]
    return lines
