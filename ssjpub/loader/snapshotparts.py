"""A snapshot split into several files (plans/<code>/targets/<day>/*.csv, ssjpub-draw/3).

Each part is read by the one-file reader (ssjpub.loader.csvfile); this module only joins them:
the parts must share one header, a credit code may stand in one part only, and the joined
snapshot names its folder, the parts' digest and every part (docs/draw-spec.md §2, §11).
"""

from __future__ import annotations

import csv
from datetime import date

from ssjpub.draw.encoding import parts_digest
from ssjpub.loader.csvfile import _field_columns
from ssjpub.loader.textfile import TextFile
from ssjpub.model import Columns, Snapshot, SnapshotPart
from ssjpub.problems import Pos, Problem


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
    for tf, snap in parts:
        here = _header(tf)
        if here != header:
            problems.append(Pos(tf.rel, 1).problem(
                "snapshot-parts-header",
                f"表头与同一快照的第一个文件 {first_tf.rel} 不同（“{','.join(here)}”，应为“{','.join(header)}”）："
                "拆分成多个文件的名录，各文件的列和列的顺序须完全相同"))
            continue
        lines = None
        column = header.index("credit_code")
        for code, line in zip(snap.columns.credit_code, snap.columns.line):  # file order
            earlier = seen.get(code)
            if earlier is None:
                seen[code] = (tf.rel, line)
                continue
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
    joined = Columns(*(tuple(v for _, snap in parts for v in snap.columns[i]) for i in range(len(Columns._fields))))
    named = tuple(SnapshotPart(tf.rel, tf.sha256, len(snap)) for tf, snap in parts)
    digest = parts_digest([(p.file.rsplit("/", 1)[1], p.sha256) for p in named])
    return Snapshot(agency, taken_on, folder_rel, digest, joined, named), []
