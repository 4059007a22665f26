"""What git history must show for every draw (DESIGN §4):

1. the population snapshot and the task (with its declared public source) were committed before
   the public values were, and the declaration before the day the values came out;
2. after a draw record reached the branch, neither it nor any input it names changed again
   (published draws are append-only: a correction is a new record).

Git is asked in bulk: one `git log` pass over every path involved, one `git cat-file --batch`
for the file versions needed, never a process per file.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from ssjpub.draw.engine import made_at, roster_section, task_parameters
from ssjpub.loader.documents import validate_document
from ssjpub.loader.repository import Repository
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.model import Checklist, InspectorDirectory, Plan
from ssjpub.problems import Pos, Problem

CHINA = timezone(timedelta(hours=8))


class GitError(Exception):
    pass


@dataclass(frozen=True)
class Commit:
    sha: str
    when: datetime


class Git:
    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        try:
            out = subprocess.run(["git", "-C", str(self.root), *args], input=stdin,
                                 capture_output=True, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            raise GitError(detail.decode("utf-8", "replace").strip() or str(exc)) from None
        return out.stdout

    def blobs(self, specs: list[str]) -> dict[str, bytes | None]:
        """Contents of `rev:path` specs in one process; None where the path did not exist."""
        if not specs:
            return {}
        out = self.run("cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
        result: dict[str, bytes | None] = {}
        pos = 0
        for spec in specs:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode()
            pos = end + 1
            if header.endswith(" missing") or header.endswith(" ambiguous"):
                result[spec] = None
                continue
            size = int(header.split()[2])
            result[spec] = out[pos:pos + size]
            pos += size + 1
        return result

    def touches(self, paths: list[str]) -> dict[str, list[Commit]]:
        """For each path, the commits of the current branch that changed it, oldest first."""
        log = self.run("log", "--reverse", "--no-renames", "--format=%x00%H %ct", "--name-only",
                       "--", *paths).decode()
        found: dict[str, list[Commit]] = {p: [] for p in paths}
        for chunk in log.split("\0")[1:]:
            head, *names = chunk.strip("\n").split("\n")
            sha, stamp = head.split()
            commit = Commit(sha, datetime.fromtimestamp(int(stamp), CHINA))
            for name in names:
                if name in found:
                    found[name].append(commit)
        return found


def _model(text: bytes | None, rel: str, model):
    """A file as it was at some commit, validated; None when absent or invalid then."""
    if text is None:
        return None
    doc, problems = parse_yaml(text.decode("utf-8-sig", "replace"), rel)
    if problems:
        return None
    loaded, _ = validate_document(doc, model)
    return loaded


class _Plans:
    """Plans as they were at each commit, parsed once however many records ask."""

    def __init__(self, blobs: dict[str, bytes | None]) -> None:
        self.blobs = blobs
        self.parsed: dict[str, Plan | None] = {}

    def parameters(self, spec: str, rel: str, task: str) -> dict | None:
        if spec not in self.parsed:
            self.parsed[spec] = _model(self.blobs.get(spec), rel, Plan)
        plan = self.parsed[spec]
        found = next((t for t in plan.tasks if t.id == task), None) if plan else None
        return task_parameters(plan, found) if found else None


def _facts(section: dict | None) -> dict | None:
    if not isinstance(section, dict) or not isinstance(section.get("pool"), list):
        return None
    pool = [{k: v for k, v in p.items() if k != "excluded"} for p in section["pool"] if isinstance(p, dict)]
    return {"file": section.get("file"), "requirements": section.get("requirements"), "pool": pool}


class _History:
    """The commits and file versions that every record's checks read, fetched in bulk."""

    def __init__(self, repo: Repository, git: Git, prefix: str) -> None:
        self.repo, self.git, self.prefix = repo, git, prefix
        self.draws = [(code, key, d) for code, data in sorted(repo.agencies.items())
                      for key, d in sorted(data.draws.items())]
        paths: set[str] = set()
        for code, (year, _task), d in self.draws:
            rec = d.data
            paths |= {d.file, d.yaml_file or "", rec.get("population", {}).get("file", ""),
                      rec.get("randomness", {}).get("file", ""), f"plans/{code}/{year}/plan.yaml"}
        paths.discard("")
        touches = git.touches(sorted(self.in_git(p) for p in paths))
        self.touched = {p: touches.get(self.in_git(p), []) for p in paths}
        specs: set[str] = set()
        for code, (year, _task), d in self.draws:
            plan_rel = f"plans/{code}/{year}/plan.yaml"
            specs |= {self.spec(c.sha, plan_rel) for c in self.touched.get(plan_rel, [])}
            values = self.touched.get(d.data.get("randomness", {}).get("file"), [])
            pop = d.data.get("population", {}).get("file")
            if pop and values:
                for rel in (pop, f"plans/{code}/inspectors.yaml", f"plans/{code}/checklist.yaml"):
                    specs.add(self.spec(values[0].sha + "^", rel))
        self.blobs = git.blobs(sorted(specs))
        self.plans = _Plans(self.blobs)

    def in_git(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def spec(self, rev: str, rel: str) -> str:
        return f"{rev}:{self.in_git(rel)}"

    def order(self) -> Iterator[Problem]:
        """Records committed in the order they count each other in (plan order, year by year):
        a record drawn after a later task's would be counted wrongly on re-execution."""
        for _code, data in sorted(self.repo.agencies.items()):
            made = [(k, self.touched.get(data.draws[k].file, [])) for k in sorted(data.draws, key=lambda k: made_at(data, *k))]
            made = [(k, commits[0]) for k, commits in made if commits]
            for i, (key, first) in enumerate(made):
                early = next(((k, c) for k, c in made[i + 1:] if c.when < first.when), None)
                if early:
                    yield Pos(data.draws[key].file).problem(
                        "history-order", f"抽取 {key[0]}/{key[1]} 提交时（{first.sha[:10]}），排在它之后的 "
                        f"{early[0][0]}/{early[0][1]} 已经提交（{early[1].sha[:10]}）：抽取须按年度计划中的任务顺序进行")

    def inputs_before_values(self, code: str, year: int, task: str, rec: dict, revealed: Commit) -> Iterator[Problem]:
        """The tree just before the values were added already held the same snapshot bytes and
        the roster the groups were drawn from (it may not be tuned once the seed is known)."""
        label, values_rel, pop_rel = f"{year}/{task}", rec["randomness"]["file"], rec.get("population", {}).get("file")
        before = self.blobs.get(self.spec(revealed.sha + "^", pop_rel)) if pop_rel else None
        if before is None or hashlib.sha256(before).hexdigest() != rec.get("population", {}).get("sha256"):
            yield Pos(values_rel).problem(
                "history-order", f"提交公开随机数（{revealed.sha[:10]}）之前，仓库中还没有抽取 {label} 所用的名录快照 {pop_rel}")
        plan = self.repo.agencies[code].plans.get(year)
        task_model = next((t for t in plan.model.tasks if t.id == task), None) if plan else None
        if task_model is None:
            return
        roster_rel, checklist_rel = f"plans/{code}/inspectors.yaml", f"plans/{code}/checklist.yaml"
        roster = _model(self.blobs.get(self.spec(revealed.sha + "^", roster_rel)), roster_rel, InspectorDirectory)
        checklist = _model(self.blobs.get(self.spec(revealed.sha + "^", checklist_rel)), checklist_rel, Checklist)
        if roster_section(roster, checklist, task_model, roster_rel) != _facts(rec.get("inspectors")):
            yield Pos(values_rel).problem(
                "history-order", f"提交公开随机数（{revealed.sha[:10]}）之前的执法人员名录或事项清单的人员要求，"
                f"与抽取 {label} 记录所用的不一致：检查人员的名单和条件须在随机数产生之前确定")

    def declaration(self, code: str, year: int, task: str, rec: dict, revealed: Commit) -> Iterator[Problem]:
        """The task as drawn (with its randomness declaration) was committed before the values,
        and before the day the values came out."""
        plan_rel = f"plans/{code}/{year}/plan.yaml"
        declared: Commit | None = None
        for c in self.touched.get(plan_rel, []):
            if c.when > revealed.when or c.sha == revealed.sha:
                break
            same = self.plans.parameters(self.spec(c.sha, plan_rel), plan_rel, task) == rec.get("parameters")
            declared = (declared or c) if same else None
        if declared is None:
            yield Pos(rec["randomness"]["file"]).problem(
                "history-order", f"提交公开随机数（{revealed.sha[:10]}）之前，年度计划中还没有与抽取记录一致的任务 {task} 及其随机数来源声明")
            return
        expected_on = date.fromisoformat((rec.get("parameters", {}).get("randomness") or {}).get("expected_on", "1970-01-01"))
        if declared.when.date() >= expected_on:
            yield Pos(plan_rel).problem(
                "history-order", f"任务 {task} 的随机数来源声明于 {declared.when.date().isoformat()} 提交（{declared.sha[:10]}），"
                f"不早于开奖（摇号）日期 {expected_on.isoformat()}：声明必须在随机数产生之前")

    def append_only(self, code: str, year: int, task: str, d, published: Commit) -> Iterator[Problem]:
        """Nothing the record names changes after the record was committed."""
        label, rec = f"{year}/{task}", d.data

        def after(commits: list[Commit]) -> list[Commit]:
            return [c for c in commits if c.when >= published.when and c.sha != published.sha]

        for rel in (d.file, d.yaml_file, rec["randomness"]["file"], rec.get("population", {}).get("file")):
            changed = after(self.touched.get(rel, [])) if rel else []
            if changed:
                yield Pos(rel).problem(
                    "published-changed", f"抽取 {label} 于 {published.sha[:10]} 发布后，此文件在 {changed[0].sha[:10]} 被修改：已发布的抽取及其输入不得修改，更正须另立记录")
        plan_rel = f"plans/{code}/{year}/plan.yaml"
        for c in after(self.touched.get(plan_rel, [])):
            if self.plans.parameters(self.spec(c.sha, plan_rel), plan_rel, task) != rec.get("parameters"):
                yield Pos(plan_rel).problem(
                    "published-changed", f"抽取 {label} 发布后，任务 {task} 的参数在 {c.sha[:10]} 被修改：已发布的抽取及其输入不得修改")
                return


def check_history(repo: Repository) -> list[Problem]:
    git = Git(repo.root)
    try:
        if git.run("rev-parse", "--is-shallow-repository").strip() == b"true":
            return [Pos(".git").problem(
                "shallow-clone", "这是浅克隆，无法核对提交历史：请先运行 git fetch --unshallow（CI 中设置 fetch-depth: 0 或 GIT_DEPTH: 0）")]
        top = Path(git.run("rev-parse", "--show-toplevel").decode().strip()).resolve()
    except GitError as exc:
        return [Pos(".git").problem("shallow-clone", f"无法读取 git 历史：{exc}")]
    root = repo.root.resolve()
    history = _History(repo, git, root.relative_to(top).as_posix() if root != top else "")
    problems = list(history.order())
    for code, (year, task), d in history.draws:
        record_commits = history.touched.get(d.file, [])
        if not record_commits:
            problems.append(Pos(d.file).problem("history-order", f"抽取记录 {year}/{task} 尚未提交"))
            continue
        values = history.touched.get(d.data.get("randomness", {}).get("file"), [])
        if not values:
            problems.append(Pos(d.file).problem("history-order", f"抽取 {year}/{task} 引用的公开随机数文件没有提交记录"))
            continue
        problems += history.inputs_before_values(code, year, task, d.data, values[0])
        problems += history.declaration(code, year, task, d.data, values[0])
        problems += history.append_only(code, year, task, d, record_commits[0])
    return problems
