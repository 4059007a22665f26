#!/usr/bin/env python3
"""独立核对 ssjpub 抽取记录（算法 ssjpub-draw/2、名录拆分成多个文件时的 ssjpub-draw/3，以及此前的 ssjpub-draw/1）。

只用 Python 3.11 标准库，只依据 docs/draw-spec.md 实现，不导入 ssjpub。

用法：
    python3 docs/verify_draw.py plans/baofeng/2024/draws/2024-01.json [--root 仓库根目录]
    python3 docs/verify_draw.py --all [--root 仓库根目录]     # 全部 draws/*.json 和 failures/*.json
    python3 docs/verify_draw.py --selftest                     # draw-spec.md 第 10 节的算例等

输出：每条核对通过的记录一行 `OK <文件>`；每处不一致一行
`<文件>: <字段路径>: 记录为 X，重新计算为 Y`；输入有问题或某项无法核对时一行
`<文件>: <位置>: <说明>`（无法核对的项写“未核对”，不假装通过）。
全部记录核对通过时退出码为 0，否则为 1；用法错误为 2。
只读仓库之内的文件：路径中的任何一级是符号链接时都不读取，并报告它（链接的目标不出现在输出中）。

重新计算的内容（括号内为 draw-spec.md 的节）：
- 记录文件的字节格式和各对象键的顺序（8）；文件位置 plans/<机关>/<年度>/draws/<任务>.json；
- parameters 的结构、键的顺序、比例文字的写法，以及 parameters_sha256（2）；
- population.file 的路径、快照的 SHA-256 和数据行数，并按第 2 节解析快照（2）；/3 的记录逐个核对
  population.parts（各部分的文件、SHA-256、行数，按文件名的码位顺序），各部分表头相同、代码不跨文件
  重复，population.sha256 为各部分的摘要（11.2）；
- randomness.file 的路径，从随机数文件重新得出各来源的规范值和 canonical（2.2、2.3），并与声明的
  来源逐项对照（类型、drand 轮次）——文件用本程序的小解析器读取，只认下面 `read_randomness_yaml`
  列出的写法，其余写法报“未核对”；
- 记录的 algorithm 决定按 /1、/2 还是 /3 核对（11）；
- seed（3）；prior_draws 是否与仓库中同一机关已有的记录一致（4）；
- 可抽单位、inactive、out_of_scope、capped（4），权重、分层、数量、签号、copy、rank、批次、
  cutoff（5、6）；
- inspectors 的 file 路径、排序和部门，每人的 excluded（由记录中的事实重新得出），以及 groups（7）；
- 失败记录 plans/<机关>/<年度>/failures/<任务>.json（8.1）：与抽取记录相同的各项，以及重新执行
  是否同样失败（失败的代码和说明文字本文没有规定，不比较）；重新抽取的 parameters.retry_of。

不核对的内容：inspectors.requirements 和 pool 是否与事项清单、人员名录一致（第 7 节规定验证以记录为准，
由 `ssjpub verify --history` 用 git 历史核对）；parameters 是否与 plan.yaml 中的任务一致
（需要完整的 YAML 解析器）；同名 .yaml 副本；提交的先后顺序（需要 git）；drand 的 BLS 签名
（标准库没有 BLS12-381：有 drand 来源的记录，即使通过，也另起一行“注意：……没有核验 BLS 签名”）。

草案没有写明、这里按演示记录或字面意思确定的约定，见文件末尾的 SPEC_NOTES。
"""

from __future__ import annotations

import argparse
import csv
import datetime
import errno
import glob
import hashlib
import io
import json
import os
import re
import sys
import unicodedata
from fractions import Fraction

ALGORITHM_1 = "ssjpub-draw/1"
ALGORITHM_2 = "ssjpub-draw/2"
ALGORITHM_3 = "ssjpub-draw/3"  # /2 的名录拆分成多个文件（第 11.2 节）
ALGORITHMS = (ALGORITHM_1, ALGORITHM_2, ALGORITHM_3)
ALGORITHM = ALGORITHM_1  # 第 10 节的算例（自检）用 /1
CAP_PER_YEAR = 2          # 第 4 节：同一年度内对同一企业的抽查次数不超过 2 次
MAX_LINES_PER_RECORD = 40  # 每条记录最多列出的不一致行数

# 第 8 节：各对象键的顺序
KEYS_RECORD = ["algorithm", "agency", "year", "task", "parameters", "parameters_sha256",
               "population", "randomness", "seed", "prior_draws", "eligible", "strata",
               "targets", "inspectors", "groups"]
# 第 8.1 节：失败记录的键（前十个与抽取记录相同）
KEYS_FAILURE = KEYS_RECORD[:10] + ["inspectors", "outcome", "failure"]
KEYS_POPULATION = ["file", "sha256", "rows"]
KEYS_PART = ["file", "sha256", "rows"]  # /3 的 population.parts[]
KEYS_RANDOMNESS = {ALGORITHM_1: ["file", "canonical"], ALGORITHM_2: ["file", "sources", "canonical"]}
KEYS_RANDOMNESS[ALGORITHM_3] = KEYS_RANDOMNESS[ALGORITHM_2]  # /3 只改名录（第 11.2 节）
KEYS_RANDOMNESS_PART = ["kind", "canonical"]
KEYS_ELIGIBLE = ["count", "inactive", "out_of_scope", "capped"]
KEYS_STRATUM = ["stratum", "eligible", "rule", "count", "cutoff"]
KEYS_TARGET = ["rank", "code", "name", "area", "industry", "grade", "stratum", "weight",
               "ticket", "copy"]
KEYS_INSPECTORS = ["file", "requirements", "pool"]
KEYS_PERSON = ["id", "name", "department", "active", "qualifications", "cert_expires",
               "conflicts", "excluded"]
KEYS_GROUP = ["target", "leader", "members", "recused", "previous"]
# 第 2 节：parameters 的键（表中的顺序）
KEYS_PARAMETERS = ["agency", "year", "task", "items", "departments", "snapshot", "scope",
                   "ratio", "count", "strata", "weights", "window", "group_size", "batches",
                   "randomness"]
KEYS_SCOPE = ["areas", "industries", "grades"]
KEYS_STRATA = ["by", "ratios"]
KEYS_WEIGHTS = ["grade", "complaints", "serious_violation"]
KEYS_COMPLAINTS = ["at_least", "weight"]
KEYS_WINDOW = ["start", "end"]
KEYS_DECL = {ALGORITHM_1: ["kind", "source", "issue", "expected_on", "place", "witnesses"],
             ALGORITHM_2: ["kind", "game", "source", "issue", "expected_on", "place", "witnesses", "round"]}

# 第 2 节：快照的列
CSV_COLUMNS = ["credit_code", "name", "area", "industry", "grade", "complaints",
               "serious_violation", "status", "source"]

REASON_INACTIVE = "不在岗"
REASON_UNQUALIFIED = "不具备资格"
REASON_EXPIRES = "监察证在任务结束前到期"

KIND_OF_FIELD = {"numbers": "公开开奖", "digits": "公开摇号", "signature": "drand"}
KINDS = {ALGORITHM_1: ("公开开奖", "公开摇号"), ALGORITHM_2: ("公开开奖", "公开摇号", "drand")}
KINDS[ALGORITHM_3] = KINDS[ALGORITHM_2]
KEYS_DECL[ALGORITHM_3] = KEYS_DECL[ALGORITHM_2]


class BadInput(Exception):
    """输入缺失或结构不合本文，这条记录无法继续核对。"""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


class Unparseable(Exception):
    """YAML 写法超出本程序的小解析器所支持的范围。"""


# ================================================================ 第 1 节：编码

def F(s) -> bytes:
    """字段：NFC 规范化后的 UTF-8 字节，前加 4 字节大端长度。整数写成十进制文字。"""
    if isinstance(s, bool):
        raise TypeError("布尔值不能作为字段")
    if isinstance(s, int):
        s = str(s)
    if not isinstance(s, str):
        raise TypeError(f"字段必须是文字或整数，得到 {type(s).__name__}")
    b = unicodedata.normalize("NFC", s).encode("utf-8")
    return len(b).to_bytes(4, "big") + b


def H(*fields) -> bytes:
    h = hashlib.sha256()
    for f in fields:
        h.update(F(f))
    return h.digest()


# ========================================================= 第 2 节：规范 JSON

def _canon_str(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical_json(v, path="parameters") -> str:
    """第 2 节的规范 JSON，逐条实现（不借助 json.dumps）。"""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        raise BadInput(path, f"规范 JSON 中只允许整数，这里是 {v!r}")
    if isinstance(v, str):
        return _canon_str(v)
    if isinstance(v, list):
        return "[" + ",".join(canonical_json(x, f"{path}[{i}]") for i, x in enumerate(v)) + "]"
    if isinstance(v, dict):
        items = sorted(v.items(), key=lambda kv: kv[0])  # Python 的 str 比较即码位顺序
        return "{" + ",".join(_canon_str(k) + ":" + canonical_json(x, f"{path}.{k}")
                              for k, x in items) + "}"
    raise BadInput(path, f"不支持的 JSON 值 {v!r}")


# ==================================================== 第 2 节：随机数的规范值

def canonical_numbers(groups) -> str:
    return "".join("".join(f"{n}." for n in sorted(g)) + "/" for g in groups)


def canonical_digits(d: str) -> str:
    return d + "/"


def canonical_drand(signature_hex: str) -> str:
    """drand（第 2.3 节）：签名 48 字节的 SHA-256，小写十六进制，后加 `/`。签名本身是否为该轮的
    BLS 签名，本程序不核验（标准库没有 BLS12-381），只按这里的公式计算。"""
    return hashlib.sha256(bytes.fromhex(signature_hex)).hexdigest() + "/"


# ---- 一个只认少数写法的 YAML 小解析器（只用于随机数文件的 numbers/digits 和几个顶层文字）

_PLAIN_INT = re.compile(r"(?:0|[1-9][0-9]*)")
_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ ]*:(?:[ ]+(.*)|)")


def strip_comment(s: str) -> str:
    """去掉行尾注释：引号之外、前面是空白（或在行首）的 `#` 及其后的文字。"""
    quote = None
    i = 0
    while i < len(s):
        ch = s[i]
        if quote:
            if ch == quote:
                if quote == "'" and i + 1 < len(s) and s[i + 1] == "'":
                    i += 2
                    continue
                quote = None
            elif ch == "\\" and quote == '"':
                i += 2
                continue
        elif ch in "'\"" and (i == 0 or s[i - 1] in " \t[,{:-"):
            quote = ch
        elif ch == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
        i += 1
    return s.rstrip()


