"""The rule catalogue: every rule has a documented, quoted source, passes on the demo, and is
broken by one change in a copy of the demo, caught with its code at the right line."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ssjpub.cli.main import cli
from ssjpub.draw.record import render_json, render_yaml
from ssjpub.problems import Severity
from ssjpub.rules.catalogue import RULES, RuleContext, calendar_of, catalogue_markdown, run_rules
from ssjpub.rules.tasks import TASK_RULES, compliance
from ssjpub.validate import validate
from ssjpub.workdays import Calendar, CalendarGap, YearOverride

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
AS_OF = date(2026, 11, 22)


def findings(root: Path, as_of: date = AS_OF):
    repo, problems = validate(root)
    assert problems == [], problems
    return run_rules(RuleContext(repo, as_of, calendar_of(repo)))


@pytest.fixture
def demo(tmp_path) -> Path:
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def replace(path: Path, old: str, new: str, after: str = "") -> int:
    """Replace the first `old` after the first `after`; return the 1-based line where it stood."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def line_of(path: Path, needle: str, after: str = "") -> int:
    text = path.read_text(encoding="utf-8")
    return text.count("\n", 0, text.index(needle, text.index(after) if after else 0)) + 1


def edit_record(root: Path, rel: str, change) -> Path:
    path = root / rel
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(render_json(record), encoding="utf-8")
    path.with_suffix(".yaml").write_text(render_yaml(record), encoding="utf-8")
    return path


BF = "plans/baofeng"
PLAN = f"{BF}/2024/plan.yaml"


def case_checklist_item_incomplete(root):
    path = root / f"{BF}/checklist.yaml"
    replace(path, "  content: ", "  note_removed: ", after="- id: LD-01")
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"  note_removed: .*\n", "", text, count=1), encoding="utf-8")
    return f"{BF}/checklist.yaml", line_of(path, "- id: LD-01")


def case_general_item_ratio(root):
    return f"{BF}/checklist.yaml", replace(root / f"{BF}/checklist.yaml", "ratio: 5%", "ratio: 4%", after="- id: LD-01")


def case_inspector_incomplete(root):
    path = root / f"{BF}/inspectors.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(- id: BA001\n(?:  .*\n)*?)  cert_no: .*\n", r"\1", text, count=1), encoding="utf-8")
    return f"{BF}/inspectors.yaml", line_of(path, "- id: BA001")


def case_plan_not_reported(root):
    return PLAN, replace(root / PLAN, "reported_to: 劳动保障监察股", "reported_to: 办公室")


def case_plan_published_late(root):
    return PLAN, replace(root / PLAN, "published_on: 2024-01-05", "published_on: 2024-01-20")


def case_tasks_not_merged(root):
    replace(root / PLAN, "start: 2024-11-18", "start: 2024-01-20", after="id: 2024-07")
    return PLAN, line_of(root / PLAN, "  window:", after="id: 2024-07")


def case_joint_not_once(root):
    replace(root / PLAN, "start: 2024-06-03", "start: 2024-05-20", after="id: 2024-03")
    return PLAN, line_of(root / PLAN, "  window:", after="id: 2024-03")


def case_group_too_small(root):
    return PLAN, replace(root / PLAN, "  method: 现场检查\n", "  method: 现场检查\n  group_size: 1\n", after="id: 2024-05") + 1


def case_weighting_missing(root):
    path = root / PLAN
    text = path.read_text(encoding="utf-8")
    at = text.index("id: 2024-05")
    w = text.index("  weights:\n", at)
    end = text.index("  window:", w)
    path.write_text(text[:w] + text[end:], encoding="utf-8")
    return PLAN, line_of(path, "- id: 2024-05")


def case_task_item_inactive(root):
    replace(root / f"{BF}/checklist.yaml", "  inspector_requirements:", "  status: 停用\n  inspector_requirements:", after="- id: LD-03")
    return PLAN, line_of(root / PLAN, "  - LD-03", after="id: 2024-02")


def case_task_ratio_below_item(root):
    return PLAN, replace(root / PLAN, "ratio: 30%", "ratio: 5%", after="id: 2024-05")


def case_snapshot_stale(root):
    replace(root / f"{BF}/agency.yaml", "repository:", "snapshot_max_age_days: 30\nrepository:")
    return PLAN, line_of(root / PLAN, "  snapshot:", after="id: 2024-03")


def case_non_random_drawn(root):
    shutil.copy(root / f"{BF}/2024/randomness/2024-05.yaml", root / f"{BF}/2024/randomness/2024-06.yaml")
    return f"{BF}/2024/randomness/2024-06.yaml", 1


