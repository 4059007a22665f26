"""The declared public randomness: a lottery draw checked against its game's rules, and dates
that cannot contradict each other (the plan is public before the randomness exists).

The checks themselves read one source and one values entry (ssjpub.lottery); the rules here
apply them to each task's declaration and its values file and place the findings.
"""

from __future__ import annotations

from ssjpub.beacon import drand
from ssjpub.lottery import LOTTERY, Finding, check_announced, check_declaration, check_values, game_of
from ssjpub.problems import Severity
from ssjpub.rules.catalogue import RuleContext
from ssjpub.rules.sources import S0_3_1, S1_4_1
from ssjpub.rules.tasks import MET, NOT_APPLICABLE, NOT_DUE, NOT_MET, UNKNOWN, TaskCtx, Verdict, task_rule


def _lotteries(tc: TaskCtx) -> list[int]:
    """The positions of the declared lottery sources, in declared order."""
    return [i for i, r in enumerate(tc.task.sources) if r.kind == LOTTERY]


def _not_lottery(tc: TaskCtx) -> Verdict | None:
    """The verdict of a lottery rule where it does not apply, or None where it does."""
    if not tc.random:
        return Verdict(NOT_APPLICABLE, "非随机抽查")
    if not tc.task.sources:
        return Verdict(NOT_DUE, "尚未声明公开随机数来源")
    if not _lotteries(tc):
        kinds = "、".join(dict.fromkeys(r.kind for r in tc.task.sources))
        return Verdict(NOT_APPLICABLE, f"随机数来源为{kinds}，不是彩票开奖")
    return None


def _placed(ctx: RuleContext, tc: TaskCtx, code: str, found) -> Verdict | None:
    """found: (pos, Finding) pairs of every source; the ones of this rule become its verdict."""
    problems = tuple(ctx.finding(code, pos(*f.where), f.message) for pos, f in found if f.code == code)
    return Verdict(NOT_MET, "；".join(p.message for p in problems), problems) if problems else None


def _games(ctx: RuleContext):
    return ctx.repo.games.model if ctx.repo.games else None


def _declaration_rule(ctx: RuleContext, tc: TaskCtx, code: str, met: str) -> Verdict:
    skip = _not_lottery(tc)
    if skip:
        return skip
    found = []
    for i in _lotteries(tc):
        here = tc.task.source_path(i)
        found += [(lambda *w, here=here: tc.pos(*here, *w), f)
                  for f in check_declaration(_games(ctx), tc.task.sources[i])]
    if code != "lottery-game-unknown" and any(f.code == "lottery-game-unknown" for _, f in found):
        return Verdict(UNKNOWN, "彩票游戏不在游戏表中，无法核对")
    return _placed(ctx, tc, code, found) or Verdict(MET, met)


def _entries(tc: TaskCtx):
    """(values file, [(index, entry)]) when the values exist and have an entry per declared source."""
    values = tc.data.randomness.get((tc.year, tc.task.id))
    if values is None or len(values.model.sources) != len(tc.task.sources):
        return values, None  # a count that differs is randomness-sources-count, found by validate
    return values, list(enumerate(values.model.sources))


def _values_rule(ctx: RuleContext, tc: TaskCtx, code: str, met: str) -> Verdict:
    skip = _not_lottery(tc)
    if skip:
        return skip
    games = [game_of(_games(ctx), tc.task.sources[i]) for i in _lotteries(tc)]
    if None in games:
        return Verdict(UNKNOWN, "彩票游戏不在游戏表中，无法核对")
    values, entries = _entries(tc)
    if values is None:
        return Verdict(NOT_DUE, "尚未提交开奖号码")
    if entries is None:
        return Verdict(UNKNOWN, "公开随机数的项数与声明的来源数不同，无法核对")
    found = []
    for game, i in zip(games, _lotteries(tc)):
        here = values.model.entry_path(i)
        found += [(lambda *w, here=here: values.doc.pos(*here, *w), f)
                  for f in check_values(game, tc.task.sources[i], entries[i][1])]
    return _placed(ctx, tc, code, found) or Verdict(MET, met)


def _declared(tc: TaskCtx) -> str:
    return "、".join(f"{r.game or ''}第 {r.issue or '?'} 期，{r.expected_on.isoformat()} 开奖"
                    for r in tc.task.sources if r.kind == LOTTERY)


