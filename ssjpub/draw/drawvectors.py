"""Generate tests/vectors/draws/<case>/: whole-draw vectors, one tiny repository per rule.

python -m ssjpub.draw.drawvectors tests/vectors/draws

Each case is a minimal complete repository (agency files, checklist, roster, snapshot, plans,
public randomness, earlier records) whose records were made by `ssjpub draw`, with a README
saying which rule it exercises. A case states the facts its records must show (`Fact`): the
generator tries public values in a fixed order until every fact of a draw holds, so a case sits
on its boundary whatever the engine version, and tests/test_draw_vectors.py asserts the same facts
on the committed records, so a vector never silently stops testing its rule.

The output is byte-identical on every run. To regenerate after an engine change, run the command
above: the inputs are written by the functions below (randomness declarations in `declare` and
`values`, the only place their form is spelled out).
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml
from click.testing import CliRunner

from ssjpub.cli.main import cli
from ssjpub.demo.fake import fictional_credit_code
from ssjpub.loader.yamlfile import plain_is_text
from ssjpub.beacon import drand
from ssjpub.lottery import draws_until, issue_for
from ssjpub.model import SNAPSHOT_COLUMNS, LotteryGames
from ssjpub.spreadsheet import write_csv

AGENCY = "shili"
DIVISION = "410999"
DEPARTMENT = "劳动保障监察股"
OTHER_DEPARTMENT = "社会保险股"
ITEM = "LD-01"
QUALIFICATION = "劳动保障监察"
OTHER_ITEM = "SB-01"  # 社会保险股's item: a case joins it to LD-01 to take the union of requirements
OTHER_QUALIFICATION = "社会保险稽核"
TRIES = 400  # public values tried per draw before the case is declared impossible

Records = dict[str, dict]  # "year/task" -> its draw record or failure record, as drawn so far


@dataclass(frozen=True)
class Fact:
    """What a case's record must show: `text` (Chinese, for the README) and its check."""

    text: str
    holds: Callable[[Records], bool]


@dataclass(frozen=True)
class Unit:
    """One snapshot row; `serial` makes its (fictional, valid) credit code."""

    serial: int
    area: str = "城关镇"
    industry: str = "制造业"
    grade: str = "B"
    complaints: int = 0
    serious: bool = False
    status: str = "在营"
    name: str | None = None

    @property
    def code(self) -> str:
        return fictional_credit_code(DIVISION, self.serial)

    def row(self) -> list[str]:
        name = self.name or f"示例县示例{self.serial:03d}号有限公司"
        return [self.code, name, self.area, self.industry, self.grade, str(self.complaints),
                "是" if self.serious else "否", self.status, "参保登记"]


def person(pid: str, name: str, **extra) -> dict:
    return {"id": pid, "name": name, "department": DEPARTMENT, "cert_expires": date(2030, 12, 31),
            "qualifications": [QUALIFICATION], **extra}


ROSTER = [person("SL01", "赵甲"), person("SL02", "钱乙"), person("SL03", "孙丙"), person("SL04", "李丁")]


@dataclass(frozen=True)
class Draw:
    """One `ssjpub draw` of a case, in drawing order. `params` holds the plan's task fields beyond
    the common ones; `roster` replaces inspectors.yaml before this draw (a later declaration of
    conflicts, say); `fails` says the draw writes a failure record instead of a record; `kind` is
    the declared source of public randomness, None for a task that is not drawn (投诉举报)."""

    year: int
    task: str
    params: dict
    facts: tuple[Fact, ...] = ()
    roster: list[dict] | None = None
    fails: bool = False
    kind: str | tuple[str, ...] | None = "公开摇号"  # a tuple: combined sources, in declared order


@dataclass(frozen=True)
class Case:
    name: str
    rule: str  # Chinese: the rule exercised
    english: str  # one English line
    look: str  # Chinese: the boundary, and what to look for in the record
    units: tuple[Unit, ...]
    draws: tuple[Draw, ...]
    roster: list[dict] = field(default_factory=lambda: ROSTER)
    # (path, text) -> the text as written: an input as a person might write it, not as the
    # generator's YAML and CSV writers do (applied to every input file, each time it is written)
    edit: Callable[[str, str], str] | None = None
    # The snapshot split into files (ssjpub-draw/3): part file name -> the serials of its units,
    # each part in the case's order; None for one file
    split: dict[str, tuple[int, ...]] | None = None


