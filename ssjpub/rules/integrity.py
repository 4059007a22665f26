"""Integrity of the data as a whole: unique ids, references that resolve, files where they belong."""

from __future__ import annotations

import difflib
from typing import Callable, Iterable, Iterator

from ssjpub.draw.sources import source_problems
from ssjpub.importmap import mapping_problems
from ssjpub.loader.repository import AgencyData, Loaded, Repository
from ssjpub.problems import Pos, Problem
from ssjpub.rules.withheld import withheld_problems


def _duplicates(
    loaded: Loaded, items: list, key: Callable, path: tuple, field: str, what: str
) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        value = key(item)
        if value is None:  # absent: the completeness rules report it
            continue
        if value in first:
            first_line = loaded.doc.pos(*path, first[value], field).line
            yield loaded.doc.pos(*path, i, field).problem(
                "duplicate-id", f"{what}“{value}”重复（第一次出现在第 {first_line} 行）"
            )
        else:
            first[value] = i


def _dangling(loaded: Loaded, path: tuple, value: str, known: Iterable[str], what: str) -> Iterator[Problem]:
    if value not in known:
        yield loaded.doc.pos(*path).problem("dangling-reference", f"{what}“{value}”不存在{did_you_mean(value, known)}")


def did_you_mean(value: str, known: Iterable[str], listed: int = 12) -> str:
    """'，是否想写“建筑业”？' for the closest known values (one containing the other counts: 建筑 →
    建筑业), else the known values themselves when they are few, so that the fix is in the message."""
    names = sorted(set(known))
    close = [k for k in names if value and (value in k or k in value)]
    close = sorted(close, key=lambda k: (abs(len(k) - len(value)), k))[:3] or difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    if close:
        return "，是否想写" + "或".join(f"“{k}”" for k in close) + "？"
    if 0 < len(names) <= listed:
        return "。可以写：" + "、".join(names)
    return ""


def _owner(loaded: Loaded | None, agency: str) -> Iterator[Problem]:
    if loaded is not None and getattr(loaded.model, "agency", agency) != agency:
        yield loaded.doc.pos("agency").problem(
            "invalid-value", f"机关代号“{loaded.model.agency}”与所在目录“{agency}”不一致"
        )


def check_agency(data: AgencyData, repo: Repository) -> Iterator[Problem]:
    if data.agency is None:
        return
    a = data.agency
    if a.model.code != data.code:
        yield a.doc.pos("code").problem(
            "invalid-value", f"机关代号“{a.model.code}”与所在目录“{data.code}”不一致"
        )
    yield from _duplicates(a, a.model.departments, lambda d: d.name, ("departments",), "name", "股室")
    names = _departments(data)
    yield from _dangling(a, ("lead_department",), a.model.lead_department, names, "股室")
    yield from _dangling(a, ("plan_office",), a.model.plan_office, names, "股室")
    if a.model.parent_agency is not None:
        yield from _dangling(a, ("parent_agency",), a.model.parent_agency, repo.agencies, "机关")


def _departments(data: AgencyData) -> set[str] | None:
    """The agency's departments, those left out for a refused value too (their own problem is
    reported; naming one is not a second)."""
    a = data.agency
    return {d.name for d in a.model.departments} | a.refused("departments", "name") if a else None


def check_checklist(data: AgencyData) -> Iterator[Problem]:
    c = data.checklist
    if c is None:
        return
    yield from _owner(c, data.code)
    yield from _duplicates(c, c.model.items, lambda i: i.id, ("items",), "id", "事项编号")
    departments = _departments(data)
    if departments is not None:
        for i, item in enumerate(c.model.items):
            if item.department is not None:
                yield from _dangling(c, ("items", i, "department"), item.department, departments, "股室")


def check_inspectors(data: AgencyData) -> Iterator[Problem]:
    d = data.inspectors
    if d is None:
        return
    yield from _owner(d, data.code)
    people = d.model.inspectors
    yield from _duplicates(d, people, lambda p: p.id, ("inspectors",), "id", "人员编号")
    yield from _duplicates(d, people, lambda p: p.cert_no, ("inspectors",), "cert_no", "监察证号")
    departments = _departments(data)
    if departments is not None:
        for i, person in enumerate(people):
            yield from _dangling(d, ("inspectors", i, "department"), person.department, departments, "股室")


