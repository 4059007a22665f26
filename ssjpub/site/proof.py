"""What a task page may claim about the order of its draw: only what this build's history checks
proved (ssjpub.draw.history), each claim with what proved it, or plainly why it was not checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ssjpub.draw.history import History, RecordHistory

PROVEN, REFUTED, UNCHECKED = "proven", "refuted", "unchecked"
MARK = {PROVEN: "✓", REFUTED: "✗", UNCHECKED: "—"}


@dataclass(frozen=True)
class Claim:
    label: str
    status: str  # PROVEN | REFUTED | UNCHECKED
    text: str

    @property
    def mark(self) -> str:
        return MARK[self.status]


def _short(sha: str | None) -> str:
    return sha[:10] if sha else "未知"


def _failed(found: RecordHistory, code: str) -> str:
    said = dict.fromkeys(f"{p.file}：{p.message}" for p in found.problems if p.code == code)
    return "；".join(said) or "见 ssjpub verify --history 的报告"


def draw_claims(history: History | None, found: RecordHistory | None, expected_on: date | None,
                dirty: bool, stamp: str | None = None) -> list[Claim]:
    """`stamp` is what the task's validated token says (ssjpub.site.pages.timestamp_evidence)."""
    order_label, unchanged_label = "输入先于随机数（提交图）", "发布后未被修改或删除"
    date_label = "随机数在开奖（摇号）之后提交"
    if history is None or not history.checked or dirty or found is None:
        why = ("本地有未提交的修改" if dirty else
               history.reason if history is not None and not history.checked else "生成网站时未核对提交历史")
        text = f"未核对：{why}。运行 ssjpub verify --history 核对。"
        return [Claim(order_label, UNCHECKED, text), Claim(unchanged_label, UNCHECKED, text)]
    claims = []
    if found.order:
        claims.append(Claim(order_label, PROVEN,
                            f"添加公开随机数的提交 {_short(found.values_commit)} 的上一个提交中，名录快照、本任务的参数和随机数来源声明、"
                            "执法检查人员名录已与抽取记录所用的完全一致。一个提交只能在它的上一个提交之后生成，所以随机数是在这些输入"
                            "提交之后才提交的，这一点不依赖提交日期；但它不能证明这些输入早于开奖（摇号），这要靠可信时间戳，"
                            "或别人在开奖前保存的本仓库副本。"))
    else:
        claims.append(Claim(order_label, REFUTED, "未能证明：" + _failed(found, "history-order")))
    if found.unchanged:
        claims.append(Claim(unchanged_label, PROVEN,
                            f"抽取记录于提交 {_short(found.published_commit)} 发布；此后主分支上的每个提交都没有修改或删除它、"
                            "它的 YAML 副本、公开随机数、名录快照和任务参数。"))
    else:
        claims.append(Claim(unchanged_label, REFUTED, "不成立：" + _failed(found, "published-changed")))
    if found.values_date is not None and expected_on is not None:
        # A commit date can refute (numbers committed before they were drawn) but never prove.
        day = found.values_date.date()
        claims.append(Claim(date_label, UNCHECKED if day >= expected_on else REFUTED,
                            f"提交 {_short(found.values_commit)} 自己标注的日期是 {day.isoformat()}，开奖（摇号）日期是 "
                            f"{expected_on.isoformat()}。提交日期由提交者填写，不能证明先后，只能用来发现矛盾"
                            + ("。" if day >= expected_on else "：号码不可能在开奖之前提交。")))
    if found.timestamp is None:
        claims.append(Claim("可信时间戳", UNCHECKED,
                            "本任务没有可信时间戳：先后顺序仅以 git 提交历史为据，而整个提交历史可以被改写后重新发布；"
                            "已经保存了副本的人可以用自己的副本核对。"))
    elif found.timestamp:
        claims.append(Claim("可信时间戳", PROVEN, (stamp or "") + "令牌所证明的提交在本仓库的历史中，含有与抽取记录相同的"
                            "任务声明和名录快照，并且是添加公开随机数的提交的祖先。"))
    else:
        claims.append(Claim("可信时间戳", REFUTED, "不成立：" + _failed(found, "timestamp-commit")))
    return claims


def vanished_claims(found: RecordHistory | None) -> list[Claim]:
    """For a task whose record landed and was deleted: the page must not say "not drawn yet"."""
    if found is None or not found.vanished:
        return []
    return [Claim("抽取记录被删除", REFUTED, p.message) for p in found.vanished]


def failure_claims(history: History | None, found: RecordHistory | None, dirty: bool) -> list[Claim]:
    """A failed draw's page: its failure record, too, stays as published."""
    label = "失败记录发布后未被修改或删除"
    if history is None or not history.checked or dirty:
        why = "本地有未提交的修改" if dirty else history.reason if history is not None else "生成网站时未核对提交历史"
        return [Claim(label, UNCHECKED, f"未核对：{why}。运行 ssjpub verify --history 核对。")]
    bad = [p for p in (found.problems if found else []) if p.code in ("published-changed", "history-order")]
    if bad:
        return [Claim(label, REFUTED, "不成立：" + "；".join(dict.fromkeys(f"{p.file}：{p.message}" for p in bad)))]
    return [Claim(label, PROVEN, "失败记录、它的公开随机数和名录快照发布后，主分支上的每个提交都没有修改或删除它们。")]
