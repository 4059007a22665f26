"""Execute one task's draw from the loaded repository and build its record (ssjpub-draw/2, /3 when
the snapshot is split into several files, or ssjpub-draw/1 when re-executing a record made by it:
docs/draw-spec.md §11).

Everything the draw depends on is named in the record: the population file and its SHA-256, the
task's parameters and their SHA-256, the public randomness, the earlier draws that capped
enterprises or barred inspectors. Re-executing with the same inputs gives the same record.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from functools import partial
from itertools import compress
from operator import itemgetter

from ssjpub.draw.encoding import ALGORITHM, ALGORITHM_1, ALGORITHM_3, derive_seed, field, fields
from ssjpub.draw.population import Kind, population
from ssjpub.draw.sources import canonical_part, source_problems
from ssjpub.draw.tickets import Candidate, count_for, draw_lowest
from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.model import Inspector, Plan, Source, Target, Task, format_ratio
from ssjpub.problems import Pos, Problem

YEARLY_CAP = 2  # S1 四（四）：同一年度内对同一企业的抽查次数不超过 2 次
OTHER = "其他"  # strata ratio key for every stratum not named


class DrawError(Exception):
    """The draw cannot be made as the plan asks; carries positioned problems for the CLI."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class DrawFailed(DrawError):
    """The draw failed once its seed existed (the public values were known): `record` is the
    failure record to publish (docs/draw-spec.md §8.1), so that the failure leaves a public trace
    and a new attempt needs a new declaration."""

    def __init__(self, problems: list[Problem], record: dict):
        super().__init__(problems)
        self.record = record


def failure_record(head: dict, problems: list[Problem]) -> dict:
    """The failure record: the draw's inputs and seed, and what failed, in words and codes only
    (no line numbers, which a later edit of the plan would move)."""
    return {**head, "outcome": "failed",
            "failure": [{"code": p.code, "message": p.message} for p in problems]}


def canonical_json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_parameters(source: Source) -> dict:
    """A declared source as /2 records it: every key always present (absent → null, witnesses → [])."""
    return {"kind": source.kind, "game": source.game, "source": source.source, "issue": source.issue,
            "expected_on": source.expected_on.isoformat(), "place": source.place,
            "witnesses": list(source.witnesses), "round": source.round}


def source_parameters_v1(source: Source) -> dict:
    """The one source of a /1 record, with the keys /1 had (before games and drand)."""
    return {"kind": source.kind, "source": source.source, "issue": source.issue,
            "expected_on": source.expected_on.isoformat(), "place": source.place,
            "witnesses": list(source.witnesses)}


def task_parameters(plan: Plan, task: Task, algorithm: str = ALGORITHM) -> dict:
    """The draw-relevant fields of a task, spelled out so later model fields never change them.
    /1 (re-executing its records) has one source object; /2 the list of every declared source."""
    strata = None
    if task.strata is not None:
        strata = {"by": task.strata.by, "ratios": {k: format_ratio(v) for k, v in sorted(task.strata.ratios.items())}}
    w = task.weights
    if algorithm == ALGORITHM_1:
        randomness = source_parameters_v1(task.sources[0]) if task.sources else None
    else:
        randomness = [source_parameters(s) for s in task.sources] or None
    # A retry names the failed attempt it follows; the key exists only then, so that no record
    # made before retries existed changes a byte (docs/draw-spec.md §2).
    retry = {"retry_of": task.retry_of} if task.retry_of else {}
    return {
        "agency": plan.agency,
        "year": plan.year,
        "task": task.id,
        "items": list(task.items),
        "departments": list(task.departments),
        "snapshot": task.snapshot.isoformat() if task.snapshot else None,
        "scope": {"areas": list(task.scope.areas), "industries": list(task.scope.industries),
                  "grades": list(task.scope.grades)},
        "ratio": format_ratio(task.ratio) if task.ratio is not None else None,
        "count": task.count,
        "strata": strata,
        "weights": {
            "grade": dict(sorted(w.grade.items())),
            "complaints": {"at_least": w.complaints.at_least, "weight": w.complaints.weight} if w.complaints else None,
            "serious_violation": w.serious_violation,
        },
        "window": {"start": task.window.start.isoformat(), "end": task.window.end.isoformat()},
        "group_size": task.group_size,
        "batches": task.batches,
        "randomness": randomness,
        **retry,
    }


