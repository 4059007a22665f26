"""Whatever a staff member does to a file, validate answers with positioned problems, never a crash.

Every line of every base file is deleted, and duplicated, in turn (a few hundred repositories);
pathological values (huge exponents, deep nesting, digits int() refuses) get a code, not a hang.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BASE, REPO, console_script, copy_demo, make_repo, problems_of, replace_once

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


# --- pathological values: a code, quickly, through the real command and the real site build ----



def _validate(root: Path) -> subprocess.CompletedProcess:
    script = console_script()
    assert script is not None, "ssjpub is not installed in this interpreter's environment"
    # The timeout only turns a hang into a failure; it measures nothing.
    return subprocess.run([str(script), "validate", str(root), "--format", "json"],
                          capture_output=True, text=True, timeout=120)


def _reported(done: subprocess.CompletedProcess) -> list[tuple[str, int, str]]:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    return [(p["file"], p["line"], p["code"]) for p in json.loads(done.stdout)]


@pytest.mark.parametrize(
    "ratio, code",
    [("1E-99999999%", "wrong-type"), ("1e999999999%", "wrong-type"), ("0." + "3" * 1_000_000 + "%", "invalid-value"),
     ("0." + "3" * 1_000_000, "wrong-type"), ("Infinity%", "wrong-type"), ("NaN%", "wrong-type"),
     ("1e999999999", "wrong-type"), ("9" * 5_000 + "%", "invalid-value")],
    ids=["tiny-exponent", "huge-exponent", "million-decimals-percent", "million-decimals", "infinity", "nan",
         "plain-float", "five-thousand-digits"],
)
def test_pathological_ratios_get_a_code_before_any_arithmetic(ratio, code, tmp_path):
    root = make_repo(tmp_path / "repo")
    line = replace_once(root / "plans/shili/checklist.yaml", "  ratio: 5%\n", f"  ratio: {ratio}\n")
    assert _reported(_validate(root)) == [("plans/shili/checklist.yaml", line, code)]


def _deep_texts(n: int) -> dict[str, str]:
    return {
        "flow-sequences": "[" * n + "]" * n,
        "flow-mappings": "{k: " * n + "1" + "}" * n,
        "block-sequences": "\n" + "- " * n + "x",
    }


@pytest.mark.parametrize("n", [1_000, 100_000])
def test_deep_nesting_gets_a_code_from_validate(n, tmp_path):
    root = make_repo(tmp_path / "repo")
    rel = "results/shili/2024/2024-02.yaml"
    texts = _deep_texts(n)
    path = root / rel
    original = path.read_text(encoding="utf-8")
    for kind, deep in texts.items():
        path.write_text(original.replace("  findings: 未与 2 名劳动者订立书面劳动合同\n", f"  findings: {deep}\n"), encoding="utf-8")
        assert [(f, c) for f, _line, c in _reported(_validate(root))] == [(rel, "too-deep")], kind
    draw = root / "plans/shili/2024/draws/2024-01.json"
    draw.parent.mkdir(parents=True)
    draw.write_text('{"targets": ' + "[" * n + "]" * n + "}\n", encoding="utf-8")
    draw.with_suffix(".yaml").write_text("# 抽取记录的副本\n", encoding="utf-8")  # not a lone half
    path.write_text(original, encoding="utf-8")
    assert [(f, c) for f, _line, c in _reported(_validate(root))] == [("plans/shili/2024/draws/2024-01.json", "too-deep")]


def test_deep_nesting_fails_a_real_site_build_with_a_code_and_no_traceback(tmp_path):
    root = copy_demo(tmp_path / "repo")
    shutil.copytree(REPO / "content", root / "content")
    line = replace_once(root / "plans/baofeng/checklist.yaml", "updated_on: 2024-01-05\n",
                        "updated_on: 2024-01-05\nnote: " + "[" * 999 + "]" * 999 + "\n") + 1  # libyaml takes 999
    out = tmp_path / "output"
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pelican", str(root / "content"), "-s", str(REPO / "pelicanconf.py"), "-o", str(out),
         "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(root))}"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=600,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert f"plans/baofeng/checklist.yaml:{line}:" in log and "too-deep" in log
    assert "Traceback" not in log and "RecursionError" not in log
    assert not (out / "index.html").exists()


# --- digits Python calls digits but int() refuses ---------------------------------------------


_ODD_DIGITS = [c for c in map(chr, range(0x110000)) if c.isdigit() and not c.isascii()]


@pytest.fixture(scope="module")
def csv_repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("digits") / "repo")


@given(digit=st.sampled_from(_ODD_DIGITS))
def test_every_unicode_digit_in_a_csv_count_gets_a_code_never_a_crash(csv_repo, digit):
    path = csv_repo / "plans/shili/targets/2024-01-05.csv"
    lines = (BASE / "plans/shili/targets/2024-01-05.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(",A,0,否,", f",A,{digit},否,")
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = problems_of(csv_repo)
    assert [(p.file, p.line, p.code) for p in problems] == [("plans/shili/targets/2024-01-05.csv", 2, "non-ascii-digit")]
    assert "请写作“" in problems[0].message


@given(day=st.dates(), wide=st.booleans())
def test_a_real_date_in_full_width_digits_is_named_not_impossible(csv_repo, day, wide):
    text = day.isoformat()
    odd = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() or (wide and c == "-") else c for c in text)
    path = csv_repo / "plans/shili/checklist.yaml"
    base = (BASE / "plans/shili/checklist.yaml").read_text(encoding="utf-8")
    path.write_text(base.replace("updated_on: 2024-01-05", f"updated_on: {odd}"), encoding="utf-8")
    problems = [p for p in problems_of(csv_repo) if p.file == "plans/shili/checklist.yaml"]
    path.write_text(base, encoding="utf-8")
    assert [(p.line, p.code) for p in problems] == [(3, "non-ascii-digit")]
    assert f"请写作“{text}”" in problems[0].message
