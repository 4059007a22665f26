"""Find and load every data file of a repository into the model, collecting all problems.

Layout (the product's contract, DESIGN §3):
    plans/result-categories.yaml
    plans/lottery-games.yaml                       the lottery games a task may declare, with their rules
    plans/calendar/<year>.yaml                     holiday schedules chinesecalendar lacks
    plans/<agency>/agency.yaml | checklist.yaml | inspectors.yaml
    plans/<agency>/import.yaml                     optional: column names and statuses of its exports
    plans/<agency>/targets/<YYYY-MM-DD>.csv
    plans/<agency>/targets/<YYYY-MM-DD>/*.csv     or one snapshot split into parts (ssjpub-draw/3)
    plans/<agency>/<year>/plan.yaml
    plans/<agency>/<year>/randomness/<task>.yaml   public random values, committed after the fact
    plans/<agency>/<year>/draws/<task>.json        draw record (machines), <task>.yaml (staff)
    plans/<agency>/<year>/timestamps/<task>.tsr    RFC 3161 token (DER), <task>.yaml what it says
    plans/<agency>/tsa/*.pem                       the time-stamping authority's CA certificate
    results/<agency>/<year>/<task>.yaml
    content/…                                      Pelican's pages: only checked for links here

Every file type question goes through the reader's lstat-based look-ups (ssjpub.loader.tree):
a symbolic link is reported where it stands and never followed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Generic, Mapping, TypeVar

from ssjpub.digits import non_ascii_digits
from ssjpub.draw import halves
from ssjpub.loader.csvfile import Reuse, parse_snapshot
from ssjpub.loader.documents import read_document
from ssjpub.loader import tree
from ssjpub.loader.personal import certificate_paths, yaml_hits
from ssjpub.loader.records import passed_on, shape_problems
from ssjpub.loader.snapshotparts import join_parts, read_parts
from ssjpub.loader.parsecache import ParseCache
from ssjpub.loader.textfile import BOM, TextFile, decode_data_file, read_bytes, read_data_file
from ssjpub.loader.yamlfile import Scalar, YamlDoc, parse_yaml
from ssjpub.model import (
    Agency,
    CalendarYear,
    Checklist,
    ImportMapping,
    InspectorDirectory,
    LotteryGames,
    Model,
    Plan,
    RandomnessValues,
    ResultCategories,
    Snapshot,
    TaskResults,
    TimestampRecord,
)
from ssjpub.problems import Pos, Problem

M = TypeVar("M", bound=Model)

_YEAR = re.compile(r"^[0-9]{4}$")  # ASCII: \d would take full-width digits
_DAY_CSV = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.csv$")
_DAY = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})$")  # a snapshot split into a folder of parts
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_IGNORED = {"README.md", ".gitkeep"}


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated document and the positions of everything in it."""

    model: M
    doc: YamlDoc
    # Records left out of the model for a value it refused, as written: a list's path → {index
    # in the file: the item} (see ssjpub.loader.documents). The file's problems say why.
    dropped: Mapping[tuple, Mapping[int, Any]] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.doc.file

    def refused(self, records: str, key: str) -> set[str]:
        """The ``key`` of each of ``records`` left out, as written: still there in the file, so
        that a reference to one is not reported as dangling."""
        return {item[key] for item in self.dropped.get((records,), {}).values()
                if isinstance(item, dict) and isinstance(item.get(key), str)}

    def in_file(self, records: str, index: int) -> int:
        """Where record ``index`` of the model's ``records`` stands in the file."""
        for left_out in sorted(self.dropped.get((records,), {})):
            if left_out <= index:
                index += 1
        return index


