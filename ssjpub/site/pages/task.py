"""A task's page: the task as planned, its draw, its named targets, its results, its
compliance record and how to verify it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta, timezone
from typing import Any

from ssjpub.draw.history import History
from ssjpub.site.choice import choice_view
from ssjpub.loader.repository import AgencyData
from ssjpub.model import LotteryGames, Plan, Task
from ssjpub.site import proof, urls
from ssjpub.site.commands import (
    Command, command, fetch_commands, install_commands, sha256_command, verify_draw_command, windows_path,
)
from ssjpub.site.pages.common import (
    NON_RANDOM_LABEL, RESULT_COLUMNS, Link, SitePage, _agency_crumbs, _day, _result_cells, _short, checklist_files,
    clip, is_random, population_files, target_names, task_source,
)
from ssjpub.site.pages.draw import FOLD_OVER, GROUP_LEGEND, DrawView, draw_view, drawn_pager, drawn_parts
from ssjpub.site.pages.plan import task_size
from ssjpub.site.pages.verifier import verifier_view
from ssjpub.site.served import Catalogue
from ssjpub.site.tables import Cell, Table, cell, columns


NAMED_COLUMNS = ("统一社会信用代码", "单位名称", "结果类别")


def _weights_text(task: Task) -> list[str]:
    w = task.weights
    lines = [f"诚信等级 {g} 级：{n} 倍" for g, n in sorted(w.grade.items())]
    if w.complaints:
        lines.append(f"投诉举报不少于 {w.complaints.at_least} 件：{w.complaints.weight} 倍")
    if w.serious_violation:
        lines.append(f"有严重违法记录：{w.serious_violation} 倍")
    return lines


def _declared_text(task: Task) -> list[str]:
    """Every declared source, in declared order (the canonical randomness joins them so)."""
    lines = []
    for i, r in enumerate(task.sources, start=1):
        head = f"来源 {i}：" if len(task.sources) > 1 else ""
        lines.append(f"{head}{r.kind}：" + "，".join(x for x in (r.game, r.source) if x) if r.kind != "drand"
                     else f"{head}drand quicknet 第 {r.round} 轮")
        if r.issue:
            lines.append(f"期号 {r.issue}")
        lines.append(f"日期 {_day(r.expected_on)}")
        if r.place:
            lines.append(f"地点 {r.place}")
        if r.witnesses:
            lines.append("见证：" + "、".join(r.witnesses))
    if len(task.sources) > 1:
        lines.append("规范随机数为各来源规范值按以上顺序的连接；机关自己的摇号在开奖之前的日子举行，不能看了开奖结果再摇")
    return lines


def task_facts(data: AgencyData, plan: Plan, task: Task) -> list[tuple[str, list[str]]]:
    """The task as the annual plan states it, one (label, lines) pair per fact."""
    items = {i.id: i for i in data.checklist.model.items} if data.checklist else {}
    facts: list[tuple[str, list[str]]] = [
        ("任务编号", [task.id]),
        ("检查来源", [task_source(task)]),
        ("抽查事项", [f"{i} {items[i].name}" if i in items else i for i in task.items]),
        ("实施股室", list(task.departments)),
        ("检查方式", [task.method]),
        ("实施时间", [f"{_day(task.window.start)} 至 {_day(task.window.end)}"]),
    ]
    if is_random(task):
        facts += [
            ("名录快照", [_day(task.snapshot)] if task.snapshot else []),
            ("比例或数量", task_size(task)),
            ("重点监管权重", _weights_text(task) or ["无（每家单位一张签）"]),
            ("每组检查人员", [f"{task.group_size} 人"]),
            ("检查批次", [f"{task.batches} 批，批次顺序由签号决定"] if task.batches else []),
            ("公开随机数来源", _declared_text(task)),
        ]
    return [(k, v) for k, v in facts if v]


@dataclass(frozen=True)
class ResultsView:
    file: str
    completed_on: str
    published_on: str
    archived_on: str
    count: int
    found_problem: int
    withheld: int
    table: Table  # its downloads always; on the page only when not folded
    # Each result is shown in its enterprise's row of the drawn table, where the #r- anchors are
    # (every result is of a drawn enterprise); the table itself is then only downloaded.
    folded: bool = False


def _found_problem(repo_categories: dict[str, bool], category: str) -> bool:
    return repo_categories.get(category, False)


def results_view(
    data: AgencyData, year: int, task: Task, order: list[str], categories: dict[str, bool]
) -> tuple[ResultsView | None, dict[str, Any]]:
    """The task's published results, in draw order (then file order for anything else)."""
    loaded = data.results.get((year, task.id))
    if loaded is None:
        return None, {}
    r = loaded.model
    by_code = {x.target: x for x in r.results}
    rank = {code: i for i, code in enumerate(order)}
    ordered = [x for _, x in sorted(enumerate(r.results), key=lambda ix: (rank.get(ix[1].target, len(rank)), ix[0]))]
    names = target_names(data, task.window.end)
    for code in order:  # names as the draw record has them
        names.setdefault(code, code)
    rows = []
    for x in ordered:
        cells = list(_result_cells(x, names))
        cells[0] = Cell(cells[0].lines, urls.enterprise(data.code, x.target), urls.result_anchor(x.target))
        if x.target in rank:  # back to its row in the drawn (or named) table, on the page that holds it
            here = urls.task(data.code, year, task.id)
            cells[1] = Cell(cells[1].lines, urls.drawn_row(data.code, year, task.id, rank[x.target], x.target, here=here)
                            if is_random(task) else f"#{urls.target_anchor(x.target)}")
        rows.append(tuple(cells))
    caption = f"{task.id} 检查结果" + ("" if is_random(task) else f"（{task.basis}，非随机抽取）")
    table = Table(key="results", caption=caption, columns=columns(*RESULT_COLUMNS), rows=tuple(rows),
                  cards=True, fold_over=FOLD_OVER)
    view = ResultsView(
        file=loaded.file,
        completed_on=_day(r.completed_on),
        published_on=_day(r.published_on),
        archived_on=_day(r.archived_on),
        count=len(r.results),
        found_problem=sum(_found_problem(categories, x.category) for x in r.results),
        withheld=sum(x.withheld is not None for x in r.results),
        table=table,
    )
    return view, by_code


