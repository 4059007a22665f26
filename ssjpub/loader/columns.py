"""A snapshot file read a column at a time: the fast path for the common, valid export.

A province snapshot has a million rows; checking them one by one in Python costs seconds. Here
each row is cut once by a regular expression into its code, its name and the rest, and the rest
(area … source: few distinct combinations) is split and checked once per distinct value; the
codes are checked in one pass in C. No row object is built. Any irregularity (quotes, a blank
line, a row of the wrong width, one invalid value anywhere) gives None: the row-by-row reader
(ssjpub.loader.csvfile) then reads the file again and says what is wrong in which cell. Works
on one file's text, whatever the population is made of.
"""

from __future__ import annotations

import csv
import re
from array import array
from itertools import count, repeat
from operator import itemgetter, mod, ne
from typing import NamedTuple

from ssjpub.digits import is_ascii_int
from ssjpub.identifiers import CREDIT_CHARSET
from ssjpub.model import SNAPSHOT_COLUMNS, TARGET_SOURCES, TARGET_STATUSES, Columns, RowKinds
from ssjpub.spreadsheet import FORMULA_START

FLAGS = {"是": True, "否": False}
GRADES = ("A", "B", "C")

# A row: its first two cells and the rest of the line.
_ROW = re.compile(r"([^,\n]*),([^,\n]*),([^\n]*)\n")
_REST = SNAPSHOT_COLUMNS[2:]

# The check character of a credit code (GB 32100-2015) makes Σ v_i·3^i (the first 17
# characters, v: the value in CREDIT_CHARSET) plus its own value c ≡ 0 (mod 31). Written as
# base-34 digits, last first, a code is the number c·34^17 + Σ v_i·34^i, and 34 ≡ 3 (mod 31):
# int(…, 34) does the weighted sum in C, and the code is valid when it is ≡ c·(3^17 − 1).
# A character outside the charset becomes "z", which base 34 refuses. Tests compare this with
# identifiers.credit_code_problem on random codes.
_BASE34 = bytearray(b"z" * 256)
for _value, _char in enumerate(CREDIT_CHARSET):
    _BASE34[ord(_char)] = ord("0123456789abcdefghijklmnopqrstu"[_value])
_BASE34[ord("\n")] = ord("\n")
_BASE34 = bytes(_BASE34)
# Per translated check character: what the code's number is, mod 31, when the code is valid.
_VALID_SUM = [-1] * 256
for _value, _char in enumerate(CREDIT_CHARSET):
    _VALID_SUM[_BASE34[ord(_char)]] = _value * (pow(3, 17, 31) - 1) % 31


def credit_codes_valid(codes: list[str]) -> bool:
    """Every one of `codes` passes identifiers.credit_code_valid (an empty list does)."""
    if not codes:
        return True
    if set(map(len, codes)) != {18}:
        return False
    try:
        digits = "\n".join(codes).encode("ascii").translate(_BASE34)[::-1]
        sums = list(map(mod, map(int, digits.split(b"\n"), repeat(34)), repeat(31)))
    except (UnicodeEncodeError, ValueError):  # a character outside the charset
        return False
    return sums == list(map(_VALID_SUM.__getitem__, digits[::19]))


def _stripped(column: list[str]) -> list[str]:
    """The cells stripped, as the row reader strips them (only when some need it)."""
    return list(map(str.strip, column)) if any(map(ne, column, map(str.strip, column))) else column


def read_columns(text: str, order: list[int], known_codes: set[str]) -> Columns | None:
    """The rows after the header line of a snapshot's `text` as columns, when every row is well
    formed and valid; else None (the caller reads row by row). `order` is each SNAPSHOT_COLUMNS
    field's position in the header; `known_codes` are codes already found valid (the agency's
    earlier snapshot), not checked again."""
    found = _read(text, order, known_codes)
    return None if found is None else _expand(*found)


def read_with_kinds(text: str, order: list[int], known_codes: set[str]) -> tuple[Columns, RowKinds] | None:
    """read_columns, and each row's kind."""
    found = _read(text, order, known_codes)
    return None if found is None else (_expand(*found), _kinds(found[2], found[3]))


class Packed(NamedTuple):
    """What read_columns finds, in the form that is cheap to send to another process: a million
    strings cost seconds to pickle and unpickle, one long string and an array of integers almost
    nothing. No cell of a file read this way has a line break."""

    codes: str  # the credit codes, one per line
    names: str
    rests: list[tuple]  # each distinct rest of a row (area … source), its cells converted
    row_rest: array  # per row, the index of its rest in `rests` ("I": unsigned, 32 bits or more)

    def columns(self) -> Columns:
        codes = self.codes.split("\n") if self.codes else []
        names = self.names.split("\n") if self.names else []
        return _expand(codes, names, self.rests, self.row_rest)

    def kinds(self) -> RowKinds:
        return _kinds(self.rests, self.row_rest)


