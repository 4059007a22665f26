"""How much choice the inspector draw had (ssjpub.draw.choice): on hand-made records, against the
engine, before the lottery on a real repository through the real CLI, and on the demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, make_repo
from ssjpub.draw.choice import drawn_choice, expected_choice, no_choice, sentence, summary, task_choice
from ssjpub.draw.engine import PriorDraws, assign_inspectors
from ssjpub.rules.sources import S0_3_3
from ssjpub.validate import validate

PLAN = "plans/shili/2024/plan.yaml"


def record(pool: list[str], groups: list[tuple[list[str], list[str], list[str]]], size: int = 2,
           excluded: tuple[str, ...] = ()) -> dict:
    """A draw record's parts the function reads: pool (ids, some excluded) and groups of
    (members, recused, previous)."""
    return {
        "parameters": {"group_size": size},
        "inspectors": {"pool": [{"id": i, "excluded": ["不在岗"] if i in excluded else []} for i in pool]},
        "groups": [{"target": f"T{n}", "leader": m[0], "members": m, "recused": r, "previous": p}
                   for n, (m, r, p) in enumerate(groups)],
    }


def test_a_normal_draw_has_a_real_choice_and_says_from_how_many():
    pool = [f"P{i}" for i in range(1, 10)]  # P9 is excluded: 8 candidates before the per-target rules
    rec = record(pool, [(["P1", "P2"], ["P3"], ["P4"]), (["P3", "P4"], ["P5"], ["P6"])], excluded=("P9",))
    c = drawn_choice(rec)
    assert (c.pool, c.base, c.groups, c.distinct, c.fewest, c.forced) == (9, 8, 2, 2, 6, 0)
    assert c.real and not c.identical and no_choice(c) == ""
    assert sentence(c) == "每组从 6 名可选检查人员中抽取 2 名（回避 1 名，上次检查过的 1 名）"
    assert summary(c) == ("实施股室 9 人中符合条件的 8 人；每组从 6 名可选检查人员中抽取 2 名（回避 1 名，上次检查过的 1 名）；"
                          "共 2 个检查组，出现 2 种不同的组员组合")


def test_a_group_with_no_more_candidates_than_its_size_is_forced():
    rec = record(["A", "B", "C", "D"], [(["A", "B"], [], []), (["C", "D"], ["A"], ["B"])])
    c = drawn_choice(rec)
    assert (c.forced, c.fewest, c.real) == (1, 2, False)
    assert sentence(c) == ("每组从 2–4 名可选检查人员中抽取 2 名：1 组从 4 名中抽取；"
                           "1 组从 2 名中抽取（回避 1 名，上次检查过的 1 名）")
    note = no_choice(c)
    assert "2 个检查组中有 1 个的可选检查人员不多于每组人数 2 名，组员实际上是指定的" in note
    assert note.endswith(f"{S0_3_3.ref}：“{S0_3_3.quote}”") and "S0 三（三）" in note


def test_identical_groups_leave_no_choice_even_when_each_had_candidates_to_spare():
    rec = record(["A", "B", "C"], [(["A", "B"], [], [])] * 3)
    c = drawn_choice(rec)
    assert (c.forced, c.identical, c.distinct, c.real) == (0, True, 1, False)
    assert "全部 3 个检查组的组员相同" in no_choice(c) and "指定" not in no_choice(c)
    assert drawn_choice(record(["A", "B", "C"], [(["A", "B"], [], [])])).real  # one group is not "all the same"


def test_a_pool_equal_to_the_group_size_is_both_forced_and_identical():
    c = drawn_choice(record(["A", "B", "C"], [(["A", "B"], [], [])] * 4, excluded=("C",)))
    assert (c.forced, c.identical) == (4, True)
    assert no_choice(c).startswith("检查人员的抽取没有真正的选择余地：每个检查组的可选检查人员不多于每组人数 2 名，"
                                   "组员实际上是指定的；全部 4 个检查组的组员相同。")


def test_an_inspector_both_recused_and_previous_is_counted_once():
    c = drawn_choice(record(["A", "B", "C", "D", "E"], [(["C", "D"], ["A"], ["A", "B"])]))
    assert c.kinds == (((3, 1, 2), 1),)
    assert sentence(c) == "每组从 3 名可选检查人员中抽取 2 名（回避 1 名，上次检查过的 2 名，其中 1 名两者皆是）"


def test_excluded_people_named_as_recused_or_previous_do_not_count_twice():
    c = drawn_choice(record(["A", "B", "C", "D"], [(["A", "B"], ["D"], ["D"])], excluded=("D",)))
    assert c.kinds == (((3, 0, 0), 1),)


def _assign(base: int, size: int, targets: int, seed: str):
    """The real engine's group assignment on a pool of `base` candidates, nobody recused."""
    ctx = SimpleNamespace(task=SimpleNamespace(group_size=size), pos=None)
    pool = [{"id": f"I{i:02d}", "excluded": [], "conflicts": []} for i in range(base)]
    drawn = [{"code": f"C{n:03d}"} for n in range(targets)]
    groups = assign_inspectors(ctx, seed, drawn, pool, {})
    return {"parameters": {"group_size": size}, "inspectors": {"pool": pool}, "groups": groups}


@settings(max_examples=60, deadline=None)
@given(size=st.integers(2, 4), extra=st.integers(0, 5), targets=st.integers(2, 12),
       seed=st.text("0123456789abcdef", min_size=64, max_size=64))
def test_with_the_engine_groups_are_all_identical_exactly_when_the_pool_equals_the_group_size(size, extra, targets, seed):
    c = drawn_choice(_assign(size + extra, size, targets, seed))
    assert c.identical == (extra == 0)
    assert c.real == (extra > 0)
    assert c.groups == targets and c.fewest == size + extra


