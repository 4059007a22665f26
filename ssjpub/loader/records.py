"""The shape of a draw record: the fields that rules, the site and re-execution index.

A record is written by `ssjpub draw`; one edited by hand may lack any part. Such a record is
refused here, with the field and its line, so that nothing further down meets a missing key.
Whether the values are right is `ssjpub verify`'s question, not this one.
"""

from __future__ import annotations

from pathlib import Path

from ssjpub.loader.tree import path_problem
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.problems import Problem

class StrList:
    """A JSON list of strings (a type marker for the tables below)."""


# For each list of objects: the fields each element must have, with their JSON types.
_ITEMS: dict[str, dict[str, tuple[type, ...]]] = {
    "targets": {"rank": (int,), "code": (str,), "name": (str,), "area": (str,), "industry": (str,),
                "grade": (str,), "stratum": (str,), "weight": (int,), "ticket": (str,), "copy": (int,)},
    "groups": {"target": (str,), "leader": (str,), "members": (StrList,), "recused": (StrList,),
               "previous": (StrList,)},
    "strata": {"stratum": (str,), "eligible": (int,), "rule": (str,), "count": (int,), "cutoff": (str, type(None))},
}
# A failure record (docs/draw-spec.md §8.1) has the inputs and seed, and what failed instead.
_FAILURE_ITEMS: dict[str, dict[str, tuple[type, ...]]] = {"failure": {"code": (str,), "message": (str,)}}
_OBJECTS = {
    "population": {"file": (str,), "sha256": (str,), "rows": (int,)},
    "randomness": {"file": (str,), "canonical": (str,)},
    "inspectors": {"file": (str,), "requirements": (StrList,), "pool": (list,)},
}
# Each file of a split population (ssjpub-draw/3).
_PART = {"file": (str,), "sha256": (str,), "rows": (int,)}
# The roster pinned in the record: re-execution and the rules read every field (a name may be
# absent from the directory: null, docs/draw-spec.md §7).
_POOL = {"id": (str,), "name": (str, type(None)), "department": (str,), "active": (bool,), "qualifications": (StrList,),
         "cert_expires": (str,), "conflicts": (StrList,), "excluded": (StrList,)}
_TYPE_NAMES = {int: "整数", str: "字符串", list: "列表", dict: "对象", bool: "true 或 false", type(None): "null",
               StrList: "字符串的列表"}


def _missing(path: tuple, what: str) -> tuple[tuple, str, str]:
    return path, "missing-field", f"缺少字段“{what}”"


def _wrong(path: tuple, types: tuple[type, ...]) -> tuple[tuple, str, str]:
    names = "或".join(_TYPE_NAMES[t] for t in types)
    return path, "wrong-type", f"应为{names}"


def _is(value: object, types: tuple[type, ...]) -> bool:
    if StrList in types and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return True
    return isinstance(value, tuple(t for t in types if t is not StrList)) and not (
        isinstance(value, bool) and bool not in types)


def _fields(obj: dict, spec: dict, path: tuple) -> list:
    out = []
    for name, exact, types in _compiled(spec):
        value = obj.get(name, _ABSENT)
        if type(value) in exact:  # a record as `ssjpub draw` writes it: one look-up per field
            continue
        if value is _ABSENT:
            out.append(_missing(path, name))
        elif not _is(value, types):
            out.append(_wrong((*path, name), types))
    return out


_ABSENT = object()
_COMPILED: dict[int, tuple[dict, list[tuple[str, frozenset, tuple[type, ...]]]]] = {}


def _compiled(spec: dict) -> list[tuple[str, frozenset, tuple[type, ...]]]:
    """Each field with the exact types that pass at once (a bool is exactly bool, never int); a
    list of strings and anything else go through _is. Kept per spec (the module's constants)."""
    kept = _COMPILED.get(id(spec))
    if kept is None or kept[0] is not spec:
        kept = _COMPILED[id(spec)] = (spec, [(name, frozenset(t for t in types if t is not StrList), types)
                                             for name, types in spec.items()])
    return kept[1]