def _kinds(by_id: list[tuple], row_id) -> RowKinds:
    """Each row's kind: its rest without the source (rests of two sources share a kind)."""
    ids: dict[tuple, int] = {}
    rest_kind = dense_ids(ids, map(_KIND_OF_REST, by_id))
    return RowKinds(tuple(ids), list(map(rest_kind.__getitem__, row_id)))  # in C


def dense_ids(ids: dict, keys) -> list[int]:
    """Each key's id in `ids`, a new key getting the next (0, 1, …: `tuple(ids)[i]` is the key of
    id i), in C: map asks len(ids) for each key just before that key goes in."""
    return list(map(ids.setdefault, keys, map(len, repeat(ids))))


# A rest (area, industry, grade, complaints, serious_violation, status, source) as its kind
# (area, industry, grade, status, complaints, serious_violation: ssjpub.draw.population.Kind).
_KIND_OF_REST = itemgetter(0, 1, 2, 5, 3, 4)


def read_packed(text: str, order: list[int], known_codes: set[str]) -> Packed | None:
    """read_columns, packed (Packed.columns() gives the same columns)."""
    found = _read(text, order, known_codes)
    if found is None:
        return None
    code, name, by_id, row_id = found
    return Packed("\n".join(code), "\n".join(name), by_id, array("I", row_id))


def _read(text: str, order: list[int], known_codes: set[str]):
    """(codes, names, each distinct rest's converted cells, each row's rest index), or None."""
    if order[:2] != [0, 1] or '"' in text or "\r" in text or "\0" in text:
        return None
    if not text.endswith("\n"):
        text += "\n"  # the last line unterminated (a copy, but only then)
    start = text.index("\n") + 1  # after the header
    rows = _ROW.findall(text, start)
    if len(rows) != text.count("\n", start):  # a line without two commas (a blank one, too)
        return None
    code = _stripped(list(map(itemgetter(0), rows)))
    name = _stripped(list(map(itemgetter(1), rows)))
    rest = list(map(itemgetter(2), rows))
    del rows
    distinct = list(dict.fromkeys(rest))  # in the order they first come
    by_id = _rests(distinct, [i - 2 for i in order[2:]])
    if by_id is None or not _valid_codes(code, known_codes) or not _valid_names(name):
        return None
    ids = dict(zip(distinct, count()))
    row_id = list(map(ids.__getitem__, rest))
    return code, name, by_id, row_id


def _rests(distinct: list[str], picks: list[int]) -> list[tuple] | None:
    """Each distinct rest of a row split into its cells, in SNAPSHOT_COLUMNS order, stripped and
    converted; None when one is not as the row reader accepts it. Column by column: a split
    snapshot's part has some thousands of distinct rests, and a loop per rest in Python cost
    as much as the rest of the reading."""
    if not distinct:
        return []
    if max(map(len, distinct)) > csv.field_size_limit():  # what csv would refuse
        return None
    cells = list(map(str.split, distinct, repeat(",")))
    if set(map(len, cells)) != {len(picks)}:
        return None
    by_position = list(zip(*cells))
    area, industry, grade, complaints, violation, status, source = (_stripped(list(by_position[i])) for i in picks)
    if not (all(area) and all(industry) and not set(map(itemgetter(0), area + industry)) & set(FORMULA_START)
            and set(grade) <= set(GRADES) and all(map(is_ascii_int, set(complaints)))
            and set(violation) <= FLAGS.keys() and set(status) <= set(TARGET_STATUSES)
            and set(source) <= set(TARGET_SOURCES)):
        return None
    numbers = {v: int(v) for v in set(complaints)}
    return list(zip(area, industry, grade, map(numbers.__getitem__, complaints),
                    map(FLAGS.__getitem__, violation), status, source))


def _expand(code: list[str], name: list[str], by_id: list[tuple], row_id) -> Columns:
    found = {}
    if len(row_id) > 1:
        pick = itemgetter(*row_id)  # a tuple of values by index, in C: the row ids made ints once
    else:
        pick = lambda values: tuple(values[i] for i in row_id)  # noqa: E731 (itemgetter needs 2+)
    for k, field in enumerate(_REST):
        found[field] = pick([cells[k] for cells in by_id])
    return Columns(tuple(code), tuple(name), **found, line=tuple(range(2, len(code) + 2)))


def _valid_codes(code: list[str], known: set[str]) -> bool:
    distinct = set(code)
    if len(distinct) != len(code):  # a duplicate
        return False
    return credit_codes_valid(list(distinct - known) if known else code)


def _valid_names(name: list[str]) -> bool:
    return (all(name) and not set(map(itemgetter(0), name)) & set(FORMULA_START)
            and max(map(len, name), default=0) <= csv.field_size_limit())  # what csv would refuse
