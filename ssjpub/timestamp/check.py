"""The checks of trusted timestamps.

`file_problems` (run by `ssjpub validate`) needs only the files: the configured CA certificate
parses, each token is valid (signature, chain to that CA, ESSCertID, policy), its imprint is the
digest of the statement its .yaml names, and its genTime precedes the declared draw date.
`check_timestamps` (run by `verify --history`) adds what needs git: the timestamped commit exists,
holds the task as declared (and drawn), and is an ancestor of the commit that added the values.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from pathlib import Path
from typing import Iterator, Mapping

from cryptography import x509

from ssjpub.draw.encoding import ALGORITHM
from ssjpub.draw.history import population_files
from ssjpub.draw.engine import task_parameters
from ssjpub.draw.gitgraph import Git, GitError
from ssjpub.loader.documents import validate_document
from ssjpub.loader.repository import AgencyData, Repository, TimestampFile
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.model import Plan, Task
from ssjpub.problems import Pos, Problem, Severity
from ssjpub.timestamp.files import CHINA
from ssjpub.timestamp.statement import digest
from ssjpub.timestamp.token import check_token, load_certificates

TaskKey = tuple[str, int, str]  # agency, year, task


def authority_certificates(repo: Repository, data: AgencyData) -> tuple[list[x509.Certificate] | None, list[Problem]]:
    """The agency's configured TSA CA certificates, or None (with the problem) when unusable."""
    agency = data.agency
    if agency is None or agency.model.timestamp is None:
        return None, []
    rel = agency.model.timestamp.ca_certificate
    where = agency.doc.pos("timestamp", "ca_certificate")
    path = repo.root / rel
    if not path.is_file():
        return None, [where.problem("timestamp-config", f"时间戳服务的 CA 证书 {rel} 不存在：请把 TSA 提供的 CA 证书（PEM）提交到这里")]
    try:
        return load_certificates(path.read_bytes()), []
    except (ValueError, OSError):
        return None, [where.problem("timestamp-config", f"{rel} 不是 PEM 格式的证书：请提交 TSA 提供的 CA 证书（以 -----BEGIN CERTIFICATE----- 开头）")]


def declared_deadline(task: Task) -> datetime | None:
    """Midnight (Beijing time) starting the declared draw day: the token must be earlier. The plan
    declares a day, not an hour, so the same day counts as too late (as in the history check)."""
    first = task.earliest_source()
    if first is None:
        return None
    return datetime.combine(first[1].expected_on, time(0), CHINA)


def _task(data: AgencyData, year: int, task_id: str) -> tuple[Plan | None, Task | None]:
    plan = data.plans.get(year)
    if plan is None:
        return None, None
    return plan.model, next((t for t in plan.model.tasks if t.id == task_id), None)


def _left_out(repo: Repository, data: AgencyData, year: int, task_id: str) -> bool:
    """The plan did not load, or left the task out for a value it refused."""
    plan = data.plans.get(year)
    if plan is None:
        return repo.is_broken(f"plans/{data.code}/{year}/plan.yaml")
    return task_id in plan.refused("tasks", "id")


def validate_token(
    repo: Repository, data: AgencyData, key: tuple[int, str], stamp: TimestampFile, cas: list[x509.Certificate],
) -> tuple[datetime | None, list[Problem]]:
    """The token's genTime (None when it is not valid) and every problem with it and its .yaml."""
    rec, doc = stamp.record.model, stamp.record.doc
    year, task_id = key
    problems: list[Problem] = []
    if (rec.agency, rec.year, rec.task) != (data.code, year, task_id):
        problems.append(doc.pos("task").problem(
            "invalid-value", f"说明中的任务 {rec.agency}/{rec.year}/{rec.task} 与文件所在位置 {data.code}/{year}/{task_id} 不一致"))
        return None, problems
    expected = digest(data.code, year, task_id, rec.commit)
    if rec.digest != expected.hex():
        problems.append(doc.pos("digest").problem(
            "invalid-value", f"摘要应为 {expected.hex()}（按 docs/timestamps.md 第 1 节由任务和提交计算）"))
    try:
        token = (repo.root / stamp.token_file).read_bytes()
    except OSError as exc:
        return None, problems + [Pos(stamp.token_file).problem("file-read", f"文件无法读取：{exc.strerror}")]
    config = data.agency.model.timestamp
    gen_time, reasons = check_token(token, cas, expected, config.policy)
    problems += [Pos(stamp.token_file).problem("timestamp-invalid", f"可信时间戳无效：{why}") for why in reasons]
    if reasons:
        return None, problems
    if gen_time != rec.gen_time:
        problems.append(doc.pos("gen_time").problem(
            "invalid-value", f"时间应为令牌中的 {gen_time.astimezone(CHINA).isoformat()}"))
    return gen_time, problems


def file_problems(repo: Repository) -> Iterator[Problem]:
    for _code, data in sorted(repo.agencies.items()):
        cas, problems = authority_certificates(repo, data)
        yield from problems
        for key, stamp in sorted(data.timestamps.items()):
            if data.agency is None or data.agency.model.timestamp is None:
                yield stamp.record.doc.pos("tsa").problem(
                    "timestamp-config", "agency.yaml 中没有配置时间戳服务（timestamp:），无法核对这个可信时间戳")
                continue
            if cas is None:
                continue  # the configuration's own problem is reported
            plan, task = _task(data, *key)
            if task is None and _left_out(repo, data, *key):
                continue  # the plan's own problem is reported
            if plan is None or task is None:
                yield stamp.record.doc.pos("task").problem(
                    "dangling-reference", f"{key[0]} 年度计划中没有任务 {key[1]}")
                continue
            gen_time, problems = validate_token(repo, data, key, stamp, cas)
            yield from problems
            deadline = declared_deadline(task)
            if gen_time is not None and deadline is not None and gen_time >= deadline:
                index = plan.tasks.index(task)
                path, first = task.earliest_source()
                yield data.plans[key[0]].doc.pos("tasks", index, *path, "expected_on").problem(
                    "timestamp-late", f"任务 {task.id} 的可信时间戳时间 {gen_time.astimezone(CHINA).isoformat()} 不早于"
                    f"开奖（摇号）日期 {first.expected_on.isoformat()}：时间戳只能证明声明在此之前已经存在，"
                    "须在开奖日之前取得")


