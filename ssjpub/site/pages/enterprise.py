"""An enterprise's record (企业抽查档案): for every enterprise an agency ever drew, named in a
non-random task or published a result for, one page with each draw it was in (ticket, rank,
weight and why), its inspector group, its results and follow-ups, and its non-random inspections
apart; and the agency's list of these records, paged like the enterprise list.

Everything comes from the committed records (draw records, plans, results, snapshots), never
recomputed: the page shows what the task pages show, gathered per enterprise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ssjpub.loader.repository import AgencyData
from ssjpub.model import Target, Task
from ssjpub.site import directory, urls
from ssjpub.site.pages.common import (
    NON_RANDOM_LABEL, Link, SitePage, _agency_crumbs, _day, _name, _short, clip, is_random, task_of,
)
from ssjpub.site.tables import Table, cell, columns

Facts = list[tuple[str, list[str]]]

INDEX_COLUMNS = ("单位名称", "统一社会信用代码", "区域", "随机抽中", "非随机检查", "最近结果")
NOT_LISTED = "本档案只列出本单位被抽中或被检查的任务；本单位参加抽取但未被抽中的任务不逐一列出（每次抽取的可抽单位有数百家），可在各任务页面的抽取记录中核对。"
# What every record's facts mean, said once on the list of records (enterprises.html, #read-h),
# which each record links to: a county has thousands of records, each said it again.
READING = (
    ("抽取日期", "公开随机数公布之日，即抽取之日"),
    ("抽中顺序", "按签号从小到大的位次，即检查顺序；括号中是这次抽中的家数"),
    ("权重、签", "权重是本单位的签数（及加权的原因），“签”是其中签号最小、被取中的一张"),
    ("签号、检查组", "取自该任务已提交的抽取记录，可在任务页面上重新核对；检查组第一人为组长"),
)


@dataclass(frozen=True)
class Visit:
    """One task the enterprise was in: drawn, named by a complaint or referral, or inspected."""

    anchor: str
    year: int
    task_id: str
    task: Link
    source: str  # 随机抽查 / 投诉举报（非随机）…
    random: bool
    draw: Facts  # empty for a non-random task
    group: Facts
    result: Facts
    category: str  # the result's category, "" before the results are published
    row: str = ""  # its row in the task's drawn table (urls.drawn_row), "" if not drawn


@dataclass(frozen=True)
class Identity:
    code: str
    name: str
    area: str
    industry: str
    snapshot: str  # the day of the snapshot these come from, "" when only a draw record has them
    snapshot_file: str


def record_codes(data: AgencyData) -> frozenset[str]:
    """Every credit code with a record: drawn in any draw, named in a non-random task, or with a result."""
    codes: set[str] = set()
    for rec in data.draws.values():
        codes.update(t["code"] for t in rec.data.get("targets", []))
    for plan in data.plans.values():
        for task in plan.model.tasks:
            if not is_random(task):
                codes.update(task.targets)
    for loaded in data.results.values():
        codes.update(r.target for r in loaded.model.results)
    return frozenset(codes)


def _tasks_of(data: AgencyData) -> dict[str, list[tuple[int, str]]]:
    """Per credit code, the (year, task id) it appears in, in plan order."""
    found: dict[str, set[tuple[int, str]]] = {}
    for (year, task_id), rec in data.draws.items():
        for t in rec.data.get("targets", []):
            found.setdefault(t["code"], set()).add((year, task_id))
    for year, plan in data.plans.items():
        for task in plan.model.tasks:
            if not is_random(task):
                for code in task.targets:
                    found.setdefault(code, set()).add((year, task.id))
    for (year, task_id), loaded in data.results.items():
        for r in loaded.model.results:
            found.setdefault(r.target, set()).add((year, task_id))
    order = {(y, t.id): i for y, plan in data.plans.items() for i, t in enumerate(plan.model.tasks)}
    return {code: sorted(keys, key=lambda k: (k[0], order.get(k, len(order)), k[1])) for code, keys in found.items()}


def _identities(data: AgencyData, codes: frozenset[str]) -> dict[str, Identity]:
    """Name, area and industry from the latest snapshot that has the enterprise."""
    out: dict[str, Identity] = {}
    for day in sorted(data.snapshots, reverse=True):
        s = data.snapshots[day]
        for t in s.targets:
            if t.credit_code in codes and t.credit_code not in out:
                out[t.credit_code] = Identity(t.credit_code, t.name, t.area, t.industry, _day(day), s.file)
    for rec in data.draws.values():  # a draw record's own copy, for a code no snapshot holds
        for t in rec.data.get("targets", []):
            if t["code"] not in out:
                out[t["code"]] = Identity(t["code"], t["name"], t["area"], t["industry"], "", "")
    for code in codes - out.keys():
        out[code] = Identity(code, code, "", "", "", "")
    return out


def weight_reasons(weights: dict, grade: str, snapshot_row: Target | None) -> list[str]:
    """Which of the task's weight factors applied (ssjpub.draw.engine.weight_of), from the draw
    record's parameters, its grade and the drawn snapshot's row."""
    lines = []
    by_grade = (weights.get("grade") or {}).get(grade)
    if by_grade:
        lines.append(f"诚信等级 {grade} 级：×{by_grade}")
    complaints = weights.get("complaints")
    if complaints and snapshot_row is not None and snapshot_row.complaints >= complaints["at_least"]:
        lines.append(f"投诉举报 {snapshot_row.complaints} 件（不少于 {complaints['at_least']} 件）：×{complaints['weight']}")
    serious = weights.get("serious_violation")
    if serious and snapshot_row is not None and snapshot_row.serious_violation:
        lines.append(f"有严重违法记录：×{serious}")
    return lines or ["不适用任何加权因素"]


def _person(pool: dict[str, dict], ident: str) -> str:
    p = pool.get(ident)
    return f"{p['name']}（{ident}）" if p and p.get("name") else ident


class _Draws:
    """The agency's draw records read once for all its enterprises: per task, rows by code."""

    def __init__(self, data: AgencyData) -> None:
        self.data = data
        self._rows: dict[tuple[int, str], tuple[dict, dict, dict, dict]] = {}
        self._snapshots: dict[str, dict[str, Target]] = {}
        self._index: dict[tuple[int, str], dict[str, int]] = {}

    def of(self, key: tuple[int, str]) -> tuple[dict, dict, dict, dict] | None:
        """(record, targets by code, groups by target, pool by id) of a task's draw."""
        rec = self.data.draws.get(key)
        if rec is None:
            return None
        if key not in self._rows:
            d = rec.data
            self._rows[key] = (
                d,
                {t["code"]: t for t in d.get("targets", [])},
                {g["target"]: g for g in d.get("groups", [])},
                {p["id"]: p for p in d.get("inspectors", {}).get("pool", [])},
            )
        return self._rows[key]

    def rank_index(self, key: tuple[int, str], code: str) -> int | None:
        """The 0-based position of ``code`` among a draw's targets (ticket order), None if not drawn."""
        found = self.of(key)
        if found is None:
            return None
        if key not in self._index:
            self._index[key] = {c: i for i, c in enumerate(found[1])}
        return self._index[key].get(code)

    def snapshot_row(self, day: str | None, code: str) -> Target | None:
        if not day:
            return None
        if day not in self._snapshots:
            s = self.data.snapshots.get(date.fromisoformat(day))
            self._snapshots[day] = {t.credit_code: t for t in s.targets} if s else {}
        return self._snapshots[day].get(code)

    def announced_on(self, key: tuple[int, str]) -> str:
        r = self.data.randomness.get(key)
        return "、".join(dict.fromkeys(_day(e.announced_on) for e in r.model.sources)) if r else ""


