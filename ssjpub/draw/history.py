"""What git history must show for every draw (DESIGN §4, §7), judged by the commit graph.

1. Inputs before randomness: every commit that adds a task's public values (the mainline commit
   that lands them, and any side-branch commit that made them) has a parent whose tree already
   holds the snapshot bytes, the task as drawn with its declared source, and the roster facts. A
   descendant is made after its ancestors, so this order holds whatever the commit dates say.
2. Append-only: once landed on the mainline, a draw record, its YAML copy, its public values, its
   snapshot and its task are never modified, renamed or deleted by a later mainline commit; public
   values once landed never change or disappear either (a redraw needs a failure record and a new
   declaration, not an edit).
3. Records land in the order they were drawn (each counts the earlier ones).

Commit dates prove nothing (whoever commits sets them); they are only read to refute: a
declaration whose own commit date is on or after the draw date is reported all the same, and so
are public values whose commit date is before the draw time (the numbers did not exist yet).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterator, Mapping, Protocol

from ssjpub.draw.engine import made_at, roster_section, task_parameters
from ssjpub.draw.gitgraph import Change, Git, GitError, Graph, read_graph
from ssjpub.loader.documents import validate_document
from ssjpub.loader.repository import Repository
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.lottery import draw_moment
from ssjpub.model import Checklist, InspectorDirectory, Plan
from ssjpub.problems import Pos, Problem

__all__ = ["GitError", "History", "RecordHistory", "check_history", "read_history"]

Key = tuple[str, int, str]  # agency, year, task


@dataclass
class RecordHistory:
    """What the history shows for one task's draw: each claim True (proven), False (refuted)."""

    order: bool = False  # the inputs stood in a parent of every commit that added the values
    unchanged: bool = False  # the record and its inputs never changed after landing
    values_commit: str | None = None
    values_date: datetime | None = None  # the commit's own date: shown, never trusted
    published_commit: str | None = None
    vanished: list[Problem] = field(default_factory=list)  # a record that landed and was deleted
    timestamp: bool | None = None  # None: no token; True: its commit holds the declaration, before the values
    problems: list[Problem] = field(default_factory=list)


@dataclass
class History:
    """The history checks' findings; `checked` False (with the reason) when there is no history to read."""

    checked: bool
    reason: str = ""
    records: dict[Key, RecordHistory] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

_RECORD = re.compile(r"^plans/[^/]+/\d{4}/(draws/[^/]+\.(json|yaml)|failures/[^/]+\.json)$")


def first_expected_on(declared: object) -> str | None:
    """The earliest declared date of a record's parameters.randomness: one source object (/1) or
    a list of them (/2). Dates are YYYY-MM-DD, so text order is date order."""
    sources = declared if isinstance(declared, list) else [declared]
    days = [s["expected_on"] for s in sources if isinstance(s, dict) and isinstance(s.get("expected_on"), str)]
    return min(days) if days else None


_VALUES = re.compile(r"^plans/[^/]+/\d{4}/randomness/[^/]+\.yaml$")


def _model(text: bytes | None, rel: str, model):
    """A file as it was at some commit, validated; None when absent or invalid then."""
    if text is None:
        return None
    return _parsed(text, rel, model)


@lru_cache(maxsize=512)
def _parsed(text: bytes, rel: str, model):
    """The same bytes validate the same way: every record asks for the roster and checklist as
    they stood before its values, mostly the same few versions (parsing them was half of `verify`)."""
    doc, problems = parse_yaml(text.decode("utf-8-sig", "replace"), rel)
    if problems:
        return None
    loaded, _ = validate_document(doc, model)
    return loaded


def _how(change: Change) -> str:
    return "删除或改名" if change.blob is None else "修改"


def _task_parameters(plan: Plan | None, task: str, algorithm: str) -> dict | None:
    found = next((t for t in plan.tasks if t.id == task), None) if plan else None
    return task_parameters(plan, found, algorithm) if found else None


