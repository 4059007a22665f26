"""Problems of different kinds, in one file and across files, come in one run (issue 14 item 7):
a file that does not parse hides nothing of the files that do, and what refers to it stays quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ERRORS, make_repo, run_cli
from test_failures import FAILURE, PLAN as BAOFENG_PLAN, RETRY, _retry, failed, ssjpub  # noqa: F401 (a fixture)


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_by_file(repo: Path) -> tuple[int, dict[str, list[tuple[int, str]]]]:
    """The exit code of `ssjpub validate` and its problems as (line, code), by file."""
    result = run_cli("validate", repo)
    assert "Traceback" not in result.output
    found: dict[str, list[tuple[int, str]]] = {}
    for line in result.stdout.splitlines():
        file, number, _col, rest = line.split(":", 3)
        found.setdefault(file, []).append((int(number), rest.split()[0]))
    return result.exit_code, found


def codes_by_file(repo: Path) -> tuple[int, dict[str, list[str]]]:
    code, found = problems_by_file(repo)
    return code, {file: [c for _line, c in problems] for file, problems in found.items()}


PLAN = "plans/shili/2024/plan.yaml"
RESULTS = "results/shili/2024/2024-02.yaml"
CHECKLIST = "plans/shili/checklist.yaml"
INSPECTORS = "plans/shili/inspectors.yaml"
AGENCY = "plans/shili/agency.yaml"
CATEGORIES = "plans/result-categories.yaml"
VALUES = "plans/shili/2024/randomness/2024-01.yaml"
TWO_SOURCES = ERRORS / "randomness-kind-mismatch/second-source"  # the plan declares a lottery, then a public draw


def test_a_syntax_error_in_one_file_hides_no_reference_error_in_others(repo):
    edit(repo, "plans/shili/inspectors.yaml", "inspectors:", "inspectors: [")  # does not parse
    edit(repo, PLAN, "items: [LD-01, NM-01]", "items: [LD-01, NM-99]")  # no such item
    edit(repo, RESULTS, "category: 未发现问题\n", "category: 未发现问题了\n")  # no such category
    edit(repo, RESULTS, "- target: 91410999DEM000004D", "- target: 91410999DEM000005G")  # not in the task
    code, found = codes_by_file(repo)
    assert code == 1
    assert found["plans/shili/inspectors.yaml"] == ["yaml-syntax"]
    assert found[PLAN] == ["dangling-reference"]
    assert sorted(found[RESULTS]) == ["dangling-reference", "dangling-reference"]


def test_references_to_a_file_that_did_not_parse_are_not_reported(repo):
    edit(repo, "plans/shili/checklist.yaml", "items:", "items: [")  # the items the plan names
    edit(repo, "plans/result-categories.yaml", "categories:", "categories: {")  # the categories results name
    edit(repo, PLAN, "reported_to: 劳动保障监察股", "reported_to: 劳动保障监查股")  # a real mistake elsewhere
    code, found = codes_by_file(repo)
    assert code == 1
    assert found == {
        "plans/shili/checklist.yaml": ["yaml-syntax"],
        "plans/result-categories.yaml": ["yaml-syntax"],
        PLAN: ["dangling-reference"],  # the department, not the items of the broken checklist
    }


def test_a_plan_that_did_not_parse_leaves_its_results_checked_for_the_rest(repo):
    edit(repo, PLAN, "tasks:", "tasks: [")
    edit(repo, RESULTS, "category: 未发现问题\n", "category: 未发现问题了\n")
    code, found = codes_by_file(repo)
    assert code == 1
    assert found == {PLAN: ["yaml-syntax"], RESULTS: ["dangling-reference"]}  # the category; no 'no such task'


def test_a_wrong_value_in_a_file_hides_no_reference_error_in_the_same_file(repo):
    edit(repo, PLAN, "  method: 现场检查\n", "  method: 电话检查\n")  # task 1: not one of the methods
    edit(repo, PLAN, "  items: [LD-01]\n", "  items: [LD-99]\n")  # task 2: no such item
    code, found = problems_by_file(repo)
    assert code == 1
    # Task 2 is read although task 1 above it is left out: its problem is on its own line.
    assert found == {PLAN: [(22, "invalid-value"), (25, "dangling-reference")]}


VALUES_TEXT = """\
agency: shili
year: 2024
task: 2024-01
sources:
- announced_on: 2024-02-20
  numbers: [[3, 12, 15, 22, 28, 31], [9]]
  evidence: 中国福利彩票官方网站开奖公告
- announced_on: 2024-02-20
  digits: '20240220123456789012'
  evidence: 摇号记录
