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


def test_dates_are_date_cells_shown_as_iso_days_and_wide_enough():
    rows = [["a", date(2024, 3, 21), 5], ["b", date(1900, 3, 1), 0], ["c", date(1899, 1, 2), 1], ["d", "", 2]]
    data = xlsx.workbook("t", ["名", "日期", "数"], rows)
    ws = read(data)
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [g[1].date() if g[1] is not None and not isinstance(g[1], str) else g[1] for g in got] == [
        date(2024, 3, 21), date(1900, 3, 1), "1899-01-02", None]  # before Excel's calendar: text
    assert ws["B2"].is_date and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].data_type == "d" or ws["B2"].is_date
    assert ws.column_dimensions["B"].width >= len("2024-03-21") and ws.column_dimensions["A"].width != 11
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="B2" s="2"><v>45372</v></c>' in sheet  # Excel's day number of 2024-03-21


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_any_day_reads_back_as_that_day(day):
    ws = read(xlsx.workbook("t", ["日期"], [[day]]))
    assert ws["A2"].value.date() == day