# ------------------------------------------------------------------------------ the inputs

def _str(dumper: yaml.SafeDumper, value: str):
    # Quoted wherever YAML 1.2 (what ssjpub reads) would not read the text back as text.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain_is_text(value) else "'")


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # ssjpub refuses anchors
        return True


_Dumper.add_representer(str, _str)


@dataclass(frozen=True)
class Writer:
    """Writes a case's input files under `root`, through the case's `edit`."""

    root: Path
    case: Case

    def text(self, rel: str, text: str) -> None:
        if self.case.edit is not None:
            text = self.case.edit(rel, text)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))

    def yaml(self, rel: str, body: dict) -> None:
        text = yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
        self.text(rel, "# 整体抽取算例（tests/vectors/draws），由 python -m ssjpub.draw.drawvectors 生成\n" + text)


SNAPSHOT = date(2023, 1, 3)


def draw_day(year: int, index: int) -> date:
    """The declared draw date of a year's index-th task: a Tuesday (双色球 is drawn Tue, Thu, Sun)."""
    day = date(year, 2, 1) + timedelta(weeks=index)
    return day + timedelta(days=(1 - day.weekday()) % 7)


# A real drand quicknet round (tests/fixtures/drand/rounds.json): its signature verifies against
# the pinned key, so a case can declare it. Round 9367912 was published 2024-07-14 05:45 Beijing
# time, a Sunday (双色球 is drawn that evening).
DRAND_ROUND = 9367912
DRAND_SIGNATURE = ("845091b99635a8a5f93a15cd8622fae0c7ee5307fb5b888dc67ee4fe997b5b32"
                   "6dbd637bd7ab39e3188fd507ea94b314")
GAMES_TABLE = Path(__file__).resolve().parents[2] / "plans" / "lottery-games.yaml"


