"""YAML to plain values with a position for every key and value.

Built from libyaml's event stream (PyYAML's C parser) rather than the composer, so that an alias
is seen where it is used and refused there: aliases are never expanded, which rules out alias
bombs, and staff files have no need for them. Scalars stay strings, which avoids YAML 1.1 surprises
(``010`` as octal, ``no`` as false) in ids and certificate numbers; beside them ``typed`` keeps the
type YAML 1.2 (what editors and the JSON Schema see) gives each plain number or true/false, so that
the model can refuse ``division_code: 410421`` where it wants text, as the editor does. Building is
iterative and nesting is capped (MAX_DEPTH): no file can overflow the stack.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Collection, Mapping
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
    typed: dict[Path, Any] = field(default_factory=dict)  # plain scalars YAML 1.2 reads as non-text

    def typed_data(self) -> Any:
        """The data as YAML 1.2 types it: plain numbers and true/false as int, float and bool."""
        if not self.typed or not isinstance(self.data, (dict, list)):
            return self.data if () not in self.typed else self.typed[()]
        root = _shallow(self.data)
        copied: dict[Path, Any] = {(): root}
        for path, value in self.typed.items():
            node = root
            for i in range(len(path) - 1):
                inner = copied.get(path[: i + 1])
                if inner is None:
                    inner = copied[path[: i + 1]] = node[path[i]] = _shallow(node[path[i]])
                node = inner
            node[path[-1]] = value
        return root

    def without(self, dropped: Mapping[Path, Collection[int]]) -> YamlDoc:
        """The document less the list items at ``dropped`` (a list's path → the indexes of the
        items to leave out), every node left keeping its place in the file under its new path."""
        if not dropped:
            return self
        gone = {path: sorted(indexes) for path, indexes in dropped.items()}

        def table(old: dict[Path, Any]) -> dict[Path, Any]:
            new = {}
            for path, value in old.items():
                moved = _renumbered(path, gone)
                if moved is not None:
                    new[moved] = value
            return new

        return YamlDoc(self.file, pruned(self.data, dropped), table(self.values), table(self.keys), table(self.typed))

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


def _renumbered(path: Path, gone: Mapping[Path, list[int]]) -> Path | None:
    """``path`` once the items ``gone`` (a list's path → sorted indexes) are left out; None when
    it is in one of them."""
    out = list(path)
    for k, part in enumerate(path):
        indexes = gone.get(path[:k]) if isinstance(part, int) else None
        if indexes:
            before = bisect_left(indexes, part)
            if before < len(indexes) and indexes[before] == part:
                return None
            out[k] = part - before
    return tuple(out)


def pruned(value: Any, dropped: Mapping[Path, Collection[int]], path: Path = ()) -> Any:
    """``value`` less the list items at ``dropped`` (see YamlDoc.without); only what leads to
    them is copied. Nesting is capped (MAX_DEPTH), so the recursion is too."""
    if not any(d[: len(path)] == path for d in dropped):
        return value
    if isinstance(value, list):
        gone = dropped.get(path, ())
        return [pruned(v, dropped, path + (i,)) for i, v in enumerate(value) if i not in gone]
    if isinstance(value, dict):
        return {k: pruned(v, dropped, path + (k,)) for k, v in value.items()}
    return value


def _shallow(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else list(value)


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


# Far beyond any staff file (the deepest, a plan, has six levels), and short of the ~1,000 levels at
# which libyaml itself gives up: past it the file is refused where the limit is crossed.
MAX_DEPTH = 64
_TOO_DEEP = f"嵌套超过 {MAX_DEPTH} 层：数据文件只需要几层，请检查是否多写了括号“[”“{{”或缩进"

# A plain scalar's type as YAML 1.2's core schema (editors, JSON Schema validators) reads it. The
# values stay strings; the loader compares this type with the one the model wants (see typed_data).
_CORE_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_CORE_INT = re.compile(r"[-+]?[0-9]+")
_CORE_INT_BASE = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# Python refuses to convert longer digit strings; such a number only needs to be a number.
_INT_DIGITS = 4000


def _core_value(text: str) -> Any:
    """The non-string value YAML 1.2 gives a plain scalar, or the text itself when it is a string."""
    if text in _CORE_BOOL:
        return _CORE_BOOL[text]
    if _CORE_INT.fullmatch(text):
        if len(text) > _INT_DIGITS:
            return float("-inf") if text[0] == "-" else float("inf")
        return int(text)
    if _CORE_INT_BASE.fullmatch(text):
        return int(text[2:], 8 if text[1] == "o" else 16) if len(text) <= _INT_DIGITS else float("inf")
    if _CORE_FLOAT.fullmatch(text):
        return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))  # a type, not arithmetic
    return text


def plain_is_text(value: str) -> bool:
    """True when `value`, written as a plain scalar, reads back as this text (not a number, a
    boolean or null): what a YAML writer must quote otherwise."""
    return _core_value(value) is value and value not in _NULLS


# Where libyaml saw something opened and never closed, its context_mark is where it was opened:
# that is where the typo is, however far away the end of the file is (name, the closing character).
_UNCLOSED = {
    "while scanning a quoted scalar": ("引号", "引号"),
    "while parsing a flow sequence": ("方括号列表", "“]”或逗号"),
    "while parsing a flow mapping": ("花括号", "“}”或逗号"),
}


def _at(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    reason = exc.problem or exc.context or ""
    if reason == "exceeded maximum nesting depth":  # libyaml's own limit (1,000 levels)
        return Pos(file, *_at(exc.problem_mark)).problem("too-deep", _TOO_DEEP)
    unclosed = _UNCLOSED.get(exc.context or "")
    if unclosed and exc.context_mark and exc.problem_mark:
        what, closer = unclosed
        line, col = _at(exc.problem_mark)
        if exc.problem_mark.index >= len(text) or "end of stream" in reason:
            where = f"文件在第 {line} 行第 {col} 列结束仍未闭合"
        else:
            where = f"到第 {line} 行第 {col} 列仍未找到{closer}"
        return Pos(file, *_at(exc.context_mark)).problem(
            "yaml-syntax", f"YAML 语法错误：这里开始的{what}没有闭合，{where}（{reason}）"
        )
    # A key without its colon is only noticed a line later; the key's own line is where it is.
    if exc.context == "while scanning a simple key":
        mark = exc.context_mark
    else:
        mark = exc.problem_mark or exc.context_mark
    return Pos(file, *(_at(mark) if mark else (1, 1))).problem("yaml-syntax", _explain(reason))


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
        problems.append(_syntax_problem(exc, text, file))
        return doc, problems
    except yaml.YAMLError as exc:  # nothing else is expected; still one line, never a traceback
        detail = " ".join(str(exc).split())
        problems.append(Pos(file).problem("yaml-syntax", f"YAML 语法错误（{detail}）"))
        return doc, problems
    _Builder(doc, problems, scalars).run(events)
    if problems:  # "\0" paths are made only where a problem is reported
        for key in [k for k in doc.values if k and isinstance(k[0], str) and k[0].startswith("\0")]:
            del doc.values[key]
        for key in [k for k in doc.typed if k and isinstance(k[0], str) and k[0].startswith("\0")]:
            del doc.typed[key]
    return doc, problems


_AWAIT = object()  # a mapping's next event is a key
_KEYNODE = object()  # a refused (non-scalar) key is being built; its value follows
_DROP = object()  # the value being built is reported and dropped (a duplicate or refused key's)


class _Builder:
    """Events to values, with an explicit stack (no recursion, so no depth can overflow Python's):
    each frame is [container, path of the next value, key it goes under or _AWAIT/_DROP]."""

    def __init__(self, doc: YamlDoc, problems: list[Problem], scalars: list[Scalar] | None = None) -> None:
        self.doc, self.problems, self.file = doc, problems, doc.file
        self.scalars = scalars
        self.stack: list[list] = []
        self.documents = 0

    def problem(self, event: yaml.Event, code: str, message: str) -> None:
        self.problems.append(Pos(self.file, *_mark(event)).problem(code, message))

    def run(self, events: list[yaml.Event]) -> None:
        skip = 0  # nesting inside a collection refused for being too deep
        for event in events:
            if skip:
                if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                    skip += 1
                elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                    skip -= 1
                    if not skip:
                        self.deliver(None)
                continue
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                self.deliver(self.stack.pop()[0])
            elif isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    self.problem(event, "yaml-syntax", "一个文件只能有一个 YAML 文档（请删除多余的“---”）")
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                path = self.place(event)
                if path is not None and self.node(event, path):
                    skip = 1

    def place(self, event: yaml.Event) -> Path | None:
        """The path of the node ``event`` starts; None when it was a mapping key (handled here)."""
        if not self.stack:
            return () if self.documents == 1 else ("\0doc", self.documents)
        frame = self.stack[-1]
        container, path, key = frame
        if isinstance(container, list):
            return path + (len(container),)
        if key is not _AWAIT:
            return frame[1]
        if not isinstance(event, yaml.ScalarEvent):
            self.problem(event, "yaml-syntax", "键必须是简单的文字")
            frame[1], frame[2] = path[:-1] + ("\0",), _KEYNODE  # the key node, then its value: dropped
            return frame[1]
        name = sys.intern(event.value)
        parent = path[:-1]
        if self.scalars is not None:
            self.scalars.append(_scalar(event, parent + (name,), True))
        if name in container:
            first = self.doc.keys[parent + (name,)]
            self.problem(event, "duplicate-key", f"键“{name}”重复（第一次出现在第 {first[0]} 行）")
            frame[1], frame[2] = parent + ("\0dup",), _DROP
        else:
            inner = parent + (name,)  # one tuple for both tables
            self.doc.keys[inner] = _mark(event)
            frame[1], frame[2] = inner, name
        return None

    def node(self, event: yaml.Event, path: Path) -> bool:
        """Record a node; True when it is a collection too deep to enter."""
        self.doc.values[path] = _mark(event)
        if getattr(event, "anchor", None) and not isinstance(event, yaml.AliasEvent):
            self.problem(event, "yaml-alias", f"不允许使用 YAML 锚点“&{event.anchor}”：请直接写出内容")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            self.problem(event, "yaml-syntax", f"不支持 YAML 标签“{tag}”")
        if isinstance(event, yaml.AliasEvent):
            self.problem(event, "yaml-alias", f"不允许使用 YAML 别名“*{event.anchor}”：请直接写出内容")
            self.deliver(None)
        elif isinstance(event, yaml.ScalarEvent):
            if self.scalars is not None:
                self.scalars.append(_scalar(event, path, False))
            value: Any = sys.intern(event.value)
            if event.implicit[0] and not event.style:  # plain (libyaml gives "" for plain)
                if value in _NULLS:
                    value = None
                else:
                    typed = _core_value(value)
                    if typed is not value:
                        self.doc.typed[path] = typed
            self.deliver(value)
        elif len(self.stack) >= MAX_DEPTH:
            self.problem(event, "too-deep", _TOO_DEEP)
            return True
        else:
            container: Any = [] if isinstance(event, yaml.SequenceStartEvent) else {}
            # A mapping's frame path ends in a placeholder that each key replaces.
            self.stack.append([container, path if isinstance(container, list) else path + ("",), _AWAIT])
        return False

    def deliver(self, value: Any) -> None:
        """A finished node's value, to the collection it belongs to (or the document)."""
        if not self.stack:
            if self.documents == 1:
                self.doc.data = value
            return
        frame = self.stack[-1]
        container, path, key = frame
        if isinstance(container, list):
            container.append(value)
            return
        if key is _KEYNODE:
            frame[2] = _DROP
            return
        if key is not _DROP:
            container[key] = value
        frame[2] = _AWAIT
