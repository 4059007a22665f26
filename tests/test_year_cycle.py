"""A whole year run the way the staff guide says (docs/staff-guide.md, “一年的工作”): 宝丰 2025 on a
copy of the replayed demo, with only the commands the guide names, each passing the first time.

The guide's console blocks are this test's transcript: each command it shows is the next command
run here, and the output it shows is the output printed (commit ids aside). Pull requests are
branches merged with `--no-ff`, as the web interface merges them; their dates are the days the
guide gives. CI's own steps (the trusted timestamp, `draw --pending`) run as CI runs them.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from ssjpub.demo.replay import AUTHOR, replay
from ssjpub.demo.tsa import DemoTSA, run_at
from ssjpub.timestamp.files import CHINA

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "staff-guide.md"
SECTION = "## 一年的工作"
AGENCY, YEAR, TASK = "baofeng", 2025, "2025-01"
# SSJPUB_RECORD_GUIDE=FILE writes the transcript to FILE instead of comparing it with the guide: run
# it after a change to a command's output, and paste the outputs into the guide.
RECORD = os.environ.get("SSJPUB_RECORD_GUIDE")

PLAN = f"""\
# yaml-language-server: $schema=../../../docs/schema/plan.schema.json
# 年度抽查工作计划。演示数据：文号中的“示”表示虚构。
agency: baofeng
year: 2025
title: 宝丰县人力资源和社会保障局 2025 年度“双随机、一公开”抽查工作计划
doc_number: 宝人社〔2025〕示1号
lead_department: 劳动保障监察股
reported_to: 劳动保障监察股
reported_on: 2025-01-07
published_on: 2025-01-08
tasks:
- id: 2025-01
  name: 春节前工程建设领域农民工工资支付随机抽查
  items:
  - NM-01
  departments:
  - 劳动保障监察股
  snapshot: 2025-01-06
  scope:
    industries:
    - 建筑业
  ratio: 20%
  weights:
    grade:
      C: 3
    complaints:
      at_least: 3
      weight: 2
    serious_violation: 3
  window:
    start: 2025-01-20
    end: 2025-02-14
  method: 现场检查
  randomness:
    kind: 公开开奖
    game: 双色球
    source: 中国福利彩票双色球（演示：号码为虚构）
    issue: '2025005'
    expected_on: 2025-01-12
"""

NUMBERS = f"""\
# yaml-language-server: $schema=../../../../docs/schema/randomness.schema.json
# 公开随机数：开奖之后提交。演示数据。
agency: baofeng
year: 2025
task: 2025-01
announced_on: 2025-01-12
numbers:
- [4, 9, 13, 20, 26, 33]
- [11]
evidence: 演示数据：号码为虚构，并非真实开奖结果
"""

HEADER = ["序号", "单位名称", "统一社会信用代码", "所属区域/乡镇", "行业类别", "单位状态", "参保人数", "经办人"]


# --- the guide's transcript ------------------------------------------------------------------

def guide_blocks() -> list[tuple[str, str]]:
    """(command, output) pairs of the console blocks in the guide's year section, in order."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end != -1 else None]
    pairs: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", section, flags=re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.startswith("$ "):
                command, _, output = chunk[2:].partition("\n")
                pairs.append((command.strip(), output))
    return pairs