"""

# Per file kind: one value the model refuses and, in another record of the same file, one reference
# that does not resolve (or, for the values of a task, one entry that does not fit its declaration).
KINDS = {
    "plan": (None, [
        (PLAN, "  method: 现场检查\n", "  method: 电话检查\n"),
        (PLAN, "  items: [LD-01]\n", "  items: [LD-99]\n"),
    ], {PLAN: [(22, "invalid-value"), (25, "dangling-reference")]}),
    "checklist": (None, [  # LD-01 is left out; the plan naming it stays quiet
        (CHECKLIST, "  frequency: 1\n", "  frequency: 每年一次\n"),
        (CHECKLIST, "  department: 劳动保障监察股\n  basis:\n  - 《保障", "  department: 劳动监察股\n  basis:\n  - 《保障"),
    ], {CHECKLIST: [(15, "wrong-type"), (19, "dangling-reference")]}),
    "inspectors": (None, [
        (INSPECTORS, "  gender: 男\n", "  gender: 未知\n"),
        (INSPECTORS, "  department: 社会保险股\n", "  department: 社保股\n"),
    ], {INSPECTORS: [(7, "invalid-value"), (31, "dangling-reference")]}),
    "results": (None, [
        (RESULTS, "  inspected_on: 2024-03-05\n", "  inspected_on: 2024-02-30\n"),
        (RESULTS, "  category: 未发现问题\n", "  category: 没发现问题\n"),
    ], {RESULTS: [(10, "impossible-date"), (18, "dangling-reference")]}),
    "randomness": (TWO_SOURCES, [  # the first entry is left out; the second is still the second source
        (VALUES, "- announced_on: 2024-02-20\n  numbers", "- announced_on: 2024-02-30\n  numbers"),
        (VALUES, "  digits: '20240220123456789012'\n", "  numbers: [[1, 2, 3]]\n"),
    ], {VALUES: [(5, "impossible-date"), (9, "randomness-kind-mismatch")]}),
    "agency": (None, [  # 社会保险股 is left out; the inspector in it stays quiet
        (AGENCY, "- name: 社会保险股\n", "- name: 社会保险股\n  duties: [征缴]\n"),
        (AGENCY, "plan_office: 劳动保障监察股\n", "plan_office: 办公室\n"),
    ], {AGENCY: [(8, "dangling-reference"), (13, "wrong-type")]}),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_wrong_value_and_a_wrong_reference_in_one_file_come_in_one_run(kind, tmp_path):
    overlay, edits, expected = KINDS[kind]
    repo = make_repo(tmp_path / "repo", overlay)
    if overlay is TWO_SOURCES:
        (repo / VALUES).write_text(VALUES_TEXT, encoding="utf-8")
        assert problems_by_file(repo) == (0, {})
    for rel, old, new in edits:
        edit(repo, rel, old, new)
    code, found = problems_by_file(repo)
    assert (code, found) == (1, expected)


def test_results_of_a_task_left_out_are_not_said_to_have_no_task(repo):
    edit(repo, PLAN, "  basis: 投诉举报\n", "  basis: 举报\n")  # the results' task
    edit(repo, RESULTS, "category: 未发现问题\n", "category: 未发现问题了\n")  # still checked
    code, found = codes_by_file(repo)
    assert (code, found) == (1, {PLAN: ["invalid-value"], RESULTS: ["dangling-reference"]})


def test_a_category_left_out_is_still_known_to_the_results(repo):
    edit(repo, CATEGORIES, "  found_problem: false\n", "  found_problem: 否\n")  # 未发现问题, used by the results
    code, found = codes_by_file(repo)
    assert (code, found) == (1, {CATEGORIES: ["wrong-type"]})


def test_a_timestamp_of_a_task_left_out_is_not_said_to_have_no_task(tmp_path):
    repo = make_repo(tmp_path / "repo", ERRORS / "timestamp-late/after-draw-day")
    edit(repo, PLAN, "    expected_on: 2024-02-20\n", "    expected_on: 2024-02-31\n")
    code, found = codes_by_file(repo)
    assert (code, found) == (1, {PLAN: ["impossible-date"]})  # neither timestamp-late nor "no such task"


def test_a_failed_task_left_out_keeps_its_failure_record_and_retry_quiet(failed):
    assert ssjpub(failed, "draw", "baofeng/2024/2024-01").returncode == 1  # writes the failure record
    assert (failed / FAILURE).is_file()
    _retry(failed)
    assert ssjpub(failed, "validate").returncode == 0
    edit(failed, BAOFENG_PLAN, "  group_size: 40\n", "  group_size: 四十\n")  # the failed task, above the retry
    out = ssjpub(failed, "validate")
    assert out.returncode == 1
    assert [line.split(":")[0] + ":" + line.split()[1] for line in out.stdout.splitlines()] == [
        f"{BAOFENG_PLAN}:wrong-type"], out.stdout  # the failure record and retry_of still find the task
