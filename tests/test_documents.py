"""validate_document: pydantic errors become positioned problems with Chinese messages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ssjpub.loader.documents import read_document, validate_document
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.model import Checklist, Plan, ResultCategories

CHECKLIST = """\
agency: shili
updated_on: 2024-01-05
items:
- id: LD-01
  name: 用人单位遵守劳动合同制度情况
  category: 一般
  department: 劳动保障监察股
  basis: [《中华人民共和国劳动合同法》第十条]
  content: 检查书面劳动合同订立情况
  target_kind: 用人单位
  methods: [现场检查]
  ratio: 5%
  frequency: 1
"""


def check(text: str, model=Checklist):
    doc, problems = parse_yaml(text, "c.yaml")
    assert problems == []
    return validate_document(doc, model)


def one(text: str, model=Checklist) -> tuple[int, int, str, str]:
    loaded, problems = check(text, model)
    assert loaded is None
    assert len(problems) == 1, problems
    p = problems[0]
    return p.line, p.column, p.code, p.message


def test_valid_document_loads_into_the_model():
    loaded, problems = check(CHECKLIST)
    assert problems == []
    assert loaded.items[0].id == "LD-01"
    assert str(loaded.updated_on) == "2024-01-05"
    assert loaded.items[0].frequency == 1


def test_missing_field_points_at_the_record_that_lacks_it():
    line, column, code, message = one(CHECKLIST.replace("  target_kind: 用人单位\n", ""))
    assert (line, column, code) == (4, 3, "missing-field")
    assert "“target_kind”（抽查对象）" in message


def test_missing_top_level_field_points_at_the_document_start():
    text = "# 注释\n" + CHECKLIST.replace("updated_on: 2024-01-05\n", "")
    assert one(text)[:3] == (2, 1, "missing-field")


def test_unknown_key_points_at_the_key_and_suggests_the_right_one():
    _loaded, problems = check(CHECKLIST.replace("  frequency: 1\n", "  frequency: 1\n  categroy: 重点\n"))
    assert [(p.line, p.column, p.code) for p in problems] == [(14, 3, "unknown-key")]
    assert "是否想写“category”" in problems[0].message


def test_unknown_key_without_a_close_match_lists_the_allowed_keys():
    _loaded, problems = check(CHECKLIST + "备注: 无\n")
    assert [(p.line, p.column, p.code) for p in problems] == [(14, 1, "unknown-key")]
    assert "允许的字段" in problems[0].message and "updated_on" in problems[0].message


def test_wrong_type_points_at_the_value():
    _loaded, problems = check(CHECKLIST.replace("  frequency: 1\n", "  frequency: 每年一次\n"))
    assert [(p.line, p.column, p.code) for p in problems] == [(13, 14, "wrong-type")]
    assert "整数" in problems[0].message


def test_string_where_a_list_belongs_is_a_wrong_type():
    text = CHECKLIST.replace("  methods: [现场检查]\n", "  methods: 现场检查\n")
    _loaded, problems = check(text)
    assert [(p.line, p.column, p.code) for p in problems] == [(11, 12, "wrong-type")]


@pytest.mark.parametrize(
    "old, new, line, column, code",
    [
        ("  category: 一般\n", "  category: 重要\n", 6, 13, "invalid-value"),
        ("  ratio: 5%\n", "  ratio: 0%\n", 12, 10, "invalid-value"),
        ("  ratio: 5%\n", "  ratio: 5\n", 12, 10, "wrong-type"),
        ("  frequency: 1\n", "  frequency: 0\n", 13, 14, "invalid-value"),
        ("  methods: [现场检查]\n", "  methods: [现场检查, 电话检查]\n", 11, 19, "invalid-value"),
        ("  methods: [现场检查]\n", "  methods: []\n", 11, 12, "missing-field"),
        ("- id: LD-01\n", "- id: LD 01\n", 4, 7, "invalid-value"),
        ("updated_on: 2024-01-05\n", "updated_on: 2024-02-30\n", 2, 13, "impossible-date"),
        ("updated_on: 2024-01-05\n", "updated_on: 2024/01/05\n", 2, 13, "wrong-type"),
    ],
)
def test_value_problems_point_at_the_value(old, new, line, column, code):
    assert one(CHECKLIST.replace(old, new))[:3] == (line, column, code)


def test_empty_required_text_is_a_missing_field_with_a_chinese_message():
    line, column, code, message = one(CHECKLIST.replace("  name: 用人单位遵守劳动合同制度情况\n", "  name: ''\n"))
    assert (line, column, code) == (5, 9, "missing-field")
    assert "不能为空" in message and "String" not in message


def test_every_problem_of_a_document_is_reported_at_once():
    text = CHECKLIST.replace("  category: 一般\n", "  category: 重要\n").replace("  ratio: 5%\n", "  ratio: 5\n")
    _loaded, problems = check(text)
    assert sorted((p.line, p.code) for p in problems) == [(6, "invalid-value"), (12, "wrong-type")]


def test_a_document_that_is_not_a_mapping_is_a_wrong_type():
    doc, _ = parse_yaml("- a\n- b\n", "c.yaml")
    loaded, problems = validate_document(doc, ResultCategories)
    assert loaded is None
    assert [(p.line, p.column, p.code) for p in problems] == [(1, 1, "wrong-type")]


def test_credit_code_in_a_plan_is_checked_at_its_line():
    plan = """\
