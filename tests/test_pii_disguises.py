"""Personal data in every disguise is caught; what only looks like it never is.

Generated 身份证号 and mobile numbers are written with separators at random places, full-width
digits, zero-width characters, letters glued on either side, and in YAML as double-quoted escapes
and folded lines; generated certificate numbers of every province, credit codes and dates pass.
"""

from __future__ import annotations

import string
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE, SAMPLE_MOBILE, credit_code, make_repo, mobiles, problems_of, resident_id, resident_ids
from ssjpub.identifiers import CREDIT_CHARSET
from ssjpub.loader.personal import certificate_paths
from ssjpub.model import InspectorDirectory, Plan, TaskResults
from ssjpub.pii import SEPARATORS, find, shown

RESULTS = "results/shili/2024/2024-02.yaml"
FINDINGS = "  findings: 未与 2 名劳动者订立书面劳动合同"
INSPECTORS = "plans/shili/inspectors.yaml"
FIRST_CERT = "cert_no: 豫人社监字第41099924001号"


def mask(digits: str) -> str:
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def wide(c: str) -> str:
    return chr(ord(c) + 0xFEE0) if c in string.digits + "X" else c


@st.composite
def disguised(draw, number: str) -> str:
    """``number`` with separators between any of its characters and some of them full-width."""
    out = []
    for i, c in enumerate(number):
        if i:
            out.append(draw(st.text(st.sampled_from(SEPARATORS), max_size=3)))
        out.append(wide(c) if draw(st.booleans()) else c)
    return "".join(out)


# What may stand right before and after a number: labels, glued letters, a date and a space.
BEFORE = st.sampled_from(["", "备注：", "联系电话", "Tel", "tel:", "TEL", "Mobile", "手机", "No.", "身份证号",
                          "ID", "# 王某，", "2024-01-05 ", "第3批 ", "（", "abc"])
AFTER = st.sampled_from(["", "。", "号码", "ext", "abc", " ", "）", ",下一项", "x"])


@st.composite
def planted(draw) -> tuple[str, int, bool, str]:
    """(text, column of the number, mobile?, its mask) for a generated ID or mobile in disguise."""
    before, after = draw(BEFORE), draw(AFTER)
    if draw(st.booleans()):
        number = draw(mobiles)
        prefix = draw(st.sampled_from(["", "86", "+86", "+86 ", "86-", "＋86"]))
        written = prefix + draw(disguised(number))
        digits = ("86" if "86" in prefix else "") + number
        return before + written + after, len(before) + 1, True, mask(digits)
    number = draw(resident_ids)
    return before + draw(disguised(number)) + after, len(before) + 1, False, mask(number)


@settings(max_examples=400)
@given(planted())
def test_a_number_in_any_disguise_is_caught_where_it_stands(case):
    text, column, mobile, masked = case
    assert [(h.line, h.column, h.mobile, h.masked) for h in find(text)] == [(1, column, mobile, masked)]
    assert masked in shown(text) and not find(shown(text))


def yaml_escaped(draw, text: str) -> str:
    """``text`` in a YAML double-quoted scalar: each character as itself or as an escape, and
    line breaks where a separator stood (a folded line break reads as a space)."""
    out = []
    for c in text:
        form = draw(st.sampled_from(["raw", "x", "u", "U"])) if c not in '"\\\ufeff' else "u"
        if c in _SPACE_LIKE and out[-1:] != ["\n    "] and draw(st.booleans()):
            out.append("\n    ")  # two in a row would leave an empty line: a newline, not a space
        elif form == "raw":
            out.append(c)
        elif form == "x" and ord(c) < 0x100:
            out.append(f"\\x{ord(c):02x}")
        elif form == "U":
            out.append(f"\\U{ord(c):08X}")
        else:
            out.append(f"\\u{ord(c):04x}")
    return '"' + "".join(out) + '"'


_SPACE_LIKE = " \u00a0\u3000"


@settings(max_examples=40)
@given(st.data())
def test_a_number_in_a_yaml_value_is_caught_however_it_is_escaped(tmp_path_factory, data):
    text, _, mobile, masked = data.draw(planted())
    root = make_repo(tmp_path_factory.mktemp("repo"))
    path = root / RESULTS
    source = path.read_text(encoding="utf-8")
    line = source.split("\n").index(FINDINGS) + 1
    value = yaml_escaped(data.draw, text)
    path.write_text(source.replace(FINDINGS, "  findings: " + value), encoding="utf-8")
    problems = problems_of(root)
    caught = [p for p in problems if p.code == "personal-data" and masked in p.message]
    # Once, at the value or, where the raw text shows the number whole, at the number.
    assert len(caught) == 1 and line <= caught[0].line <= line + value.count("\n"), problems
    assert ("手机" in caught[0].message) == mobile


# --- never caught ---------------------------------------------------------------------------

# The 31 provinces: the abbreviation in 冀人社监字第…号 and the code a certificate number begins with.
PROVINCES = {"京": 11, "津": 12, "冀": 13, "晋": 14, "蒙": 15, "辽": 21, "吉": 22, "黑": 23, "沪": 31, "苏": 32,
             "浙": 33, "皖": 34, "闽": 35, "赣": 36, "鲁": 37, "豫": 41, "鄂": 42, "湘": 43, "粤": 44, "桂": 45,
             "琼": 46, "渝": 50, "川": 51, "贵": 52, "云": 53, "藏": 54, "陕": 61, "甘": 62, "青": 63, "宁": 64,
             "新": 65}
