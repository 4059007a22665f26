"""Results through Excel (issue 14, item 5): `ssjpub results-template` → filled in Excel (here
openpyxl, and LibreOffice re-saving it) → `ssjpub import-results` → the results YAML, which
`ssjpub validate` and `ssjpub check` accept; every mistake named by its cell, all in one run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO, SAMPLE_MOBILE, console_script, run_cli
from libreoffice import CSV_UTF8, XLSX, convert, needs_libreoffice
from ssjpub.resultbook import layout as L
from ssjpub.resultbook.reader import parse_date

TASK = "baofeng/2024/2024-01"
RESULTS = "results/baofeng/2024/2024-01.yaml"
FIRST = L.FIRST_ROW


def drawn(root: Path, task: str = "2024-01") -> list[dict]:
    return json.loads((root / f"plans/baofeng/2024/draws/{task}.json").read_text(encoding="utf-8"))["targets"]


def ssjpub(*args) -> subprocess.CompletedProcess:
    """The real console script in a real process."""
    script = console_script()
    assert script is not None, "the venv's ssjpub script is needed"
    return subprocess.run([str(script), *map(str, args)], capture_output=True, text=True, timeout=300)


def template(root: Path, task: str = TASK, name: str = "表.xlsx") -> Path:
    out = root / name
    result = run_cli("results-template", task, "-o", out, "--root", root)
    assert result.exit_code == 0, result.output
    return out


def import_results(root: Path, book: Path):
    result = run_cli("import-results", book, "--root", root)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def fresh(demo: Path) -> Path:
    """The demo with task 2024-01's results not yet entered."""
    (demo / RESULTS).unlink()
    return demo


def fill(book: Path, blank: int = 0) -> Path:
    """Fill every row (but the last ``blank``) as staff would: dates typed in the three forms,
    a problem found and put right, a result withheld by law."""
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET]
    ws["B3"], ws["B4"], ws["B5"] = date(2024, 2, 6), "2024/2/20", "2024年2月27日"
    rows = list(range(FIRST, ws.max_row + 1))
    for n in rows[: len(rows) - blank]:
        ws[f"D{n}"], ws[f"E{n}"], ws[f"F{n}"] = date(2024, 1, 16), "未发现问题", date(2024, 1, 16)
    ws[f"D{FIRST}"], ws[f"F{FIRST}"] = "2024/1/20", "2024/1/20"
    ws[f"D{FIRST + 1}"], ws[f"E{FIRST + 1}"], ws[f"F{FIRST + 1}"] = "2024年1月22日", "发现问题已责令改正", "2024-02-01"
    ws[f"G{FIRST + 1}"], ws[f"H{FIRST + 1}"] = "未按月足额支付工资\n涉及 3 人", "-责令补发，已补发"
    ws[f"I{FIRST + 1}"], ws[f"J{FIRST + 1}"] = date(2024, 2, 5), "已整改到位"
    # Withheld: the category and the three withheld cells only (the file is public).
    ws[f"E{FIRST + 2}"] = "责令改正"
    ws[f"K{FIRST + 2}"], ws[f"L{FIRST + 2}"], ws[f"M{FIRST + 2}"] = "涉及商业秘密", "《中华人民共和国政府信息公开条例》第十五条", "局办公室"
    wb.save(book)
    return book


def expected_results(root: Path, blank: int = 0) -> list[dict]:
    codes = [t["code"] for t in drawn(root)]
    out = [{"target": c, "inspected_on": date(2024, 1, 16), "category": "未发现问题", "completed_on": date(2024, 1, 16)}
           for c in codes[: len(codes) - blank]]
    out[0]["inspected_on"] = out[0]["completed_on"] = date(2024, 1, 20)
    out[1] = {"target": codes[1], "inspected_on": date(2024, 1, 22), "category": "发现问题已责令改正",
              "completed_on": date(2024, 2, 1), "findings": "未按月足额支付工资\n涉及 3 人", "handling": "-责令补发，已补发",
              "follow_up": {"visited_on": date(2024, 2, 5), "outcome": "已整改到位"}}
    out[2] = {"target": codes[2], "inspected_on": date(2024, 1, 16), "category": "责令改正", "completed_on": date(2024, 1, 16),
              "withheld": {"reason": "涉及商业秘密", "legal_basis": "《中华人民共和国政府信息公开条例》第十五条", "approved_by": "局办公室"}}
    return out


