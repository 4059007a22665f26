"""A national lottery draw checked against its game's rules (plans/lottery-games.yaml).

Each check reads ONE declared source and, for the values, ONE values entry, and yields findings
`(code, where, message)`: `where` is a path inside the declaration or the values entry (the
caller turns it into a position), so the same checks serve a single source and a list of them.
The rules are the games' own: how many numbers each group has, their range, whether they repeat,
the weekdays and time of the draw, and the form of the issue number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from ssjpub.beacon import drand
from ssjpub.model import ISSUE_FORMS, WEEKDAYS, LotteryGame, LotteryGames, Randomness, RandomnessValues

CHINA = timezone(timedelta(hours=8))
LOTTERY = "公开开奖"


@dataclass(frozen=True)
class Finding:
    code: str
    where: tuple  # a path inside the declaration (or the values entry); () is the mapping itself
    message: str


def weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def on_schedule(game: LotteryGame, day: date) -> bool:
    return weekday(day) in game.draw_days


def draws_until(game: LotteryGame, day: date) -> int:
    """Scheduled draws of the game from 1 January to `day` inclusive: an upper bound of the
    day's serial number (breaks such as 春节 only lower it). The day itself counts even off
    schedule, for a draw the operator moved there."""
    start = date(day.year, 1, 1)
    days = (day - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * len(game.draw_days)
    count += sum(on_schedule(game, start + timedelta(days=weeks * 7 + i)) for i in range(rest))
    return count + (0 if on_schedule(game, day) else 1)


def issue_for(game: LotteryGame, day: date, serial: int) -> str:
    year_digits, _example = ISSUE_FORMS[game.issue_form]
    return f"{day.year % 10 ** year_digits:0{year_digits}d}{serial:03d}"


def describe(game: LotteryGame) -> str:
    return "、".join(f"{g.name} {g.count} 个（{g.min}–{g.max}）" for g in game.groups)


def game_of(games: LotteryGames | None, source: Randomness) -> LotteryGame | None:
    return games.get(source.game) if games is not None and source.kind == LOTTERY else None


def check_declaration(games: LotteryGames | None, source: Randomness) -> Iterator[Finding]:
    """A 公开开奖 declaration names a game of the table, on one of its draw days, with an issue
    number of the game's form for the year of the draw."""
    if source.kind != LOTTERY:
        return
    if source.game is None or games is None or games.get(source.game) is None:
        known = "、".join(g.name for g in games.games) if games else ""
        if source.game is None:
            why = "公开开奖须用“game”写明彩票游戏"
        elif games is None:
            why = f"没有彩票游戏表 plans/lottery-games.yaml，无法核对“{source.game}”"
        else:
            why = f"彩票游戏表 plans/lottery-games.yaml 中没有“{source.game}”"
        yield Finding("lottery-game-unknown", ("game",) if source.game else (),
                      why + (f"：请写其中之一：{known}" if known else "：请先提交游戏表"))
        return
    game = games.get(source.game)
    day = source.expected_on
    if not on_schedule(game, day):
        yield Finding("lottery-draw-weekday", ("expected_on",),
                      f"{game.name}每周{'、'.join(game.draw_days)}开奖，{day.isoformat()} 是{weekday(day)}："
                      f"请声明该游戏的常规开奖日")
    yield from _issue(game, source)


def _issue(game: LotteryGame, source: Randomness) -> Iterator[Finding]:
    year_digits, example = ISSUE_FORMS[game.issue_form]
    day, issue = source.expected_on, source.issue
    form = f"{year_digits} 位年份加 3 位序号（如 {example}）"
    if issue is None:
        yield Finding("lottery-issue-form", (), f"公开开奖须用“issue”写明期号：{game.name}的期号为{form}")
        return
    match = re.fullmatch(rf"([0-9]{{{year_digits}}})([0-9]{{3}})", issue)
    if match is None:
        yield Finding("lottery-issue-form", ("issue",), f"期号“{issue}”不符合{game.name}的格式：应为{form}")
        return
    year, serial = match.group(1), int(match.group(2))
    wanted = f"{day.year % 10 ** year_digits:0{year_digits}d}"
    limit = draws_until(game, day)
    if year != wanted:
        # The operators number each year's draws from 001 by the draw's own calendar year: the
        # first draw in January is 001 of the new year, never a late number of the old one.
        yield Finding("lottery-issue-form", ("issue",),
                      f"期号“{issue}”的年份“{year}”与开奖日期 {day.isoformat()} 不符：{game.name}按开奖所在年度编号，"
                      f"应以“{wanted}”开头（每年第一期为 001）")
    elif not 1 <= serial <= limit:
        yield Finding("lottery-issue-form", ("issue",),
                      f"期号“{issue}”不可能：{day.year} 年 1 月 1 日至 {day.isoformat()}，{game.name}至多开奖 {limit} 期，"
                      f"序号应在 001 至 {limit:03d} 之间")