@dataclass
class AgencyData:
    code: str
    agency: Loaded[Agency] | None = None
    checklist: Loaded[Checklist] | None = None
    inspectors: Loaded[InspectorDirectory] | None = None
    mapping: Loaded[ImportMapping] | None = None
    snapshots: dict[date, Snapshot] = field(default_factory=dict)
    plans: dict[int, Loaded[Plan]] = field(default_factory=dict)
    results: dict[tuple[int, str], Loaded[TaskResults]] = field(default_factory=dict)
    randomness: dict[tuple[int, str], Loaded[RandomnessValues]] = field(default_factory=dict)
    draws: dict[tuple[int, str], "DrawFile"] = field(default_factory=dict)
    failures: dict[tuple[int, str], "DrawFile"] = field(default_factory=dict)  # draws that failed, published
    timestamps: dict[tuple[int, str], "TimestampFile"] = field(default_factory=dict)


class DrawFile:
    """A committed draw record: its JSON form, and where the staff-facing YAML copy lives.

    A record whose bytes a cached `verify` read before (ssjpub.loader.parsecache) is not parsed
    when loaded: its `passed_on` part is taken from the cache only when something asks for it (a
    draw re-executed after it whose state before is not cached), the randomness file it names from
    the agency's record index (RecordIndex), and `data` is read from the file when something asks
    for it (a draw re-executed after it, a changed key)."""

    __slots__ = ("file", "yaml_file", "_data", "_passed_on", "_path", "_cached", "_values")

    def __init__(self, file: str, data: dict | None, yaml_file: str | None,
                 passed_on: dict | None = None, path: Path | None = None,
                 cached: Callable[[], Any] | None = None, values_file: str | None = None) -> None:
        self.file, self.yaml_file = file, yaml_file
        self._data, self._passed_on, self._path = data, passed_on, path
        self._cached, self._values = cached, values_file

    @property
    def data(self) -> dict:
        if self._data is None:  # plain JSON when it was read: its digest was in the cache
            self._data = _plain_json(self._path) or {}
        return self._data

    @property
    def passed_on(self) -> dict:
        """What the record passes on to later draws and the roster check (records.passed_on)."""
        if self._passed_on is None:
            found = self._cached() if self._cached is not None else None
            # A torn or missing entry: the same bytes (their digest was indexed) read again.
            self._passed_on = found if isinstance(found, dict) else passed_on(self.data)
        return self._passed_on

    @property
    def values_file(self) -> str:
        """The randomness file the record names ("" when it names none)."""
        if self._values is None:
            self._values = values_file(self.passed_on)
        return self._values

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DrawFile):
            return NotImplemented
        return (self.file, self.yaml_file, self.data) == (other.file, other.yaml_file, other.data)

    __hash__ = None  # mutable cache inside, compared by content

    def __repr__(self) -> str:
        return f"DrawFile({self.file!r}, yaml_file={self.yaml_file!r})"


def values_file(record: dict) -> str:
    """The randomness file a record (or its passed_on part) names; "" for any other shape."""
    section = record.get("randomness")
    found = section.get("file") if isinstance(section, dict) else None
    return found if isinstance(found, str) else ""


@dataclass(frozen=True)
class TimestampFile:
    """A trusted timestamp beside a task: the token (binary, read by ssjpub.timestamp) and its
    staff-readable summary."""

    record: Loaded[TimestampRecord]
    token_file: str