def git_prefix(git: Git, root: Path) -> str:
    """Where the data repository sits inside the git work tree ("" or "sub/dir/"); GitError without git."""
    top = Path(git.run("rev-parse", "--show-toplevel").decode().strip()).resolve()
    return "" if root.resolve() == top else root.resolve().relative_to(top).as_posix() + "/"


def plan_at(git: Git, spec: str, rel: str) -> Plan | None:
    """The annual plan as a `rev:path` spec holds it; None when absent or invalid there."""
    text = git.blobs([spec]).get(spec)
    if text is None:
        return None
    doc, problems = parse_yaml(text.decode("utf-8-sig", "replace"), rel)
    return None if problems else validate_document(doc, Plan)[0]


def _first_commit(git: Git, rel: str) -> str | None:
    out = git.run("log", "--reverse", "--format=%H", "--", rel).decode().split()
    return out[0] if out else None


def check_timestamps(repo: Repository, git: Git | None = None, revealed: Mapping[TaskKey, str] | None = None) -> list[Problem]:
    """What git must show of each timestamped commit; and, where the agency has a TSA, a warning
    for each drawn task whose order rests on git history alone. ``revealed`` maps a task to the
    commit that added its public values (default: the first commit of the values file)."""
    return [p for _key, p in timestamp_findings(repo, git, revealed)]


def timestamp_findings(repo: Repository, git: Git | None = None,
                       revealed: Mapping[TaskKey, str] | None = None) -> list[tuple[TaskKey, Problem]]:
    """check_timestamps' problems, each with the task it is about."""
    git = git or Git(repo.root)
    try:
        prefix = git_prefix(git, repo.root)
    except GitError:
        return []  # check_history reports the missing or shallow history

    def in_git(rel: str) -> str:
        return prefix + rel

    problems: list[tuple[TaskKey, Problem]] = []
    for code, data in sorted(repo.agencies.items()):
        configured = data.agency is not None and data.agency.model.timestamp is not None
        for (year, task_id), draw in sorted(data.draws.items()):
            if configured and (year, task_id) not in data.timestamps:
                problems.append(((code, year, task_id), Pos(draw.file).problem(
                    "timestamp-missing", f"任务 {year}/{task_id} 没有可信时间戳：随机数来源声明是否早于开奖，只能以 git 提交历史判断"
                    f"（运行 ssjpub timestamp {code}/{year}/{task_id}，或由 CI 的 ssjpub timestamp --pending 取得）",
                    Severity.WARNING)))
        for (year, task_id), stamp in sorted(data.timestamps.items()):
            commit, where = stamp.record.model.commit, stamp.record.doc.pos("commit")
            plan_rel = f"plans/{code}/{year}/plan.yaml"
            try:  # reachable from HEAD: an object left over from a rewritten history does not count
                git.run("merge-base", "--is-ancestor", commit, "HEAD")
            except GitError:
                problems.append(((code, year, task_id), where.problem(
                    "timestamp-commit", f"取得时间戳的提交 {commit[:10]} 不在本仓库的历史中：历史可能被改写过")))
                continue
            plan_then = plan_at(git, f"{commit}:{in_git(plan_rel)}", plan_rel)
            task_then = next((t for t in plan_then.tasks if t.id == task_id), None) if plan_then else None
            draw = data.draws.get((year, task_id))
            plan_now, task_now = _task(data, year, task_id)
            wanted = draw.data.get("parameters") if draw else (task_parameters(plan_now, task_now) if task_now else None)
            algorithm = draw.data.get("algorithm") if draw else ALGORITHM  # a /1 record's parameters are /1's
            if task_then is None or task_parameters(plan_then, task_then, algorithm) != wanted:
                problems.append(((code, year, task_id), where.problem(
                    "timestamp-commit", f"取得时间戳的提交 {commit[:10]} 中，年度计划里的任务 {task_id} 及其随机数来源声明"
                    "与现在（或抽取记录所用）的不一致：时间戳不能证明这份声明在开奖前已经存在")))
                continue
            if draw is None:
                continue
            files = population_files(draw.data)  # each part of a split snapshot
            blobs = git.blobs([f"{commit}:{in_git(rel)}" for rel, _ in files])
            for rel, sha in files:
                blob = blobs.get(f"{commit}:{in_git(rel)}")
                if blob is None or hashlib.sha256(blob).hexdigest() != sha:
                    problems.append(((code, year, task_id), where.problem(
                        "timestamp-commit", f"取得时间戳的提交 {commit[:10]} 中还没有抽取所用的名录快照 {rel}")))
            values_rel = draw.data.get("randomness", {}).get("file")
            values = (revealed or {}).get((code, year, task_id)) or (_first_commit(git, in_git(values_rel)) if values_rel else None)
            if values is None:
                continue
            try:
                git.run("merge-base", "--is-ancestor", commit, values)
                before = commit != values
            except GitError:
                before = False
            if not before:
                problems.append(((code, year, task_id), where.problem(
                    "timestamp-commit", f"取得时间戳的提交 {commit[:10]} 不是提交公开随机数的 {values[:10]} 之前的提交")))
    return problems
