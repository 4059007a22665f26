"""The lottery games table (plans/lottery-games.yaml) and the checks of one source against it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_repo, problems_of
from ssjpub.loader.documents import validate_document
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.lottery import check_declaration, check_numbers, draws_until, issue_for, on_schedule
from ssjpub.model import LotteryGames, Randomness

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "plans/lottery-games.yaml"


def _table() -> LotteryGames:
    doc, problems = parse_yaml(TABLE.read_text(encoding="utf-8"), "plans/lottery-games.yaml")
    assert problems == []
    games, problems = validate_document(doc, LotteryGames)
    assert problems == []
    return games


GAMES = _table()
NAMES = [g.name for g in GAMES.games]


def test_the_table_has_the_games_the_issue_names_with_their_rules():
    assert {"双色球", "大乐透", "福彩3D", "排列三", "排列五", "七乐彩"} <= set(NAMES)
    ssq, dlt, qlc = GAMES.get("双色球"), GAMES.get("大乐透"), GAMES.get("七乐彩")
    assert [(g.count, g.min, g.max, g.distinct) for g in ssq.groups] == [(6, 1, 33, True), (1, 1, 16, True)]
    assert ssq.draw_days == ["周二", "周四", "周日"] and ssq.issue_form == "YYYYNNN"
    assert [(g.count, g.min, g.max) for g in dlt.groups] == [(5, 1, 35), (2, 1, 12)] and dlt.issue_form == "YYNNN"
    assert dlt.draw_days == ["周一", "周三", "周六"] and qlc.draw_days == ["周一", "周三", "周五"]
    assert qlc.groups[1].not_in == "基本号码"
    for name in ("福彩3D", "排列三", "排列五"):
        game = GAMES.get(name)
        assert game.positional and len(game.draw_days) == 7 and all(g.count == 1 and g.max == 9 for g in game.groups)
    assert len(GAMES.get("排列五").groups) == 5


def test_the_committed_table_validates_in_the_repository(tmp_path):
    repo = make_repo(tmp_path / "repo")
    (repo / "plans/lottery-games.yaml").write_bytes(TABLE.read_bytes())
    assert problems_of(repo) == []


def test_a_broken_table_is_reported_where_it_is_wrong(repo):
    text = TABLE.read_text(encoding="utf-8").replace("{name: 蓝色球, count: 1, min: 1, max: 16", "{name: 蓝色球, count: 1, min: 17, max: 16", 1)
    text = text.replace("not_in: 基本号码", "not_in: 蓝色球", 1)
    (repo / "plans/lottery-games.yaml").write_text(text, encoding="utf-8")
    found = {(p.code, p.line) for p in problems_of(repo)}
    lines = text.splitlines()
    assert ("invalid-value", next(i for i, x in enumerate(lines, 1) if "min: 17" in x)) in found
    assert ("dangling-reference", next(i for i, x in enumerate(lines, 1) if "not_in: 蓝色球" in x)) in found


def test_the_year_issue_counts_follow_the_weekdays():
    ssq = GAMES.get("双色球")
    assert draws_until(ssq, date(2024, 1, 9)) == 4  # 2, 4, 7, 9 January
    assert issue_for(ssq, date(2024, 1, 9), 4) == "2024004"
    assert issue_for(GAMES.get("大乐透"), date(2024, 1, 8), 4) == "24004"
    assert draws_until(GAMES.get("福彩3D"), date(2024, 12, 31)) == 366


def _source(game: str, issue: str | None, on: date) -> Randomness:
    return Randomness(kind="公开开奖", source=f"中国福利彩票{game}", game=game, issue=issue, expected_on=on)


@pytest.mark.parametrize(("issue", "on", "why"), [
    ("2024004", date(2024, 1, 8), "lottery-draw-weekday"),  # a Monday
    ("24004", date(2024, 1, 9), "lottery-issue-form"),  # 双色球 writes four year digits
    ("2023152", date(2024, 1, 2), "lottery-issue-form"),  # January draws start the new year at 001
    ("2024150", date(2024, 1, 9), "lottery-issue-form"),  # no 150th draw by 9 January
    (None, date(2024, 1, 9), "lottery-issue-form"),
])
def test_a_declaration_off_its_game_is_caught(issue, on, why):
    assert why in {f.code for f in check_declaration(GAMES, _source("双色球", issue, on))}


def test_a_declaration_of_its_game_passes_and_an_unknown_game_is_named():
    assert list(check_declaration(GAMES, _source("双色球", "2024004", date(2024, 1, 9)))) == []
    [found] = check_declaration(GAMES, _source("双色彩", "2024004", date(2024, 1, 9)))
    assert found.code == "lottery-game-unknown" and found.where == ("game",) and "双色球" in found.message


@st.composite
def drawn(draw, game_name: str):
    """Numbers as the game's rules allow them."""
    game = GAMES.get(game_name)
    out: dict[str, list[int]] = {}
    for g in game.groups:
        pool = [n for n in range(g.min, g.max + 1) if n not in out.get(g.not_in or "", [])]
        if g.distinct:
            out[g.name] = draw(st.lists(st.sampled_from(pool), min_size=g.count, max_size=g.count, unique=True))
        else:
            out[g.name] = draw(st.lists(st.sampled_from(pool), min_size=g.count, max_size=g.count))
    return game, list(out.values())


