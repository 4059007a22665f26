"""Find and load every data file of a repository into the model, collecting all problems.

Layout (the product's contract, DESIGN §3):
    plans/result-categories.yaml
    plans/calendar/<year>.yaml                     holiday schedules chinesecalendar lacks
    plans/<agency>/agency.yaml | checklist.yaml | inspectors.yaml
    plans/<agency>/targets/<YYYY-MM-DD>.csv
    plans/<agency>/<year>/plan.yaml
    plans/<agency>/<year>/randomness/<task>.yaml   public random values, committed after the fact
    plans/<agency>/<year>/draws/<task>.json        draw record (machines), <task>.yaml (staff)
    results/<agency>/<year>/<task>.yaml
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from ssjpub.draw import halves
from ssjpub.loader.csvfile import Reuse, parse_snapshot
from ssjpub.loader.documents import validate_document
from ssjpub.loader.records import shape_problems
from ssjpub.loader.textfile import TextFile, read_data_file
from ssjpub.loader.yamlfile import YamlDoc, parse_yaml
from ssjpub.model import (
    Agency,
    CalendarYear,
    Checklist,
    InspectorDirectory,
    Model,
    Plan,
    RandomnessValues,
    ResultCategories,
    Snapshot,
    TaskResults,
)
from ssjpub.problems import Pos, Problem

M = TypeVar("M", bound=Model)

_YEAR = re.compile(r"^\d{4}$")
_DAY_CSV = re.compile(r"^(\d{4}-\d{2}-\d{2})\.csv$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_IGNORED = {"README.md", ".gitkeep"}


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated document and the positions of everything in it."""

    model: M
    doc: YamlDoc

    @property
    def file(self) -> str:
        return self.doc.file


@dataclass
class AgencyData:
    code: str
    agency: Loaded[Agency] | None = None
    checklist: Loaded[Checklist] | None = None
    inspectors: Loaded[InspectorDirectory] | None = None
    snapshots: dict[date, Snapshot] = field(default_factory=dict)
    plans: dict[int, Loaded[Plan]] = field(default_factory=dict)
    results: dict[tuple[int, str], Loaded[TaskResults]] = field(default_factory=dict)
    randomness: dict[tuple[int, str], Loaded[RandomnessValues]] = field(default_factory=dict)
    draws: dict[tuple[int, str], "DrawFile"] = field(default_factory=dict)


@dataclass(frozen=True)
class DrawFile:
    """A committed draw record: its JSON form, and where the staff-facing YAML copy lives."""

    file: str
    data: dict
    yaml_file: str | None


@dataclass
class Repository:
    root: Path
    categories: Loaded[ResultCategories] | None = None
    agencies: dict[str, AgencyData] = field(default_factory=dict)
    calendar: dict[int, Loaded[CalendarYear]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # every data file read, repository-relative
    broken: set[str] = field(default_factory=set)  # files that exist but failed to load

    def is_broken(self, rel: str) -> bool:
        """True when a referenced file exists but could not be loaded: its dependants stay quiet."""
        return rel in self.broken


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.broken: set[str] = set()

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def text(self, path: Path) -> tuple[str, TextFile | None]:
        """Read a data file, recording it; a file that cannot be read is broken."""
        rel = self.rel(path)
        self.files.append(rel)
        tf, problems = read_data_file(path, rel)
        self.problems += problems
        if tf is None:
            self.broken.add(rel)
        return rel, tf

    def yaml(self, path: Path, model: type[M]) -> Loaded[M] | None:
        rel, tf = self.text(path)
        if tf is None:
            return None
        doc, problems = parse_yaml(tf.text, rel)
        self.problems += problems
        if problems:
            self.broken.add(rel)
            return None
        loaded, problems = validate_document(doc, model)
        self.problems += problems
        if loaded is None:
            self.broken.add(rel)
            return None
        return Loaded(loaded, doc)

    def snapshot(self, path: Path, agency: str, reuse: Reuse) -> Snapshot | None:
        rel, tf = self.text(path)
        try:
            taken_on = date.fromisoformat(path.name[:-4])
        except ValueError:
            self.problems.append(
                Pos(rel).problem("impossible-date", f"文件名中的快照日期“{path.name[:-4]}”不存在")
            )
            self.broken.add(rel)
            return None
        snapshot, problems = parse_snapshot(tf, agency, taken_on, reuse) if tf else (None, [])
        self.problems += problems
        if snapshot is None:
            self.broken.add(rel)
        return snapshot

    def json(self, path: Path) -> dict | None:
        rel, tf = self.text(path)
        if tf is None:
            return None
        try:
            data = json.loads(tf.text)
        except json.JSONDecodeError as exc:
            self.problems.append(
                Pos(rel, exc.lineno, exc.colno).problem("json-syntax", f"JSON 无法解析：{exc.msg}")
            )
            self.broken.add(rel)
            return None
        if not isinstance(data, dict):
            self.problems.append(Pos(rel).problem("json-syntax", "抽取记录应为 JSON 对象"))
            self.broken.add(rel)
            return None
        shape = shape_problems(rel, tf.text, data)
        if shape:
            self.problems += shape
            self.broken.add(rel)
            return None
        return data

    def unexpected(self, path: Path, expected: str) -> None:
        self.problems.append(
            Pos(self.rel(path)).problem("unexpected-file", f"无法识别的文件，{expected}")
        )

    def require(self, path: Path, what: str) -> bool:
        if path.is_file():
            return True
        self.problems.append(Pos(self.rel(path)).problem("missing-file", f"缺少{what}文件"))
        return False


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in _IGNORED)


