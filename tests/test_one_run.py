"""Problems of different kinds, in one file and across files, come in one run (issue 14 item 7):
a file that does not parse hides nothing of the files that do, and what refers to it stays quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def codes_by_file(repo: Path) -> tuple[int, dict[str, list[str]]]:
    result = run_cli("validate", repo)
    assert "Traceback" not in result.output
    found: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        file, _line, _col, rest = line.split(":", 3)
        found.setdefault(file, []).append(rest.split()[0])
    return result.exit_code, found


PLAN = "plans/shili/2024/plan.yaml"
RESULTS = "results/shili/2024/2024-02.yaml"


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
    code, found = codes_by_file(repo)
    assert code == 1
    assert sorted(found[PLAN]) == ["dangling-reference", "invalid-value"]