def test_the_prediction_before_the_lottery_covers_every_group_the_demo_drew():
    """Re-predicted from each demo record's own roster and the draws before it: every drawn
    group's kind was foreseen, never more often than predicted, over exactly the eligible."""
    repo, problems = validate(REPO)
    assert problems == []
    for code, data in sorted(repo.agencies.items()):
        for (year, task_id), draw in sorted(data.draws.items()):
            task = next(t for t in data.plans[year].model.tasks if t.id == task_id)
            before = expected_choice(task, year, draw.data["inspectors"], data.snapshots[task.snapshot],
                                     PriorDraws.before(data, year, task_id))
            after = drawn_choice(draw.data)
            predicted = dict(before.kinds)
            assert before.groups == draw.data["eligible"]["count"], task_id
            for kind, n in after.kinds:
                assert n <= predicted.get(kind, 0), (code, task_id, kind)
            assert before.fewest <= after.fewest and (before.forced or not after.forced), task_id


def test_the_demo_keeps_one_task_without_a_real_choice():
    repo, _ = validate(REPO)
    verdicts = {(code, year, t.id): task_choice(data, year, t) for code, data in repo.agencies.items()
                for year, plan in data.plans.items() for t in plan.model.tasks if t.basis == "随机抽查"}
    assert [k for k, c in verdicts.items() if not c.real] == [("baofeng", 2024, "2024-05")]
    assert all(c.fewest >= 7 for k, c in verdicts.items() if k[2] in ("2024-03", "2023-02"))  # not 4 auditors


# --- ssjpub check, in a real process on a real repository ------------------------------------------


def check(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssjpub", "check", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=300)


def _line(root: Path, needle: str) -> int:
    text = (root / PLAN).read_text(encoding="utf-8")
    return text.count("\n", 0, text.index(needle)) + 1


def test_check_warns_before_the_lottery_at_the_group_size_and_stops_when_the_roster_grows(tmp_path):
    root = make_repo(tmp_path / "repo")  # task 2024-01: two inspectors in its department, one recusing
    done = check(root, "--as-of", "2024-01-20")
    # The warning; and, since one enterprise has fewer than a group, the pre-lottery error (issue 14).
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if " 警告 " not in line]
    assert [line.split(" ")[1] for line in errors] == ["prelottery-inspectors"], done.stdout
    hits = [line for line in done.stdout.splitlines() if " inspector-no-choice " in line]
    assert hits == [f"{PLAN}:{_line(root, '- id: 2024-01')}:3: inspector-no-choice 警告 任务 2024-01 尚未抽取："
                    f"每组 2 人，可选检查人员最少只有 1 名（实施股室 2 人中符合条件的 2 人）。"
                    f"{no_choice_of(root)}"], done.stdout
    assert "增加具备资格的人员" in hits[0] and "其他股室" in hits[0] and S0_3_3.quote in hits[0]
    assert "1 个错误" in done.stderr

    plan = root / PLAN
    plan.write_text(plan.read_text(encoding="utf-8").replace("  method: 现场检查\n", "  method: 现场检查\n  group_size: 2\n", 1),
                    encoding="utf-8")
    done = check(root, "--as-of", "2024-01-20")
    assert f"{PLAN}:{_line(root, 'group_size: 2')}:15: inspector-no-choice 警告" in done.stdout, done.stdout

    roster = root / "plans/shili/inspectors.yaml"
    text = roster.read_text(encoding="utf-8")
    for n in range(4, 7):
        text += (f"- id: SL00{n}\n  name: 测试{n}\n  gender: 男\n  unit: 示例县人力资源和社会保障局\n  title: 一级科员\n"
                 f"  cert_no: 豫人社监字第4109992400{n}号\n  cert_expires: 2029-01-05\n  department: 劳动保障监察股\n"
                 f"  qualifications: [劳动保障监察]\n")
    roster.write_text(text, encoding="utf-8")
    done = check(root, "--as-of", "2024-01-20", "--format", "json")
    assert done.returncode == 0 and "inspector-no-choice" not in done.stdout, done.stdout


def no_choice_of(root: Path) -> str:
    repo, _ = validate(root)
    data = repo.agencies["shili"]
    return no_choice(task_choice(data, 2024, data.plans[2024].model.tasks[0]))


def test_check_states_a_drawn_task_without_choice_as_information_and_passes(tmp_path):
    done = check(REPO, "--as-of", "2026-11-22")
    assert done.returncode == 0, done.stdout + done.stderr
    hits = [line for line in done.stdout.splitlines() if " inspector-no-choice " in line]
    assert len(hits) == 1 and " inspector-no-choice 提示 任务 2024-05 已抽取，" in hits[0], done.stdout
    assert "全部 14 个检查组的组员相同" in hits[0] and "1 条提示" in done.stderr
    out = tmp_path / "compliance.json"
    assert check(REPO, "--as-of", "2026-11-22", "--compliance", str(out)).returncode == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["tasks"]["baofeng"]["2024"]
    row = next(r for r in rows["2024-05"] if r["code"] == "inspector-no-choice")
    assert row["status"] == "not-met" and "每组从 2 名可选检查人员中抽取 2 名" in row["detail"] and "S0 三（三）" in row["detail"]
    assert row["severity"] == "info"  # stated as a fact, so the site labels it （提示）, not （警告级）
    row = next(r for r in rows["2024-02"] if r["code"] == "inspector-no-choice")
    assert row["status"] == "met" and "名可选检查人员中抽取 2 名" in row["detail"] and "种不同的组员组合" in row["detail"]
