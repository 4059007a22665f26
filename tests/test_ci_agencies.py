"""scripts/ci_agencies.py on real temporary git repositories: the agencies a pull request touches,
every agency when a shared file changes, both sides of a rename; and the CI files fan out by it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ci_agencies.py"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@invalid", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


def write(root: Path, rel: str, text: str = "x\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def agencies(root: Path, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, str(SCRIPT), "--root", str(root), *args], capture_output=True, text=True)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)["agency"]


@pytest.fixture
def repo(tmp_path) -> Path:
    """main with three agencies and the shared files; HEAD on a pull request branch."""
    root = tmp_path / "data"
    for code in ("a-county", "b", "c9"):
        write(root, f"plans/{code}/agency.yaml")
        write(root, f"plans/{code}/targets/2024-01-05.csv", f"{code}\n")
        write(root, f"results/{code}/2024/2024-01.yaml")
    for rel in ("plans/lottery-games.yaml", "plans/result-categories.yaml", "plans/calendar/2027.yaml",
                "theme/templates/base.html", "ssjpub/__init__.py", "pelicanconf.py"):
        write(root, rel)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "pr")
    return root


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")


def test_one_agency(repo):
    write(repo, "plans/b/2024/plan.yaml")
    commit(repo)
    assert agencies(repo, "--base", "main") == ["b"]


def test_two_agencies_through_plans_and_results(repo):
    write(repo, "plans/a-county/2024/randomness/2024-01.yaml")
    write(repo, "results/c9/2024/2024-01.yaml", "changed\n")
    commit(repo)
    assert agencies(repo, "--base", "main") == ["a-county", "c9"]


@pytest.mark.parametrize("shared", ["plans/lottery-games.yaml", "plans/result-categories.yaml", "plans/calendar/2028.yaml",
                                    "theme/templates/base.html", "ssjpub/__init__.py", "pelicanconf.py"])
def test_a_shared_file_concerns_every_agency(repo, shared):
    write(repo, "plans/b/2024/plan.yaml")
    write(repo, shared, "changed\n")
    commit(repo)
    assert agencies(repo, "--base", "main") == ["a-county", "b", "c9"]


def test_a_rename_counts_at_both_paths(repo):
    git(repo, "mv", "plans/a-county/targets/2024-01-05.csv", "plans/c9/targets/2024-02-01.csv")
    commit(repo)
    assert "R" in git(repo, "diff", "--name-status", "-M", "main...HEAD")
    assert agencies(repo, "--base", "main") == ["a-county", "c9"]
    git(repo, "mv", "plans/c9/targets/2024-02-01.csv", "plans/c9/targets/2024-03-01.csv")
    commit(repo)
    assert agencies(repo, "--base", "HEAD~1") == ["c9"]


def test_changes_on_the_base_branch_after_the_fork_do_not_count(repo):
    write(repo, "plans/b/2024/plan.yaml")
    commit(repo)
    git(repo, "checkout", "-q", "main")
    write(repo, "plans/c9/2024/plan.yaml")
    write(repo, "theme/templates/base.html", "main moved on\n")
    commit(repo)
    git(repo, "checkout", "-q", "pr")
    assert agencies(repo, "--base", "main") == ["b"]


def test_no_base_and_a_deleted_agency(repo):
    assert agencies(repo) == ["a-county", "b", "c9"]
    git(repo, "rm", "-rq", "plans/b", "results/b")
    commit(repo)
    assert agencies(repo, "--base", "main") == ["a-county", "c9"]  # nothing of b left to check: every agency


def test_a_data_folder_inside_a_larger_repository(tmp_path):
    outer = tmp_path / "outer"
    for code in ("x", "y"):
        write(outer, f"data/plans/{code}/agency.yaml")
    write(outer, "README.md")
    git(outer, "init", "-q", "-b", "main")
    git(outer, "add", "-A")
    git(outer, "commit", "-qm", "base")
    write(outer, "data/plans/y/agency.yaml", "changed\n")
    commit(outer)
    assert agencies(outer / "data", "--base", "HEAD~1") == ["y"]
    write(outer, "README.md", "changed\n")  # outside the data folder: not an agency's
    commit(outer)
    assert agencies(outer / "data", "--base", "HEAD~1") == ["x", "y"]


def test_a_bad_base_is_a_message_not_a_traceback(repo):
    done = subprocess.run([sys.executable, str(SCRIPT), "--root", str(repo), "--base", "no-such-branch"],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "无法比较改动" in done.stderr and "Traceback" not in done.stderr


def test_the_gitlab_child_pipeline_runs_each_agency(repo, tmp_path):
    write(repo, "plans/b/2024/plan.yaml")
    commit(repo)
    child = tmp_path / "child.yml"
    assert agencies(repo, "--base", "main", "--gitlab", str(child)) == ["b"]
    job = yaml.safe_load(child.read_text(encoding="utf-8"))["agency"]
    assert job["parallel"]["matrix"] == [{"AGENCY": ["b"]}]
    script = "\n".join(job["script"])
    assert '--agency "$AGENCY"' in script and "ssjpub validate" in script and "ssjpub verify" in script
    # Each agency's pages into its own site cache, as an artifact; one job merges them and builds.
    assert 'SSJPUB_CACHE_ONLY=[\\"$AGENCY\\"]' in script and "-s pelicanconf.py" in script
    assert job["artifacts"]["paths"] == ["site-caches/"]
    assemble = yaml.safe_load(child.read_text(encoding="utf-8"))["assemble"]
    assert assemble["needs"] == ["agency"]
    steps = assemble["script"]
    assert steps.index("make html") > steps.index(".venv/bin/python -m ssjpub.site.sitecache merge .ssjpub-cache/site site-caches/*")
    assert assemble["artifacts"]["paths"] == ["output/"]


# --- the CI files -------------------------------------------------------------------------------


def test_github_fans_out_by_agency_then_one_job_assembles_and_publishes():
    gh = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    jobs = gh["jobs"]
    plan = "\n".join(s.get("run", "") for s in jobs["agencies"]["steps"])
    assert "scripts/ci_agencies.py" in plan and "GITHUB_OUTPUT" in plan
    agency = jobs["agency"]
    assert agency["needs"] == "agencies"
    assert agency["strategy"]["matrix"]["agency"] == "${{ fromJSON(needs.agencies.outputs.matrix).agency }}"
    runs = "\n".join(s.get("run", "") for s in agency["steps"])
    assert "validate --agency" in runs and "verify --agency" in runs
    cache = [s for s in agency["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache and cache[0]["with"]["path"] == ".ssjpub-cache/verify"
    # Each agency job renders its pages into its own site cache and uploads it.
    [fill] = [s for s in agency["steps"] if "SSJPUB_CACHE_ONLY" in s.get("run", "")]
    assert "SSJPUB_PAGEFIND=false" in fill["run"] and "$SETTINGS" in fill["run"]
    [upload] = [s for s in agency["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["name"] == "site-cache-${{ matrix.agency }}" and upload["with"]["include-hidden-files"]
    assert agency["steps"].index(upload) > agency["steps"].index(fill)
    assert "agency" in jobs["check-and-build"]["needs"]  # assembles: builds the whole site once
    # ... from the merged caches: downloaded and merged before the preview and the published build.
    steps = jobs["check-and-build"]["steps"]
    [download] = [s for s in steps if s.get("uses", "").startswith("actions/download-artifact@")]
    assert download["with"]["pattern"] == "site-cache-*"
    [merge] = [i for i, s in enumerate(steps) if "ssjpub.site.sitecache merge .ssjpub-cache/site" in s.get("run", "")]
    assert steps.index(download) < merge
    [preview] = [i for i, s in enumerate(steps) if s.get("run") == "make html"]
    [publish] = [i for i, s in enumerate(steps) if "publishconf.py" in s.get("run", "")]
    assert merge < preview and merge < publish
    assert """-e 'SSJPUB_CACHE=".ssjpub-cache/site"'""" in steps[publish]["run"]
    assert jobs["publish"]["needs"] == "check-and-build"


def test_the_scheduled_run_verifies_everything_without_the_cache():
    gh = yaml.safe_load((ROOT / ".github/workflows/verify-full.yml").read_text(encoding="utf-8"))
    assert "schedule" in gh[True] if True in gh else "schedule" in gh["on"]  # PyYAML reads `on` as True
    runs = "\n".join(s.get("run", "") for job in gh["jobs"].values() for s in job["steps"])
    assert "verify --no-cache" in runs and "verify --history" in runs
    gl = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    full = gl["verify-full"]
    assert full["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert "ssjpub verify --no-cache" in "\n".join(full["script"])
    assert gl["agencies"]["artifacts"]["paths"] == ["agencies.yml"]
    assert gl["per-agency"]["trigger"]["include"] == [{"artifact": "agencies.yml", "job": "agencies"}]
