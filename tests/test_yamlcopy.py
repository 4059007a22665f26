"""The record's YAML copy is written without PyYAML's representer: byte for byte what PyYAML writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ssjpub.draw import yamlcopy
from ssjpub.draw.record import YAML_HEAD, render_yaml

ROOT = Path(__file__).resolve().parent.parent
RECORDS = sorted((ROOT / "plans").glob("*/*/draws/*.json"))
VECTORS = sorted((ROOT / "tests" / "vectors").glob("*.json"))


def test_there_are_records_and_vectors_to_compare():
    assert len(RECORDS) >= 10 and len(VECTORS) >= 5


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_every_demo_record_renders_as_committed_and_as_pyyaml_does(path):
    record = json.loads(path.read_text(encoding="utf-8"))
    assert render_yaml(record) == path.with_suffix(".yaml").read_text(encoding="utf-8")
    assert yamlcopy.render(record) == yamlcopy.dump(record)


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_every_test_vector_renders_as_pyyaml_does(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert yamlcopy.render(data) == yamlcopy.dump(data)
    for vector in data["vectors"]:
        assert yamlcopy.render(vector) == yamlcopy.dump(vector)


def test_the_head_comment_is_kept():
    assert render_yaml({"a": 1}) == YAML_HEAD + "a: 1\n"


# Characters that matter to YAML: indicators, quotes, spaces and breaks of every kind, characters
# libyaml escapes, CJK text and full-width forms, digits and the letters of YAML 1.1 words.
_TRICKY = (
    list("0123456789abexyonulfsAEXYONULFTS_-.:#,?[]{}&*!|>'\"%@`/\\=<~+() \t\n\r")
    + ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\xa0", "\u2028", "\u2029", "\ufeff", "\ufffe"]
    + list("宝丰县人社局样本示例（）：，。、「」·—“”") + ["\u3000", "\uff10", "\uff21", "\U0001f600", "\U00020bb7"]
)
words = st.sampled_from(["", "null", "Null", "~", "yes", "No", "on", "OFF", "true", "0", "010", "0x1A",
                         "0b101", "0o7", "1_000", "1e3", "1.5", ".inf", ".NaN", "-1", "+1", "12:30",
                         "2024-01-05", "2024-01-05 10:00:00", "<<", "=", "---", "...", "- a", "a: b",
                         "a #b", "#a", "P001", "91410421DEM0000007", "样本一县示例华源达职业培训学校"])
text = st.one_of(words, st.text(st.sampled_from(_TRICKY), max_size=30))
long_text = st.builds(lambda parts: " ".join(parts), st.lists(st.sampled_from(["宝丰县", "abc", "1234",
                      "劳动保障监察股", "a:b", "x" * 30]), min_size=1, max_size=40))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), text, long_text,
                    st.floats(allow_nan=True, allow_infinity=True))
keys = st.one_of(words, st.text(st.sampled_from(_TRICKY), max_size=12), st.text("abc宝丰", min_size=40, max_size=60))
json_data = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)  # 15,000 examples passed once, off the suite
@given(st.dictionaries(keys, json_data, max_size=6))
@example({"a": [], "b": {}, "c": [[1, [2, {}]], {"d": [[]]}], "e": {"f": {"g": [{"h": 1, "i": [1]}]}}})
@example({"s": "a " * 70, "t": "b" * 200, "u": "x\ny", "v": " lead", "w": "trail ", "x": "'q'"})
@example({"k" * 130: 1, "宝" * 43: 2, "a\nb": 3, "": 4})
def test_any_json_mapping_renders_as_pyyaml_does(data):
    assert yamlcopy.render(data) == yamlcopy.dump(data)


@settings(max_examples=600, deadline=None)
@given(st.text(st.sampled_from(list("0123456789abcdefxobXOB_ABCDEFYNTF") + list("宝丰（）「」、")), min_size=1,
               max_size=20))
def test_strings_written_as_they_are_are_plain_strings_to_pyyaml(value):
    if yamlcopy._PLAIN.match(value):
        assert yamlcopy.dump([value]) == f"- {value}\n"
        assert yamlcopy.dump({value: None}) in (f"{value}: null\n",) or len(value) > 42


_row = st.fixed_dictionaries({
    "rank": st.integers(1, 500), "code": st.from_regex(r"[0-9A-Z]{18}", fullmatch=True),
    "name": st.text(st.sampled_from(list("样本一县示例华源达（）有限公司 ABC·-")), min_size=1, max_size=40),
    "area": st.sampled_from(["城关镇", "石桥镇", "A区"]), "grade": st.sampled_from("ABC"),
    "ticket": st.from_regex(r"[0-9a-f]{64}", fullmatch=True), "copy": st.integers(1, 18),
})


@settings(max_examples=80, deadline=None)
@given(st.lists(_row, max_size=20), st.lists(st.from_regex(r"20[0-9]{2}/20[0-9]{2}-[0-9]{2}", fullmatch=True)))
def test_record_shaped_data_renders_as_pyyaml_does(rows, prior):
    data = {"algorithm": "ssjpub-draw/1", "year": 2024, "ratio": "5%", "count": None, "prior_draws": prior,
            "targets": rows, "groups": [{"target": r["code"], "members": ["P001", "P010"], "recused": []} for r in rows]}
    assert yamlcopy.render(data) == yamlcopy.dump(data)