@st.composite
def game_numbers(draw):
    return draw(drawn(draw(st.sampled_from(NAMES))))


@settings(max_examples=300, deadline=None)
@given(game_numbers())
def test_numbers_within_the_rules_always_pass(case):
    game, numbers = case
    assert list(check_numbers(game, numbers)) == []


@settings(max_examples=300, deadline=None)
@given(game_numbers(), st.data())
def test_one_number_out_of_range_repeated_or_missing_always_fails(case, data):
    game, numbers = case
    g = data.draw(st.integers(0, len(numbers) - 1))
    k = data.draw(st.integers(0, len(numbers[g]) - 1))
    group = game.groups[g]
    how = data.draw(st.sampled_from(["range", "missing"] + (["repeat"] if group.distinct and group.count > 1 else [])))
    broken = [list(x) for x in numbers]
    if how == "range":
        broken[g][k] = data.draw(st.one_of(st.integers(0, group.min - 1) if group.min else st.nothing(),
                                           st.integers(group.max + 1, group.max + 100)))
        code = "lottery-number-range"
    elif how == "missing":
        del broken[g][k]
        code = "lottery-number-count"
    else:
        other = (k + 1) % len(broken[g])
        broken[g][k] = broken[g][other]
        code = "lottery-number-repeated"
    found = list(check_numbers(game, broken))
    assert code in {f.code for f in found}
    assert all(f.where[:2] == ("numbers", g) for f in found)


def test_the_special_number_of_qilecai_may_not_repeat_a_basic_one():
    qlc = GAMES.get("七乐彩")
    [found] = check_numbers(qlc, [[1, 2, 3, 4, 5, 6, 7], [7]])
    assert (found.code, found.where) == ("lottery-number-repeated", ("numbers", 1, 0)) and "基本号码" in found.message


def test_draw_days_in_every_week_match_the_table():
    for game in GAMES.games:
        week = [date(2024, 1, 1) + timedelta(days=i) for i in range(7)]  # Monday to Sunday
        assert sum(on_schedule(game, d) for d in week) == len(set(game.draw_days))


def test_check_reports_blue_ball_33_with_its_place(demo):
    import subprocess
    import sys

    values = demo / "plans/baofeng/2024/randomness/2024-01.yaml"
    text = values.read_text(encoding="utf-8")
    values.write_text(text.replace("- - 2\n", "- - 33\n"), encoding="utf-8")
    line = text[: text.index("- - 2\n")].count("\n") + 1
    out = subprocess.run([sys.executable, "-m", "ssjpub", "check", "--root", str(demo), "--as-of", "2026-11-22"],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"plans/baofeng/2024/randomness/2024-01.yaml:{line}:5: lottery-number-range " in out.stdout, out.stdout
    assert "1–16" in out.stdout


def test_draw_refuses_values_that_break_the_rules_and_writes_nothing(demo):
    """A record is published for good; the values may still be put right before the draw."""
    import subprocess
    import sys

    for suffix in (".json", ".yaml"):
        (demo / f"plans/baofeng/2024/draws/2024-07{suffix}").unlink()
    values = demo / "plans/baofeng/2024/randomness/2024-07.yaml"
    text = values.read_text(encoding="utf-8")
    declared = text[text.index("announced_on: ") + 14:].split("\n")[0]
    values.write_text(text.replace(f"announced_on: {declared}", "announced_on: 2024-11-13"), encoding="utf-8")  # a day off
    out = subprocess.run([sys.executable, "-m", "ssjpub", "draw", "--root", str(demo), "baofeng/2024/2024-07"],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "announced-not-declared" in out.stdout and "改正之后再抽取" in out.stderr
    assert not (demo / "plans/baofeng/2024/draws/2024-07.json").exists()
    values.write_text(text, encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "ssjpub", "draw", "--root", str(demo), "baofeng/2024/2024-07"],
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
