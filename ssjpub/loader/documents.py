"""Validate a parsed YAML document against its model; every pydantic error becomes a positioned
problem with a Chinese message.

Values are typed as YAML 1.2 types them (YamlDoc.typed_data) and validated strictly, so the loader
refuses what the JSON Schema in the editor refuses: ``division_code: 410421`` (a number where text
is wanted) as much as ``frequency: "1"`` (text where a number is).
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ssjpub.digits import is_ascii_int, non_ascii_digits
from ssjpub.loader.yamlfile import YamlDoc, pruned
from ssjpub.model import PATTERN_WORDS, UNION_TAGS
from ssjpub.pii import shown
from ssjpub.problems import Problem

M = TypeVar("M", bound=BaseModel)

_TYPE_NAMES = {
    "string_type": "文字",
    "int_type": "整数",
    "int_parsing": "整数",
    "int_from_float": "整数",
    "bool_type": "是/否（true 或 false）",
    "bool_parsing": "是/否（true 或 false）",
    "list_type": "列表（每行以“- ”开头）",
    "dict_type": "键值对",
    "model_type": "键值对",
    "model_attributes_type": "键值对",
}


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional down to the type that holds the structure."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        else:
            return tp


def _arm(tp: Any, part: Any) -> Any:
    """Of a one-or-many union (model.Sources), the arm a location part walks into: an index
    into the list, a field name into the mapping."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return tp
    for arm in typing.get_args(tp):
        arm = _unwrap(arm)
        if (typing.get_origin(arm) is list) == isinstance(part, int):
            return arm
    return tp


def _type_at(model: type[BaseModel], loc: tuple) -> Any:
    tp: Any = model
    for part in loc:
        tp = _arm(_unwrap(tp), part)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) is list and isinstance(part, int):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def _title(model: type[BaseModel], loc: tuple) -> str:
    """'“department”（抽查主体）' for a field, so staff see the key and what it means."""
    name = next((p for p in reversed(loc) if isinstance(p, str)), None)
    if name is None:
        return "该项"
    parent = _arm(_type_at(model, loc[:-1]), name) if loc and loc[-1] == name else None
    field = parent.model_fields.get(name) if isinstance(parent, type) and issubclass(parent, BaseModel) else None
    if field is not None and field.title:
        return f"“{name}”（{field.title}）"
    return f"“{name}”"


def _guess(model: type[BaseModel], loc: tuple) -> tuple[str | None, list[str]]:
    """The field an unknown key was probably meant to be, and the fields allowed there."""
    parent = _arm(_type_at(model, loc[:-1]), loc[-1])
    allowed = sorted(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
    guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
    return (guess[0] if guess else None), allowed


def _typing_hint(kind: str, title: str, value: Any, source: Any) -> tuple[str, str] | None:
    """Quoting advice where YAML's own typing is the mistake, or the ASCII form of odd digits."""
    if kind == "string_type" and isinstance(value, (bool, int, float)) and isinstance(source, str):
        what = "是/否" if isinstance(value, bool) else "数字"
        return "wrong-type", f"{title}应为文字：不加引号的 {source} 是{what}，请加引号，写作 \"{source}\""
    if kind in ("int_type", "int_parsing") and isinstance(value, str):
        message = non_ascii_digits(value, _INT)
        if message:
            return "non-ascii-digit", f"{title}：{message}"
        if is_ascii_int(value.lstrip("-+")):
            return "wrong-type", f"{title}应为整数：加了引号的“{value}”是文字，请去掉引号，写作 {value}"
    if kind in ("bool_type", "bool_parsing") and value in ("true", "false"):
        return "wrong-type", f"{title}应为是/否：加了引号的“{value}”是文字，请去掉引号，写作 {value}"
    return None


_INT = re.compile(r"[-+]?[0-9]+")


def _message(model: type[BaseModel], err: dict, source: Any = None) -> tuple[str, str]:
    kind = err["type"]
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "missing-field", f"缺少必填字段{_title(model, loc)}"
    if kind == "extra_forbidden":
        guess, allowed = _guess(model, loc)
        hint = f"，是否想写“{guess}”？" if guess else f"。允许的字段：{'、'.join(allowed)}"
        return "unknown-key", f"未知字段“{shown(str(loc[-1]))}”{hint}"  # a key can be personal data too
    hint = _typing_hint(kind, _title(model, loc), err.get("input"), source)
    if hint:
        return hint
    if kind in _TYPE_NAMES:
        return "wrong-type", f"{_title(model, loc)}应为{_TYPE_NAMES[kind]}"
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "").replace(" or ", "、").replace(", ", "、")
        return "invalid-value", f"{_title(model, loc)}只能是：{expected}"
    if kind == "string_pattern_mismatch":
        value = err.get("input")
        message = non_ascii_digits(value, re.compile(ctx.get("pattern", ""))) if isinstance(value, str) else None
        if message:
            return "non-ascii-digit", f"{_title(model, loc)}：{message}"
        words = PATTERN_WORDS.get(ctx.get("pattern", ""))
        return "invalid-value", f"{_title(model, loc)}格式不对" + (f"：应为{words}" if words else "")
    if kind == "too_short":
        if ctx.get("field_type") == "String":
            return "missing-field", f"{_title(model, loc)}不能为空"
        return "missing-field", f"{_title(model, loc)}至少要有 {ctx.get('min_length')} 项"
    if kind == "string_too_short":
        return "missing-field", f"{_title(model, loc)}不能为空"
    if kind == "string_too_long":
        return "invalid-value", f"{_title(model, loc)}过长（最多 {ctx.get('max_length')} 个字符）"
    if kind in ("greater_than_equal", "greater_than"):
        return "invalid-value", f"{_title(model, loc)}不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return "invalid-value", f"{_title(model, loc)}不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind in ("wrong-type", "impossible-date", "invalid-value", "invalid-credit-code", "invalid-url",
                "non-ascii-digit", "missing-field", "drand-randomness-mismatch"):
        return kind, f"{_title(model, loc)}：{err['msg']}" if loc else err["msg"]
    return "invalid-value", f"{_title(model, loc)}取值无效（{err['msg']}）"