def _draw_facts(draws: _Draws, key: tuple[int, str], code: str) -> tuple[Facts, Facts]:
    found = draws.of(key)
    if found is None or code not in found[1]:
        return [], []
    rec, targets, groups, pool = found
    t = targets[code]
    params = rec.get("parameters", {})
    facts: Facts = [
        ("抽取日期", [draws.announced_on(key)] if draws.announced_on(key) else []),
        ("抽中顺序", [f"第 {t['rank']} 家（共 {len(targets)} 家）"]),
        ("层", [t["stratum"]] if t.get("stratum") else []),
        ("批次", [f"第 {t['batch']} 批（共 {params['batches']} 批）"] if params.get("batches") else []),
        ("权重", [f"{t['weight']} 张签", *weight_reasons(params.get("weights", {}), t["grade"],
                                                      draws.snapshot_row(params.get("snapshot"), code))]),
        ("签", [f"第 {t['copy']} 张"]),
        ("签号", [t["ticket"]]),
    ]
    group: Facts = []
    g = groups.get(code)
    if g is not None:
        members = [m for m in g["members"] if m != g["leader"]]
        notes = []
        if g.get("recused"):
            notes.append(f"申报回避的 {len(g['recused'])} 人不参加")
        if g.get("previous"):
            notes.append(f"上次检查本单位的 {len(g['previous'])} 人不参加")
        group = [
            ("组长", [_person(pool, g["leader"])]),
            ("组员", [_person(pool, m) for m in members]),
            ("回避", ["；".join(notes)] if notes else ["无"]),
        ]
    return [(k, v) for k, v in facts if v], [(k, v) for k, v in group if v]


