"""One failing fixture per error code.

``tests/fixtures/base/`` is a minimal valid repository. Each case under ``tests/fixtures/errors/``
(``<code>/`` or ``<code>/<variant>/``) holds only the files that differ from base, an optional
``remove.txt`` (paths to delete from base), an optional ``symlinks.yaml`` (``{link, target}``
symbolic links to make, replacing what base has there) and ``expect.yaml``: every problem the case must produce,
as ``{file, line, code}`` with optional ``column``, ``contains`` and ``excludes`` (message text).

Matching is exact both ways: every expected problem is reported, and every reported problem is
expected (same file, line and code), so a cascade of follow-on errors or a silenced error both fail.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import BASE, CASE_FILES, ERRORS, Case, error_cases, make_repo, problems_of
from ssjpub.problems import CODES, Severity

CASES = error_cases()


def test_base_repository_validates_without_any_problem(tmp_path):
    root = make_repo(tmp_path / "repo")
    assert problems_of(root) == []


def test_base_repository_has_what_the_cases_rely_on():
    """A plan with a random and a non-random task, a results file, a ~10-row snapshot."""
    plan = (BASE / "plans/shili/2024/plan.yaml").read_text(encoding="utf-8")
    assert plan.count("- id: ") == 2 and "basis: 投诉举报" in plan
    snapshot = (BASE / "plans/shili/targets/2024-01-05.csv").read_text(encoding="utf-8")
    assert len(snapshot.splitlines()) == 11
    assert (BASE / "results/shili/2024/2024-02.yaml").is_file()


# Codes that `ssjpub validate` cannot produce from files alone: they come from `ssjpub verify`
# re-executing committed draw records, or from `verify --history` reading git history, which an
# overlay of files cannot express. Each must instead be asserted by name in another test module.
# Listing a code here is a conscious decision; a new code not listed still needs a fixture.
VERIFY_ONLY = {"draw-mismatch", "shallow-clone", "history-order", "published-changed", "roster-changed",
               "record-not-canonical",
               # trusted timestamps: git history (verify --history) and the TSA (ssjpub timestamp)
               "timestamp-commit", "timestamp-missing", "timestamp-request",
               # issue 12: the values' commit date against the draw time (verify --history)
               "values-before-draw",
               # the site's served copies: a file changed while the site is built (test_served_files)
               "changed-during-build"}
# Codes of `ssjpub import-results`, which reads a workbook rather than repository files
# (asserted in tests/test_results_excel.py).
WORKBOOK_ONLY = {"results-workbook", "results-task-mismatch", "key-cell-changed", "result-deleted"}


def _asserted_elsewhere(code: str) -> list[str]:
    """Test modules with a line comparing something to the quoted code (``== "draw-mismatch"``)."""
    here = Path(__file__).resolve()
    return [
        p.name
        for p in sorted(here.parent.glob("test_*.py"))
        if p != here and re.search(rf'==[^\n]*"{re.escape(code)}"', p.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_error_code_has_a_failing_fixture(code):
    cases = [c for c in CASES if c.code == code]
    if code in VERIFY_ONLY | WORKBOOK_ONLY and not cases:
        assert _asserted_elsewhere(code), f"{code} is verify-only but no test asserts it"
        return
    assert cases, f"no fixture under tests/fixtures/errors/{code}/"
    for case in cases:
        assert any(e["code"] == code for e in case.expected()), (
            f"{case.name}/expect.yaml does not expect a {code} problem"
        )


def test_verify_only_codes_are_registered():
    assert VERIFY_ONLY | WORKBOOK_ONLY <= set(CODES)


def test_every_fixture_directory_is_named_after_a_registered_code():
    assert CASES
    for folder in ERRORS.iterdir():
        assert folder.name in CODES, f"tests/fixtures/errors/{folder.name}/ is not a problem code"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_error_fixture_reports_expected_problems(case: Case, tmp_path):
    root = make_repo(tmp_path / "repo", case.path)
    problems = problems_of(root)
    expected = case.expected()

    for e in expected:
        matches = [
            p
            for p in problems
            if (p.file, p.line, p.code) == (e["file"], e["line"], e["code"])
            and ("column" not in e or p.column == e["column"])
        ]
        assert matches, f"expected {e}, got:\n" + "\n".join(map(str, problems))
        if "contains" in e:
            assert any(e["contains"] in p.message for p in matches), (e, [p.message for p in matches])
        if "excludes" in e:
            assert all(e["excludes"] not in p.message for p in matches), (e, [p.message for p in matches])

    allowed = {(e["file"], e["line"], e["code"]) for e in expected}
    unexpected = [p for p in problems if (p.file, p.line, p.code) not in allowed]
    assert not unexpected, "problems not listed in expect.yaml:\n" + "\n".join(map(str, unexpected))

    for p in problems:
        assert p.severity is Severity.ERROR
        assert p.line >= 1 and p.column >= 1
        assert p.message and "\n" not in p.message
        if p.code != "missing-file":
            assert os.path.lexists(root / p.file), f"{p.file} is not a repository-relative path"


def test_overlays_hold_only_files_that_differ_from_base():
    for case in CASES:
        for path in case.path.rglob("*"):
            rel = path.relative_to(case.path)
            if path.is_dir() or rel.as_posix() in CASE_FILES:
                continue
            original = BASE / rel
            assert not original.is_file() or original.read_bytes() != path.read_bytes(), (
                f"{case.name}/{rel.as_posix()} is identical to base: drop it from the overlay"
            )
