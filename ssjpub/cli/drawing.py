from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from ssjpub.digits import is_ascii_int
from ssjpub.draw import halves
from ssjpub.draw.engine import DrawError, DrawFailed, execute, later_draws
from ssjpub.draw.history import check_history, check_rosters, published_before
from ssjpub.draw.record import failure_path, record_paths, write_failure, write_record
from ssjpub.draw.verify import verify_records
from ssjpub.draw import verifycache
from ssjpub.problems import Pos, format_problems, has_errors, sort_problems, summary
from ssjpub.cli.common import AGENCY, chosen_agencies, exit_if_invalid, gc_paused, load_valid
from ssjpub.cli.entry import leave_quickly
from ssjpub.loader import parsecache
from ssjpub.loader.parsecache import ParseCache
from ssjpub.loader.repository import load_inputs
from ssjpub.validate import find_root

ROOT = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
    help="数据仓库根目录。",
)
FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
                      show_default=True, help="输出格式，同 ssjpub validate。")


@click.command("draw")
@click.argument("task_ref", metavar="AGENCY/YEAR/TASK", required=False)
@click.option("--pending", is_flag=True,
              help="抽取所有已提交公开随机数、还没有抽取记录的任务（按机关、年度和计划中的顺序）；CI 用它代替工作人员抽取。")
@ROOT
@FORMAT
def draw_cmd(task_ref: str | None, pending: bool, root: Path, fmt: str) -> None:
    """执行一次抽取，写入抽取记录 plans/AGENCY/YEAR/draws/TASK.json 及同名 .yaml。

    抽取完全由已提交的名录快照、任务参数和公开随机数决定，任何人重新执行都得到同样的结果
    （算法见 docs/draw-spec.md）。已有的抽取记录不会被覆盖：已发布的抽取不得修改。

    两个文件一起出现或都不出现：先写 .yaml 副本，最后写 .json 记录，写入 .json 才算抽取完成。
    中途被中断（断电、强行结束）留下的半份记录，若未提交到 git，再次运行本命令会先删除它再重新抽取。

    --pending 不写任务：逐个抽取公开随机数已提交而尚无抽取记录和失败记录的任务。排在前面的随机抽查
    任务还没有抽取（公开随机数尚未提交）时，同一机关后面的任务等它抽取之后再抽，因为抽取须按计划顺序进行。
    """
    if pending == (task_ref is not None):
        click.echo("请写一个任务（机关/年度/任务编号，如 baofeng/2024/2024-01），或者写 --pending，二者选一。", err=True)
        sys.exit(2)
    root = find_root(root)
    if pending:
        sys.exit(_draw_pending(root, fmt))
    parts = task_ref.strip("/").split("/")
    if len(parts) != 3 or not is_ascii_int(parts[1]):
        click.echo(f"任务应写成“机关/年度/任务编号”，如 baofeng/2024/2024-01，而不是“{task_ref}”", err=True)
        sys.exit(2)
    agency, year, task = parts[0], int(parts[1]), parts[2]
    code = _draw_task(root, agency, year, task, fmt)
    leave_quickly()  # a province snapshot's columns and candidates are not freed one by one
    sys.exit(code)


