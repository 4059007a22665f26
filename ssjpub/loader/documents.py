"""Validate a parsed YAML document against its model; every pydantic error becomes a positioned
problem with a Chinese message."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ssjpub.loader.yamlfile import YamlDoc
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


def _type_at(model: type[BaseModel], loc: tuple) -> Any:
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
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
    parent = _type_at(model, loc[:-1]) if loc and loc[-1] == name else None
    field = parent.model_fields.get(name) if isinstance(parent, type) and issubclass(parent, BaseModel) else None
    if field is not None and field.title:
        return f"“{name}”（{field.title}）"
    return f"“{name}”"


def _message(model: type[BaseModel], err: dict) -> tuple[str, str]:
    kind = err["type"]
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "missing-field", f"缺少必填字段{_title(model, loc)}"
    if kind == "extra_forbidden":
        parent = _type_at(model, loc[:-1])
        allowed = sorted(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = f"，是否想写“{guess[0]}”？" if guess else f"。允许的字段：{'、'.join(allowed)}"
        return "unknown-key", f"未知字段“{loc[-1]}”{hint}"
    if kind in _TYPE_NAMES:
        return "wrong-type", f"{_title(model, loc)}应为{_TYPE_NAMES[kind]}"
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "").replace(" or ", "、").replace(", ", "、")
        return "invalid-value", f"{_title(model, loc)}只能是：{expected}"
    if kind == "string_pattern_mismatch":
        return "invalid-value", f"{_title(model, loc)}格式不对（应符合 {ctx.get('pattern')}）"
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
    if kind in ("wrong-type", "impossible-date", "invalid-value", "invalid-credit-code", "invalid-url"):
        return kind, f"{_title(model, loc)}：{err['msg']}"
    return "invalid-value", f"{_title(model, loc)}取值无效（{err['msg']}）"


def validate_document(doc: YamlDoc, model: type[M]) -> tuple[M | None, list[Problem]]:
    if not isinstance(doc.data, dict):
        return None, [doc.pos().problem("wrong-type", "文件内容应为键值对（“字段: 值”）")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            code, message = _message(model, err)
            if err["type"] == "missing":
                pos = doc.pos(*loc[:-1])  # where the record starts
            elif err["type"] == "extra_forbidden":
                pos = doc.pos(*loc, key=True)
            else:
                pos = doc.pos(*loc)
            problems.append(pos.problem(code, message))
        return None, problems
