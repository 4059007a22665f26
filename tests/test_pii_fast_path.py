"""The personal-data scan's fast path (bytes squeezed with bytes.translate, only candidate lines
scanned) finds exactly what the normalising matcher finds over the whole text."""

from __future__ import annotations

import sys

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE_ID, SAMPLE_MOBILE
from ssjpub import pii


def test_the_lead_bytes_of_other_digits_are_all_listed():
    """Every character \\d matches outside ASCII sends the text to the whole-text scan."""
    for cp in range(0x80, sys.maxunicode + 1):
        c = chr(cp)
        if c.isdecimal():
            data = c.encode()
            assert data[0] in pii._OTHER_DIGIT_LEADS or pii._WIDE_DIGIT.search(data), f"U+{cp:04X}"


def test_every_separator_is_squeezed_out():
    """The squeeze deletes every separator, so a chain's digits end up side by side."""
    for c in pii.SEPARATORS:
        assert all(b in pii._SQUEEZED_OUT for b in c.encode()), f"U+{ord(c):04X}"


_ALPHABET = list("0123456789 -.+86Xx\n") + ["１", "３", "８", "Ｘ", "＋", "－", "．", "٣", "—", "–",
                                           "\u00a0", "\u202f", "\u2007", "\u3000", "\u200b", "\u2060", "\ufeff"]
_pieces = st.one_of(
    st.text(st.sampled_from(_ALPHABET), max_size=30),
    st.text(st.sampled_from(list("aZTelDEM,:\"'宝丰字第号（）：，。\r") + ["\U0001f600", "\ud800"]), max_size=8),
    st.sampled_from([SAMPLE_ID, SAMPLE_MOBILE, "139 1234 5678", "139-1234-5678", "+86 13912345678",
                     "8613912345678", "91410999DEM0000014", "0375-6123456", "139123456789", "2024-01-05 2024-01-06",
                     "１３９１２３４５６７８", "110105194912310021", "a 13912345678", "Tel13912345678",
                     "冀人社监字第13010223001号", "139\u200b1234\u00a05678", "2024-01-05 "]),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_pieces, max_size=12))
@example(["a\n", SAMPLE_ID, "\n", "13912345678 ", "86 139 1234 5678", "\n\n", "1391234567８"])
@example(["字第", "13010223001", "号\n", "Tel", "139 1234\u200b5678", "\n—", SAMPLE_ID[:9], "\u3000", SAMPLE_ID[9:]])
def test_fast_scan_finds_what_the_whole_text_scan_finds(pieces):
    text = "".join(pieces)
    assert pii.find(text) == pii.find_whole(text)
    assert pii.find(text, text.encode("utf-8", "surrogatepass")) == pii.find_whole(text)


def test_a_file_of_ordinary_records_is_clean_and_a_number_in_it_is_found():
    record = '{\n  "ticket": "0123456789012345678901234567890123456789012345678901234567890123",\n'
    record += '  "code": "91410999DEM0000014",\n  "name": "宝丰县示例公司"\n}\n'
    assert pii.scan_text(record, "r.json") == []
    planted = record.replace("宝丰县示例公司", "宝丰县示例公司 139—1234—5678")
    assert [(p.line, p.column) for p in pii.scan_text(planted, "r.json")] == [(4, 20)]
    assert pii.find(planted) == pii.find_whole(planted)