def _facts(section: dict | None) -> dict | None:
    if not isinstance(section, dict) or not isinstance(section.get("pool"), list):
        return None
    pool = [{k: v for k, v in p.items() if k != "excluded"} for p in section["pool"] if isinstance(p, dict)]
    return {"file": section.get("file"), "requirements": section.get("requirements"), "pool": pool}


def _is_split(rec: dict) -> bool:
    population = rec.get("population")
    return isinstance(population, dict) and isinstance(population.get("parts"), list) and isinstance(population.get("file"), str)


def population_files(rec: dict) -> list[tuple[str, str]]:
    """(file, sha256) of every file the record's population is read from: the one snapshot, or
    each part of a split one (ssjpub-draw/3); the record's shape was checked when it was read."""
    population = rec.get("population") if isinstance(rec.get("population"), dict) else {}
    if _is_split(rec):
        return [(p["file"], p["sha256"]) for p in population["parts"]]
    return [(population["file"], population.get("sha256"))] if isinstance(population.get("file"), str) else []


def _csv_names(tree: bytes | None) -> set[str]:
    """The *.csv names in a raw git tree object (entries of `mode name NUL id`)."""
    names, pos = set(), 0
    while tree and pos < len(tree):
        nul = tree.index(b"\0", pos)
        name = tree[tree.index(b" ", pos) + 1:nul].decode("utf-8", "replace")
        pos = nul + 21  # a 20-byte SHA-1 object id follows
        if name.endswith(".csv"):
            names.add(name)
    return names