def yaml_scalar_text(s: str):
    """单行标量的文字和写法：('plain'|'single'|'double', 文字)。多余的写法抛出 Unparseable。"""
    s = s.strip()
    if not s:
        raise Unparseable("值为空")
    if s[0] == "'":
        if len(s) < 2 or s[-1] != "'":
            raise Unparseable(f"单引号没有闭合：{s}")
        body = s[1:-1]
        if re.search(r"(?<!')'(?!')", body.replace("''", "")):
            raise Unparseable(f"单引号写法不合规：{s}")
        return "single", body.replace("''", "'")
    if s[0] == '"':
        if len(s) < 2 or s[-1] != '"' or "\\" in s or '"' in s[1:-1]:
            raise Unparseable(f"双引号文字含转义或没有闭合：{s}")
        return "double", s[1:-1]
    if s[0] in "[]{}&*!|>%@`":
        raise Unparseable(f"不支持的写法：{s}")
    return "plain", s


def parse_flow_int_lists(s: str):
    """解析流式列表，如 `[[3, 12], [9]]`；元素只能是不带引号、无前导零的十进制整数或流式列表。"""
    pos = 0

    def ws():
        nonlocal pos
        while pos < len(s) and s[pos] in " \t":
            pos += 1

    def value():
        nonlocal pos
        ws()
        if pos < len(s) and s[pos] == "[":
            pos += 1
            items = []
            ws()
            if pos < len(s) and s[pos] == "]":
                pos += 1
                return items
            while True:
                items.append(value())
                ws()
                if pos < len(s) and s[pos] == ",":
                    pos += 1
                    ws()
                    if pos < len(s) and s[pos] == "]":
                        raise Unparseable("流式列表以逗号结尾")
                    continue
                if pos < len(s) and s[pos] == "]":
                    pos += 1
                    return items
                raise Unparseable(f"流式列表写法不合规：{s}")
        m = _PLAIN_INT.match(s, pos)
        if not m:
            raise Unparseable(f"号码不是不带引号、无前导零的十进制整数：{s[pos:pos + 20]}")
        end = m.end()
        if end < len(s) and s[end] not in " \t,]":
            raise Unparseable(f"号码不是不带引号、无前导零的十进制整数：{s[pos:end + 5]}")
        pos = end
        return int(m.group(0))

    v = value()
    ws()
    if pos != len(s):
        raise Unparseable(f"流式列表之后还有文字：{s[pos:]}")
    return v


def _brackets_balanced(s: str) -> bool:
    return s.count("[") == s.count("]")


def parse_block_seq(items, pos: int, indent: int):
    """块序列：items 是 [列, 文字]（已去注释、去空行）。支持 `- - 9`、`-` 换行、`- [3, 12]`、`- 9`。"""
    result = []
    while pos < len(items) and items[pos][0] == indent:
        col, text = items[pos]
        if not (text == "-" or text.startswith("- ")):
            raise Unparseable(f"这里应为序列项“- …”：{text}")
        rest = text[1:]
        stripped = rest.lstrip(" ")
        if stripped == "":
            pos += 1
            if pos < len(items) and items[pos][0] > indent:
                val, pos = parse_block_seq(items, pos, items[pos][0])
            else:
                raise Unparseable("序列项为空")
        elif stripped == "-" or stripped.startswith("- "):
            newcol = col + 1 + (len(rest) - len(stripped))
            items[pos] = [newcol, stripped]
            val, pos = parse_block_seq(items, pos, newcol)
        elif stripped.startswith("["):
            flow = stripped
            pos += 1
            while not _brackets_balanced(flow) and pos < len(items) and items[pos][0] > indent:
                flow += " " + items[pos][1]
                pos += 1
            val = parse_flow_int_lists(flow)
        else:
            pos += 1
            if pos < len(items) and items[pos][0] > indent:
                raise Unparseable(f"多行标量或映射：{stripped}")
            kind, t = yaml_scalar_text(stripped)
            if kind != "plain" or not _PLAIN_INT.fullmatch(t):
                raise Unparseable(f"号码 {stripped} 不是不带引号、无前导零的十进制整数")
            val = int(t)
        result.append(val)
    if pos < len(items) and items[pos][0] > indent:
        raise Unparseable("缩进不一致")
    return result, pos


