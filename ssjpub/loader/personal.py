"""Personal data in a parsed YAML file: every key and value is scanned as parsed, which finds what
escapes (``"\\x31\\x33…"``, ``"\\u0031…"``) and folded lines hide from the scan of the raw text, and
is merged with that scan. Fields the schema marks as certificate numbers (model.Certificate) hold
no mobile numbers: a 河北 certificate number 13010223001 has exactly their shape."""

from __future__ import annotations

import bisect
import functools
import types
import typing
from typing import Any

from pydantic import BaseModel

from ssjpub.loader.yamlfile import Path as YamlPath, Scalar
from ssjpub.model import Certificate
from ssjpub.pii import Hit, find


@functools.cache
def certificate_paths(model: type[BaseModel]) -> frozenset[tuple[Any, ...]]:
    """Paths of the model's certificate-number fields; ``int`` stands for any list index and
    ``str`` for any mapping key."""
    found: set[tuple[Any, ...]] = set()

    def walk(tp: Any, path: tuple[Any, ...], seen: frozenset[type]) -> None:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            base, *meta = typing.get_args(tp)
            if any(isinstance(m, Certificate) for m in meta):
                found.add(path)
            walk(base, path, seen)
        elif origin in (typing.Union, types.UnionType):
            for arg in typing.get_args(tp):
                walk(arg, path, seen)
        elif origin is list:
            walk(typing.get_args(tp)[0], path + (int,), seen)
        elif origin is dict:
            walk(typing.get_args(tp)[1], path + (str,), seen)
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in seen:
            for name, field in tp.model_fields.items():
                inner = path + (field.alias or name,)
                if any(isinstance(m, Certificate) for m in field.metadata):
                    found.add(inner)
                walk(field.annotation, inner, seen | {tp})

    walk(model, (), frozenset())
    return frozenset(found)


def _matches(path: YamlPath, pattern: tuple[Any, ...]) -> bool:
    return len(path) == len(pattern) and all(
        p == q or (isinstance(q, type) and isinstance(p, q)) for p, q in zip(path, pattern)
    )


def yaml_hits(raw: list[Hit], scalars: list[Scalar], certificates: frozenset[tuple[Any, ...]]) -> list[Hit]:
    """The raw scan's hits and the parsed values' hits, each number once: a value's number that the
    raw scan found inside that scalar's source is not repeated at the value's start."""
    scalars = sorted(scalars, key=lambda s: s.start)
    starts = [s.start for s in scalars]

    def certificate(s: Scalar) -> bool:
        return not s.key and any(_matches(s.path, c) for c in certificates)

    hits: set[Hit] = set()
    inside: dict[int, set[str]] = {}  # scalar → messages of the raw hits in its source
    for h in raw:
        i = bisect.bisect_right(starts, (h.line, h.column)) - 1
        if i >= 0 and (h.line, h.column) < scalars[i].end:
            inside.setdefault(i, set()).add(h.message)
            if h.mobile and certificate(scalars[i]):
                continue
        hits.add(h)
    for i, s in enumerate(scalars):
        if len(s.value) < 11:  # the shortest number has 11 digits
            continue
        for h in find(s.value):
            if h.message in inside.get(i, ()) or h.mobile and certificate(s):
                continue
            hits.add(Hit(*s.start, h.mobile, h.masked))
    return sorted(hits)