SEED_NOTE = ("Windows 的 PowerShell 会改动单行程序中的引号，这一步没有 Windows 的写法："
             "下一步的 verify_draw.py 同样重新计算种子。")


def verify_commands(data: AgencyData, draw: DrawView | None, commit: str,
                    record: str | None = None, snapshot: tuple[str, str] | None = None) -> list[Command]:
    """The commands that re-run this task's draw (or its failed draw, `record` with its `snapshot`
    file and digest), each with what it does: first the snapshot's digest on the copy the site
    serves (no clone needed), then the full check in a clone."""
    if draw is not None:
        record, snapshot = draw.file, draw.population[:2]
    if record is None or snapshot is None:
        return fetch_commands(data.agency.model.repository if data.agency else None, commit)
    if not snapshot[0].endswith(".csv"):  # split into parts (ssjpub-draw/3): each file has its own digest
        cmds = fetch_commands(data.agency.model.repository if data.agency else None, commit)
        parts = next((tuple(p.file for p in s.parts) for s in data.snapshots.values() if s.file == snapshot[0]), ())
        cmds.append(command(
            f"在仓库中核对名录快照的各部分未被改动：每个文件的结果应与抽取记录中 population.parts 所列的 sha256 相同"
            f"（{snapshot[1]} 是各部分的摘要，不是某个文件的 SHA-256）", ("sha256sum", *parts),
            windows=(("Get-FileHash", "-Algorithm", "SHA256", windows_path(snapshot[0]) + "\\*.csv"),)))
        cmds.append(verify_draw_command("只用 Python 标准库独立重新执行这次抽取（逐个核对各部分）", record))
        return cmds + install_commands()
    name = snapshot[0].rsplit("/", 1)[-1]
    cmds = [sha256_command(f"不必克隆仓库：下载上面“输入”中的名录快照 {name}，在下载到的文件夹中核对它未被改动：结果应为 "
                           f"{snapshot[1]}（PowerShell 显示为大写字母，是同一个数）", name)]
    cmds += fetch_commands(data.agency.model.repository if data.agency else None, commit)
    cmds.append(sha256_command(f"在仓库中核对名录快照未被改动：结果应为 {snapshot[1]}", snapshot[0]))
    if draw is not None:
        cmds.append(command(f"按公开的输入重新计算种子（只用 Python 标准库）：结果应为 {draw.seed}", draw.seed_argv,
                            note=SEED_NOTE))
    cmds.append(verify_draw_command("只用 Python 标准库独立重新执行这次抽取", record))
    return cmds + install_commands()


def named_table(data: AgencyData, task: Task, results: dict[str, Any]) -> Table:
    """The enterprises a complaint or referral task names: listed, never as drawn."""
    names = target_names(data, task.window.end)
    rows = []
    for code in task.targets:
        r = results.get(code)
        rows.append(
            (
                cell(code, anchor=urls.target_anchor(code)),
                cell(names.get(code, "") or code, url=urls.enterprise(data.code, code)),
                cell(r.category, url=f"#{urls.result_anchor(code)}") if r else cell("尚未公示"),
            )
        )
    return Table(
        key="named",
        caption=f"检查对象（{task.basis}线索指定，{len(rows)} 家，非随机抽取）",
        columns=columns(*NAMED_COLUMNS),
        rows=tuple(rows),
    )