def _load_agency(r: _Reader, folder: Path) -> AgencyData:
    data = AgencyData(folder.name)
    known = {"agency.yaml", "checklist.yaml", "inspectors.yaml", "targets"}
    if r.require(folder / "agency.yaml", "机关信息（agency.yaml）"):
        data.agency = r.yaml(folder / "agency.yaml", Agency)
    if r.require(folder / "checklist.yaml", "随机抽查事项清单（checklist.yaml）"):
        data.checklist = r.yaml(folder / "checklist.yaml", Checklist)
    if r.require(folder / "inspectors.yaml", "执法检查人员名录（inspectors.yaml）"):
        data.inspectors = r.yaml(folder / "inspectors.yaml", InspectorDirectory)
    targets = folder / "targets"
    if targets.is_dir():
        reuse = Reuse()  # snapshots in date order: each mostly repeats the one before
        for path in _visible(targets):
            if _DAY_CSV.match(path.name) and path.is_file():
                snap = r.snapshot(path, data.code, reuse)
                if snap is not None:
                    data.snapshots[snap.taken_on] = snap
            else:
                r.unexpected(path, "检查对象名录快照应命名为“YYYY-MM-DD.csv”")
    for path in _visible(folder):
        if path.name in known:
            continue
        if path.is_dir() and _YEAR.match(path.name):
            _load_year(r, data, path)
        else:
            r.unexpected(
                path, "机关目录中只能有 agency.yaml、checklist.yaml、inspectors.yaml、targets/ 和年度目录"
            )
    return data


def _load_year(r: _Reader, data: AgencyData, folder: Path) -> None:
    year = int(folder.name)
    if r.require(folder / "plan.yaml", "年度抽查工作计划（plan.yaml）"):
        plan = r.yaml(folder / "plan.yaml", Plan)
        if plan is not None:
            data.plans[year] = plan
    for inner in _visible(folder):
        if inner.name == "plan.yaml":
            continue
        if inner.name == "randomness" and inner.is_dir():
            for path in _visible(inner):
                if path.suffix == ".yaml" and _SLUG.match(path.stem):
                    loaded = r.yaml(path, RandomnessValues)
                    if loaded is not None:
                        data.randomness[(year, path.stem)] = loaded
                else:
                    r.unexpected(path, "公开随机数文件应命名为“<任务编号>.yaml”")
        elif inner.name == "draws" and inner.is_dir():
            r.problems += halves.problems(r.root, inner, data.code, year)  # what a crashed draw left
            for path in _visible(inner):
                if path.suffix == ".json" and _SLUG.match(path.stem):
                    record = r.json(path)
                    mirror = path.with_suffix(".yaml")
                    if record is not None:
                        data.draws[(year, path.stem)] = DrawFile(
                            r.rel(path), record, r.rel(mirror) if mirror.is_file() else None
                        )
                elif not (path.suffix == ".yaml" and _SLUG.match(path.stem)):  # a lone copy: reported above
                    r.unexpected(path, "抽取记录应为“<任务编号>.json”及同名的 .yaml")
        else:
            r.unexpected(inner, "年度目录中只能有 plan.yaml、randomness/ 和 draws/")


def _load_results(r: _Reader, repo: Repository, folder: Path) -> None:
    for agency_dir in _visible(folder):
        if not agency_dir.is_dir() or agency_dir.name not in repo.agencies:
            r.unexpected(agency_dir, "results/ 下应为已有机关的目录（与 plans/ 下的机关代号相同）")
            continue
        data = repo.agencies[agency_dir.name]
        for year_dir in _visible(agency_dir):
            if not (year_dir.is_dir() and _YEAR.match(year_dir.name)):
                r.unexpected(year_dir, "机关结果目录下应为年度目录（如 2024）")
                continue
            for path in _visible(year_dir):
                if path.suffix != ".yaml" or not _SLUG.match(path.stem):
                    r.unexpected(path, "结果文件应命名为“<任务编号>.yaml”")
                    continue
                loaded = r.yaml(path, TaskResults)
                if loaded is not None:
                    data.results[(int(year_dir.name), path.stem)] = loaded


def load_repository(root: Path, results: bool = True) -> tuple[Repository, list[Problem]]:
    """Everything under plans/ and, unless ``results`` is False, results/ (no draw reads the
    results: `verify` leaves them to `validate`)."""
    root = root.resolve()
    r = _Reader(root)
    repo = Repository(root)
    plans = root / "plans"
    if not plans.is_dir():
        r.problems.append(Pos("plans").problem("missing-file", "缺少 plans/ 目录：这里不是 ssjpub 数据仓库"))
        return repo, r.problems
    if r.require(plans / "result-categories.yaml", "结果类别（result-categories.yaml）"):
        repo.categories = r.yaml(plans / "result-categories.yaml", ResultCategories)
    for path in _visible(plans):
        if path.name == "result-categories.yaml":
            continue
        if path.name == "calendar" and path.is_dir():
            for inner in _visible(path):
                if _YEAR.match(inner.stem) and inner.suffix == ".yaml":
                    loaded = r.yaml(inner, CalendarYear)
                    if loaded is not None:
                        repo.calendar[int(inner.stem)] = loaded
                else:
                    r.unexpected(inner, "节假日安排文件应命名为“<年度>.yaml”，如 2027.yaml")
            continue
        if path.is_dir() and _SLUG.match(path.name):
            repo.agencies[path.name] = _load_agency(r, path)
        else:
            r.unexpected(path, "plans/ 下应为机关目录（小写字母、数字、连字符）、calendar/ 或 result-categories.yaml")
    if results and (root / "results").is_dir():
        _load_results(r, repo, root / "results")
    repo.files = sorted(r.files)
    repo.broken = r.broken
    return repo, r.problems