def kinds_of(kind: str | tuple[str, ...]) -> tuple[str, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def day_of(kind: str | tuple[str, ...], year: int, index: int, one: str = "") -> date:
    """The sources' day: the drand round's (Beijing time) when one is declared, else draw_day; a
    ceremony combined with them the day before (ceremony-after-lottery)."""
    day = drand.round_date(DRAND_ROUND) if "drand" in kinds_of(kind) else draw_day(year, index)
    return day - timedelta(days=1) if one == "公开摇号" and isinstance(kind, tuple) else day


@functools.cache
def lottery_game(name: str):
    """A game of plans/lottery-games.yaml, read once (the differential test declares thousands)."""
    return LotteryGames.model_validate(yaml.safe_load(GAMES_TABLE.read_text(encoding="utf-8"))).get(name)


def _declare_one(kind: str, day: date) -> dict:
    if kind == "drand":
        return {"kind": kind, "round": DRAND_ROUND, "expected_on": drand.round_date(DRAND_ROUND)}
    if kind == "公开开奖":
        game = lottery_game("双色球")
        return {"kind": kind, "game": game.name, "source": "中国福利彩票双色球（算例：号码为虚构）",
                "issue": issue_for(game, day, draws_until(game, day)), "expected_on": day}
    return {"kind": kind, "source": "示例县人社局“双随机”公开摇号会（算例）", "expected_on": day,
            "place": "示例县人社局会议室", "witnesses": ["司法局派员（算例）"]}


def declare(kind: str | tuple[str, ...], year: int, index: int) -> dict | list[dict]:
    """One source as a mapping; several (a tuple of kinds) as the list of combined sources."""
    if isinstance(kind, tuple):
        return [_declare_one(k, day_of(kind, year, index, k)) for k in kind]
    return _declare_one(kind, day_of(kind, year, index))


def _values_one(kind: str, digest: bytes, day: date) -> dict:
    body: dict = {"announced_on": day}
    if kind == "drand":
        body.update(round=DRAND_ROUND, signature=DRAND_SIGNATURE,
                    evidence=f"https://api.drand.sh/{drand.QUICKNET.hash}/public/{DRAND_ROUND}")
        return body
    if kind == "公开开奖":  # a 双色球 result: six distinct reds of 1-33 in drawing order, one blue of 1-16
        reds: list[int] = []
        while len(reds) < 6:
            digest = hashlib.sha256(digest).digest()
            if digest[0] % 33 + 1 not in reds:
                reds.append(digest[0] % 33 + 1)
        body["numbers"] = [reds, [digest[1] % 16 + 1]]
    else:
        body["digits"] = str(int.from_bytes(digest[:12], "big")).zfill(29)[:24]
    body["evidence"] = "算例：数字为虚构，并非真实开奖或摇号结果"
    return body


def values(kind: str | tuple[str, ...], case: str, year: int, task: str, index: int, attempt: int) -> dict:
    """The attempt-th candidate public values of a task: fixed, so every run picks the same."""
    digest = hashlib.sha256(f"{case}/{year}/{task}/{attempt}".encode()).digest()
    head = {"agency": AGENCY, "year": year, "task": task}
    if isinstance(kind, tuple):
        return {**head, "sources": [_values_one(k, hashlib.sha256(digest + k.encode()).digest(),
                                                day_of(kind, year, index, k)) for k in kind]}
    return {**head, **_values_one(kind, digest, day_of(kind, year, index))}


def task_body(d: Draw, index: int) -> dict:
    extra = dict(d.params)
    body = {"id": d.task, "name": f"算例任务 {d.task}", "items": extra.pop("items", [ITEM]),
            "departments": extra.pop("departments", [DEPARTMENT])}
    if d.kind is not None:
        body["snapshot"] = SNAPSHOT
    body.update({k: extra.pop(k) for k in ("scope", "ratio", "count", "strata", "weights") if k in extra})
    body["window"] = extra.pop("window", {"start": date(d.year, 3, 1), "end": date(d.year, 5, 31)})
    body.update(extra)
    body["method"] = "现场检查"
    if d.kind is not None:
        body["randomness"] = declare(d.kind, d.year, index)
    return body


def write_inputs(w: Writer) -> None:
    """The agency's files and its snapshot; plans grow task by task (write_plan)."""
    w.text("plans/lottery-games.yaml", GAMES_TABLE.read_text(encoding="utf-8"))
    w.yaml("plans/result-categories.yaml", {"categories": [{"name": "未发现问题", "found_problem": False}]})
    a = f"plans/{AGENCY}"
    w.yaml(f"{a}/agency.yaml", {
        "code": AGENCY, "name": "示例县人力资源和社会保障局", "short_name": "示例县人社局", "division_code": DIVISION,
        "lead_department": DEPARTMENT, "plan_office": DEPARTMENT,
        "departments": [{"name": DEPARTMENT}, {"name": OTHER_DEPARTMENT}]})
    w.yaml(f"{a}/checklist.yaml", {"agency": AGENCY, "updated_on": SNAPSHOT, "items": [
        {"id": ITEM, "name": "用人单位遵守劳动合同制度情况", "department": DEPARTMENT, "target_kind": "用人单位",
         "ratio": "5%", "frequency": 1, "inspector_requirements": [QUALIFICATION]},
        {"id": OTHER_ITEM, "name": "用人单位参加社会保险情况", "department": OTHER_DEPARTMENT, "target_kind": "用人单位",
         "ratio": "5%", "frequency": 1, "inspector_requirements": [OTHER_QUALIFICATION]}]})
    write_roster(w, w.case.roster)
    rows = [u.row() for u in w.case.units]  # in the case's order: the draw never depends on it
    if w.case.split is None:
        w.text(f"{a}/targets/{SNAPSHOT.isoformat()}.csv", write_csv([SNAPSHOT_COLUMNS, *rows]))
        return
    by_serial = {u.serial: u for u in w.case.units}
    for name, serials in w.case.split.items():
        w.text(f"{a}/targets/{SNAPSHOT.isoformat()}/{name}",
               write_csv([SNAPSHOT_COLUMNS, *(by_serial[i].row() for i in serials)]))


def write_plan(w: Writer, upto: Draw) -> int:
    """The year's plan with its tasks up to `upto` (a task is declared before its draw, and a
    retry only once its failure record exists); returns the index of `upto` in it."""
    mine = [d for d in w.case.draws if d.year == upto.year]
    mine = mine[: mine.index(upto) + 1]
    w.yaml(f"plans/{AGENCY}/{upto.year}/plan.yaml", {
        "agency": AGENCY, "year": upto.year, "title": f"示例县人社局 {upto.year} 年度抽查工作计划（算例）",
        "lead_department": DEPARTMENT, "published_on": date(upto.year, 1, 10),
        "tasks": [task_body(d, i) for i, d in enumerate(mine)]})
    return len(mine) - 1


def write_roster(w: Writer, people: list[dict]) -> None:
    w.yaml(f"plans/{AGENCY}/inspectors.yaml", {"agency": AGENCY, "updated_on": SNAPSHOT, "inspectors": people})


# ------------------------------------------------------------------------------ drawing

def ssjpub(*args: str) -> tuple[int, str]:
    """Run the ssjpub command line in this process (the same code as the installed command)."""
    done = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return done.exit_code, done.output


def record_of(root: Path, year: int, task: str) -> tuple[str, dict] | None:
    for kind in ("draws", "failures"):
        path = root / "plans" / AGENCY / str(year) / kind / f"{task}.json"
        if path.exists():
            return kind, json.loads(path.read_text(encoding="utf-8"))
    return None


def make_case(root: Path, case: Case) -> Records:
    """Build the case in `root`, drawing each task with the first values that satisfy its facts."""
    w = Writer(root, case)
    write_inputs(w)
    records: Records = {}
    for d in case.draws:
        if d.roster is not None:
            write_roster(w, d.roster)
        i = write_plan(w, d)
        if d.kind is None:
            continue
        for attempt in range(TRIES):
            w.yaml(f"plans/{AGENCY}/{d.year}/randomness/{d.task}.yaml", values(d.kind, case.name, d.year, d.task, i, attempt))
            code, out = ssjpub("draw", f"{AGENCY}/{d.year}/{d.task}", "--root", str(root))
            made = record_of(root, d.year, d.task)
            if made is None or (made[0] == "failures") != d.fails:
                raise RuntimeError(f"{case.name}: ssjpub draw {d.year}/{d.task} gave {made and made[0]}:\n{out}")
            trial = {**records, f"{d.year}/{d.task}": made[1]}
            if all(f.holds(trial) for f in d.facts):
                records = trial
                break
            for kind in ("draws", "failures"):
                for suffix in (".json", ".yaml"):
                    (root / "plans" / AGENCY / str(d.year) / kind / f"{d.task}{suffix}").unlink(missing_ok=True)
        else:
            raise RuntimeError(f"{case.name}: no public values in {TRIES} tries give every fact of {d.year}/{d.task}")
    return records


def readme(case: Case) -> str:
    facts = "".join(f"- {f.text}\n" for d in case.draws for f in d.facts)
    draws = "、".join(f"{d.year}/{d.task}" + ("（失败记录）" if d.fails else "") for d in case.draws if d.kind)
    return (f"# {case.name}\n\n{case.rule}\n\n{case.english}\n\n## 边界与看点\n\n{case.look}\n\n"
            f"## 抽取（按先后）\n\n{draws}\n\n## 测试核对的事实\n\n{facts}\n"
            "由 `python -m ssjpub.draw.drawvectors tests/vectors/draws` 生成，请勿手工修改。\n")


def main(out: Path) -> None:
    from ssjpub.draw.drawcases import CASES  # the cases are built from this module's parts

    out.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            make_case(root, case)
            (root / "README.md").write_text(readme(case), encoding="utf-8")
            target = out / case.name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(root, target)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/vectors/draws"))
