"""The shape of a draw record: the fields that rules, the site and re-execution index.

A record is written by `ssjpub draw`; one edited by hand may lack any part. Such a record is
refused here, with the field and its line, so that nothing further down meets a missing key.
Whether the values are right is `ssjpub verify`'s question, not this one.
"""

from __future__ import annotations

from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.problems import Problem

# For each list of objects: the fields each element must have, with their JSON types.
_ITEMS: dict[str, dict[str, tuple[type, ...]]] = {
    "targets": {"rank": (int,), "code": (str,), "name": (str,), "area": (str,), "industry": (str,),
                "grade": (str,), "stratum": (str,), "weight": (int,), "ticket": (str,), "copy": (int,)},
    "groups": {"target": (str,), "leader": (str,), "members": (list,)},
    "strata": {"stratum": (str,), "eligible": (int,), "rule": (str,), "count": (int,), "cutoff": (str, type(None))},
}
_OBJECTS = {"randomness": {"file": (str,), "canonical": (str,)}}
_TYPE_NAMES = {int: "整数", str: "字符串", list: "列表", dict: "对象", type(None): "null"}


def _missing(path: tuple, what: str) -> tuple[tuple, str, str]:
    return path, "missing-field", f"缺少字段“{what}”"


def _wrong(path: tuple, types: tuple[type, ...]) -> tuple[tuple, str, str]:
    names = "或".join(_TYPE_NAMES[t] for t in types)
    return path, "wrong-type", f"应为{names}"


def _is(value: object, types: tuple[type, ...]) -> bool:
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def _fields(obj: dict, spec: dict, path: tuple) -> list:
    out = []
    for name, types in spec.items():
        if name not in obj:
            out.append(_missing(path, name))
        elif not _is(obj[name], types):
            out.append(_wrong((*path, name), types))
    return out


def shape_problems(rel: str, text: str, record: dict) -> list[Problem]:
    found = []
    for key, spec in _ITEMS.items():
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
    if not found:
        return []
    doc, _ = parse_yaml(text, rel)  # JSON is YAML: the positioned parser gives the lines
    return [doc.pos(*path).problem(code, f"抽取记录{_dotted(path)}{message}") for path, code, message in found]


def _dotted(path: tuple) -> str:
    out = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return f" {out.lstrip('.')} " if out else ""