def case_recusal_broken(root):
    record = json.loads((root / f"{BF}/2024/draws/2024-07.json").read_text(encoding="utf-8"))
    target, member = record["groups"][0]["target"], record["groups"][0]["members"][1]
    replace(root / f"{BF}/inspectors.yaml", "  qualifications:", f"  conflicts:\n  - {target}\n  qualifications:", after=f"- id: {member}")
    rel = f"{BF}/2024/draws/2024-07.json"
    return rel, line_of(root / rel, f'"{member}"', after=f'"target": "{target}"')


def case_yearly_cap_exceeded(root):
    second = json.loads((root / f"{BF}/2024/draws/2024-07.json").read_text(encoding="utf-8"))
    capped = second["eligible"]["capped"][0]
    rel = f"{BF}/2024/draws/2024-07.json"
    edit_record(root, rel, lambda r: r["targets"][0].update(code=capped))
    return rel, line_of(root / rel, f'"code": "{capped}"')


def case_certificate_invalid(root):
    rel = f"{BF}/2024/draws/2024-05.json"
    record = json.loads((root / rel).read_text(encoding="utf-8"))
    target, member = record["groups"][0]["target"], record["groups"][0]["members"][1]  # [0] is also the leader
    edit_record(root, rel, lambda r: [p.update(cert_expires="2024-01-01") for p in r["inspectors"]["pool"] if p["id"] == member])
    return rel, line_of(root / rel, f'"{member}"', after=f'"target": "{target}"')


RES = "results/baofeng/2024"


def case_result_missing(root):
    path = root / f"{RES}/2024-05.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("- target:")
    second = text.index("- target:", first + 1)
    path.write_text(text[:first] + text[second:], encoding="utf-8")
    return f"{RES}/2024-05.yaml", line_of(path, "results:")


def case_result_extra(root):
    rows = (root / f"{BF}/targets/2024-07-01.csv").read_text(encoding="utf-8").split("\n")[1:]
    record = json.loads((root / f"{BF}/2024/draws/2024-05.json").read_text(encoding="utf-8"))
    drawn = {t["code"] for t in record["targets"]}
    other = next(r.split(",")[0] for r in rows if r and r.split(",")[0] not in drawn)
    path = root / f"{RES}/2024-05.yaml"
    line = replace(path, "- target: ", f"- target: {other}\n  _was: ")
    path.write_text(re.sub(r"  _was: .*\n", "", path.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    return f"{RES}/2024-05.yaml", line


def case_result_date_outside(root):
    """Inspected before the lottery numbers of 2024-01-09 were announced (the draw came after)."""
    return f"{RES}/2024-01.yaml", replace(root / f"{RES}/2024-01.yaml", "inspected_on: 2024-01-26", "inspected_on: 2024-01-05")


def test_a_result_outside_the_task_window_is_an_error(demo):
    path = demo / f"{RES}/2024-01.yaml"
    line = replace(path, "inspected_on: 2024-01-23", "inspected_on: 2024-04-01")
    found = [p for p in findings(demo) if p.code == "result-date-outside"]
    assert [(p.file, p.line) for p in found] == [(f"{RES}/2024-01.yaml", line)]
    assert "不在任务的时间范围" in found[0].message and "2024-04-01" in found[0].message


def case_result_completed_early(root):
    """Closed (2024-01-20) before it was inspected (2024-01-26)."""
    path = root / f"{RES}/2024-01.yaml"
    return f"{RES}/2024-01.yaml", replace(path, "completed_on: 2024-01-26", "completed_on: 2024-01-20", after="inspected_on: 2024-01-26")


def case_result_findings_missing(root):
    """A problem found (发现问题已责令改正), neither what nor how it was handled published."""
    path = root / f"{RES}/2024-01.yaml"
    line = line_of(path, "  category: 发现问题已责令改正")
    text = path.read_text(encoding="utf-8")
    at = text.index("  category: 发现问题已责令改正")
    rest = re.sub(r"  findings: .*\n  handling: .*\n", "", text[at:], count=1)
    path.write_text(text[:at] + rest, encoding="utf-8")
    return f"{RES}/2024-01.yaml", line


def case_follow_up_without_problem(root):
    """A follow-up visit on a result that found no problem."""
    path = root / f"{RES}/2024-01.yaml"
    line = line_of(path, "  category: 未发现问题") + 2
    replace(path, "  category: 未发现问题\n  completed_on: 2024-01-26\n",
            "  category: 未发现问题\n  completed_on: 2024-01-26\n  follow_up:\n    visited_on: 2024-02-06\n    outcome: 已整改到位\n")
    return f"{RES}/2024-01.yaml", line


def test_a_found_problem_with_only_handling_names_the_findings(demo):
    path = demo / f"{RES}/2024-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"  findings: .*\n", "  findings: ' '\n", text, count=1), encoding="utf-8")
    found = [p for p in findings(demo) if p.code == "result-findings-missing"]
    assert len(found) == 1 and "发现的问题" in found[0].message and "处理情况" not in found[0].message.split("却未写")[1].split("：")[0]


def test_a_withheld_found_problem_needs_no_findings(demo):
    assert [p for p in findings(demo) if p.code == "result-findings-missing"] == []  # 2024-03 has one withheld


def case_withheld_unjustified(root):
    path = root / f"{RES}/2024-03.yaml"
    line = line_of(path, "  withheld:")
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"    legal_basis: .*\n", "", text, count=1), encoding="utf-8")
    return f"{RES}/2024-03.yaml", line


