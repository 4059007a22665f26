"""Rules over the whole repository: ownership, unique ids, references, random vs non-random tasks.

Each case edits one base file and names every problem the edit must produce, exactly.
"""

from __future__ import annotations

import pytest

from conftest import problems_of, replace_once

AG = "plans/shili/agency.yaml"
CK = "plans/shili/checklist.yaml"
IN = "plans/shili/inspectors.yaml"
PL = "plans/shili/2024/plan.yaml"
RS = "results/shili/2024/2024-02.yaml"
CAT = "plans/result-categories.yaml"

CASES = {
    "agency code differs from its folder": (AG, "code: shili", "code: other", [(AG, 2, 7, "invalid-value")]),
    "lead department not a department": (
        AG, "lead_department: 劳动保障监察股", "lead_department: 监察股", [(AG, 7, 18, "dangling-reference")]
    ),
    "parent agency not in the repository": (
        AG, "parent: 示例市人力资源和社会保障局\n", "parent: 示例市人力资源和社会保障局\nparent_agency: shishi\n",
        [(AG, 7, 16, "dangling-reference")],
    ),
    "department listed twice": (AG, "- name: 职业能力建设股", "- name: 社会保险股", [(AG, 13, 9, "duplicate-id")]),
    "checklist of another agency": (CK, "agency: shili", "agency: baofeng", [(CK, 2, 9, "invalid-value")]),
    "inspector in an unknown department": (
        IN, "  department: 社会保险股", "  department: 社保股", [(IN, 31, 15, "dangling-reference")]
    ),
    "certificate number held twice": (
        IN, "豫人社监字第41099923003号", "豫人社监字第41099924002号", [(IN, 29, 12, "duplicate-id")]
    ),
    "plan year differs from its folder": (PL, "year: 2024", "year: 2023", [(PL, 3, 7, "invalid-value")]),
    "plan lead department unknown": (
        PL, "lead_department: 劳动保障监察股\nreported_to", "lead_department: 监察股\nreported_to",
        [(PL, 6, 18, "dangling-reference")],
    ),
    "plan reported to an unknown department": (
        PL, "reported_to: 劳动保障监察股", "reported_to: 监察科", [(PL, 7, 14, "dangling-reference")]
    ),
    "random task names its targets": (
        PL, "  ratio: 20%\n", "  ratio: 20%\n  targets: [91410999DEM0000014]\n", [(PL, 17, 3, "invalid-value")]
    ),
    "non-random task has a ratio": (
        PL, "  basis: 投诉举报\n", "  basis: 投诉举报\n  ratio: 5%\n", [(PL, 28, 3, "invalid-value")]
    ),
    "random task has no size": (PL, "  ratio: 20%\n", "", [(PL, 11, 3, "missing-field")]),
    "random task has ratio and count": (
        PL, "  ratio: 20%\n", "  ratio: 20%\n  count: 3\n", [(PL, 17, 3, "invalid-value")]
    ),
    "random task has no snapshot": (PL, "  snapshot: 2024-01-05\n", "", [(PL, 11, 3, "missing-field")]),
    "random task names a snapshot that does not exist": (
        PL, "snapshot: 2024-01-05", "snapshot: 2024-07-01", [(PL, 15, 13, "dangling-reference")]
    ),
    "scope names an area the snapshot does not have": (
        PL, "  ratio: 20%\n", "  ratio: 20%\n  scope:\n    areas: [城关镇, 不存在镇]\n",
        [(PL, 18, 18, "dangling-reference")],
    ),
    "task id used twice": (
        PL, "- id: 2024-02", "- id: 2024-01", [(PL, 23, 7, "duplicate-id"), (RS, 4, 7, "dangling-reference")]
    ),
    "results of another agency": (RS, "agency: shili", "agency: yanshi", [(RS, 2, 9, "invalid-value")]),
    "results year differs from its folder": (RS, "year: 2024", "year: 2025", [(RS, 3, 7, "invalid-value")]),
    "results task differs from its file name": (
        RS, "task: 2024-02", "task: 2024-01", [(RS, 4, 7, "invalid-value")]
    ),
    "result for the same target twice": (
        RS, "- target: 91410999DEM000004D", "- target: 91410999DEM000003A", [(RS, 17, 11, "duplicate-id")]
    ),
    "result category listed twice": (CAT, "- name: 行政处罚", "- name: 未发现问题", [(CAT, 8, 9, "duplicate-id")]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule(name, repo):
    rel, old, new, expected = CASES[name]
    replace_once(repo / rel, old, new)
    got = sorted((p.file, p.line, p.column, p.code) for p in problems_of(repo))
    assert got == sorted(expected)


def test_result_of_a_random_task_must_be_in_its_snapshot(repo):
    results = repo / "results/shili/2024/2024-01.yaml"
    results.write_text(
        "agency: shili\nyear: 2024\ntask: 2024-01\ncompleted_on: 2024-05-31\nresults:\n"
        "- target: 91410999DEM0000014\n  category: 未发现问题\n  inspected_on: 2024-03-04\n"
        "- target: 91410421DEM00001A7\n  category: 未发现问题\n  inspected_on: 2024-03-05\n",
        encoding="utf-8",
    )
    got = [(p.file, p.line, p.column, p.code) for p in problems_of(repo)]
    assert got == [("results/shili/2024/2024-01.yaml", 9, 11, "dangling-reference")]


def test_results_of_an_unknown_agency_are_unexpected(repo):
    (repo / "results/nowhere/2024").mkdir(parents=True)
    (repo / "results/nowhere/2024/2024-01.yaml").write_text("agency: nowhere\n", encoding="utf-8")
    got = [(p.file, p.code) for p in problems_of(repo)]
    assert got == [("results/nowhere", "unexpected-file")]


def test_files_that_fail_to_load_keep_their_dependants_quiet(repo):
    """A broken checklist, snapshot and plan are each reported once; nothing that refers to them is."""
    replace_once(repo / CK, "agency: shili", "agency: [shili")  # YAML syntax
    snapshot = repo / "plans/shili/targets/2024-01-05.csv"
    snapshot.write_bytes(snapshot.read_text(encoding="utf-8").encode("gbk"))
    replace_once(repo / PL, "year: 2024", "year: 二〇二四")  # wrong type
    got = sorted((p.file, p.code) for p in problems_of(repo))
    assert got == [
        (PL, "wrong-type"),
        (CK, "yaml-syntax"),
        ("plans/shili/targets/2024-01-05.csv", "file-encoding"),
    ]


def test_readme_and_hidden_files_are_ignored(repo):
    (repo / "plans/shili/README.md").write_text("说明\n", encoding="utf-8")
    (repo / "plans/shili/targets/.gitkeep").write_text("", encoding="utf-8")
    (repo / "results/shili/2024/.DS_Store").write_bytes(b"\0\1")
    assert problems_of(repo) == []


def test_several_agencies_are_checked_independently(repo):
    """A second agency folder (a city site hosting its counties) is loaded and checked on its own."""
    import shutil

    shutil.copytree(repo / "plans/shili", repo / "plans/shili-b")
    assert {(p.file, p.line, p.code) for p in problems_of(repo)} == {
        ("plans/shili-b/agency.yaml", 2, "invalid-value"),
        ("plans/shili-b/checklist.yaml", 2, "invalid-value"),
        ("plans/shili-b/inspectors.yaml", 2, "invalid-value"),
        ("plans/shili-b/2024/plan.yaml", 2, "invalid-value"),
    }
    for name in ("agency.yaml", "checklist.yaml", "inspectors.yaml", "2024/plan.yaml"):
        path = repo / "plans/shili-b" / name
        key = "code" if name == "agency.yaml" else "agency"
        replace_once(path, f"{key}: shili\n", f"{key}: shili-b\n")
    assert problems_of(repo) == []


def test_infinite_ratio_is_an_invalid_value_not_a_crash(repo):
    line = replace_once(repo / CK, "ratio: 5%", "ratio: Infinity%")
    got = [(p.file, p.line, p.column, p.code) for p in problems_of(repo)]
    assert got in ([(CK, line, 10, "invalid-value")], [(CK, line, 10, "wrong-type")])
