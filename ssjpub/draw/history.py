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


def _parameters(text: bytes | None, rel: str, task: str) -> dict | None:
    plan = _model(text, rel, Plan)
    found = next((t for t in plan.tasks if t.id == task), None) if plan else None
    return task_parameters(plan, found) if found else None


def _facts(section: dict | None) -> dict | None:
    if not isinstance(section, dict) or not isinstance(section.get("pool"), list):
        return None
    pool = [{k: v for k, v in p.items() if k != "excluded"} for p in section["pool"] if isinstance(p, dict)]
    return {"file": section.get("file"), "requirements": section.get("requirements"), "pool": pool}


def check_history(repo: Repository) -> list[Problem]:
    git = Git(repo.root)
    try:
        if git.run("rev-parse", "--is-shallow-repository").strip() == b"true":
            return [Pos(".git").problem(
                "shallow-clone", "这是浅克隆，无法核对提交历史：请先运行 git fetch --unshallow（CI 中设置 fetch-depth: 0 或 GIT_DEPTH: 0）")]
        top = Path(git.run("rev-parse", "--show-toplevel").decode().strip()).resolve()
    except GitError as exc:
        return [Pos(".git").problem("shallow-clone", f"无法读取 git 历史：{exc}")]
    prefix = repo.root.resolve().relative_to(top).as_posix() if repo.root.resolve() != top else ""

    def in_git(rel: str) -> str:
        return f"{prefix}/{rel}" if prefix else rel

    draws = [(code, key, d) for code, data in sorted(repo.agencies.items()) for key, d in sorted(data.draws.items())]
    paths: set[str] = set()
    for code, (year, task), d in draws:
        rec = d.data
        paths |= {d.file, rec.get("population", {}).get("file", ""), rec.get("randomness", {}).get("file", ""),
                  f"plans/{code}/{year}/plan.yaml"}
        if d.yaml_file:
            paths.add(d.yaml_file)
    paths.discard("")
    touches = git.touches(sorted(in_git(p) for p in paths))
    touched = {p: touches.get(in_git(p), []) for p in paths}

    problems: list[Problem] = []
    specs: list[str] = []
    plan_versions: list[tuple[int, str, str, list[Commit]]] = []
    for i, (code, (year, task), d) in enumerate(draws):
        plan_rel = f"plans/{code}/{year}/plan.yaml"
        plan_versions.append((i, plan_rel, task, touched.get(plan_rel, [])))
        specs += [f"{c.sha}:{in_git(plan_rel)}" for c in touched.get(plan_rel, [])]
        pop = d.data.get("population", {}).get("file")
        values = touched.get(d.data.get("randomness", {}).get("file"), [])
        if pop and values:
            specs.append(f"{values[0].sha}^:{in_git(pop)}")
            for rel in (f"plans/{code}/inspectors.yaml", f"plans/{code}/checklist.yaml"):
                specs.append(f"{values[0].sha}^:{in_git(rel)}")
    blobs = git.blobs(sorted(set(specs)))

    # Records committed in the order they count each other in (plan order, year by year): a
    # record drawn after a later task's would be counted wrongly on re-execution.
    for code, data in sorted(repo.agencies.items()):
        made = [(k, touched.get(data.draws[k].file, [])) for k in sorted(data.draws, key=lambda k: made_at(data, *k))]
        made = [(k, commits[0]) for k, commits in made if commits]
        for i, (key, first) in enumerate(made):
            early = next(((k, c) for k, c in made[i + 1:] if c.when < first.when), None)
            if early:
                problems.append(Pos(data.draws[key].file).problem(
                    "history-order", f"抽取 {key[0]}/{key[1]} 提交时（{first.sha[:10]}），排在它之后的 "
                    f"{early[0][0]}/{early[0][1]} 已经提交（{early[1].sha[:10]}）：抽取须按年度计划中的任务顺序进行"))

    for i, (code, (year, task), d) in enumerate(draws):
        rec = d.data
        label = f"{year}/{task}"
        record_commits = touched.get(d.file, [])
        if not record_commits:
            problems.append(Pos(d.file).problem("history-order", f"抽取记录 {label} 尚未提交"))
            continue
        published = record_commits[0]
        values_rel = rec.get("randomness", {}).get("file")
        values = touched.get(values_rel, [])
        pop_rel = rec.get("population", {}).get("file")
        if not values:
            problems.append(Pos(d.file).problem("history-order", f"抽取 {label} 引用的公开随机数文件没有提交记录"))
            continue
        revealed = values[0]
        # 1. Inputs before the values: the tree just before the values were added must already
        #    hold the same snapshot bytes and the same task parameters.
        before = blobs.get(f"{revealed.sha}^:{in_git(pop_rel)}") if pop_rel else None
        if before is None or hashlib.sha256(before).hexdigest() != rec.get("population", {}).get("sha256"):
            problems.append(Pos(values_rel).problem(
                "history-order", f"提交公开随机数（{revealed.sha[:10]}）之前，仓库中还没有抽取 {label} 所用的名录快照 {pop_rel}"))
        # The roster too: groups depend on it, so it may not be tuned once the seed is known.
        roster_rel, checklist_rel = f"plans/{code}/inspectors.yaml", f"plans/{code}/checklist.yaml"
        task_model = next((t for t in repo.agencies[code].plans[year].model.tasks if t.id == task), None) \
            if year in repo.agencies[code].plans else None
        if task_model is not None:
            roster = _model(blobs.get(f"{revealed.sha}^:{in_git(roster_rel)}"), roster_rel, InspectorDirectory)
            checklist = _model(blobs.get(f"{revealed.sha}^:{in_git(checklist_rel)}"), checklist_rel, Checklist)
            then = roster_section(roster, checklist, task_model, roster_rel)
            if then != _facts(rec.get("inspectors")):
                problems.append(Pos(values_rel).problem(
                    "history-order", f"提交公开随机数（{revealed.sha[:10]}）之前的执法人员名录或事项清单的人员要求，"
                    f"与抽取 {label} 记录所用的不一致：检查人员的名单和条件须在随机数产生之前确定"))
        _, plan_rel, _, plan_commits = plan_versions[i]
        declared: Commit | None = None
        for c in plan_commits:
            if c.when > revealed.when or c.sha == revealed.sha:
                break
            params = _parameters(blobs.get(f"{c.sha}:{in_git(plan_rel)}"), plan_rel, task)
            if params == rec.get("parameters"):
                declared = declared or c
            else:
                declared = None
        if declared is None:
            problems.append(Pos(values_rel).problem(
                "history-order", f"提交公开随机数（{revealed.sha[:10]}）之前，年度计划中还没有与抽取记录一致的任务 {task} 及其随机数来源声明"))
        else:
            expected_on = date.fromisoformat((rec.get("parameters", {}).get("randomness") or {}).get("expected_on", "1970-01-01"))
            if declared.when.date() >= expected_on:
                problems.append(Pos(plan_rel).problem(
                    "history-order", f"任务 {task} 的随机数来源声明于 {declared.when.date().isoformat()} 提交（{declared.sha[:10]}），"
                    f"不早于开奖（摇号）日期 {expected_on.isoformat()}：声明必须在随机数产生之前"))
        # 2. Append-only: nothing the record names changes after the record was committed.
        after = lambda commits: [c for c in commits if c.when >= published.when and c.sha != published.sha]  # noqa: E731
        for rel in (d.file, d.yaml_file, values_rel, pop_rel):
            if rel and after(touched.get(rel, [])):
                c = after(touched[rel])[0]
                problems.append(Pos(rel).problem(
                    "published-changed", f"抽取 {label} 于 {published.sha[:10]} 发布后，此文件在 {c.sha[:10]} 被修改：已发布的抽取及其输入不得修改，更正须另立记录"))
        for c in after(plan_commits):
            if _parameters(git.blobs([f"{c.sha}:{in_git(plan_rel)}"]).get(f"{c.sha}:{in_git(plan_rel)}"), plan_rel, task) != rec.get("parameters"):
                problems.append(Pos(plan_rel).problem(
                    "published-changed", f"抽取 {label} 发布后，任务 {task} 的参数在 {c.sha[:10]} 被修改：已发布的抽取及其输入不得修改"))
                break
    return problems