@task_rule("lottery-game-unknown", "公开开奖声明游戏表中的彩票游戏", Severity.ERROR, S1_4_1)
def game_known(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    return _declaration_rule(ctx, tc, "lottery-game-unknown", f"声明{_declared(tc)}")


@task_rule("lottery-draw-weekday", "声明的开奖日期是该游戏的开奖日", Severity.ERROR, S1_4_1)
def draw_weekday(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    return _declaration_rule(ctx, tc, "lottery-draw-weekday", f"{_declared(tc)}：是该游戏的开奖日")


@task_rule("lottery-issue-form", "期号符合该游戏的格式和开奖年度", Severity.ERROR, S1_4_1)
def issue_form(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    return _declaration_rule(ctx, tc, "lottery-issue-form", f"{_declared(tc)}：期号符合该游戏的格式")


@task_rule("lottery-number-count", "开奖号码的组数和每组个数符合游戏规则", Severity.ERROR, S1_4_1)
def number_count(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    return _values_rule(ctx, tc, "lottery-number-count", "开奖号码的组数和个数符合游戏规则")


@task_rule("lottery-number-range", "开奖号码在游戏规则的范围内", Severity.ERROR, S1_4_1)
def number_range(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    return _values_rule(ctx, tc, "lottery-number-range", "开奖号码都在游戏规则的范围内")


@task_rule("lottery-number-repeated", "不可重复的开奖号码没有重复", Severity.ERROR, S1_4_1)
def number_repeated(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    return _values_rule(ctx, tc, "lottery-number-repeated", "开奖号码没有不应有的重复")


@task_rule("lottery-announced-weekday", "开奖日是该游戏的开奖日（或写明官方调整公告）", Severity.ERROR, S1_4_1)
def announced_weekday(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    return _values_rule(ctx, tc, "lottery-announced-weekday", "在该游戏的开奖日开奖")


@task_rule("announced-not-declared", "公开随机数来自声明的那一天的开奖（摇号）", Severity.ERROR, S1_4_1)
def announced_as_declared(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    if not tc.random:
        return Verdict(NOT_APPLICABLE, "非随机抽查")
    values, entries = _entries(tc)
    if not tc.task.sources or values is None:
        return Verdict(NOT_DUE, "尚未提交公开随机数")
    if entries is None:
        return Verdict(UNKNOWN, "公开随机数的项数与声明的来源数不同，无法核对")
    found, moved = [], []
    for i, entry in entries:
        source, here = tc.task.sources[i], values.model.entry_path(i)
        hits = list(check_announced(source, entry))
        found += [(lambda *w, here=here: values.doc.pos(*here, *w), f) for f in hits]
        if not hits and entry.announced_on != source.expected_on:
            moved.append(f"发行机构调整开奖日程，于 {entry.announced_on.isoformat()} 开奖：{entry.schedule_notice}")
    days = "、".join(dict.fromkeys(e.announced_on.isoformat() for _, e in entries))
    return (_placed(ctx, tc, "announced-not-declared", found)
            or Verdict(MET, "；".join(moved) if moved else f"于声明的 {days} 开奖（摇号）"))


@task_rule("draw-before-plan-published", "公开随机数在计划公示之后产生", Severity.ERROR, S0_3_1, S1_4_1)
def after_publication(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    """The public must know which draw decides before it happens: a declaration whose draw is
    on or before the plan's published_on was not public in time."""
    published = tc.plan.model.published_on
    if not tc.random:
        return Verdict(NOT_APPLICABLE, "非随机抽查")
    if not tc.task.sources:
        return Verdict(NOT_DUE, "尚未声明公开随机数来源")
    if published is None:
        return Verdict(NOT_DUE, "计划尚未公示")
    problems = tuple(
        ctx.finding("draw-before-plan-published", tc.pos(*tc.task.source_path(i), "expected_on"),
                    f"任务 {tc.task.id} 的开奖（摇号）日期 {r.expected_on.isoformat()} 不晚于计划公示日期 {published.isoformat()}："
                    "随机数产生时公众还不知道用哪一次开奖（摇号）。请声明公示日之后的开奖（摇号），"
                    "或把“published_on”更正为计划实际公示的日期")
        for i, r in enumerate(tc.task.sources) if r.expected_on <= published)
    days = "、".join(dict.fromkeys(r.expected_on.isoformat() for r in tc.task.sources))
    if problems:
        return Verdict(NOT_MET, f"开奖（摇号）日期 {days} 不晚于计划公示日期 {published.isoformat()}", problems)
    return Verdict(MET, f"计划 {published.isoformat()} 公示，{days} 开奖（摇号）")


@task_rule("drand-round-date", "声明的 drand 轮次在声明的日期（北京时间）产生", Severity.ERROR, S1_4_1)
def drand_round_date(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    """A drand round's time is fixed by its number: the declared date must be that round's day,
    so the public reads the same moment from both."""
    rounds = [(i, r) for i, r in enumerate(tc.task.sources) if r.kind == "drand"]
    if not tc.random or not rounds:
        return Verdict(NOT_APPLICABLE, "没有声明 drand 来源")
    problems = tuple(
        ctx.finding("drand-round-date", tc.pos(*tc.task.source_path(i), "expected_on"),
                    f"drand 第 {r.round} 轮产生于北京时间 {drand.round_time(r.round).astimezone(drand.CHINA):%Y-%m-%d %H:%M:%S}，"
                    f"声明的日期却是 {r.expected_on.isoformat()}：请把“expected_on”改为 {drand.round_date(r.round).isoformat()}，"
                    "或声明该日的轮次（ssjpub drand-round --at 选定的时间）")
        for i, r in rounds if drand.round_reason(r.round) is None and drand.round_date(r.round) != r.expected_on)
    if problems:
        return Verdict(NOT_MET, "；".join(p.message for p in problems), problems)
    return Verdict(MET, "、".join(f"drand 第 {r.round} 轮产生于 {r.expected_on.isoformat()}" for _, r in rounds))


# Sources nobody in the bureau controls; a 公开摇号 is the bureau's own ceremony.
UNCONTROLLED = (LOTTERY, "drand")


@task_rule("ceremony-after-lottery", "组合来源中，机关自己的公开摇号在彩票开奖（drand）之前举行", Severity.ERROR, S1_4_1)
def ceremony_first(ctx: RuleContext, tc: TaskCtx) -> Verdict:
    """Combining only helps if the bureau's ceremony is over before the uncontrolled draw: held
    after it, the ceremony could be repeated until the combined result suits (RFC 3797 §4).
    A ceremony has only a day, so it must be on an earlier day than the last lottery or round."""
    ceremonies = [(i, r) for i, r in enumerate(tc.task.sources) if r.kind == "公开摇号"]
    outside = [r.expected_on for r in tc.task.sources if r.kind in UNCONTROLLED]
    if not tc.random or not ceremonies or not outside:
        return Verdict(NOT_APPLICABLE, "没有公开摇号与彩票开奖（drand）的组合")
    last = max(outside)
    problems = tuple(
        ctx.finding("ceremony-after-lottery", tc.pos(*tc.task.source_path(i), "expected_on"),
                    f"任务 {tc.task.id} 的公开摇号日期 {r.expected_on.isoformat()} 不早于最后一个彩票开奖（drand）的日期 "
                    f"{last.isoformat()}：摇号若在开奖之后或同一天，机关可以先看到开奖结果，再重复摇号直到组合结果合意。"
                    "请把摇号安排在开奖的前一天或更早")
        for i, r in ceremonies if r.expected_on >= last)
    if problems:
        return Verdict(NOT_MET, "；".join(p.message for p in problems), problems)
    return Verdict(MET, f"公开摇号在 {last.isoformat()} 的开奖（drand）之前举行")


# What `ssjpub draw` checks before it draws: a record made from mistyped numbers or the wrong
# day would be published for good, while the values file may still be corrected before the draw.
BEFORE_DRAW = ("lottery-game-unknown", "lottery-draw-weekday", "lottery-issue-form", "lottery-number-count",
               "lottery-number-range", "lottery-number-repeated", "lottery-announced-weekday",
               "announced-not-declared", "draw-before-plan-published", "drand-round-date",
               "ceremony-after-lottery")


def before_draw(ctx: RuleContext, agency: str, year: int, task: str) -> list:
    """The problems these rules find in one task (none of them depends on the day judged)."""
    from ssjpub.rules.tasks import TASK_RULES, tasks

    return [p for tc in tasks(ctx) if (tc.code, tc.year, tc.task.id) == (agency, year, task)
            for code in BEFORE_DRAW for p in TASK_RULES[code](ctx, tc).problems]
