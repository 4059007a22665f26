"""The YAML copy of a draw record, written without PyYAML's representer when it can be.

Why a specialised emitter: PyYAML's representer and resolver are pure Python (only the emitter is
libyaml), and rendering every record again dominated `ssjpub verify` (about 20 ms a record). A
record is plain JSON data in block style, so this module writes it directly. It must give exactly
the bytes `yaml.dump(record, Dumper=CSafeDumper, allow_unicode=True, sort_keys=False, width=120)`
gives; the tests compare the two over the demo's records, the test vectors and random data.

What it writes itself, and why that is what libyaml writes (emitter.c):
- block mappings and sequences, two spaces deeper per level, a sequence inside a mapping not
  indented ("key:\\n- item"), empty collections in flow style ("[]", "{}");
- integers, booleans and null as PyYAML represents them (always plain);
- strings made only of _PLAIN's characters that no implicit resolver would read as anything but
  a string: libyaml finds no indicator, space, break or special character in them, so it writes
  them plain and as they are.
Every other scalar is rendered once by PyYAML itself (cached). libyaml breaks a line only at a
space, and only past column 120; so a scalar with a space on a longer line, a rendering that spans
lines, or a key PyYAML would not write as a simple key, makes the whole record go to PyYAML.
"""

from __future__ import annotations

import functools
import re

import yaml


class _Dumper(yaml.CSafeDumper):  # libyaml's emitter: the pure-Python one is 10x slower
    def ignore_aliases(self, data) -> bool:
        return True


def dump(data) -> str:
    """The reference rendering, entirely by PyYAML."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


WIDTH = 120

# ASCII letters, digits and "_", CJK ideographs, CJK punctuation (not U+3000) and full-width forms;
# not only digits and "_" (an int), not 0b/0o/0x, not a YAML 1.1 boolean or null word.
_PLAIN = re.compile(
    r"(?![0-9_]*\Z)(?!0[bBoOxX])"
    r"(?!(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL)\Z)"
    r"[0-9A-Za-z_\u3001-\u303f\u4e00-\u9fff\uff01-\uff5e]+\Z"
)


class _Unsupported(Exception):
    """This record needs PyYAML's full rendering."""


@functools.lru_cache(maxsize=1 << 16)
def _text(value: str) -> str | None:
    """A string value's rendering on one line, or None when it would span lines."""
    if _PLAIN.match(value):
        return value
    return _one_line(dump([value]), "- ", "\n")


@functools.lru_cache(maxsize=1 << 12)
def _key(key: str) -> str | None:
    if len(key) <= 42 and _PLAIN.match(key):  # a simple key is at most 128 bytes of UTF-8
        return key
    out = dump({key: None})  # "<key>: null\n" for a simple key, "? <key>\n: null\n" otherwise
    return None if out.startswith("? ") else _one_line(out, "", ": null\n")


def _scalar(value) -> str | None:
    """Any value but a string: its rendering, or None when it would span lines."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if not value and type(value) in (list, dict):
        return "[]" if type(value) is list else "{}"
    return _one_line(dump([value]), "- ", "\n")  # floats, and anything else JSON might hold


def _one_line(out: str, before: str, after: str) -> str | None:
    """The scalar between `before` and `after` when it is written on one line. libyaml writes
    U+0085, U+2028 and U+2029 in a scalar as they are, and they break lines too."""
    if out.startswith(before) and out.endswith(after) and len(out.splitlines()) == 1:
        return out[len(before): len(out) - len(after)]
    return None


def _line(head: str, value) -> str:
    text = _text(value) if type(value) is str else _scalar(value)
    if text is None or " " in text and len(head) + len(text) > WIDTH:
        raise _Unsupported
    return head + text + "\n"


# The two functions below are the hot loop of `ssjpub verify`: strings, the common case, are
# written inline; everything else goes through _line.


def _mapping(data: dict, indent: int, lead: str, out: list[str]) -> None:
    """A block mapping whose keys start at column `indent`; `lead` starts its first line."""
    pad = " " * indent
    append = out.append
    for key, value in data.items():
        name = _key(key) if type(key) is str else None
        if name is None:
            raise _Unsupported
        head = lead + name + ":"
        lead = pad
        kind = type(value)
        if kind is str:
            text = _text(value)
            if text is None or " " in text and len(head) + 1 + len(text) > WIDTH:
                raise _Unsupported
            append(head + " " + text + "\n")
        elif kind is int:
            append(head + " " + str(value) + "\n")
        elif value and kind is dict:
            append(head + "\n")
            _mapping(value, indent + 2, pad + "  ", out)
        elif value and kind is list:
            append(head + "\n")
            _sequence(value, indent, pad, out)
        else:
            append(_line(head + " ", value))


def _sequence(items: list, indent: int, lead: str, out: list[str]) -> None:
    pad = " " * indent
    append = out.append
    for value in items:
        head = lead + "- "
        lead = pad
        kind = type(value)
        if kind is str:
            text = _text(value)
            if text is None or " " in text and len(head) + len(text) > WIDTH:
                raise _Unsupported
            append(head + text + "\n")
        elif value and kind is dict:
            _mapping(value, indent + 2, head, out)
        elif value and kind is list:
            _sequence(value, indent + 2, head, out)
        else:
            append(_line(head, value))


def render(record: dict) -> str:
    """yaml.dump's block-style rendering of JSON data, byte for byte."""
    if not record or type(record) is not dict:
        return dump(record)
    out: list[str] = []
    try:
        _mapping(record, 0, "", out)
    except _Unsupported:
        return dump(record)
    return "".join(out)