def _draw_task(root: Path, agency: str, year: int, task: str, fmt: str) -> int:
    """One draw with every refusal of `ssjpub draw`; prints what happened; the exit code."""
    removed, problems = halves.clear(root, agency, year, task)  # what an interrupted draw of it left
    if problems:
        sys.stdout.write(format_problems(problems, fmt))
        return 1
    for rel in removed:
        click.echo(f"已删除上次中断的抽取留下的 {rel}（它从未提交），重新抽取。", err=True)
    repo, _ = load_valid(root, fmt)
    data = repo.agencies.get(agency)
    if data is not None and (year, task) in data.draws:
        problem = Pos(data.draws[(year, task)].file).problem("duplicate-id", "抽取记录已存在：已发布的抽取不得修改或重抽")
        sys.stdout.write(format_problems([problem], fmt))
        return 1
    # Once on the branch, a record or failure record is published: deleting it does not free the task.
    gone = published_before(repo, [record_paths(agency, year, task)[0], failure_path(agency, year, task)])
    if gone:
        problem = Pos(gone[0][0]).problem(
            "published-changed", f"任务 {task} 的{'失败记录' if '/failures/' in gone[0][0] else '抽取记录'}已于提交 "
            f"{gone[0][1][:10]} 发布，之后被删除：已发布的抽取不能重抽。请恢复该文件（git checkout {gone[0][1][:10]} -- {gone[0][0]}）")
        sys.stdout.write(format_problems([problem], fmt))
        return 1
    later = later_draws(data, year, task) if data is not None else []
    if later:
        names = "、".join(f"{y}/{t}" for y, t in later)
        problem = Pos(f"plans/{agency}/{year}/plan.yaml").problem(
            "history-order", f"排在任务 {task} 之后的 {names} 已经抽取：抽取须按年度计划中的任务顺序进行，"
            "新任务请加在计划末尾")
        sys.stdout.write(format_problems([problem], fmt))
        return 1
    if agency in repo.agencies and (year, task) in repo.agencies[agency].failures:
        problem = Pos(failure_path(agency, year, task)).problem(
            "duplicate-id", f"任务 {task} 已有失败记录：同一组公开随机数不能再抽一次。请在年度计划中新增任务"
            f"（retry_of: {task}），在失败记录提交之后重新声明公开随机数来源")
        sys.stdout.write(format_problems([problem], fmt))
        return 1
    from ssjpub.rules.catalogue import RuleContext  # here: `verify` starts without the rules
    from ssjpub.rules.checks.randomness import before_draw

    unfit = before_draw(RuleContext(repo, date.min), agency, year, task)
    if unfit:
        sys.stdout.write(format_problems(sort_problems(unfit), fmt))
        click.echo("公开随机数或其声明不符合规则：改正之后再抽取（抽取记录一经发布不得修改）。", err=True)
        return 1
    try:
        with gc_paused():
            record = execute(repo, agency, year, task)
            written = write_record(repo.root, record)
    except DrawFailed as exc:
        # The values are public and the seed is known: the failure is published, never dropped.
        sys.stdout.write(format_problems(sort_problems(exc.problems), fmt))
        try:
            rel = write_failure(repo.root, exc.record)
        except FileExistsError as again:
            rel = str(again)
        click.echo(f"抽取未能完成。公开随机数已经产生，失败也要公示：已写入失败记录 {rel}，请提交它。"
                   f"修正上面的问题后，在年度计划中新增一个任务（写明 retry_of: {task}），并在失败记录提交之后"
                   "重新声明公开随机数来源（见 docs/staff-guide.md）。", err=True)
        return 1
    except DrawError as exc:
        sys.stdout.write(format_problems(sort_problems(exc.problems), fmt))
        return 1
    except FileExistsError as exc:
        problem = Pos(str(exc)).problem("duplicate-id", "抽取记录已存在：已发布的抽取不得修改或重抽")
        sys.stdout.write(format_problems([problem], fmt))
        return 1
    click.echo(f"种子 {record['seed']}")
    for s in record["strata"]:
        label = s["stratum"] or "全部"
        click.echo(f"{label}：可抽 {s['eligible']} 家，按 {s['rule']} 抽取 {s['count']} 家")
    click.echo(f"共抽中 {len(record['targets'])} 家单位，{len(record['groups'])} 个检查组。")
    for rel in written:
        click.echo(f"已写入 {rel}")
    return 0




def pending_tasks(repo) -> tuple[list[tuple[str, int, str]], list[str]]:
    """The tasks `draw --pending` draws now, in the order it must draw them, and the notes on the
    tasks that wait: a later task is never drawn while an earlier random task of the agency has
    neither a record nor a failure record (drawing it first would make the earlier one undrawable)."""
    ready, waiting = [], []
    for code in sorted(repo.agencies):
        data = repo.agencies[code]
        blocker = None
        for year in sorted(data.plans):
            for t in data.plans[year].model.tasks:
                key = (year, t.id)
                if t.basis != "随机抽查" or key in data.draws or key in data.failures:
                    continue
                if blocker is None and key in data.randomness:
                    ready.append((code, year, t.id))
                elif blocker is None:
                    blocker = f"{year}/{t.id}"
                elif key in data.randomness:
                    waiting.append(f"{code}/{year}/{t.id} 的公开随机数已提交，但排在它前面的任务 {code}/{blocker} 还没有抽取"
                                   f"（公开随机数尚未提交）：抽取须按计划顺序进行，等 {blocker} 抽取之后再抽。")
    return ready, waiting


def _draw_pending(root: Path, fmt: str) -> int:
    repo, _ = load_valid(root, fmt)
    ready, waiting = pending_tasks(repo)
    code = 0
    for agency, year, task in ready:
        # Each draw reloads the repository: the records written so far are the next one's prior draws.
        click.echo(f"== 抽取 {agency}/{year}/{task}", err=True)
        code = max(code, _draw_task(root, agency, year, task, fmt))
    for note in waiting:
        click.echo(f"等待：{note}", err=True)
    done = "、".join(f"{a}/{y}/{t}" for a, y, t in ready)
    click.echo(f"已处理 {len(ready)} 个待抽取的任务{'：' + done if done else ''}。" if ready else "没有待抽取的任务。", err=True)
    return code