def weight_of(target: Target | Kind, task: Task) -> int:
    """Integer weight: the product of the factors that apply (C grade, complaints, violations)."""
    w = task.weights
    weight = w.grade.get(target.grade, 1)
    if w.complaints is not None and target.complaints >= w.complaints.at_least:
        weight *= w.complaints.weight
    if w.serious_violation is not None and target.serious_violation:
        weight *= w.serious_violation
    return weight


def in_scope(target: Target | Kind, task: Task) -> bool:
    s = task.scope
    return (
        (not s.areas or target.area in s.areas)
        and (not s.industries or target.industry in s.industries)
        and (not s.grades or target.grade in s.grades)
    )


def stratum_of(target: Target | Kind, task: Task) -> str:
    return getattr(target, task.strata.by) if task.strata else ""


@dataclass(frozen=True)
class Context:
    """Where the task stands: the loaded plan and the earlier draws of its agency."""

    data: AgencyData
    plan_file: str
    task_index: int
    task: Task
    plan: Plan

    def pos(self, *path) -> Pos:
        return self.data.plans[self.plan.year].doc.pos("tasks", self.task_index, *path)


def find_task(repo: Repository, agency: str, year: int, task_id: str) -> Context:
    data = repo.agencies.get(agency)
    where = Pos(f"plans/{agency}/{year}/plan.yaml")
    if data is None:
        raise DrawError([Pos(f"plans/{agency}").problem("dangling-reference", f"机关“{agency}”不存在")])
    plan = data.plans.get(year)
    if plan is None:
        raise DrawError([where.problem("dangling-reference", f"{year} 年度计划不存在或未通过校验")])
    for i, task in enumerate(plan.model.tasks):
        if task.id == task_id:
            return Context(data, plan.file, i, task, plan.model)
    raise DrawError([plan.doc.pos("tasks").problem("dangling-reference", f"{year} 年度计划中没有任务“{task_id}”")])


def randomness_section(ctx: Context, algorithm: str) -> dict:
    """The record's `randomness`: the values file and the canonical randomness (in /2 also each
    source's part, in declared order); errors name what is missing or does not fit."""
    task, year = ctx.task, ctx.plan.year
    if not task.sources:
        raise DrawError([ctx.pos().problem(
            "missing-field", "抽取前须在任务中用“randomness”声明公开随机数来源（须在开奖/摇号之前提交）")])
    values = ctx.data.randomness.get((year, task.id))
    rel = f"plans/{ctx.data.code}/{year}/randomness/{task.id}.yaml"
    if values is None:
        last = max(s.expected_on for s in task.sources)
        raise DrawError([Pos(rel).problem("missing-file", f"缺少公开随机数文件：{last.isoformat()} 开奖（摇号）后提交")])
    problems = source_problems(task, ctx.pos, values)
    if problems:
        raise DrawError(problems)
    entries = values.model.sources
    if algorithm == ALGORITHM_1:
        # /1 knew one lottery or ceremony source only: a plan changed since cannot be re-executed as /1.
        if len(entries) != 1 or task.sources[0].kind == "drand" or task.sources[0].game is not None:
            raise DrawError([ctx.pos("randomness").problem(
                "draw-mismatch", f"记录的算法是 {ALGORITHM_1}，它只能有一个公开开奖或公开摇号来源（不含 game）："
                "计划中的随机数来源声明与记录抽取时的不同")])
        return {"file": values.file, "canonical": canonical_part(entries[0])}
    parts = [{"kind": s.kind, "canonical": canonical_part(e)} for s, e in zip(task.sources, entries)]
    return {"file": values.file, "sources": parts, "canonical": "".join(p["canonical"] for p in parts)}