def case_results_late(root):
    return f"{RES}/2024-03.yaml", replace(root / f"{RES}/2024-03.yaml", "published_on: 2024-08-14", "published_on: 2024-09-30")


def case_archive_missing(root):
    path = root / f"{RES}/2024-05.yaml"
    path.write_text(re.sub(r"archived_on: .*\n", "", path.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    return f"{RES}/2024-05.yaml", line_of(path, "published_on:")


def case_calendar_missing(root):
    path = root / f"{RES}/2024-07.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"completed_on: 2024-12-31\n", "completed_on: 2026-12-25\n", text, count=1)
    path.write_text(re.sub(r"published_on: .*\n", "published_on: 2027-01-08\n", text, count=1).replace("archived_on: 2025-01-21", "archived_on: 2027-01-15"), encoding="utf-8")
    return PLAN, line_of(root / PLAN, "    end:", after="id: 2024-07")


def case_draw_missing(root):
    """The last task's values committed, but neither its draw record nor a failure record."""
    for suffix in (".json", ".yaml"):
        (root / f"plans/baofeng/2024/draws/2024-07{suffix}").unlink()
    (root / f"{RES}/2024-07.yaml").unlink()
    values = "plans/baofeng/2024/randomness/2024-07.yaml"  # a ceremony, then the lottery the same day
    text = (root / values).read_text(encoding="utf-8")
    return values, text.count("\n", 0, text.rindex("announced_on:")) + 1  # the last-announced source


def case_drand_round_date(root):
    """The last task, not yet drawn, declares a drand round for a day it is not published on
    (round 9367912 was published 2024-07-14 05:45 Beijing time)."""
    for rel in ("plans/baofeng/2024/draws/2024-07.json", "plans/baofeng/2024/draws/2024-07.yaml",
                "plans/baofeng/2024/randomness/2024-07.yaml", f"{RES}/2024-07.yaml"):
        (root / rel).unlink()
    text = (root / PLAN).read_text(encoding="utf-8")
    at = text.rindex("  - kind: 公开摇号\n")
    (root / PLAN).write_text(text[:at] + "  - kind: drand\n    round: 9367912\n    expected_on: 2024-07-15\n" + text[at:],
                             encoding="utf-8")
    return PLAN, line_of(root / PLAN, "expected_on: 2024-07-15")


def case_ceremony_after_lottery(root):
    """2024-02's ceremony moved to the evening of its 双色球: the bureau could see the numbers first."""
    return PLAN, replace(root / PLAN, "expected_on: 2024-03-25", "expected_on: 2024-03-26", after="- id: 2024-02")


def case_inspector_no_choice(root):
    """The small department's task before its lottery: warned, at the task (group_size is the default)."""
    for rel in ("plans/baofeng/2024/draws/2024-05.json", "plans/baofeng/2024/draws/2024-05.yaml",
                "plans/baofeng/2024/randomness/2024-05.yaml", f"{RES}/2024-05.yaml"):
        (root / rel).unlink()
    return PLAN, line_of(root / PLAN, "- id: 2024-05")


def _undraw_2024_05(root):
    for rel in ("plans/baofeng/2024/draws/2024-05.json", "plans/baofeng/2024/draws/2024-05.yaml",
                "plans/baofeng/2024/randomness/2024-05.yaml", f"{RES}/2024-05.yaml"):
        (root / rel).unlink()


def case_prelottery_inspectors(root):
    """Issue 14: before its lottery, 2024-05's department keeps one selectable inspector (BA028's
    certificate now ends before the window does): an error at the task, before the numbers exist."""
    _undraw_2024_05(root)
    replace(root / f"{BF}/inspectors.yaml", "cert_expires: 2026-07-02", "cert_expires: 2024-10-31", after="- id: BA028")
    return PLAN, line_of(root / PLAN, "- id: 2024-05")


def case_prelottery_targets(root):
    """Issue 14: 2024-05 asks for more enterprises than its scope has, found before the lottery."""
    _undraw_2024_05(root)
    return PLAN, replace(root / PLAN, "ratio: 30%", "count: 500", after="- id: 2024-05")


# Issue 12: the demo's 2024-01 declares 双色球 2024004 for Tuesday 2024-01-09 (red 14 5 7 18 21 1, blue 2).
LOTTERY_VALUES = f"{BF}/2024/randomness/2024-01.yaml"


def case_lottery_game_unknown(root):
    return PLAN, replace(root / PLAN, "game: 双色球", "game: 双色彩")


def case_lottery_draw_weekday(root):
    """A 双色球 declared for a Monday (it is drawn on Tuesday, Thursday and Sunday)."""
    return PLAN, replace(root / PLAN, "expected_on: 2024-01-09", "expected_on: 2024-01-08")


def case_lottery_issue_form(root):
    return PLAN, replace(root / PLAN, "issue: '2024004'", "issue: '2023004'")


def case_lottery_number_count(root):
    path = root / LOTTERY_VALUES
    replace(path, "  - 1\n- - 2\n", "- - 2\n")  # five red balls
    return LOTTERY_VALUES, line_of(path, "- - 14")


def case_lottery_number_range(root):
    """Blue ball 33: the blue range is 1–16."""
    return LOTTERY_VALUES, replace(root / LOTTERY_VALUES, "- - 2\n", "- - 33\n")


def case_lottery_number_repeated(root):
    return LOTTERY_VALUES, replace(root / LOTTERY_VALUES, "  - 5\n", "  - 14\n")


def case_lottery_announced_weekday(root):
    return LOTTERY_VALUES, replace(root / LOTTERY_VALUES, "announced_on: 2024-01-09", "announced_on: 2024-01-10")


def case_announced_not_declared(root):
    return LOTTERY_VALUES, replace(root / LOTTERY_VALUES, "announced_on: 2024-01-09", "announced_on: 2024-01-11")


def case_draw_before_plan_published(root):
    """The plan dated published 2024-01-12, its first task's lottery 2024-01-09."""
    replace(root / PLAN, "published_on: 2024-01-05", "published_on: 2024-01-12")
    return PLAN, line_of(root / PLAN, "expected_on: 2024-01-09")


CASES = {name[5:].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("case_")}


def test_every_rule_has_a_failing_case_and_every_case_a_rule():
    run_rules(RuleContext(validate(ROOT)[0], AS_OF))  # registers
    assert set(CASES) == set(RULES)


def test_the_demo_keeps_every_rule():
    """Only information remains: one demo task was drawn from a department too small for a real
    choice of inspectors (kept so that the site shows the note)."""
    found = findings(ROOT)
    assert [p for p in found if p.severity is not Severity.INFO] == []
    assert [(p.code, p.file, p.line) for p in found] == [("inspector-no-choice", PLAN, line_of(ROOT / PLAN, "- id: 2024-05"))]


@pytest.mark.parametrize("code", sorted(CASES))
def test_breaking_one_rule_is_caught_with_its_code_at_its_line(demo, code):
    file, line = CASES[code](demo)
    found = findings(demo)
    hits = [(p.file, p.line) for p in found if p.code == code]
    assert (file, line) in hits, [(p.file, p.line, p.code, p.message) for p in found]
    assert all(p.severity is RULES[code].severity for p in found if p.code == code)


def test_catalogue_document_is_generated_from_the_code():
    assert (ROOT / "docs/rules.md").read_text(encoding="utf-8") == catalogue_markdown()


def _flat(text: str) -> str:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = "\n".join(line for line in text.split("\n") if not re.match(r"^[A-Z][a-z]+: ", line))
    return re.sub(r"[\s#*]+", "", text)


def test_every_quoted_clause_is_verbatim_from_its_source():
    """Against the transcripts on the site, and against the original seeds where they are at hand."""
    sources = [_flat("".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "content/pages").glob("s[01]-*.md"))))]
    if SEEDS.is_dir():
        sources.append(_flat("".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))))
    for r in RULES.values():
        assert r.sources, r.code
        for s in r.sources:
            if s.ref.startswith("S"):
                for text in sources:
                    assert _flat(s.quote) in text, (r.code, s.ref)


