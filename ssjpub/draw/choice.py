"""How much choice the inspector draw had (docs/draw-spec.md §7): how many candidates each group
was drawn from, after recusal and the previous-inspector rule, and whether that left any.

"No real choice" means: some group had no more candidates than its size (the group is forced:
its members are named, not drawn), or the task has two or more groups and all of them have the
same members (what a pool no larger than the group size gives). Before the lottery the drawn
enterprises are unknown, so every enterprise the draw could pick (active, in scope, under the
yearly cap) counts, which is the worst case.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ssjpub.draw.engine import YEARLY_CAP, PriorDraws, in_scope, roster_section, with_exclusions
from ssjpub.draw.population import population
from ssjpub.loader.repository import AgencyData
from ssjpub.model import Snapshot, Task
from ssjpub.rules.sources import S0_3_3

# (candidates, recused, previous) of one group: the two last counted among the candidates before
# the per-target rules, so one person can be in both (docs/draw-spec.md §7).
Kind = tuple[int, int, int]


@dataclass(frozen=True)
class Choice:
    group_size: int
    pool: int  # members of the task's departments
    base: int  # of them without an exclusion (inactive, unqualified, certificate expiring)
    kinds: tuple[tuple[Kind, int], ...]  # how many groups (or enterprises) of each kind, most candidates first
    distinct: int | None  # distinct member sets among the drawn groups; None before the draw

    @property
    def drawn(self) -> bool:
        return self.distinct is not None

    @property
    def groups(self) -> int:
        return sum(n for _, n in self.kinds)

    @property
    def fewest(self) -> int:
        return min((k[0] for k, _ in self.kinds), default=self.base)

    @property
    def forced(self) -> int:
        """Groups (enterprises, before the draw) whose candidates are no more than the group size;
        with none at all, whether the base itself is."""
        if not self.kinds:
            return int(self.base <= self.group_size)
        return sum(n for k, n in self.kinds if k[0] <= self.group_size)

    @property
    def identical(self) -> bool:
        return self.distinct == 1 and self.groups >= 2

    @property
    def real(self) -> bool:
        return self.forced == 0 and not self.identical


def _choice(size: int, pool: list[dict], kinds: Counter, distinct: int | None) -> Choice:
    base = sum(1 for p in pool if not p.get("excluded"))
    ordered = tuple(sorted(kinds.items(), key=lambda kv: (-kv[0][0], kv[0][1], kv[0][2])))
    return Choice(size, len(pool), base, ordered, distinct)


def _strs(value: object) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def drawn_choice(record: dict) -> Choice:
    """From a draw record alone: its roster section (`excluded` as recorded) and its groups."""
    roster = record.get("inspectors") if isinstance(record.get("inspectors"), dict) else {}
    pool = [p for p in roster.get("pool", []) if isinstance(p, dict)] if isinstance(roster.get("pool"), list) else []
    base = {p.get("id") for p in pool if not p.get("excluded")}
    groups = [g for g in record.get("groups", []) if isinstance(g, dict)] if isinstance(record.get("groups"), list) else []
    kinds: Counter = Counter()
    for g in groups:
        recused, previous = _strs(g.get("recused")) & base, _strs(g.get("previous")) & base
        kinds[(len(base - recused - previous), len(recused), len(previous))] += 1
    members = {frozenset(_strs(g.get("members"))) for g in groups}
    size = record.get("parameters", {}).get("group_size") if isinstance(record.get("parameters"), dict) else None
    return _choice(size if isinstance(size, int) else 2, pool, kinds, len(members))


def expected_choice(task: Task, year: int, roster: dict, snapshot: Snapshot, prior: PriorDraws) -> Choice:
    """Before the lottery: for every enterprise the draw could pick, the candidates its group
    would have, given the roster section (ssjpub.draw.engine.roster_section) and earlier draws."""
    pool = with_exclusions(roster, task)["pool"]
    ids = {p["id"] for p in pool if not p["excluded"]}
    recusing: dict[str, set[str]] = {}
    for p in pool:
        if p["id"] in ids:
            for code in p["conflicts"]:
                recusing.setdefault(code, set()).add(p["id"])
    pop = population(snapshot)
    times = prior.times(year)

    def eligible(code: str) -> bool:
        t = pop.get(code)
        return t is not None and t.active and in_scope(t, task) and times.get(code, 0) < YEARLY_CAP

    in_scope_count = sum(pop.sizes[at] for at, kind in pop.kinds.items() if kind.active and in_scope(kind, task))
    capped = sum(1 for code, n in times.items() if n >= YEARLY_CAP and (t := pop.get(code)) is not None
                 and t.active and in_scope(t, task))
    kinds: Counter = Counter()
    special = sorted(c for c in set(recusing) | set(prior.previous) if eligible(c))
    for code in special:  # only enterprises someone recuses from or inspected last differ from the base
        recused, previous = recusing.get(code, set()), ids & set(prior.previous.get(code, ()))
        kinds[(len(ids - recused - previous), len(recused), len(previous))] += 1
    others = in_scope_count - capped - len(special)
    if others > 0:
        kinds[(len(ids), 0, 0)] += others
    return _choice(task.group_size, pool, kinds, None)


def task_choice(data: AgencyData, year: int, task: Task) -> Choice | None:
    """From the task's draw record once it exists; before, the worst case over its snapshot with
    the current roster and the earlier draws (None without a snapshot)."""
    draw = data.draws.get((year, task.id))
    if draw is not None:
        return drawn_choice(draw.data)
    snapshot = data.snapshots.get(task.snapshot) if task.snapshot else None
    if snapshot is None:
        return None
    roster = roster_section(data.inspectors.model if data.inspectors else None,
                            data.checklist.model if data.checklist else None, task,
                            f"plans/{data.code}/inspectors.yaml")
    return expected_choice(task, year, roster, snapshot, PriorDraws.before(data, year, task.id))


# --- in words (Simplified Chinese), for the task page and the compliance record ----------------------


def _why(kind: Kind, base: int) -> str:
    candidates, recused, previous = kind
    parts = [f"回避 {recused} 名"] if recused else []
    if previous:
        parts.append(f"上次检查过的 {previous} 名")
    both = recused + previous - (base - candidates)
    if both > 0:
        parts.append(f"其中 {both} 名两者皆是")
    return f"（{'，'.join(parts)}）" if parts else ""


def sentence(c: Choice) -> str:
    """“每组从 6 名可选检查人员中抽取 2 名（回避 1 名，上次检查过的 1 名）”, and per kind of group
    where the number varies."""
    if len(c.kinds) <= 1:
        kind = c.kinds[0][0] if c.kinds else (c.base, 0, 0)
        return f"每组从 {kind[0]} 名可选检查人员中抽取 {c.group_size} 名{_why(kind, c.base)}"
    unit = "组" if c.drawn else "家单位"
    most = c.kinds[0][0][0]
    parts = [f"{n} {unit}从 {k[0]} 名中抽取{_why(k, c.base)}" for k, n in c.kinds]
    return f"每组从 {c.fewest}–{most} 名可选检查人员中抽取 {c.group_size} 名：" + "；".join(parts)


def summary(c: Choice) -> str:
    """The sentence with what it rests on: the candidates before the per-target rules and, after
    the draw, how many different groups occurred."""
    head = f"实施股室 {c.pool} 人中符合条件的 {c.base} 人；"
    if not c.drawn:
        return f"尚未抽取，按现有名录和快照预计（{c.groups} 家可抽单位）：{head}{sentence(c)}"
    return f"{head}{sentence(c)}；共 {c.groups} 个检查组，出现 {c.distinct} 种不同的组员组合"


def no_choice(c: Choice) -> str:
    """What left no real choice, what to do, and the clause: empty when there was a choice."""
    if c.real:
        return ""
    facts = []
    if c.forced:
        if c.drawn:
            whose = "每个检查组" if c.forced == c.groups else f"{c.groups} 个检查组中有 {c.forced} 个"
        else:
            whose = "每家可抽单位" if c.forced >= c.groups else f"{c.groups} 家可抽单位中有 {c.forced} 家"
        facts.append(f"{whose}的可选检查人员不多于每组人数 {c.group_size} 名，组员实际上是指定的")
    if c.identical:
        facts.append(f"全部 {c.groups} 个检查组的组员相同")
    if c.fewest < c.group_size:
        facts.append(f"最少时只有 {c.fewest} 名，抽中这样的单位时抽取将失败")
    advice = ("应在执法检查人员名录中为实施股室增加具备资格的人员，或由其他股室的执法人员参加（任务的 departments），"
              "并在开奖（摇号）之前提交" if not c.drawn else
              "今后的任务应在执法检查人员名录中为实施股室增加具备资格的人员，或由其他股室的执法人员参加")
    return f"检查人员的抽取没有真正的选择余地：{'；'.join(facts)}。{advice}。{S0_3_3.ref}：“{S0_3_3.quote}”"
