"""Personal data must never enter the public repository: find 身份证号 and mobile numbers in any text."""

from __future__ import annotations

import bisect
import re

from ssjpub.identifiers import is_resident_id
from ssjpub.problems import Pos, Problem

# Boundaries exclude letters too, so the digits inside a credit code never count as a number.
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9A-Za-z])")


# Full-width digits, X, + and - as an IME types them; one character for one, so positions hold.
_WIDE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                       "Ｘ": "X", "ｘ": "x", "＋": "+", "－": "-", "\u3000": " "})

# --- the fast path -------------------------------------------------------------------------------
# Every file is scanned, and running the two patterns over all text is most of `ssjpub verify`'s
# reading time (sre tries them at every character). So the UTF-8 bytes are first reduced with
# bytes.translate (C speed): ASCII digits become "0", "-" and " " become "-", line breaks stay.
# Every match of _ID or _MOBILE lies on one line and, reduced, contains one of _RUNS; only lines
# holding one are scanned with the patterns. This holds when the text's only digits are ASCII and
# it has nothing _WIDE translates; otherwise the whole text is scanned as before.

# UTF-8 lead bytes of every non-ASCII decimal digit (what \d also matches) outside the full-width
# block; a test derives them from the Unicode database. Reduced to "!", which sends text the slow way.
_OTHER_DIGIT_LEADS = b"\xd9\xdb\xdf\xe0\xe1\xea\xf0"
_REDUCE = bytes(
    ord("0") if 0x30 <= b <= 0x39 else ord("-") if b in b"- " else b if b == 0x0A
    else ord("!") if b in _OTHER_DIGIT_LEADS else ord(".")
    for b in range(256)
)
# An ID has 17 digits in a row; a mobile number 1[3-9]d, 4 and 4 digits, a separator or none
# between: reduced, 11 digits in a row, or "0000-0000" (second separator), or "000-00000000".
_RUNS = (b"0" * 11, b"0000-0000", b"000-00000000")
# The UTF-8 forms of _WIDE's keys: U+FF0B, U+FF0D, U+FF10-FF19, U+FF38 (all EF BC ..), U+FF58, U+3000.
_WIDE_FF = re.compile(rb"\xef(?:\xbc[\x8b\x8d\x90-\x99\xb8]|\xbd\x98)")
_WIDE_SPACE = "\u3000".encode()


def shown(value: str) -> str:
    """A value fit to echo in a message: masked when it is personal data typed into a code field."""
    plain = value.translate(_WIDE)
    if _ID.fullmatch(plain) and is_resident_id(plain) or _MOBILE.fullmatch(plain):
        return _mask(plain)
    return value


def _mask(text: str) -> str:
    digits = text.replace(" ", "").replace("-", "")
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _found_in(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for m in _ID.finditer(text):
        if is_resident_id(m.group()):
            found.append((m.start(), f"疑似居民身份证号码（{_mask(m.group())}）"))
    for m in _MOBILE.finditer(text):
        found.append((m.start(), f"疑似手机号码（{_mask(m.group())}）"))
    return found


def _problem(file: str, line: int, column: int, what: str) -> Problem:
    return Pos(file, line, column).problem("personal-data", f"{what}：公开仓库不得含有个人信息，请删除")


def scan_text(text: str, file: str, utf8: bytes | None = None) -> list[Problem]:
    """Personal data in `text`, each at its line and column; `utf8`, when the caller has it, is
    the text's UTF-8 encoding."""
    data = text.encode("utf-8", "surrogatepass") if utf8 is None else utf8
    reduced = data.translate(_REDUCE)
    if b"!" in reduced or _WIDE_SPACE in data or _WIDE_FF.search(data):
        return _scan_whole(text, file)
    problems: list[Problem] = []
    line, line_start = 1, 0  # line number of the byte offset line_start
    nexts = [reduced.find(run) for run in _RUNS]
    while True:
        hit = min((n for n in nexts if n >= 0), default=-1)
        if hit < 0:
            return problems
        start = data.rfind(b"\n", 0, hit) + 1
        end = data.find(b"\n", hit)
        end = len(data) if end < 0 else end
        line += data.count(b"\n", line_start, start)
        line_start = start
        # A line is whole characters; re-decoding it gives character columns.
        for offset, what in sorted(_found_in(data[start:end].decode("utf-8", "surrogatepass"))):
            problems.append(_problem(file, line, offset + 1, what))
        nexts = [n if n > end or n < 0 else reduced.find(run, end) for n, run in zip(nexts, _RUNS)]


def _scan_whole(text: str, file: str) -> list[Problem]:
    text = text.translate(_WIDE)
    found = _found_in(text)
    if not found:
        return []
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    problems = []
    for offset, what in sorted(found):
        line = bisect.bisect_right(starts, offset)
        problems.append(_problem(file, line, offset - starts[line - 1] + 1, what))
    return problems