def _result_facts(data: AgencyData, key: tuple[int, str], code: str) -> tuple[Facts, str]:
    loaded = data.results.get(key)
    found = [r for r in loaded.model.results if r.target == code] if loaded else []
    if not found:
        return [("检查结果", ["尚未公示（结果在任务完成后 20 个工作日内公示）"])], ""
    facts: Facts = []
    for r in found:
        facts += [("结果类别", [r.category]), ("检查日期", [_day(r.inspected_on)]),
                  ("办结日期", [_day(r.completed_on)] if r.completed_on else [])]
        if r.withheld is not None:
            w = r.withheld
            facts.append(("依法不予公开", [f"{w.reason}（依据：{w.legal_basis}；批准：{w.approved_by}）"]))
            continue
        facts += [("发现的问题", [r.findings] if r.findings else []), ("处理情况", [r.handling] if r.handling else [])]
        if r.follow_up is not None:
            facts.append(("整改回访", [f"{_day(r.follow_up.visited_on)} {r.follow_up.outcome}"]))
    if loaded.model.published_on:
        facts.append(("结果公示日期", [_day(loaded.model.published_on)]))
    return [(k, v) for k, v in facts if v], found[-1].category


def visits(data: AgencyData, code: str, keys: list[tuple[int, str]], draws: _Draws) -> list[Visit]:
    out = []
    for year, task_id in keys:
        task: Task | None = task_of(data.plans[year].model, task_id) if year in data.plans else None
        name = task.name if task else ""
        random = task is None or is_random(task)
        draw, group = _draw_facts(draws, (year, task_id), code) if random else ([], [])
        result, category = _result_facts(data, (year, task_id), code)
        index = draws.rank_index((year, task_id), code) if random else None
        out.append(Visit(
            anchor=urls.visit_anchor(year, task_id),
            year=year,
            task_id=task_id,
            task=Link(f"{year} 年 {task_id} {name}".rstrip(), urls.task(data.code, year, task_id)),
            source="随机抽查" if random else f"{task.basis}（非随机，未经抽取）",
            random=random,
            draw=draw,
            group=group,
            result=result,
            category=category,
            row="" if index is None else urls.drawn_row(data.code, year, task_id, index, code),
        ))
    return out


def enterprise_page(data: AgencyData, who: Identity, found: list[Visit], sources: tuple[str, ...],
                    depends: tuple[str, ...]) -> SitePage:
    drawn = sum(v.random and bool(v.draw) for v in found)
    other = sum(not v.random for v in found)
    facts = [("统一社会信用代码", who.code), ("单位名称", who.name), ("区域", who.area), ("行业", who.industry),
             ("名录快照", who.snapshot)]
    return SitePage(
        url=urls.enterprise(data.code, who.code),
        template="enterprise.html",
        title=f"{who.name} 抽查档案",
        crumbs=(*_agency_crumbs(data), Link("企业抽查档案", urls.enterprises(data.code))),
        sources=sources,
        depends=depends,
        description=enterprise_description(data, who, found),
        data={
            "who": who,
            "facts": [(k, v) for k, v in facts if v],
            "random_visits": [v for v in found if v.random],
            "other_visits": [v for v in found if not v.random],
            "drawn": drawn,
            "other": other,
            "reading": urls.enterprises(data.code) + "#read-h",
            "non_random_label": NON_RANDOM_LABEL,
            "latest": latest_result(found),
        },
    )


def latest_result(found: list[Visit]) -> str:
    """The category of the last task (in year and plan order) with a published result."""
    last = next((v for v in reversed(found) if v.category), None)
    return f"{last.year} 年 {last.category}" if last else ""


