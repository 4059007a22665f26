"""parse_yaml: plain values with the position of every key and value; anchors, tags, bombs refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ssjpub.loader.yamlfile import MAX_DEPTH, YamlDoc, parse_yaml
from ssjpub.problems import Pos

NESTED = """\
# 注释行
名称: 值
a:
  b: 中文
  c: [中文, x, {k: v}]
  d:
  - 一
  - e: 2
    f: 3
"""


def parsed(text: str) -> YamlDoc:
    doc, problems = parse_yaml(text, "f.yaml")
    assert problems == []
    return doc


def test_values_are_plain_data():
    doc = parsed(NESTED)
    assert doc.data == {
        "名称": "值",
        "a": {"b": "中文", "c": ["中文", "x", {"k": "v"}], "d": ["一", {"e": "2", "f": "3"}]},
    }


def test_nested_key_and_value_positions():
    doc = parsed(NESTED)
    assert doc.keys[("名称",)] == (2, 1)
    assert doc.values[("名称",)] == (2, 5)  # columns count characters, not UTF-8 bytes
    assert doc.keys[("a",)] == (3, 1)
    assert doc.keys[("a", "b")] == (4, 3)
    assert doc.values[("a", "b")] == (4, 6)


def test_block_list_item_positions():
    doc = parsed(NESTED)
    assert doc.keys[("a", "d")] == (6, 3)
    assert doc.values[("a", "d", 0)] == (7, 5)
    assert doc.values[("a", "d", 1)] == (8, 5)  # a mapping item starts at its first key
    assert doc.keys[("a", "d", 1, "f")] == (9, 5)
    assert doc.values[("a", "d", 1, "f")] == (9, 8)


def test_flow_style_positions():
    doc = parsed(NESTED)
    assert doc.values[("a", "c")] == (5, 6)  # the “[”
    assert doc.values[("a", "c", 0)] == (5, 7)
    assert doc.values[("a", "c", 1)] == (5, 11)
    assert doc.values[("a", "c", 2)] == (5, 14)  # the “{”
    assert doc.keys[("a", "c", 2, "k")] == (5, 15)
    assert doc.values[("a", "c", 2, "k")] == (5, 18)


def test_pos_returns_value_or_key_position():
    doc = parsed(NESTED)
    assert doc.pos("a", "b") == Pos("f.yaml", 4, 6)
    assert doc.pos("a", "b", key=True) == Pos("f.yaml", 4, 3)


def test_pos_falls_back_to_the_nearest_parent():
    doc = parsed(NESTED)
    assert doc.pos("a", "c", 7) == Pos("f.yaml", 5, 6)  # no 8th item: the list
    assert doc.pos("a", "d", 1, "missing") == Pos("f.yaml", 8, 5)  # absent key: its mapping
    assert doc.pos("a", "d", 1, "missing", key=True) == Pos("f.yaml", 8, 5)
    assert doc.pos("nowhere", 3) == Pos("f.yaml", 2, 1)  # the document's mapping
    assert doc.pos("a", "c", 0, key=True) == Pos("f.yaml", 5, 7)  # list items have no key


def test_pos_of_an_empty_document_is_line_one():
    doc = parsed("")
    assert doc.data is None
    assert doc.pos("anything") == Pos("f.yaml", 1, 1)


def test_crlf_line_endings_give_the_same_positions():
    doc = parsed(NESTED.replace("\n", "\r\n"))
    assert doc.values[("a", "d", 1, "f")] == (9, 8)


@pytest.mark.parametrize(
    "scalar, value",
    [
        ("010", "010"),  # not octal
        ("no", "no"),  # not false
        ("2024-01-05", "2024-01-05"),  # not a date object: typing is the schema's job
        ("1.50", "1.50"),
        ("''", ""),
        ("'null'", "null"),
        ("~", None),
        ("null", None),
        ("", None),
    ],
)
def test_scalars_stay_strings_and_only_plain_nulls_are_none(scalar, value):
    assert parsed(f"k: {scalar}\n").data == {"k": value}


def test_duplicate_key_is_reported_where_it_repeats():
    doc, problems = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\n", "f.yaml")
    assert [(p.line, p.column, p.code) for p in problems] == [(4, 3, "duplicate-key")]
    assert "第一次出现在第 3 行" in problems[0].message
    assert doc.data == {"a": "1", "b": {"c": "1"}}  # the first one wins


def test_alias_bomb_is_refused_and_never_expanded():
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    doc, problems = parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert {p.code for p in problems} == {"yaml-alias"}
    assert len(problems) == 9 + 8 * 9  # every anchor and every alias, once
    assert {p.line for p in problems} == set(range(1, 10))
    # Not expanded: aliases became None, and the position table stays the size of the text.
    assert doc.data["i"] == [None] * 9
    assert len(doc.values) < 100


def test_merge_key_alias_is_refused():
    _doc, problems = parse_yaml("base: &b {x: 1}\nother:\n  <<: *b\n", "f.yaml")
    assert [(p.line, p.column, p.code) for p in problems] == [(1, 7, "yaml-alias"), (3, 7, "yaml-alias")]


def test_tags_are_refused():
    _doc, problems = parse_yaml("a: !!python/object:os.system echo\nb: !!int 3\n", "f.yaml")
    assert [(p.line, p.code) for p in problems] == [(1, "yaml-syntax"), (2, "yaml-syntax")]


def test_a_second_document_is_refused():
    doc, problems = parse_yaml("a: 1\n---\nb: 2\n", "f.yaml")
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 1, "yaml-syntax")]
    assert doc.data == {"a": "1"}


def test_complex_keys_are_refused():
    _doc, problems = parse_yaml("? [a, b]\n: 1\nc: 2\n", "f.yaml")
    assert [(p.line, p.code) for p in problems] == [(1, "yaml-syntax")]


@pytest.mark.parametrize(
    "text, line, hint",
    [
        ("a: 1\nb:\n  c: 1\n d: 2\n", 4, "缩进"),
        ("a: 'unclosed\n", 1, "引号没有闭合"),
        ("a:\n\tb: 1\n", 2, "Tab"),
        ("a: [1, 2\nb: 3\n", 1, "方括号"),
        ("a: b: c\n", 1, "键: 值"),
    ],
    ids=["indentation", "unclosed-quote", "tab", "unclosed-bracket", "colon-in-value"],
)
def test_syntax_errors_have_a_line_and_a_chinese_hint(text, line, hint):
    doc, problems = parse_yaml(text, "f.yaml")
    assert [(p.line, p.code) for p in problems] == [(line, "yaml-syntax")]
    assert hint in problems[0].message
    assert doc.data is None


def test_control_character_is_reported_on_its_line_with_a_one_line_message():
    text = "a: 1\nb: 2\nc: 示例\x08文字\n"
    _doc, problems = parse_yaml(text, "f.yaml")
    assert [(p.line, p.column, p.code) for p in problems] == [(3, 6, "yaml-syntax")]
    assert "\n" not in problems[0].message
    assert "控制字符" in problems[0].message


@pytest.mark.parametrize(
    "text, line",
    [
        ("agency: shili\nupdated_on：2024-01-05\nitems: []\n", 2),  # full-width colon from a Chinese IME
        ("items:\n- id: LD-01\n  name：用人单位\n  category: 一般\n", 3),
        ("a: 1\nb:2\nc: 3\n", 2),  # no space after the colon
    ],
    ids=["full-width-colon", "full-width-colon-in-list-item", "no-space-after-colon"],
)
def test_missing_colon_is_reported_on_the_line_of_the_key(text, line):
    _doc, problems = parse_yaml(text, "f.yaml")
    assert [(p.line, p.code) for p in problems] == [(line, "yaml-syntax")]


# --- nesting: no depth overflows the stack, libyaml's or ours --------------------------------


def _block_mappings(n: int) -> str:
    return "".join(" " * i + "k:\n" for i in range(n)) + " " * n + "v\n"


@pytest.mark.parametrize("n", [MAX_DEPTH + 1, 1_000, 100_000])
@pytest.mark.parametrize(
    "make, opened_at",  # opened_at(d): where the collection at nesting level d (the root's is 1) opens
    [
        (lambda n: "a: " + "[" * n + "]" * n + "\n", lambda d: (1, d + 2)),
        (lambda n: "a: " + "{k: " * n + "1" + "}" * n + "\n", lambda d: (1, 4 * d - 4)),
        (lambda n: "a:\n" + "- " * n + "x\n", lambda d: (2, 2 * d - 3)),
        (lambda n: _block_mappings(min(n, 1_000)), lambda d: (d, d)),
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences", "block-mappings"],
)
def test_deep_nesting_is_refused_where_the_limit_is_crossed(make, opened_at, n):
    text = make(n)
    doc, problems = parse_yaml(text, "deep.yaml")  # no RecursionError, however deep
    assert [p.code for p in problems] == ["too-deep"]
    assert "64" in problems[0].message
    if n == MAX_DEPTH + 1:
        assert (problems[0].line, problems[0].column) == opened_at(MAX_DEPTH + 1)
    else:  # libyaml stops at its own limit (1,000 levels) before the builder sees the events
        assert 1 <= problems[0].line <= text.count("\n") + 1


def test_nesting_up_to_the_limit_is_kept():
    doc = parsed("[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    value, depth = doc.data, 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    assert depth == MAX_DEPTH - 1 and value == []


def test_a_too_deep_branch_does_not_hide_the_rest_of_the_file():
    text = "a: " + "[" * 100 + "]" * 100 + "\nb: [1, 2]\nc: &x 1\n"
    doc, problems = parse_yaml(text, "f.yaml")
    assert [(p.line, p.code) for p in problems] == [(1, "too-deep"), (3, "yaml-alias")]
    assert doc.data["b"] == ["1", "2"]


# --- unclosed quotes and brackets: reported where they were opened ---------------------------


@pytest.mark.parametrize(
    "typo, column, what",
    [("name: '示例单位\n", 7, "引号"), ('name: "示例单位\n', 7, "引号"),
     ("name: [示例单位, 甲\n", 7, "方括号列表"), ("name: {k: 示例单位\n", 7, "花括号")],
    ids=["single-quote", "double-quote", "bracket", "brace"],
)
def test_an_unclosed_quote_or_bracket_is_reported_where_it_was_opened(typo, column, what):
    lines = [f"k{i}: v{i}\n" for i in range(1, 187)]
    lines[6] = typo  # line 7 of 186
    _doc, problems = parse_yaml("".join(lines), "f.yaml")
    assert [(p.line, p.column, p.code) for p in problems] == [(7, column, "yaml-syntax")]
    message = problems[0].message
    assert f"这里开始的{what}没有闭合" in message
    assert "仍未" in message and "第 7 行" not in message  # the second half says where it ended


def test_an_unclosed_quote_names_where_the_file_ends():
    _doc, problems = parse_yaml("a: 1\nb: 'x\nc: 3\n", "f.yaml")
    assert [(p.line, p.column) for p in problems] == [(2, 4)]
    assert "文件在第 4 行第 1 列结束仍未闭合" in problems[0].message


# --- YAML 1.2 types of plain scalars, beside the strings ------------------------------------


def test_plain_numbers_and_booleans_are_typed_as_an_editor_types_them():
    doc = parsed("a: 410421\nb: '410421'\nc: 1.5\nd: true\ne: yes\nf: 010\ng: 2024-01-05\nh: [1, x]\n")
    assert doc.data["a"] == "410421" and doc.data["f"] == "010"  # the text is kept
    assert doc.typed == {("a",): 410421, ("c",): 1.5, ("d",): True, ("f",): 10, ("h", 0): 1}
    typed = doc.typed_data()
    assert typed == {"a": 410421, "b": "410421", "c": 1.5, "d": True, "e": "yes", "f": 10,
                     "g": "2024-01-05", "h": [1, "x"]}
    assert doc.data["h"] == ["1", "x"]  # typed_data copies what it changes


@pytest.mark.parametrize("text", ["1e999999999", "1E-99999999", "0." + "1" * 1_000_000, "9" * 10_000])
def test_huge_plain_numbers_are_typed_without_arithmetic_on_them(text):
    doc = parsed(f"a: {text}\n")
    assert isinstance(doc.typed[("a",)], (int, float))


# --- leaving list items out (YamlDoc.without, for records the model refused) -----------------

def _records_text(records: list[tuple[str, list[str]]]) -> str:
    lines = ["# 注释", "records:"]
    for ident, tags in records:
        lines += [f"- id: {ident}", "  n: 1", "  tags:"] + [f"  - {t}" for t in tags]
    return "\n".join(lines) + "\ntail: x\n"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[a-z]{1,5}", fullmatch=True), st.lists(st.sampled_from("xyz"), max_size=3)),
                min_size=1, max_size=8).flatmap(lambda rs: st.tuples(st.just(rs), st.sets(st.integers(0, len(rs) - 1)))))
def test_items_left_out_leave_every_other_node_where_it_is_in_the_file(case):
    records, gone = case
    doc, problems = parse_yaml(_records_text(records), "r.yaml")
    assert problems == []
    left = doc.without({("records",): gone})
    kept = [i for i in range(len(records)) if i not in gone]
    assert left.data["records"] == [doc.data["records"][i] for i in kept] and left.data["tail"] == "x"
    for table, old in ((left.values, doc.values), (left.keys, doc.keys), (left.typed, doc.typed)):
        expected = {}
        for path, where in old.items():
            if len(path) > 1 and path[0] == "records":
                if path[1] in gone:
                    continue
                path = ("records", kept.index(path[1]), *path[2:])
            expected[path] = where
        assert table == expected
    assert doc.data["records"] == [{"id": i, "n": "1", "tags": t or None} for i, t in records]  # untouched


def test_nothing_left_out_is_the_document_itself():
    doc, _ = parse_yaml("a: [1, 2]\n", "a.yaml")
    assert doc.without({}) is doc
