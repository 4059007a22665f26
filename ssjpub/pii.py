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


def shown(value: str) -> str:
    """A value fit to echo in a message: masked when it is personal data typed into a code field."""
    plain = value.translate(_WIDE)
    if _ID.fullmatch(plain) and is_resident_id(plain) or _MOBILE.fullmatch(plain):
        return _mask(plain)
    return value


def _mask(text: str) -> str:
    digits = text.replace(" ", "").replace("-", "")
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def scan_text(text: str, file: str) -> list[Problem]:
    text = text.translate(_WIDE)
    found: list[tuple[int, str]] = []
    for m in _ID.finditer(text):
        if is_resident_id(m.group()):
            found.append((m.start(), f"疑似居民身份证号码（{_mask(m.group())}）"))
    for m in _MOBILE.finditer(text):
        found.append((m.start(), f"疑似手机号码（{_mask(m.group())}）"))
    if not found:
        return []
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    problems = []
    for offset, what in sorted(found):
        line = bisect.bisect_right(starts, offset)
        column = offset - starts[line - 1] + 1
        problems.append(
            Pos(file, line, column).problem(
                "personal-data", f"{what}：公开仓库不得含有个人信息，请删除"
            )
        )
    return problems
