"""A task's declared randomness sources against the values committed for them.

The values file has one entry per declared source, in declared order (the one-source form is one
entry); each entry holds the kind of value its source produces. Each source's canonical value is
computed from its entry; the draw's canonical randomness is their concatenation (ssjpub-draw/2).
"""

from __future__ import annotations

from typing import Callable

from ssjpub.beacon import drand
from ssjpub.draw.encoding import canonical_digits, canonical_drand, canonical_lottery
from ssjpub.loader.repository import Loaded
from ssjpub.model import RandomnessValues, Source, SourceValues, Task
from ssjpub.problems import Pos, Problem

# The value field each kind of source produces, and how staff call it.
VALUE_FIELD = {"公开开奖": ("numbers", "开奖号码"), "公开摇号": ("digits", "摇号数字"), "drand": ("signature", "drand 签名")}


def value_kind(entry: SourceValues) -> str:
    """The kind of source an entry's values come from (the model ensures exactly one is given)."""
    if entry.numbers:
        return "公开开奖"
    if entry.digits is not None:
        return "公开摇号"
    return "drand"


def canonical_part(entry: SourceValues) -> str:
    """One source's canonical value (docs/draw-spec.md §2.3)."""
    kind = value_kind(entry)
    if kind == "公开开奖":
        return canonical_lottery(entry.numbers)
    if kind == "公开摇号":
        return canonical_digits(entry.digits)
    return canonical_drand(entry.signature)


def beacon_problem(round_: int, signature_hex: str) -> str | None:
    """Why a drand round's signature is not the pinned quicknet beacon's, or None: the BLS
    signature is checked offline against the pinned public key (ssjpub/beacon)."""
    return drand.verify_hex(round_, signature_hex)


def source_problems(task: Task, task_pos: Callable[..., Pos], values: Loaded[RandomnessValues]) -> list[Problem]:
    """Every way the values do not fit the declaration: entry count, kind per position, the drand
    round. `task_pos(*path)` positions a path inside the task's mapping in the plan."""
    declared, entries = task.sources, values.model.sources
    where = values.doc.pos
    written = len(entries) + len(values.dropped.get(("sources",), {}))  # entries left out are still there
    if written != len(declared):
        form = "sources" if "sources" in values.model.model_fields_set else None
        at = where("sources", key=True) if form else where()
        return [at.problem(
            "randomness-sources-count",
            f"任务 {task.id} 声明了 {len(declared)} 个公开随机数来源，本文件有 {written} 项："
            + ("须在“sources”下按声明的顺序每个来源一项" if len(declared) > 1 else "只声明了一个来源时，直接在文件顶层填写"))]
    problems = []
    for i, entry in enumerate(entries):
        n = values.in_file("sources", i)  # the declared source it is for
        source = declared[n]
        path = values.model.entry_path(i)
        got = value_kind(entry)
        nth = f"第 {n + 1} 个来源" if len(declared) > 1 else "来源"
        if got != source.kind:
            key, title = VALUE_FIELD[source.kind]
            given = VALUE_FIELD[got][0] if got != "drand" else "round"
            problems.append(where(*path, given, key=True).problem(
                "randomness-kind-mismatch",
                f"{nth}声明为“{source.kind}”（{task_pos(*task.source_path(n), 'kind').line} 行），"
                f"这里填写的却是“{given}”：{source.kind}须填写“{key}”（{title}）"))
            continue
        if got == "drand":
            problems += _drand_problems(source, entry, where, path, nth)
    return problems


def _drand_problems(source: Source, entry: SourceValues, where, path: tuple, nth: str) -> list[Problem]:
    if entry.round != source.round:
        return [where(*path, "round").problem(
            "drand-round-mismatch", f"{nth}声明的 drand 轮次为 {source.round}，这里为 {entry.round}：须是声明的那一轮")]
    why = beacon_problem(entry.round, entry.signature)
    if why is not None:
        return [where(*path, "signature").problem(
            "drand-signature", f"{nth}的 drand 第 {entry.round} 轮签名无效：{why}。请从 drand 接口"
            f"（https://api.drand.sh/{drand.QUICKNET.hash}/public/{entry.round}）重新抄录“signature”")]
    derived = drand.randomness(bytes.fromhex(entry.signature))
    if entry.randomness is not None and entry.randomness != derived:  # only a convenience copy
        return [where(*path, "randomness").problem(
            "drand-randomness-mismatch", f"{nth}的“randomness”应为签名的 SHA-256，即 {derived}（也可以不填）")]
    return []
