"""统一社会信用代码 check characters (GB 32100-2015), 身份证号 (GB 11643) and the personal-data scan."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import SAMPLE_ID, SAMPLE_MOBILE, fictional_code, resident_id, resident_ids
from ssjpub.identifiers import (
    CREDIT_CHARSET,
    credit_check_char,
    credit_code_problem,
    is_resident_id,
    normalize_credit_code,
)
from ssjpub.pii import scan_text

bodies = st.text(alphabet=CREDIT_CHARSET, min_size=17, max_size=17)
valid_codes = bodies.map(lambda b: b + credit_check_char(b))


# --- credit codes -----------------------------------------------------------------------------


def test_charset_is_the_31_characters_of_the_standard():
    assert len(CREDIT_CHARSET) == 31 and len(set(CREDIT_CHARSET)) == 31
    assert not set("IOSVZ") & set(CREDIT_CHARSET)


@pytest.mark.parametrize("code", ["91110000600037341L", "91310115MA1K3BTP2B"])
def test_published_codes_are_valid(code):
    assert credit_check_char(code[:17]) == code[17]
    assert credit_code_problem(code) is None


def test_fictional_demo_style_codes_are_valid_and_marked():
    code = fictional_code(1)
    assert code == "91410999DEM0000014"
    assert credit_code_problem(code) is None and code[8:12] == "DEM0"


@given(valid_codes)
def test_generated_codes_are_valid(code):
    assert credit_code_problem(code) is None


@given(valid_codes, st.integers(0, 17), st.integers(1, 30))
@example("91110000600037341L", 17, 1)
@example("91310115MA1K3BTP2B", 0, 30)
def test_any_single_character_substitution_is_detected(code, position, shift):
    old = CREDIT_CHARSET.index(code[position])
    new = CREDIT_CHARSET[(old + shift) % 31]  # always a different character of the charset
    corrupted = code[:position] + new + code[position + 1 :]
    assert corrupted != code
    problem = credit_code_problem(corrupted)
    assert problem is not None and "校验码错误" in problem


@given(valid_codes, st.integers(0, 15))
def test_any_adjacent_transposition_in_the_body_is_detected(code, position):
    a, b = code[position], code[position + 1]
    swapped = code[:position] + b + a + code[position + 2 :]
    if a != b:
        assert credit_code_problem(swapped) is not None


@given(valid_codes, st.integers(0, 17), st.sampled_from(list("IOSVZ-a中 ")))
def test_a_character_outside_the_charset_is_refused(code, position, bad):
    corrupted = code[:position] + bad + code[position + 1 :]
    problem = credit_code_problem(corrupted)
    assert problem is not None and f"“{bad}”" in problem


@given(valid_codes, st.integers(1, 3))
def test_wrong_length_is_refused(code, cut):
    assert "应为 18 位" in credit_code_problem(code[:-cut])
    assert "应为 18 位" in credit_code_problem(code + code[:cut])


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@given(valid_codes, st.sampled_from(["", " ", "\u3000", "\t"]), st.booleans())
def test_full_width_lower_case_padded_input_is_normalised(code, pad, lower):
    raw = _full_width(code.lower() if lower else code)
    assert raw != code
    assert normalize_credit_code(pad + raw + pad) == code
    assert credit_code_problem(normalize_credit_code(pad + raw + pad)) is None


# --- 身份证号 and the personal-data scan ----------------------------------------------------------

ids = resident_ids


def test_sample_id_is_well_formed():
    assert is_resident_id(SAMPLE_ID)
    assert not is_resident_id(SAMPLE_ID[:17] + ("0" if SAMPLE_ID[17] != "0" else "1"))
    assert not is_resident_id("110101199002304571")  # 30 February
    assert not is_resident_id(resident_id("91010119900307457"))  # no province 91: a credit code's start


@given(ids, st.sampled_from(["备注：", "身份证号 ", "- ", "# 王某，"]))
def test_any_resident_id_in_text_is_found_and_masked(number, prefix):
    text = f"a: 1\n{prefix}{number}。\n"
    problems = scan_text(text, "f.yaml")
    assert [(p.line, p.column, p.code) for p in problems] == [(2, len(prefix) + 1, "personal-data")]
    assert number not in problems[0].message
    assert number[:3] in problems[0].message and number[-4:] in problems[0].message


@given(ids)
def test_an_id_with_a_wrong_check_digit_is_not_personal_data(number):
    wrong = number[:17] + ("1" if number[17] == "0" else "0")
    assert scan_text(f"编号 {wrong}\n", "f") == []


@pytest.mark.parametrize(
    "mobile", [SAMPLE_MOBILE, "139 1234 5678", "139-1234-5678", "+86 13912345678", "8613912345678"]
)
def test_mobile_numbers_in_any_usual_form_are_found_and_masked(mobile):
    problems = scan_text(f"联系电话：{mobile}\n", "f")
    assert [(p.line, p.column, p.code) for p in problems] == [(1, 6, "personal-data")]
    assert mobile not in problems[0].message
    assert SAMPLE_MOBILE not in problems[0].message.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    "text",
    [
        "91410999DEM0000014",  # a credit code
        "91110000600037341L",
        "cert_no: 豫人社监字第41099924001号",
        "window: {start: 2024-01-15, end: 2024-02-06}",
        "0375-6123456",  # a landline is a unit's number, not personal data
        "ratio: 12.5%",
        "139123456789",  # 12 digits: not a mobile number
    ],
)
def test_ordinary_data_is_not_personal_data(text):
    assert scan_text(text + "\n", "f") == []


@given(valid_codes)
def test_credit_codes_are_never_personal_data(code):
    # A code of 17 digits could in principle pass as an ID; codes with a letter in the body cannot.
    if not code[:17].isdigit():
        assert scan_text(f"target: {code}\n", "f") == []


def _full_width_digits(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


@pytest.mark.parametrize("number", [SAMPLE_MOBILE, SAMPLE_ID])
def test_full_width_personal_data_is_found(number):
    wide = _full_width_digits(number)
    problems = scan_text(f"备注：{wide}\n", "f")
    assert [(p.line, p.column, p.code) for p in problems] == [(1, 4, "personal-data")]
    assert wide not in problems[0].message
