"""The hand-written XLSX writer (ssjpub.site.xlsx), read back with openpyxl."""

from __future__ import annotations

import io
import zipfile
import xml.etree.ElementTree as ET
from datetime import date

from hypothesis import given, settings, strategies as st
from openpyxl import load_workbook

from ssjpub.site import xlsx

TRICKY = ["=1+1", "-3", "@x", "<b>&amp;</b>", "第一行\n第二行", " 前后空格 ", "示例\u3000公司", "a_b"]


def read(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_cells_read_back_exactly_numbers_stay_numbers():
    rows = [[t, i] for i, t in enumerate(TRICKY)] + [["", 0]]
    ws = read(xlsx.workbook("tbl", ["文字", "数"], rows, title="标题", author="示例局", day=date(2024, 3, 1)))
    assert ws.title == "tbl"
    assert [c.value for c in ws[1]] == ["文字", "数"]
    assert all(c.font.b for c in ws[1]) and not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert got == [[t, i] for i, t in enumerate(TRICKY)] + [[None, 0]]
    assert ws["A2"].data_type == "s"  # "=1+1" is text, never a formula
    assert isinstance(ws["B3"].value, int)


def test_text_xml_cannot_hold_uses_the_ooxml_escape():
    # ECMA-376 ST_Xstring: _xHHHH_ is a character; a literal "_x0041_" escapes its underscore.
    # Excel and LibreOffice decode it; openpyxl does not, so the sheet's XML is read here.
    data = xlsx.workbook("t", ["a"], [["a\x01b"], ["_x0041_"]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<t>a_x0001_b</t>" in sheet and "<t>_x005F_x0041_</t>" in sheet


def test_properties_and_zip_entries_are_dated_from_the_data_and_parts_are_well_formed():
    data = xlsx.workbook("t", ["a"], [["x"]], title="<题>", author="局&", day=date(2024, 3, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2024, 3, 1, 0, 0, 0)}
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                ET.fromstring(z.read(name))  # every part parses
        core = z.read("docProps/core.xml").decode()
    assert "2024-03-01T00:00:00Z" in core and "&lt;题&gt;" in core
    wb = load_workbook(io.BytesIO(data))
    assert wb.properties.title == "<题>" and wb.properties.creator == "局&"
    assert xlsx.workbook("t", ["a"], [["x"]], day=None) == xlsx.workbook("t", ["a"], [["x"]], day=None)


def test_sheet_titles_follow_excels_rules():
    assert xlsx.sheet_title("a[b]:c*?/\\d" + "x" * 40) == ("abcd" + "x" * 40)[:31]
    assert xlsx.sheet_title("[]") == "data"
    assert xlsx._column_letters(28)[-3:] == ["Z", "AA", "AB"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
                                       | st.just("\n"), min_size=1, max_size=12)
                .filter(lambda s: s.strip() and "_x" not in s), min_size=3, max_size=3),
                max_size=5))
def test_any_text_reads_back(rows):
    ws = read(xlsx.workbook("s", ["a", "b", "c"], rows))
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_col=3)]
    assert got == rows
