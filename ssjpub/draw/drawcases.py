"""The whole-draw vector cases (tests/vectors/draws): one rule of docs/draw-spec.md each, on its
boundary. ssjpub.draw.drawvectors builds them; tests/test_draw_vectors.py checks their facts."""

from __future__ import annotations

import hashlib
from datetime import date

from collections import Counter

from ssjpub.draw.drawvectors import (
    DRAND_SIGNATURE, OTHER_DEPARTMENT, OTHER_ITEM, OTHER_QUALIFICATION, QUALIFICATION, ROSTER, Case, Draw, Fact, Unit, person,
)

EXPIRED = "监察证在任务结束前到期"
CODE = {i: Unit(i).code for i in range(1, 100)}


def codes(r: dict, key: str) -> list[str]:
    return [t["code"] for t in r[key]["targets"]]


def group(r: dict, key: str, serial: int) -> dict:
    return next(g for g in r[key]["groups"] if g["target"] == CODE[serial])


def strata(r: dict, key: str) -> list[tuple]:
    return [(s["stratum"], s["eligible"], s["rule"], s["count"]) for s in r[key]["strata"]]


def pool(r: dict, key: str, pid: str) -> dict:
    return next(p for p in r[key]["inspectors"]["pool"] if p["id"] == pid)


def failure_codes(r: dict, key: str) -> list[str]:
    return [f["code"] for f in r[key].get("failure", [])] if r[key].get("outcome") == "failed" else []


SHORT = [person("SL01", "赵甲", conflicts=[CODE[1]]), person("SL02", "钱乙", conflicts=[CODE[1]]), person("SL03", "孙丙")]
ALL = {"ratio": "100%"}
IN_TOWN = {"scope": {"areas": ["城关镇"]}, "ratio": "100%"}

def loads(r: dict, key: str) -> dict[str, int]:
    return dict(Counter(m for g in r[key]["groups"] for m in g["members"]))


def leading_zeros(rel: str, text: str) -> str:
    """The plan's integers written with leading zeros, as someone might type them."""
    if not rel.endswith("plan.yaml"):
        return text
    return text.replace("  count: 10\n", "  count: 010\n").replace("  group_size: 1\n", "  group_size: 01\n")


def hand_edited(rel: str, text: str) -> str:
    """A snapshot as a spreadsheet or a person leaves it: a BOM, a padded header name, a blank line
    between rows and another at the end (docs/draw-spec.md §2)."""
    if not rel.endswith(".csv"):
        return text
    lines = text.split("\n")
    lines[0] = lines[0].replace(",name,", ", name ,")
    return "\ufeff" + "\n".join(lines[:3] + [""] + lines[3:]) + "\n"


