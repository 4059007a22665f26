"""Draw records on disk: JSON for machines (the reference), a YAML copy for staff, both exact."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ssjpub.draw import yamlcopy
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.problems import Pos, Problem

YAML_HEAD = "# 抽取记录：由 ssjpub draw 生成，请勿手工修改。机器可读版本见同名 .json 文件。\n"


def record_paths(agency: str, year: int, task: str) -> tuple[str, str]:
    base = f"plans/{agency}/{year}/draws/{task}"
    return base + ".json", base + ".yaml"


def render_json(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


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
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(render_json(record))
    os.replace(tmp, path)
    return rel


def write_record(root: Path, record: dict) -> list[str]:
    """Write both forms, each atomically; refuses to replace a record (draws are append-only)."""
    rels = record_paths(record["agency"], record["year"], record["task"])
    texts = (render_json(record), render_yaml(record))
    for rel in rels:
        if (root / rel).exists():
            raise FileExistsError(rel)
    for rel, text in zip(rels, texts):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    return list(rels)


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


def compare_mirror(rel: str, text: str, record: dict) -> list[Problem]:
    expected = render_yaml(record)
    if text == expected:
        return []
    a, b = text.split("\n"), expected.split("\n")
    line = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b))) + 1
    return [Pos(rel, line).problem("draw-mismatch", "YAML 副本与 JSON 抽取记录不一致：请勿手工修改抽取记录")]
