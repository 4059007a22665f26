"""The pre-lottery guarantee (issue 14, item 1): a task that `ssjpub check` passes before its
lottery never fails `draw` or a later `check`, whatever the numbers turn out to be.

Small repositories are generated (snapshot, roster with recusals, expiring certificates and
missing qualifications, two tasks sharing a year so that the first one's draw can cap
enterprises and bar inspectors for the second), checked before any randomness exists, then
drawn in plan order with generated digits, written as the CLI writes them, reloaded and checked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from conftest import BASE, fictional_code
from test_failures import VALUES, _retry, commit, failed, ssjpub  # noqa: F401 - `failed` is a fixture
from ssjpub.draw.engine import DrawError, DrawFailed, execute
from ssjpub.draw.record import write_failure, write_record
from ssjpub.problems import Severity
from ssjpub.rules.catalogue import RuleContext, calendar_of, run_rules
from ssjpub.rules.checks.prelottery import INSPECTORS, TARGETS
from ssjpub.validate import validate

AS_OF = date(2024, 1, 15)  # after the plan is published, before its lotteries and windows: nothing else is due
PLAN = "plans/shili/2024/plan.yaml"
AREAS, INDUSTRIES, GRADES = ("城关镇", "周庄镇"), ("制造业", "建筑业"), ("A", "B", "C")
HEADER = "credit_code,name,area,industry,grade,complaints,serious_violation,status,source\n"


def _rows(draw, n: int) -> list[dict]:
    # The first two rows name both areas: a task's scope must name an area the snapshot has.
    return [{"code": fictional_code(100 + i), "area": AREAS[i] if i < 2 else draw(st.sampled_from(AREAS)),
             "industry": draw(st.sampled_from(INDUSTRIES)), "grade": draw(st.sampled_from(GRADES)),
             "active": draw(st.booleans()) if i else True} for i in range(n)]


@st.composite
def worlds(draw):
    rows = _rows(draw, draw(st.integers(3, 9)))
    codes = [r["code"] for r in rows]
    people = []
    for i in range(draw(st.integers(2, 7))):
        people.append({
            "id": f"SL{i + 1:03d}", "active": draw(st.sampled_from([True] * 5 + [False])),
            "qualified": draw(st.sampled_from([True] * 5 + [False])),
            "expires": draw(st.sampled_from(["2029-01-05"] * 5 + ["2024-04-30"])),
            "conflicts": draw(st.lists(st.sampled_from(codes), max_size=1)),
        })
    tasks = []
    for k in range(draw(st.integers(2, 3))):  # three of a year can reach the yearly cap
        how = draw(st.sampled_from(["ratio", "count", "strata"]))
        task = {"id": f"2024-0{k + 3}", "items": draw(st.sampled_from(["LD-01", "NM-01"])), "how": how,
                "group_size": draw(st.sampled_from([2, 2, 3])),
                "areas": draw(st.lists(st.sampled_from(AREAS), max_size=1)),
                "ratio": draw(st.sampled_from(["20%", "50%", "100%", "100%"])),
                "count": draw(st.integers(1, 8)),
                "strata": draw(st.dictionaries(st.sampled_from(GRADES + ("其他",)), st.sampled_from(["20%", "50%"]),
                                               min_size=1, max_size=3))}
        tasks.append(task)
    digits = [draw(st.text("0123456789", min_size=20, max_size=20)) for _ in tasks]
    return rows, people, tasks, digits


def _write(root: Path, rows, people, tasks) -> None:
    shutil.copytree(BASE, root)
    (root / "results/shili/2024/2024-02.yaml").unlink()
    lines = [HEADER] + [
        f"{r['code']},示例县示例{i}号有限公司,{r['area']},{r['industry']},{r['grade']},0,否,"
        f"{'在营' if r['active'] else '停业'},参保登记\n" for i, r in enumerate(rows)]
    (root / "plans/shili/targets/2024-01-05.csv").write_text("".join(lines), encoding="utf-8")
    roster = ["agency: shili\nupdated_on: 2024-01-05\ninspectors:\n"]
    for i, p in enumerate(people):
        roster.append(
            f"- id: {p['id']}\n  name: 测试{i}\n  gender: 男\n  unit: 示例县人力资源和社会保障局\n  title: 科员\n"
            f"  cert_no: 豫人社监字第4109992400{i}号\n  cert_expires: {p['expires']}\n  department: 劳动保障监察股\n"
            f"  qualifications: [{'劳动保障监察' if p['qualified'] else '职业技能培训管理'}]\n"
            f"  active: {'true' if p['active'] else 'false'}\n"
            + (f"  conflicts: [{', '.join(p['conflicts'])}]\n" if p["conflicts"] else ""))
    (root / "plans/shili/inspectors.yaml").write_text("".join(roster), encoding="utf-8")
    plan = (root / PLAN).read_text(encoding="utf-8")
    plan = plan[: plan.index("tasks:\n") + len("tasks:\n")]
    for k, t in enumerate(tasks):
        if t["how"] == "ratio":
            rule = f"  ratio: {t['ratio']}\n"
        elif t["how"] == "count":
            rule = f"  count: {t['count']}\n"
        else:
            rule = "  strata:\n    by: grade\n    ratios:\n" + "".join(f"      {g}: {r}\n" for g, r in sorted(t["strata"].items()))
        scope = f"  scope:\n    areas: [{t['areas'][0]}]\n" if t["areas"] else ""
        plan += (f"- id: {t['id']}\n  name: 生成的任务{k}\n  items: [{t['items']}]\n  departments: [劳动保障监察股]\n"
                 f"  snapshot: 2024-01-05\n{scope}{rule}  window:\n    start: 2024-03-01\n    end: 2024-05-31\n"
                 f"  group_size: {t['group_size']}\n  method: 现场检查\n"
                 f"  randomness:\n    kind: 公开摇号\n    source: 示例县人社局公开摇号会\n    expected_on: 2024-01-2{k}\n"
                 f"    place: 示例县人社局会议室\n    witnesses: [公证处派员]\n")
    (root / PLAN).write_text(plan, encoding="utf-8")


def _values(root: Path, k: int, task: str, digits: str) -> None:
    path = root / f"plans/shili/2024/randomness/{task}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"agency: shili\nyear: 2024\ntask: {task}\nannounced_on: 2024-01-2{k}\ndigits: '{digits}'\n"
                    "evidence: 摇号记录（测试）\n", encoding="utf-8")


def _errors(root: Path) -> tuple[object, list]:
    repo, problems = validate(root)
    assert problems == [], problems
    found = run_rules(RuleContext(repo, AS_OF, calendar_of(repo)))
    return repo, [p for p in found if p.severity is Severity.ERROR]


def _passes(errors: list, task: str) -> bool:
    """No pre-lottery finding for the task (at its lines in plan.yaml, or naming it)."""
    return not any(p.code in (TARGETS, INSPECTORS, "task-ratio-below-item") and f"任务 {task} " in p.message
                   for p in errors)


def _world(people: int, *tasks: dict) -> tuple:
    rows = [{"code": fictional_code(100 + i), "area": AREAS[i % 2], "industry": "制造业", "grade": "A", "active": True}
            for i in range(3)]
    roster = [{"id": f"SL00{i}", "active": True, "qualified": True, "expires": "2029-01-05", "conflicts": []}
              for i in range(1, people + 1)]
    full = [{"id": f"2024-0{k + 3}", "items": "LD-01", "how": "ratio", "ratio": "100%", "count": 1, "group_size": 2,
             "areas": [], "strata": {}} | t for k, t in enumerate(tasks)]
    return rows, roster, full, ["1" * 20] * len(full)


# Two earlier tasks of the year draw every enterprise: the third, asking for 2, may find none left.
CAPPED = _world(6, {}, {}, {"how": "count", "count": 2})
# The earlier task's group becomes the enterprises' last inspectors: 3 - 2 left for a group of 2.
BARRED = _world(3, {}, {})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(CAPPED)
@example(BARRED)
@given(worlds())
def test_a_task_that_passes_before_its_lottery_never_fails_after_it(world):
    rows, people, tasks, digits = world
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        _write(root, rows, people, tasks)
        _repo, before = _errors(root)
        ok = {t["id"]: _passes(before, t["id"]) for t in tasks}
        for k, t in enumerate(tasks):  # in plan order, as `draw --pending` does
            _values(root, k, t["id"], digits[k])
            repo, problems = validate(root)
            assert problems == [], problems
            try:
                write_record(root, execute(repo, "shili", 2024, t["id"]))
                event(f"{'passed' if ok[t['id']] else 'flagged'}, then drawn")
            except DrawFailed as exc:
                assert not ok[t["id"]], f"{t['id']} passed the pre-lottery check, then failed: {exc.problems}"
                event("flagged, then failed")
                write_failure(root, exc.record)
            except DrawError as exc:
                assert not ok[t["id"]], f"{t['id']} passed the pre-lottery check, then was refused: {exc.problems}"
        _repo, after = _errors(root)
        seen = {(p.code, p.file, p.line) for p in before}
        new = [p for p in after if (p.code, p.file, p.line) not in seen]
        assert new == [], [str(p) for p in new]


def test_check_prints_a_verdict_per_undrawn_task_and_the_fix_comes_before_the_numbers(tmp_path):
    """Through the real CLI: one task fails for a recusal (its one enterprise keeps a single
    inspector), the other can be drawn; the verdicts say so, the problem is at the task."""
    rows = [{"code": fictional_code(100), "area": "城关镇", "industry": "制造业", "grade": "A", "active": True},
            {"code": fictional_code(101), "area": "周庄镇", "industry": "制造业", "grade": "A", "active": True},
            {"code": fictional_code(102), "area": "城关镇", "industry": "建筑业", "grade": "B", "active": True}]
    people = [{"id": f"SL00{i}", "active": True, "qualified": True, "expires": "2029-01-05",
               "conflicts": [rows[0]["code"]] if i == 1 else []} for i in (1, 2, 3)]
    tasks = [{"id": "2024-03", "items": "LD-01", "how": "ratio", "ratio": "100%", "group_size": 3, "areas": ["城关镇"],
              "count": 1, "strata": {}},
             {"id": "2024-04", "items": "LD-01", "how": "ratio", "ratio": "100%", "group_size": 2, "areas": ["周庄镇"],
              "count": 1, "strata": {}}]
    root = tmp_path / "repo"
    _write(root, rows, people, tasks)
    out = subprocess.run([sys.executable, "-m", "ssjpub", "check", "--root", str(root), "--as-of", AS_OF.isoformat()],
                         capture_output=True, text=True)
    assert out.returncode == 1, out
    assert "Traceback" not in out.stderr
    plan = (root / PLAN).read_text(encoding="utf-8").splitlines()
    line = plan.index("  group_size: 3") + 1
    hits = [l for l in out.stdout.splitlines() if f" {INSPECTORS} " in l]
    assert hits == [l for l in hits if l.startswith(f"{PLAN}:{line}:")] and len(hits) == 1, out.stdout
    assert f"2 家可抽单位中有 1 家的可选检查人员不足，最少的 {rows[0]['code']} 只有 2 名" in hits[0] and "须在开奖（摇号）之前改正" in hits[0]
    assert "示例县人社局 2024/2024-03：须改正 1 处" in out.stderr, out.stderr
    assert "示例县人社局 2024/2024-04：可以抽取（在 2024/2024-03 之后抽取）" in out.stderr, out.stderr


def test_once_the_numbers_are_public_the_message_names_the_failure_record(tmp_path):
    rows = [{"code": fictional_code(100), "area": "城关镇", "industry": "制造业", "grade": "A", "active": True}]
    people = [{"id": "SL001", "active": True, "qualified": True, "expires": "2024-04-30", "conflicts": []},
              {"id": "SL002", "active": True, "qualified": True, "expires": "2029-01-05", "conflicts": []}]
    tasks = [{"id": "2024-03", "items": "LD-01", "how": "count", "count": 1, "group_size": 2, "areas": [],
              "ratio": "20%", "strata": {}}]
    root = tmp_path / "repo"
    _write(root, rows, people, tasks)
    _values(root, 0, "2024-03", "0" * 20)
    _repo, errors = _errors(root)
    assert TARGETS not in {p.code for p in errors}
    found = [p for p in errors if p.code == INSPECTORS]
    roster = [p for p in found if p.file == "plans/shili/inspectors.yaml"]
    assert len(roster) == 1 and "监察证 2024-04-30 到期" in roster[0].message
    assert all("运行 ssjpub draw 写出失败记录" in p.message for p in found)


def _guide_lines() -> list[str]:
    """The output lines quoted in the staff guide's two sections on the pre-lottery check and on
    failed draws (text blocks), each cut at an elision (……)."""
    text = (Path(__file__).resolve().parent.parent / "docs/staff-guide.md").read_text(encoding="utf-8")
    part = text[text.index("## 抽取前检查"):text.index("## 选择和声明彩票开奖")]
    lines = []
    for block in part.split("```text\n")[1:]:
        for line in block[: block.index("```")].splitlines():
            line = line.strip()
            if line and not line.startswith("$"):
                lines.append(line.split("……")[0])
    return lines


def test_the_staff_guide_quotes_what_check_and_draw_really_say(failed):
    """The guide's example (baofeng 2024-01 asking for groups of 40) run for real: before and after
    the numbers, the failed draw, and the retry declared after the failure record."""
    values = failed / VALUES
    kept = values.read_bytes()
    values.unlink()
    outputs = [ssjpub(failed, "check", "--as-of", "2024-01-08")]
    values.write_bytes(kept)
    outputs.append(ssjpub(failed, "check", "--as-of", "2024-01-09"))
    outputs.append(ssjpub(failed, "draw", "baofeng/2024/2024-01"))
    assert [o.returncode for o in outputs] == [1, 1, 1]
    commit(failed, "2024-01-10T09:00:00+08:00", "失败记录")
    _retry(failed)
    outputs.append(ssjpub(failed, "check", "--as-of", "2024-01-10"))
    assert outputs[-1].returncode == 0, outputs[-1].stdout + outputs[-1].stderr
    said = "\n".join(o.stdout + o.stderr for o in outputs)
    quoted = _guide_lines()
    assert len(quoted) >= 7
    missing = [line for line in quoted if line not in said]
    assert missing == [], said


def test_a_count_below_the_item_ratio_and_a_stratum_without_ratio_are_found_before_the_lottery(tmp_path):
    """The issue's case (a count under the item's ratio, found only after the draw) and the
    strata's: both at their lines in plan.yaml while the plan can still change."""
    rows = [{"code": fictional_code(100 + i), "area": AREAS[i % 2], "industry": "制造业", "grade": GRADES[i % 3],
             "active": True} for i in range(9)]
    people = [{"id": f"SL00{i}", "active": True, "qualified": True, "expires": "2029-01-05", "conflicts": []}
              for i in (1, 2, 3, 4)]  # four: 2024-03's group may take two of them from 2024-04
    tasks = [{"id": "2024-03", "items": "NM-01", "how": "count", "count": 1, "group_size": 2, "areas": [],
              "ratio": "20%", "strata": {}},
             {"id": "2024-04", "items": "LD-01", "how": "strata", "count": 1, "group_size": 2, "areas": [],
              "ratio": "20%", "strata": {"A": "50%", "B": "50%"}}]
    root = tmp_path / "repo"
    _write(root, rows, people, tasks)
    _repo, errors = _errors(root)
    plan = (root / PLAN).read_text(encoding="utf-8").splitlines()
    count_line = plan.index("  count: 1") + 1
    ratios_line = plan.index("      A: 50%") + 1  # the mapping under ratios:, as the engine places it
    found = sorted((p.code, p.line) for p in errors)
    assert found == [(TARGETS, ratios_line), ("task-ratio-below-item", count_line)], [str(p) for p in errors]
    below = next(p for p in errors if p.code == "task-ratio-below-item")
    assert "数量 1（可抽 9 家的约" in below.message and "须在开奖（摇号）之前改正" in below.message
    assert "分层“C”有 3 家可抽单位，但没有规定比例" in next(p for p in errors if p.code == TARGETS).message


