"""一单：the checklist of inspection items."""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ssjpub.model import approx_percent, format_ratio
from ssjpub.problems import Problem, Severity
from ssjpub.rules.catalogue import RuleContext, rule
from ssjpub.rules.checks.prelottery import task_forecast, timing, undrawn
from ssjpub.rules.sources import S0_2_1, S1_4_2
from ssjpub.rules.tasks import MET, NOT_APPLICABLE, NOT_DUE, NOT_MET, TaskCtx, Verdict, task_rule

MIN_GENERAL = Fraction(5, 100)
REQUIRED = {"category": "类别（重点/一般）", "department": "抽查主体", "basis": "抽查依据",
            "content": "抽查内容", "methods": "抽查方式"}


@rule("checklist-item-incomplete", "抽查事项写明主体、依据、内容、方式和类别", Severity.ERROR, S1_4_2, S0_2_1,
      task_level=False)
def item_complete(ctx: RuleContext) -> Iterator[Problem]:
    for data in ctx.repo.agencies.values():
        if data.checklist is None:
            continue
        for i, item in enumerate(data.checklist.model.items):
            missing = [title for name, title in REQUIRED.items() if getattr(item, name) is None]
            if missing:
                yield ctx.finding("checklist-item-incomplete", data.checklist.doc.pos("items", i),
                                  f"抽查事项 {item.id} 未写明：{'、'.join(missing)}")


@rule("general-item-ratio", "一般检查事项的抽查比例不低于 5%", Severity.ERROR, S0_2_1, task_level=False)
def general_ratio(ctx: RuleContext) -> Iterator[Problem]:
    for data in ctx.repo.agencies.values():
        if data.checklist is None:
            continue
        for i, item in enumerate(data.checklist.model.items):
            if item.category == "一般" and item.ratio < MIN_GENERAL:
                yield ctx.finding("general-item-ratio", data.checklist.doc.pos("items", i, "ratio"),
                                  f"一般检查事项 {item.id} 的抽查比例 {format_ratio(item.ratio)} 低于 5%")


@task_rule("task-item-inactive", "任务只抽查清单中有效的事项", Severity.ERROR, S1_4_2)
def task_items_active(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    items = {i.id: i for i in tc.data.checklist.model.items} if tc.data.checklist else {}
    stopped = [(k, i) for k, i in enumerate(tc.task.items) if i in items and items[i].status != "有效"]
    if not stopped:
        return Verdict(MET, "所列事项均在清单中且有效")
    return Verdict(NOT_MET, f"事项 {'、'.join(i for _, i in stopped)} 已停用", tuple(
        ctx.finding("task-item-inactive", tc.pos("items", k), f"任务 {tc.task.id} 的事项 {i} 在清单中已停用")
        for k, i in stopped))


def _item_ratio(tc: TaskCtx) -> tuple[Fraction, str] | None:
    items = {i.id: i for i in tc.data.checklist.model.items} if tc.data.checklist else {}
    ratios = [(items[i].ratio, i) for i in tc.task.items if i in items]
    return max(ratios) if ratios else None


@task_rule("task-ratio-below-item", "随机抽查的比例不低于所含事项在清单中的比例", Severity.ERROR, S0_2_1)
def task_ratio(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    floor = _item_ratio(tc)
    if not tc.random or floor is None:
        return Verdict(NOT_APPLICABLE, "非随机抽查" if not tc.random else "没有可比的清单事项")
    ratio, item = floor
    t = tc.task
    low: list[tuple[tuple, str]] = []
    if t.ratio is not None and t.ratio < ratio:
        low.append((("ratio",), f"比例 {format_ratio(t.ratio)}"))
    if t.strata is not None:
        for name, r in sorted(t.strata.ratios.items()):
            if r < ratio:
                low.append((("strata", "ratios", name), f"分层“{name}”的比例 {format_ratio(r)}"))
    if t.count is not None:
        if tc.draw is not None:
            eligible = tc.draw.data.get("eligible", {}).get("count", 0)
        elif undrawn(tc) is None:
            # Before the draw: the candidates with the current records, the most the draw can have
            # (earlier draws only cap more), so the worst case for the ratio (issue 14).
            eligible = task_forecast(tc).eligible
        else:
            return Verdict(NOT_DUE, f"按数量抽取，抽取后核对是否达到 {format_ratio(ratio)}")
        if eligible and t.count * ratio.denominator < ratio.numerator * eligible:
            low.append((("count",), f"数量 {t.count}（可抽 {eligible} 家的约 {approx_percent(Fraction(t.count, eligible))}）"))
    if not low:
        return Verdict(MET, f"不低于事项 {item} 的 {format_ratio(ratio)}")
    when = f"。{timing(ctx, tc)}" if tc.random and undrawn(tc) is None else ""
    return Verdict(NOT_MET, "；".join(w for _, w in low) + f" 低于事项 {item} 的 {format_ratio(ratio)}", tuple(
        ctx.finding("task-ratio-below-item", tc.pos(*path),
                    f"任务 {t.id} 的{what}低于事项 {item} 在清单中的比例 {format_ratio(ratio)}{when}")
        for path, what in low))
