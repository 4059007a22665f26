"""Where a bad Pelican setting is written, for its positioned error.

Pelican gives the plugin the settings' values, not where each came from: pelicanconf.py,
publishconf.py (which imports it) or the command line's ``-e``. The problem points at the line of
the repository's settings file that assigns this very value (the last such line: publishconf.py
is read after pelicanconf.py); when no line does, the value came from ``-e`` or another settings
file, and the problem says so at pelicanconf.py's own line for the setting (line 1 if none).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from ssjpub.problems import Pos, Problem

FILES = ("pelicanconf.py", "publishconf.py")


def _assignments(path: Path, name: str) -> list[tuple[int, Any]]:
    """(line, value) of each top-level ``name = <literal>`` in the file; a value that is no
    literal is ``...``."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                value = ...
            found.append((node.lineno, value))
    return found


def setting_problem(root: Path, name: str, value: Any, code: str, message: str) -> Problem:
    """`message` about the setting `name`, whose value is `value`, at the line that wrote it."""
    for file in reversed(FILES):
        for line, written in reversed(_assignments(root / file, name)):
            if written is not ... and written == value:
                return Pos(file, line).problem(code, message)
    lines = _assignments(root / FILES[0], name)
    return Pos(FILES[0], lines[-1][0] if lines else 1).problem(
        code, f"{message}（这个值不是本文件所写的，来自命令行的 -e {name}=… 或另一个设置文件）")