CASES: tuple[Case, ...] = (
    Case(
        "strata-other-fallback",
        "分层抽取时，`strata.ratios` 中没有的层用键 `其他` 的比例（第 5 节）。",
        "Strata not named in strata.ratios take the ratio of the key 其他 (spec §5).",
        "按区域分层，`ratios` 为 `城关镇: 50%`、`其他: 20%`。周庄镇（6 家）和石桥镇（3 家）不在 `ratios` 中，"
        "用 `其他` 的 20%：⌈20%·6⌉ = 2、⌈20%·3⌉ = 1；城关镇 ⌈50%·4⌉ = 2。记录的 `strata[].rule` 写出所用的比例；"
        "`其他` 本身不是一层（没有名为“其他”的区域）。层按码位升序：周庄镇 U+5468、城关镇 U+57CE、石桥镇 U+77F3。",
        tuple([Unit(i, area="城关镇") for i in range(1, 5)] + [Unit(i, area="周庄镇") for i in range(5, 11)]
              + [Unit(i, area="石桥镇") for i in range(11, 14)]),
        (Draw(2024, "2024-01", {"strata": {"by": "area", "ratios": {"城关镇": "50%", "其他": "20%"}}}, facts=(
            Fact("strata 为 周庄镇 6 家按 20% 抽 2 家、城关镇 4 家按 50% 抽 2 家、石桥镇 3 家按 20% 抽 1 家",
                 lambda r: strata(r, "2024/2024-01") == [("周庄镇", 6, "20%", 2), ("城关镇", 4, "50%", 2),
                                                         ("石桥镇", 3, "20%", 1)]),
        )),),
    ),
    Case(
        "strata-no-fallback-fails",
        "分层抽取时，某层既不在 `strata.ratios` 中、也没有 `其他`，抽取失败并写出失败记录（第 5 节、第 8.1 节）。",
        "A stratum with no ratio and no 其他 fails the draw; the failure record is published (spec §5, §8.1).",
        "按区域分层，`ratios` 只有 `城关镇: 50%`，而快照中还有周庄镇的单位。种子已经确定，所以写出"
        "`failures/2024-01.json`（没有抽取记录），`failure[0].code` 为 `missing-field`。",
        tuple([Unit(i, area="城关镇") for i in range(1, 4)] + [Unit(i, area="周庄镇") for i in range(4, 6)]),
        (Draw(2024, "2024-01", {"strata": {"by": "area", "ratios": {"城关镇": "50%"}}}, fails=True, facts=(
            Fact("失败记录的 failure 为 missing-field（周庄镇没有比例）",
                 lambda r: failure_codes(r, "2024/2024-01") == ["missing-field"]
                 and "周庄镇" in r["2024/2024-01"]["failure"][0]["message"]),
        )),),
    ),
    Case(
        "cert-expires-window-end",
        "监察证有效期 `cert_expires` 严格早于任务 `window.end` 的人员被排除；等于 `window.end` 的仍是候选人（第 7 节）。",
        "An inspector whose cert_expires equals window.end is a candidate; one day earlier is excluded (spec §7).",
        "`window.end` 为 2024-05-31。SL01 的证件 2024-05-31 到期（当天，不排除），SL02 的 2024-05-30 到期（早一天，"
        "排除：`监察证在任务结束前到期`），SL03 正常，SL04 不在岗且不具备资格（两条理由按第 7 节的顺序）。"
        "候选人只有 SL01、SL03，每组 2 人，所以每个检查组都是这两人。",
        tuple(Unit(i) for i in range(1, 6)),
        (Draw(2024, "2024-01", {"count": 2}, facts=(
            Fact("SL01（cert_expires = window.end）的 excluded 为空", lambda r: pool(r, "2024/2024-01", "SL01")["excluded"] == []),
            Fact("SL02（早一天）的 excluded 为 [监察证在任务结束前到期]",
                 lambda r: pool(r, "2024/2024-01", "SL02")["excluded"] == [EXPIRED]),
            Fact("SL04 的 excluded 为 [不在岗, 不具备资格]",
                 lambda r: pool(r, "2024/2024-01", "SL04")["excluded"] == ["不在岗", "不具备资格"]),
            Fact("每个检查组的组员都是 SL01 和 SL03",
                 lambda r: all(sorted(g["members"]) == ["SL01", "SL03"] for g in r["2024/2024-01"]["groups"])),
        )),),
        roster=[person("SL01", "赵甲", cert_expires=date(2024, 5, 31)),
                person("SL02", "钱乙", cert_expires=date(2024, 5, 30)),
                person("SL03", "孙丙"),
                person("SL04", "李丁", active=False, qualifications=[])],
    ),
    Case(
        "recused-and-previous",
        "同一人可以同时在 `recused`（回避）和 `previous`（上次检查过该单位）中（第 7 节）。",
        "One inspector can be both recused (conflict) and previous for the same unit (spec §7).",
        "2024-01 中 SL01 检查过单位 1；之后 SL01 申报与单位 1 回避（名录更新，2024-02 之前提交）。2024-02 再次抽中"
        "单位 1：它的检查组中 SL01 既在 `recused`，也在 `previous`（按上次检查组的顺序），不在 `members` 中。"
        "2024-01 的记录保存当时的名录（没有回避），验证以各记录的 `inspectors` 为准。",
        tuple(Unit(i) for i in range(1, 5)),
        (Draw(2024, "2024-01", ALL, facts=(
            Fact("2024-01 中单位 1 的检查组有 SL01", lambda r: "SL01" in group(r, "2024/2024-01", 1)["members"]),
        )),
         Draw(2024, "2024-02", ALL, roster=[person("SL01", "赵甲", conflicts=[CODE[1]])] + ROSTER[1:]
              + [person("SL05", "周戊")], facts=(
             Fact("2024-02 中单位 1 的 recused 为 [SL01]，previous 为 2024-01 的组员，SL01 不在 members 中",
                  lambda r: group(r, "2024/2024-02", 1)["recused"] == ["SL01"]
                  and group(r, "2024/2024-02", 1)["previous"] == group(r, "2024/2024-01", 1)["members"]
                  and "SL01" not in group(r, "2024/2024-02", 1)["members"]),
         ))),
        roster=ROSTER + [person("SL05", "周戊")],
    ),
    Case(
        "two-earlier-inspections",
        "单位有两次此前的检查时，以最后一次的组员为“上次检查人员”（第 7 节），跨年度也一样。",
        "With two earlier inspections of a unit, the last one's members are its previous inspectors (spec §7).",
        "三家单位，每次 100% 抽取，4 名候选人，每组 2 人。2023-01 中单位 1 的组为 G1；2024-01 中 G1 是上次检查人员，"
        "组只能是另外两人 G2；2024-02 中 `previous` 是 G2（不是 G1，也不是两者之和），所以组员又是 G1 的两人。"
        "`prior_draws` 跨年度按先后排列：`2023/2023-01`、`2024/2024-01`。",
        tuple(Unit(i) for i in range(1, 4)),
        (Draw(2023, "2023-01", ALL),
         Draw(2024, "2024-01", ALL),
         Draw(2024, "2024-02", ALL, facts=(
             Fact("2024-02 的 prior_draws 为 [2023/2023-01, 2024/2024-01]",
                  lambda r: r["2024/2024-02"]["prior_draws"] == ["2023/2023-01", "2024/2024-01"]),
             Fact("2024-02 中每家单位的 previous 等于它在 2024-01 的组员（按组员顺序）",
                  lambda r: all(group(r, "2024/2024-02", i)["previous"] == group(r, "2024/2024-01", i)["members"]
                                for i in (1, 2, 3))),
             Fact("2024-02 中每家单位的组员正是 2023-01 检查它的两人",
                  lambda r: all(sorted(group(r, "2024/2024-02", i)["members"])
                                == sorted(group(r, "2023/2023-01", i)["members"]) for i in (1, 2, 3))),
         ))),
    ),
    Case(
        "prior-years-cap",
        "年度上限只数同一年度的记录：去年抽中 2 次的单位今年仍可抽；今年已抽中 2 次的不再抽（第 4 节，S1 四（四））。",
        "The yearly cap counts the same year's records only: twice last year is still eligible, twice this year is capped (spec §4).",
        "单位 1、2 在城关镇，3–5 在周庄镇。2023-01、2023-02 都只抽城关镇（100%），单位 1、2 在 2023 年被抽中 2 次；"
        "2024-01 中它们不在 `capped` 中，再次抽中；2024-02 中它们本年度只抽中 1 次，仍可抽；2024-03 不限区域，"
        "单位 1、2 本年度已抽中 2 次，列入 `capped`（按码位升序，不按快照中的行序：快照按代码降序排列），只抽单位 3–5。",
        tuple([Unit(i, area="周庄镇") for i in (5, 4, 3)] + [Unit(i, area="城关镇") for i in (2, 1)]),
        (Draw(2023, "2023-01", IN_TOWN),
         Draw(2023, "2023-02", IN_TOWN),
         Draw(2024, "2024-01", IN_TOWN, facts=(
             Fact("2024-01 的 capped 为空，单位 1、2 被抽中（去年的 2 次不计）",
                  lambda r: r["2024/2024-01"]["eligible"]["capped"] == []
                  and sorted(codes(r, "2024/2024-01")) == [CODE[1], CODE[2]]),
         )),
         Draw(2024, "2024-02", IN_TOWN, facts=(
             Fact("2024-02 的 capped 为空（本年度只抽中过 1 次）", lambda r: r["2024/2024-02"]["eligible"]["capped"] == []),
         )),
         Draw(2024, "2024-03", ALL, facts=(
             Fact("2024-03 的 capped 为 [单位 1, 单位 2]，抽中的是单位 3–5",
                  lambda r: r["2024/2024-03"]["eligible"]["capped"] == [CODE[1], CODE[2]]
                  and sorted(codes(r, "2024/2024-03")) == [CODE[3], CODE[4], CODE[5]]),
             Fact("2024-03 的 prior_draws 依次为 2023/2023-01、2023/2023-02、2024/2024-01、2024/2024-02",
                  lambda r: r["2024/2024-03"]["prior_draws"]
                  == ["2023/2023-01", "2023/2023-02", "2024/2024-01", "2024/2024-02"]),
         ))),
    ),
    Case(
        "nfc-names",
        "区域、行业、层名按码位逐一比较，不做 NFC；NFC 只用于第 1 节 F() 的编码（第 1、2 节）。",
        "Areas, industries and strata compare by code point, never NFC-normalised; NFC is only in F() (spec §1, §2).",
        "单位 3 的区域写作“兴\\uF9DC镇”（CJK 兼容汉字 U+F9DC，NFC 后为 U+9686“隆”），看起来与范围中的“兴隆镇”"
        "（U+9686）相同，但码位不同，计入 `out_of_scope`。按行业分层：单位 1 的行业“餐饮（Café）”为 NFC（U+00E9），"
        "单位 2 的为 NFD（e + U+0301），是两层。单位 2 的名称也是 NFD，记录原样保存。第 1 版中名称不进入任何"
        "摘要（代码和编号都是 ASCII），所以 F() 的 NFC 不影响这些比较。",
        (Unit(1, area="兴隆镇", industry="餐饮（Café）"),
         Unit(2, area="兴隆镇", industry="餐饮（Cafe\u0301）", name="示例县示例Cafe\u0301有限公司"),
         Unit(3, area="兴\uf9dc镇"),
         Unit(4, area="城关镇")),
        (Draw(2024, "2024-01", {"scope": {"areas": ["兴隆镇", "城关镇"]}, "strata": {"by": "industry", "ratios": {"其他": "100%"}}},
              kind="公开开奖", facts=(
                  Fact("单位 3（兴\\uF9DC镇）计入 out_of_scope，eligible.count 为 3",
                       lambda r: r["2024/2024-01"]["eligible"]["out_of_scope"] == 1
                       and r["2024/2024-01"]["eligible"]["count"] == 3 and CODE[3] not in codes(r, "2024/2024-01")),
                  Fact("strata 有三层：制造业、餐饮（Café）NFC、餐饮（Café）NFD，各 1 家",
                       lambda r: strata(r, "2024/2024-01") == sorted([
                           ("制造业", 1, "100%", 1), ("餐饮（Café）", 1, "100%", 1), ("餐饮（Cafe\u0301）", 1, "100%", 1)])),
                  Fact("单位 2 的名称按快照的码位原样记录（NFD）",
                       lambda r: next(t for t in r["2024/2024-01"]["targets"] if t["code"] == CODE[2])["name"]
                       == "示例县示例Cafe\u0301有限公司"),
              )),),
    ),
    Case(
        "snapshot-text-forms",
        "快照的写法：UTF-8 可带 BOM，RFC 4180 引号，表头列名和各值去掉首尾空白（含全角空格 U+3000），空行略去（第 2 节）。",
        "Snapshot text: optional BOM, RFC 4180 quoting, header names and values trimmed (U+3000 too), blank lines skipped (spec §2).",
        "快照以 BOM 开头，表头写作“ name ”，第 2、3 条记录之间和文件末尾各有一个空行；单位 2 的区域写作“\u3000城关镇 ”"
        "（前有全角空格、后有半角空格），去掉空白后是“城关镇”，在范围内；单位 3 的名称含逗号和双引号，按 RFC 4180 加引号书写。"
        "`population.rows` 为 5（空行不计），`population.sha256` 是含 BOM 和空行的文件全部字节的 SHA-256。",
        (Unit(1), Unit(2, area="\u3000城关镇 "), Unit(3, name='示例县示例"宏达",有限公司'), Unit(4), Unit(5, area="周庄镇")),
        (Draw(2024, "2024-01", {"scope": {"areas": ["城关镇"]}, "ratio": "100%"}, facts=(
            Fact("population.rows 为 5，eligible 为 4 家（单位 2 去掉空白后在城关镇），out_of_scope 为 1",
                 lambda r: r["2024/2024-01"]["population"]["rows"] == 5
                 and r["2024/2024-01"]["eligible"]["count"] == 4 and r["2024/2024-01"]["eligible"]["out_of_scope"] == 1),
            Fact("单位 2 的区域记为“城关镇”，单位 3 的名称记为 示例县示例\"宏达\",有限公司",
                 lambda r: {t["code"]: (t["name"], t["area"]) for t in r["2024/2024-01"]["targets"]}[CODE[2]][1] == "城关镇"
                 and {t["code"]: t["name"] for t in r["2024/2024-01"]["targets"]}[CODE[3]] == '示例县示例"宏达",有限公司'),
        )),),
        edit=hand_edited,
    ),
    Case(
        "yaml-integers",
        "计划中的整数按 YAML 1.2 读取：`count: 010` 是十进制 10，`group_size: 01` 是 1（第 2 节的 parameters 记为整数）。",
        "Plan integers are read as YAML 1.2: count: 010 is ten, not octal eight (spec §2).",
        "计划中写 `count: 010`、`group_size: 01`。ssjpub 按 YAML 1.2 core schema 读取，得 10 和 1；按 YAML 1.1 读取的库"
        "（如 PyYAML 的默认读法）会把 `010` 读成八进制 8，重新实现时要注意。记录中 `parameters.count` 为 10，`rule` 为“10 家”，"
        "每组 1 人。",
        tuple(Unit(i) for i in range(1, 13)),
        (Draw(2024, "2024-01", {"count": 10, "group_size": 1}, facts=(
            Fact("parameters.count 为 10、group_size 为 1，strata 为 [(\"\", 12, \"10 家\", 10)]",
                 lambda r: r["2024/2024-01"]["parameters"]["count"] == 10
                 and r["2024/2024-01"]["parameters"]["group_size"] == 1
                 and strata(r, "2024/2024-01") == [("", 12, "10 家", 10)]),
            Fact("每个检查组 1 人", lambda r: all(len(g["members"]) == 1 for g in r["2024/2024-01"]["groups"])),
        )),),
        edit=leading_zeros,
    ),
    Case(
        "inspector-load-balance",
        "编组先按工作量 `load`，再按签号：各人承担的检查组数相差不超过 1（第 7 节）。",
        "Inspectors are ranked by load first, then by ticket: group counts differ by at most one (spec §7).",
        "7 家单位全部抽中，候选人 SL01–SL03，每组 2 人，共 14 个名额：各人承担 5、5、4 组（相差不超过 1）。"
        "每组的组长 `leader` 是 `members` 的第一人。",
        tuple(Unit(i) for i in range(1, 8)),
        (Draw(2024, "2024-01", ALL, facts=(
            Fact("SL01–SL03 各承担 4 或 5 组，共 14 个名额",
                 lambda r: sorted(loads(r, "2024/2024-01").values()) == [4, 5, 5]
                 and sorted(loads(r, "2024/2024-01")) == ["SL01", "SL02", "SL03"]),
            Fact("每组的 leader 是 members[0]",
                 lambda r: all(g["leader"] == g["members"][0] for g in r["2024/2024-01"]["groups"])),
        )),),
        roster=ROSTER[:3],
    ),
    Case(
        "prior-order-by-plan",
        "此前的抽取按年度、再按任务在计划中的位置排列（不按任务编号）；投诉举报的检查没有抽取记录，不在其中（第 4 节）。",
        "Earlier draws are ordered by year, then by the task's place in the plan, not by id; complaint checks are not draws (spec §4).",
        "计划中依次为 `2024-b`（随机抽取）、`2024-t`（投诉举报，指定单位 1，不抽取）、`2024-a`（随机抽取）。先抽 `2024-b`，再抽 `2024-a`："
        "`2024-a` 的 `prior_draws` 为 `[2024/2024-b]`（编号 a 排在 b 前面也不影响），`2024-t` 不在其中；单位 1 的 `previous` 是 `2024-b` 的组员。",
        tuple(Unit(i) for i in range(1, 4)),
        (Draw(2024, "2024-b", ALL),
         Draw(2024, "2024-t", {"basis": "投诉举报", "targets": [CODE[1]]}, kind=None),
         Draw(2024, "2024-a", ALL, facts=(
             Fact("2024-a 的 prior_draws 为 [2024/2024-b]", lambda r: r["2024/2024-a"]["prior_draws"] == ["2024/2024-b"]),
             Fact("2024-a 中单位 1 的 previous 为 2024-b 的组员",
                  lambda r: group(r, "2024/2024-a", 1)["previous"] == group(r, "2024/2024-b", 1)["members"]),
         ))),
    ),
    Case(
        "departments-and-requirements",
        "名录只取任务 `departments` 的人员；资格要求是任务各事项 `inspector_requirements` 的并集，按码位升序（第 7 节）。",
        "The pool is the task's departments' staff; the requirements are the union over the task's items, in code point order (spec §7).",
        "任务为 LD-01（要求劳动保障监察）和 SB-01（要求社会保险稽核）的联合检查，实施股室只有劳动保障监察股。"
        "`requirements` 为 [劳动保障监察, 社会保险稽核]（劳 U+52B3 在社 U+793E 之前）；社会保险股的 SL03、SL04 不在 `pool` 中；"
        "SL02 只有一项资格，排除为“不具备资格”；SL01 的资格在名录中逆序书写，记录中按码位升序。",
        tuple(Unit(i) for i in range(1, 4)),
        (Draw(2024, "2024-01", {"items": ["LD-01", OTHER_ITEM], "count": 2}, facts=(
            Fact("requirements 为 [劳动保障监察, 社会保险稽核]",
                 lambda r: r["2024/2024-01"]["inspectors"]["requirements"] == [QUALIFICATION, OTHER_QUALIFICATION]),
            Fact("pool 为 SL01、SL02、SL05（不含社会保险股的人员）",
                 lambda r: [p["id"] for p in r["2024/2024-01"]["inspectors"]["pool"]] == ["SL01", "SL02", "SL05"]),
            Fact("SL02 的 excluded 为 [不具备资格]，SL01 的 qualifications 按码位升序",
                 lambda r: pool(r, "2024/2024-01", "SL02")["excluded"] == ["不具备资格"]
                 and pool(r, "2024/2024-01", "SL01")["qualifications"] == [QUALIFICATION, OTHER_QUALIFICATION]),
        )),),
        roster=[person("SL01", "赵甲", qualifications=[OTHER_QUALIFICATION, QUALIFICATION]),
                person("SL02", "钱乙"),
                person("SL03", "孙丙", department=OTHER_DEPARTMENT, qualifications=[QUALIFICATION, OTHER_QUALIFICATION]),
                person("SL04", "李丁", department=OTHER_DEPARTMENT, qualifications=[OTHER_QUALIFICATION]),
                person("SL05", "周戊", qualifications=[QUALIFICATION, OTHER_QUALIFICATION])],
    ),
    Case(
        "no-eligible-fails",
        "按范围筛选后没有可抽单位时抽取失败，写出失败记录（第 5 节、第 8.1 节）。",
        "No eligible unit after the scope fails the draw with a failure record (spec §5, §8.1).",
        "范围为等级 [C]，快照中唯一的 C 级单位已停业：可抽单位为 0，写出失败记录，`failure[0].code` 为 `invalid-value`。",
        (Unit(1), Unit(2), Unit(3, grade="C", status="停业")),
        (Draw(2024, "2024-01", {"scope": {"grades": ["C"]}, "ratio": "5%"}, fails=True, facts=(
            Fact("失败记录的 failure 为 invalid-value", lambda r: failure_codes(r, "2024/2024-01") == ["invalid-value"]),
        )),),
    ),
    Case(
        "more-batches-than-targets",
        "分批：第 rank 家属于第 ⌊(rank − 1)·B / M⌋ + 1 批；B 大于 M 时有的批次为空（第 6 节）。",
        "Batches: rank r is in batch floor((r-1)*B/M)+1; with more batches than targets some are empty (spec §6).",
        "抽 3 家（M = 3），分 5 批（B = 5）：rank 1、2、3 依次在第 1、2、4 批（⌊0⌋+1、⌊5/3⌋+1、⌊10/3⌋+1），第 3、5 批为空。",
        tuple(Unit(i) for i in range(1, 7)),
        (Draw(2024, "2024-01", {"count": 3, "batches": 5}, facts=(
            Fact("targets 的 batch 依 rank 为 1、2、4", lambda r: [t["batch"] for t in r["2024/2024-01"]["targets"]] == [1, 2, 4]),
        )),),
    ),
    Case(
        "ratio-boundaries",
        "比例化为既约分数，数量向上取整 n = ⌈p·N/q⌉，所以每层至少 1 家（第 5 节）。",
        "Counts are ceil(p*N/q) of the reduced ratio, so every stratum gets at least one (spec §5).",
        "按区域分层：甲镇 20 家 5% → 1；乙镇 21 家 5% → 2（计划中写作 `5.0%`，记录为最简形式 `5%`）；丙镇 8 家 12.5%（= 1/8）→ 1；"
        "丁镇 9 家 12.5% → 2；戊镇 3 家 100% → 3；己镇 2 家 0.0001%（允许的最小比例）→ 1（向上取整，不会是 0）。"
        "层按码位升序：丁 U+4E01、丙 U+4E19、乙 U+4E59、己 U+5DF1、戊 U+620A、甲 U+7532。",
        tuple([Unit(i, area="甲镇") for i in range(1, 21)] + [Unit(i, area="乙镇") for i in range(21, 42)]
              + [Unit(i, area="丙镇") for i in range(42, 50)] + [Unit(i, area="丁镇") for i in range(50, 59)]
              + [Unit(i, area="戊镇") for i in range(59, 62)] + [Unit(i, area="己镇") for i in range(62, 64)]),
        (Draw(2024, "2024-01", {"strata": {"by": "area", "ratios": {
            "甲镇": "5%", "乙镇": "5.0%", "丙镇": "12.5%", "丁镇": "12.5%", "戊镇": "100%", "己镇": "0.0001%"}}}, facts=(
            Fact("strata 依次为 丁镇 9→2、丙镇 8→1、乙镇 21→2、己镇 2→1、戊镇 3→3、甲镇 20→1",
                 lambda r: strata(r, "2024/2024-01") == [
                     ("丁镇", 9, "12.5%", 2), ("丙镇", 8, "12.5%", 1), ("乙镇", 21, "5%", 2),
                     ("己镇", 2, "0.0001%", 1), ("戊镇", 3, "100%", 3), ("甲镇", 20, "5%", 1)]),
            Fact("parameters.strata.ratios 中乙镇记为 5%（计划中写 5.0%）",
                 lambda r: r["2024/2024-01"]["parameters"]["strata"]["ratios"]["乙镇"] == "5%"),
        )),),
    ),
    Case(
        "weights",
        "权重为适用各项之积：诚信等级、投诉举报数不少于 `at_least`、严重违法（第 5 节）；权重 w 的单位有 w 张签，取最小的（第 6 节）。",
        "A unit's weight is the product of its grade, complaints (at least at_least) and serious-violation factors (spec §5, §6).",
        "权重为 `grade: {C: 3}`、`complaints: {at_least: 3, weight: 2}`、`serious_violation: 5`，100% 抽取，使每家的权重都出现在记录中："
        "单位 1 C 级、投诉 2（少于 3）→ 3；单位 2 B 级、投诉 3（恰为 at_least）→ 2；单位 3 A 级、投诉 4 → 2；"
        "单位 4 C 级、投诉 3、严重违法 → 3·2·5 = 30；单位 5 B 级、严重违法 → 5；单位 6 A 级 → 1。"
        "`copy` 是取得最小签号的那张签的序号。",
        (Unit(1, grade="C", complaints=2), Unit(2, grade="B", complaints=3), Unit(3, grade="A", complaints=4),
         Unit(4, grade="C", complaints=3, serious=True), Unit(5, grade="B", serious=True), Unit(6, grade="A")),
        (Draw(2024, "2024-01", {"ratio": "100%", "weights": {
            "grade": {"C": 3}, "complaints": {"at_least": 3, "weight": 2}, "serious_violation": 5}}, kind="公开开奖", facts=(
            Fact("各单位的 weight 依次为 3、2、2、30、5、1",
                 lambda r: {t["code"]: t["weight"] for t in r["2024/2024-01"]["targets"]}
                 == {CODE[1]: 3, CODE[2]: 2, CODE[3]: 2, CODE[4]: 30, CODE[5]: 5, CODE[6]: 1}),
            Fact("单位 4 的 copy 大于 1（取的不是第一张签）",
                 lambda r: next(t for t in r["2024/2024-01"]["targets"] if t["code"] == CODE[4])["copy"] > 1),
        )),),
    ),
    Case(
        "scope-filters",
        "依次排除：不在营（inactive）、不在范围内（out_of_scope：区域、行业、等级中非空的每一项都须满足）（第 4 节）。",
        "Rows are excluded as inactive first, then out of scope (every non-empty scope list must match) (spec §4).",
        "范围为区域 [城关镇, 周庄镇]、行业 [制造业, 建筑业]、等级 [B, C]，100% 抽取。单位 1、2、8 在范围内；3 等级不符、4 区域不符、"
        "5 行业不符（out_of_scope 3 家）；6 停业、7 注销（inactive 2 家，7 也不在范围内，但先计入 inactive）。",
        (Unit(1, area="城关镇", industry="制造业", grade="B"), Unit(2, area="周庄镇", industry="建筑业", grade="C"),
         Unit(3, area="城关镇", industry="制造业", grade="A"), Unit(4, area="石桥镇", industry="制造业", grade="B"),
         Unit(5, area="城关镇", industry="教育", grade="B"), Unit(6, area="城关镇", industry="制造业", grade="B", status="停业"),
         Unit(7, area="石桥镇", industry="教育", grade="A", status="注销"), Unit(8, area="周庄镇", industry="制造业", grade="C")),
        (Draw(2024, "2024-01", {"scope": {"areas": ["城关镇", "周庄镇"], "industries": ["制造业", "建筑业"], "grades": ["B", "C"]},
                                "ratio": "100%"}, facts=(
            Fact("eligible 为 count 3、inactive 2、out_of_scope 3、capped []",
                 lambda r: r["2024/2024-01"]["eligible"] == {"count": 3, "inactive": 2, "out_of_scope": 3, "capped": []}),
            Fact("抽中的正是单位 1、2、8", lambda r: sorted(codes(r, "2024/2024-01")) == [CODE[1], CODE[2], CODE[8]]),
        )),),
    ),
    Case(
        "combined-ceremony-lottery",
        "组合来源：先公开摇号、后彩票开奖，规范随机数是两者规范值按声明顺序的连接（第 2.3 节，RFC 3797）。",
        "Combined sources: a ceremony and a lottery draw; the canonical randomness joins both canonical values in declared order (spec §2.3).",
        "声明 `[公开摇号, 公开开奖]`：记录的 `randomness.sources` 依次为两者的规范值，`randomness.canonical` 是它们的连接，"
        "`parameters.randomness` 是两个对象的列表。",
        tuple(Unit(i) for i in range(1, 9)),
        (Draw(2024, "2024-01", {"count": 3}, kind=("公开摇号", "公开开奖"), facts=(
            Fact("randomness.sources 为摇号、开奖两项，canonical 是两者的连接",
                 lambda r: [p["kind"] for p in r["2024/2024-01"]["randomness"]["sources"]] == ["公开摇号", "公开开奖"]
                 and r["2024/2024-01"]["randomness"]["canonical"]
                 == "".join(p["canonical"] for p in r["2024/2024-01"]["randomness"]["sources"])),
        )),),
    ),
    Case(
        "drand-and-lottery",
        "drand 信标与彩票开奖组合：drand 的规范值是签名的 SHA-256 加“/”，签名可用固定的 quicknet 公钥离线核验（第 2.4 节）。",
        "A drand quicknet round combined with a lottery draw: drand's canonical value is SHA-256(signature) + \"/\", "
        "its BLS signature checkable offline with the pinned key (spec §2.4).",
        "真实的 drand quicknet 第 9367912 轮（北京时间 2024-07-14 05:45）加当晚的双色球：drand 部分的规范值为 64 位十六进制加“/”，"
        "等于签名的 SHA-256；任务的实施时间在 7 月之后。",
        tuple(Unit(i) for i in range(1, 9)),
        (Draw(2024, "2024-01", {"count": 3, "window": {"start": date(2024, 7, 22), "end": date(2024, 9, 30)}},
              kind=("drand", "公开开奖"), facts=(
            Fact("randomness.sources[0] 为 drand，其规范值是签名的 SHA-256 加“/”",
                 lambda r: r["2024/2024-01"]["randomness"]["sources"][0]
                 == {"kind": "drand", "canonical": hashlib.sha256(bytes.fromhex(DRAND_SIGNATURE)).hexdigest() + "/"}),
        )),),
    ),
    Case(
        "count",
        "按数量抽取：`count` 家，`rule` 写作“<count> 家”（第 5 节）。",
        "Drawing a count instead of a ratio: rule is \"<count> 家\" (spec §5).",
        "7 家可抽，`count: 3`：只有名为空文字的一层，`rule` 为 `3 家`，`count` 为 3，`cutoff` 是第 3 小的签号。",
        tuple(Unit(i) for i in range(1, 8)),
        (Draw(2024, "2024-01", {"count": 3}, kind="公开开奖", facts=(
            Fact("strata 为 [(\"\", 7, \"3 家\", 3)]，cutoff 等于 rank 3 的签号",
                 lambda r: strata(r, "2024/2024-01") == [("", 7, "3 家", 3)]
                 and r["2024/2024-01"]["strata"][0]["cutoff"] == r["2024/2024-01"]["targets"][2]["ticket"]),
        )),),
    ),
    Case(
        "count-exceeds-eligible-fails",
        "要求抽取的家数多于可抽单位时抽取失败，不会少抽（第 5 节、第 8.1 节）。",
        "Asking for more units than are eligible fails the draw instead of drawing fewer (spec §5, §8.1).",
        "`count: 4`，而范围内只有 3 家在营单位：写出失败记录，`failure[0].code` 为 `invalid-value`。",
        (Unit(1), Unit(2), Unit(3), Unit(4, status="停业")),
        (Draw(2024, "2024-01", {"count": 4}, fails=True, facts=(
            Fact("失败记录的 failure 为 invalid-value", lambda r: failure_codes(r, "2024/2024-01") == ["invalid-value"]),
        )),),
    ),
    Case(
        "inspectors-short-fails",
        "回避之后可选人员少于一组时抽取失败，写出失败记录；重新抽取是新增的任务，参数多一个键 `retry_of`（第 7 节、第 8.1 节）。",
        "When recusals leave fewer candidates than a group, the draw fails with a failure record; the retry is a new task with retry_of (spec §7, §8.1).",
        "候选人 SL01–SL03，每组 2 人；SL01、SL02 都申报与单位 1 回避，单位 1（100% 抽取，必被抽中）只剩 1 名可选人员。"
        "失败记录含已算好排除理由的名录，`failure[0].code` 为 `invalid-value`，说明中写明单位 1 的代码。"
        "之后名录增加 SL04，新增任务 2024-02（`retry_of: 2024-01`）重新抽取成功；失败记录不计入它的 `prior_draws`。",
        tuple(Unit(i) for i in range(1, 4)),
        (Draw(2024, "2024-01", ALL, fails=True, facts=(
            Fact("失败记录的 failure 为 invalid-value，并指出单位 1",
                 lambda r: failure_codes(r, "2024/2024-01") == ["invalid-value"]
                 and CODE[1] in r["2024/2024-01"]["failure"][0]["message"]),
            Fact("失败记录的 inspectors.pool 有 3 人", lambda r: len(r["2024/2024-01"]["inspectors"]["pool"]) == 3),
        )),
         Draw(2024, "2024-02", {**ALL, "retry_of": "2024-01"}, roster=SHORT + [person("SL04", "李丁")], facts=(
             Fact("重新抽取的 parameters 最后一个键为 retry_of: 2024-01，prior_draws 为空",
                  lambda r: list(r["2024/2024-02"]["parameters"].items())[-1] == ("retry_of", "2024-01")
                  and r["2024/2024-02"]["prior_draws"] == []),
             Fact("单位 1 的检查组 recused 为 [SL01, SL02]，组员为 SL03、SL04",
                  lambda r: group(r, "2024/2024-02", 1)["recused"] == ["SL01", "SL02"]
                  and sorted(group(r, "2024/2024-02", 1)["members"]) == ["SL03", "SL04"]),
         ))),
        roster=SHORT,
    ),
    Case(
        "split-population",
        "名录快照拆分成多个文件（`targets/<日期>/` 目录中的 .csv，例如一个县一个文件）时为 `ssjpub-draw/3`："
        "各部分按文件名的码位顺序，`population.parts` 逐个写出文件、SHA-256 和行数，种子中的 `population_sha256` "
        "换成各部分的摘要 H(A, \"population\", 文件名₁, sha256₁, …)（第 2 节、第 11.2 节）。",
        "A snapshot split into several files is ssjpub-draw/3: parts in file-name order, each listed with its "
        "SHA-256 and rows, and their digest in the seed (spec §2, §11.2).",
        "三个部分：`410402.csv`（单位 1–4，按代码倒序书写）、`410421-宝丰县.csv`（单位 5–7）、`410499.csv`（只有表头，"
        "0 行：一个没有单位的县也可以有自己的文件）。`population.file` 是目录，`rows` 为 7（各部分之和），"
        "`sha256` 不是任何一个文件的摘要，而是各部分的摘要；签号、分层和编组与 `/2` 完全相同，只是算法名为 `ssjpub-draw/3`。",
        tuple([Unit(i, area="城关镇") for i in range(1, 5)] + [Unit(i, area="周庄镇", grade="C") for i in range(5, 8)]),
        (Draw(2024, "2024-01", {"strata": {"by": "area", "ratios": {"其他": "50%"}}, "weights": {"grade": {"C": 3}}}, facts=(
            Fact("algorithm 为 ssjpub-draw/3，population.parts 为 410402.csv 4 行、410421-宝丰县.csv 3 行、410499.csv 0 行",
                 lambda r: r["2024/2024-01"]["algorithm"] == "ssjpub-draw/3"
                 and [(p["file"].rsplit("/", 1)[1], p["rows"]) for p in r["2024/2024-01"]["population"]["parts"]]
                 == [("410402.csv", 4), ("410421-宝丰县.csv", 3), ("410499.csv", 0)]),
            Fact("population.rows 为 7，population.sha256 为 H(A, \"population\", 文件名, sha256, …)",
                 lambda r: r["2024/2024-01"]["population"]["rows"] == 7
                 and r["2024/2024-01"]["population"]["sha256"] == _parts_digest(r["2024/2024-01"]["population"]["parts"])),
            Fact("strata 为 周庄镇 3 家抽 2 家、城关镇 4 家抽 2 家",
                 lambda r: strata(r, "2024/2024-01") == [("周庄镇", 3, "50%", 2), ("城关镇", 4, "50%", 2)]),
        )),),
        split={"410402.csv": (4, 3, 2, 1), "410421-宝丰县.csv": (5, 6, 7), "410499.csv": ()},
    ),
)


def _parts_digest(parts: list[dict]) -> str:
    """The spec's parts digest, written out from §11.2 rather than through the engine."""
    data = b""
    for text in ("ssjpub-draw/3", "population", *(t for p in parts for t in (p["file"].rsplit("/", 1)[1], p["sha256"]))):
        raw = text.encode("utf-8")
        data += len(raw).to_bytes(4, "big") + raw
    return hashlib.sha256(data).hexdigest()