certificates = st.builds(
    lambda short, place, year, serial, gap: (short, f"{PROVINCES[short]}{place:04d}{year:02d}{serial:03d}", gap),
    st.sampled_from(sorted(PROVINCES)), st.integers(0, 9999), st.integers(0, 99), st.integers(0, 999),
    st.sampled_from(["", " ", "\u3000"]),
)


@given(certificates, st.sampled_from(["cert_no: ", "监察证号：", "", "- "]))
def test_certificate_numbers_of_every_province_are_not_personal_data(certificate, label):
    short, number, gap = certificate
    assert find(f"{label}{short}人社监字第{gap}{number}{gap}号\n") == []


@settings(max_examples=25)
@given(st.sampled_from([1, 2, 13, 14, 15]).flatmap(
    lambda code: st.integers(0, 10**9 - 1).map(lambda rest: f"{code:02d}{rest:09d}"[-11:])))
def test_a_bare_certificate_number_in_cert_no_is_not_a_mobile_number_but_in_free_text_it_is(
        tmp_path_factory, number):
    root = make_repo(tmp_path_factory.mktemp("repo"))
    path = root / INSPECTORS
    path.write_text(path.read_text(encoding="utf-8").replace(FIRST_CERT, f"cert_no: '{number}'", 1),
                    encoding="utf-8")
    assert [p for p in problems_of(root) if p.code == "personal-data"] == []
    results = root / RESULTS
    results.write_text(results.read_text(encoding="utf-8").replace(FINDINGS, f"  findings: '{number}'"),
                       encoding="utf-8")
    found = [p for p in problems_of(root) if p.code == "personal-data"]
    assert [p.file for p in found] == ([RESULTS] if number[1] in "3456789" and number[0] == "1" else [])


def test_an_id_number_in_cert_no_is_still_caught(repo):
    number = resident_id("13010219900307457")
    path = repo / INSPECTORS
    path.write_text(path.read_text(encoding="utf-8").replace(FIRST_CERT, f"cert_no: {number}", 1), encoding="utf-8")
    found = [p for p in problems_of(repo) if p.code == "personal-data"]
    assert [(p.file, p.line, p.column) for p in found] == [(INSPECTORS, 10, 12)]
    assert "身份证" in found[0].message


lettered_codes = st.text(st.sampled_from(CREDIT_CHARSET), min_size=17, max_size=17).filter(
    lambda body: not body.isdigit()).map(credit_code)


@given(lettered_codes, st.sampled_from(["{}", "target: {}", "统一社会信用代码{}", "{},示例公司,城关镇", "代码：{}号"]))
def test_credit_codes_are_never_personal_data(code, form):
    assert find(form.format(code) + "\n") == []


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %Y-%m-%d %Y-%m-%d",
                        "%Y%m%d %Y%m%d", "%Y.%m.%d-%Y.%m.%d"]))
def test_dates_are_never_personal_data(day, form):
    assert find(day.strftime(form) + "\n") == []


@given(resident_ids, st.integers(1, 10), st.sampled_from(["", "-", "．", "\u200b"]))
def test_an_id_with_a_wrong_check_digit_is_not_an_id(number, shift, gap):
    wrong = number[:17] + "0123456789X"[("0123456789X".index(number[17]) + shift) % 11]
    assert find(f"编号 {wrong[:6]}{gap}{wrong[6:14]}{gap}{wrong[14:]}\n") == []


def test_base_fixture_names_the_lines_these_tests_edit():
    assert FINDINGS in (BASE / RESULTS).read_text(encoding="utf-8").split("\n")
    assert (BASE / INSPECTORS).read_text(encoding="utf-8").split("\n")[9] == "  " + FIRST_CERT


def test_a_comment_beside_a_certificate_number_is_still_scanned(repo):
    path = repo / INSPECTORS
    line = f"cert_no: '13010223001'  # 本人手机 {SAMPLE_MOBILE}"
    path.write_text(path.read_text(encoding="utf-8").replace(FIRST_CERT, line, 1), encoding="utf-8")
    found = [p for p in problems_of(repo) if p.code == "personal-data"]
    assert [(p.file, p.line, p.column) for p in found] == [(INSPECTORS, 10, 3 + line.index(SAMPLE_MOBILE))]


def test_keys_and_folded_values_are_scanned_and_each_number_is_reported_once(repo):
    path = repo / RESULTS
    escaped = "".join(f"\\u{ord(c):04x}" for c in SAMPLE_MOBILE)
    source = path.read_text(encoding="utf-8").replace(FINDINGS, f'  findings: 电话 {SAMPLE_MOBILE}\n  "{escaped}": x', 1)
    source = source.replace("  handling: 责令限期改正，单位已补签", "  handling: 责令限期改正，联系 139\n    1234 5678", 1)
    path.write_text(source, encoding="utf-8")
    found = [(p.line, p.column) for p in problems_of(repo) if p.code == "personal-data"]
    # The plain number at itself (not again at its value), the escaped key, the folded value.
    assert found == [(12, 16), (13, 3), (14, 13)]


def test_the_schema_names_the_certificate_number_fields():
    assert certificate_paths(InspectorDirectory) == {("inspectors", int, "cert_no")}
    assert certificate_paths(Plan) == certificate_paths(TaskResults) == set()