def written(root: Path) -> tuple[str, dict]:
    text = (root / RESULTS).read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


# --- the template ---------------------------------------------------------------------------


def test_template_lists_the_drawn_targets_with_protected_keys_dates_and_a_category_list(fresh):
    book = template(fresh)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [L.SHEET, L.GUIDE, L.META] and wb[L.META].sheet_state == "hidden"
    ws = wb[L.SHEET]
    assert [c.value for c in ws[L.HEADER_ROW]] == [c.title for c in L.COLUMNS]
    targets = drawn(fresh)
    rows = [[c.value for c in row[:3]] for row in ws.iter_rows(min_row=FIRST)]
    assert rows == [[t["code"], t["name"], f"随机抽取（第 {t['rank']} 签）"] for t in targets]
    assert ws[L.TASK_CELL].value == TASK and wb[L.GUIDE][L.GUIDE_TASK_CELL].value == TASK
    # Protected: the key columns locked, every editable cell and the task dates open.
    assert ws.protection.sheet and wb.security.lockStructure
    assert all(ws[f"{x}{FIRST}"].protection.locked for x in "ABC")
    assert not any(ws[f"{x}{FIRST}"].protection.locked for x in "DEFGHIJKLM")
    assert not ws["B3"].protection.locked and ws["B2"].protection.locked
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    last = FIRST + len(targets) - 1
    picks = [dv for dv in rules.values() if dv.type == "list"]
    assert len(picks) == 1 and str(picks[0].sqref) == f"E{FIRST}:E{last}"
    listed = [c.value for (c,) in wb[L.GUIDE][picks[0].formula1.split("!")[1].replace("$", "")]]
    categories = yaml.safe_load((fresh / "plans/result-categories.yaml").read_text(encoding="utf-8"))["categories"]
    assert listed == [c["name"] for c in categories]
    dates = next(dv for dv in rules.values() if dv.type == "date")
    assert {f"D{FIRST}:D{last}", f"F{FIRST}:F{last}", f"I{FIRST}:I{last}", "B3", "B4", "B5"} <= set(str(dates.sqref).split())
    assert ws[f"D{FIRST}"].number_format == "yyyy-mm-dd"
    guide = "\n".join(str(c.value) for row in wb[L.GUIDE].iter_rows() for c in row if c.value)
    assert "20 个工作日" in guide and "2024-01-15 至 2024-02-06" in guide and "2024-01-09" in guide


def test_template_labels_the_cases_of_a_non_random_task(demo):
    wb = openpyxl.load_workbook(template(demo, "baofeng/2024/2024-06"))
    ws = wb[L.SHEET]
    rows = [[c.value for c in row[:5]] for row in ws.iter_rows(min_row=FIRST)]
    assert [r[2] for r in rows] == ["投诉举报（非随机）"] * 3
    assert rows[0][0] == "91410421DEM00001A7" and rows[0][1] and rows[0][4] == "发现问题已责令改正"  # prefilled


