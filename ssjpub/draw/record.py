"""Draw records on disk: JSON for machines (the reference), a YAML copy for staff, both exact."""

from __future__ import annotations

import json
from pathlib import Path

from ssjpub.atomicfile import write_files
import orjson

from ssjpub.draw import yamlcopy
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.problems import Pos, Problem

YAML_HEAD = "# 抽取记录：由 ssjpub draw 生成，请勿手工修改。机器可读版本见同名 .json 文件。\n"


def record_paths(agency: str, year: int, task: str) -> tuple[str, str]:
    base = f"plans/{agency}/{year}/draws/{task}"
    return base + ".json", base + ".yaml"


def json_bytes(record: dict) -> bytes:
    """json.dumps(record, ensure_ascii=False, indent=2) and a newline, UTF-8 encoded, byte for byte.

    orjson writes the same bytes some 40 times faster (the standard library's indented encoder is
    pure Python: seconds for a province record). A record holds only str-keyed objects, arrays,
    strings, integers, booleans and null (the draw has no floats, where the two would differ);
    what orjson refuses (a key that is not a string, an integer past 64 bits) goes to json.
    Bytes, as orjson makes them: decoding a province record's 26 MB and encoding it again to write
    or compare it cost as much as rendering it."""
    try:
        return orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n"
    except orjson.JSONEncodeError:
        return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_json(record: dict) -> str:
    """json_bytes(record) as text."""
    return json_bytes(record).decode("utf-8")


def render_yaml(record: dict) -> str:
    """The staff copy: the record as yaml.dump writes it (see yamlcopy), under a comment."""
    return YAML_HEAD + yamlcopy.render(record)


def failure_path(agency: str, year: int, task: str) -> str:
    return f"plans/{agency}/{year}/failures/{task}.json"


def write_failure(root: Path, record: dict) -> str:
    """Write a failure record atomically; refuses to replace one (it is published like a draw)."""
    rel = failure_path(record["agency"], record["year"], record["task"])
    path = root / rel
    if path.exists():
        raise FileExistsError(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_files([(path, json_bytes(record))])
    return rel


def write_record(root: Path, record: dict) -> list[str]:
    """Write both forms; refuses to replace a record (draws are append-only).

    Crash-safe (see ssjpub.draw.halves): both are staged, then renamed with Ctrl-C held back,
    the YAML copy first and the JSON record last, the commit point."""
    json_rel, yaml_rel = record_paths(record["agency"], record["year"], record["task"])
    for rel in (json_rel, yaml_rel):
        if (root / rel).exists():
            raise FileExistsError(rel)
    # Rendered here, not half in a forked process: forking a province draw's 700 MiB process cost
    # more CPU (copy-on-write faults, 18 MB sent back) than the 0.4 s it took off, and no wall time.
    write_files([(root / yaml_rel, render_yaml(record).encode("utf-8")), (root / json_rel, json_bytes(record))])
    return [json_rel, yaml_rel]


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


def _diff(committed, expected, path: tuple) -> list[tuple[tuple, str]]:
    """Paths where the two differ, with a Chinese description; lists compared item by item."""
    if isinstance(committed, dict) and isinstance(expected, dict):
        out = []
        for key in list(expected) + [k for k in committed if k not in expected]:
            if key not in committed:
                out.append((path, f"缺少字段“{key}”"))
            elif key not in expected:
                out.append((path + (key,), f"多出字段“{key}”"))
            else:
                out += _diff(committed[key], expected[key], path + (key,))
        return out
    if isinstance(committed, list) and isinstance(expected, list):
        out = []
        for i, (a, b) in enumerate(zip(committed, expected)):
            out += _diff(a, b, path + (i,))
        if len(committed) != len(expected):
            out.append((path, f"记录有 {len(committed)} 项，重新执行得到 {len(expected)} 项"))
        return out
    if committed != expected:
        return [(path, f"记录为 {_short(committed)}，重新执行为 {_short(expected)}")]
    return []


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（整个记录）"


def compare(rel: str, text: str, committed: dict, expected: dict, limit: int = 20) -> list[Problem]:
    """Every field where the committed record differs from re-execution, at its line in the file.

    JSON is YAML, so the positioned YAML parser gives each field's line and column.
    """
    differences = _diff(committed, expected, ())
    if not differences:
        return []
    doc, _ = parse_yaml(text, rel)
    problems = []
    for path, message in differences[:limit]:
        problems.append(doc.pos(*path).problem("draw-mismatch", f"{_dotted(path)}：{message}"))
    if len(differences) > limit:
        problems.append(Pos(rel).problem("draw-mismatch", f"另有 {len(differences) - limit} 处不一致未列出"))
    return problems


def compare_mirror(rel: str, raw: bytes, record: dict) -> list[Problem]:
    """The YAML copy, byte for byte: what `ssjpub draw` writes for the committed record."""
    expected = render_yaml(record).encode("utf-8")
    if raw == expected:
        return []
    a, b = _lines(raw), _lines(expected)
    if a != b:
        line = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b))) + 1
        return [Pos(rel, line).problem("draw-mismatch", "YAML 副本与 JSON 抽取记录不一致：请勿手工修改抽取记录")]
    return not_canonical(rel, raw, expected)


def _lines(raw: bytes) -> list[bytes]:
    """The lines as a reader sees them: BOM and line-ending style left aside."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    return body.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip(b"\n").split(b"\n")


def not_canonical(rel: str, raw: bytes, expected: bytes) -> list[Problem]:
    """A record whose content is right but whose bytes are not the ones `ssjpub draw` writes
    (re-indented, keys reordered, line endings or the final newline changed): the published bytes
    are what the digests, the site's downloads and `verify --history` rest on, so they must stay
    exactly as written. Reported at the first line that differs."""
    if raw == expected:
        return []
    got, want = raw.split(b"\n"), expected.split(b"\n")
    i = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want)) - 1)
    line, column = i + 1, 1
    if raw.startswith(b"\xef\xbb\xbf"):
        line, why = 1, "文件开头多了 BOM（字节顺序标记）"
    elif b"\r" in raw:
        line = raw[: raw.index(b"\r")].count(b"\n") + 1
        why = "换行符是 Windows 的 CRLF，应为 LF"
    elif i < min(len(got), len(want)) and got[i] != want[i]:
        a, b = got[i].decode("utf-8", "replace"), want[i].decode("utf-8", "replace")
        column = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b))) + 1
        why = f"此行应为“{_clip(b)}”（缩进、键的顺序或写法被改动过）"
    elif len(got) < len(want):
        why = "文件末尾缺少换行符"
    else:
        why = "文件末尾多出了内容"
    return [Pos(rel, line, column).problem(
        "record-not-canonical",
        f"内容与重新执行的结果相同，但文件的字节与 ssjpub draw 写出的不同：{why}。"
        "抽取记录须逐字节保持生成时的样子，请用 git 恢复原文件，不要手工编辑")]


def _clip(text: str) -> str:
    text = text.rstrip()
    return text if len(text) <= 60 else text[:57] + "…"
