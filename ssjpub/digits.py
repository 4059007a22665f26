"""Digits are ASCII. Python's ``str.isdigit()`` and ``re``'s ``\\d`` accept any Unicode digit
(full-width “２”, Arabic-Indic “٢”, superscript “²”, circled “①” …) and ``int()`` refuses some of
them, so validation checks ``[0-9]`` only (``is_ascii_int``). What staff typed with an input method
is named in its ASCII form, so the message can say what to write instead (``non_ascii_digits``)."""

from __future__ import annotations

import re
import unicodedata

_FULL_WIDTH = range(0xFF01, 0xFF5F)


def is_ascii_int(text: str) -> bool:
    """One or more of 0-9 and nothing else (``isdigit`` alone would take “²” and “٢”)."""
    return text.isascii() and text.isdigit()


def ascii_form(text: str) -> str | None:
    """``text`` with each non-ASCII digit, sign or punctuation mark as its ASCII character
    (“２０２４－０１－０５” → “2024-01-05”, “①” → “1”); None when nothing changes or a character
    has no ASCII form (Chinese text stays Chinese)."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        digit = unicodedata.digit(ch, None)  # any digit: “２”, “²”, “①”, “٢”, “፩”, “🄀” (0.)
        if digit is not None:
            out.append(str(digit))
            continue
        folded = unicodedata.normalize("NFKC", ch)  # full-width signs and marks: “－”, “％”, “⑩”
        if not (folded.isascii() and folded.strip()):
            return None
        out.append(folded)
    result = "".join(out)
    return result if result != text else None


def non_ascii_digits(text: str, pattern: re.Pattern[str]) -> str | None:
    """The message for ``text`` when only its non-ASCII digits keep it from matching ``pattern``."""
    fixed = ascii_form(text)
    if fixed is None or not pattern.fullmatch(fixed):
        return None
    odd = [ch for ch in text if not ch.isascii()]
    kind = "全角数字" if all(ord(ch) in _FULL_WIDTH for ch in odd) else "非半角的数字或符号"
    return f"写成了{kind}“{text}”，请写作“{fixed}”"