def enterprise_description(data: AgencyData, who: Identity, found: list[Visit]) -> str:
    drawn = sum(v.random and bool(v.draw) for v in found)
    other = sum(not v.random for v in found)
    parts = [f"随机抽中 {drawn} 次"] + ([f"投诉举报/转办交办（非随机）检查 {other} 次"] if other else [])
    if latest_result(found):
        parts.append(f"最近结果：{latest_result(found)}")
    return clip(f"{who.name}（统一社会信用代码 {who.code}）{_short(data)}抽查档案：" + "，".join(parts)
                + "；含签号、权重、检查组和检查结果。")


def enterprise_pages(data: AgencyData, codes: frozenset[str] | None = None) -> list[SitePage]:
    """The records of an agency's enterprises (by credit code), then the pages of their list."""
    codes = record_codes(data) if codes is None else codes
    if not codes:
        return []
    keys = _tasks_of(data)
    who = _identities(data, codes)
    draws = _Draws(data)
    pages = []
    for code in sorted(codes):
        found = visits(data, code, keys.get(code, []), draws)
        sources, depends = _files(data, who[code], keys.get(code, []))
        pages.append(enterprise_page(data, who[code], found, sources, depends))
    by_code = {p.data["who"].code: p for p in pages}
    return pages + index_pages(data, [by_code[c] for c in sorted(codes, key=lambda c: (who[c].area, c))])


def _files(data: AgencyData, who: Identity, keys: list[tuple[int, str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    sources = [f.file for k in keys for f in (data.draws.get(k), data.results.get(k)) if f is not None]
    sources += [data.plans[y].file for y in sorted({y for y, _ in keys}) if y in data.plans]
    if who.snapshot_file:
        sources.append(who.snapshot_file)
    depends = [data.randomness[k].file for k in keys if k in data.randomness]
    return tuple(dict.fromkeys(sources)), tuple(dict.fromkeys(depends))


def index_pages(data: AgencyData, records: list[SitePage]) -> list[SitePage]:
    """The agency's records, by area then credit code, PAGE_SIZE a page; the first row of each
    area carries the anchor the area index (here and on the agency page) links to."""
    size = directory.PAGE_SIZE
    pages = directory.page_count(len(records))
    who = [p.data["who"] for p in records]
    areas = directory.area_starts(data.code, who, urls.enterprises)
    firsts = {i for i, w in enumerate(who) if i == 0 or who[i - 1].area != w.area}
    rows = tuple(
        (
            cell(p.data["who"].name, url=p.url, anchor=urls.area_anchor(i) if i in firsts else None),
            cell(p.data["who"].code),
            cell(p.data["who"].area),
            cell(p.data["drawn"]),
            cell(p.data["other"]),
            cell(p.data["latest"] or "尚未公示"),
        )
        for i, p in enumerate(records)
    )
    whole = Table(
        key="enterprises",
        caption=f"{_short(data)}企业抽查档案（共 {len(records)} 家）",
        columns=columns(*INDEX_COLUMNS, numeric=("随机抽中", "非随机检查")),
        rows=rows,
        sources=tuple(dict.fromkeys(s for p in records for s in p.sources)),
    )
    tables = directory.paged(whole, urls.enterprises(data.code), "enterprises",
                             lambda page, pages: f"{_short(data)}企业抽查档案（第 {page} 页，共 {pages} 页）")
    out = []
    for page in range(1, pages + 1):
        first = (page - 1) * size
        chunk = records[first: first + size]
        table = tables[page - 1]
        out.append(SitePage(
            url=urls.enterprises(data.code, page),
            template="enterprises.html",
            title=f"{_name(data)}企业抽查档案" + (f"（第 {page} 页）" if page > 1 else ""),
            crumbs=_agency_crumbs(data),
            sources=tuple(dict.fromkeys(s for p in chunk for s in p.sources)),
            depends=tuple(dict.fromkeys(s for p in chunk for s in p.depends)),
            description=clip(f"{_name(data)}企业抽查档案第 {page}/{pages} 页：共 {len(records)} 家单位被随机抽中或被检查，"
                             "每家一页，列出抽取、检查组和检查结果。"),
            data={
                "total": len(records),
                "areas": areas,
                "pager": directory.pager(data.code, page, pages, len(records), url=urls.enterprises),
                "table": table,
                "not_listed": NOT_LISTED,
                "reading": READING,
            },
        ))
    return out


def record_areas(pages: list[SitePage]) -> tuple[int, list[directory.AreaStart]]:
    """How many records an agency has and where each area's begin, for the agency page."""
    index = next((p for p in pages if p.template == "enterprises.html"), None)
    return (index.data["total"], index.data["areas"]) if index else (0, [])
