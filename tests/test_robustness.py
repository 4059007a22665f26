"""Whatever a staff member does to a file, validate answers with positioned problems, never a crash.

Every line of every base file is deleted, and duplicated, in turn (a few hundred repositories).
"""

from __future__ import annotations

import pytest

from conftest import BASE, make_repo, problems_of

FILES = sorted(p.relative_to(BASE).as_posix() for p in BASE.rglob("*") if p.is_file())


def _check(root, rel: str, text: str, what: str) -> list[str]:
    path = root / rel
    path.write_text(text, encoding="utf-8")
    try:
        problems = problems_of(root)
    except Exception as exc:  # noqa: BLE001 - the failure we are looking for
        return [f"{what}: {type(exc).__name__}: {exc}"]
    faults = []
    lines = text.count("\n") + 1
    for p in problems:
        if p.file == rel and not 1 <= p.line <= lines:
            faults.append(f"{what}: line {p.line} outside the file: {p}")
        if p.line < 1 or p.column < 1 or "\n" in p.message or not p.message:
            faults.append(f"{what}: malformed {p}")
    return faults


@pytest.mark.parametrize("rel", FILES)
def test_deleting_or_duplicating_any_line_never_crashes(rel, tmp_path):
    root = make_repo(tmp_path / "repo")
    original = (BASE / rel).read_text(encoding="utf-8")
    lines = original.split("\n")
    faults: list[str] = []
    changed = 0
    for i in range(len(lines) - 1):  # the last element is the empty string after the final newline
        deleted = "\n".join(lines[:i] + lines[i + 1 :])
        duplicated = "\n".join(lines[: i + 1] + lines[i:])
        faults += _check(root, rel, deleted, f"line {i + 1} deleted")
        faults += _check(root, rel, duplicated, f"line {i + 1} duplicated")
        changed += 2
    (root / rel).write_text(original, encoding="utf-8")
    assert problems_of(root) == []
    assert changed >= 16
    assert faults == []


@pytest.mark.parametrize("rel", [f for f in FILES if f.endswith(".yaml")])
def test_deleting_a_line_of_a_yaml_file_is_reported_in_that_file(rel, tmp_path):
    """A deleted line can make a reference from another file dangle, but every other kind of
    problem it causes is reported in the edited file itself."""
    root = make_repo(tmp_path / "repo")
    lines = (BASE / rel).read_text(encoding="utf-8").split("\n")
    for i in range(len(lines) - 1):
        if lines[i].lstrip().startswith("#"):
            continue
        (root / rel).write_text("\n".join(lines[:i] + lines[i + 1 :]), encoding="utf-8")
        problems = problems_of(root)
        assert all(p.file == rel or p.code == "dangling-reference" for p in problems), (i + 1, problems)