SEVERITY_NOTE = {"warning": "（警告级）", "info": "（提示）"}
STATUS_ORDER = {"not-met": 0, "unknown": 1, "not-due": 2, "met": 3, "not-applicable": 4}


def compliance_table(task_id: str, rows: list[dict] | None) -> Table | None:
    """The task's compliance record (ssjpub.rules.tasks.compliance): each rule and whether the
    bureau kept it, with the dates that show it. Unmet rules first."""
    if not rows:
        return None
    ordered = sorted(rows, key=lambda r: (STATUS_ORDER.get(r["status"], 9), r["code"]))
    return Table(
        key="compliance",
        caption=f"任务 {task_id} 的合规记录（{len(rows)} 条规则）",
        columns=columns("规则", "结论", "说明", "出处", "代码"),
        rows=tuple(
            (cell(r["title"]), cell(r["status_text"] + SEVERITY_NOTE.get(r["severity"], "") * (r["status"] == "not-met")),
             cell(r["detail"]), cell("；".join(r["sources"])), cell(r["code"]))
            for r in ordered
        ),
    )


def timestamp_evidence(data: AgencyData, year: int, task: Task) -> str | None:
    """What proves the declaration came before the draw (docs/timestamps.md); None for non-random tasks.
    The token itself was checked by `ssjpub validate` before the site is built."""
    if not is_random(task):
        return None
    stamp = data.timestamps.get((year, task.id))
    if stamp is None:
        return "本任务没有可信时间戳：随机数来源声明是否早于开奖，只能以 git 提交历史判断。"
    rec = stamp.record.model
    when = rec.gen_time.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    return (f"随机数来源声明于提交 {rec.commit[:10]} 取得可信时间戳（{rec.tsa}，{when} 北京时间），"
            "早于开奖（摇号）日期：令牌见 " + stamp.token_file + "，核对方法见 docs/timestamps.md。")


def task_page(
    data: AgencyData, year: int, task: Task, categories: dict[str, bool] | None = None, commit: str = "未知",
    compliance: list[dict] | None = None, history: History | None = None, dirty: frozenset[str] = frozenset(),
    files: Catalogue | None = None, games: LotteryGames | None = None,
) -> SitePage:
    plan_file = data.plans[year]
    plan = plan_file.model
    categories = categories or {}
    random = is_random(task)
    draw_rec = data.draws.get((year, task.id))
    order = [t["code"] for t in draw_rec.data.get("targets", [])] if draw_rec else list(task.targets)
    results, by_code = results_view(data, year, task, order, categories)
    draw = draw_view(data, year, task, by_code) if random else None
    if results is not None and draw is not None and by_code.keys() <= set(order):
        results = replace(results, folded=True)
    sources = [plan_file.file]
    if draw is not None:
        sources += [draw.file, *([draw.yaml_file] if draw.yaml_file else [])]
        sources += [*population_files(data, draw.population[0]), draw.randomness_file]
        if data.inspectors:
            sources.append(data.inspectors.file)
    if results is not None:
        sources.append(results.file)
    stamp = data.timestamps.get((year, task.id))
    if stamp is not None:
        sources.append(stamp.record.file)
    stamp_text = timestamp_evidence(data, year, task)
    failure = failure_view(data, year, task)
    if failure is not None:
        sources.append(failure["file"])
    found = history.records.get((data.code, year, task.id)) if history else None
    claims = proof.vanished_claims(found)
    if failure is not None:
        claims += proof.failure_claims(history, found, any(s in dirty for s in sources))
    if draw is not None:
        first = task.earliest_source()
        expected_on = first[1].expected_on if first else None
        claims += proof.draw_claims(history, found, expected_on, any(s in dirty for s in sources), stamp_text)
    crumbs = (*_agency_crumbs(data), Link(f"{year} 年度计划", urls.plan(data.code, year)))
    url = urls.task(data.code, year, task.id)
    verifier = verifier_view(data, year, task.id, url, files or {}, games) if random else None
    snapshot = None
    if failure is not None and verifier is not None:
        population = data.failures[(year, task.id)].data.get("population", {})
        snapshot = (str(population.get("file", "")), str(population.get("sha256", "")))
    return SitePage(
        url=url,
        template="task.html",
        title=f"{_short(data)} {year} 年 {task.id} {task.name}",
        crumbs=crumbs,
        sources=tuple(dict.fromkeys(s for s in sources if s)),
        # The names of the task's items; the digests of the inputs the verifier reads.
        depends=tuple(dict.fromkeys((*checklist_files(data), *(f.path for f in (verifier.inputs if verifier else ()))))),
        description=task_description(data, year, task, draw, results, failure),
        data={
            "task": task,
            "random": random,
            "facts": task_facts(data, plan, task),
            "item_links": [Link(i, urls.checklist_item(data.code, i)) for i in task.items],
            "draw": draw,
            "drawn_pending": random and draw is None,
            "named": None if random else named_table(data, task, by_code),
            "results": results,
            "unpublished": max(0, len(order) - len(by_code)) if order else 0,
            "commands": verify_commands(data, draw, commit, failure["file"] if failure else None, snapshot),
            "verifier": verifier,
            "non_random_label": NON_RANDOM_LABEL,
            "plan_url": urls.plan(data.code, year),
            "group_legend": GROUP_LEGEND,
            "drawn_page_size": urls.DRAWN_PAGE_SIZE,
            "compliance": compliance_table(task.id, compliance),
            "choice": choice_view(data, year, task),
            "timestamp_evidence": stamp_text,
            "claims": claims,
            "failure": failure,
            "retry_of": Link(task.retry_of, urls.task(data.code, year, task.retry_of)) if task.retry_of else None,
        },
    )


