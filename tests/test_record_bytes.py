"""Plain `ssjpub verify` compares the committed bytes of a record and its YAML copy with what
`ssjpub draw` writes: the same content in other bytes (re-indented, keys reordered, CRLF, no final
newline, a BOM) is `record-not-canonical`, at the first line that differs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_demo
from ssjpub.draw.verify import verify_draws
from ssjpub.validate import validate

REC = "plans/baofeng/2024/draws/2024-04.json"
COPY = "plans/baofeng/2024/draws/2024-04.yaml"


def _verify(root: Path):
    repo, problems = validate(root)
    assert problems == []
    return verify_draws(repo, workers=1)[1]


def _reorder(text: str) -> str:
    record = json.loads(text)
    return json.dumps(dict(reversed(list(record.items()))), ensure_ascii=False, indent=2) + "\n"


def _reindent(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, indent=4) + "\n"


def _second_line_spaced(text: str) -> str:
    first, second, rest = text.split("\n", 2)
    return "\n".join([first, "\t" + second.lstrip(" "), rest])


EDITS = {  # name: (edit of the text, expected line, expected column, words in the message)
    "re-indented": (_reindent, 2, 3, "此行应为"),
    "keys-reordered": (_reorder, 2, 4, "键的顺序"),
    "tab-indented": (_second_line_spaced, 2, 1, "此行应为"),
    "no-final-newline": (lambda t: t[:-1], None, 1, "末尾缺少换行符"),
    "crlf": (lambda t: t.replace("\n", "\r\n"), 1, 1, "CRLF"),
    "bom": (lambda t: "\ufeff" + t, 1, 1, "BOM"),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("pristine"))
    assert _verify(root) == []
    return root


JSON_ONLY = {"re-indented", "keys-reordered"}


@pytest.mark.parametrize("rel,name", [(rel, name) for rel in (REC, COPY) for name in sorted(EDITS)
                                      if rel == REC or name not in JSON_ONLY])
def test_same_content_in_other_bytes_fails_plain_verify(pristine, tmp_path, rel, name):
    edit, line, column, words = EDITS[name]
    root = copy_demo(tmp_path / "demo")
    path = root / rel
    text = path.read_text(encoding="utf-8")
    path.write_bytes(edit(text).encode("utf-8"))
    if rel == COPY and name == "tab-indented":
        # a tab cannot indent YAML: the copy no longer reads as the record
        problems = _verify(root)
        assert [(p.file, p.code) for p in problems] == [(COPY, "draw-mismatch")]
        return
    problems = _verify(root)
    assert [(p.file, p.code) for p in problems] == [(rel, "record-not-canonical")], problems
    expected_line = text.count("\n") if line is None else line
    assert (problems[0].line, problems[0].column) == (expected_line, column)
    assert words in problems[0].message


def test_the_message_names_the_expected_line(tmp_path):
    root = copy_demo(tmp_path / "demo")
    path = root / REC
    original = path.read_text(encoding="utf-8")
    path.write_text(_reorder(original), encoding="utf-8")
    [problem] = _verify(root)
    assert f"此行应为“{original.split(chr(10))[1]}”" in problem.message


def test_the_cli_fails_with_the_code_and_exit_1(tmp_path):
    root = copy_demo(tmp_path / "demo")
    path = root / REC
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    run = subprocess.run([sys.executable, "-m", "ssjpub", "verify", "--root", str(root)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout == f"{REC}:1:1: record-not-canonical " + run.stdout.split(" record-not-canonical ", 1)[1]
    assert "Traceback" not in run.stderr