def normalized(text: str) -> str:
    """Commit ids and the absolute temporary paths are the only parts that differ between runs."""
    text = re.sub(r"\b[0-9a-f]{7,40}\b", "…", text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


class Year:
    """The data repository and the staff member's desktop (where the spreadsheets are)."""

    def __init__(self, repo: Path, desk: Path, venv: Path):
        self.repo, self.desk, self.venv = repo, desk, venv
        self.script = guide_blocks()
        self.ran: list[str] = []

    def git(self, *args: str, when: datetime | None = None) -> str:
        env = dict(os.environ, **AUTHOR)
        if when is not None:
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S+08:00")
            env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        done = subprocess.run(["git", "-C", str(self.repo), *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def pull_request(self, branch: str, title: str, when: datetime, files: dict[str, str] | None = None) -> None:
        """A branch with the files (or what the commands left in the working tree), merged into main."""
        self.git("switch", "-q", "-c", branch, "main")
        for rel, text in (files or {}).items():
            path = self.repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", title, when=when)
        self.git("switch", "-q", "main")
        self.git("merge", "-q", "--no-ff", "-m", f"合并拉取请求：{title}", branch, when=when + timedelta(minutes=5))

    def run(self, command: str, clock: datetime | None = None) -> str:
        """The guide's next command, which must be `command`; its output must be what the guide shows."""
        if not RECORD:
            assert self.script, f"指南中没有更多命令，但测试还要运行：{command}"
            shown, expected = self.script.pop(0)
            assert shown == command, f"指南的下一条命令是 {shown!r}，测试运行的是 {command!r}"
        argv = shlex.split(command)
        if argv[0] == "ssjpub":
            argv = [sys.executable, "-m", "ssjpub", *argv[1:]]
        elif argv[0] == "make":  # the repository's own Makefile, with the suite's venv already set up
            argv = ["make", f"VENV={self.venv}", "-o", f"{self.venv}/bin/ssjpub", *argv[1:]]
        if clock is not None:
            done = run_at(clock, *argv, frozen=False, text=True, cwd=self.repo)
        else:
            done = subprocess.run(argv, capture_output=True, text=True, cwd=self.repo)
        out = done.stdout + done.stderr
        assert done.returncode == 0, f"{command} 失败：\n{out}"
        if RECORD:
            with open(RECORD, "a", encoding="utf-8") as transcript:
                transcript.write(f"$ {command}\n{out}\n")
        elif not command.startswith("make"):  # make echoes its recipes; the guide shows only the result
            assert normalized(out) == normalized(expected), f"{command} 的输出与指南不同：\n{out}"
        self.ran.append(command)
        return out


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


# --- the staff member's spreadsheets ---------------------------------------------------------

def export_workbook(previous_csv: Path, path: Path) -> int:
    """What the insured-enterprise system exports: a merged title row, the export date, the header on
    row 3, a blank row and a 合计 row; no grade, complaints or violations (those come from the
    previous snapshot, when asked). The enterprises of the last snapshot, a few changed."""
    import csv

    rows = list(csv.DictReader(previous_csv.open(encoding="utf-8")))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "参保单位"
    ws.append(["宝丰县参保单位基本信息表（演示数据）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(["导出日期：2025-01-06"])
    ws.append(HEADER)
    status = {"在营": "正常参保", "停业": "暂停缴费", "注销": "注销"}
    for n, row in enumerate(rows, start=1):
        ws.append([n, row["name"], row["credit_code"], row["area"], row["industry"], status[row["status"]],
                   10 + n % 37, ""])
    ws.append([])
    ws.append(["合计", f"{len(rows)} 户"])
    for col in range(1, len(HEADER) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 18
    wb.save(path)
    return len(rows)


def fill_results(template: Path) -> int:
    """The staff member fills the results template in Excel: the task's dates above the table, every
    enterprise inspected on a working day inside the window (not in the Spring Festival holiday),
    no problem found but at two."""
    wb = openpyxl.load_workbook(template)
    ws = wb["结果"]
    labels = {ws.cell(row, 1).value: row for row in range(1, 10)}
    ws.cell(labels["任务完成日期"], 2).value = date(2025, 2, 14)
    ws.cell(labels["结果公示日期"], 2).value = date(2025, 2, 20)
    ws.cell(labels["归档日期"], 2).value = date(2025, 2, 27)
    head = labels["统一社会信用代码"]
    col = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(head, c).value}
    days = [date(2025, 1, d) for d in (20, 21, 22, 23, 24, 27)] + [date(2025, 2, d) for d in (5, 6, 7, 10, 11)]
    filled = 0
    for row in range(head + 1, ws.max_row + 1):
        if not ws.cell(row, col["统一社会信用代码"]).value:
            continue
        day = days[filled % len(days)]
        ws.cell(row, col["检查日期"]).value = day
        ws.cell(row, col["办结日期"]).value = day
        if filled in (3, 11):
            ws.cell(row, col["结果类别"]).value = "发现问题已责令改正"
            ws.cell(row, col["发现的问题"]).value = "未按月足额支付农民工工资，拖欠 1 个月"
            ws.cell(row, col["处理情况"]).value = "责令限期支付，已补发"
            ws.cell(row, col["办结日期"]).value = day + timedelta(days=2)
        else:
            ws.cell(row, col["结果类别"]).value = "未发现问题"
        filled += 1
    wb.save(template)
    return filled


# --- the year ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Year:
    if shutil.which("faketime") is None:
        pytest.skip("没有安装 faketime：演示时间戳服务的时钟需要它（.ci/run 会自动安装）")
    desk = tmp_path_factory.mktemp("year")  # the staff member's folder; the clone is inside it
    repo = desk / "baofeng-ssj"
    replay(ROOT, repo)
    return Year(repo, desk, ROOT / ".venv")


def test_a_year_runs_from_the_guide_first_time(year: Year):
    repo, desk = year.repo, year.desk
    snapshot_day = date(2025, 1, 6)

    # 1. The directory snapshot, from the export.
    export = desk / "参保单位名单.xlsx"
    export_workbook(repo / "plans/baofeng/targets/2024-07-01.csv", export)
    year.run("ssjpub import-targets ../参保单位名单.xlsx --agency baofeng --date 2025-01-06 --source 参保登记 --carry")
    year.pull_request("snapshot-2025-01-06", "baofeng：2025-01-06 检查对象名录快照", at(snapshot_day, 16))

    # 2. The plan with the task's declaration; `check` says whether it can be drawn.
    year.pull_request("plan-2025", "baofeng：2025 年度抽查工作计划（含随机数来源声明）", at(date(2025, 1, 8), 10),
                      {"plans/baofeng/2025/plan.yaml": PLAN})
    year.run("ssjpub check")

    # 3. CI: the trusted timestamp of the declaration, right after it lands.
    with DemoTSA() as tsa:
        tsa.clock = at(date(2025, 1, 8), 10, 20).replace(tzinfo=CHINA)
        done = run_at(tsa.clock, sys.executable, "-m", "ssjpub", "timestamp", "--pending", "--root", repo,
                      frozen=False, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    year.git("add", "-A")
    year.git("commit", "-q", "-m", f"{AGENCY}：任务 {TASK} 随机数来源声明的可信时间戳", when=at(date(2025, 1, 8), 10, 25))

    # 4. The numbers, the evening of the draw.
    year.pull_request("numbers-2025-01", "baofeng：任务 2025-01 的公开随机数", at(date(2025, 1, 12), 22),
                      {"plans/baofeng/2025/randomness/2025-01.yaml": NUMBERS})

    # 5. CI draws and proposes the record; a person merges it the next morning.
    year.run("ssjpub draw --pending")
    year.pull_request("ssjpub-draw", "baofeng：任务 2025-01 的抽取记录（ssjpub draw）", at(date(2025, 1, 13), 9))

    # 6. The results, through the template.
    template = desk / "2025-01-结果.xlsx"
    year.run(f"ssjpub results-template baofeng/2025/2025-01 -o ../{template.name}")
    assert fill_results(template) > 0
    year.run(f"ssjpub import-results ../{template.name}")
    year.pull_request("results-2025-01", "baofeng：任务 2025-01 的检查结果公示", at(date(2025, 2, 20), 10))

    # 7. Publication and the public's check.
    year.run("make html")
    assert (repo / "output/baofeng/2025/2025-01/index.html").is_file()
    year.run("ssjpub verify --history")

    assert RECORD or year.script == [], f"指南中还有测试没有运行的命令：{year.script}"