def check_values(game: LotteryGame, source: Randomness, values: RandomnessValues) -> Iterator[Finding]:
    """The announced numbers keep the game's rules; the draw happened on the declared day, and on
    a draw day of the game, unless the values cite the operator's notice of a changed schedule."""
    yield from check_numbers(game, values.numbers)
    day, notice = values.announced_on, values.schedule_notice
    if notice is None and not on_schedule(game, day):
        yield Finding("lottery-announced-weekday", ("announced_on",),
                      f"{game.name}每周{'、'.join(game.draw_days)}开奖，{day.isoformat()} 是{weekday(day)}：请核对开奖日期；"
                      "发行机构调整了开奖日程的，用“schedule_notice”写明其官方公告")


def check_numbers(game: LotteryGame, numbers: list[list[int]]) -> Iterator[Finding]:
    groups = game.groups
    if len(numbers) != len(groups):
        yield Finding("lottery-number-count", ("numbers",),
                      f"{game.name}的开奖号码应为 {len(groups)} 组（{describe(game)}），这里写了 {len(numbers)} 组"
                      + ("：按位开奖的游戏每位写一组，如 [[3], [0], [7]]" if game.positional else ""))
    seen_in: dict[str, set[int]] = {}
    for g, (group, drawn) in enumerate(zip(groups, numbers)):
        if len(drawn) != group.count:
            yield Finding("lottery-number-count", ("numbers", g),
                          f"{game.name}的{group.name}应为 {group.count} 个号码，这里有 {len(drawn)} 个")
        seen: set[int] = set()
        other = seen_in.get(group.not_in, set()) if group.not_in else set()
        for k, n in enumerate(drawn):
            if not group.min <= n <= group.max:
                yield Finding("lottery-number-range", ("numbers", g, k),
                              f"{game.name}的{group.name}号码范围是 {group.min}–{group.max}，{n} 不在其中：请按开奖公告核对")
            elif group.distinct and n in seen:
                yield Finding("lottery-number-repeated", ("numbers", g, k),
                              f"{game.name}的{group.name}号码各不相同，{n} 重复出现：请按开奖公告核对")
            elif n in other:
                yield Finding("lottery-number-repeated", ("numbers", g, k),
                              f"{game.name}的{group.name}不会与{group.not_in}相同，{n} 已在{group.not_in}中：请按开奖公告核对")
            seen.add(n)
        seen_in[group.name] = seen


def check_announced(source: Randomness, values: RandomnessValues) -> Iterator[Finding]:
    """Any kind: the values come from the draw or ceremony declared for that day. A lottery the
    operator moved is the one exception, with its notice cited."""
    if values.announced_on == source.expected_on:
        return
    if source.kind == LOTTERY and values.schedule_notice is not None:
        return
    how = ("；彩票因发行机构调整日程改期开奖的，用“schedule_notice”写明其官方公告" if source.kind == LOTTERY
           else "：摇号改期的，须在计划中重新声明，之后另行摇号")
    yield Finding("announced-not-declared", ("announced_on",),
                  f"开奖（摇号）日期 {values.announced_on.isoformat()} 与计划中声明的 {source.expected_on.isoformat()} 不同"
                  f"：随机数须来自事先声明的那一次开奖（摇号）{how}")


def draw_moment(games: LotteryGames | None, source: Randomness, announced_on: date | None = None) -> tuple[datetime, str]:
    """The earliest moment the values can exist (Beijing time), and what that moment is: a
    lottery's draw time on its draw day, else the start of the declared day. A draw moved later
    by the operator counts from its announced day."""
    if source.kind == "drand" and drand.round_reason(source.round) is None:
        return drand.round_time(source.round).astimezone(CHINA), f"drand 第 {source.round} 轮的产生时间"
    day = max(source.expected_on, announced_on or source.expected_on)
    game = game_of(games, source)
    if game is not None:
        hour, minute = map(int, game.draw_time.split(":"))
        issue = f"第 {source.issue} 期" if source.issue else ""
        return datetime.combine(day, time(hour, minute), CHINA), f"{game.name}{issue}的开奖时间"
    return datetime.combine(day, time(0), CHINA), f"{source.kind}日期 {day.isoformat()} 的开始"
