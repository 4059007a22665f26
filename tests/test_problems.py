"""Problems as data and their three printed forms."""

from __future__ import annotations

import json

import pytest

from ssjpub.problems import CODES, Pos, Problem, Severity, format_problems, has_errors, sort_problems, summary

P1 = Problem("plans/a/checklist.yaml", 12, 5, "missing-field", "缺少必填字段“content”（抽查内容）")
P2 = Problem("plans/a/targets/2024-01-05.csv", 3, 1, "invalid-credit-code", "统一社会信用代码无效")


def test_unregistered_code_is_refused():
    with pytest.raises(ValueError):
        Problem("f", 1, 1, "no-such-code", "x")


def test_codes_are_stable_kebab_case_with_chinese_titles():
    for code, title in CODES.items():
        assert code == code.lower() and " " not in code and "_" not in code
        assert any("\u4e00" <= c <= "\u9fff" for c in title)


def test_pos_makes_a_problem_at_its_place():
    assert Pos("f.yaml", 3, 4).problem("wrong-type", "m") == Problem("f.yaml", 3, 4, "wrong-type", "m")
    assert Pos("f.yaml").problem("wrong-type", "m").line == 1


def test_text_format_is_file_line_col_code_message():
    assert format_problems([P1]) == "plans/a/checklist.yaml:12:5: missing-field 缺少必填字段“content”（抽查内容）\n"


def test_text_format_marks_warnings():
    w = Problem("f", 1, 1, "invalid-value", "m", Severity.WARNING)
    assert format_problems([w]) == "f:1:1: invalid-value 警告 m\n"


def test_json_format_has_every_field():
    data = json.loads(format_problems([P1, P2], "json"))
    assert data[0] == {
        "file": "plans/a/checklist.yaml",
        "line": 12,
        "column": 5,
        "code": "missing-field",
        "message": "缺少必填字段“content”（抽查内容）",
        "severity": "error",
    }
    assert len(data) == 2


def test_json_format_of_nothing_is_an_empty_list():
    assert json.loads(format_problems([], "json")) == []


def test_github_format_is_a_workflow_annotation():
    assert format_problems([P1], "github") == (
        "::error file=plans/a/checklist.yaml,line=12,col=5,title=missing-field::"
        "缺少必填字段“content”（抽查内容）\n"
    )


def test_github_format_escapes_properties_and_data():
    p = Problem("a,b:c%.yaml", 1, 1, "yaml-syntax", "第一行\n第二行 100%")
    out = format_problems([p], "github")
    assert out == "::error file=a%2Cb%3Ac%25.yaml,line=1,col=1,title=yaml-syntax::第一行%0A第二行 100%25\n"
    assert out.count("\n") == 1


def test_github_format_of_a_warning():
    w = Problem("f", 2, 1, "invalid-value", "m", Severity.WARNING)
    assert format_problems([w], "github").startswith("::warning file=f,line=2,")


def test_sort_orders_by_file_then_position_and_drops_duplicates():
    a = Problem("b.yaml", 2, 1, "wrong-type", "m")
    b = Problem("a.yaml", 10, 1, "wrong-type", "m")
    c = Problem("a.yaml", 9, 7, "wrong-type", "m")
    assert sort_problems([a, b, c, a, b]) == [c, b, a]


def test_errors_and_summary():
    w = Problem("f", 1, 1, "invalid-value", "m", Severity.WARNING)
    assert not has_errors([]) and not has_errors([w]) and has_errors([w, P1])
    assert summary([]) == "校验通过，未发现问题。"
    assert summary([P1, P2, w]) == "发现 2 个错误、1 个警告。"


def test_information_is_neither_an_error_nor_a_warning_in_every_form():
    """A fact about something already done (e.g. a drawn task's inspector choice): shown, never failing."""
    i = Problem("f", 2, 3, "invalid-value", "m", Severity.INFO)
    w = Problem("f", 1, 1, "invalid-value", "m", Severity.WARNING)
    assert not has_errors([i, w])
    assert format_problems([i]) == "f:2:3: invalid-value 提示 m\n"
    assert format_problems([i], "github") == "::notice file=f,line=2,col=3,title=invalid-value::m\n"
    assert json.loads(format_problems([i], "json"))[0]["severity"] == "info"
    assert summary([i]) == "发现 0 个错误、0 个警告，另有 1 条提示。"
    assert summary([P1, w, i]) == "发现 1 个错误、1 个警告，另有 1 条提示。"