def test_check_command_exit_codes_and_compliance_record(demo, tmp_path):
    runner = CliRunner()
    out = tmp_path / "compliance.json"
    ok = runner.invoke(cli, ["check", "--root", str(demo), "--as-of", "2026-11-22", "--compliance", str(out)])
    assert ok.exit_code == 0, ok.output
    record = json.loads(out.read_text(encoding="utf-8"))
    row = next(r for r in record["tasks"]["baofeng"]["2024"]["2024-03"] if r["code"] == "results-late")
    assert row["status"] == "met" and row["detail"] == "结果于完成后第 10 个工作日公示（2024-08-14）"
    case_results_late(demo)
    bad = runner.invoke(cli, ["check", "--root", str(demo), "--as-of", "2026-11-22", "--format", "json"])
    assert bad.exit_code == 1
    assert any(p["code"] == "results-late" and p["line"] > 0 for p in json.loads(bad.output))


def test_not_yet_due_is_judged_as_of_the_given_day(demo):
    repo, _ = validate(demo)
    early = compliance(RuleContext(repo, date(2024, 12, 1), calendar_of(repo)))
    path = demo / f"{RES}/2024-07.yaml"
    path.unlink()
    repo, _ = validate(demo)
    for as_of, status in ((date(2025, 1, 10), "not-due"), (date(2025, 3, 1), "not-met")):
        rows = compliance(RuleContext(repo, as_of, calendar_of(repo)))["baofeng"]["2024"]["2024-07"]
        assert next(r for r in rows if r["code"] == "results-late")["status"] == status
    assert set(early["baofeng"]["2024"]) == {"2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"}
    assert set(TASK_RULES) <= {r["code"] for r in early["baofeng"]["2024"]["2024-01"]}