def _check(root: Path, as_of: str) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "ssjpub", "check", "--root", str(root), "--as-of", as_of],
                         capture_output=True, text=True)
    assert "Traceback" not in out.stderr, out.stderr
    return out


def _drawable_world(tmp_path: Path, people: list[dict] | None = None, group_size: int = 2) -> Path:
    rows = [{"code": fictional_code(100 + i), "area": AREAS[i % 2], "industry": "制造业", "grade": "A", "active": True}
            for i in range(3)]
    people = people or [{"id": f"SL00{i}", "active": True, "qualified": True, "expires": "2029-01-05", "conflicts": []}
                        for i in (1, 2, 3)]
    tasks = [{"id": "2024-03", "items": "LD-01", "how": "ratio", "ratio": "100%", "group_size": group_size, "areas": [],
              "count": 1, "strata": {}}]
    root = tmp_path / "repo"
    _write(root, rows, people, tasks)
    return root


def test_a_task_another_rule_reports_is_not_drawable(tmp_path):
    """The reviewer's case: the pre-lottery check passes but the snapshot is too old for the
    declared day (snapshot-stale); the verdict counts that error, never "可以抽取"."""
    root = _drawable_world(tmp_path)
    assert "示例县人社局 2024/2024-03：可以抽取" in _check(root, AS_OF.isoformat()).stderr
    agency = root / "plans/shili/agency.yaml"
    agency.write_text(agency.read_text(encoding="utf-8") + "snapshot_max_age_days: 10\n", encoding="utf-8")
    out = _check(root, AS_OF.isoformat())
    assert out.returncode == 1 and " snapshot-stale " in out.stdout, out.stdout
    assert "可以抽取" not in out.stderr, out.stderr
    assert "示例县人社局 2024/2024-03：须改正 1 处" in out.stderr, out.stderr
    assert "  - snapshot-stale：任务 2024-03 所用名录快照距开奖（摇号）日已 15 天，超过 10 天" in out.stderr, out.stderr