def check_plan(data: AgencyData, repo: Repository, year: int, plan: Loaded) -> Iterator[Problem]:
    p = plan.model
    yield from _owner(plan, data.code)
    if p.year != year:
        yield plan.doc.pos("year").problem("invalid-value", f"年度 {p.year} 与所在目录“{year}”不一致")
    yield from _duplicates(plan, p.tasks, lambda t: t.id, ("tasks",), "id", "任务编号")
    departments = _departments(data)
    c = data.checklist
    items = {i.id for i in c.model.items} | c.refused("items", "id") if c else None
    if departments is not None:
        yield from _dangling(plan, ("lead_department",), p.lead_department, departments, "股室")
        if p.reported_to is not None:
            yield from _dangling(plan, ("reported_to",), p.reported_to, departments, "股室")
    for t, task in enumerate(p.tasks):
        at = ("tasks", t)
        if items is not None:
            for k, item in enumerate(task.items):
                yield from _dangling(plan, at + ("items", k), item, items, "抽查事项")
        if departments is not None:
            for k, dep in enumerate(task.departments):
                yield from _dangling(plan, at + ("departments", k), dep, departments, "股室")
        if task.window.end < task.window.start:
            yield plan.doc.pos(*at, "window", "end").problem(
                "invalid-value", "结束日期早于开始日期"
            )
        yield from _check_task_population(data, repo, plan, at, task)
        values = data.randomness.get((year, task.id))
        if values is not None and task.sources:
            yield from source_problems(task, lambda *path, at=at: plan.doc.pos(*at, *path), values)
        if task.retry_of is not None:
            yield from _check_retry(data, year, plan, at, task, _earlier(plan, t))


def _earlier(plan: Loaded, t: int) -> set[str]:
    """The ids of the tasks above task ``t`` in the plan, those left out for a refused value too."""
    here = plan.in_file("tasks", t)
    left_out = plan.dropped.get(("tasks",), {})
    return {x.id for x in plan.model.tasks[:t]} | {
        item["id"] for i, item in left_out.items() if i < here and isinstance(item, dict) and isinstance(item.get("id"), str)}


def planned(plan: Loaded, task_id: str) -> bool:
    """Whether the plan has the task, or had it and left it out for a refused value (reported
    there): what refers to it stays quiet either way."""
    return any(t.id == task_id for t in plan.model.tasks) or task_id in plan.refused("tasks", "id")


def _check_retry(data: AgencyData, year: int, plan: Loaded, at: tuple, task, earlier: set[str]) -> Iterator[Problem]:
    """A retry follows an earlier task of the plan whose draw failed and left its failure record."""
    where = plan.doc.pos(*at, "retry_of")
    if task.retry_of not in earlier:
        yield where.problem("dangling-reference", f"“retry_of”应为本计划中排在前面的任务编号，没有任务“{task.retry_of}”")
    elif (year, task.retry_of) not in data.failures:
        yield where.problem(
            "invalid-value", f"任务 {task.retry_of} 没有失败记录（plans/{data.code}/{year}/failures/{task.retry_of}.json）："
            "只有抽取失败并公示了失败记录的任务才能重新抽取")
    if task.randomness is None:
        yield plan.doc.pos(*at).problem("missing-field", "重新抽取须重新声明公开随机数来源（randomness），开奖日期在失败记录提交之后")


def snapshot_file(agency: str, taken_on) -> str:
    return f"plans/{agency}/targets/{taken_on.isoformat()}.csv"


def _check_task_population(
    data: AgencyData, repo: Repository, plan: Loaded, at: tuple, task
) -> Iterator[Problem]:
    doc = plan.doc
    if task.basis != "随机抽查":
        if not task.targets:
            yield doc.pos(*at).problem(
                "missing-field", f"“{task.basis}”的检查不是随机抽取，须在“targets”中列出检查对象"
            )
        for name in ("ratio", "count", "strata", "snapshot"):
            if getattr(task, name) is not None:
                yield doc.pos(*at, name, key=True).problem(
                    "invalid-value", f"“{task.basis}”的检查不是随机抽取，不能设置“{name}”"
                )
        return
    if task.targets:
        yield doc.pos(*at, "targets", key=True).problem(
            "invalid-value", "随机抽查的检查对象由抽取产生，不能在“targets”中指定"
        )
    sizes = [n for n in ("ratio", "count", "strata") if getattr(task, n) is not None]
    if not sizes:
        yield doc.pos(*at).problem("missing-field", "随机抽查须设置“ratio”（比例）、“count”（数量）或“strata”（分层比例）之一")
    elif len(sizes) > 1:
        yield doc.pos(*at, sizes[1], key=True).problem(
            "invalid-value", f"“{sizes[0]}”和“{sizes[1]}”只能设置一个"
        )
    if task.snapshot is None:
        yield doc.pos(*at).problem("missing-field", "随机抽查须用“snapshot”指明检查对象名录快照的日期")
        return
    snapshot = data.snapshots.get(task.snapshot)
    if snapshot is None:
        if repo.is_broken(snapshot_file(data.code, task.snapshot)):
            return
        yield doc.pos(*at, "snapshot").problem(
            "dangling-reference",
            f"名录快照 {snapshot_file(data.code, task.snapshot)} 不存在",
        )
        return
    areas = set(snapshot.columns.area)
    industries = set(snapshot.columns.industry)
    for k, area in enumerate(task.scope.areas):
        yield from _dangling(plan, at + ("scope", "areas", k), area, areas, "快照中的区域")
    for k, industry in enumerate(task.scope.industries):
        yield from _dangling(plan, at + ("scope", "industries", k), industry, industries, "快照中的行业")


