"""What a task page says beside the browser verifier (theme/templates/_verifier.html): the files the
verifier reads, served by the site with their digests; where each declared source's official
result is published; and a worked example of 签号 (or, for a failed draw, of the seed) computed
here from the record's own values, so that a citizen can follow one step by hand.

The example is recomputed with the engine's own primitives (ssjpub.draw.encoding, .tickets), never
copied from the record: tests compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from ssjpub.beacon.drand import QUICKNET
from ssjpub.draw.encoding import sha256_fields
from ssjpub.draw.tickets import ticket_digest, ticket_prefix
from ssjpub.loader.repository import AgencyData, DrawFile
from ssjpub.model import LotteryGames
from ssjpub.site import urls
from ssjpub.site.pages.draw import PriorYear, prior_years
from ssjpub.site.served import Catalogue
from ssjpub.site.tables import Link

DRAND_PUBLIC = f"https://api.drand.sh/{QUICKNET.hash}/public/"
SHOWN_COPIES = 4  # of a heavily weighted enterprise's tickets, the first few and the lowest are shown


@dataclass(frozen=True)
class InputFile:
    """One file the draw depends on, as the site serves it."""

    label: str
    path: str
    url: str  # site-relative (ssjpub.site.urls.served)
    sha256: str
    bytes: int


@dataclass(frozen=True)
class OfficialSource:
    """Where a declared source's value is published by someone other than the bureau."""

    label: str  # e.g. "来源 1：双色球 2024004 期（中国福利彩票）"
    link: Link | None  # the official result page; None for a ceremony (its record is the evidence)
    note: str  # what to compare there


@dataclass(frozen=True)
class TicketCopy:
    k: int
    digest: str
    lowest: bool


@dataclass(frozen=True)
class TicketExample:
    """T(c, k) = SHA-256(算法, "target", 种子, 代码, k) of the record's first target."""

    algorithm: str
    seed: str
    code: str
    name: str
    weight: int
    copies: tuple[TicketCopy, ...]  # the shown ones, in k order
    omitted: int  # copies not shown
    ticket: str  # the lowest of all w
    copy: int
    rank: int
    stratum: str
    stratum_count: int
    stratum_eligible: int
    cutoff: str


@dataclass(frozen=True)
class SeedExample:
    """seed = SHA-256 of the record's eight fields (docs/draw-spec.md §3)."""

    fields: tuple[tuple[str, str], ...]
    seed: str


SEED_FIELDS = ("算法", "用途", "机关代号", "年度", "任务编号", "名录快照的 SHA-256", "任务参数的 SHA-256", "公开随机数规范值")


@dataclass(frozen=True)
class VerifierView:
    record: str  # repository path of the draw or failure record (data-record)
    root: str  # relative path from the page to the site root (data-root)
    failure: bool
    inputs: tuple[InputFile, ...]
    priors: tuple[PriorYear, ...]  # the earlier draws the record names, by year
    prior_count: int
    sources: tuple[OfficialSource, ...]
    example: TicketExample | None  # a draw record's
    seed_example: SeedExample | None  # a failure record's
    index: str  # site-relative URL of files/index.json


def _record_inputs(data: AgencyData, year: int, rec: dict, own: DrawFile) -> list[tuple[str, str]]:
    """(label, repository path) of every file the verifier reads for this record, in reading
    order, but for the earlier draws' records: the page names those by task, and their annual
    plan pages list their files and digests (`VerifierView.priors`). The record's YAML copy is
    not served (ssjpub.site.served) and not read."""
    population = rec.get("population", {})
    parts = population.get("parts") if isinstance(population.get("parts"), list) else None
    if parts:  # a split snapshot (ssjpub-draw/3): each part is a file; the folder is none
        found = [(f"名录快照（第 {i} 部分，共 {len(parts)} 个）", str(p.get("file", "")) if isinstance(p, dict) else "")
                 for i, p in enumerate(parts, start=1)]
    else:
        found = [("名录快照", str(population.get("file", "")))]
    found.append(("公开随机数", str(rec.get("randomness", {}).get("file", ""))))
    if year in data.plans:
        found.append(("年度计划（任务参数）", data.plans[year].file))
    roster = rec.get("inspectors", {}).get("file") or (data.inspectors.file if data.inspectors else "")
    found.append(("执法检查人员名录", str(roster)))
    if data.checklist:
        found.append(("随机抽查事项清单（检查人员资格要求）", data.checklist.file))
    found.append(("本次的失败记录" if "failure" in rec else "本次的抽取记录", own.file))
    return found


def input_files(data: AgencyData, year: int, own: DrawFile, files: Catalogue) -> tuple[InputFile, ...]:
    out = []
    for label, path in _record_inputs(data, year, own.data, own):
        f = files.get(path)
        if f is not None:  # a path not served is not linked (validate has reported it)
            out.append(InputFile(label, path, f.url, f.sha256, f.bytes))
    return tuple(out)