def test_the_decisive_fix_comes_first_and_roster_fixes_that_cannot_help_are_secondary(tmp_path):
    """group_size 5 with 3 people of whom one's certificate expires: renewing it leaves 3 < 5, so
    the group or the departments decide and the renewal is listed as secondary."""
    people = [{"id": f"SL00{i}", "active": True, "qualified": True, "expires": "2024-04-30" if i == 1 else "2029-01-05",
               "conflicts": []} for i in (1, 2, 3)]
    root = _drawable_world(tmp_path, people, group_size=5)
    out = _check(root, AS_OF.isoformat())
    lines = out.stderr.splitlines()
    at = lines.index("示例县人社局 2024/2024-03：须改正 1 处（须在开奖（摇号）之前改正并提交：公开随机数产生之后，计划和名录就不能再改）")
    assert lines[at + 1].startswith("  - 每组需要 5 名检查人员") and "：减少 group_size（至多 2），或在 departments 中加入其他股室，或" \
        in lines[at + 1], out.stderr
    assert lines[at + 2] == "  另有 1 处次要（即使这 1 人都能参加，可选检查人员最多 3 名，仍少于每组 5 名：改正上面一处之后就不必再改）：", out.stderr
    assert lines[at + 3].startswith("  - 检查人员 SL001 监察证 2024-04-30 到期"), out.stderr
    roster = [l for l in out.stdout.splitlines() if l.startswith("plans/shili/inspectors.yaml:")]
    assert len(roster) == 1 and "次要：仅更新名录不够" in roster[0], out.stdout
    # With a group of 3 the renewal alone would do: it is one of the fixes, not secondary.
    root = _drawable_world(tmp_path / "three", people, group_size=3)
    out = _check(root, AS_OF.isoformat())
    assert "示例县人社局 2024/2024-03：须改正 2 处" in out.stderr and "次要" not in out.stdout + out.stderr, out.stderr