@dataclass
class Repository:
    root: Path
    categories: Loaded[ResultCategories] | None = None
    games: Loaded[LotteryGames] | None = None
    agencies: dict[str, AgencyData] = field(default_factory=dict)
    calendar: dict[int, Loaded[CalendarYear]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # every data file read, repository-relative
    broken: set[str] = field(default_factory=set)  # files that exist but failed to load
    digests: dict[str, str] = field(default_factory=dict)  # SHA-256 of the bytes read, where the parse cache took one

    def is_broken(self, rel: str) -> bool:
        """True when a referenced file (or a folder above it) exists but could not be loaded:
        its dependants stay quiet."""
        parts = rel.split("/")
        return any("/".join(parts[:i]) in self.broken for i in range(len(parts), 0, -1))


class _Reader:
    def __init__(self, root: Path, deferred: bool = False, parsed: ParseCache | None = None) -> None:
        self.root = root
        self.deferred = deferred  # see load_repository
        self.parsed = parsed  # YAML documents already read, by their bytes
        self.digests: dict[str, str] = {}  # rel -> SHA-256 of what was read, with `parsed`
        self.indexes: dict[str, RecordIndex] = {}  # agency -> its records known to `parsed`
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.broken: set[str] = set()
        self.links: set[str] = set()

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def index(self, code: str) -> RecordIndex:
        if code not in self.indexes:
            self.indexes[code] = RecordIndex(self.parsed, code)
        return self.indexes[code]

    def link(self, path: Path) -> None:
        """A symbolic link in the tree: reported once, at its own path; what is behind it is broken."""
        rel = self.rel(path)
        if rel not in self.links:
            self.links.add(rel)
            self.broken.add(rel)
            self.problems.append(tree.symlink_problem(rel))

    def kind(self, path: Path) -> str | None:
        found = tree.kind(path)
        if found == "link":
            self.link(path)
        return found

    def is_file(self, path: Path) -> bool:
        return self.kind(path) == "file"

    def is_dir(self, path: Path) -> bool:
        return self.kind(path) == "dir"

    def visible(self, folder: Path) -> list[Path]:
        """The folder's entries, sorted, less hidden and ignored names; links are reported
        (hidden ones too) and left out."""
        out = []
        for name, found in tree.entries(folder):
            if found == "link":
                self.link(folder / name)
            elif not name.startswith(".") and name not in _IGNORED:
                out.append(folder / name)
        return out

    def _read(self, path: Path) -> tuple[str, TextFile | None, list[Problem]]:
        """Read a data file, recording it; a file that cannot be read is broken."""
        rel = self.rel(path)
        self.files.append(rel)
        tf, problems = read_data_file(path, rel)
        if tf is None:
            self.broken.add(rel)
        return rel, tf, problems

    def text(self, path: Path) -> tuple[str, TextFile | None]:
        rel, tf, problems = self._read(path)
        self.problems += problems
        return rel, tf

    def yaml(self, path: Path, model: type[M]) -> Loaded[M] | None:
        rel = self.rel(path)
        self.files.append(rel)
        raw, problems = read_bytes(path, rel)
        if raw is None:
            self.broken.add(rel)
            self.problems += problems
            return None
        # What these bytes gave before (the document and every problem) is what they give now.
        kind, digest = f"{model.__module__}.{model.__qualname__}", hashlib.sha256(raw).hexdigest() if self.parsed else ""
        found = None
        if self.parsed:
            self.digests[rel] = digest
            found = self.parsed.get(rel, kind, digest)
        if found is None:
            tf, read = decode_data_file(raw, rel)
            found = (None, read) if tf is None else load_yaml(tf, read, model)
            if self.parsed:
                self.parsed.put(rel, kind, digest, found)
        loaded, problems = found
        self.problems += problems
        if loaded is None:
            self.broken.add(rel)
        return loaded

    def _taken_on(self, path: Path, day: str) -> date | None:
        try:
            return date.fromisoformat(day)
        except ValueError:
            rel = self.rel(path)
            self.problems.append(Pos(rel).problem("impossible-date", f"文件名中的快照日期“{day}”不存在"))
            self.broken.add(rel)
            return None

    def snapshot(self, path: Path, agency: str, reuse: Reuse) -> Snapshot | None:
        taken_on = self._taken_on(path, path.name[:-4])
        if taken_on is None:
            return None
        rel, tf = self.text(path)
        snapshot, problems = parse_snapshot(tf, agency, taken_on, reuse) if tf else (None, [])
        self.problems += problems
        if snapshot is None:
            self.broken.add(rel)
        return snapshot

    def split_snapshot(self, folder: Path, agency: str, codes: set[str], more: bool) -> Snapshot | None:
        """A snapshot split into the folder's *.csv files (ssjpub-draw/3), read part by part
        (ssjpub.loader.snapshotparts.read_parts). `codes`: credit codes found valid in the
        agency's earlier snapshots; with `more` (a later one follows), this one's are added."""
        taken_on = self._taken_on(folder, folder.name)
        if taken_on is None:
            return None
        rel = self.rel(folder)
        found = self.visible(folder)
        parts = [path for path in found if path.suffix == ".csv" and self.is_file(path)]
        done = dict(zip(parts, read_parts([(path, self.rel(path)) for path in parts], agency, taken_on, codes)))
        read: list[tuple[TextFile, Snapshot]] = []
        whole = True
        for path in found:  # what each entry brings, in the folder's order
            if path not in done:
                self.unexpected(path, "拆分的名录快照目录中只能放 .csv 文件（每个文件是名录的一部分，例如一个县一个文件）")
                continue
            part_rel = self.rel(path)
            self.files.append(part_rel)
            tf, part, problems = done[path]
            self.problems += problems
            if part is None or tf is None:
                self.broken.add(part_rel)
                whole = False
            else:
                read.append((tf, part))
        if not any(p.suffix == ".csv" for p in found):
            self.problems.append(Pos(rel).problem(
                "snapshot-parts-empty", "拆分的名录快照目录中没有 .csv 文件：请放入各部分的名录，或删去这个目录"))
            whole = False
        if more:
            for _, part in read:
                codes.update(part.columns.credit_code)
        if not whole:
            self.broken.add(rel)
            if read:  # the parts that were read are still checked against each other: all in one run
                self.problems += join_parts(rel, agency, taken_on, read)[1]
            return None
        snapshot, problems = join_parts(rel, agency, taken_on, read)
        self.problems += problems
        if snapshot is None:
            self.broken.add(rel)
        return snapshot

    def draw_record(self, code: str, path: Path, mirror: str | None) -> DrawFile | None:
        """A draw record; deferred, one whose bytes the parse cache knows is left unparsed."""
        if self.deferred and self.parsed is not None:
            rel = self.rel(path)
            raw = _plain_bytes(path)
            digest = hashlib.sha256(raw).hexdigest() if raw is not None else ""
            index = self.index(code)
            if raw is not None:
                self.digests[rel] = digest
                named = index.known(rel, digest)
                if named is not None:
                    self.files.append(rel)
                    parsed = self.parsed
                    return DrawFile(rel, None, mirror, None, path,
                                    cached=lambda: parsed.get(rel, _RECORD, digest), values_file=named)
            data = _plain_dict(raw)
            if data is not None:
                self.files.append(rel)
                found = DrawFile(rel, data, mirror)
                if self.parsed.put(rel, _RECORD, digest, found.passed_on):
                    index.add(rel, digest, found.values_file)
                return found
        record = self.json(path)
        return None if record is None else DrawFile(self.rel(path), record, mirror)

    def json(self, path: Path, failure: bool = False) -> dict | None:
        """A draw record (or with `failure`, a failure record), shape-checked unless deferred."""
        if self.deferred:
            data = _plain_dict(_plain_bytes(path))
            if data is not None:
                self.files.append(self.rel(path))
                return data
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
        except RecursionError:  # nested past Python's stack: the YAML parser (JSON is YAML) says where
            deep = [p for p in parse_yaml(tf.text, rel)[1] if p.code == "too-deep"]
            self.problems += deep or [Pos(rel).problem("too-deep", "嵌套层数过多：抽取记录由 ssjpub draw 生成，请重新生成")]
            self.broken.add(rel)
            return None
        if not isinstance(data, dict):
            self.problems.append(Pos(rel).problem("json-syntax", "抽取记录应为 JSON 对象"))
            self.broken.add(rel)
            return None
        shape = [] if self.deferred else shape_problems(rel, tf.text, data, self.root, failure)
        if shape:
            self.problems += shape
            self.broken.add(rel)
            return None
        return data

    def odd_digits(self, path: Path, pattern: re.Pattern[str], what: str) -> bool:
        """Report a file or folder name that only its full-width digits keep from ``pattern``."""
        message = non_ascii_digits(path.name, pattern)
        if message:
            self.problems.append(Pos(self.rel(path)).problem("non-ascii-digit", f"{what}{message}"))
        return message is not None

    def unexpected(self, path: Path, expected: str) -> None:
        self.problems.append(
            Pos(self.rel(path)).problem("unexpected-file", f"无法识别的文件，{expected}")
        )

    def require(self, path: Path, what: str) -> bool:
        found = self.kind(path)
        if found == "file":
            return True
        if found == "link":
            return False
        self.problems.append(Pos(self.rel(path)).problem("missing-file", f"缺少{what}文件"))
        return False


_RECORD = "draw-record"  # what a draw record's bytes are kept as in the parse cache: its passed_on part
_INDEX = "draw-record-index"  # an agency's RecordIndex in the parse cache


class RecordIndex:
    """An agency's draw records whose passed_on part the parse cache holds, in one entry (one read
    for all of them rather than one per record): by path, the SHA-256 of the bytes and the
    randomness file they name. Saved with only this run's records when anything differs."""

    def __init__(self, parsed: ParseCache, code: str) -> None:
        self.parsed, self.rel = parsed, f"plans/{code}/"
        found = parsed.get(self.rel, _INDEX, "")
        self.before: dict = found if isinstance(found, dict) else {}
        self.now: dict[str, tuple[str, str]] = {}

    def known(self, rel: str, digest: str) -> str | None:
        """The randomness file the record names, when these bytes are indexed; else None."""
        entry = self.before.get(rel)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == digest and isinstance(entry[1], str):
            self.now[rel] = entry
            return entry[1]
        return None

    def add(self, rel: str, digest: str, values: str) -> None:
        self.now[rel] = (digest, values)

    def save(self) -> None:
        if self.now != self.before:
            self.parsed.put(self.rel, _INDEX, "", self.now)


def _plain_json(path: Path | None) -> dict | None:
    """A record that is a JSON object in plain UTF-8 as `ssjpub draw` writes it, read without the
    text checks (personal data, line endings: the file's own checks, which load_inputs and
    `validate` make); None for anything else, which the full reading then reports."""
    return _plain_dict(_plain_bytes(path)) if path is not None else None


def _plain_bytes(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _plain_dict(raw: bytes | None) -> dict | None:
    try:
        data = json.loads(raw.decode("utf-8")) if raw is not None and not raw.startswith(BOM) and b"\r" not in raw else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def load_yaml(tf: TextFile, read: list[Problem], model: type[M]) -> tuple[Loaded[M] | None, list[Problem]]:
    """A YAML document read as ``tf`` (``read``: the problems of reading it) and its problems;
    None when it cannot be read as ``model``."""
    scalars: list[Scalar] = []
    doc, problems = parse_yaml(tf.text, tf.rel, scalars)
    # The raw scan's hits give way to the merge with the parsed values' (ssjpub.loader.personal).
    personal = yaml_hits(list(tf.personal), scalars, certificate_paths(model))
    found = [p for p in read if p.code != "personal-data"] + [h.problem(tf.rel) for h in personal] + problems
    if problems:
        return None, found
    reading = read_document(doc, model)
    loaded = None if reading.model is None else Loaded(reading.model, reading.doc, reading.dropped)
    return loaded, found + reading.problems


def _load_agency(r: _Reader, folder: Path) -> AgencyData:
    data = AgencyData(folder.name)
    known = {"agency.yaml", "checklist.yaml", "inspectors.yaml", "import.yaml", "targets", "tsa"}
    if r.require(folder / "agency.yaml", "机关信息（agency.yaml）"):
        data.agency = r.yaml(folder / "agency.yaml", Agency)
    if r.require(folder / "checklist.yaml", "随机抽查事项清单（checklist.yaml）"):
        data.checklist = r.yaml(folder / "checklist.yaml", Checklist)
    if r.require(folder / "inspectors.yaml", "执法检查人员名录（inspectors.yaml）"):
        data.inspectors = r.yaml(folder / "inspectors.yaml", InspectorDirectory)
    data.mapping = _optional(r, folder / "import.yaml", ImportMapping)
    targets = folder / "targets"
    if r.is_dir(targets) and not r.deferred:
        reuse = Reuse()  # snapshots in date order: each mostly repeats the one before
        targets_rel = r.rel(targets)
        found = r.visible(targets)
        days = [_DAY_CSV.match(p.name) or (_DAY.match(p.name) if tree.kind(p) == "dir" else None) for p in found]
        last = max((m.group(1) for m in days if m), default=None)
        named = [m.group(1) for m in days if m]
        twice = {d for d in named if named.count(d) > 1}
        for path, m in zip(found, days):
            if _DAY_CSV.match(path.name) and r.is_file(path):
                reuse.more = m.group(1) != last
                snap = r.snapshot(path, data.code, reuse)
            elif _DAY.match(path.name) and r.is_dir(path):
                snap = r.split_snapshot(path, data.code, reuse.valid_codes, m.group(1) != last)
            else:
                if not r.odd_digits(path, _DAY_CSV, "快照文件名"):
                    r.unexpected(path, "检查对象名录快照应命名为“YYYY-MM-DD.csv”，拆分成多个文件时放在目录“YYYY-MM-DD/”中")
                continue
            day = m.group(1)
            if day in twice:  # both day/ and day.csv: neither is used
                r.broken.add(r.rel(path))
                if path.is_dir():
                    r.problems.append(Pos(f"{targets_rel}/{day}.csv").problem(
                        "snapshot-twice", f"{day} 的名录快照既有单个文件 {day}.csv，又有拆分的目录 {day}/：只能保留一种"))
                continue
            if snap is not None:
                data.snapshots[snap.taken_on] = snap
    tsa = folder / "tsa"
    if r.is_dir(tsa):  # read by ssjpub.timestamp when agency.yaml names it
        for path in r.visible(tsa):
            if not (path.suffix == ".pem" and r.is_file(path)):
                r.unexpected(path, "tsa/ 中只能放时间戳服务的 CA 证书（PEM 格式，扩展名 .pem）")
    for path in r.visible(folder):
        if path.name in known:
            continue
        if r.is_dir(path) and _YEAR.match(path.name):
            _load_year(r, data, path)
        elif not (path.is_dir() and r.odd_digits(path, _YEAR, "年度目录名")):
            r.unexpected(
                path, "机关目录中只能有 agency.yaml、checklist.yaml、inspectors.yaml、import.yaml、targets/、tsa/ 和年度目录"
            )
    return data


def _optional(r: _Reader, path: Path, model: type[M]) -> Loaded[M] | None:
    found = r.kind(path)
    if found == "file":
        return r.yaml(path, model)
    if found == "dir":
        r.unexpected(path, f"{path.name} 应为文件")
    return None


def load_mapping(root: Path, agency: str) -> tuple[Loaded[ImportMapping] | None, list[Problem]]:
    """plans/<agency>/import.yaml alone (None when there is none), with its problems."""
    r = _Reader(root.resolve())
    loaded = _optional(r, r.root / "plans" / agency / "import.yaml", ImportMapping)
    return loaded, r.problems


def _load_year(r: _Reader, data: AgencyData, folder: Path) -> None:
    year = int(folder.name)
    if r.require(folder / "plan.yaml", "年度抽查工作计划（plan.yaml）"):
        plan = r.yaml(folder / "plan.yaml", Plan)
        if plan is not None:
            data.plans[year] = plan
    for inner in r.visible(folder):
        if inner.name == "plan.yaml":
            continue
        if inner.name == "randomness" and r.is_dir(inner):
            for path in r.visible(inner):
                if path.suffix == ".yaml" and _SLUG.match(path.stem):
                    if r.deferred:
                        continue
                    loaded = r.yaml(path, RandomnessValues)
                    if loaded is not None:
                        data.randomness[(year, path.stem)] = loaded
                else:
                    r.unexpected(path, "公开随机数文件应命名为“<任务编号>.yaml”")
        elif inner.name == "failures" and r.is_dir(inner):
            for path in r.visible(inner):
                if path.suffix == ".json" and _SLUG.match(path.stem):
                    record = r.json(path, failure=True)
                    if record is not None:
                        data.failures[(year, path.stem)] = DrawFile(r.rel(path), record, None)
                else:
                    r.unexpected(path, "失败记录应为“<任务编号>.json”，由 ssjpub draw 生成")
        elif inner.name == "draws" and r.is_dir(inner):
            r.problems += halves.problems(r.root, inner, data.code, year)  # what a crashed draw left
            for path in r.visible(inner):
                if path.suffix == ".json" and _SLUG.match(path.stem):
                    mirror = path.with_suffix(".yaml")
                    record = r.draw_record(data.code, path, r.rel(mirror) if r.is_file(mirror) else None)
                    if record is not None:
                        data.draws[(year, path.stem)] = record
                elif not (path.suffix == ".yaml" and _SLUG.match(path.stem)):  # a lone copy: reported above
                    r.unexpected(path, "抽取记录应为“<任务编号>.json”及同名的 .yaml")
        elif inner.name == "timestamps" and r.is_dir(inner):
            _load_timestamps(r, data, year, inner)
        else:
            r.unexpected(inner, "年度目录中只能有 plan.yaml、randomness/、draws/、failures/ 和 timestamps/")


def _load_timestamps(r: _Reader, data: AgencyData, year: int, folder: Path) -> None:
    """<task>.tsr with its <task>.yaml, always in pairs."""
    for path in r.visible(folder):
        pair = path.with_suffix(".tsr" if path.suffix == ".yaml" else ".yaml")
        if path.suffix not in (".yaml", ".tsr") or not _SLUG.match(path.stem):
            r.unexpected(path, "可信时间戳应为“<任务编号>.tsr”及同名的 .yaml，由 ssjpub timestamp 生成")
        elif not r.is_file(pair):
            r.problems.append(Pos(r.rel(path)).problem(
                "missing-file", f"缺少同名的 {pair.name}：可信时间戳的令牌（.tsr）和说明（.yaml）须一起提交"))
        elif path.suffix == ".yaml":
            loaded = r.yaml(path, TimestampRecord)
            if loaded is not None:
                data.timestamps[(year, path.stem)] = TimestampFile(loaded, r.rel(pair))


def _load_results(r: _Reader, repo: Repository, folder: Path, agencies: frozenset[str] | None) -> None:
    for agency_dir in r.visible(folder):
        if agencies is not None and agency_dir.name not in agencies:
            continue
        if not r.is_dir(agency_dir) or agency_dir.name not in repo.agencies:
            r.unexpected(agency_dir, "results/ 下应为已有机关的目录（与 plans/ 下的机关代号相同）")
            continue
        data = repo.agencies[agency_dir.name]
        for year_dir in r.visible(agency_dir):
            if not (r.is_dir(year_dir) and _YEAR.match(year_dir.name)):
                r.unexpected(year_dir, "机关结果目录下应为年度目录（如 2024）")
                continue
            for path in r.visible(year_dir):
                if path.suffix != ".yaml" or not _SLUG.match(path.stem):
                    r.unexpected(path, "结果文件应命名为“<任务编号>.yaml”")
                    continue
                loaded = r.yaml(path, TaskResults)
                if loaded is not None:
                    data.results[(int(year_dir.name), path.stem)] = loaded


def load_repository(root: Path, results: bool = True, agencies: frozenset[str] | None = None,
                    deferred: bool = False, parsed: ParseCache | None = None) -> tuple[Repository, list[Problem]]:
    """Everything under plans/ and, unless ``results`` is False, results/ and the links check of
    content/ (no draw reads them: `verify` leaves them to `validate`). With ``agencies``, only
    those agencies' folders of plans/ and results/ (and the shared files): one CI job per agency.

    ``deferred`` (verify with its cache) leaves the snapshots (targets/) and the randomness files
    unread and the draw records' shape unchecked: `load_inputs` reads those of the draws that are
    re-executed; `validate`, run beside it, reads the rest. With ``parsed``, a YAML file whose
    bytes are in that cache is taken from it (ssjpub.loader.parsecache)."""
    root = root.resolve()
    r = _Reader(root, deferred, parsed)
    repo = Repository(root)
    plans = root / "plans"
    found = r.kind(plans)
    if found == "link":
        return repo, r.problems
    if found != "dir":
        r.problems.append(Pos("plans").problem("missing-file", "缺少 plans/ 目录：这里不是 ssjpub 数据仓库"))
        return repo, r.problems
    if r.require(plans / "result-categories.yaml", "结果类别（result-categories.yaml）"):
        repo.categories = r.yaml(plans / "result-categories.yaml", ResultCategories)
    games = r.kind(plans / "lottery-games.yaml")  # optional until a task declares a game
    if games == "file":
        repo.games = r.yaml(plans / "lottery-games.yaml", LotteryGames)
    elif games == "dir":
        r.unexpected(plans / "lottery-games.yaml", "lottery-games.yaml 应为彩票游戏表文件")
    for path in r.visible(plans):
        if path.name in ("result-categories.yaml", "lottery-games.yaml"):
            continue
        if path.name == "calendar" and r.is_dir(path):
            for inner in r.visible(path):
                if _YEAR.match(inner.stem) and inner.suffix == ".yaml":
                    loaded = r.yaml(inner, CalendarYear)
                    if loaded is not None:
                        repo.calendar[int(inner.stem)] = loaded
                else:
                    r.unexpected(inner, "节假日安排文件应命名为“<年度>.yaml”，如 2027.yaml")
            continue
        if agencies is not None and path.name not in agencies and _SLUG.match(path.name):
            continue  # another job's agency (a stray file of that name too: the full run reports it)
        if r.is_dir(path) and _SLUG.match(path.name):
            repo.agencies[path.name] = _load_agency(r, path)
        else:
            r.unexpected(path, "plans/ 下应为机关目录（小写字母、数字、连字符）、calendar/、result-categories.yaml 或 lottery-games.yaml")
    if results and r.is_dir(root / "results"):
        _load_results(r, repo, root / "results", agencies)
    if results:
        for link in tree.links_under(root / "content"):  # Pelican would follow them
            r.link(link)
    for index in r.indexes.values():
        index.save()
    repo.files = sorted(r.files)
    repo.broken = r.broken
    repo.digests = r.digests
    return repo, r.problems


def load_inputs(repo: Repository, records: list[tuple[str, int, str, str]],
                parsed: ParseCache | None = None) -> list[Problem]:
    """In a repository loaded ``deferred``: what re-executing ``records`` ((agency, year, task,
    "draw" | "failure")) reads that was left unread: each one's shape check, the snapshot its task
    names and its randomness file, checked as a full load checks them. Their problems."""
    r = _Reader(repo.root, parsed=parsed)
    for code, year, task, kind in sorted(records):
        data = repo.agencies[code]
        record = (data.draws if kind == "draw" else data.failures)[(year, task)]
        rel, tf = r.text(repo.root / record.file)
        if tf is not None:
            r.problems += shape_problems(rel, tf.text, record.data, repo.root, kind == "failure")
        plan = data.plans.get(year)
        found = next((t for t in plan.model.tasks if t.id == task), None) if plan is not None else None
        folder = repo.root / "plans" / code
        if found is not None and found.snapshot is not None and found.snapshot not in data.snapshots:
            path = folder / "targets" / f"{found.snapshot.isoformat()}.csv"
            split = path.with_suffix("")  # a snapshot split into parts (ssjpub-draw/3)
            reuse = Reuse()
            reuse.more = False  # one snapshot: keep none of its rows for a next one
            snap = None
            if r.is_file(path) and not r.is_dir(split):  # both: validate reports snapshot-twice
                snap = r.snapshot(path, code, reuse)
            elif r.is_dir(split) and not r.is_file(path):
                snap = r.split_snapshot(split, code, reuse.valid_codes, False)
            if snap is not None:
                data.snapshots[snap.taken_on] = snap
        path = folder / str(year) / "randomness" / f"{task}.yaml"
        if (year, task) not in data.randomness and r.is_file(path):
            loaded = r.yaml(path, RandomnessValues)
            if loaded is not None:
                data.randomness[(year, task)] = loaded
    repo.files = sorted({*repo.files, *r.files})
    repo.broken |= r.broken
    return r.problems
