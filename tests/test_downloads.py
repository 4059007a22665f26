"""The downloads say the same thing in CSV, JSON and XLSX (issue 15, item 6), on a real build of the
demo: an ISO date is a date cell (yyyy-mm-dd) in the XLSX, a whole number a number in the XLSX and
the JSON, a percentage the same text ("5%") in all three. Read back with openpyxl for every
download, and with LibreOffice headless (XLSX → CSV) for one download of every kind of table,
compared with the site's own CSV cell for cell.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from libreoffice import CSV_UTF8, convert_all, needs_libreoffice
from ssjpub.site import downloads as D
from ssjpub.site.tables import Table, cell, columns
from ssjpub.spreadsheet import csv_cell
from test_site import CONF, ROOT

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cells") / "output"
    done = subprocess.run(
        [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(CONF), "-o", str(out), "--fatal", "errors",
         "-e", "SSJPUB_PAGEFIND=false"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "400", "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def table_csvs(site: Path) -> list[Path]:
    """Every table's CSV (the raw inputs served under files/ are the committed files, no table's)."""
    return sorted(p for p in site.rglob("*.csv") if p.relative_to(site).parts[0] != "files")


def kind(path: Path) -> str:
    """The kind of table: the file's name without its numbers (page, year, date, agency code)."""
    return re.sub(r"[-\d]+", "-", path.stem).strip("-")


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def shown(value: object) -> str:
    """An openpyxl value as the CSV writes the same cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return csv_cell(value if isinstance(value, str) else str(value))


def test_every_download_agrees_cell_for_cell_and_types_dates_numbers_and_percentages(site):
    csvs = table_csvs(site)
    assert len({kind(p) for p in csvs}) >= 15, sorted({kind(p) for p in csvs})
    dates = numbers = percents = 0
    for path in csvs:
        text = read_csv(path)
        ws = load_workbook(path.with_suffix(".xlsx")).active
        sheet = [list(r) for r in ws.iter_rows()]
        doc = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        body = doc["rows"] + ([doc["total"]] if "total" in doc else [])
        assert [shown(c.value) for c in sheet[0]] == text[0] == doc["columns"], path
        assert len(sheet) == len(text) == len(body) + 1, path
        for row_csv, row_xlsx, row_json in zip(text[1:], sheet[1:], body):
            row_xlsx = row_xlsx + [None] * (len(row_csv) - len(row_xlsx))
            assert [shown(c.value) for c in row_xlsx] == row_csv, path
            for t, c, j in zip(row_csv, row_xlsx, row_json):
                if ISO_DAY.fullmatch(t):  # a spreadsheet reads this CSV cell as a date: so is the XLSX's
                    assert c.is_date and c.number_format == "yyyy-mm-dd" and j == t, (path, t)
                    dates += 1
                elif isinstance(c.value, int):
                    assert j == c.value and type(j) is int, (path, t, j)
                    numbers += 1
                else:
                    assert c.value is None or c.data_type == "s", (path, t)
                    assert j == (c.value or ""), (path, t, j)
                    percents += "%" in t
    assert dates > 100 and numbers > 1000 and percents > 10, (dates, numbers, percents)


@needs_libreoffice
def test_libreoffice_reads_each_kind_of_xlsx_as_the_sites_csv(site, tmp_path):
    first: dict[str, Path] = {}
    for path in table_csvs(site):
        first.setdefault(kind(path), path)
    srcs = []
    for k, path in sorted(first.items()):
        copy = tmp_path / "in" / f"{k}.xlsx"
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(path.with_suffix(".xlsx"), copy)
        srcs.append(copy)
    outs = convert_all(srcs, CSV_UTF8, tmp_path / "out")
    for (k, path), out in zip(sorted(first.items()), outs):
        theirs = read_csv(out)
        ours = read_csv(path)
        # LibreOffice writes a text cell as it is; the site's CSV guards one that starts like a
        # formula with an apostrophe (ssjpub.spreadsheet.csv_cell): the same text either way.
        assert [[csv_cell(c) for c in row] for row in theirs] == ours, k


def test_typed_values_of_a_table():
    t = Table("t", "t", columns("日期", "数", "比例", "说明", numeric=("数",)),
              ((cell("2024-03-21"), cell(7), cell("5%"), cell("2024-02-30")),
               (cell("1899-01-01"), cell("-3"), cell("12.5%"), cell("2024-03-21 已整改"))),
              foot=(cell("合计"), cell(4), cell(""), cell("")))
    assert D.typed(t) == [
        [date(2024, 3, 21), 7, "5%", "2024-02-30"],  # no such day: text
        [date(1899, 1, 1), -3, "12.5%", "2024-03-21 已整改"],
        ["合计", 4, "", ""],
    ]
    doc = json.loads(D.table_json(t))
    assert doc["rows"][0] == ["2024-03-21", 7, "5%", "2024-02-30"] and doc["total"] == ["合计", 4, "", ""]
    ws = load_workbook(io.BytesIO(D.table_xlsx(t, None))).active
    assert ws["A2"].value == datetime(2024, 3, 21) and ws["A3"].value == "1899-01-01"  # before Excel's calendar
    assert [ws["C2"].value, ws["C3"].value] == ["5%", "12.5%"]
    assert D.table_csv(t).decode("utf-8-sig").split("\r\n")[1] == "2024-03-21,7,5%,2024-02-30"


# --- one download per dataset (issue 16, item 2) ------------------------------------------------


def _download_bases(page: Path, site: Path) -> set[str]:
    hrefs = re.findall(r'<p class="dl">.*?</p>', page.read_text(encoding="utf-8"), re.S)
    found = set()
    for p in hrefs:
        for h in re.findall(r'href="([^"]+)\.(?:csv|xlsx|json)"', p):
            found.add((page.parent / h).resolve().relative_to(site.resolve()).as_posix())
    return found


@pytest.mark.parametrize("folder, first", [("baofeng/targets/list", "targets-2024-07-01"),
                                           ("baofeng/enterprises", "enterprises")])
def test_a_paged_list_links_every_page_to_one_download_of_the_whole_list(site, folder, first):
    pages = sorted(p for p in (site / folder).rglob("index.html")
                   if p.parent == site / folder or re.fullmatch(r"p?\d+", p.parent.name))
    assert len(pages) > 3
    assert {b for p in pages for b in _download_bases(p, site)} == {f"{folder}/{first}"}
    shown = sum(len(re.findall(r"<tr>", p.read_text(encoding="utf-8").split("<tbody>")[1].split("</tbody>")[0]))
                for p in pages)
    assert len(read_csv(site / folder / f"{first}.csv")) - 1 == shown  # every row of every page, once
    assert not [p for p in (site / folder).rglob("*.csv") if p.stem != first]  # no file per page
    doc = json.loads((site / folder / f"{first}.json").read_text(encoding="utf-8"))
    assert len(doc["rows"]) == shown and doc["sources"]


def test_a_results_table_json_names_only_its_own_agency_and_year(site):
    doc = json.loads((site / "results/results-baofeng-2024.json").read_text(encoding="utf-8"))
    paths = [s["path"] for s in doc["sources"]]
    assert paths and all(p.startswith(("results/baofeng/2024/", "plans/baofeng/2024/", "plans/result-categories"))
                         for p in paths), paths
    assert "plans/baofeng/2024/plan.yaml" in paths


def test_jobs_write_a_shared_dataset_once_and_other_tables_beside_their_page():
    from ssjpub.site.tables import Dataset

    whole = Table("all", "全部", columns("a"), tuple((cell(str(i)),) for i in range(5)), sources=("s.csv",))
    part = [Table(f"p-{i}", "页", whole.columns, whole.rows[i:i + 1], part_of=Dataset("x/list/all", whole))
            for i in range(2)]
    own = Table("own", "本页", columns("a"), ())
    jobs = D.jobs([("x/list/", ("page.yaml",), [part[0], own]), ("x/list/2/", ("page.yaml",), [part[1]])])
    assert [(j.base, j.table.key, j.sources) for j in jobs] == [
        ("x/list/all", "all", ("s.csv",)), ("x/list/own", "own", ("page.yaml",))]


from hypothesis import given, settings, strategies as st  # noqa: E402

_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.dates(min_value=date(1900, 3, 1)), st.integers(-10**6, 10**6),
                          st.integers(0, 100).map(lambda n: f"{n}%"), _TEXT), max_size=6))
def test_any_table_reads_back_the_same_from_csv_json_and_xlsx(rows):
    t = Table("t", "t", columns("日期", "数", "比例", "说明", numeric=("数",)),
              tuple((cell(d.isoformat()), cell(n), cell(p), cell(x)) for d, n, p, x in rows))
    text = read_csv_bytes(D.table_csv(t))[1:]
    assert text == [[d.isoformat(), str(n), p, csv_cell(x)] for d, n, p, x in rows]
    assert json.loads(D.table_json(t))["rows"] == [[d.isoformat(), n, p, x] for d, n, p, x in rows]
    ws = load_workbook(io.BytesIO(D.table_xlsx(t, None))).active
    sheet = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_col=4)]
    assert [[v.date(), n, p, x or None] for v, n, p, x in sheet] == [[d, n, p, x or None] for d, n, p, x in rows]
    assert [[shown(v) for v in r] for r in sheet] == text  # the XLSX cell as the CSV writes it


def read_csv_bytes(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
