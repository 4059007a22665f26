"""Records that no longer fit their inputs, by digest only: the site build refuses to publish a
draw whose plan task, snapshot or randomness was changed after it (re-executing every draw is
`ssjpub verify`'s job; these three comparisons cost next to nothing)."""

from __future__ import annotations

from ssjpub.draw.encoding import ALGORITHMS
from ssjpub.draw.engine import DrawError, canonical_json, find_task, randomness_section, sha256_hex, task_parameters
from ssjpub.loader.repository import DrawFile, Repository
from ssjpub.problems import Pos, Problem


def stale_records(repo: Repository) -> list[Problem]:
    problems = []
    for code, data in sorted(repo.agencies.items()):
        for kind, files in (("抽取记录", data.draws), ("失败记录", data.failures)):
            for (year, task_id), record in sorted(files.items()):
                problems += _stale(repo, code, year, task_id, record, kind)
    return problems


def _stale(repo: Repository, code: str, year: int, task_id: str, record: DrawFile, kind: str) -> list[Problem]:
    data = record.data
    algorithm = data.get("algorithm")
    if algorithm not in ALGORITHMS:  # `verify` names what is wrong with such a record
        return [Pos(record.file).problem("draw-mismatch", f"{kind}的算法 {algorithm!r} 无法识别：先运行 ssjpub verify")]
    try:
        ctx = find_task(repo, code, year, task_id)
    except DrawError as exc:
        return [Pos(record.file).problem("published-changed", f"{kind}所属的任务 {task_id} 已不在 {year} 年度计划中"), *exc.problems]
    tail = f"：{kind}发布后不得修改它的输入。请恢复原样（git log -p 可找到原来的内容），需要改动的请按工作人员指南新增任务"
    problems = []
    if sha256_hex(canonical_json(task_parameters(ctx.plan, ctx.task, algorithm))) != data.get("parameters_sha256"):
        problems.append(ctx.pos().problem(
            "published-changed", f"任务 {task_id} 的参数与{kind} {record.file} 不符（parameters_sha256），计划中的这个任务在抽取之后被改动" + tail))
    population = data.get("population") if isinstance(data.get("population"), dict) else {}
    snapshot = ctx.data.snapshots.get(ctx.task.snapshot) if ctx.task.snapshot else None
    if snapshot is None or (snapshot.file, snapshot.sha256) != (population.get("file"), population.get("sha256")):
        where = Pos(snapshot.file) if snapshot is not None else ctx.pos("snapshot")
        problems.append(where.problem(
            "published-changed", f"名录快照与{kind} {record.file} 不符（population.sha256），快照在抽取之后被改动或换掉" + tail))
    try:
        randomness = randomness_section(ctx, algorithm)
    except DrawError as exc:
        problems += exc.problems
    else:
        recorded = data.get("randomness") if isinstance(data.get("randomness"), dict) else {}
        if randomness["canonical"] != recorded.get("canonical"):
            problems.append(Pos(randomness["file"]).problem(
                "published-changed", f"公开随机数与{kind} {record.file} 不符（randomness.canonical），随机数文件在抽取之后被改动" + tail))
    return problems
