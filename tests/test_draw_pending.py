"""`ssjpub draw --pending`: CI draws every task whose public randomness is committed and whose
record is missing, in plan order, byte for byte what `ssjpub draw TASK` writes; a later task waits
while an earlier random task of the agency is not drawn yet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
DRAWS = "plans/baofeng/2024/draws"


@pytest.fixture
def demo(tmp_path) -> Path:
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def _remove_records(root: Path, *tasks: str) -> dict[str, bytes]:
    kept = {}
    for task in tasks:
        for suffix in (".json", ".yaml"):
            path = root / DRAWS / f"{task}{suffix}"
            kept[path.name] = path.read_bytes()
            path.unlink()
    return kept


def test_pending_draws_every_ready_task_in_plan_order_byte_for_byte(demo):
    before = _remove_records(demo, "2024-05", "2024-07")
    result = run_cli("draw", "--pending", "--root", demo)
    assert result.exit_code == 0, result.output
    assert result.stderr.index("baofeng/2024/2024-05") < result.stderr.index("baofeng/2024/2024-07")
    assert "已处理 2 个待抽取的任务" in result.stderr
    for name, data in before.items():
        assert (demo / DRAWS / name).read_bytes() == data, name
    again = run_cli("draw", "--pending", "--root", demo)
    assert again.exit_code == 0 and "没有待抽取的任务" in again.stderr
    assert run_cli("verify", "--root", demo).exit_code == 0


def test_a_later_task_waits_for_an_earlier_one_without_randomness(demo):
    _remove_records(demo, "2024-05", "2024-07")
    (demo / "plans/baofeng/2024/randomness/2024-05.yaml").unlink()
    result = run_cli("draw", "--pending", "--root", demo)
    assert result.exit_code == 0, result.output
    assert "等待：baofeng/2024/2024-07" in result.stderr and "2024/2024-05 还没有抽取" in result.stderr
    assert not (demo / DRAWS / "2024-07.json").exists()
    assert "没有待抽取的任务" in result.stderr


def test_pending_and_a_task_are_exclusive(demo):
    for args in ((), ("baofeng/2024/2024-01", "--pending")):
        result = run_cli("draw", *args, "--root", demo)
        assert result.exit_code == 2 and "二者选一" in result.stderr


# --- the CI job, run for real: its steps' scripts in a temporary clone, pushing to a local bare
# origin, opening the pull request on a local HTTP server that stands in for the GitHub API -------

import http.server
import json
import os
import subprocess
import sys
import threading

import yaml


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _pulls_server(received: list):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((self.path, self.headers.get("Authorization"),
                             json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(201)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_github_draw_job_proposes_the_records_on_a_new_branch(demo, tmp_path):
    job = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))["jobs"]["draw"]
    assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    _remove_records(demo, "2024-07")
    origin = tmp_path / "origin.git"
    # Inputs first, then the randomness (and the earlier records): `verify` checks the roster in the
    # commit before the randomness.
    _git(demo, "init", "-q", "-b", "main")
    _git(demo, "add", "-A", "--", ".", ":(exclude,glob)plans/*/*/randomness/**", ":(exclude,glob)plans/*/*/draws/**",
         ":(exclude,glob)plans/*/*/failures/**")
    _git(demo, "-c", "user.name=t", "-c", "user.email=t@invalid", "commit", "-qm", "inputs")
    _git(demo, "add", "-A")
    _git(demo, "-c", "user.name=t", "-c", "user.email=t@invalid", "commit", "-qm", "randomness of 2024-07")
    _git(tmp_path, "clone", "-q", "--bare", str(demo), str(origin))
    _git(demo, "remote", "add", "origin", str(origin))
    sha = _git(demo, "rev-parse", "HEAD").strip()
    received: list = []
    server = _pulls_server(received)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "GITHUB_SHA": sha, "GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_REPOSITORY": "bureau/site",
           "GITHUB_API_URL": f"http://127.0.0.1:{server.server_address[1]}", "GH_TOKEN": "t0ken"}
    try:
        for step in job["steps"][3:-1]:  # after checkout, safe.directory and the install
            script = step["run"].replace(".venv/bin/", f"{bin_dir}/")
            done = subprocess.run(["bash", "-e", "-c", script], cwd=demo, env={**env, **step.get("env", {}), "GH_TOKEN": "t0ken"},
                                  capture_output=True, text=True)
            assert done.returncode == 0, (step["name"], done.stdout, done.stderr)
    finally:
        server.shutdown()
    assert (tmp_path / "out").read_text() == "rc=0\n"
    branch = f"ssjpub-draw/{sha[:10]}"
    assert _git(origin, "rev-parse", "main").strip() == sha  # main untouched
    changed = _git(origin, "diff", "--name-only", "main", branch).split()
    assert changed == [f"{DRAWS}/2024-07.json", f"{DRAWS}/2024-07.yaml"]
    assert _git(origin, "show", f"{branch}:{DRAWS}/2024-07.json") == (ROOT / DRAWS / "2024-07.json").read_text(encoding="utf-8")
    [(path, auth, body)] = received
    assert path == "/repos/bureau/site/pulls" and auth == "Bearer t0ken"
    assert body["head"] == branch and body["base"] == "main" and "抽取记录" in body["title"]


def test_the_gitlab_draw_job_runs_pending_and_pushes_a_merge_request_branch():
    job = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))["draw"]
    assert job["rules"] == [{"if": '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"'}]
    script = "\n".join(job["script"])
    assert "ssjpub draw --pending" in script and "ssjpub verify" in script
    assert "-o merge_request.create" in script and 'HEAD:refs/heads/${branch}' in script
    assert "HEAD:${CI_DEFAULT_BRANCH}" not in script