def test_an_override_file_fills_an_uncovered_year(demo):
    case_calendar_missing(demo)
    assert {p.code for p in findings(demo) if p.severity is not Severity.INFO} == {"calendar-missing"}
    (demo / "plans/calendar").mkdir()
    (demo / "plans/calendar/2027.yaml").write_text(
        "year: 2027\nnotice: 《国务院办公厅关于2027年部分节假日安排的通知》（测试用）\n"
        "holidays: [2027-01-01]\nworkdays: []\n", encoding="utf-8")
    assert [p for p in findings(demo) if p.severity is not Severity.INFO] == []


# --- the statutory calendar ---------------------------------------------------------------------

CAL = Calendar({})


def test_national_day_span_counts_the_saturday_make_up_day():
    # 2024: 10-01..10-07 off; Sunday 09-29 and Saturday 10-12 worked.
    assert CAL.is_workday(date(2024, 10, 12)) and CAL.is_workday(date(2024, 9, 29))
    assert CAL.working_days_between(date(2024, 9, 27), date(2024, 10, 12)) == 7
    assert CAL.add_working_days(date(2024, 9, 27), 7) == date(2024, 10, 12)


def test_spring_festival_span():
    # 2024: 02-10..02-17 off; Sundays 02-04 and 02-18 worked.
    assert not CAL.is_workday(date(2024, 2, 12)) and CAL.is_workday(date(2024, 2, 18))
    assert CAL.working_days_between(date(2024, 2, 2), date(2024, 2, 19)) == 8


def test_a_span_into_an_uncovered_year_names_the_notice_instead_of_guessing():
    with pytest.raises(CalendarGap) as gap:
        CAL.add_working_days(date(2026, 12, 20), 20)
    assert gap.value.year == 2027 and "2027年部分节假日安排" in gap.value.notice
    filled = Calendar({2027: YearOverride(2027, frozenset({date(2027, 1, 1)}), frozenset())})
    assert filled.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_an_operator_notice_allows_a_moved_draw(demo):
    """双色球 moved by the operator to Wednesday: the values cite the notice, and no rule objects."""
    path = demo / LOTTERY_VALUES
    replace(path, "announced_on: 2024-01-09", "announced_on: 2024-01-10")
    replace(path, "evidence:", "schedule_notice: 中国福利彩票发行管理中心关于调整双色球开奖日期的公告（演示）\nevidence:")
    assert [p for p in findings(demo) if p.severity is not Severity.INFO] == []
    repo, _ = validate(demo)
    record = compliance(RuleContext(repo, AS_OF))
    row = next(r for r in record["baofeng"]["2024"]["2024-01"] if r["code"] == "announced-not-declared")
    assert row["status"] == "met" and "调整" in row["detail"]
