"""Read a data file as text: UTF-8 (with or without the BOM Excel writes), else a clear refusal."""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ssjpub.loader.tree import symlink_problem
from ssjpub.pii import Hit, find, scan_text
from ssjpub.problems import Pos, Problem

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TextFile:
    rel: str
    text: str
    sha256: str
    personal: tuple[Hit, ...] = ()  # the personal-data scan's hits, also among the problems


def read_data_file(path: Path, rel: str) -> tuple[TextFile | None, list[Problem]]:
    """Decode and scan for personal data; None when the file cannot be used at all."""
    raw, problems = read_bytes(path, rel)
    return (None, problems) if raw is None else decode_data_file(raw, rel)


def read_bytes(path: Path, rel: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or None and why. A symbolic link is never read through (O_NOFOLLOW),
    whoever asks: the tree walk reports it first."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            return fh.read(), []
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, [symlink_problem(rel)]
        return None, [Pos(rel).problem("file-read", f"文件无法读取：{exc.strerror}")]


def decode_data_file(raw: bytes, rel: str) -> tuple[TextFile | None, list[Problem]]:
    """The bytes of a data file decoded and scanned for personal data (see read_data_file)."""
    body = raw[len(BOM):] if raw.startswith(BOM) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
        personal: list[Problem] = []
        try:
            personal = scan_text(body.decode("gb18030").replace("\r\n", "\n"), rel)  # refused, yet scanned
            why = "文件是 GBK/GB18030 编码"
        except UnicodeDecodeError:
            why = "文件不是 UTF-8 编码"
        how = ("请在 Excel 中“另存为”选择“CSV UTF-8（逗号分隔）”，或在编辑器中以 UTF-8 编码保存" if rel.lower().endswith(".csv")
               else "请在编辑器中以 UTF-8 编码保存（例如记事本“另存为”时编码选 UTF-8）")
        return None, [Pos(rel, line, column).problem("file-encoding", f"{why}：{how}"), *personal]
    utf8: bytes | None = body  # saves the scan encoding the text again
    if b"\r" in body:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old-Mac endings
        utf8 = None
    return text_file(rel, text, hashlib.sha256(raw).hexdigest(), utf8)


def text_file(rel: str, text: str, sha256: str = "", utf8: bytes | None = None) -> tuple[TextFile, list[Problem]]:
    """Decoded text scanned for personal data, as a file read from disk is (and a file about to
    be written, by ssjpub import-results, is checked before it is)."""
    hits = find(text, utf8)
    return TextFile(rel, text, sha256, tuple(hits)), [h.problem(rel) for h in hits]