def _paths(record: dict, root: Path) -> list:
    """The record's file fields name files in the repository, and nothing else: `verify`,
    `verify --history` (which hands them to git) and the site's commands read them."""
    out = []
    for key in _OBJECTS:
        obj = record.get(key)
        value = obj.get("file") if isinstance(obj, dict) else None
        why = path_problem(value, root) if isinstance(value, str) else None
        if why:
            out.append(((key, "file"), "invalid-path", f"中的文件路径无效：{why}"))
    for i, part in enumerate(_parts(record)):
        why = path_problem(part["file"], root) if isinstance(part.get("file"), str) else None
        if why:
            out.append((("population", "parts", i, "file"), "invalid-path", f"中的文件路径无效：{why}"))
    return out


def _parts(record: dict) -> list:
    """A split population's parts (ssjpub-draw/3), as written."""
    population = record.get("population")
    parts = population.get("parts", []) if isinstance(population, dict) else []
    return parts if isinstance(parts, list) else []


def shape_problems(rel: str, text: str, record: dict, root: Path, failure: bool = False) -> list[Problem]:
    """Missing or mistyped fields of a draw record (`failure`: of a failure record), at their lines."""
    found = []
    if failure and record.get("outcome") != "failed":
        found.append((("outcome",), "invalid-value", "应为“failed”（失败记录由 ssjpub draw 生成）"))
    for key, spec in (_FAILURE_ITEMS if failure else _ITEMS).items():
        items = record.get(key)
        if not isinstance(items, list):
            found.append(_missing((), key) if items is None else _wrong((key,), (list,)))
            continue
        for i, item in enumerate(items):
            found += _fields(item, spec, (key, i)) if isinstance(item, dict) else [_wrong((key, i), (dict,))]
    for key, spec in _OBJECTS.items():
        obj = record.get(key)
        if not isinstance(obj, dict):
            found.append(_missing((), key) if obj is None else _wrong((key,), (dict,)))
        else:
            found += _fields(obj, spec, (key,))
    population = record.get("population")
    if isinstance(population, dict) and "parts" in population:
        if not isinstance(population["parts"], list) or not population["parts"]:
            found.append(_wrong(("population", "parts"), (list,)))
        for i, item in enumerate(_parts(record)):
            path = ("population", "parts", i)
            found += _fields(item, _PART, path) if isinstance(item, dict) else [_wrong(path, (dict,))]
    pool = record.get("inspectors", {}).get("pool") if isinstance(record.get("inspectors"), dict) else None
    for i, item in enumerate(pool if isinstance(pool, list) else []):
        path = ("inspectors", "pool", i)
        found += _fields(item, _POOL, path) if isinstance(item, dict) else [_wrong(path, (dict,))]
    found += _paths(record, root)
    if not found:
        return []
    doc, _ = parse_yaml(text, rel)  # JSON is YAML: the positioned parser gives the lines
    what = "失败记录" if failure else "抽取记录"
    return [doc.pos(*path).problem(code, f"{what}{_dotted(path)}{message}") for path, code, message in found]


def _dotted(path: tuple) -> str:
    out = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return f" {out.lstrip('.')} " if out else ""


def passed_on(record: dict) -> dict:
    """The part of a draw record that later draws and the roster check read (ssjpub.draw.engine
    PriorDraws.add, ssjpub.draw.history.roster_before_values): each group's target and members,
    each target's code, the randomness file and the inspectors section; whatever shape they have,
    as the readers themselves skip what is not of theirs."""
    out = {k: record[k] for k in ("randomness", "inspectors") if k in record}
    if isinstance(record.get("groups"), list):
        out["groups"] = [{k: g[k] for k in ("target", "members") if k in g} if isinstance(g, dict) else g
                         for g in record["groups"]]
    elif "groups" in record:
        out["groups"] = record["groups"]
    if isinstance(record.get("targets"), list):
        out["targets"] = [{"code": t["code"]} if isinstance(t, dict) and "code" in t else {} if isinstance(t, dict) else t
                          for t in record["targets"]]
    elif "targets" in record:
        out["targets"] = record["targets"]
    return out
