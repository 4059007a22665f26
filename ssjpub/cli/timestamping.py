"""`ssjpub timestamp`: ask the agency's TSA for a token over the commit holding a task's declaration."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from ssjpub.cli.common import load_valid
from ssjpub.cli.drawing import FORMAT, ROOT
from ssjpub.draw.engine import task_parameters
from ssjpub.draw.history import Git, GitError
from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.model import Task
from ssjpub.problems import Pos, Problem, format_problems
from ssjpub.timestamp.check import authority_certificates, declared_deadline, git_prefix, plan_at
from ssjpub.timestamp.client import TSAError, request_token
from ssjpub.timestamp.files import CHINA, record_text, write_timestamp
from ssjpub.timestamp.statement import digest
from ssjpub.timestamp.token import build_request, check_token


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _resolve(git: Git, rev: str, where: Pos) -> str:
    try:
        return git.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        raise _Refused(where.problem("timestamp-request", f"“{rev}”不是本仓库中的提交：无法为它取得时间戳")) from None


def _stamp(repo: Repository, git: Git, data: AgencyData, year: int, task: Task, commit: str) -> list[str]:
    """Request, validate and write one task's token; _Refused with the reason otherwise."""
    config = data.agency.model.timestamp
    where = data.agency.doc.pos("timestamp", "url")
    plan_rel = f"plans/{data.code}/{year}/plan.yaml"
    then = plan_at(git, f"{commit}:{git_prefix(git, repo.root)}{plan_rel}", plan_rel)
    task_then = next((t for t in then.tasks if t.id == task.id), None) if then else None
    if task_then is None or task_parameters(then, task_then) != task_parameters(data.plans[year].model, task):
        raise _Refused(Pos(plan_rel).problem(
            "timestamp-request", f"提交 {commit[:10]} 中没有与现在相同的任务 {task.id} 及其随机数来源声明："
            "先提交（合并）声明，再为那次提交取得时间戳"))
    cas, problems = authority_certificates(repo, data)
    if cas is None:
        raise _Refused(problems[0])
    expected = digest(data.code, year, task.id, commit)
    request = build_request(expected, config.policy)
    try:
        token = request_token(config.url, request.der)
    except TSAError as exc:
        raise _Refused(where.problem("timestamp-request", str(exc))) from None
    gen_time, reasons = check_token(token, cas, expected, config.policy, request.nonce)
    if reasons:
        raise _Refused(where.problem("timestamp-request", "时间戳服务的应答无效，未写入任何文件：" + "；".join(reasons)))
    if gen_time >= declared_deadline(task):
        raise _Refused(data.plans[year].doc.pos("tasks", data.plans[year].model.tasks.index(task), *task.earliest_source()[0], "expected_on").problem(
            "timestamp-late", f"时间戳时间 {gen_time.astimezone(CHINA).isoformat()} 不早于开奖（摇号）日期，不能证明声明在开奖之前，未写入"))
    record = record_text(data.code, year, task.id, commit, expected.hex(), config.name, gen_time)
    try:
        return write_timestamp(repo.root, data.code, year, task.id, token, record)
    except FileExistsError as exc:
        raise _Refused(Pos(str(exc)).problem("timestamp-request", "本任务已有可信时间戳：每个任务只取得一次")) from None


def _pending(repo: Repository) -> list[tuple[AgencyData, int, Task]]:
    """Random tasks with a declaration, no token yet, whose draw day has not come (a later token
    proves nothing), for agencies with a configured TSA."""
    now = datetime.now(CHINA)
    found = []
    for _code, data in sorted(repo.agencies.items()):
        if data.agency is None or data.agency.model.timestamp is None:
            continue
        for year, plan in sorted(data.plans.items()):
            for task in plan.model.tasks:
                deadline = declared_deadline(task)
                if task.basis == "随机抽查" and deadline and deadline > now and (year, task.id) not in data.timestamps:
                    found.append((data, year, task))
    return found


@click.command("timestamp")
@click.argument("task_ref", metavar="[AGENCY/YEAR/TASK]", required=False)
@click.option("--pending", is_flag=True, help="为所有已提交声明、尚无时间戳、开奖日未到的任务取得时间戳（供 CI 使用）。")
@click.option("--commit", "rev", default="HEAD", show_default=True, metavar="提交", help="为哪次提交取得时间戳；该提交中须已有本任务的声明。")
@ROOT
@FORMAT
def timestamp_cmd(task_ref: str | None, pending: bool, rev: str, root: Path, fmt: str) -> None:
    """向 agency.yaml 中配置的时间戳服务（RFC 3161）为任务的随机数来源声明取得可信时间戳。

    时间戳证明的是：含本任务声明的那次提交（默认 HEAD）在时间戳服务给出的时间已经存在。令牌写入
    plans/AGENCY/YEAR/timestamps/TASK.tsr，说明写入同名 .yaml，两者都要提交。时间戳须在开奖（摇号）
    日期之前取得；ssjpub verify --history 会逐一核对（见 docs/timestamps.md）。
    """
    if bool(task_ref) == pending:
        click.echo("请指明一个任务（机关/年度/任务编号，如 baofeng/2024/2024-01），或使用 --pending。", err=True)
        sys.exit(2)
    repo, _ = load_valid(root, fmt)
    git = Git(repo.root)
    problems: list[Problem] = []
    try:
        commit = _resolve(git, rev, Pos(".git"))
        if pending:
            todo = _pending(repo)
        else:
            parts = task_ref.strip("/").split("/")
            data = repo.agencies.get(parts[0]) if len(parts) == 3 and parts[1].isdigit() else None
            plan = data.plans.get(int(parts[1])) if data else None
            task = next((t for t in plan.model.tasks if t.id == parts[2]), None) if plan else None
            if task is None:
                click.echo(f"没有任务“{task_ref}”：应写成“机关/年度/任务编号”，如 baofeng/2024/2024-01", err=True)
                sys.exit(2)
            if data.agency.model.timestamp is None:
                raise _Refused(Pos(data.agency.file).problem(
                    "timestamp-config", "agency.yaml 中没有配置时间戳服务（timestamp:）：见 docs/timestamps.md"))
            if task.randomness is None:
                raise _Refused(plan.doc.pos("tasks", plan.model.tasks.index(task)).problem(
                    "timestamp-request", f"任务 {task.id} 没有声明公开随机数来源：只有随机抽取的任务需要时间戳"))
            todo = [(data, int(parts[1]), task)]
    except _Refused as exc:
        todo, problems = [], [exc.problem]
    for data, year, task in todo:
        try:
            for rel in _stamp(repo, git, data, year, task, commit):
                click.echo(f"已写入 {rel}")
        except _Refused as exc:
            problems.append(exc.problem)
    if pending and not todo:
        click.echo("没有需要取得时间戳的任务。")
    sys.stdout.write(format_problems(problems, fmt))
    sys.exit(1 if problems else 0)