class _History:
    """The graph and the file versions that every record's checks read, fetched in bulk."""

    def __init__(self, repo: Repository, git: Git, prefix: str, roster_only: bool = False) -> None:
        self.repo, self.git, self.prefix = repo, git, prefix
        self.draws = [(code, key, d) for code, data in sorted(repo.agencies.items())
                      for key, d in sorted(data.draws.items())]
        # Failure records rest on the same inputs, committed in the same order, as draw records.
        self.failures = [(code, key, d) for code, data in sorted(repo.agencies.items())
                         for key, d in sorted(data.failures.items())]
        self.graph: Graph = read_graph(git, [self.in_git("plans")], f"{prefix}/" if prefix else "")
        specs: set[str] = set()
        for code, (year, _task), d in self.draws + self.failures:
            plan_rel = f"plans/{code}/{year}/plan.yaml"
            if not roster_only:
                specs |= {c.blob for c in self.graph.landed.get(plan_rel, []) if c.blob}
            inputs: tuple[str, ...] = ()
            if not roster_only:
                pop = [rel for rel, _ in population_files(d.data)]
                if _is_split(d.data):
                    pop.append(d.data["population"]["file"])  # its tree: the parts it held, no more
                inputs = (*pop, plan_rel)
            for parent in self.revealed_in(d.values_file):
                for rel in (*inputs, f"plans/{code}/inspectors.yaml", f"plans/{code}/checklist.yaml"):
                    if rel:
                        specs.add(self.spec(parent, rel))
        self.blobs = git.blobs(sorted(specs))
        self.plans: dict[str, Plan | None] = {}

    def in_git(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def spec(self, rev: str, rel: str) -> str:
        return f"{rev}:{self.in_git(rel)}"

    def revealed_in(self, values_rel: str) -> list[str]:
        """The parents of the commits that added the public values: the mainline commit that
        landed them first, then every side-branch commit that made them (as `<sha>^1` revisions)."""
        first = self.graph.first_landing(values_rel)
        commits = ([first.commit] if first else []) + self.graph.added_aside.get(values_rel, [])
        return [f"{c}^1" for c in commits]

    def parameters(self, blob: str | None, rel: str, task: str, rec: dict) -> dict | None:
        """The task's parameters in a version of the plan (by blob id, or `rev:path` spec), as
        the algorithm of the record `rec` spells them."""
        if blob is None:
            return None
        if blob not in self.plans:
            self.plans[blob] = _model(self.blobs.get(blob), rel, Plan)
        return _task_parameters(self.plans[blob], task, str(rec.get("algorithm")))

    def order(self) -> Iterator[tuple[Key, Problem]]:
        """Records land in the order they count each other in (plan order, year by year): a
        record drawn after a later task's would be counted wrongly on re-execution."""
        g = self.graph
        for _code, data in sorted(self.repo.agencies.items()):
            made = []
            for key in sorted(data.draws, key=lambda k: made_at(data, *k)):
                landed = g.first_landing(data.draws[key].file)
                if landed:
                    made.append((key, landed.commit))
            for i, (key, first) in enumerate(made):
                early = next(((k, c) for k, c in made[i + 1:] if g.position[c] < g.position[first]), None)
                if early:
                    yield (data.code, *key), Pos(data.draws[key].file).problem(
                        "history-order", f"抽取 {key[0]}/{key[1]} 由提交 {g.short(first)} 发布，而排在它之后的 "
                        f"{early[0][0]}/{early[0][1]} 已由更早的提交 {g.short(early[1])} 发布：抽取须按年度计划中的任务顺序进行")

    def inputs_before_values(self, code: str, year: int, task: str, rec: dict) -> Iterator[Problem]:
        """Each commit that added the values has a parent holding the same snapshot bytes and the
        task as drawn (neither may be tuned once the seed is known)."""
        label, values_rel = f"{year}/{task}", rec["randomness"]["file"]
        plan_rel = f"plans/{code}/{year}/plan.yaml"
        for parent in self.revealed_in(values_rel):
            added = parent[:-2]
            where = f"添加公开随机数的提交 {self.graph.short(added)} 的上一个提交中"
            found = []
            for pop_rel, sha in population_files(rec) or [(None, None)]:
                before = self.blobs.get(self.spec(parent, pop_rel)) if pop_rel else None
                if before is None or hashlib.sha256(before).hexdigest() != sha:
                    found.append(Pos(values_rel).problem(
                        "history-order", f"{where}还没有抽取 {label} 所用的名录快照 {pop_rel}：快照须在随机数之前提交"))
            if _is_split(rec):  # and no other part that could have been taken out once the values were known
                folder = rec["population"]["file"]
                held = _csv_names(self.blobs.get(self.spec(parent, folder)))
                extra = sorted(held - {rel.rsplit("/", 1)[-1] for rel, _ in population_files(rec)})
                if extra:
                    found.append(Pos(values_rel).problem(
                        "history-order", f"{where}，拆分的名录快照 {folder}/ 中还有抽取记录没有列出的文件 "
                        f"{'、'.join(extra)}：随机数产生后删去的部分可能改变了抽取结果"))
            spec = self.spec(parent, plan_rel)
            if self.parameters(spec, plan_rel, task, rec) != rec.get("parameters"):
                found.append(Pos(values_rel).problem(
                    "history-order", f"{where}，年度计划中还没有与抽取记录一致的任务 {task} 及其随机数来源声明"))
            if found:  # the first commit that fails is enough to name
                yield from found
                return

    def roster_key(self, code: str, d, verified: str) -> str:
        """The roster check's cache key: see check_rosters."""
        h = hashlib.sha256(f"ssjpub-roster-check/1\n{verified}\n".encode())
        for parent in self.revealed_in(d.values_file):
            for rel in (f"plans/{code}/inspectors.yaml", f"plans/{code}/checklist.yaml"):
                blob = self.blobs.get(self.spec(parent, rel))
                h.update(b"absent\n" if blob is None else hashlib.sha256(blob).hexdigest().encode() + b"\n")
        return h.hexdigest()

    def roster_before_values(self, code: str, year: int, task: str, d) -> Iterator[Problem]:
        """The record's `inspectors` section is the roster and the checklist's requirements as
        they stood in the parent of each commit that added the values: a name, a qualification or a
        conflict of interest written into the record afterwards is caught here (re-execution alone
        uses the record's own copy, and would agree with it)."""
        rec = d.passed_on  # all it reads of the record: a cached verify leaves the rest unparsed
        plan = self.repo.agencies[code].plans.get(year)
        task_model = next((t for t in plan.model.tasks if t.id == task), None) if plan else None
        if task_model is None:
            return
        roster_rel, checklist_rel = f"plans/{code}/inspectors.yaml", f"plans/{code}/checklist.yaml"
        for parent in self.revealed_in(rec["randomness"]["file"]):
            roster = _model(self.blobs.get(self.spec(parent, roster_rel)), roster_rel, InspectorDirectory)
            checklist = _model(self.blobs.get(self.spec(parent, checklist_rel)), checklist_rel, Checklist)
            if roster_section(roster, checklist, task_model, roster_rel) != _facts(rec.get("inspectors")):
                yield Pos(d.file).problem(
                    "roster-changed", f"抽取记录中的执法检查人员信息，与添加公开随机数的提交 {self.graph.short(parent[:-2])} "
                    f"的上一个提交中的执法人员名录（{roster_rel}）或事项清单的人员要求不一致：检查人员的名单、资格和回避情况"
                    "须在随机数产生之前确定，记录中也不得改写")
                return

    def declared(self, code: str, year: int, task: str, rec: dict) -> Change | None:
        """The mainline commit from which the task stood as drawn until its values landed."""
        g, plan_rel = self.graph, f"plans/{code}/{year}/plan.yaml"
        revealed = g.first_landing(rec["randomness"]["file"])
        if revealed is None:
            return None
        declared: Change | None = None
        for c in g.landed.get(plan_rel, []):
            if g.position[c.commit] >= g.position[revealed.commit]:
                break
            same = self.parameters(c.blob, plan_rel, task, rec) == rec.get("parameters")
            declared = (declared or c) if same else None
        return declared

    def retry_after_failure(self, code: str, year: int, task: str, rec: dict) -> Iterator[Problem]:
        """A retry's declaration landed after the failure record of the attempt it follows: the
        new source was named once the failure was public, so no redraw is quiet."""
        failed = (rec.get("parameters") or {}).get("retry_of")
        if not failed:
            return
        g, fail_rel = self.graph, f"plans/{code}/{year}/failures/{failed}.json"
        failure = g.first_landing(fail_rel)
        declared = self.declared(code, year, task, rec)
        if failure is None:
            yield Pos(rec["randomness"]["file"]).problem(
                "history-order", f"任务 {task} 是 {failed} 的重新抽取，但 {failed} 的失败记录 {fail_rel} 没有提交")
        elif declared is not None and g.position[declared.commit] <= g.position[failure.commit]:
            yield Pos(f"plans/{code}/{year}/plan.yaml").problem(
                "history-order", f"重新抽取的任务 {task} 声明于提交 {g.short(declared.commit)}，不在 {failed} 的失败记录"
                f"（{g.short(failure.commit)}）发布之后：重新抽取须在失败公示之后重新声明公开随机数来源")

    def failure_unchanged(self, code: str, year: int, task: str, d) -> Iterator[Problem]:
        """A failure record, its values, its snapshot and its task never change once the record
        landed; and, like a draw, it rests on inputs committed before its values (a failure made
        by editing the task after the numbers were out is no failure: it is a chosen redraw)."""
        g = self.graph
        published = g.first_landing(d.file)
        if published is None:
            yield Pos(d.file).problem("history-order", "失败记录尚未提交：公开随机数已经产生，失败也须公示")
            return
        if g.first_landing(d.data["randomness"]["file"]) is not None:
            yield from self.inputs_before_values(code, year, task, d.data)
            yield from self.roster_before_values(code, year, task, d)
            yield from self.declaration_date(code, year, task, d.data)
        plan_rel = f"plans/{code}/{year}/plan.yaml"
        for c in g.landed.get(plan_rel, []):
            if g.position[c.commit] > g.position[published.commit] and \
                    self.parameters(c.blob, plan_rel, task, d.data) != d.data.get("parameters"):
                yield Pos(plan_rel).problem(
                    "published-changed", f"失败记录 {d.file} 发布后，任务 {task} 的参数在 {g.short(c.commit)} 被修改或删除："
                    "失败的任务也不得修改，重新抽取须新增任务（retry_of）")
                break
        for rel in (d.file, d.data["randomness"]["file"], *(f for f, _ in population_files(d.data))):
            changed = g.changed_after(rel, published.commit)
            if changed:
                yield Pos(rel).problem(
                    "published-changed", f"失败记录 {d.file} 于 {g.short(published.commit)} 发布后，此文件在 "
                    f"{g.short(changed.commit)} 被{_how(changed)}：失败的抽取及其输入同样不得修改")

    def declaration_date(self, code: str, year: int, task: str, rec: dict) -> Iterator[Problem]:
        """The declaration's own commit date refutes the order when it is on or after the draw
        date (it can never prove it)."""
        g, plan_rel = self.graph, f"plans/{code}/{year}/plan.yaml"
        declared = self.declared(code, year, task, rec)
        expected = first_expected_on(rec.get("parameters", {}).get("randomness"))
        if declared is None or not expected:
            return
        when = g.dates[declared.commit].date()
        if when >= date.fromisoformat(expected):
            yield Pos(plan_rel).problem(
                "history-order", f"任务 {task} 的随机数来源声明所在的提交 {g.short(declared.commit)} 自己标注的日期是 "
                f"{when.isoformat()}，不早于开奖（摇号）日期 {expected}：声明必须在随机数产生之前")

    def values_after_draw(self) -> Iterator[tuple[Key, Problem]]:
        """Public values whose first mainline commit is dated before the draw they name (its draw
        time in Beijing time; a ceremony's day from its start): the numbers could not exist yet, so
        the date is false or they are not that draw's result. A date can only refute, never prove."""
        games = self.repo.games.model if self.repo.games else None
        for code, data in sorted(self.repo.agencies.items()):
            for (year, task), values in sorted(data.randomness.items()):
                plan = data.plans.get(year)
                found = next((t for t in plan.model.tasks if t.id == task), None) if plan else None
                landed = self.graph.first_landing(values.file)
                if found is None or not found.sources or landed is None \
                        or len(found.sources) != len(values.model.sources):
                    continue  # a count that differs is randomness-sources-count
                dated = self.graph.dates[landed.commit]
                for i, (source, entry) in enumerate(zip(found.sources, values.model.sources)):
                    when, what = draw_moment(games, source, entry.announced_on)
                    if dated < when:
                        yield (code, year, task), values.doc.pos(*values.model.entry_path(i), "announced_on").problem(
                            "values-before-draw", f"添加公开随机数的提交 {self.graph.short(landed.commit)} 自己标注的时间是 "
                            f"{dated:%Y-%m-%d %H:%M}（北京时间），早于{what} {when:%Y-%m-%d %H:%M}：那时这些号码还不存在——"
                            "要么提交日期是假的，要么这些号码不是所声明的那一次开奖（摇号）的结果。请核对开奖公告后重新提交")

    def append_only(self, code: str, year: int, task: str, d) -> Iterator[Problem]:
        """Nothing the record names changes after the record landed; the values not after they did."""
        g, label, rec = self.graph, f"{year}/{task}", d.data
        published = g.first_landing(d.file)
        values_rel = rec["randomness"]["file"]
        for rel in (d.file, d.yaml_file, values_rel, *(f for f, _ in population_files(rec))):
            if not rel:
                continue
            since = g.first_landing(rel) if rel == values_rel else published
            since = since or published
            changed = g.changed_after(rel, since.commit)
            if changed:
                yield Pos(rel).problem(
                    "published-changed", f"此文件于 {g.short(since.commit)} 发布（抽取 {label}）后，在 {g.short(changed.commit)} "
                    f"被{_how(changed)}：已发布的抽取及其输入不得修改，更正须另立记录")
        plan_rel = f"plans/{code}/{year}/plan.yaml"
        for c in g.landed.get(plan_rel, []):
            if g.position[c.commit] <= g.position[published.commit]:
                continue
            if self.parameters(c.blob, plan_rel, task, rec) != rec.get("parameters"):
                yield Pos(plan_rel).problem(
                    "published-changed", f"抽取 {label} 发布后，任务 {task} 的参数在 {g.short(c.commit)} 被修改或删除：已发布的抽取及其输入不得修改")
                return

    def vanished(self) -> Iterator[tuple[Key, Problem]]:
        return vanished(self.graph)


def vanished(g: Graph) -> Iterator[tuple[Key, Problem]]:
    """Records, failure records, their copies and public values that landed and are gone from HEAD."""
    for rel, changes in sorted(g.landed.items()):
        if not (_RECORD.match(rel) or _VALUES.match(rel)) or changes[-1].blob is not None:
            continue
        first = next((c for c in changes if c.blob is not None), None)
        gone = next((c for c in changes if c.blob is None and first and g.position[c.commit] > g.position[first.commit]), None)
        if first is None or gone is None:
            continue
        what = "公开随机数文件" if _VALUES.match(rel) else "失败记录" if "/failures/" in rel else "抽取记录"
        _plans, code, year, _folder, name = rel.split("/")
        yield (code, int(year), name.rsplit(".", 1)[0]), Pos(rel).problem(
            "published-changed", f"{what}于 {g.short(first.commit)} 发布后，在 {g.short(gone.commit)} 被删除或改名："
            "已发布的抽取和随机数不得删除，未能完成的抽取须留下失败记录")


def _mainline(repo: Repository) -> Graph | None:
    """The mainline's changes under plans/, or None without a full history to read."""
    git = Git(repo.root)
    try:
        if git.run("rev-parse", "--is-shallow-repository").strip() == b"true":
            return None
        top = Path(git.run("rev-parse", "--show-toplevel").decode().strip()).resolve()
        prefix = repo.root.resolve().relative_to(top).as_posix() if repo.root.resolve() != top else ""
        return read_graph(git, [f"{prefix}/plans" if prefix else "plans"], f"{prefix}/" if prefix else "")
    except (GitError, ValueError):
        return None


def check_vanished(repo: Repository) -> list[Problem]:
    """`ssjpub check`'s part of the history: published records and values that were deleted
    (one pass over the mainline; nothing when there is no full history to read)."""
    graph = _mainline(repo)
    return [p for _key, p in vanished(graph)] if graph else []


def published_before(repo: Repository, paths: list[str]) -> list[tuple[str, str]]:
    """(path, commit) of those paths that already landed on the mainline: `ssjpub draw` will not
    make again what was published, even once deleted."""
    graph = _mainline(repo)
    found = [(p, graph.first_landing(p)) for p in paths] if graph else []
    return [(p, c.commit) for p, c in found if c is not None]


def _open(repo: Repository, roster_only: bool = False) -> "_History | History":
    """The history to check, or a History that says why there is none."""
    git = Git(repo.root)
    try:
        if git.run("rev-parse", "--is-shallow-repository").strip() == b"true":
            return History(False, "浅克隆没有完整的提交历史", problems=[Pos(".git").problem(
                "shallow-clone", "这是浅克隆，无法核对提交历史：请先运行 git fetch --unshallow（CI 中设置 fetch-depth: 0 或 GIT_DEPTH: 0）")])
        top = Path(git.run("rev-parse", "--show-toplevel").decode().strip()).resolve()
        root = repo.root.resolve()
        return _History(repo, git, root.relative_to(top).as_posix() if root != top else "", roster_only)
    except (GitError, ValueError) as exc:
        return History(False, "没有可读的 git 提交历史", problems=[Pos(".git").problem("shallow-clone", f"无法读取 git 历史：{exc}")])


def read_history(repo: Repository) -> History:
    """Every history check in one pass over the graph, with its findings per task."""
    history = _open(repo)
    if isinstance(history, History):
        return history
    g, out = history.graph, History(True)
    for code, (year, task), d in history.draws:
        found = out.records.setdefault((code, year, task), RecordHistory())
        published, values = g.first_landing(d.file), g.first_landing(d.data["randomness"]["file"])
        if published is None:
            found.problems.append(Pos(d.file).problem("history-order", f"抽取记录 {year}/{task} 尚未提交"))
            continue
        found.published_commit = published.commit
        if values is None:
            found.problems.append(Pos(d.file).problem("history-order", f"抽取 {year}/{task} 引用的公开随机数文件没有提交记录"))
            continue
        found.values_commit, found.values_date = values.commit, g.dates[values.commit]
        order = [*history.inputs_before_values(code, year, task, d.data), *history.roster_before_values(code, year, task, d),
                 *history.declaration_date(code, year, task, d.data), *history.retry_after_failure(code, year, task, d.data)]
        changed = list(history.append_only(code, year, task, d))
        found.order, found.unchanged = not order, not changed
        found.problems += order + changed
    for code, data in sorted(repo.agencies.items()):
        for (year, task), d in sorted(data.failures.items()):
            out.records.setdefault((code, year, task), RecordHistory()).problems += history.failure_unchanged(code, year, task, d)
    for key, problem in [*history.order(), *history.values_after_draw()]:
        found = out.records.setdefault(key, RecordHistory())
        found.order = False
        found.problems.append(problem)
    for key, problem in history.vanished():
        out.records.setdefault(key, RecordHistory()).vanished.append(problem)
    # Trusted timestamps (the tokens themselves were checked by `validate`): their commits.
    from ssjpub.timestamp.check import timestamp_findings  # it reads the engine, as this module does

    for (code, year, task), found in out.records.items():
        if code in repo.agencies and (year, task) in repo.agencies[code].timestamps:
            found.timestamp = True
    revealed = {key: found.values_commit for key, found in out.records.items() if found.values_commit}
    for key, problem in timestamp_findings(repo, history.git, revealed):
        found = out.records.setdefault(key, RecordHistory())
        if problem.severity.value == "error":
            found.timestamp = False
        found.problems.append(problem)
    for found in out.records.values():
        out.problems += found.problems + found.vanished
    return out


def check_history(repo: Repository) -> list[Problem]:
    return read_history(repo).problems


def check_rosters(repo: Repository, keys: Mapping[tuple[str, int, str, str], str] | None = None,
                  cache: Verdicts | None = None) -> History:
    """Plain `verify`'s part of the history: every record's roster facts against the roster
    committed before its values. Without history, `checked` is False and `reason` says why.

    With `keys` (each record's verification key, ssjpub.draw.verifycache) and `cache`, a record
    found in agreement before with the same roster and checklist versions is not compared again:
    the key is its verification key (the record, its plan, ssjpub's code) and the SHA-256 of the
    roster and checklist in each commit the check reads them from."""
    history = _open(repo, roster_only=True)
    if isinstance(history, History):
        return History(False, history.reason)
    out = History(True)
    for code, (year, task), d in history.draws:
        verified = keys.get((code, year, task, "draw")) if keys is not None and cache is not None else None
        key = history.roster_key(code, d, verified) if verified else None
        if key is not None and cache.has(key):
            continue
        found = list(history.roster_before_values(code, year, task, d))
        out.problems += found
        if key is not None and not found:
            cache.put(key)
    return out


class Verdicts(Protocol):
    def has(self, key: str) -> bool: ...
    def put(self, key: str) -> bool: ...
