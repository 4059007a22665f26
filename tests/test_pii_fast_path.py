"""scan_text's fast path (bytes reduced with bytes.translate, only candidate lines scanned) finds
exactly what scanning the whole text finds."""

from __future__ import annotations

import bisect
import sys

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ssjpub import pii
from ssjpub.identifiers import is_resident_id
from ssjpub.problems import Pos

SAMPLE_ID = "11010519491231002X"


def reference_scan(text: str, file: str):
    """scan_text as it was: translate the whole text, run both patterns over all of it."""
    text = text.translate(pii._WIDE)
    found = []
    for m in pii._ID.finditer(text):
        if is_resident_id(m.group()):
            found.append((m.start(), f"疑似居民身份证号码（{pii._mask(m.group())}）"))
    for m in pii._MOBILE.finditer(text):
        found.append((m.start(), f"疑似手机号码（{pii._mask(m.group())}）"))
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    problems = []
    for offset, what in sorted(found):
        line = bisect.bisect_right(starts, offset)
        problems.append(Pos(file, line, offset - starts[line - 1] + 1).problem(
            "personal-data", f"{what}：公开仓库不得含有个人信息，请删除"))
    return problems


def test_the_lead_bytes_of_other_digits_are_all_listed():
    """Every character \\d matches outside ASCII, and every character _WIDE translates, sends the
    text to the whole-text scan."""
    wide = set(pii._WIDE)
    for cp in range(0x80, sys.maxunicode + 1):
        c = chr(cp)
        if c.isdecimal() or cp in wide:
            data = c.encode()
            slow = (data[0] in pii._OTHER_DIGIT_LEADS or pii._WIDE_SPACE in data or pii._WIDE_FF.search(data))
            assert slow, f"U+{cp:04X}"


_pieces = st.one_of(
    st.text(st.sampled_from(list("0123456789 -+86Xx\n") + ["１", "３", "８", "Ｘ", "＋", "－", "\u3000", "٣"]),
            max_size=30),
    st.text(st.sampled_from(list("aZ,:\"'宝丰（）：，。\r") + ["\U0001f600", "\ud800"]), max_size=8),
    st.sampled_from([SAMPLE_ID, "13912345678", "139 1234 5678", "139-1234-5678", "+86 13912345678",
                     "8613912345678", "91410999DEM0000014", "0375-6123456", "139123456789", "2024-01-05 2024-01-06",
                     "１３９１２３４５６７８", "110105194912310021", "a 13912345678", "a13912345678"]),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_pieces, max_size=12))
@example(["a\n", SAMPLE_ID, "\n", "13912345678 ", "86 139 1234 5678", "\n\n", "1391234567８"])
def test_fast_scan_finds_what_the_whole_text_scan_finds(pieces):
    text = "".join(pieces)
    assert pii.scan_text(text, "f") == reference_scan(text, "f")
    utf8 = text.encode("utf-8", "surrogatepass")
    assert pii.scan_text(text, "f", utf8) == reference_scan(text, "f")


def test_a_file_of_ordinary_records_is_clean_and_a_number_in_it_is_found():
    record = '{\n  "ticket": "0123456789012345678901234567890123456789012345678901234567890123",\n'
    record += '  "code": "91410999DEM0000014",\n  "name": "宝丰县示例公司"\n}\n'
    assert pii.scan_text(record, "r.json") == []
    planted = record.replace("宝丰县示例公司", "宝丰县示例公司 13912345678")
    assert [(p.line, p.column) for p in pii.scan_text(planted, "r.json")] == [(4, 20)]
    assert pii.scan_text(planted, "r.json") == reference_scan(planted, "r.json")
