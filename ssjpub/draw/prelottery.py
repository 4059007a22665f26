"""What a task's draw will meet, decided before its randomness exists (issue 14, item 1).

The seed only orders candidates; everything that can make `draw` refuse or a later `check` fail
is a function of the snapshot, the task, the roster and the agency's earlier records: how many
candidates each stratum has and so how many are drawn (engine.stratum_count), and who may
inspect each enterprise (engine.selectable). This module asks those engine functions for the
worst case over every seed, so a task with no gap here cannot fail for any randomness.

Earlier random tasks of the agency that are not drawn yet (the draw keeps plan order) will be
drawn first, and their records change two inputs: enterprises they draw may reach the yearly cap,
and a group they name becomes the enterprise's last inspectors. Both are bounded here: at most
as many enterprises as such a task can draw, and at most its `group_size` of this task's
selectable inspectors. The engine's load only orders inspectors (least-loaded first) and never
refuses, so the worst assignment is the same as any: the per-enterprise count decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ssjpub.draw.engine import (
    OTHER, YEARLY_CAP, PriorDraws, candidates_of, later_draws, made_at, roster_section, selectable, stratum_count,
    with_exclusions,
)
from ssjpub.loader.repository import AgencyData
from ssjpub.model import Task

# Why a roster entry is not selectable, as engine.with_exclusions words it, and the field to fix.
EXCLUSION_FIELD = {"不在岗": "active", "不具备资格": "qualifications", "监察证在任务结束前到期": "cert_expires"}


@dataclass(frozen=True)
class Gap:
    """One thing to fix before the lottery: where (a path in the task, or a roster entry's index
    and field) and what, in words."""

    message: str
    path: tuple = ()  # in the task's mapping in plan.yaml
    inspector: int | None = None  # index in inspectors.yaml's `inspectors`, else the task
    secondary: bool = False  # fixing it cannot make the task drawable: another gap decides


@dataclass
class Forecast:
    eligible: int = 0  # candidates with the current records (the most the draw can have)
    strata: list[tuple[str, int, int, int]] = field(default_factory=list)  # (stratum, most, fewest, count)
    target_gaps: list[Gap] = field(default_factory=list)
    inspector_gaps: list[Gap] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # earlier tasks still to be drawn, "year/task"
    fewest_inspectors: int | None = None
    secondary: str = ""  # why the secondary gaps cannot decide, in words


@dataclass(frozen=True)
class _Earlier:
    """An earlier task still to be drawn: which enterprises it could draw, how many at most, and
    which inspectors could form its groups."""

    key: str
    year: int
    codes: frozenset[str]
    most: int
    ids: frozenset[str]
    size: int


def _roster(data: AgencyData, task: Task) -> dict:
    section = roster_section(data.inspectors.model if data.inspectors else None,
                             data.checklist.model if data.checklist else None, task,
                             f"plans/{data.code}/inspectors.yaml")
    return with_exclusions(section, task)


def _earlier(data: AgencyData, year: int, task: Task) -> list[_Earlier]:
    here = made_at(data, year, task.id)
    out = []
    for y, plan in sorted(data.plans.items()):
        for t in plan.model.tasks:
            key = (y, t.id)
            if (t.basis != "随机抽查" or key in data.draws or key in data.failures
                    or made_at(data, y, t.id) >= here):
                continue
            snapshot = data.snapshots.get(t.snapshot) if t.snapshot else None
            if snapshot is None:
                continue  # it cannot be drawn at all: its own check says so
            # No cap counted: the most candidates, so the most it can draw.
            pick = candidates_of(snapshot, t, {})
            sizes = pick.sizes()
            most = 0
            for stratum, size in sizes.items():
                found = stratum_count(t, stratum, size)
                most += size if found is None else min(found[0], size)
            ids = frozenset(p["id"] for p in _roster(data, t)["pool"] if not p["excluded"])
            out.append(_Earlier(f"{y}/{t.id}", y, frozenset(c.code for c in pick.candidates), most, ids, t.group_size))
    return out


def _most_capped(needs: list[int], budget: int) -> int:
    """The most enterprises that `budget` draws can bring to the cap, each needing its draws:
    the cheapest first."""
    capped = 0
    for need in sorted(needs):
        if need > budget:
            break
        budget -= need
        capped += 1
    return capped


def forecast(data: AgencyData, year: int, task: Task) -> Forecast:
    """The worst case of the task's draw over every seed, with the current snapshot, roster and
    records. The task is random, not drawn, and its snapshot exists (the caller checks)."""
    snapshot = data.snapshots[task.snapshot]
    prior = PriorDraws.before(data, year, task.id)
    times = prior.times(year)
    earlier = _earlier(data, year, task)
    out = Forecast(pending=[e.key for e in earlier])
    same_year = [e for e in earlier if e.year == year]

    later = later_draws(data, year, task.id)
    if later:  # ssjpub draw refuses: the later records counted without this one
        out.target_gaps.append(Gap(
            f"排在它后面的任务 {'、'.join(f'{y}/{t}' for y, t in later)} 已经抽取，本任务不能再按现在的位置抽取"
            "（抽取须按年度计划中的任务顺序进行）：把本任务移到年度计划的末尾"))
    pick = candidates_of(snapshot, task, times)
    sizes = pick.sizes()
    out.eligible = len(pick.candidates)
    if not pick.candidates:
        out.target_gaps.append(Gap("按抽查范围筛选后没有可抽单位：放宽 scope，或换用包含这些单位的名录快照", ("scope",)))
    # Enterprises an earlier task of the year could still bring to the yearly cap, per stratum,
    # with the draws each still needs; those tasks draw `budget` enterprises at most in all.
    needs: dict[str, list[int]] = {}
    for c in pick.candidates:
        need = YEARLY_CAP - times.get(c.code, 0)
        if sum(1 for e in same_year if c.code in e.codes) >= need:
            needs.setdefault(c.stratum, []).append(need)
    budget = sum(e.most for e in same_year)
    fewest_total = 0
    for stratum in sorted(sizes):
        size = sizes[stratum]
        fewest = size - _most_capped(needs.get(stratum, []), budget)
        fewest_total += fewest
        found = stratum_count(task, stratum, size)
        if found is None:
            out.target_gaps.append(Gap(
                f"分层“{stratum}”有 {size} 家可抽单位，但没有规定比例：在 strata.ratios 中为它写比例，"
                f"或用“{OTHER}”规定其余各层", ("strata", "ratios")))
            continue
        n = found[0]
        out.strata.append((stratum, size, fewest, n))
        # A ratio is taken of the stratum as the draw finds it (never more than it has); a fixed
        # count is not, so it must fit the fewest the earlier draws can leave.
        fixed = task.strata is None and task.ratio is None
        if n > size or (fixed and n > fewest):
            label = f"分层“{stratum}”" if stratum else ""
            if n > size:
                why = f"{label}只有 {size} 家可抽单位"
            else:
                why = (f"{label}现有 {size} 家可抽单位，但排在前面、尚未抽取的任务 {'、'.join(e.key for e in same_year)}"
                       f"抽取后，其中最多 {size - fewest} 家可能达到本年度 {YEARLY_CAP} 次的上限，最少只剩 {fewest} 家")
            out.target_gaps.append(Gap(f"要求抽取 {n} 家，{why}：减少 count，或改用比例（ratio）", ("count",)))
    if pick.candidates and fewest_total == 0:
        out.target_gaps.append(Gap(
            f"排在前面、尚未抽取的任务 {'、'.join(e.key for e in same_year)}抽取后，本任务可能没有可抽单位"
            f"（都达到本年度 {YEARLY_CAP} 次的上限）：放宽 scope，或调整任务", ("scope",)))

    _inspectors(data, task, pick.candidates, prior, earlier, out)
    return out


def _inspectors(data: AgencyData, task: Task, candidates, prior: PriorDraws, earlier: list[_Earlier],
                out: Forecast) -> None:
    roster = _roster(data, task)
    pool = roster["pool"]
    base = [p for p in pool if not p["excluded"]]
    size = task.group_size
    short: list[tuple[int, str, str]] = []  # (fewest, code, why)
    ids = frozenset(p["id"] for p in base)
    recusing: dict[str, set[str]] = {}
    for p in base:
        for code in p["conflicts"]:
            recusing.setdefault(code, set()).add(p["id"])
    # Enterprises alike in who recuses, who inspected them last and which earlier tasks could draw
    # them have the same worst case: the engine's selectable() is asked once per kind, not per row
    # (a province snapshot has a million rows and a few kinds).
    seen: dict[tuple, tuple[int, str]] = {}
    for c in candidates:
        later = tuple(e for e in earlier if c.code in e.codes)
        key = (frozenset(recusing.get(c.code, ())), ids & frozenset(prior.previous.get(c.code, ())), later)
        if key not in seen:
            eligible, recused, barred = selectable(base, c.code, prior.previous)
            free = ids - set(recused)
            worst, why = len(eligible), f"上次检查过该单位 {len(barred)} 人" if barred else ""
            for e in later:  # an earlier task's group could become its last inspectors
                taken = min(e.size, len(free & e.ids))
                if len(free) - taken < worst:
                    worst, why = len(free) - taken, f"排在前面、尚未抽取的任务 {e.key} 的检查组可能占去 {taken} 人"
            seen[key] = (worst, "，".join(w for w in (f"回避 {len(recused)} 人" if recused else "", why) if w))
        worst, why = seen[key]
        out.fewest_inspectors = worst if out.fewest_inspectors is None else min(out.fewest_inspectors, worst)
        if worst < size:
            short.append((worst, c.code, why))
    if not short:
        return
    short.sort()
    fewest, code, why = short[0]
    excluded = len(pool) - len(base)
    whose = "每家可抽单位" if len(short) == len(candidates) else f"{len(candidates)} 家可抽单位中有 {len(short)} 家"
    may = "可能" if any("尚未抽取的任务" in w for _, _, w in short) else ""
    head = (f"每组需要 {size} 名检查人员，但{whose}的可选检查人员{may}不足，最少的 {code} 只有 {fewest} 名"
            f"（实施股室共 {len(pool)} 人，其中不在岗、无资格或监察证在任务结束前到期 {excluded} 人"
            f"{'，' + why if why else ''}）")
    # The decisive fix first: a smaller group (never under 2) or another department; more staff
    # in the roster after them.
    fixes = ([f"减少 group_size（至多 {fewest}）"] if fewest >= 2 else []) + [
        "在 departments 中加入其他股室", "在执法检查人员名录中为实施股室增加具备资格的人员"]
    fix = "：" + "，或".join(fixes)
    out.inspector_gaps.append(Gap(head + fix, ("group_size",)))
    if data.inspectors is None:
        return
    index = {p.id: i for i, p in enumerate(data.inspectors.model.inspectors)}
    # Even with every excluded entry restored, the fewest cannot pass this bound: below the group,
    # updating the roster alone cannot make the task drawable.
    most = fewest + excluded
    secondary = most < size
    if secondary:
        out.secondary = (f"即使这 {excluded} 人都能参加，可选检查人员最多 {most} 名，仍少于每组 {size} 名："
                         "改正上面一处之后就不必再改")
    for p in pool:
        for reason in p["excluded"]:
            what = {"不在岗": "不在岗（active: false）",
                    "不具备资格": f"不具备任务所需的资格（{'、'.join(roster['requirements'])}）",
                    "监察证在任务结束前到期": f"监察证 {p['cert_expires']} 到期，早于任务 {task.id} 的结束日 {task.window.end.isoformat()}"}[reason]
            out.inspector_gaps.append(Gap(
                f"检查人员 {p['id']} {what}，不能参加任务 {task.id}，而该任务的可选检查人员不足：如已换证、取得资格或回到岗位，"
                "请更新名录" + (f"（次要：仅更新名录不够，可选检查人员最多 {most} 名，仍少于每组 {size} 名，"
                               "须先减少 group_size 或在 departments 中加入其他股室）" if secondary else ""),
                (EXCLUSION_FIELD[reason],), index[p["id"]], secondary))