def _at(data: Any, loc: tuple) -> Any:
    """The value at ``loc`` (None where the path leads nowhere)."""
    for part in loc:
        if isinstance(data, dict) and part in data or isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


_ROUNDS = 3  # past the first, only checks that wait for whole records (a model's own validator) find more


def _record(data: Any, loc: tuple) -> tuple[tuple, int] | None:
    """(the list's path, the index) of the outermost list item on ``loc`` that is a mapping: the
    record (a task, an inspector, a result row, a checklist item) left out for a value refused in
    it. A record's own lists (a task's sources, a game's number groups) go with it: leaving out
    only a part would change what the record says. None when ``loc`` is in no record."""
    node = data
    for k, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if isinstance(node[part], dict):
                return loc[:k], part
        elif not (isinstance(node, dict) and part in node):
            return None
        node = node[part]
    return None


def _in_file(loc: tuple, drops: dict[tuple, set[int]]) -> tuple:
    """A location in the data less ``drops``, as a location in the data it was pruned from."""
    out = list(loc)
    for k, part in enumerate(loc):
        gone = drops.get(tuple(out[:k])) if isinstance(part, int) else None
        for index in sorted(gone or ()):
            if index <= out[k]:
                out[k] += 1
    return tuple(out)


def _refused(exc: ValidationError) -> list[dict]:
    errors = exc.errors(include_url=False)
    for err in errors:
        err["loc"] = tuple(part for part in err["loc"] if part not in UNION_TAGS)  # not in the file
    return errors


@dataclass(frozen=True)
class Reading(Generic[M]):
    """What a document gives: the model (None when it could not be read as one), the document
    the model was read from (``doc`` less the records left out, see _salvage), those records as
    written (a list's path → {index in the file: the item}), and the problems."""

    model: M | None
    doc: YamlDoc
    dropped: dict[tuple, dict[int, Any]]
    problems: list[Problem]


def _salvage(model: type[M], doc: YamlDoc, data: dict, errors: list[dict]) -> Reading[M] | None:
    """A model of what the model does not refuse, so that one mistake does not hide the file's
    other problems (its references are checked too). Each unknown key is left out, or read as the
    field it was probably meant to be when that field is missing (“methd” for “method”, as the
    message says); each record holding a refused value is left out (see _record), and kept as
    written so that what refers to it is not reported as dangling. The problems are reported all
    the same; None when a refused value is in no record (or not even that leaves a model)."""
    fixed = copy.deepcopy(data)
    extra = [tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
    for loc in extra:
        parent = _at(fixed, loc[:-1])
        if not isinstance(parent, dict) or loc[-1] not in parent:
            return None
        value = parent.pop(loc[-1])
        guess, _allowed = _guess(model, loc)
        if guess is not None and guess not in parent:
            parent[guess] = value
    # With the keys fixed, the model says again what it refuses (a guessed key may fill a missing field).
    built, refused = _built(model, fixed) if extra else (None, [tuple(e["loc"]) for e in errors])
    drops: dict[tuple, set[int]] = {}
    for _round in range(_ROUNDS):
        if built is not None:
            break
        records = [_record(fixed, _in_file(loc, drops)) for loc in refused]  # located before any is added
        if None in records:
            return None
        for path, index in records:
            drops.setdefault(path, set()).add(index)
        built, refused = _built(model, pruned(fixed, drops))
    if built is None:
        return None
    dropped = {path: {i: _at(doc.data, path + (i,)) for i in sorted(indexes)} for path, indexes in drops.items()}
    return Reading(built, doc.without(drops), dropped, [])


def _built(model: type[M], data: dict) -> tuple[M | None, list[tuple]]:
    """The model of ``data``, or None and the locations of what it refuses."""
    try:
        return model.model_validate(data, strict=True), []
    except ValidationError as exc:
        return None, [tuple(e["loc"]) for e in _refused(exc)]


def read_document(doc: YamlDoc, model: type[M]) -> Reading[M]:
    """The document read as ``model``: every problem, and a model of the rest of it where some
    values are refused (see _salvage)."""
    if not isinstance(doc.data, dict):
        return Reading(None, doc, {}, [doc.pos().problem("wrong-type", "文件内容应为键值对（“字段: 值”）")])
    data = doc.typed_data()
    try:
        return Reading(model.model_validate(data, strict=True), doc, {}, [])
    except ValidationError as exc:
        errors = _refused(exc)
    problems = []
    for err in errors:
        loc = err["loc"]
        code, message = _message(model, err, _at(doc.data, loc))
        if err["type"] == "missing":
            pos = doc.pos(*loc[:-1])  # where the record starts
        elif err["type"] == "extra_forbidden":
            pos = doc.pos(*loc, key=True)
        else:
            pos = doc.pos(*loc)
        problems.append(pos.problem(code, message))
    salvaged = _salvage(model, doc, data, errors)
    return Reading(None, doc, {}, problems) if salvaged is None else replace(salvaged, problems=problems)


def validate_document(doc: YamlDoc, model: type[M]) -> tuple[M | None, list[Problem]]:
    """The model and the document's problems; a model can come with problems (an unknown key
    left out), None means the document could not be read as one whole: a version of a file in the
    history is read whole or not at all (read_document gives the rest of a file too)."""
    reading = read_document(doc, model)
    return (None if reading.dropped else reading.model), reading.problems