def made_at(data: AgencyData, year: int, task: str) -> tuple[int, int, str]:
    """When a task's draw is made: by year, then by the task's place in that year's plan
    (tasks are drawn and committed in plan order)."""
    tasks = [t.id for t in data.plans[year].model.tasks] if year in data.plans else []
    return (year, tasks.index(task) if task in tasks else len(tasks), task)


def earlier_draws(data: AgencyData, year: int, task_id: str) -> list[tuple[int, str]]:
    """The agency's draw records made before this task's, oldest first."""
    here = made_at(data, year, task_id)
    return sorted((k for k in data.draws if made_at(data, *k) < here), key=lambda k: made_at(data, *k))


def _dicts(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


class PriorDraws:
    """What an agency's earlier records pass on to its next draw: which they are, how often each
    enterprise was drawn in the draw's year (the yearly cap), and who inspected it last.

    Records are added oldest first (made_at order), so re-executing every draw goes once through
    the records instead of re-reading all earlier ones for each draw.
    """

    def __init__(self) -> None:
        self.keys: list[tuple[int, str]] = []
        self.previous: dict[str, list[str]] = {}
        self._year: int | None = None
        self._times: dict[str, int] = {}

    @classmethod
    def before(cls, data: AgencyData, year: int, task_id: str) -> PriorDraws:
        state = cls()
        for key in earlier_draws(data, year, task_id):
            state.add(key, data.draws[key].data)
        return state

    def add(self, key: tuple[int, str], record: dict) -> None:
        # A hand-edited record may lack any part: what is missing passes nothing on, and the
        # record's own re-execution reports the difference field by field.
        self.keys.append(key)
        for group in _dicts(record.get("groups")):
            if isinstance(group.get("target"), str) and isinstance(group.get("members"), list):
                self.previous[group["target"]] = list(group["members"])
        if key[0] != self._year:  # years only grow in made_at order: the count starts afresh
            self._year, self._times = key[0], {}
        for t in _dicts(record.get("targets")):
            if isinstance(t.get("code"), str):
                self._times[t["code"]] = self._times.get(t["code"], 0) + 1

    def copy(self) -> PriorDraws:
        """An independent state (add() replaces the lists in `previous`, never changes them)."""
        other = PriorDraws()
        other.keys, other.previous = list(self.keys), dict(self.previous)
        other._year, other._times = self._year, dict(self._times)
        return other

    def times(self, year: int) -> dict[str, int]:
        """Draws per enterprise in `year` so far (only that year's records count)."""
        return self._times if year == self._year else {}


def later_draws(data: AgencyData, year: int, task_id: str) -> list[tuple[int, str]]:
    """Records made after this task's place: if any exist, drawing it now would change what
    those records counted (the yearly cap, last inspectors), so it is refused."""
    here = made_at(data, year, task_id)
    return sorted((k for k in data.draws if made_at(data, *k) > here), key=lambda k: made_at(data, *k))


def inspector_ticket_prefix(seed_hex: str, algorithm: str = ALGORITHM):
    return hashlib.sha256(fields(algorithm, "inspector", seed_hex))


def roster_section(inspectors, checklist, task: Task, file: str) -> dict:
    """The roster facts a draw depends on: who may serve and why not, as committed."""
    required: set[str] = set()
    if checklist is not None:
        items = {i.id: i for i in checklist.items}
        for item in task.items:
            if item in items:
                required |= set(items[item].inspector_requirements)
    people: list[Inspector] = list(inspectors.inspectors) if inspectors is not None else []
    pool = [
        {"id": p.id, "name": p.name, "department": p.department, "active": p.active,
         "qualifications": sorted(p.qualifications), "cert_expires": p.cert_expires.isoformat(),
         "conflicts": sorted(p.conflicts)}
        for p in sorted(people, key=lambda p: p.id)
        if p.department in task.departments
    ]
    return {"file": file, "requirements": sorted(required), "pool": pool}


def with_exclusions(section: dict, task: Task) -> dict:
    """The section with every pool member's `excluded` reasons, recomputed from the facts."""
    required = set(section["requirements"])
    pool = []
    for p in sorted((p for p in section["pool"] if p["department"] in task.departments), key=lambda p: p["id"]):
        facts = {k: v for k, v in p.items() if k != "excluded"}
        reasons = []
        if not facts["active"]:
            reasons.append("不在岗")
        if not required <= set(facts["qualifications"]):
            reasons.append("不具备资格")
        if facts["cert_expires"] < task.window.end.isoformat():
            reasons.append("监察证在任务结束前到期")
        pool.append(facts | {"excluded": reasons})
    return {"file": section["file"], "requirements": sorted(required), "pool": pool}


def selectable(base: list[dict], code: str, previous: dict[str, list[str]]) -> tuple[list[str], list[str], list[str]]:
    """Who may inspect `code`: (eligible, recused, barred) ids, from the pool members without an
    exclusion (`base`), their declared conflicts, and the group that inspected it last."""
    ids = {p["id"] for p in base}
    recused = [p["id"] for p in base if code in p["conflicts"]]
    barred = [i for i in previous.get(code, []) if i in ids]
    eligible = [p["id"] for p in base if p["id"] not in recused and p["id"] not in barred]
    return eligible, recused, barred


def assign_inspectors(
    ctx: Context, seed_hex: str, drawn: list[dict], pool: list[dict], previous: dict[str, list[str]],
    algorithm: str = ALGORITHM,
) -> list[dict]:
    """Groups of `group_size` for every drawn target, least-loaded first, then by ticket: an
    inspector's ticket for a target is the prefix's hash continued with field(code) and
    field(inspector id). Who may serve is selectable()'s answer, with what does not depend on
    the target found once (a province draw assigns 50,000 groups)."""
    base = [p for p in pool if not p["excluded"]]
    load = {p["id"]: 0 for p in base}
    everyone = list(load)  # in pool order, as selectable() lists the eligible
    declared: dict[str, list[str]] = {}  # code -> who declared a conflict with it, in pool order
    for p in base:
        for code in dict.fromkeys(p["conflicts"]):
            declared.setdefault(code, []).append(p["id"])
    copy = inspector_ticket_prefix(seed_hex, algorithm).copy
    id_fields = {i: field(i) for i in load}
    groups = []
    size = ctx.task.group_size
    for target in drawn:
        code = target["code"]
        recused = list(declared.get(code, ()))
        barred = [i for i in previous.get(code, ()) if i in load]
        eligible = [i for i in everyone if i not in recused and i not in barred] if recused or barred else everyone
        if len(eligible) < size:
            raise DrawError([ctx.pos("group_size").problem(
                "invalid-value",
                f"单位 {code} 只有 {len(eligible)} 名可选检查人员，每组需要 {size} 名"
                f"（实施股室共 {len(pool)} 人，其中不在岗、无资格或证件到期 {len(pool) - len(base)} 人，"
                f"回避 {len(recused)} 人，上次检查过该单位 {len(barred)} 人）",
            )])
        # Ranked by (load, ticket, id). Only those with one of the `size` lowest loads can be among
        # the first `size`, so only their tickets are computed.
        loads = list(map(load.__getitem__, eligible))
        cutoff = sorted(loads)[size - 1]
        code_field = field(code)
        ranked = []
        for i, n in zip(eligible, loads):
            if n <= cutoff:
                h = copy()
                h.update(code_field + id_fields[i])
                ranked.append((n, h.digest(), i))
        ranked.sort()
        members = [i for _, _, i in ranked[:size]]
        for i in members:
            load[i] += 1
        groups.append({"target": code, "leader": members[0], "members": members,
                       "recused": recused, "previous": barred})
    return groups


def execute(
    repo: Repository, agency: str, year: int, task_id: str, roster: dict | None = None,
    prior: PriorDraws | None = None, algorithm: str | None = None,
) -> dict:
    """The record of the task's draw. `roster` (a record's `inspectors` section) replaces the
    current directory when re-executing a published draw: the roster may change afterwards,
    and `verify --history` checks the recorded one against the files committed before the draw.
    `prior` is the state of the agency's earlier records (read from them when not given).
    `algorithm` is the record's when re-executing one (ALGORITHMS); a new draw is /3 when its
    snapshot is split into several files, else /2 (docs/draw-spec.md §11.2)."""
    ctx = find_task(repo, agency, year, task_id)
    task, data = ctx.task, ctx.data
    if task.basis != "随机抽查":
        raise DrawError([ctx.pos("basis").problem(
            "invalid-value", f"“{task.basis}”的检查不是随机抽取，不能执行抽取（S0 一（三））")])
    snapshot = data.snapshots.get(task.snapshot) if task.snapshot else None
    if snapshot is None:
        raise DrawError([ctx.pos("snapshot").problem("dangling-reference", "任务的名录快照不存在或未通过校验")])
    split = bool(snapshot.parts)
    if algorithm is None:
        algorithm = ALGORITHM_3 if split else ALGORITHM
    elif split != (algorithm == ALGORITHM_3):
        raise DrawError([ctx.pos("snapshot").problem("draw-mismatch", (
            f"记录的算法是 {algorithm}，它的名录快照是单个文件，现在却拆分成了目录 {snapshot.file}/"
            if split else f"记录的算法是 {ALGORITHM_3}，它的名录快照拆分成多个文件，现在却是单个文件 {snapshot.file}"))])
    randomness = randomness_section(ctx, algorithm)
    parameters = task_parameters(ctx.plan, task, algorithm)
    parameters_sha256 = sha256_hex(canonical_json(parameters))
    seed = derive_seed(agency, year, task_id, snapshot.sha256, parameters_sha256, randomness["canonical"], algorithm)

    if prior is None:
        prior = PriorDraws.before(data, year, task_id)
    if roster is None:
        roster = roster_section(data.inspectors.model if data.inspectors else None,
                                data.checklist.model if data.checklist else None, task,
                                f"plans/{agency}/inspectors.yaml")
    roster = with_exclusions(roster, task)
    head = {
        "algorithm": algorithm,
        "agency": agency,
        "year": year,
        "task": task_id,
        "parameters": parameters,
        "parameters_sha256": parameters_sha256,
        "population": population_section(snapshot),
        "randomness": randomness,
        "seed": seed,
        "prior_draws": [f"{y}/{t}" for y, t in prior.keys],
    }
    try:
        body = _select(ctx, snapshot, seed, prior, roster, algorithm)
    except DrawError as exc:  # the seed is known: the failure is published, never silent
        raise DrawFailed(exc.problems, failure_record({**head, "inspectors": roster}, exc.problems)) from None
    return {**head, **body}


def population_section(snapshot) -> dict:
    """The record's `population`: the file, its SHA-256 and rows; a split snapshot (/3) names its
    folder, the parts' digest and the rows of all, then every part in order."""
    section = {"file": snapshot.file, "sha256": snapshot.sha256, "rows": len(snapshot)}
    if snapshot.parts:
        section["parts"] = [{"file": p.file, "sha256": p.sha256, "rows": p.rows} for p in snapshot.parts]
    return section


@dataclass(frozen=True)
class Pick:
    """Who the draw chooses among: the candidates (active, in scope, under the yearly cap), how
    many rows were out of scope, and the credit codes of the capped rows, sorted."""

    candidates: list[Candidate]
    out_of_scope: int
    capped: list[str]

    def sizes(self) -> dict[str, int]:
        """Candidates per stratum, the strata in the order they first come (counted in C)."""
        return dict(Counter(map(itemgetter(1), self.candidates)))


# Candidate(code, stratum, weight) built in C from a plain tuple: a province draw makes a million.
_candidate = partial(tuple.__new__, Candidate)


def candidates_of(snapshot, task: Task, times: dict[str, int]) -> Pick:
    """A row counts as inactive, else out of scope, else capped, else it is a candidate. Scope,
    stratum and weight are decided once per kind of row (ssjpub.draw.population); candidates come
    in file order (their order does not matter: tickets decide)."""
    pop = population(snapshot)
    codes = pop.columns.credit_code
    out_of_scope = 0
    weight: dict[int, int] = {}  # per kind; 0: not drawn from
    for at, kind in pop.kinds.items():
        weight[at] = 0
        if not kind.active:
            continue
        if in_scope(kind, task):
            weight[at] = weight_of(kind, task)
        else:
            out_of_scope += pop.sizes[at]
    strata = {at: stratum_of(kind, task) for at, kind in pop.kinds.items()}
    kind_of = pop.kind_of
    drawn_from = list(map(weight.__getitem__, kind_of))  # per row, in C; 0: not drawn from
    capped_at = set(pop.find(code for code, n in times.items() if n >= YEARLY_CAP).values())
    capped = sorted(codes[i] for i in capped_at if drawn_from[i])
    for i in capped_at:
        drawn_from[i] = 0
    kinds = list(compress(kind_of, drawn_from))
    candidates = list(map(_candidate, zip(compress(codes, drawn_from), map(strata.__getitem__, kinds),
                                          map(weight.__getitem__, kinds))))
    return Pick(candidates, out_of_scope, capped)


def stratum_count(task: Task, stratum: str, size: int) -> tuple[int, str] | None:
    """How many the draw takes from a stratum of `size` candidates, and the rule in words; None
    when the strata name no ratio for it. A function of counts and ratios, never of the seed."""
    if task.strata is not None:
        ratio = task.strata.ratios.get(stratum, task.strata.ratios.get(OTHER))
        if ratio is None:
            return None
        return count_for(ratio, size), format_ratio(ratio)
    if task.ratio is not None:
        return count_for(task.ratio, size), format_ratio(task.ratio)
    return task.count, f"{task.count} 家"


def _select(ctx: Context, snapshot, seed: str, prior: PriorDraws, roster: dict, algorithm: str) -> dict:
    """The eligible, the strata, the drawn targets and their inspector groups."""
    task = ctx.task
    year = ctx.plan.year
    times = prior.times(year)
    previous = prior.previous

    pop = population(snapshot)
    pick = candidates_of(snapshot, task, times)
    candidates = pick.candidates
    excluded = {"inactive": pop.inactive, "out_of_scope": pick.out_of_scope, "capped": pick.capped}
    sizes = pick.sizes()

    counts: dict[str, int] = {}
    strata_out = []
    for stratum in sorted(sizes):
        found = stratum_count(task, stratum, sizes[stratum])
        if found is None:
            raise DrawError([ctx.pos("strata", "ratios").problem(
                "missing-field", f"分层“{stratum}”有 {sizes[stratum]} 家可抽单位，但没有规定比例（可用“{OTHER}”规定其余各层）")])
        n, rule = found
        if n > sizes[stratum]:
            raise DrawError([ctx.pos("count").problem(
                "invalid-value", f"要求抽取 {n} 家，但只有 {sizes[stratum]} 家可抽单位")])
        counts[stratum] = n
        strata_out.append({"stratum": stratum, "eligible": sizes[stratum], "rule": rule, "count": n})
    if not candidates:
        raise DrawError([ctx.pos("scope").problem("invalid-value", "按抽查范围筛选后没有可抽单位")])

    tickets = draw_lowest(seed, candidates, counts, sizes, algorithm)
    for s in strata_out:
        mine = [t for t in tickets if t.stratum == s["stratum"]]
        s["cutoff"] = mine[-1].hex if mine else None
    drawn = []
    index, columns = pop.find(t.code for t in tickets), pop.columns
    for rank, t in enumerate(tickets, start=1):
        i = index[t.code]
        entry = {"rank": rank, "code": t.code, "name": columns.name[i], "area": columns.area[i],
                 "industry": columns.industry[i], "grade": columns.grade[i], "stratum": t.stratum,
                 "weight": t.weight, "ticket": t.hex, "copy": t.copy}
        if task.batches:
            entry["batch"] = (rank - 1) * task.batches // len(tickets) + 1
        drawn.append(entry)
    groups = assign_inspectors(ctx, seed, drawn, roster["pool"], previous, algorithm)

    return {
        "eligible": {"count": len(candidates), "inactive": excluded["inactive"],
                     "out_of_scope": excluded["out_of_scope"], "capped": excluded["capped"]},
        "strata": strata_out,
        "targets": drawn,
        "inspectors": roster,
        "groups": groups,
    }