def official_sources(rec: dict, games: LotteryGames | None) -> tuple[OfficialSource, ...]:
    declared = rec.get("parameters", {}).get("randomness") or []
    declared = declared if isinstance(declared, list) else [declared]
    out = []
    for i, s in enumerate(declared, start=1):
        head = f"来源 {i}：" if len(declared) > 1 else ""
        kind = s.get("kind")
        if kind == "drand":
            r = s.get("round")
            out.append(OfficialSource(
                f"{head}drand quicknet 第 {r} 轮", Link(f"drand 公布的第 {r} 轮", f"{DRAND_PUBLIC}{r}"),
                "页面中的 signature 应与随机数文件中的相同；按钮会用 drand 的公钥核验这个签名"))
        elif kind == "公开开奖":
            game = games.get(s.get("game")) if games else None
            issue = f" {s['issue']} 期" if s.get("issue") else ""
            name = s.get("game") or s.get("source") or ""
            if game is not None:
                out.append(OfficialSource(
                    f"{head}{name}{issue}（{game.operator}，{s.get('expected_on')} 开奖）",
                    Link(f"{game.operator}的开奖公告", str(game.result_page)),
                    "开奖号码应与上面“输入”中随机数文件的号码相同"))
            else:
                out.append(OfficialSource(f"{head}{name}{issue}（{s.get('expected_on')}）", None,
                                          "请向发布开奖结果的机构核对号码"))
        else:
            witnesses = "、".join(s.get("witnesses") or [])
            out.append(OfficialSource(
                f"{head}公开摇号：{s.get('source') or ''}（{s.get('expected_on')}"
                + (f"，{s['place']}" if s.get("place") else "") + "）", None,
                "摇号没有第三方网站：数字以随机数文件中的出处和见证人" + (f"（{witnesses}）" if witnesses else "")
                + "为证；摇号在开奖之前的日子举行，不能看了开奖结果再摇"))
    return tuple(out)


def ticket_example(rec: dict) -> TicketExample | None:
    """The first target's tickets, recomputed from the record's algorithm and seed."""
    targets = rec.get("targets") or []
    if not targets:
        return None
    t = targets[0]
    algorithm, seed, code, weight = str(rec["algorithm"]), str(rec["seed"]), str(t["code"]), int(t["weight"])
    prefix = ticket_prefix(seed, "target", algorithm)
    digests = [ticket_digest(prefix, code, k) for k in range(1, weight + 1)]
    low = min(range(weight), key=lambda i: (digests[i], i))
    shown = sorted(set(range(min(weight, SHOWN_COPIES))) | {low})
    stratum = next((s for s in rec.get("strata", []) if s.get("stratum") == t.get("stratum")), {})
    return TicketExample(
        algorithm=algorithm, seed=seed, code=code, name=str(t.get("name", "")), weight=weight,
        copies=tuple(TicketCopy(i + 1, digests[i].hex(), i == low) for i in shown),
        omitted=weight - len(shown), ticket=digests[low].hex(), copy=low + 1, rank=int(t["rank"]),
        stratum=str(t.get("stratum") or ""), stratum_count=int(stratum.get("count", 0)),
        stratum_eligible=int(stratum.get("eligible", 0)), cutoff=str(stratum.get("cutoff", "")),
    )


def seed_example(data: AgencyData, year: int, task_id: str, rec: dict) -> SeedExample:
    values = (str(rec.get("algorithm", "")), "seed", data.code, str(year), task_id,
              str(rec.get("population", {}).get("sha256", "")), str(rec.get("parameters_sha256", "")),
              str(rec.get("randomness", {}).get("canonical", "")))
    return SeedExample(tuple(zip(SEED_FIELDS, values)), sha256_fields(*values).hex())


def verifier_view(data: AgencyData, year: int, task_id: str, url: str, files: Catalogue,
                  games: LotteryGames | None) -> VerifierView | None:
    """The verifier section of a task page with a draw or a failure record; None otherwise."""
    own = data.draws.get((year, task_id)) or data.failures.get((year, task_id))
    if own is None:
        return None
    rec = own.data
    failure = (year, task_id) not in data.draws
    return VerifierView(
        record=own.file,
        root=urls.root_of(url),
        failure=failure,
        inputs=input_files(data, year, own, files),
        priors=tuple(prior_years(data, rec.get("prior_draws", []))),
        prior_count=len(rec.get("prior_draws", [])),
        sources=official_sources(rec, games),
        example=None if failure else ticket_example(rec),
        seed_example=seed_example(data, year, task_id, rec) if failure else None,
        index=urls.FILES_INDEX,
    )
