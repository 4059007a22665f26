"""tests/vectors/draws: every whole-draw vector is what the generator makes today (byte for byte),
passes `ssjpub verify` and docs/verify_draw.py alike, and still shows the facts of the rule it is
there for, so a vector can never silently stop testing its rule."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ssjpub.cli.main import cli
from ssjpub.draw.drawcases import CASES
from ssjpub.draw.drawvectors import main as generate

ROOT = Path(__file__).resolve().parent.parent
DRAWS = ROOT / "tests" / "vectors" / "draws"
VERIFIER = ROOT / "docs" / "verify_draw.py"
NAMES = [c.name for c in CASES]


def drawn(case) -> list:
    return [d for d in case.draws if d.kind is not None]  # the others are tasks that are not drawn


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_committed_vectors_are_what_the_generator_makes(tmp_path):
    # The committed files came from an earlier run: equal bytes also show the runs are deterministic.
    generate(tmp_path)
    made, committed = tree(tmp_path), tree(DRAWS)
    assert sorted(committed) == sorted(made), "run: python -m ssjpub.draw.drawvectors tests/vectors/draws"
    assert [k for k in made if committed[k] != made[k]] == []


def test_every_case_directory_is_a_case_and_listed_for_re_implementers():
    assert sorted(p.name for p in DRAWS.iterdir() if p.is_dir()) == sorted(NAMES)
    listing = (ROOT / "tests" / "vectors" / "README.md").read_text(encoding="utf-8")
    assert [n for n in NAMES if f"`{n}`" not in listing] == []


def records(case: Path) -> dict[str, dict]:
    out = {}
    for kind in ("draws", "failures"):
        for path in sorted(case.glob(f"plans/*/*/{kind}/*.json")):
            out[f"{path.parent.parent.name}/{path.stem}"] = json.loads(path.read_text(encoding="utf-8"))
    return out


@pytest.fixture
def copy_of(tmp_path):
    """A case outside any git repository: in this repository its files were all committed at once,
    so the roster check against the history (`roster-changed`) would not be about the vector."""
    def make(name: str) -> Path:
        shutil.copytree(DRAWS / name, tmp_path / name)
        return tmp_path / name
    return make


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_ssjpub_verify_and_the_standalone_verifier_agree(case, copy_of):
    root = copy_of(case.name)
    done = CliRunner().invoke(cli, ["verify", "--root", str(root)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert f"已重新执行 {len(drawn(case))} 次抽取" in done.output
    standalone = subprocess.run([sys.executable, "-I", str(VERIFIER), "--all", "--root", str(root)],
                                capture_output=True, text=True)
    assert standalone.returncode == 0, standalone.stdout + standalone.stderr
    made = sorted(p.relative_to(root).as_posix() for p in root.glob("plans/*/*/*/*.json")
                  if p.parent.name in ("draws", "failures"))
    lines = standalone.stdout.splitlines()
    assert sorted(line.removeprefix("OK ") for line in lines if line.startswith("OK ")) == made
    # It says what it did not check (a drand signature: no BLS in the standard library), never more.
    notes = [line for line in lines if not line.startswith("OK ")]
    has_drand = any("drand" in ds.kind for ds in case.draws if isinstance(ds.kind, tuple))
    assert notes == [] if not has_drand else notes and all("没有核验 BLS 签名" in n for n in notes), notes
    assert len(made) == len(drawn(case))


def test_the_installed_command_verifies_a_case(copy_of):
    # The other tests run the command line in-process for speed; this one runs it as a process.
    root = copy_of("prior-years-cap")
    done = subprocess.run([sys.executable, "-m", "ssjpub", "verify", "--root", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "已重新执行 5 次抽取" in done.stderr, done.stdout + done.stderr


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_the_case_still_shows_its_rule(case):
    found = records(DRAWS / case.name)
    assert sorted(found) == sorted(f"{d.year}/{d.task}" for d in drawn(case))
    for d in drawn(case):
        key = f"{d.year}/{d.task}"
        assert (found[key].get("outcome") == "failed") == d.fails, key
        for fact in d.facts:
            assert fact.holds(found), f"{case.name} {key}: {fact.text}"
    assert any(d.facts for d in case.draws), "a case without facts tests nothing"


def verdicts(root: Path) -> tuple[int, str]:
    """(exit code of `ssjpub verify`, stdout of docs/verify_draw.py --all) for a case copy."""
    done = CliRunner().invoke(cli, ["verify", "--root", str(root)], catch_exceptions=False)
    standalone = subprocess.run([sys.executable, "-I", str(VERIFIER), "--all", "--root", str(root)],
                                capture_output=True, text=True)
    assert standalone.returncode in (0, 1) and "Traceback" not in standalone.stderr, standalone.stderr
    return done.exit_code, standalone.stdout


def rewrite(path: Path, change) -> None:
    from ssjpub.draw.record import render_json

    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(render_json(record), encoding="utf-8")


def test_a_failure_record_that_re_executes_to_a_draw_is_refused_by_both(copy_of):
    root = copy_of("inspectors-short-fails")
    failure = root / "plans/shili/2024/failures/2024-01.json"

    def no_conflicts(record):  # without the recusals every group can be made
        for p in record["inspectors"]["pool"]:
            p["conflicts"] = []
    rewrite(failure, no_conflicts)
    code, out = verdicts(root)
    assert code == 1
    assert "plans/shili/2024/failures/2024-01.json: failure: 按本文重新执行，抽取能够完成" in out


def test_a_tampered_failure_record_is_refused_by_both(copy_of):
    root = copy_of("strata-no-fallback-fails")
    rewrite(root / "plans/shili/2024/failures/2024-01.json", lambda r: r.update(seed="0" * 64))
    code, out = verdicts(root)
    assert code == 1 and "plans/shili/2024/failures/2024-01.json: seed: " in out


def test_a_task_with_both_a_record_and_a_failure_record_is_refused_by_both(copy_of):
    root = copy_of("inspectors-short-fails")
    draws = root / "plans/shili/2024/draws"
    shutil.copy(draws / "2024-02.json", root / "plans/shili/2024/failures/2024-02.json")
    code, out = verdicts(root)
    assert code == 1 and "既有抽取记录又有失败记录" in out