def test_a_past_lottery_day_without_values_says_so(tmp_path):
    """The declared day (2024-01-20) has passed and no randomness file is committed: the plan can
    no longer change, the message points at the missing file and at 抽取失败时怎么办."""
    root = _drawable_world(tmp_path, group_size=4)
    values = "plans/shili/2024/randomness/2024-03.yaml"
    for as_of in ("2024-01-20", "2024-01-21"):  # the lottery is in the evening: its day is still before
        out = _check(root, as_of)
        hit = next(l for l in out.stdout.splitlines() if " prelottery-inspectors " in l)
        if as_of == "2024-01-20":
            assert "须在开奖（摇号）之前改正" in hit and values not in hit, hit
            continue
        assert "须在开奖（摇号）之前改正" not in hit + out.stderr, out.stderr
        said = f"声明的开奖（摇号）日 2024-01-20 已过，但还没有提交随机数文件 {values}：公开随机数已经产生，计划和名录不能再改"
        assert said in hit and "“抽取失败时怎么办”" in hit, hit
        assert f"示例县人社局 2024/2024-03：须改正 1 处（{said}" in out.stderr, out.stderr
    root = _drawable_world(tmp_path / "ok")
    out = _check(root, "2024-01-21")
    assert ("示例县人社局 2024/2024-03：可以抽取（声明的开奖（摇号）日 2024-01-20 已过，"
            f"但还没有提交随机数文件 {values}，请按开奖公告提交）") in out.stderr, out.stderr