@click.command("verify")
@ROOT
@FORMAT
@click.option("--history", is_flag=True, help="同时用 git 历史核对提交顺序和只增不改（需要完整历史）。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="同时重新执行抽取的进程数（默认：抽取记录 40 条起用全部可用的 CPU，否则 1）。每个进程会复制它读到的数据，"
                   "内存紧张时用 1。结果与顺序都与进程数无关。")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"验证缓存目录：输入（记录、计划、快照、随机数、名录、此前的记录、ssjpub 的版本）逐字节未变、"
                   f"上次已核对一致的抽取不再重新执行。在拉取请求（合并请求）的 CI 中默认使用 {verifycache.DEFAULT_DIR}。")
@click.option("--no-cache", is_flag=True, help="不用缓存，重新执行每一次抽取（CI 定期运行的完整验证）。")
@AGENCY
def verify_cmd(root: Path, fmt: str, history: bool, jobs: int | None, cache_dir: Path | None, no_cache: bool,
               agencies: tuple[str, ...]) -> None:
    """重新执行仓库中的每一次抽取，与抽取记录逐项比对。

    任何一处不一致（抽中的单位、签号、种子、检查组，或记录引用的名录快照、任务参数、
    公开随机数被改动）都会指出文件、行和字段，退出码为 1。

    加 --history 时还核对 git 历史：名录快照和任务（含随机数来源声明）先于随机数提交，
    声明早于开奖（摇号）日期；抽取记录及其输入发布后未再修改；可信时间戳所证明的提交在历史中、
    含同样的声明并早于随机数的提交（见 docs/timestamps.md）。浅克隆会被拒绝而不是猜测。

    加 --cache 目录（拉取请求的 CI 中默认）时，只重新执行输入变了的抽取：缓存的键是记录和它用到的每个
    文件的 SHA-256，任何一个字节变了都会重新执行；--history 的历史核对从不缓存，名录核对按记录和 git 中那一版名录缓存。
    --no-cache 重新执行全部。
    用缓存时只读入并校验要重新执行的抽取用到的文件，其余文件和跨文件的检查由 ssjpub validate 负责
    （CI 在同一作业中先运行它）。
    """
    if no_cache and cache_dir is not None:
        click.echo("--cache 和 --no-cache 只能写一个。", err=True)
        sys.exit(2)
    # No draw reads results/: `validate` checks them. With the cache (and no history to check), only
    # what the draws to re-execute read is loaded; CI's `validate`, run beside it, checks the rest.
    cache = None if no_cache else _cache_for(find_root(root).resolve(), cache_dir)
    deferred = cache is not None and not history
    parsed = ParseCache(cache.folder / parsecache.FOLDER) if deferred else None
    repo, _ = load_valid(root, fmt, results=False, agencies=chosen_agencies(root, agencies),
                         deferred=deferred, parsed=parsed)
    chains: dict[str, list[str]] = {}
    keys = verifycache.record_keys(repo, chains) if cache is not None else {}
    known = frozenset(k for k, digest in keys.items() if cache.has(digest))
    states = verifycache.States(cache.folder) if cache is not None else None
    start = verifycache.starts(repo, chains, known, states) if states is not None else {}
    if deferred:
        with gc_paused():
            inputs = load_inputs(repo, [k for k in keys if k not in known], parsed)
        exit_if_invalid(inputs, fmt)
    found = verify_records(repo, workers=jobs, known=known, start=start)
    if cache is not None:
        for (code, year, task, kind), digest in sorted(keys.items()):
            if (code, year, task, kind) not in known and found.get((code, year, task)) == []:
                cache.put(digest)
        verifycache.save_states(repo, chains, start, states)
    problems = [p for key in sorted(found) for p in found[key]]
    unchecked = ""
    if history:
        problems += check_history(repo)
    elif found or known:
        rosters = check_rosters(repo, keys, cache.of(verifycache.ROSTER) if cache is not None else None)
        problems += rosters.problems
        if not rosters.checked:
            unchecked = f"记录中的执法检查人员信息未与随机数之前提交的名录核对（{rosters.reason}）。"
    problems = sort_problems(problems)
    sys.stdout.write(format_problems(problems, fmt))
    if fmt == "text":
        cached = f"另有 {len(known)} 次抽取的输入与缓存中已核对一致的逐字节相同，未重新执行。" if known else ""
        click.echo(f"已重新执行 {len(found)} 次抽取。" + cached + unchecked + summary(problems), err=True)
    sys.exit(1 if has_errors(problems) else 0)


def _in_pull_request() -> bool:
    """A GitHub pull request or a GitLab merge request pipeline: there the cache is the default."""
    return os.environ.get("GITHUB_EVENT_NAME") in ("pull_request", "pull_request_target") \
        or bool(os.environ.get("CI_MERGE_REQUEST_IID"))


def _cache_for(root: Path, folder: Path | None) -> verifycache.Cache | None:
    if folder is not None:
        return verifycache.Cache(folder)
    return verifycache.Cache(root / verifycache.DEFAULT_DIR) if _in_pull_request() else None