def check_results(data: AgencyData, repo: Repository) -> Iterator[Problem]:
    c = repo.categories
    categories = {x.name for x in c.model.categories} | c.refused("categories", "name") if c else None
    for (year, task_id), loaded in sorted(data.results.items()):
        r = loaded.model
        yield from _owner(loaded, data.code)
        if r.year != year:
            yield loaded.doc.pos("year").problem("invalid-value", f"年度 {r.year} 与所在目录“{year}”不一致")
        if r.task != task_id:
            yield loaded.doc.pos("task").problem(
                "invalid-value", f"任务编号“{r.task}”与文件名“{task_id}”不一致"
            )
        yield from _duplicates(loaded, r.results, lambda x: x.target, ("results",), "target", "检查对象")
        if categories is not None:
            for i, result in enumerate(r.results):
                yield from _dangling(loaded, ("results", i, "category"), result.category, categories, "结果类别")
        yield from withheld_problems(loaded)
        plan = data.plans.get(year)
        if plan is None and repo.is_broken(f"plans/{data.code}/{year}/plan.yaml"):
            continue
        task = next((t for t in plan.model.tasks if t.id == task_id), None) if plan else None
        if task is None and plan is not None and planned(plan, task_id):
            continue
        if task is None:
            yield loaded.doc.pos("task").problem(
                "dangling-reference", f"{year} 年度计划中没有任务“{task_id}”"
            )
            continue
        if task.basis == "随机抽查":
            snapshot = data.snapshots.get(task.snapshot)
            population = set(snapshot.columns.credit_code) if snapshot else None
        else:
            population = set(task.targets)
        if population is None:
            continue
        for i, result in enumerate(r.results):
            yield from _dangling(loaded, ("results", i, "target"), result.target, population, "本任务的检查对象")


def check_categories(repo: Repository) -> Iterator[Problem]:
    c = repo.categories
    if c is not None:
        yield from _duplicates(c, c.model.categories, lambda x: x.name, ("categories",), "name", "结果类别")


def check_games(repo: Repository) -> Iterator[Problem]:
    """The lottery games table holds rules a draw can be held to: unique names, ranges that hold
    the numbers drawn, a `not_in` naming an earlier group, one digit per group where positional."""
    g = repo.games
    if g is None:
        return
    yield from _duplicates(g, g.model.games, lambda x: x.name, ("games",), "name", "游戏名称")
    for i, game in enumerate(g.model.games):
        at = ("games", i, "groups")
        yield from _duplicates(g, game.groups, lambda x: x.name, at, "name", "号码组名称")
        for k, group in enumerate(game.groups):
            if group.min > group.max:
                yield g.doc.pos(*at, k, "max").problem("invalid-value", f"最大号码 {group.max} 小于最小号码 {group.min}")
            elif group.distinct and group.count > group.max - group.min + 1:
                yield g.doc.pos(*at, k, "count").problem(
                    "invalid-value", f"{group.min}–{group.max} 中只有 {group.max - group.min + 1} 个号码，开不出 {group.count} 个不重复的号码")
            if group.not_in is not None and group.not_in not in {x.name for x in game.groups[:k]}:
                yield g.doc.pos(*at, k, "not_in").problem("dangling-reference", f"“not_in”应为本游戏中排在前面的号码组，没有“{group.not_in}”")
            if game.positional and group.count != 1:
                yield g.doc.pos(*at, k, "count").problem("invalid-value", "按位开奖的游戏每位一组，每组 1 个号码")


def check_repository(repo: Repository) -> Iterator[Problem]:
    yield from check_categories(repo)
    yield from check_games(repo)
    for code, data in sorted(repo.agencies.items()):
        yield from check_agency(data, repo)
        yield from check_checklist(data)
        yield from check_inspectors(data)
        if data.mapping is not None:
            yield from mapping_problems(data.mapping)
        for year, plan in sorted(data.plans.items()):
            yield from check_plan(data, repo, year, plan)
        yield from check_results(data, repo)
        yield from check_failures(data)


def check_failures(data: AgencyData) -> Iterator[Problem]:
    """A failure record belongs to a task of the plan, and that task has no draw record too."""
    for (year, task_id), failure in sorted(data.failures.items()):
        plan = data.plans.get(year)
        where = Pos(failure.file)
        if plan is not None and not planned(plan, task_id):
            yield where.problem("dangling-reference", f"{year} 年度计划中没有任务“{task_id}”")
        if (year, task_id) in data.draws:
            yield where.problem(
                "invalid-value", f"任务 {task_id} 既有失败记录又有抽取记录：失败的任务不能再抽取，须在计划中新增任务（retry_of: {task_id}）")