def task_description(
    data: AgencyData, year: int, task: Task, draw: DrawView | None, results: ResultsView | None, failure: dict | None
) -> str:
    """The task, how its targets were chosen and what was found, in counts (never a name)."""
    head = f"{_short(data)} {year} 年抽查任务 {task.id}“{task.name}”"
    if not is_random(task):
        how = f"（{task.basis}，非随机）：检查指定的 {len(task.targets)} 家单位"
    elif draw is not None:
        how = f"（随机抽查）：从 {draw.eligible} 家可抽单位中随机抽取 {draw.drawn} 家并随机选派检查组"
    elif failure is not None:
        how = "（随机抽查）：抽取失败，须重新声明公开随机数后重新抽取"
    else:
        how = "（随机抽查）：尚未抽取"
    if results is not None:
        found = f"；检查 {results.count} 家，发现问题 {results.found_problem} 家"
    else:
        found = "；检查结果尚未公示" if draw is not None or not is_random(task) else ""
    return clip(head + how + found + "。")


def failure_view(data: AgencyData, year: int, task: Task) -> dict | None:
    """A task whose draw failed once its values were known: what failed, and the retries."""
    failed = data.failures.get((year, task.id))
    if failed is None:
        return None
    rec = failed.data
    retries = [Link(f"{t.id} {t.name}", urls.task(data.code, year, t.id))
               for t in data.plans[year].model.tasks if t.retry_of == task.id]
    return {"file": failed.file, "seed": rec.get("seed"), "randomness": rec.get("randomness", {}).get("file"),
            "canonical": rec.get("randomness", {}).get("canonical"),
            "reasons": [f"{f.get('message')}（{f.get('code')}）" for f in rec.get("failure", [])],
            "retries": retries}


def drawn_pages(task_page: SitePage) -> list[SitePage]:
    """The drawn table's pages after the first (which is on the task page): ``<task>/drawn/2/``, …,
    each with the task page's sources and search facets, so that an enterprise found by name in
    the search lands on the page that holds its row."""
    draw: DrawView | None = task_page.data.get("draw")
    if draw is None or draw.targets.part_of is None:
        return []
    task: Task = task_page.data["task"]
    agency, year = task_page.url.split("/")[:2]
    whole = draw.targets.part_of.table
    parts = drawn_parts(agency, int(year), task.id, whole)
    out = []
    for page, table in enumerate(parts[1:], start=2):
        at = drawn_pager(agency, int(year), task.id, page, len(whole.rows))
        out.append(SitePage(
            url=urls.drawn(agency, int(year), task.id, page),
            template="drawn.html",
            title=f"{task_page.title}：抽中的单位（第 {page} 页）",
            crumbs=(*task_page.crumbs, Link(f"{task.id} {task.name}", task_page.url)),
            sources=task_page.sources,
            depends=task_page.depends,
            description=clip(f"{task_page.title}抽中的单位和检查组第 {page}/{at.pages} 页：按签号排列的第 "
                             f"{at.first_row}–{at.last_row} 家（共 {len(whole.rows)} 家），"
                             "列明检查结果、检查组、权重和签号。"),
            # Not the draw view: its other tables are the task page's (page_tables, downloads).
            data={"task": task, "task_url": task_page.url, "table": table, "pager": at,
                  "verifier": task_page.data.get("verifier") is not None},
        ))
    return out