agency: shili
year: 2024
title: 计划
lead_department: 劳动保障监察股
tasks:
- id: t1
  name: 投诉
  items: [LD-01]
  departments: [劳动保障监察股]
  basis: 投诉举报
  targets:
  - 91410999DEM000003A
  - 91410999DEM000003B
  window: {start: 2024-01-01, end: 2024-02-01}
  method: 现场检查
"""
    _loaded, problems = check(plan, Plan)
    assert [(p.line, p.column, p.code) for p in problems] == [(13, 5, "invalid-credit-code")]
    assert "第 18 位应为“A”" in problems[0].message


# --- the rest of a file whose values are partly refused (issue 14 item 7) --------------------

PLAN_HEAD = """\
# 计划
agency: shili
year: 2024
title: 计划
lead_department: 劳动保障监察股
tasks:
"""
# A value the model refuses, each in a different field of a task (the line it replaces, the code).
REFUSALS = [
    ("  method: 现场检查\n", "  method: 电话检查\n", "invalid-value"),
    ("  window: {start: 2024-01-01, end: 2024-02-01}\n", "  window: {start: 2024-01-01, end: 2024-02-30}\n", "impossible-date"),
    ("  items: [LD-01]\n", "  items: LD-01\n", "wrong-type"),
    ("  name: 投诉\n", "  name: 投诉\n  group_size: 0\n", "invalid-value"),
    ("  method: 现场检查\n", "  method: 现场检查\n  randomness: {kind: drand, expected_on: 2024-01-09}\n", "missing-field"),
]


def _task(i: int) -> str:
    return (f"- id: t{i}\n  name: 投诉\n  items: [LD-01]\n  departments: [劳动保障监察股]\n  basis: 投诉举报\n"
            "  targets: [91410999DEM000003A]\n  window: {start: 2024-01-01, end: 2024-02-01}\n  method: 现场检查\n")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.none() | st.sampled_from(range(len(REFUSALS))), min_size=1, max_size=6))
def test_each_refused_value_leaves_out_its_task_and_the_rest_stays_where_it_is(refusals):
    blocks = []
    for i, r in enumerate(refusals):
        block = _task(i)
        if r is not None:
            old, new, _code = REFUSALS[r]
            block = block.replace(old, new, 1)
        blocks.append(block)
    text = PLAN_HEAD + "".join(blocks)
    starts = [text.count("\n", 0, text.index(f"- id: t{i}\n")) + 1 for i in range(len(refusals))]
    doc, problems = parse_yaml(text, "plan.yaml")
    assert problems == []
    reading = read_document(doc, Plan)
    bad = [i for i, r in enumerate(refusals) if r is not None]
    good = [i for i, r in enumerate(refusals) if r is None]
    assert sorted(p.code for p in reading.problems) == sorted(REFUSALS[refusals[i]][2] for i in bad)
    for p in reading.problems:  # each where its value is, inside its own task
        task = max(i for i in range(len(refusals)) if starts[i] <= p.line)
        assert task in bad
    if not good:  # no task left: the plan's own `tasks` is refused, so there is no model
        assert reading.model is None
        return
    assert [t.id for t in reading.model.tasks] == [f"t{i}" for i in good]
    assert reading.dropped == ({("tasks",): {i: doc.data["tasks"][i] for i in bad}} if bad else {})
    for j, i in enumerate(good):
        assert reading.doc.pos("tasks", j, "id").line == starts[i]
        assert reading.doc.pos("tasks", j, "method").line == starts[i] + 7
    loaded, _problems = validate_document(doc, Plan)
    assert (loaded is None) == bool(bad)  # a version in the history is read whole or not at all


def test_a_refused_value_outside_any_record_leaves_no_model():
    text = PLAN_HEAD.replace("year: 2024", "year: 二〇二四") + _task(0) + _task(1).replace("电话", "")
    doc, _ = parse_yaml(text.replace("  method: 现场检查\n", "  method: 电话检查\n", 1), "plan.yaml")
    reading = read_document(doc, Plan)
    assert reading.model is None and reading.dropped == {}
    assert sorted(p.code for p in reading.problems) == ["invalid-value", "wrong-type"]


def test_a_misspelt_key_that_fills_a_missing_field_keeps_its_record():
    text = PLAN_HEAD + _task(0).replace("  method:", "  methd:") + _task(1)
    doc, _ = parse_yaml(text, "plan.yaml")
    reading = read_document(doc, Plan)
    assert sorted(p.code for p in reading.problems) == ["missing-field", "unknown-key"]
    assert [t.method for t in reading.model.tasks] == ["现场检查", "现场检查"] and reading.dropped == {}
