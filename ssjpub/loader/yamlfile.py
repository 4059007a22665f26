"""YAML to plain values with a position for every key and value.

Built from libyaml's event stream (PyYAML's C parser) rather than the composer, so that an alias
is seen where it is used and refused there: aliases are never expanded, which rules out alias
bombs, and staff files have no need for them. Scalars stay strings: typing is the schema's job,
which avoids YAML 1.1 surprises (``010`` as octal, ``no`` as false) in ids and certificate numbers.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from yaml.cyaml import CParser

from ssjpub.problems import Pos, Problem

_NULLS = {"", "~", "null", "Null", "NULL"}

Path = tuple[str | int, ...]


class Scalar(NamedTuple):
    """One scalar as written: its path (a key's is the path it names), where its source text
    starts and ends (1-based line and column, the end exclusive) and its parsed value."""

    path: Path
    key: bool
    start: tuple[int, int]
    end: tuple[int, int]
    value: str


@dataclass
class YamlDoc:
    """A parsed file: its data, and where each path's value (and mapping key) stands."""

    file: str
    data: Any = None
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def pos(self, *path: str | int, key: bool = False) -> Pos:
        """Position of the value at ``path`` (or of its key), else of the nearest parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while True:
            if p in table:
                line, col = table[p]
                return Pos(self.file, line, col)
            if p in self.values:
                line, col = self.values[p]
                return Pos(self.file, line, col)
            if not p:
                return Pos(self.file, 1, 1)
            p = p[:-1]


# libyaml speaks English; staff get the usual causes in Chinese, the original kept for searching.
_HINTS = [
    ("mapping values are not allowed", "此处不能出现“键: 值”：检查上一行是否缺少引号，或冒号后是否缺少空格"),
    ("could not find expected ':'", "缺少“:”：键和值之间要写“: ”（英文冒号加空格）"),
    ("did not find expected key", "缩进不一致：同一层级的字段要对齐"),
    ("did not find expected '-' indicator", "列表缩进不一致：同一列表的“- ”要对齐"),
    ("did not find expected ',' or ']'", "方括号列表没有闭合：缺少“]”或逗号"),
    ("did not find expected ',' or '}'", "花括号没有闭合：缺少“}”或逗号"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    ("found character that cannot start any token", "出现不能作为开头的字符（常见原因：用了 Tab 缩进，请改用空格）"),
    ("found a tab character", "不能用 Tab 缩进，请改用空格"),
    ("found undefined tag handle", "不支持 YAML 标签"),
    ("unacceptable character", "文件含有不可见的控制字符"),
]


def _explain(reason: str) -> str:
    for needle, hint in _HINTS:
        if needle in reason:
            return f"YAML 语法错误：{hint}（{reason}）"
    return f"YAML 语法错误（{reason}）" if reason else "YAML 语法错误"


# Positions and scalars recur across files of one kind (same layout, same keys, same codes): one
# shared object for each (interned strings, _positions) keeps thousands of positioned files in
# less than half the memory. The positions kept for sharing are capped: they outlive the files.
_positions: dict[tuple[int, int], tuple[int, int]] = {}
_POSITIONS_KEPT = 1 << 18


def _mark(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    pos = mark.line + 1, mark.column + 1
    if len(_positions) < _POSITIONS_KEPT:
        return _positions.setdefault(pos, pos)
    return _positions.get(pos, pos)


def _events(text: str) -> list[yaml.Event]:
    """What yaml.parse(text, Loader=CSafeLoader) yields, from the C parser without the loader
    and the generator around it (faster by a third for the small files most of ours are)."""
    parser = CParser(text)
    events = []
    event = parser.get_event()
    while event is not None:
        events.append(event)
        event = parser.get_event()
    return events


def _scalar(event: yaml.ScalarEvent, path: Path, key: bool) -> Scalar:
    start, end = event.start_mark, event.end_mark
    return Scalar(path, key, (start.line + 1, start.column + 1), (end.line + 1, end.column + 1), event.value)


def parse_yaml(text: str, file: str, scalars: list[Scalar] | None = None) -> tuple[YamlDoc, list[Problem]]:
    """The positioned document; every key and value scalar is also appended to ``scalars`` when
    given (duplicates and those under a second document included: the personal-data scan reads
    them all)."""
    doc = YamlDoc(file)
    problems: list[Problem] = []
    try:
        events = _events(text)
    except yaml.reader.ReaderError as exc:
        # libyaml's position counts bytes; report the line and column of the offending character.
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "replace")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        problems.append(Pos(file, line, col).problem("yaml-syntax", f"YAML 语法错误：文件含有不可见的控制字符 {what}，请删除"))
        return doc, problems
    except yaml.MarkedYAMLError as exc:
        # A key without its colon is only noticed a line later; the key's own line is where it is.
        if exc.context == "while scanning a simple key":
            mark = exc.context_mark
        else:
            mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or ""
        problems.append(Pos(file, line, col).problem("yaml-syntax", _explain(reason)))
        return doc, problems
    except yaml.YAMLError as exc:  # nothing else is expected; still one line, never a traceback
        detail = " ".join(str(exc).split())
        problems.append(Pos(file).problem("yaml-syntax", f"YAML 语法错误（{detail}）"))
        return doc, problems

    it = iter(events)
    documents = 0

    def build(event: yaml.Event, path: Path) -> Any:
        doc.values[path] = _mark(event)
        if getattr(event, "anchor", None) and not isinstance(event, yaml.AliasEvent):
            problems.append(
                Pos(file, *_mark(event)).problem(
                    "yaml-alias", f"不允许使用 YAML 锚点“&{event.anchor}”：请直接写出内容"
                )
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            problems.append(
                Pos(file, *_mark(event)).problem("yaml-syntax", f"不支持 YAML 标签“{tag}”")
            )
        if isinstance(event, yaml.AliasEvent):
            problems.append(
                Pos(file, *_mark(event)).problem(
                    "yaml-alias", f"不允许使用 YAML 别名“*{event.anchor}”：请直接写出内容"
                )
            )
            return None
        if isinstance(event, yaml.ScalarEvent):
            if scalars is not None:
                scalars.append(_scalar(event, path, False))
            plain = event.implicit[0] and not event.style  # libyaml gives "" for plain
            if plain and event.value in _NULLS:
                return None
            return sys.intern(event.value)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            for ev in it:
                if isinstance(ev, yaml.SequenceEndEvent):
                    return items
                items.append(build(ev, path + (len(items),)))
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, Any] = {}
            for ev in it:
                if isinstance(ev, yaml.MappingEndEvent):
                    return mapping
                key_pos = _mark(ev)
                if not isinstance(ev, yaml.ScalarEvent):
                    problems.append(
                        Pos(file, *key_pos).problem("yaml-syntax", "键必须是简单的文字")
                    )
                    build(ev, path + ("\0",))
                    build(next(it), path + ("\0",))
                    continue
                key = sys.intern(ev.value)
                if scalars is not None:
                    scalars.append(_scalar(ev, path + (key,), True))
                if key in mapping:
                    first = doc.keys[path + (key,)]
                    problems.append(
                        Pos(file, *key_pos).problem(
                            "duplicate-key", f"键“{key}”重复（第一次出现在第 {first[0]} 行）"
                        )
                    )
                    build(next(it), path + ("\0dup",))
                    continue
                inner = path + (key,)  # one tuple for both tables
                doc.keys[inner] = key_pos
                mapping[key] = build(next(it), inner)
        return None  # unreachable for well-formed event streams

    try:
        for event in it:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                node_event = next(it)
                if documents == 1:
                    doc.data = build(node_event, ())
                else:
                    problems.append(
                        Pos(file, *_mark(event)).problem(
                            "yaml-syntax", "一个文件只能有一个 YAML 文档（请删除多余的“---”）"
                        )
                    )
                    build(node_event, ("\0doc", documents))
    finally:
        # build() refers to itself: a reference cycle that would keep every event alive until the
        # garbage collector runs, and `ssjpub verify` pauses it while loading.
        build = None
    if problems:  # "\0" paths are made only where a problem is reported
        for key in [k for k in doc.values if k and isinstance(k[0], str) and k[0].startswith("\0")]:
            del doc.values[key]
    return doc, problems
