"""Personal data must never enter the public repository: 身份证号 and mobile numbers in any text,
however they are written.

The rule (docs/errors.md, ``personal-data``):

- A *chain* is digits of any script (full-width included) joined by separators: spaces (also
  no-break, narrow, figure and ideographic), zero-width characters, ``-`` ``.`` ``－`` ``．`` and
  en/em dashes. A candidate is a run of whole digit groups of a chain that begins and ends at
  the chain's ends or at a space: a number is found where a date or another number stands before
  it (``2024-01-05 13812345678``), while a dash or a dot only joins the parts of one number (a
  row of dates such as ``2024-12-05 2024-12-06 2024-12-07`` hides no ID).
- A 身份证号 is 18 digits (or 17 and X) with a province, a real birth date and the GB 11643 check
  digit; a mobile number is 1[3-9] and 9 more digits, or the same after 86. Anything else of that
  length (a wrong check digit, a credit code of digits, a date, a landline) is not personal data.
- Letters glued to a number hide nothing (``Tel13812345678``), unless they make it part of a
  code: the ASCII letters and digits around it hold another digit (a credit code's body, a
  hash), or together they are a valid 统一社会信用代码.
- A mobile-shaped number written ``…字第<number>号`` is a certificate or document number:
  河北, 山西 and 内蒙古 certificate numbers begin with 13, 14 and 15 (冀人社监字第13010223001号).
  So is one in a field the schema marks as a certificate number (see ssjpub.loader.personal).
  An ID number is caught in either place.
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from dataclasses import dataclass

from ssjpub.identifiers import credit_code_problem, is_resident_id
from ssjpub.problems import Pos, Problem

# Separators inside a number: spaces (plain, no-break, figure, narrow, ideographic), zero-width
# characters, dashes and dots, half- and full-width.
_SPACES = " \u00a0\u2007\u202f\u3000"
SEPARATORS = _SPACES + "\u200b\u200c\u200d\u2060\ufeff-.\uff0d\uff0e\u2013\u2014"
_SEP = f"[{re.escape(SEPARATORS)}]"
# Only chains of 11 digits or more can hold a number; the X an ID may end with is kept with them.
_CHAIN = re.compile(rf"\d(?:{_SEP}*\d){{10,}}(?:{_SEP}*[XxＸｘ])?")
_GROUP = re.compile(r"\d+")
_CODE_CHARS = frozenset(string.ascii_letters + string.digits)
_MOBILE_SECOND = frozenset("3456789")


@dataclass(frozen=True, order=True)
class Hit:
    """A number found, 1-based like Problem; ``mobile`` tells it from an ID number."""

    line: int
    column: int
    mobile: bool
    masked: str

    @property
    def message(self) -> str:
        what = "疑似手机号码" if self.mobile else "疑似居民身份证号码"
        return f"{what}（{self.masked}）：公开仓库不得含有个人信息，请删除"

    def problem(self, file: str) -> Problem:
        return Pos(file, self.line, self.column).problem("personal-data", self.message)


def _mask(digits: str) -> str:
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _ascii(digits: str) -> str:
    return digits if digits.isascii() else "".join(str(unicodedata.decimal(c)) for c in digits)


def _glued_code(text: str, start: int, end: int) -> bool:
    """True when the ASCII letters and digits around text[start:end] make it part of a code."""
    left = start
    while left > 0 and text[left - 1] in _CODE_CHARS:
        left -= 1
    right = end
    while right < len(text) and text[right] in _CODE_CHARS:
        right += 1
    around = text[left:start] + text[end:right]
    if any(c.isdigit() for c in around):
        return True
    token = text[left:right]
    return len(token) == 18 and token != text[start:end] and credit_code_problem(token) is None


def _certificate_form(text: str, start: int, end: int) -> bool:
    """…字第<number>号, separators allowed on either side of the number."""
    before = text[max(0, start - 8):start].rstrip(SEPARATORS)
    after = text[end:end + 8].lstrip(SEPARATORS)
    return before.endswith("字第") and after.startswith("号")


def _candidates(text: str, chain: re.Match) -> list[tuple[int, int, bool, str]]:
    """(start, end, mobile, digits) for every run of whole groups of the chain that is shaped
    like an ID or a mobile number (before the context rules). Inside a chain a run starts and
    ends only where a space stands: a dash or a dot joins the parts of one number (2024-12-05)."""
    if chain.group().isdecimal() and len(chain.group()) not in (11, 13, 18):
        return []  # one group (the usual case: a hash's digits, a code) of no number's length
    groups = [(m.start(), m.end(), _ascii(m.group())) for m in _GROUP.finditer(text, chain.start(), chain.end())]
    spaced = [True] + [any(c in _SPACES for c in text[a[1]:b[0]]) for a, b in zip(groups, groups[1:])] + [True]
    x_end = chain.end() if text[chain.end() - 1] in "XxＸｘ" else None
    found = []
    for i, (start, _, _) in enumerate(groups):
        if not spaced[i]:
            continue
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j][2]
            end = groups[j][1]
            if len(digits) > 18:
                break
            if not spaced[j + 1]:
                continue
            if len(digits) == 18 or (len(digits) == 17 and x_end and j == len(groups) - 1):
                number = digits if len(digits) == 18 else digits + "X"
                if is_resident_id(number):
                    found.append((start, end if len(digits) == 18 else x_end, False, number))
            elif len(digits) in (11, 13):
                mobile = digits[-11:]
                if mobile[0] == "1" and mobile[1] in _MOBILE_SECOND and (len(digits) == 11 or digits[:2] == "86"):
                    plus = len(digits) == 13 and i == 0 and start > 0 and text[start - 1] in "+＋"
                    found.append((start - plus, end, True, digits))
    return found


def _numbers(text: str) -> list[tuple[int, int, bool, str]]:
    """(start, end, mobile, digits) of every number in ``text``, in order; an ID wins over a
    mobile number it overlaps, an earlier start over a later one."""
    accepted: list[tuple[int, int, bool, str]] = []
    for chain in _CHAIN.finditer(text):
        kept: list[tuple[int, int, bool, str]] = []
        for start, end, mobile, digits in sorted(_candidates(text, chain), key=lambda f: (f[2], f[0])):
            if any(start < e and s < end for s, e, _, _ in kept):
                continue
            if _glued_code(text, start, end) or mobile and _certificate_form(text, start, end):
                continue
            kept.append((start, end, mobile, digits))
        accepted += sorted(kept)
    return accepted


def find_whole(text: str) -> list[Hit]:
    """The matcher over the whole text: the reference the fast path in ``find`` must equal."""
    found = _numbers(text)
    if not found:
        return []
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    hits = []
    for offset, _, mobile, digits in found:
        line = bisect.bisect_right(starts, offset)
        hits.append(Hit(line, offset - starts[line - 1] + 1, mobile, _mask(digits)))
    return hits


# --- the fast path -------------------------------------------------------------------------------
# Every file is scanned, and sre over all text is most of `ssjpub verify`'s reading time. So the
# UTF-8 bytes are first squeezed with bytes.translate (C speed): ASCII digits become "0", line
# breaks stay, ASCII separators and every non-ASCII byte (which covers the other separators) are
# deleted, everything else becomes ".". A chain lies on one line and its digits are then 11 or more
# "0" in a row: only lines holding such a run are scanned, each on its own (no rule looks beyond a
# line). This holds when the text's only digits are ASCII; otherwise the whole text is scanned.

_SQUEEZE = bytes(ord("0") if 0x30 <= b <= 0x39 else b if b == 0x0A else ord(".") for b in range(256))
_SQUEEZED_OUT = b" -." + bytes(range(0x80, 0x100))
_RUN = b"0" * 11
# UTF-8 lead bytes of every non-ASCII decimal digit (what \d also matches) outside the full-width
# block (U+FF10-FF19, EF BC 90-99); a test derives them from the Unicode database.
_OTHER_DIGIT_LEADS = b"\xd9\xdb\xdf\xe0\xe1\xea\xf0"
_WIDE_DIGIT = re.compile(rb"\xef\xbc[\x90-\x99]")


def find(text: str, utf8: bytes | None = None) -> list[Hit]:
    """Every number in ``text``; ``utf8``, when the caller has it, is the text's UTF-8 encoding."""
    data = text.encode("utf-8", "surrogatepass") if utf8 is None else utf8
    if any(lead in data for lead in _OTHER_DIGIT_LEADS) or _WIDE_DIGIT.search(data):
        return find_whole(text)
    squeezed = data.translate(_SQUEEZE, _SQUEEZED_OUT)
    hit = squeezed.find(_RUN)
    if hit < 0:
        return []
    lines = data.split(b"\n")
    found: list[Hit] = []
    line, counted = 0, 0  # squeezed[:counted] holds `line` line breaks
    while hit >= 0:
        line += squeezed.count(b"\n", counted, hit)
        counted = hit
        # A line is whole characters; decoded alone it gives character columns.
        for h in find_whole(lines[line].decode("utf-8", "surrogatepass")):
            found.append(Hit(line + 1, h.column, h.mobile, h.masked))
        end = squeezed.find(b"\n", hit)
        if end < 0:
            break
        hit = squeezed.find(_RUN, end)
    return found


def scan_text(text: str, file: str, utf8: bytes | None = None) -> list[Problem]:
    """Personal data in ``text``, each at its line and column."""
    return [h.problem(file) for h in find(text, utf8)]


def shown(value: str) -> str:
    """A value fit to echo in a message: every number in it masked."""
    out, last = [], 0
    for start, end, _, digits in _numbers(value):
        out += [value[last:start], _mask(digits)]
        last = end
    return "".join(out) + value[last:]