def test_template_bytes_do_not_depend_on_the_clock(fresh, tmp_path):
    if shutil.which("faketime") is None:
        pytest.skip("faketime not installed")
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert ssjpub("results-template", TASK, "-o", a, "--root", fresh).returncode == 0
    out = subprocess.run(["faketime", "2031-05-06 07:08:09", str(console_script()), "results-template", TASK,
                          "-o", b, "--root", fresh], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert a.read_bytes() == b.read_bytes()


def test_template_refuses_to_overwrite_a_filled_workbook(fresh):
    book = fill(template(fresh))
    before = book.read_bytes()
    result = run_cli("results-template", TASK, "-o", book, "--root", fresh)
    assert result.exit_code == 1 and "已存在" in result.output and book.read_bytes() == before


def test_a_task_not_yet_drawn_has_no_template(demo):
    (demo / "plans/baofeng/2024/draws/2024-07.json").unlink()
    (demo / "plans/baofeng/2024/draws/2024-07.yaml").unlink()
    (demo / "results/baofeng/2024/2024-07.yaml").unlink()
    result = run_cli("results-template", "baofeng/2024/2024-07", "--root", demo, "-o", demo / "x.xlsx")
    assert result.exit_code == 1 and "还没有抽取记录" in result.output and not (demo / "x.xlsx").exists()


@needs_libreoffice
def test_template_opens_in_libreoffice(fresh, tmp_path):
    csv_file = convert(template(fresh), CSV_UTF8, tmp_path / "lo")
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[L.HEADER_ROW - 1] == ",".join(c.title for c in L.COLUMNS)
    assert lines[FIRST - 1].startswith(drawn(fresh)[0]["code"] + ",")


# --- round trips ----------------------------------------------------------------------------


def test_round_trip_through_openpyxl_gives_the_results_and_passes_validate_and_check(fresh):
    book = fill(template(fresh))
    out = ssjpub("import-results", book, "--root", fresh)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "66 家单位中 66 家已填写检查结果，0 家尚未检查" in out.stderr
    text, data = written(fresh)
    assert text.startswith("# yaml-language-server: $schema=../../../docs/schema/results.schema.json\n# 检查结果。\n")
    assert list(data) == ["agency", "year", "task", "completed_on", "published_on", "archived_on", "results"]
    assert (data["completed_on"], data["published_on"], data["archived_on"]) == (date(2024, 2, 6), date(2024, 2, 20), date(2024, 2, 27))
    assert data["results"] == expected_results(fresh)
    assert [list(r) for r in data["results"][:3]] == [list(r) for r in expected_results(fresh)[:3]]  # the model's order
    assert ssjpub("validate", fresh).returncode == 0
    checked = ssjpub("check", "--root", fresh)
    assert checked.returncode == 0, checked.stdout


@needs_libreoffice
def test_round_trip_after_libreoffice_saved_the_filled_workbook(fresh, tmp_path):
    book = fill(template(fresh))
    resaved = convert(book, XLSX, tmp_path / "lo")
    wb = openpyxl.load_workbook(resaved)
    assert wb[L.META].sheet_state == "hidden" and wb[L.SHEET].protection.sheet
    result = import_results(fresh, resaved)
    assert result.exit_code == 0, result.output
    assert written(fresh)[1]["results"] == expected_results(fresh)
    assert run_cli("check", "--root", fresh).exit_code == 0


def test_blank_rows_are_not_yet_inspected_and_counted(fresh):
    result = import_results(fresh, fill(template(fresh), blank=5))
    assert result.exit_code == 0, result.output
    assert "61 家已填写检查结果，5 家尚未检查（整行留空）" in result.stderr
    assert written(fresh)[1]["results"] == expected_results(fresh, blank=5)


@pytest.mark.parametrize("task", ["baofeng/2024/2024-01", "baofeng/2024/2024-03", "baofeng/2024/2024-06"])
def test_template_of_committed_results_imports_back_byte_identical(demo, task):
    """Random, withheld and complaint tasks: an unchanged import rewrites nothing (the PR diff is empty)."""
    path = demo / f"results/{task}.yaml"
    before = path.read_bytes()
    result = import_results(demo, template(demo, task))
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before


def test_a_one_cell_edit_is_a_one_line_diff(demo):
    before = (demo / RESULTS).read_text(encoding="utf-8").splitlines()
    book = template(demo)
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET]
    old = ws[f"F{FIRST}"].value
    ws[f"F{FIRST}"] = old.date().replace(day=old.day + 1)  # closed a day later
    wb.save(book)
    assert import_results(demo, book).exit_code == 0
    after = (demo / RESULTS).read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1 and "completed_on" in changed[0][1], changed


# --- mistakes, each in its cell, all in one run ---------------------------------------------


def test_blanking_the_row_of_a_published_result_is_refused_at_that_row(demo):
    before = (demo / RESULTS).read_bytes()
    book = template(demo)
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET]
    n = FIRST + 5
    for letter in L.LETTERS[3:]:
        ws[f"{letter}{n}"] = None
    wb.save(book)
    result = import_results(demo, book)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(": ")[0].split("!")[1] for line in lines] == [f"A{n}"], result.stdout
    assert lines[0].split(": ")[1].split(" ")[0] == "result-deleted"
    assert f"第 {n} 行原有检查结果" in lines[0] and "已于 2024-02-20 公示" in lines[0] and "整行留空会删除它" in lines[0]
    assert (demo / RESULTS).read_bytes() == before



