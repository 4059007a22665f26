"""A task's committed draw record as its page shows it: inputs, seed, strata, drawn targets, groups.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ssjpub.digits import is_ascii_int
from ssjpub.loader.repository import AgencyData
from ssjpub.model import Task
from ssjpub.site import directory, urls
from ssjpub.site.commands import seed_argv
from ssjpub.site.pages.common import _day, _result_cells
from ssjpub.site.tables import Cell, Shown, Table, cell, columns


SEED_FIELDS = ("算法", "用途", "机关代号", "年度", "任务编号", "名录快照的 SHA-256", "任务参数的 SHA-256", "公开随机数规范值")
STRATA_COLUMNS = ("层", "可抽单位数", "比例或数量", "抽取数", "截止签号")
GROUP_COLUMNS = ("组长", "组员", "回避人数", "上次检查人员数")
FOLD_OVER = 50  # rows: a longer table is folded until opened (a phone shows each row as a card)


@dataclass(frozen=True)
class PriorYear:
    """The earlier draws of one year that a record names (its `prior_draws`), by task id: their
    records, sizes and SHA-256 are listed once, on that year's plan page (`url`; "" for a year
    this agency has no plan of), not again on every later task page."""

    year: str
    tasks: tuple[str, ...]
    url: str
    whole: bool  # every draw record of that year: the page says so rather than naming each


def prior_years(data: AgencyData, refs: list) -> list[PriorYear]:
    """`refs` ("2016/2016-01", …, in the record's order) grouped by year, in that order."""
    by_year: dict[str, list[str]] = {}
    for ref in refs:
        y, _, t = str(ref).partition("/")
        by_year.setdefault(y, []).append(t)
    out = []
    for y, ts in by_year.items():
        known = is_ascii_int(y) and int(y) in data.plans
        drawn = {t for (year, t) in data.draws if str(year) == y}
        out.append(PriorYear(y, tuple(ts), f"{urls.plan(data.code, int(y))}#records-h" if known else "",
                             known and len(ts) == len(set(ts)) and set(ts) == drawn))
    return out


@dataclass(frozen=True)
class DrawView:
    """A committed draw record, as the task page shows it."""

    file: str
    yaml_file: str | None
    algorithm: str
    population: tuple[str, str, int]  # file, sha256, rows
    parameters_sha256: str
    randomness_file: str
    canonical: str
    announced_on: str
    evidence: str
    numbers: list[str]  # the public values as committed, one line per group (or the digits)
    seed: str
    seed_inputs: list[tuple[str, str]]
    seed_argv: tuple[str, ...]  # the one-line Python command that recomputes the seed
    prior_draws: list[PriorYear]
    prior_count: int
    eligible: int
    inactive: int
    out_of_scope: int
    capped: list[str]
    drawn: int
    strata: Table
    targets: Table  # the drawn enterprises with their groups (drawn_table): its first page
    pager: directory.Pager | None  # where the pages of the drawn table are, if more than one
    batches: int | None
    group_size: int
    requirements: list[str]
    inspectors_file: str
    pool_size: int
    candidates: int


def _values_text(entry) -> list[str]:
    if entry.numbers:
        return [" ".join(str(n) for n in group) for group in entry.numbers]
    if entry.digits:
        return [entry.digits]
    return [f"drand 第 {entry.round} 轮，签名 {entry.signature}"]


def _inspector_name(pool: dict[str, dict], ident: str) -> str:
    p = pool.get(ident)
    return f"{p['name']}（{ident}）" if p and p.get("name") else ident  # a name may be absent (null)


def _group_lines(pool: dict[str, dict], g: dict | None) -> tuple[Cell, ...]:
    """The group's leader first, then the other members; who could not be sent, if anyone."""
    if g is None:
        return ()
    names = [_inspector_name(pool, g["leader"])] + [_inspector_name(pool, m) for m in g["members"] if m != g["leader"]]
    notes = [f"{mark} {len(g[key])}" for key, mark in GROUP_MARKS if g.get(key)]
    return (cell(names), *((cell("，".join(notes)),) if notes else ()))


# Who could not be sent, as a short mark in the group's cell (the legend above the table says it
# in full once, rather than every row "上次检查本单位的 2 人不参加").
GROUP_MARKS = (("recused", "回避"), ("previous", "上次"))
GROUP_LEGEND = "检查组一格末尾的“回避 n”是申报回避而不参加的人数，“上次 n”是上次检查过本单位而不参加的人数"


def result_parts(code: str, r: Any) -> tuple[Cell, ...]:
    """A drawn enterprise's published result in its row of the drawn table (issue 16 item 7: a
    second table repeated every name and code): the category, anchored #r- (links to a result
    land here), the dates, and what was found, how it was handled and the follow-up, if any."""
    if r is None:
        return (cell("尚未公示"),)
    _name, _code, category, inspected, completed, findings, handling, follow = _result_cells(r, {})
    day, done = inspected.text, completed.text
    dates = f"检查、办结 {day}" if day == done else f"检查 {day}，办结 {done}" if done else f"检查 {day}"
    parts = [cell(category.text, anchor=urls.result_anchor(code)), cell(dates)]
    if r.withheld is not None:  # the reason it is withheld, as the results download says it
        return (*parts, findings)
    for label, c in (("发现的问题", findings), ("处理情况", handling), ("整改回访", follow)):
        if c.lines:
            parts.append(cell(f"{label}：{c.text}"))
    return tuple(parts)


def drawn_table(agency: str, rec: dict, results: dict[str, Any], pool: dict[str, dict]) -> Table:
    """One row per drawn enterprise, in rank order, with its group and its result (issue 16 item 7:
    the groups were a second table repeating every name). The download keeps one column per fact;
    the page shows them in seven cells, the rank being the row's header and the #t- anchor."""
    targets = rec.get("targets", [])
    batches = rec.get("parameters", {}).get("batches")
    stratified = any(t["stratum"] for t in targets)
    groups = {g["target"]: g for g in rec.get("groups", [])}
    titles = ["顺序", "统一社会信用代码", "单位名称", "检查结果", "区域", "行业", "诚信等级"]
    titles += ["层"] if stratified else []
    titles += ["权重", "签", "签号"] + (["批次"] if batches else []) + list(GROUP_COLUMNS)
    rows, shown = [], []
    for t in targets:
        code = t["code"]
        r = results.get(code)
        g = groups.get(code)
        row = [cell(t["rank"]), cell(code), cell(t["name"]), cell(r.category if r else "尚未公示"),
               cell(t["area"]), cell(t["industry"]), cell(t["grade"])]
        row += [cell(t["stratum"])] if stratified else []
        row += [cell(t["weight"]), cell(t["copy"]), cell(t["ticket"])] + ([cell(t["batch"])] if batches else [])
        row += [cell(_inspector_name(pool, g["leader"])), cell([_inspector_name(pool, m) for m in g["members"]]),
                cell(len(g.get("recused", []))), cell(len(g.get("previous", [])))] if g else [cell()] * 4
        rows.append(tuple(row))
        weight = f"诚信等级 {t['grade']}，权重 {t['weight']}，第 {t['copy']} 张签" if t["grade"] else \
            f"权重 {t['weight']}，第 {t['copy']} 张签"
        shown.append((
            (cell(t["rank"], anchor=urls.target_anchor(code)), *((cell(f"第 {t['batch']} 批"),) if batches else ())),
            (cell(t["name"], url=urls.enterprise(agency, code)), cell(code)),
            result_parts(code, r),
            _group_lines(pool, g),
            (cell([t["area"], t["industry"]]),),
            (*((cell(f"层：{t['stratum']}"),) if stratified else ()), cell(weight)),
            (cell(t["ticket"]),),
        ))
    shown_titles = ("顺序", "检查对象", "检查结果", "检查组", "区域和行业",
                    "层和权重" if stratified else "权重", "签号")
    return Table(
        key="drawn",
        caption=f"抽中的单位和检查组（共 {len(rows)} 家，按签号从小到大排列，即检查顺序）",
        columns=columns(*titles, numeric=("顺序", "权重", "签", "批次", "回避人数", "上次检查人员数")),
        rows=tuple(rows),
        shown=Shown(columns(*shown_titles), tuple(shown)),
        cards=True,  # never folded: a page holds urls.DRAWN_PAGE_SIZE rows, fewer than FOLD_OVER
    )


def drawn_parts(agency: str, year: int, task_id: str, whole: Table) -> list[Table]:
    """The drawn table a page at a time (urls.DRAWN_PAGE_SIZE rows, in ticket order), paged as the
    directory lists are and downloaded whole; a table of one page is the whole table. Every page's
    caption id stays ``cap-drawn`` (one drawn table a page)."""
    size, total = urls.DRAWN_PAGE_SIZE, len(whole.rows)
    if total <= size:
        return [whole]
    parts = directory.paged(whole, urls.task(agency, year, task_id), "drawn", lambda page, pages: (
        f"抽中的单位和检查组（第 {page} 页，共 {pages} 页，共 {total} 家，按签号从小到大排列，即检查顺序）"), size)
    return [replace(t, key="drawn") for t in parts]


def drawn_pager(agency: str, year: int, task_id: str, page: int, total: int) -> directory.Pager:
    pages = directory.page_count(total, urls.DRAWN_PAGE_SIZE)
    return directory.pager(agency, page, pages, total, size=urls.DRAWN_PAGE_SIZE,
                           url=lambda code, n: urls.drawn(code, year, task_id, n))


def draw_view(data: AgencyData, year: int, task: Task, results: dict[str, Any]) -> DrawView | None:
    draw = data.draws.get((year, task.id))
    if draw is None:
        return None
    rec = draw.data
    batches = rec.get("parameters", {}).get("batches")
    insp = rec.get("inspectors", {})
    pool = {p["id"]: p for p in insp.get("pool", [])}
    whole = drawn_table(data.code, rec, results, pool)
    rows = whole.rows
    targets = drawn_parts(data.code, year, task.id, whole)[0]
    strata = Table(
        key="strata",
        caption="各层的抽取数量和截止签号",
        columns=columns(*STRATA_COLUMNS, numeric=("可抽单位数", "抽取数")),
        rows=tuple(
            (cell(s["stratum"] or "（不分层）"), cell(s["eligible"]), cell(s["rule"]), cell(s["count"]), cell(s["cutoff"]))
            for s in rec.get("strata", [])
        ),
    )
    randomness = data.randomness.get((year, task.id))
    numbers: list[str] = []
    announced_on = evidence = ""
    if randomness is not None:
        entries = randomness.model.sources
        announced_on = "、".join(dict.fromkeys(_day(e.announced_on) for e in entries))
        evidence = "；".join(dict.fromkeys(e.evidence for e in entries))
        for e in entries:
            numbers += _values_text(e)
    population = rec.get("population", {})
    values = [
        str(rec.get("algorithm", "")),
        "seed",
        data.code,
        str(year),
        task.id,
        str(population.get("sha256", "")),
        str(rec.get("parameters_sha256", "")),
        str(rec.get("randomness", {}).get("canonical", "")),
    ]
    prior = prior_years(data, rec.get("prior_draws", []))
    eligible = rec.get("eligible", {})
    candidates = sum(1 for p in pool.values() if not p.get("excluded"))
    return DrawView(
        file=draw.file,
        yaml_file=draw.yaml_file,
        algorithm=values[0],
        population=(str(population.get("file", "")), values[5], int(population.get("rows", 0))),
        parameters_sha256=values[6],
        randomness_file=str(rec.get("randomness", {}).get("file", "")),
        canonical=values[7],
        announced_on=announced_on,
        evidence=evidence,
        numbers=numbers,
        seed=str(rec.get("seed", "")),
        seed_inputs=list(zip(SEED_FIELDS, values)),
        seed_argv=seed_argv(values),
        prior_draws=prior,
        prior_count=len(rec.get("prior_draws", [])),
        eligible=int(eligible.get("count", 0)),
        inactive=int(eligible.get("inactive", 0)),
        out_of_scope=int(eligible.get("out_of_scope", 0)),
        capped=list(eligible.get("capped", [])),
        drawn=len(rows),
        strata=strata,
        targets=targets,
        pager=drawn_pager(data.code, year, task.id, 1, len(rows)) if targets.part_of else None,
        batches=batches,
        group_size=int(rec.get("parameters", {}).get("group_size", 2)),
        requirements=list(insp.get("requirements", [])),
        inspectors_file=str(insp.get("file", "")),
        pool_size=len(pool),
        candidates=candidates,
    )
