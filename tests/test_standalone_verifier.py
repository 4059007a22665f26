"""docs/verify_draw.py, written from the spec alone, agrees with `ssjpub verify` on every demo draw
and under tampering; it runs on the standard library only."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ssjpub.draw.record import render_json, render_yaml
from ssjpub.draw.verify import verify_draws
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
VERIFIER = ROOT / "docs" / "verify_draw.py"


def standalone(*args: str) -> subprocess.CompletedProcess:
    # -I: isolated mode, no site-packages from the venv on the path beyond the stdlib's own.
    return subprocess.run([sys.executable, "-I", str(VERIFIER), *args], capture_output=True, text=True)


def test_it_imports_nothing_outside_the_standard_library():
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert names <= set(sys.stdlib_module_names) | {"__future__"}


def test_selftest_reproduces_the_worked_example():
    done = standalone("--selftest")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def demo(tmp_path) -> Path:
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def test_it_agrees_with_ssjpub_verify_on_every_demo_draw(demo):
    repo, problems = validate(demo)
    checked, mismatches = verify_draws(repo)
    done = standalone("--all", "--root", str(demo))
    ok = sorted(line[3:] for line in done.stdout.splitlines() if line.startswith("OK "))
    assert (checked, mismatches) == (10, [])
    assert done.returncode == 0 and ok == sorted(d.file for a in repo.agencies.values() for d in a.draws.values())


@pytest.mark.parametrize("where", ["targets", "groups", "inspectors"])
def test_both_fail_on_the_same_tampered_record(demo, where):
    path = demo / "plans/baofeng/2024/draws/2024-05.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    if where == "targets":
        record["targets"][1]["ticket"] = "0" * 64
    elif where == "groups":
        record["groups"][2]["leader"] = record["groups"][2]["members"][1]
    else:
        record["inspectors"]["pool"][0]["active"] = not record["inspectors"]["pool"][0]["active"]
    path.write_text(render_json(record), encoding="utf-8")
    path.with_suffix(".yaml").write_text(render_yaml(record), encoding="utf-8")
    repo, _ = validate(demo)
    _, mismatches = verify_draws(repo)
    done = standalone("--all", "--root", str(demo))
    # A changed roster fact may make the recorded draw impossible: then the plan's group_size is
    # named too, as the constraint that cannot be met.
    assert "plans/baofeng/2024/draws/2024-05.json" in {p.file for p in mismatches}
    assert {p.file for p in mismatches} <= {"plans/baofeng/2024/draws/2024-05.json", "plans/baofeng/2024/plan.yaml"}
    assert done.returncode == 1
    failing = {line.split(":")[0] for line in done.stdout.splitlines() if not line.startswith("OK ")}
    assert "plans/baofeng/2024/draws/2024-05.json" in failing
    assert "Traceback" not in done.stdout + done.stderr


def test_it_agrees_on_the_v1_fixture():
    """Records made by ssjpub-draw/1 (tests/fixtures/draw-v1) are verified as /1 by both."""
    root = ROOT / "tests/fixtures/draw-v1"
    repo, problems = validate(root)
    checked, mismatches = verify_draws(repo)
    done = standalone("--all", "--root", str(root))
    assert (problems, checked, mismatches) == ([], 3, [])
    assert done.returncode == 0 and done.stdout.count("OK ") == 3, done.stdout


def test_blank_snapshot_lines_and_a_roster_without_names_are_read_as_the_spec_says(demo):
    """Blank lines are skipped and not counted (draw-spec §2); an inspector's name may be absent
    (null in the record). Both verifiers accept records drawn from such inputs."""
    snapshot = demo / "plans/baofeng/targets/2024-07-01.csv"
    lines = snapshot.read_text(encoding="utf-8").split("\n")
    snapshot.write_text("\n".join(lines[:3] + [""] + lines[3:] + [""]), encoding="utf-8")
    roster = demo / "plans/baofeng/inspectors.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace("  name: 马杰辉\n", "", 1), encoding="utf-8")
    for task in ("2024-04", "2024-05", "2024-07"):
        for suffix in (".json", ".yaml"):
            (demo / f"plans/baofeng/2024/draws/{task}{suffix}").unlink()
    for task in ("2024-04", "2024-05", "2024-07"):
        drawn = subprocess.run([sys.executable, "-m", "ssjpub", "draw", f"baofeng/2024/{task}", "--root", str(demo)],
                               capture_output=True, text=True)
        assert drawn.returncode == 0, drawn.stdout + drawn.stderr
    record = json.loads((demo / "plans/baofeng/2024/draws/2024-07.json").read_text(encoding="utf-8"))
    assert record["population"]["rows"] == len(lines) - 2  # header and the final empty line
    assert [p["name"] for p in record["inspectors"]["pool"] if p["id"] == "BA001"] == [None]
    repo, _ = validate(demo)
    assert verify_draws(repo) == (10, [])
    done = standalone("--all", "--root", str(demo))
    assert done.returncode == 0, done.stdout