def test_every_mistake_is_named_by_its_cell_in_one_run_and_nothing_is_written(fresh):
    book = fill(template(fresh))
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET]
    extra = ws.max_row + 1
    ws[f"E{FIRST + 3}"] = "未发现"  # not in the list
    ws[f"D{FIRST + 4}"] = "2024-01-05"  # before the lottery of 2024-01-09
    ws[f"D{FIRST + 5}"] = "2024-02-30"
    ws[f"B{FIRST + 6}"] = "改过的名称"  # a protected column edited
    ws[f"J{FIRST + 7}"] = None  # a follow-up date without its outcome (visited_on kept below)
    ws[f"I{FIRST + 7}"] = date(2024, 2, 1)
    ws[f"E{FIRST + 8}"] = None
    ws[f"G{FIRST + 9}"] = f"联系电话 {SAMPLE_MOBILE}"
    ws[f"A{extra}"], ws[f"D{extra}"], ws[f"E{extra}"] = "91110000600037341L", "2024-01-20", "未发现问题"  # not drawn
    wb.save(book)
    out = ssjpub("import-results", book, "--root", fresh)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    found = {(line.split(": ")[0].split(":", 1)[1], line.split(": ")[1].split(" ")[0]) for line in out.stdout.splitlines()}
    assert found == {
        (f"结果!E{FIRST + 3}", "dangling-reference"),
        (f"结果!D{FIRST + 4}", "result-date-outside"),
        (f"结果!D{FIRST + 5}", "impossible-date"),
        (f"结果!B{FIRST + 6}", "key-cell-changed"),
        (f"结果!J{FIRST + 7}", "missing-field"),
        (f"结果!E{FIRST + 8}", "missing-field"),
        (f"结果!G{FIRST + 9}", "personal-data"),
        (f"结果!A{extra}", "dangling-reference"),
        (f"结果!A{extra}", "result-extra"),
    }, out.stdout
    lines = out.stdout.splitlines()
    assert all(line.startswith(f"{book.as_posix()}:结果!") for line in lines)
    assert any("是否想写“未发现问题”" in line for line in lines)
    assert any("早于抽取" in line and "2024-01-09" in line for line in lines)
    assert "未写入任何文件" in out.stderr and not (fresh / RESULTS).exists()


def test_dates_out_of_order_and_unpublished_findings_are_refused_in_their_cells(fresh):
    """办结 before 检查; a problem found with nothing said about it; a 回访 where none was found."""
    book = fill(template(fresh))
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET]
    ws[f"F{FIRST + 3}"] = date(2024, 1, 15)  # inspected 2024-01-16
    ws[f"E{FIRST + 4}"] = "责令改正"  # G, H left empty
    ws[f"I{FIRST + 5}"], ws[f"J{FIRST + 5}"] = date(2024, 2, 1), "已整改到位"  # on 未发现问题
    wb.save(book)
    out = ssjpub("import-results", book, "--root", fresh)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.splitlines()
    found = [(line.split(": ")[0].split("!")[1], line.split(": ")[1].split(" ")[0]) for line in lines]
    assert found == [(f"F{FIRST + 3}", "result-completed-early"), (f"E{FIRST + 4}", "result-findings-missing"),
                     (f"I{FIRST + 5}", "follow-up-without-problem")], out.stdout
    assert "G 列“发现的问题”" in lines[1] and "H 列“处理情况”" in lines[1]
    assert not (fresh / RESULTS).exists()


