"""A snapshot split into several files (plans/<code>/targets/<day>/*.csv, ssjpub-draw/3).

Each part is read by the one-file reader (ssjpub.loader.csvfile), a large snapshot's parts by
two processes; this module joins them: the parts must share one header, a credit code may stand
in one part only, and the joined snapshot names its folder, the parts' digest and every part
(docs/draw-spec.md §2, §11).
"""

from __future__ import annotations

import csv
from datetime import date
from itertools import chain
from pathlib import Path

from ssjpub import parallel
from ssjpub.draw.encoding import parts_digest
from ssjpub.loader.columns import dense_ids
from ssjpub.loader.csvfile import Reuse, _field_columns, parse_snapshot, unpacked
from ssjpub.loader.textfile import TextFile, read_data_file
from ssjpub.model import Columns, RowKinds, Snapshot, SnapshotPart
from ssjpub.problems import Pos, Problem


Read = tuple[TextFile | None, Snapshot | None, list[Problem]]

# Below this many bytes in all, one process reads the parts: a second one costs more than it saves.
PARALLEL_MIN_BYTES = 16 << 20


def read_parts(files: list[tuple[Path, str]], agency: str, taken_on: date, known: set[str]) -> list[Read]:
    """Each part (path, shown path) read and parsed as a single snapshot file is, in order: the
    file (None when unreadable), the part (None when invalid) and its problems. `known`: codes
    found valid before (not checked again; not changed here). A large snapshot's parts are read
    partly here, the rest in a forked process, which sends each part's columns packed (one string
    per column instead of a million: see ssjpub.loader.columns.Packed) as soon as it has read it;
    the result is the same."""
    sizes = [_size(path) for path, _ in files]
    if len(files) < 2 or sum(sizes) < PARALLEL_MIN_BYTES or not parallel.second_process_helps():
        return _read_some((files, agency, taken_on, known), (range(len(files)), False))
    total, run = sum(sizes), 0
    cut = next(i for i, size in enumerate(sizes) if (run := run + size) >= HERE_SHARE * total) + 1
    cut = min(cut, len(files) - 1)  # the other process has a part to read, however large the last
    # The helper sends each part back as soon as it is read; this process unpacks it meanwhile.
    pieces = [(range(0, cut), False), *((range(i, i + 1), True) for i in range(cut, len(files)))]
    read = parallel.share_forked(_read_some, (files, agency, taken_on, known), pieces, one_helper=True, then=_unpacked)
    return list(chain.from_iterable(read))


# The share of the bytes read here. This process also unpacks what the helper reads, but the helper
# packs and pickles it, about as much work: at half each, both end together on the province data
# (at 40 % this process waited 0.3 s for the helper's last parts, measured idle).
HERE_SHARE = 0.5


def _unpacked(read: list[Read]) -> list[Read]:
    return [(tf, unpacked(snap) if snap is not None else None, problems) for tf, snap, problems in read]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_data_file says why


def _read_some(shared: tuple, piece: tuple[range, bool]) -> list[Read]:
    files, agency, taken_on, known = shared
    indices, packed = piece
    out = []
    for i in indices:
        path, rel = files[i]
        tf, problems = read_data_file(path, rel)
        snap = None
        if tf is not None:
            reuse = Reuse()
            reuse.valid_codes, reuse.more = known, False
            snap, more = parse_snapshot(tf, agency, taken_on, reuse, packed=packed)
            problems += more
            if packed and snap is not None and _header(tf).index("credit_code") == 0:
                # join_parts needs only the header then (a code's column is 1): the text stays here
                tf = TextFile(tf.rel, tf.text.split("\n", 1)[0] + "\n", tf.sha256, tf.personal)
        out.append((tf, snap, problems))
    return out


def _header(tf: TextFile) -> list[str]:
    first = tf.text.split("\n", 1)[0]
    return [h.strip() for h in next(csv.reader([first]), [])]


def join_parts(
    folder_rel: str, agency: str, taken_on: date, parts: list[tuple[TextFile, Snapshot]]
) -> tuple[Snapshot | None, list[Problem]]:
    """The split snapshot from its parts (each already read, in file-name order), or None and
    every problem: a header unlike the first part's, a code already in an earlier part."""
    problems: list[Problem] = []
    first_tf = parts[0][0]
    header = _header(first_tf)
    seen: dict[str, tuple[str, int]] = {}
    codes = tuple(chain.from_iterable(snap.columns.credit_code for _, snap in parts))
    # Each part's codes are unique already; when all are (the usual case, one pass in C), only
    # the headers need a look.
    unique = len(set(codes)) == len(codes)
    for tf, snap in parts:
        here = _header(tf)
        if here != header:
            problems.append(Pos(tf.rel, 1).problem(
                "snapshot-parts-header",
                f"表头与同一快照的第一个文件 {first_tf.rel} 不同（“{','.join(here)}”，应为“{','.join(header)}”）："
                "拆分成多个文件的名录，各文件的列和列的顺序须完全相同"))
            continue
        if unique:
            continue
        lines = None
        column = header.index("credit_code")
        for code, line in zip(snap.columns.credit_code, snap.columns.line):  # file order
            earlier = seen.get(code)
            if earlier is None:
                seen[code] = (tf.rel, line)
                continue
            if column == 0:  # the first cell starts the line, quoted or not
                col = 1
            else:
                lines = lines if lines is not None else tf.text.split("\n")
                col = _field_columns(lines[line - 1], len(header))[column]
            problems.append(Pos(tf.rel, line, col).problem(
                "snapshot-parts-duplicate",
                f"统一社会信用代码 {code} 已在同一快照的 {earlier[0]} 第 {earlier[1]} 行出现："
                "一家单位只能在一个文件中（按县拆分时，请核对它属于哪个县）"))
    if problems:
        return None, problems
    # The parts' rows one after another (file-name order, then file order); `line` stays the
    # line in its own part.
    joined = Columns(codes, *(tuple(chain.from_iterable(snap.columns[i] for _, snap in parts))
                              for i in range(1, len(Columns._fields))))
    named = tuple(SnapshotPart(tf.rel, tf.sha256, len(snap)) for tf, snap in parts)
    digest = parts_digest([(p.file.rsplit("/", 1)[1], p.sha256) for p in named])
    return Snapshot(agency, taken_on, folder_rel, digest, joined, named, _joined_kinds([s.kinds for _, s in parts])), []


def _joined_kinds(each: list[RowKinds | None]) -> RowKinds | None:
    """The parts' row kinds as one table (the parts' rows one after another), or None when a part
    was read row by row (then a draw groups the rows itself)."""
    if any(k is None for k in each):
        return None
    ids: dict[tuple, int] = {}
    of_row: list[int] = []
    for part in each:
        of_row += map(dense_ids(ids, part.kinds).__getitem__, part.of_row)  # in C
    return RowKinds(tuple(ids), of_row)