def yaml_top_level(text: str):
    """顶层的 `键: 值` 及其下属各行。返回 {键: (同一行的值, [[列, 文字], …], 行号)}。"""
    if text.startswith("\ufeff"):
        text = text[1:]
    out = {}
    dup = set()
    cur = None
    for no, raw in enumerate(text.splitlines(), 1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise Unparseable(f"第 {no} 行用制表符缩进")
        line = strip_comment(raw)
        if not line.strip():
            continue
        if line.startswith("%"):
            raise Unparseable(f"第 {no} 行是 YAML 指令")
        if line.rstrip() == "---" and not out and cur is None:
            continue
        if line.rstrip() in ("---", "..."):
            raise Unparseable(f"第 {no} 行：文件含多个 YAML 文档")
        col = len(line) - len(line.lstrip(" "))
        if col == 0 and not (line == "-" or line.startswith("- ")):
            m = _TOP_KEY.fullmatch(line.rstrip())
            if not m:
                cur = None
                dup.add(("?", no))
                continue
            key = m.group(1)
            if key in out:
                dup.add(key)
            out[key] = ((m.group(2) or "").strip(), [], no)
            cur = key
        else:
            if cur is None:
                continue
            out[cur][1].append([col, line.strip() if col else line])
    for k in dup:
        if isinstance(k, str):
            out[k] = None  # 重复的键：不可靠
    return out


def read_randomness_yaml(text: str):
    """从随机数文件的文字得出 (各来源的 [(规范值, 字段名, 轮次)], 顶层文字{agency, year, task}, 问题列表)。

    文件有两种写法（第 2.2 节）：只有一个来源时各字段写在顶层；多个来源时写在 `sources:` 之下，
    每项一个来源（块序列，每项是“- 键: 值”开头的映射）。每个来源支持的写法（其余写法抛出
    Unparseable，调用者报“未核对”）：
      numbers: [[3, 12], [9]]           （流式，可跨行）
      numbers:                           numbers:               numbers:
      - - 3                              - [3, 12]              -
        - 12                             - [9]                    - 3
      - - 9                                                       - 12
      digits: '0123…'   digits: "0123…"   （不加引号时 YAML 1.2 读作整数，ssjpub 拒绝；这里照原文字读取并报告）
      round: 5000000
      signature: '<96 位小写十六进制>'     randomness: '<64 位小写十六进制>'（可选）
    号码只认不带引号、无前导零的十进制整数（带引号或前导零时 YAML 的读法因实现而异）。
    """
    top = yaml_top_level(text)
    meta = {}
    for k in ("agency", "year", "task"):
        v = top.get(k)
        if v is not None and v[0] and not v[1]:
            try:
                meta[k] = yaml_scalar_text(v[0])[1]
            except Unparseable:
                pass
    if "sources" not in top:
        canonical, field, rnd, problems = read_source(top, "")
        return [(canonical, field, rnd)], meta, problems
    if top["sources"] is None:
        raise Unparseable("键 sources 出现了不止一次")
    stray = [k for k in ("announced_on", "numbers", "digits", "round", "signature", "randomness", "evidence")
             if k in top]
    if stray:
        raise Unparseable(f"写了 sources 又在顶层写了 {stray[0]}")
    entries, problems = [], []
    for i, item in enumerate(source_items(text)):
        canonical, field, rnd, found = read_source(yaml_top_level(item), f"sources[{i}] 的")
        entries.append((canonical, field, rnd))
        problems += found
    return entries, meta, problems


def source_items(text: str):
    """`sources:` 之下各项的文字，每项去掉“- ”和缩进，成为顶格的“键: 值”，可再交给 yaml_top_level。"""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    start = next((i for i, raw in enumerate(lines) if re.fullmatch(r"sources[ ]*:", strip_comment(raw))), None)
    if start is None:
        raise Unparseable("sources 不是块序列写法（应为“sources:”换行后每项以“- ”开头）")
    items, indent = [], None
    for no in range(start + 1, len(lines)):
        raw = lines[no]
        line = strip_comment(raw)
        if not line.strip():
            continue
        col = len(line) - len(line.lstrip(" "))
        body = line[col:]
        if col == 0 and not body.startswith("- "):
            break  # 顶格的下一个键
        if indent is None:
            if not body.startswith("- "):
                raise Unparseable(f"第 {no + 1} 行：sources 的项应以“- ”开头")
            indent = col
        if col == indent and body.startswith("- "):
            items.append([])
            line = " " * (indent + 2) + body[2:].lstrip(" ")
            if len(body[2:]) - len(body[2:].lstrip(" ")) != 0:
                raise Unparseable(f"第 {no + 1} 行：“- ”之后多了空格")
        elif col < indent + 2:
            raise Unparseable(f"第 {no + 1} 行：sources 中的缩进不合预期")
        items[-1].append(line[indent + 2:])
    if not items:
        raise Unparseable("sources 为空")
    return ["\n".join(item) + "\n" for item in items]


def read_source(top, where: str):
    """一个来源的字段（yaml_top_level 的结果）→ (规范值, 字段名, drand 轮次或 None, 问题列表)。"""
    problems = []
    present = [k for k in ("numbers", "digits", "signature") if k in top]
    for k in present + [k for k in ("round", "randomness") if k in top]:
        if top[k] is None:
            raise Unparseable(f"{where}键 {k} 出现了不止一次")
    if not present:
        raise Unparseable(f"{where}来源中没有 numbers:、digits: 或 signature:")
    if len(present) == 2:
        raise Unparseable(f"{where}来源中同时有 {present[0]} 和 {present[1]}（第 2.2 节要求恰好有一项）")
    field = present[0]
    rest, body, no = top[field]
    if field == "signature":
        if body or not rest or "round" not in top or top["round"][1]:
            raise Unparseable(f"{where}drand 来源须有单行的 round: 和 signature:")
        sig = yaml_scalar_text(rest)[1]
        kind, rnd = yaml_scalar_text(top["round"][0])
        if kind != "plain" or not _PLAIN_INT.fullmatch(rnd) or rnd == "0":
            raise Unparseable(f"{where}round 不是不带引号的正整数：{top['round'][0]}")
        if not re.fullmatch(r"[0-9a-f]{96}", sig):
            raise Unparseable(f"{where}signature 不是 96 位小写十六进制：{rest}")
        canonical = canonical_drand(sig)
        if "randomness" in top:
            copy = yaml_scalar_text(top["randomness"][0])[1]
            if copy + "/" != canonical:
                problems.append(f"{where}randomness 不等于签名的 SHA-256（第 2.3 节）")
        return canonical, field, int(rnd), problems
    if field == "digits":
        if body or not rest:
            raise Unparseable(f"第 {no} 行：digits 不是单行文字")
        kind, d = yaml_scalar_text(rest)
        if not re.fullmatch(r"[0-9]+", d):
            raise Unparseable(f"第 {no} 行：digits 的值 {rest} 不是十进制数字串")
        if len(d) < 20:
            problems.append(f"{where}digits 只有 {len(d)} 位，第 2.3 节要求至少 20 位")
        if kind == "plain":
            problems.append(f"{where}digits 没有加引号：YAML 1.2 把它读作整数（前导零会丢失），"
                            "ssjpub validate 拒绝这样的文件（第 2.1 节）")
        return canonical_digits(d), field, None, problems
    # numbers
    if rest:
        flow = rest
        extra = [t for _, t in body]
        while not _brackets_balanced(flow) and extra:
            flow += " " + extra.pop(0)
        if extra or not flow.startswith("["):
            raise Unparseable(f"第 {no} 行：numbers 的写法不受支持：{rest}")
        groups = parse_flow_int_lists(flow)
    else:
        if not body:
            raise Unparseable(f"第 {no} 行：numbers 为空")
        items = [list(x) for x in body]
        groups, pos = parse_block_seq(items, 0, items[0][0])
        if pos != len(items):
            raise Unparseable("numbers 之后的缩进不一致")
    if not isinstance(groups, list) or not groups or not all(
            isinstance(g, list) and all(isinstance(n, int) for n in g) for g in groups):
        raise Unparseable("numbers 应为若干组号码（列表的列表）")
    if any(not g for g in groups):
        problems.append(f"{where}numbers 中有空的号码组")
    return canonical_numbers(groups), field, None, problems


# ============================================================ 第 2、5 节：比例

_RATIO = re.compile(r"^([0-9]+)(?:\.([0-9]+))?%$")
_RATIO_MINIMAL = re.compile(r"^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?%$")


def parse_ratio(s) -> Fraction:
    if not isinstance(s, str):
        raise ValueError(f"比例 {s!r} 不是文字")
    m = _RATIO.match(s)
    if not m:
        raise ValueError(f"比例 {s!r} 不是“12.5%”形式的百分数")
    frac = m.group(2) or ""
    r = Fraction(int(m.group(1) + frac), 100 * 10 ** len(frac))  # Fraction 总是既约的
    if not (0 < r <= 1):
        raise ValueError(f"比例 {s} 不在 0%（不含）到 100% 之间")
    return r


def ratio_problem(s):
    try:
        parse_ratio(s)
    except ValueError as e:
        return str(e)
    if not _RATIO_MINIMAL.match(s):
        return f"比例 {s} 不是最简写法（不应有多余的零）"
    return None


def ceil_count(r: Fraction, N: int) -> int:
    p, q = r.numerator, r.denominator
    return (p * N + q - 1) // q


# ===================================================================== 比较

def _show(v) -> str:
    return json.dumps(v, ensure_ascii=False)


def compare(path: str, recorded, computed, out: list):
    """逐字段比较，把 (路径, 记录值, 计算值) 放进 out。"""
    if isinstance(recorded, dict) and isinstance(computed, dict):
        for k in computed:
            if k not in recorded:
                out.append((f"{path}.{k}", "（缺少此字段）", _show(computed[k])))
            else:
                compare(f"{path}.{k}", recorded[k], computed[k], out)
        for k in recorded:
            if k not in computed:
                out.append((f"{path}.{k}", _show(recorded[k]), "（本文没有此字段）"))
        return
    if isinstance(recorded, list) and isinstance(computed, list):
        if len(recorded) != len(computed):
            out.append((f"{path}（个数）", str(len(recorded)), str(len(computed))))
        for i in range(min(len(recorded), len(computed))):
            compare(f"{path}[{i}]", recorded[i], computed[i], out)
        return
    if type(recorded) is not type(computed) or recorded != computed:
        out.append((path, _show(recorded), _show(computed)))


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_slug(v) -> bool:
    return isinstance(v, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", v) is not None


def is_date(v) -> bool:
    if not isinstance(v, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
        return False
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        return False
    return True


# ============================================================ 年度计划的任务顺序

def plan_task_ids(text: str):
    """年度计划 plan.yaml 中顶层 `tasks:` 列表里各任务的 id，按计划中的顺序。

    这是一个只按行读取的小读取器（不是 YAML 解析器）：找到顶格的 `tasks:`，以其后第一个
    序列项“- ”的缩进为任务的缩进，只认这一缩进上的 `- id: <值>` 行（id 必须是每个任务的第一个键）；
    更深的行属于任务内部，略过；回到更浅的缩进（或顶格的其他键）即列表结束。
    任何超出此写法的情况（流式 `tasks: [...]`、任务不以 id 开头、制表符缩进、id 重复等）都抛出
    Unparseable，由调用者报“未核对”。
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    start = None
    for i, raw in enumerate(lines):
        line = strip_comment(raw)
        m = re.fullmatch(r"tasks[ ]*:(.*)", line)
        if m:
            if start is not None:
                raise Unparseable("plan.yaml 中 tasks: 出现了不止一次")
            if m.group(1).strip():
                raise Unparseable("plan.yaml 中的 tasks 不是块序列写法")
            start = i + 1
    if start is None:
        raise Unparseable("plan.yaml 中没有顶格的 tasks:")
    ids = []
    indent = None
    for no in range(start, len(lines)):
        raw = lines[no]
        lead = raw[: len(raw) - len(raw.lstrip())]
        line = strip_comment(raw)
        if not line.strip():
            continue
        if "\t" in lead:
            raise Unparseable(f"plan.yaml 第 {no + 1} 行用制表符缩进")
        col = len(line) - len(line.lstrip(" "))
        body = line[col:]
        is_item = body == "-" or body.startswith("- ")
        if indent is None:
            if not is_item:
                if col == 0:
                    break  # tasks: 为空
                raise Unparseable(f"plan.yaml 第 {no + 1} 行：tasks 不是序列")
            indent = col
        if col < indent or (col == indent and not is_item):
            if col == 0 and not is_item:
                break  # 顶格的下一个键
            raise Unparseable(f"plan.yaml 第 {no + 1} 行缩进不合预期")
        if col > indent:
            continue
        m = re.fullmatch(r"-[ ]+id[ ]*:[ ]+(.+)", body)
        if not m:
            raise Unparseable(f"plan.yaml 第 {no + 1} 行：任务的第一个键不是 id")
        kind, tid = yaml_scalar_text(m.group(1))
        if tid in ids:
            raise Unparseable(f"plan.yaml 中任务 {tid} 出现了不止一次")
        ids.append(tid)
    return ids


# ============================================================== 第 2 节：快照

def read_snapshot(raw: bytes, pfile: str):
    """按第 2 节解析快照：UTF-8（BOM 略去）、RFC 4180、表头，各值去掉首尾空白。"""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(pfile, f"不是 UTF-8 编码：{e}")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise BadInput(pfile, "是空文件，没有表头")
    except csv.Error as e:
        raise BadInput(f"{pfile} 第 1 行", f"不是合法的 CSV：{e}")
    header = [h.strip() for h in header]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise BadInput(f"{pfile} 第 1 行", f"表头缺少列：{', '.join(missing)}")
    if len(set(header)) != len(header):
        raise BadInput(f"{pfile} 第 1 行", "表头中有重复的列名")
    extra = [h for h in header if h not in CSV_COLUMNS]
    if extra:
        raise BadInput(f"{pfile} 第 1 行", f"表头有第 2 节之外的列：{', '.join(extra)}（不得有其他列）")
    rows, seen, problems = [], {}, []
    try:
        for rec in reader:
            line = reader.line_num
            if not rec or rec == [""]:
                continue  # 空行略去，不计数（第 2 节）
            if len(rec) != len(header):
                raise BadInput(f"{pfile} 第 {line} 行",
                               f"有 {len(rec)} 个字段，表头为 {len(header)} 列")
            row = {h: v.strip() for h, v in zip(header, rec)}
            row["_line"] = line
            code = row["credit_code"]
            if not code:
                raise BadInput(f"{pfile} 第 {line} 行", "credit_code 为空")
            if code in seen:
                raise BadInput(f"{pfile} 第 {line} 行", f"credit_code {code} 与第 {seen[code]} 行重复")
            seen[code] = line
            if not re.fullmatch(r"[0-9]+", row["complaints"]):
                problems.append((f"{pfile} 第 {line} 行", f"complaints {row['complaints']!r} 不是非负整数"))
            for col, allowed in (("grade", ("A", "B", "C")), ("serious_violation", ("是", "否")),
                                 ("status", ("在营", "停业", "注销"))):
                if row[col] not in allowed:
                    problems.append((f"{pfile} 第 {line} 行",
                                     f"{col} 为 {row[col]!r}，第 2 节只允许 {'、'.join(allowed)}"))
            rows.append(row)
    except csv.Error as e:
        raise BadInput(f"{pfile} 第 {reader.line_num} 行", f"不是合法的 CSV：{e}")
    return rows, problems


# ============================================================== 第 5、6 节：抽取

def compute_selection(units, seed: str, P: dict, alg: str = ALGORITHM):
    """可抽单位 units（dict：credit_code, name, area, industry, grade, _w）→ (strata, targets, 失败说明)。

    units 的先后不影响结果。
    """
    S = P.get("strata")
    layers = {}
    for u in units:
        layers.setdefault(u[S["by"]] if S else "", []).append(u)
    if not units:
        return [], [], ["没有任何可抽单位：按第 5 节抽取失败"]
    for u in units:
        best, copy = None, None
        for k in range(1, u["_w"] + 1):
            t = H(alg, "target", seed, u["credit_code"], k)
            if best is None or t < best:
                best, copy = t, k
        u["_t"], u["_copy"] = best, copy
    strata_out, chosen, fails = [], [], []
    for key in sorted(layers):
        layer = layers[key]
        N = len(layer)
        if S:
            ratios = S["ratios"]
            rule = ratios.get(key, ratios.get("其他"))
            if rule is None:
                fails.append(f"层 {key!r} 在 strata.ratios 中没有比例，也没有“其他”：按第 5 节抽取失败")
                continue
            n = ceil_count(parse_ratio(rule), N)
        elif P.get("ratio") is not None:
            rule = P["ratio"]
            n = ceil_count(parse_ratio(rule), N)
        else:
            n = P["count"]
            rule = f"{n} 家"
        if n > N:
            fails.append(f"层 {key!r} 需抽 {n} 家，只有 {N} 家可抽：按第 5 节抽取失败")
            continue
        layer.sort(key=lambda u: (u["_t"], u["credit_code"]))
        pick = layer[:n]
        chosen.extend(pick)
        strata_out.append({"stratum": key, "eligible": N, "rule": rule, "count": n,
                           "cutoff": max(u["_t"] for u in pick).hex() if pick else None})
    chosen.sort(key=lambda u: (u["_t"], u["credit_code"]))
    M = len(chosen)
    B = P.get("batches")
    targets = []
    for i, u in enumerate(chosen, 1):
        t = {"rank": i, "code": u["credit_code"], "name": u["name"], "area": u["area"],
             "industry": u["industry"], "grade": u["grade"],
             "stratum": u[S["by"]] if S else "", "weight": u["_w"],
             "ticket": u["_t"].hex(), "copy": u["_copy"]}
        if B is not None:
            t["batch"] = (i - 1) * B // M + 1
        targets.append(t)
    return strata_out, targets, fails


def unit_weight(row, W) -> int:
    w = 1
    gw = W["grade"]
    if row["grade"] in gw:
        w *= gw[row["grade"]]
    cw = W["complaints"]
    if cw is not None and int(row["complaints"]) >= cw["at_least"]:
        w *= cw["weight"]
    sv = W["serious_violation"]
    if sv is not None and row["serious_violation"] == "是":
        w *= sv
    return w


# ============================================================== 第 7 节：编组

def exclusion_reasons(p, requirements, window_end):
    reasons = []
    if p["active"] is False:
        reasons.append(REASON_INACTIVE)
    if not set(requirements) <= set(p["qualifications"]):
        reasons.append(REASON_UNQUALIFIED)
    if p["cert_expires"] < window_end:  # YYYY-MM-DD 的文字顺序即日期顺序
        reasons.append(REASON_EXPIRES)
    return reasons


def compute_groups(pool, excluded, targets, seed, group_size, last_members, alg: str = ALGORITHM):
    """pool：记录中的人员（已按 id 排序）；excluded：{id: 理由}；last_members：{单位: 上次组员}。"""
    cand = [p for p in pool if not excluded[p["id"]]]
    cand_ids = {p["id"] for p in cand}
    load = {p["id"]: 0 for p in cand}
    groups = []
    for t in targets:
        c = t["code"]
        recused = [p["id"] for p in cand if c in p["conflicts"]]
        previous = [i for i in last_members.get(c, []) if i in cand_ids]
        avail = [p["id"] for p in cand if p["id"] not in recused and p["id"] not in previous]
        if len(avail) < group_size:
            return groups, (f"rank {t['rank']}（{c}）可选人员 {len(avail)} 人，少于 group_size {group_size}："
                            f"候选人 {len(cand)} 人，其中回避 {len(recused)} 人、上次检查 {len(previous)} 人"
                            "；按第 7 节抽取失败")
        avail.sort(key=lambda i: (load[i], H(alg, "inspector", seed, c, i), i))
        members = avail[:group_size]
        for i in members:
            load[i] += 1
        groups.append({"target": c, "leader": members[0], "members": members,
                       "recused": recused, "previous": previous})
    return groups, None


# =================================================================== 核对一条记录

def draw_file(agency, year, task) -> str:
    return f"plans/{agency}/{year}/draws/{task}.json"


def failure_file(agency, year, task) -> str:
    return f"plans/{agency}/{year}/failures/{task}.json"


class Report:
    def __init__(self):
        self.lines = []   # 已格式化好的行（不含文件名前缀）
        self.notes = []   # 通过与否都要说明的事（例如没有核验的 drand 签名）
        self.failed = False

    def note(self, message):
        self.notes.append(message)

    def diff(self, path, recorded, computed):
        self.lines.append(f"{path}: 记录为 {recorded}，重新计算为 {computed}")
        self.failed = True

    def problem(self, path, message):
        self.lines.append(f"{path}: {message}")
        self.failed = True

    def unverified(self, path, reason):
        self.lines.append(f"{path}: 未核对：{reason}")
        self.failed = True

    def diffs(self, items):
        for p, a, b in items:
            self.diff(p, a, b)


class Verifier:
    def __init__(self, root: str):
        self.root = root
        self._records = {}
        self._plans = {}

    # ---------------------------------------------------------------- 读文件
    def read_bytes(self, rel):
        """只读仓库之内的文件：rel 须是以“/”分隔的相对路径（没有 ..、. 或空的部分），
        途中和文件本身都不能是符号链接（链接从不跟随，它的目标也不出现在输出中）。"""
        parts = rel.split("/")
        if "\\" in rel or os.path.isabs(rel) or re.match(r"[A-Za-z]:", rel) or any(
                p in ("", ".", "..") for p in parts):
            raise OSError(errno.EINVAL, f"路径 {rel!r} 不是仓库之内的相对路径")
        for i in range(1, len(parts)):
            if os.path.islink(os.path.join(self.root, *parts[:i])):
                raise OSError(errno.ELOOP, f"{'/'.join(parts[:i])} 是符号链接，不读取")
        try:
            fd = os.open(os.path.join(self.root, rel), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise OSError(errno.ELOOP, f"{rel} 是符号链接，不读取") from None
            raise
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    def part_names(self, folder):
        """拆分的名录快照目录中的 .csv 文件名，按码位（UTF-8 字节）顺序；目录或其上级是符号链接时不读取。"""
        parts = folder.split("/")
        for i in range(1, len(parts) + 1):
            if os.path.islink(os.path.join(self.root, *parts[:i])):
                raise OSError(errno.ELOOP, f"{'/'.join(parts[:i])} 是符号链接，不读取")
        names = [n for n in os.listdir(os.path.join(self.root, folder)) if n.endswith(".csv") and not n.startswith(".")]
        return sorted(names, key=lambda n: n.encode("utf-8"))

    def read_parts(self, pop, agency, snapshot, rep):
        """ssjpub-draw/3（第 11.2 节）：目录中各部分按文件名的码位顺序，逐个核对文件、SHA-256 和行数，
        表头相同、代码不跨文件重复，再由各部分的摘要得出 population.sha256。返回 (目录, 全部行, 取值问题)。"""
        folder = f"plans/{agency}/targets/{snapshot}"
        if pop.get("file") != folder:
            rep.diff("population.file", _show(pop.get("file")), _show(folder))
        try:
            names = self.part_names(folder)
        except OSError as e:
            raise BadInput("population.file", f"无法读取拆分的名录快照目录 {folder}：{e.strerror or e}")
        if not names:
            raise BadInput("population.file", f"拆分的名录快照目录 {folder} 中没有 .csv 文件")
        computed, rows, problems, header, seen = [], [], [], None, {}
        for name in names:
            rel = f"{folder}/{name}"
            try:
                raw = self.read_bytes(rel)
            except OSError as e:
                raise BadInput("population.parts", f"无法读取 {rel}：{e.strerror or e}")
            part_rows, part_problems = read_snapshot(raw, rel)
            text = raw.decode("utf-8")
            first = next(csv.reader(io.StringIO(text[1:] if text.startswith("\ufeff") else text, newline="")))
            names_here = [h.strip() for h in first]
            if header is None:
                header = names_here
            elif names_here != header:
                raise BadInput(f"{rel} 第 1 行", f"表头与 {folder}/{names[0]} 的不同（各部分的表头须完全相同）")
            for row in part_rows:
                code = row["credit_code"]
                if code in seen:
                    raise BadInput(f"{rel} 第 {row['_line']} 行", f"credit_code {code} 已在 {seen[code]} 中出现（不得跨文件重复）")
                seen[code] = rel
                row["_file"] = rel
            rows += part_rows
            problems += part_problems
            computed.append({"file": rel, "sha256": hashlib.sha256(raw).hexdigest(), "rows": len(part_rows)})
        recorded = pop.get("parts")
        if not isinstance(recorded, list):
            raise BadInput("population.parts", "应为列表")
        for i, part in enumerate(recorded):
            if isinstance(part, dict):
                if list(part) != KEYS_PART:
                    rep.problem(f"population.parts[{i}]", f"键的顺序应为 {', '.join(KEYS_PART)}")
        out = []
        compare("population.parts", recorded, computed, out)
        rep.diffs(out)
        digest = H(ALGORITHM_3, "population", *(t for p in computed for t in (p["file"].rsplit("/", 1)[1], p["sha256"]))).hex()
        if pop.get("sha256") != digest:
            rep.diff("population.sha256（各部分的摘要）", _show(pop.get("sha256")), _show(digest))
        return folder, rows, problems

    def record(self, rel):
        """此前的抽取记录（只读，不核对）；读不到或不是对象时为 None。"""
        if rel not in self._records:
            try:
                r = json.loads(self.read_bytes(rel).decode("utf-8"))
            except (OSError, UnicodeDecodeError, ValueError):
                r = None
            self._records[rel] = r if isinstance(r, dict) else None
        return self._records[rel]

    def plan_order(self, agency, year):
        """(任务 id 列表, None) 或 (None, 原因)。"""
        key = (agency, year)
        if key not in self._plans:
            rel = f"plans/{agency}/{year}/plan.yaml"
            try:
                text = self.read_bytes(rel).decode("utf-8")
                self._plans[key] = (plan_task_ids(text), None)
            except OSError as e:
                self._plans[key] = (None, f"无法读取 {rel}：{e.strerror or e}")
            except UnicodeDecodeError:
                self._plans[key] = (None, f"{rel} 不是 UTF-8 编码")
            except Unparseable as e:
                self._plans[key] = (None, f"{rel}：{e}")
        return self._plans[key]

    def expected_prior(self, agency, year, task):
        """第 4 节：仓库中同一机关在本任务之前已有的抽取记录，按年度、再按计划中的任务顺序。

        同一年度内任务的先后取自 plans/<机关>/<年度>/plan.yaml 顶层 tasks: 列表中 `- id:` 行的顺序，
        由 plan_task_ids 这个按行读取的小读取器读出（不是完整的 YAML 解析器，读不出时报“未核对”）。

        返回 (列表, None) 或 (None, 无法确定的原因)。
        """
        base = os.path.join(self.root, "plans", agency)
        years = []
        if os.path.isdir(base):
            for y in os.listdir(base):
                if re.fullmatch(r"[0-9]+", y) and int(y) <= year and os.path.isdir(os.path.join(base, y, "draws")):
                    years.append(int(y))
        result = []
        for y in sorted(years):
            present = {os.path.splitext(os.path.basename(p))[0]
                       for p in glob.glob(os.path.join(base, str(y), "draws", "*.json"))}
            if y == year:
                present.discard(task)
            if not present and y != year:
                continue
            order, why = self.plan_order(agency, y)
            if order is None:
                return None, why
            unknown = sorted(present - set(order))
            if unknown:
                return None, (f"plans/{agency}/{y}/draws/ 中有 {', '.join(unknown)} 的记录，"
                              f"但 plans/{agency}/{y}/plan.yaml 的 tasks 中没有这些任务，无法排序")
            if y == year:
                if task not in order:
                    return None, f"plans/{agency}/{y}/plan.yaml 的 tasks 中没有本任务 {task}"
                # 任务按计划顺序抽取（第 4 节）：计划中排在本任务之后的记录不属于“此前的抽取”
                order = order[: order.index(task)]
            result.extend(f"{y}/{t}" for t in order if t in present)
        return result, None

    # ---------------------------------------------------------------- 核对
    def verify(self, rel: str) -> Report:
        rep = Report()
        try:
            self._verify(rel, rep)
        except BadInput as e:
            rep.problem(e.path, f"无法核对：{e.message}")
        return rep

    def _verify(self, rel, rep: Report):
        # ---- 记录文件本身（第 8 节）
        try:
            raw = self.read_bytes(rel)
        except OSError as e:
            raise BadInput("（文件）", f"无法读取：{e.strerror or e}")
        try:
            rec = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise BadInput("（文件）", f"不是 UTF-8 编码的合法 JSON：{e}")
        if not isinstance(rec, dict):
            raise BadInput("（文件）", "抽取记录不是 JSON 对象")
        alg = rec.get("algorithm")
        if alg not in ALGORITHMS:
            rep.problem("algorithm", f"{_show(alg)} 不是本程序认识的算法（{'、'.join(ALGORITHMS)}），不再往下核对")
            return
        if raw != (json.dumps(rec, ensure_ascii=False, indent=2) + "\n").encode("utf-8"):
            rep.problem("（文件格式）", "字节不等于 json.dumps(record, ensure_ascii=False, indent=2) 加换行符（第 8 节）")

        def keys(obj, expected, path):
            if not isinstance(obj, dict):
                raise BadInput(path, f"应为对象，记录中为 {_show(obj)}")
            if list(obj.keys()) != expected:
                rep.diff(f"{path}（键及其顺序）", _show(list(obj.keys())), _show(expected))

        def need(obj, key, path, check=None, what=""):
            if not isinstance(obj, dict) or key not in obj:
                raise BadInput(path, "缺少此字段")
            v = obj[key]
            if check is not None and not check(v):
                raise BadInput(path, f"应为{what}，记录中为 {_show(v)}")
            return v

        failed = "/failures/" in rel  # 失败记录（第 8.1 节）：同样的输入重新执行，必须同样失败
        keys(rec, KEYS_FAILURE if failed else KEYS_RECORD, "（记录）")
        # 机关代号和任务编号用来拼出要读的文件路径：只接受 ssjpub 的写法，不能含“/”或“..”
        agency = need(rec, "agency", "agency", is_slug, "机关代号（小写字母、数字和连字符）")
        year = need(rec, "year", "year", is_int, "整数")
        task = need(rec, "task", "task", is_slug, "任务编号（小写字母、数字和连字符）")
        where, other = (failure_file, draw_file) if failed else (draw_file, failure_file)
        if rel != where(agency, year, task):
            rep.diff("（文件位置）", _show(rel), _show(where(agency, year, task)))
        if os.path.lexists(os.path.join(self.root, other(agency, year, task))):
            rep.problem("（记录）", f"任务 {task} 既有抽取记录又有失败记录：失败的任务不得再有抽取记录（第 8.1 节）")
        if failed:
            fl = rec.get("failure")
            if rec.get("outcome") != "failed":
                rep.diff("outcome", _show(rec.get("outcome")), _show("failed"))
            if not (isinstance(fl, list) and fl and all(
                    isinstance(f, dict) and list(f) == ["code", "message"]
                    and all(isinstance(v, str) and v for v in f.values()) for f in fl)):
                rep.problem("failure", f"应为非空数组，每个元素为 {{\"code\": 文字, \"message\": 文字}}，记录中为 {_show(fl)}")

        # ---- parameters（第 2 节）
        P = need(rec, "parameters", "parameters", lambda v: isinstance(v, dict), "对象")
        self.check_parameters(P, agency, year, task, rep, alg)
        psha = hashlib.sha256(canonical_json(P).encode("utf-8")).hexdigest()
        rec_psha = rec.get("parameters_sha256")
        if rec_psha != psha:
            rep.diff("parameters_sha256", _show(rec_psha), _show(psha))

        # ---- 名录快照（第 2 节；/3 拆分成多个文件，第 11.2 节）
        pop = need(rec, "population", "population")
        keys(pop, KEYS_POPULATION + (["parts"] if alg == ALGORITHM_3 else []), "population")
        if alg == ALGORITHM_3:
            pfile, rows, csv_problems = self.read_parts(pop, agency, P["snapshot"], rep)
        else:
            pfile = f"plans/{agency}/targets/{P['snapshot']}.csv"
            if pop.get("file") != pfile:
                rep.diff("population.file", _show(pop.get("file")), _show(pfile))
            try:
                raw_csv = self.read_bytes(pfile)
            except OSError as e:
                raise BadInput("population.file", f"无法读取快照 {pfile}：{e.strerror or e}")
            pop_sha = hashlib.sha256(raw_csv).hexdigest()
            if pop.get("sha256") != pop_sha:
                rep.diff(f"population.sha256（{pfile} 的 SHA-256）", _show(pop.get("sha256")), _show(pop_sha))
            rows, csv_problems = read_snapshot(raw_csv, pfile)
        for path, msg in csv_problems[:5]:
            rep.problem(path, msg)
        if len(csv_problems) > 5:
            rep.problem(pfile, f"……另有 {len(csv_problems) - 5} 处取值问题")
        if any("complaints" in m for _, m in csv_problems):
            raise BadInput(pfile, "complaints 不是非负整数，无法计算权重")
        if pop.get("rows") != len(rows):
            rep.diff("population.rows", _show(pop.get("rows")), _show(len(rows)))

        # ---- 公开随机数（第 2 节）
        rnd = need(rec, "randomness", "randomness")
        keys(rnd, KEYS_RANDOMNESS[alg], "randomness")
        rcanon = need(rnd, "canonical", "randomness.canonical", lambda v: isinstance(v, str), "文字")
        rfile = f"plans/{agency}/{year}/randomness/{task}.yaml"
        if rnd.get("file") != rfile:
            rep.diff("randomness.file", _show(rnd.get("file")), _show(rfile))
        try:
            rtext = self.read_bytes(rfile).decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            rtext = None
            rep.unverified("randomness.canonical", f"无法读取随机数文件 {rfile}（{e}）")
        if rtext is not None:
            try:
                entries, meta, problems = read_randomness_yaml(rtext)
            except Unparseable as e:
                rep.unverified("randomness.canonical", f"{rfile} 的写法超出本程序能可靠读取的范围：{e}")
            else:
                self.check_randomness(rnd, rcanon, entries, P, alg, rfile, rep)
                for msg in problems:
                    rep.problem(rfile, msg)
                for k, v in (("agency", agency), ("year", str(year)), ("task", task)):
                    if meta.get(k) != v:
                        rep.diff(f"{rfile}（{k}:）", _show(meta.get(k)), _show(v))

        # ---- 种子（第 3 节）
        # 用记录中的 population.sha256、parameters_sha256 和 randomness.canonical：这三项上面已各自与
        # 快照、参数和随机数文件核对过，这样任一输入出错只在它自己的字段报告一次，而不连带种子和全部签号。
        for path, v in (("population.sha256", pop.get("sha256")), ("parameters_sha256", rec_psha)):
            if not (isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v)):
                raise BadInput(path, f"不是 64 位小写十六进制文字：{_show(v)}")
        seed = H(alg, "seed", agency, year, task, pop["sha256"], rec_psha, rcanon).hex()
        if rec.get("seed") != seed:
            rep.diff("seed", _show(rec.get("seed")), _show(seed))

        # ---- 此前的抽取（第 4 节）
        rec_prior = need(rec, "prior_draws", "prior_draws",
                         lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "文字列表")
        prior, why = self.expected_prior(agency, year, task)
        if prior is None:
            rep.unverified("prior_draws", why)
        elif prior != rec_prior:
            rep.diff("prior_draws（与仓库中已有的记录对照）", _show(rec_prior), _show(prior))
        # 以下按记录所列的 prior_draws 读取此前的记录（它已在上面与仓库对照过；这样 prior_draws 出错
        # 只在它自己的字段报告一次，而不连带 capped 和 previous）。
        prior_recs = []
        missing_same_year = missing_earlier = False
        for i, pd in enumerate(rec_prior):
            m = re.fullmatch(r"([0-9]+)/([a-z0-9][a-z0-9-]*)", pd)
            if not m:
                rep.problem(f"prior_draws[{i}]", f"{pd!r} 不是“年度/任务”形式")
                missing_same_year = True
                continue
            y, t = int(m.group(1)), m.group(2)
            r = self.record(draw_file(agency, y, t))
            if r is None or not isinstance(r.get("targets"), list) or not isinstance(r.get("groups"), list):
                rep.unverified(f"prior_draws[{i}]", f"{draw_file(agency, y, t)} 不存在或结构不对")
                if y == year:
                    missing_same_year = True
                else:
                    missing_earlier = True
                continue
            prior_recs.append((y, r))
        if missing_same_year:
            rep.unverified("eligible、strata、targets、groups",
                           "缺少本年度此前的抽取记录，无法计算年度上限（第 4 节）")
            return

        # ---- 可抽单位（第 4 节）
        times = {}
        for y, r in prior_recs:
            if y != year:
                continue
            for code in {t.get("code") for t in r["targets"] if isinstance(t, dict)}:
                times[code] = times.get(code, 0) + 1  # 每条记录算一次
        sc = P["scope"]
        scope = {"area": sc["areas"], "industry": sc["industries"], "grade": sc["grades"]}
        inactive = out_of_scope = 0
        capped, units = [], []
        for row in rows:
            if row["status"] != "在营":
                inactive += 1
            elif any(lst and row[col] not in lst for col, lst in scope.items()):
                out_of_scope += 1
            elif times.get(row["credit_code"], 0) >= CAP_PER_YEAR:
                capped.append(row["credit_code"])
            else:
                units.append(row)
        capped.sort()
        for u in units:
            u["_w"] = unit_weight(u, P["weights"])
        strata, targets, fails = compute_selection(units, seed, P, alg)
        if failed:  # 失败记录没有 eligible、strata、targets、groups：只核对重新执行是否同样失败
            self.check_inspectors(rec, P, agency, seed, targets, prior_recs, bool(fails), missing_earlier, rep,
                                  failure=True, alg=alg)
            return
        el = need(rec, "eligible", "eligible")
        keys(el, KEYS_ELIGIBLE, "eligible")
        out = []
        compare("eligible", el, {"count": len(units), "inactive": inactive,
                                 "out_of_scope": out_of_scope, "capped": capped}, out)
        rep.diffs(out)

        # ---- 权重、分层、数量、签号（第 5、6 节）
        for msg in fails:
            rep.problem("strata", msg)
        rec_strata = need(rec, "strata", "strata", lambda v: isinstance(v, list), "列表")
        for i, s in enumerate(rec_strata):
            keys(s, KEYS_STRATUM, f"strata[{i}]")
        out = []
        compare("strata", rec_strata, strata, out)
        rep.diffs(out)
        rec_targets = need(rec, "targets", "targets", lambda v: isinstance(v, list), "列表")
        tkeys = KEYS_TARGET + (["batch"] if P["batches"] is not None else [])
        for i, t in enumerate(rec_targets):
            keys(t, tkeys, f"targets[{i}]")
        out = []
        compare("targets", rec_targets, targets, out)
        by_code = {r["credit_code"]: (r.get("_file", pfile), r["_line"]) for r in rows}
        for path, a, b in out:
            m = re.fullmatch(r"targets\[(\d+)\]\.(name|area|industry|grade|weight)", path)
            if m and int(m.group(1)) < len(targets):
                path += "（快照 {} 第 {} 行）".format(*by_code[targets[int(m.group(1))]['code']])
            rep.diff(path, a, b)

        # ---- 检查人员（第 7 节）
        self.check_inspectors(rec, P, agency, seed, targets, prior_recs, bool(fails), missing_earlier, rep, alg=alg)

    # ------------------------------------------------------------------------
    def check_randomness(self, rnd, rcanon, entries, P, alg, rfile, rep: Report):
        """随机数文件的各项与声明逐项对照，重新得出 canonical（/2 还有各来源的部分）。"""
        declared = [P["randomness"]] if alg == ALGORITHM_1 else P["randomness"]
        if len(entries) != len(declared):
            rep.diff(f"{rfile}（来源的项数）", str(len(entries)), f"{len(declared)}（parameters.randomness 声明的来源数）")
            return
        parts = []
        for i, ((canonical, field, rnd_no), D) in enumerate(zip(entries, declared)):
            path = "parameters.randomness" + (f"[{i}]" if alg != ALGORITHM_1 else "")
            if D["kind"] != KIND_OF_FIELD[field]:
                rep.diff(f"{path}.kind", _show(D["kind"]), _show(KIND_OF_FIELD[field]) + f"（{rfile} 中是 {field}）")
            if field == "signature":
                if alg == ALGORITHM_1:
                    rep.problem(rfile, "ssjpub-draw/1 没有 drand 来源")
                elif D["round"] != rnd_no:
                    rep.diff(f"{path}.round", _show(D["round"]), f"{rnd_no}（{rfile} 中的轮次）")
                rep.note(f"{rfile}: 第 {i + 1} 个来源 drand 第 {rnd_no} 轮：只按第 2.3 节由签名算出规范值，"
                         "没有核验 BLS 签名是否为该轮的真实签名（标准库没有 BLS12-381）；签名由 ssjpub verify 核验")
            parts.append({"kind": KIND_OF_FIELD[field], "canonical": canonical})
        joined = "".join(x["canonical"] for x in parts)
        if alg != ALGORITHM_1:
            out = []
            compare("randomness.sources", rnd.get("sources"), parts, out)
            for path_, a, b in out:
                rep.diff(f"{path_}（由 {rfile} 得出）", a, b)
        if joined != rcanon:
            rep.diff(f"randomness.canonical（由 {rfile} 得出）", _show(rcanon), _show(joined))

    # ------------------------------------------------------------------------
    def check_parameters(self, P, agency, year, task, rep: Report, alg: str = ALGORITHM):
        """第 2 节的 parameters 映射：键、顺序、类型、比例文字；不合时无法继续的抛出 BadInput。"""
        def keys(obj, expected, path):
            if not isinstance(obj, dict):
                raise BadInput(path, f"应为对象，记录中为 {_show(obj)}")
            if list(obj.keys()) != expected:
                rep.diff(f"{path}（键及其顺序）", _show(list(obj.keys())), _show(expected))
            for k in expected:
                if k not in obj:
                    raise BadInput(f"{path}.{k}", "缺少此字段")

        def typ(v, ok, path, what):
            if not ok(v):
                raise BadInput(path, f"应为{what}，记录中为 {_show(v)}")

        def strlist(v):
            return isinstance(v, list) and all(isinstance(x, str) for x in v)

        def posint(v):
            return is_int(v) and v >= 1

        # 重新抽取的任务多一个键 retry_of（第 2 节、第 8.1 节），只在有值时出现
        keys(P, KEYS_PARAMETERS + (["retry_of"] if "retry_of" in P else []), "parameters")
        if "retry_of" in P:
            typ(P["retry_of"], is_slug, "parameters.retry_of", "任务编号（小写字母、数字和连字符）")
            if P["retry_of"] == task:
                rep.problem("parameters.retry_of", "任务不能是它自己的重新抽取")
            else:
                try:
                    self.read_bytes(failure_file(agency, year, P["retry_of"]))
                except OSError:
                    rep.problem("parameters.retry_of",
                                f"原任务 {P['retry_of']} 没有失败记录 {failure_file(agency, year, P['retry_of'])}（第 8.1 节）")
        for k, v in (("agency", agency), ("year", year), ("task", task)):
            if P[k] != v or type(P[k]) is not type(v):
                rep.diff(f"parameters.{k}", _show(P[k]), _show(v) + "（记录顶层的值）")
        typ(P["items"], strlist, "parameters.items", "文字列表")
        typ(P["departments"], strlist, "parameters.departments", "文字列表")
        typ(P["snapshot"], is_date, "parameters.snapshot", "日期 YYYY-MM-DD")
        keys(P["scope"], KEYS_SCOPE, "parameters.scope")
        for k in KEYS_SCOPE:
            typ(P["scope"][k], strlist, f"parameters.scope.{k}", "文字列表")
        set_ = [k for k in ("ratio", "count", "strata") if P[k] is not None]
        if len(set_) != 1:
            raise BadInput("parameters", f"strata、ratio、count 应恰好有一项不为 null（第 5 节），这里为 {set_}")
        if P["ratio"] is not None:
            prob = ratio_problem(P["ratio"])
            if prob:
                raise BadInput("parameters.ratio", prob)
        if P["count"] is not None:
            typ(P["count"], lambda v: is_int(v) and v >= 0, "parameters.count", "非负整数")
        S = P["strata"]
        if S is not None:
            keys(S, KEYS_STRATA, "parameters.strata")
            typ(S["by"], lambda v: v in ("grade", "area", "industry"), "parameters.strata.by",
                "grade、area 或 industry")
            typ(S["ratios"], lambda v: isinstance(v, dict) and v, "parameters.strata.ratios", "非空对象")
            if list(S["ratios"]) != sorted(S["ratios"]):
                rep.diff("parameters.strata.ratios（键的顺序）", _show(list(S["ratios"])), _show(sorted(S["ratios"])))
            for k, v in S["ratios"].items():
                prob = ratio_problem(v)
                if prob:
                    raise BadInput(f"parameters.strata.ratios.{k}", prob)
        W = P["weights"]
        keys(W, KEYS_WEIGHTS, "parameters.weights")
        typ(W["grade"], lambda v: isinstance(v, dict), "parameters.weights.grade", "对象")
        if list(W["grade"]) != sorted(W["grade"]):
            rep.diff("parameters.weights.grade（键的顺序）", _show(list(W["grade"])), _show(sorted(W["grade"])))
        for k, v in W["grade"].items():
            typ(v, posint, f"parameters.weights.grade.{k}", "正整数")
        if W["complaints"] is not None:
            keys(W["complaints"], KEYS_COMPLAINTS, "parameters.weights.complaints")
            typ(W["complaints"]["at_least"], is_int, "parameters.weights.complaints.at_least", "整数")
            typ(W["complaints"]["weight"], posint, "parameters.weights.complaints.weight", "正整数")
        if W["serious_violation"] is not None:
            typ(W["serious_violation"], posint, "parameters.weights.serious_violation", "正整数")
        keys(P["window"], KEYS_WINDOW, "parameters.window")
        for k in KEYS_WINDOW:
            typ(P["window"][k], is_date, f"parameters.window.{k}", "日期 YYYY-MM-DD")
        typ(P["group_size"], posint, "parameters.group_size", "正整数")
        if P["batches"] is not None:
            typ(P["batches"], posint, "parameters.batches", "正整数")
        if alg == ALGORITHM_1:  # 一个来源，一个对象（第 11 节）
            declared = [("parameters.randomness", P["randomness"])]
        else:  # 来源的列表，按声明的顺序（第 2.2 节）
            typ(P["randomness"], lambda v: isinstance(v, list) and v, "parameters.randomness", "非空列表")
            declared = [(f"parameters.randomness[{i}]", D) for i, D in enumerate(P["randomness"])]
        for path, D in declared:
            keys(D, KEYS_DECL[alg], path)
            typ(D["kind"], lambda v: v in KINDS[alg], f"{path}.kind", "、".join(KINDS[alg]) + "之一")
            typ(D["expected_on"], is_date, f"{path}.expected_on", "日期 YYYY-MM-DD")
            typ(D["witnesses"], strlist, f"{path}.witnesses", "文字列表")
            if alg != ALGORITHM_1:
                drand = D["kind"] == "drand"
                typ(D["round"], (lambda v: is_int(v) and v >= 1) if drand else (lambda v: v is None),
                    f"{path}.round", "正整数（drand）" if drand else "null（只有 drand 有轮次）")

    # ------------------------------------------------------------------------
    def check_inspectors(self, rec, P, agency, seed, targets, prior_recs, draw_failed, missing_prior,
                         rep: Report, failure=False, alg: str = ALGORITHM):
        ins = rec.get("inspectors")
        if not isinstance(ins, dict):
            raise BadInput("inspectors", f"应为对象，记录中为 {_show(ins)}")
        if list(ins.keys()) != KEYS_INSPECTORS:
            rep.diff("inspectors（键及其顺序）", _show(list(ins.keys())), _show(KEYS_INSPECTORS))
        ifile = f"plans/{agency}/inspectors.yaml"
        if ins.get("file") != ifile:
            rep.diff("inspectors.file", _show(ins.get("file")), _show(ifile))
        req = ins.get("requirements")
        if not (isinstance(req, list) and all(isinstance(x, str) for x in req)):
            raise BadInput("inspectors.requirements", f"应为文字列表，记录中为 {_show(req)}")
        if req != sorted(set(req)):
            rep.diff("inspectors.requirements（码位升序、不重复）", _show(req), _show(sorted(set(req))))
        pool = ins.get("pool")
        if not isinstance(pool, list):
            raise BadInput("inspectors.pool", f"应为列表，记录中为 {_show(pool)}")
        deps = P["departments"]
        end = P["window"]["end"]
        excluded = {}
        for i, p in enumerate(pool):
            path = f"inspectors.pool[{i}]"
            if not isinstance(p, dict):
                raise BadInput(path, "不是对象")
            if list(p.keys()) != KEYS_PERSON:
                rep.diff(f"{path}（键及其顺序）", _show(list(p.keys())), _show(KEYS_PERSON))
            for k, ok, what in (("id", lambda v: isinstance(v, str) and v, "非空文字"),
                                ("name", lambda v: v is None or isinstance(v, str), "文字或 null"),
                                ("department", lambda v: isinstance(v, str), "文字"),
                                ("active", lambda v: isinstance(v, bool), "true 或 false"),
                                ("qualifications", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "文字列表"),
                                ("cert_expires", is_date, "日期 YYYY-MM-DD"),
                                ("conflicts", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "文字列表"),
                                ("excluded", lambda v: isinstance(v, list), "列表")):
                if k not in p:
                    raise BadInput(f"{path}.{k}", "缺少此字段")
                if not ok(p[k]):
                    raise BadInput(f"{path}.{k}", f"应为{what}，记录中为 {_show(p[k])}")
            if p["id"] in excluded:
                raise BadInput(f"{path}.id", f"人员编号 {p['id']} 重复")
            if p["department"] not in deps:
                rep.diff(f"{path}.department（{p['id']}）", _show(p["department"]),
                         "（应属于 parameters.departments " + _show(deps) + "）")
            for k in ("qualifications", "conflicts"):
                if p[k] != sorted(p[k]):
                    rep.diff(f"{path}.{k}（{p['id']}，码位升序）", _show(p[k]), _show(sorted(p[k])))
            reasons = exclusion_reasons(p, req, end)
            if p["excluded"] != reasons:
                rep.diff(f"{path}.excluded（{p['id']}）", _show(p["excluded"]), _show(reasons))
            # 编组用记录中的 excluded（已在上一行与事实核对过），使事实或理由出错只在这里报告一次
            excluded[p["id"]] = p["excluded"]
        ids = [p["id"] for p in pool]
        if ids != sorted(ids):
            rep.diff("inspectors.pool（按 id 码位升序）", _show(ids), _show(sorted(ids)))
        pool = sorted(pool, key=lambda p: p["id"])

        # 上次检查人员：依 prior_draws 的顺序，后面的记录覆盖前面的
        last = {}
        for _, r in prior_recs:
            for g in r["groups"]:
                if isinstance(g, dict) and isinstance(g.get("target"), str) and isinstance(g.get("members"), list):
                    last[g["target"]] = list(g["members"])
        rec_groups = [] if failure else rec.get("groups")
        if not isinstance(rec_groups, list):
            raise BadInput("groups", f"应为列表，记录中为 {_show(rec_groups)}")
        for i, g in enumerate(rec_groups):
            if isinstance(g, dict) and list(g.keys()) != KEYS_GROUP:
                rep.diff(f"groups[{i}]（键及其顺序）", _show(list(g.keys())), _show(KEYS_GROUP))
        if draw_failed:
            if not failure:  # 失败记录：抽取单位时同样失败，即已核对
                rep.unverified("groups", "按本文抽取单位时已失败，不再编组")
            return
        if missing_prior:
            rep.unverified("groups", "缺少此前年度的抽取记录，无法确定上次检查人员（第 7 节）")
            return
        groups, fail = compute_groups(pool, excluded, targets, seed, P["group_size"], last, alg)
        if failure:
            if not fail:
                rep.problem("failure", "按本文重新执行，抽取能够完成：失败记录不成立（第 8.1 节）")
            return
        if fail:
            rep.problem("groups", fail)
            return
        out = []
        compare("groups", rec_groups, groups, out)
        rep.diffs(out)


# ======================================================================= 自检

def selftest() -> int:
    ok = True

    def check(label, got, want):
        nonlocal ok
        if got != want:
            ok = False
            print(f"自检失败：{label}：得到 {got!r}，应为 {want!r}")

    # 第 1 节
    check("F(2024)", F("2024").hex(), "0000000432303234")
    check("F(宝丰)", F("宝丰").hex(), "00000006e5ae9de4b8b0")
    check("F(NFC)", F("e\u0301"), F("\u00e9"))
    # 第 10 节算例
    pop = hashlib.sha256(b"credit_code,name\n").hexdigest()
    check("population_sha256", pop, "bb5383ec5033a4f83f5e37e657a9be5263a5fc0505a9b2991e53748a48ae322f")
    cj = canonical_json({"task": "t1", "count": 2})
    check("规范 JSON", cj, '{"count":2,"task":"t1"}')
    ps = hashlib.sha256(cj.encode()).hexdigest()
    check("parameters_sha256", ps, "6d8c934530cf701cd80b4af981dbdc364bb479d84021e312caa08cc6ffeb34de")
    rc = canonical_numbers([[31, 3, 12, 15, 22, 28], [9]])
    check("randomness", rc, "3.12.15.22.28.31./9./")
    seed_input = b"".join(F(x) for x in (ALGORITHM, "seed", "demo", 2024, "t1", pop, ps, rc))
    check("种子输入的开头", seed_input[:17].hex(), "0000000d73736a7075622d647261772f31")
    check("种子输入的结尾", seed_input[-25:].hex(), "00000015332e31322e31352e32322e32382e33312e2f392e2f")
    seed = H(ALGORITHM, "seed", "demo", 2024, "t1", pop, ps, rc).hex()
    check("seed", seed, "a2f66b03fbbefe880aedd1cb7e9471bb7482adfb3952eab16f1b3f397742a84d")
    table = [("91110000600037341L", 1, "ae4f42e9a8bff2e64849a324be68fa42034dcb8a101fb0586b2315b68b7fa629"),
             ("91310115MA1K3BTP2B", 1, "b9c26b150a8a61cbc11b0a998973f127520290e8557c9e77649f64cdf94b138c"),
             ("91310115MA1K3BTP2B", 2, "26b65440a09f9747926cc15dccc962a36de9df675b54c9eaa812d5e751ab8e70"),
             ("91310115MA1K3BTP2B", 3, "5297db21baf2c7803b78e622bf39e21d255ab8d4f6fc659dfafa39b41d39b2b1"),
             ("91410421DEM00001A7", 1, "0a7c4d64d134159514a0869126010762e494a598dfce4d74fb2d540068a64944")]
    for c, k, want in table:
        check(f"T({c}, {k})", H(ALGORITHM, "target", seed, c, k).hex(), want)
    units = [{"credit_code": c, "name": c, "area": "", "industry": "", "grade": "", "_w": w}
             for c, w in (("91110000600037341L", 1), ("91310115MA1K3BTP2B", 3), ("91410421DEM00001A7", 1))]
    P = {"strata": None, "ratio": None, "count": 2, "batches": None}
    strata, targets, fails = compute_selection(units, seed, P)
    check("算例：抽中", [(t["rank"], t["code"], t["copy"]) for t in targets],
          [(1, "91410421DEM00001A7", 1), (2, "91310115MA1K3BTP2B", 2)])
    check("算例：cutoff", strata[0]["cutoff"] if strata else None,
          "26b65440a09f9747926cc15dccc962a36de9df675b54c9eaa812d5e751ab8e70")
    check("算例：rule", strata[0]["rule"] if strata else None, "2 家")
    check("算例：失败", fails, [])
    # 批次
    P2 = {"strata": None, "ratio": "100%", "count": None, "batches": 2}
    _, t2, _ = compute_selection([dict(u) for u in units], seed, P2)
    check("批次", [t["batch"] for t in t2], [1, 1, 2])
    # 比例
    check("12.5% = 1/8", parse_ratio("12.5%"), Fraction(1, 8))
    check("⌈5%·757⌉", ceil_count(parse_ratio("5%"), 757), 38)
    check("⌈20%·329⌉", ceil_count(parse_ratio("20%"), 329), 66)
    check("最简写法", [ratio_problem(x) is None for x in ("5%", "12.5%", "0.5%", "100%", "5.0%", "05%", "0%", "101%")],
          [True, True, True, True, False, False, False, False])
    # 规范 JSON 与 json.dumps 一致
    sample = {"b": ["宝丰", "a\"b\\c\n\t\x01\x7f\u2028"], "a": {"z": None, "y": True, "x": -3}, "é": False}
    check("规范 JSON 转义", canonical_json(sample),
          json.dumps(sample, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    # 随机数文件的写法
    forms = {
        "numbers:\n- - 31\n  - 3\n  - 12\n  - 15\n  - 22\n  - 28\n- - 9\n": "3.12.15.22.28.31./9./",
        "numbers: [[31, 3, 12, 15, 22, 28], [9]]  # 注释\n": "3.12.15.22.28.31./9./",
        "numbers:\n  - [31, 3, 12, 15, 22, 28]\n  - [9]\n": "3.12.15.22.28.31./9./",
        "numbers:\n  -\n    - 31\n    - 3\n  -\n    - 9\n": "3.31./9./",
        "numbers: [[31, 3,\n   12], [9]]\n": "3.12.31./9./",
        "---\nagency: demo\ndigits: '01234567890123456789'\n": "01234567890123456789/",
        'digits: "01234567890123456789"\n': "01234567890123456789/",
        "digits: 01234567890123456789\n": "01234567890123456789/",
    }
    sig = bytes(range(48)).hex()  # 不是真实的 drand 轮次，只演示规范值的算法
    drand = hashlib.sha256(bytes(range(48))).hexdigest() + "/"
    forms.update({
        f"round: 5000000\nsignature: {sig}\n": drand,
        f"round: 5000000\nsignature: '{sig}'\nrandomness: '{drand[:-1]}'\n": drand,
        "sources:\n- announced_on: 2024-01-09\n  numbers: [[31, 3, 12, 15, 22, 28], [9]]\n  evidence: x\n"
        "- announced_on: 2024-01-09\n  digits: '01234567890123456789'  # 注释\n  evidence: y\n":
            "3.12.15.22.28.31./9./01234567890123456789/",
        f"agency: demo\nsources:\n  - numbers:\n    - - 7\n      - 1\n    evidence: x\n  - round: 5\n    signature: {sig}\n"
        "year: 2024\n": "1.7./" + drand,
    })
    for text, want in forms.items():
        try:
            got = "".join(c for c, _, _ in read_randomness_yaml(text)[0])
        except Unparseable as e:
            got = f"Unparseable: {e}"
        check(f"随机数文件 {text!r}", got, want)
    check("drand 轮次", read_randomness_yaml(f"round: 5000000\nsignature: {sig}\n")[0][0][2], 5000000)
    check("未加引号的 digits 要报告", len(read_randomness_yaml("digits: 01234567890123456789\n")[2]), 1)
    for text in ("numbers: [['3', 12]]\n", "numbers:\n- - 03\n", "digits: |\n  0123\n",
                 "numbers: [[1]]\ndigits: '01234567890123456789'\n", "numbers: {a: 1}\n",
                 "numbers:\n- a: 1\n", "numbers: [1, 2]\n", "evidence: x\n",
                 f"signature: {sig}\n", "round: 5\nsignature: 'AB'\n", "sources: []\n",
                 "sources:\n- numbers: [[1]]\nnumbers: [[1]]\n", "sources:\n-   digits: '01234567890123456789'\n"):
        try:
            read_randomness_yaml(text)
            check(f"随机数文件 {text!r} 应报无法读取", "读取了", "Unparseable")
        except Unparseable:
            pass
    # 计划的任务顺序
    plan = ("agency: x\ntasks:\n- id: t1\n  items:\n  - a\n  # - id: fake\n- id: 't2'  # c\n"
            "  note: |\n    - id: fake\nother: 1\n")
    check("plan 任务顺序", plan_task_ids(plan), ["t1", "t2"])
    check("plan 缩进的任务", plan_task_ids("tasks:\n  - id: a\n    x: 1\n  - id: b\n"), ["a", "b"])
    for bad in ("tasks: [a]\n", "tasks:\n- name: x\n  id: a\n"):
        try:
            plan_task_ids(bad)
            check(f"plan {bad!r} 应报无法读取", "读取了", "Unparseable")
        except Unparseable:
            pass
    # 排除理由
    person = {"active": False, "qualifications": ["甲"], "cert_expires": "2024-01-01"}
    check("排除理由", exclusion_reasons(person, ["乙"], "2024-01-02"),
          [REASON_INACTIVE, REASON_UNQUALIFIED, REASON_EXPIRES])
    check("到期当天不排除", exclusion_reasons({"active": True, "qualifications": ["乙"], "cert_expires": "2024-01-02"},
                                       ["乙"], "2024-01-02"), [])
    # 快照：BOM、空白、引号
    rows, probs = read_snapshot(("\ufeff" + ",".join(CSV_COLUMNS) + "\r\n"
                                 ' C1 ,"名,称",区,业,A, 3 ,否,在营,来源\r\n').encode(), "t.csv")
    check("快照解析", (rows[0]["credit_code"], rows[0]["name"], rows[0]["complaints"], probs), ("C1", "名,称", "3", []))
    rows, _ = read_snapshot((",".join(CSV_COLUMNS) + "\n\nC1,n,a,i,A,0,否,在营,s\n\n").encode(), "t.csv")
    check("快照空行略去", [(r["credit_code"], r["_line"]) for r in rows], [("C1", 3)])
    try:
        read_snapshot((",".join(CSV_COLUMNS) + ",phone\n").encode(), "t.csv")
        check("快照多出的列应报错", "读取了", "BadInput")
    except BadInput:
        pass
    # 第 10.3 节算例：ssjpub-draw/3，名录拆成两个文件
    a = hashlib.sha256(b"credit_code,name\n91110000600037341L,\n91310115MA1K3BTP2B,\n").hexdigest()
    b = hashlib.sha256(b"credit_code,name\n91410421DEM00001A7,\n").hexdigest()
    pop3 = H(ALGORITHM_3, "population", "410402.csv", a, "410421.csv", b).hex()
    check("各部分的摘要", pop3, "f526ce52c9a8678c3db5d578a41175ca93ee9042dba26e0218f00d6aa645d903")
    check("/3 的种子", H(ALGORITHM_3, "seed", "demo", 2024, "t1", pop3, ps, rc).hex(),
          "968f487d704f7684cdcf97f3fa6387c3e5083e692ccccb81a7ec3cf42e167112")
    print("自检通过" if ok else "自检未通过")
    return 0 if ok else 1


# ======================================================================= main

class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with its own words (usage, headings, -h) in Chinese: the public reads them."""

    def __init__(self, **kwargs):
        super().__init__(add_help=False, formatter_class=_Formatter, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message):
        self.print_usage(sys.stderr)
        for english, chinese in (("unrecognized arguments: ", "不认识的参数："), ("expected one argument", "后面要写一个值"),
                                 ("the following arguments are required: ", "缺少参数：")):
            message = message.replace(english, chinese)
        print(f"用法错误：{message}", file=sys.stderr)
        sys.exit(2)


def main(argv=None) -> int:
    ap = _Parser(description="按 docs/draw-spec.md（ssjpub-draw/1、/2、/3）独立核对抽取记录，只用 Python 标准库。")
    ap.add_argument("records", nargs="*", help="抽取记录 JSON（相对于当前目录或 --root）")
    ap.add_argument("--all", action="store_true", help="核对 plans/*/*/draws/*.json 和 failures/*.json（失败记录）")
    ap.add_argument("--root", default=".", help="仓库根目录（默认当前目录）")
    ap.add_argument("--selftest", action="store_true", help="核对 draw-spec.md 第 10 节的算例和本程序的解析器")
    args = ap.parse_args(argv)

    if args.selftest:
        if args.all or args.records:
            ap.error("--selftest 不与记录文件或 --all 同用")
        return selftest()
    if args.all == bool(args.records):
        ap.error("请给出抽取记录文件，或使用 --all（二者取一）")
    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        ap.error(f"--root {args.root} 不是目录")

    if args.all:
        files = sorted(os.path.relpath(p, root).replace(os.sep, "/")
                       for kind in ("draws", "failures")
                       for p in glob.glob(os.path.join(root, "plans", "*", "*", kind, "*.json")))
        if not files:
            print(f"在 {root} 下没有找到 plans/*/*/draws/*.json 或 plans/*/*/failures/*.json")
            return 1
    else:
        files = []
        for f in args.records:
            cands = [f] if os.path.isabs(f) else [os.path.join(root, f), f]
            hit = next((c for c in cands if os.path.isfile(c)), None)
            if hit is None:
                ap.error(f"找不到文件 {f}")
            relp = os.path.relpath(os.path.abspath(hit), root).replace(os.sep, "/")
            if relp.startswith("../"):
                ap.error(f"{f} 不在仓库根目录 {root} 之下（请用 --root 指定）")
            files.append(relp)

    v = Verifier(root)
    all_ok = True
    for rel in files:
        try:
            rep = v.verify(rel)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OSError, RecursionError) as e:
            rep = Report()
            rep.problem("（记录）", f"无法核对：记录或输入的结构不合本文（{type(e).__name__}: {e}）")
        if rep.failed:
            all_ok = False
            for line in rep.lines[:MAX_LINES_PER_RECORD]:
                print(f"{rel}: {line}")
            if len(rep.lines) > MAX_LINES_PER_RECORD:
                print(f"{rel}: ……另有 {len(rep.lines) - MAX_LINES_PER_RECORD} 处未列出")
        else:
            print(f"OK {rel}")
        for note in rep.notes:  # 通过时也说明哪些没有核验，不让“OK”暗示核验过
            print(f"{rel}: 注意：{note}")
    return 0 if all_ok else 1


# draw-spec.md 没有写明、本程序的取法（详见核对报告）：
SPEC_NOTES = """
- 快照：表头的列名也去掉首尾空白；空行略去，不计入 population.rows（与 ssjpub 相同）。
- 随机数文件中不加引号的 digits 按原文字读取并报告（第 2.1 节：ssjpub 把它读作整数而拒绝）；号码只认
  不带引号、无前导零的整数，其余写法报“未核对”。
- 年度上限按“已被抽中次数 ≥ 2”判断；同一记录中同一单位只算一次。
- prior_draws：仓库中同一机关、年度不晚于本年度的 draws/*.json；本年度只取计划中排在本任务之前的；
  某年度有记录而 plan.yaml 读不出任务顺序，或记录的任务不在计划中，则报“未核对”。
- 失败记录：只核对按本文重新执行同样失败（抽取单位时或编组时），不比较 failure 中的代码和说明——
  draw-spec.md 第 8.1 节没有规定它们的文字；同一任务既有抽取记录又有失败记录时报错。
- 种子用记录中已分别核对过的 population.sha256、parameters_sha256、randomness.canonical 计算；
  同样，年度上限和上次检查人员按记录的 prior_draws 读取，编组按记录的 excluded 确定候选人——
  这些值都先各自核对，任一处出错只在它自己的字段报告一次，结论（通过与否）不变。
"""


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        try:
            sys.stdout = None
        finally:
            os._exit(1)