def test_what_a_withheld_row_withholds_is_refused_in_its_cells_and_nothing_is_written(fresh):
    """The results file is public (repository and the site's files/): a withheld row's findings,
    handling and follow-up would be published, so each filled one is named by its cell."""
    book = fill(template(fresh))
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET]
    ws[f"G{FIRST + 2}"], ws[f"H{FIRST + 2}"] = "涉及工艺流程", "责令限期改正"
    ws[f"I{FIRST + 2}"], ws[f"J{FIRST + 2}"] = date(2024, 2, 1), "已整改到位"
    for x in "EKLM":  # a second withheld row with only a follow-up date
        ws[f"{x}{FIRST + 3}"] = ws[f"{x}{FIRST + 2}"].value
    ws[f"I{FIRST + 3}"] = date(2024, 2, 1)
    wb.save(book)
    out = ssjpub("import-results", book, "--root", fresh)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.splitlines()
    found = [(line.split(": ")[0].split("!")[1], line.split(": ")[1].split(" ")[0]) for line in lines]
    assert found == [(f"G{FIRST + 2}", "withheld-content-public"), (f"H{FIRST + 2}", "withheld-content-public"),
                     (f"J{FIRST + 2}", "withheld-content-public"), (f"I{FIRST + 3}", "missing-field")], out.stdout
    assert all("公开" in line for line in lines)
    # Named by its column, as the Excel user sees it, never by its YAML field.
    assert "K 列“不予公开的理由”" in lines[0] and "不要复述" in lines[0]
    assert not any(re.search(r"withheld|findings|handling|follow_up", line.split(": ", 1)[1].split(" ", 1)[1]) for line in lines), out.stdout
    assert "不填写整改回访" in lines[3] and "清空“回访日期”" in lines[3]
    assert "未写入任何文件" in out.stderr and not (fresh / RESULTS).exists()


def test_the_guide_says_a_withheld_row_leaves_what_it_withholds_blank(fresh):
    wb = openpyxl.load_workbook(template(fresh))
    guide = "\n".join(str(c.value) for row in wb[L.GUIDE].iter_rows() for c in row if c.value)
    line = next(x for x in guide.splitlines() if "依法不予公开的结果" in x)
    assert all(t in line for t in ("“发现的问题”“处理情况”“回访日期”“回访结果”一律留空", "公开的仓库和网站", "不要复述"))


def test_a_duplicated_row_names_the_rows_of_the_sheet(fresh):
    book = fill(template(fresh))
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET]
    extra = ws.max_row + 1
    for x in "ABCDEF":
        ws[f"{x}{extra}"] = ws[f"{x}{FIRST}"].value
    wb.save(book)
    result = import_results(fresh, book)
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.split(": ")[1].split(" ")[0] == "duplicate-id"
    assert f":结果!A{extra}:" in line and f"第一次出现在第 {FIRST} 行" in line


def test_a_changed_credit_code_is_a_key_cell_changed(fresh):
    book = fill(template(fresh))
    wb = openpyxl.load_workbook(book)
    wb[L.SHEET][f"A{FIRST}"] = drawn(fresh)[1]["code"]
    wb.save(book)
    result = import_results(fresh, book)
    codes = [line.split(": ")[1].split(" ")[0] for line in result.stdout.splitlines()]
    assert result.exit_code == 1 and codes == ["key-cell-changed"], result.stdout
    assert f":结果!A{FIRST}:" in result.stdout


def test_a_missing_completion_date_does_not_hide_the_rows_problems(fresh):
    book = fill(template(fresh))
    wb = openpyxl.load_workbook(book)
    wb[L.SHEET]["B3"] = None
    wb[L.SHEET][f"E{FIRST}"] = "建筑"
    wb.save(book)
    result = import_results(fresh, book)
    found = [(line.split(": ")[0].split("!")[1], line.split(": ")[1].split(" ")[0]) for line in result.stdout.splitlines()]
    assert found == [("B3", "missing-field"), (f"E{FIRST}", "dangling-reference")], result.stdout


def test_a_workbook_whose_task_cell_was_changed_is_refused(fresh):
    book = fill(template(fresh))
    wb = openpyxl.load_workbook(book)
    wb[L.SHEET][L.TASK_CELL] = "baofeng/2024/2024-02"
    wb.save(book)
    result = import_results(fresh, book)
    [line] = result.stdout.splitlines()
    assert result.exit_code == 1 and line.split(": ")[1].split(" ")[0] == "results-task-mismatch"
    assert f":结果!{L.TASK_CELL}:" in line and not (fresh / RESULTS).exists()


def test_a_workbook_of_another_task_is_refused(demo):
    """The hidden sheet and the visible cells all say 2024-02, but the rows are 2024-01's."""
    book = template(demo)
    wb = openpyxl.load_workbook(book)
    wb[L.META]["B4"] = "2024-02"
    wb[L.SHEET][L.TASK_CELL] = wb[L.GUIDE][L.GUIDE_TASK_CELL] = "baofeng/2024/2024-02"
    wb.save(book)
    before = (demo / "results/baofeng/2024/2024-02.yaml").read_bytes()
    result = import_results(demo, book)
    [line] = result.stdout.splitlines()
    assert result.exit_code == 1 and line.split(": ")[1].split(" ")[0] == "results-task-mismatch"
    assert "不是按本仓库的这个任务生成的" in line
    assert (demo / "results/baofeng/2024/2024-02.yaml").read_bytes() == before


def test_a_workbook_not_made_by_results_template_is_refused(fresh, tmp_path):
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["统一社会信用代码", "检查日期"])
    wb.save(other)
    result = import_results(fresh, other)
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.split(": ")[1].split(" ")[0] == "results-workbook" and "results-template" in line
    not_a_workbook = tmp_path / "x.xlsx"
    not_a_workbook.write_text("not a zip", encoding="utf-8")
    result = import_results(fresh, not_a_workbook)
    assert result.exit_code == 1 and result.stdout.split(": ")[1].split(" ")[0] == "file-read"


def test_help_of_both_commands_is_in_chinese():
    for command in ("results-template", "import-results"):
        result = run_cli(command, "--help")
        assert result.exit_code == 0 and "检查结果" in result.output
    assert "results-template" in run_cli("--help").output and "import-results" in run_cli("--help").output


# --- dates as staff type them ---------------------------------------------------------------


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_dates_typed_in_any_accepted_form_read_as_that_date(day):
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
                 f"{day.year}-{day.month}-{day.day}", f" {day.year}.{day.month:02d}.{day.day:02d} "):
        assert parse_date(text) == (day, None), text


def test_text_that_is_not_a_date_says_what_to_type():
    assert parse_date("明天")[1][0] == "wrong-type" and "2025/3/4" in parse_date("明天")[1][1]
    assert parse_date("2025-02-29")[1][0] == "impossible-date"
    assert parse_date("２０２５-０３-０４")[1][0] == "non-ascii-digit"
    assert parse_date(45000)[1][0] == "wrong-type"


# --- the staff guide shows what the commands print ------------------------------------------


def _guide_scenario(root: Path) -> list[str]:
    """docs/staff-guide.md's example, run: what each command printed (stdout, then stderr)."""
    def run(*args) -> str:
        result = run_cli(*args)
        return result.stdout + result.stderr

    book = Path("baofeng-2024-2024-01-检查结果.xlsx")
    outputs = [run("results-template", TASK, "--root", root, "-o", root / book)]
    wb = openpyxl.load_workbook(root / book)
    ws = wb[L.SHEET]
    ws["B3"], ws["B4"], ws["B5"] = "2024-02-06", "2024-02-20", "2024-02-27"
    for n in range(FIRST, ws.max_row + 1 - 6):
        ws[f"D{n}"], ws[f"E{n}"] = "2024/1/20", "未发现问题"
    ws["E9"], ws["D10"], ws["J11"] = "未发现", "2024/1/5", "已整改到位"
    ws["E11"], ws["G11"], ws["H11"] = "发现问题已责令改正", "未按月足额支付工资", "责令补发，已补发"
    wb.save(root / book)
    outputs.append(run("import-results", root / book, "--root", root))
    ws["E9"], ws["D10"], ws["I11"] = "未发现问题", "2024/1/20", "2024-02-01"
    wb.save(root / book)
    outputs.append(run("import-results", root / book, "--root", root))
    return [o.replace(f"{(root / book).as_posix()}", book.as_posix()).replace(f"{root.as_posix()}/", "") for o in outputs]


def test_staff_guide_shows_what_the_commands_print(fresh):
    guide = (REPO / "docs/staff-guide.md").read_text(encoding="utf-8")
    for output in _guide_scenario(fresh):
        assert output.strip() and output.strip() in guide, output
