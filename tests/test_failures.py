"""No silent redraws: a draw that fails once its public values exist leaves a public failure record;
a new attempt is a new task (retry_of) declared after that record landed (docs/draw-spec.md §8.1)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ssjpub.draw.history import check_history, read_history
from ssjpub.site.pages import site_pages
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
PLAN = "plans/baofeng/2024/plan.yaml"
VALUES = "plans/baofeng/2024/randomness/2024-01.yaml"
FAILURE = "plans/baofeng/2024/failures/2024-01.json"
RETRY = "2024-01-2"


def git(repo: Path, *args: str, when: str = "2024-01-02T10:00:00+08:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME="测试",
               GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="测试", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, when: str, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when)


def ssjpub(repo: Path, *args: str) -> subprocess.CompletedProcess:
    where = [str(repo)] if args[0] == "validate" else ["--root", str(repo)]  # validate takes a PATH
    return subprocess.run([sys.executable, "-m", "ssjpub", *args, *where], capture_output=True, text=True)


def _task_block(plan: str, task: str) -> str:
    start = plan.index(f"- id: {task}\n")
    end = plan.find("\n- id: ", start + 1)
    return plan[start:] if end < 0 else plan[start:end + 1]


@pytest.fixture
def failed(tmp_path) -> Path:
    """Baofeng 2024 with only 2024-01, asking for groups of 40 (its department has fewer people):
    declared, values committed, then `ssjpub draw` fails."""
    repo = tmp_path / "repo"
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.rmtree(repo / "plans/yanshi")
    shutil.rmtree(repo / "results/yanshi")
    shutil.rmtree(repo / "results/baofeng")
    shutil.rmtree(repo / "plans/baofeng/2024/draws")
    values = (repo / VALUES).read_bytes()
    shutil.rmtree(repo / "plans/baofeng/2024/randomness")
    plan = repo / PLAN
    text = plan.read_text(encoding="utf-8")
    head = text[: text.index("tasks:\n") + len("tasks:\n")]
    block = _task_block(text, "2024-01").replace("  method: 现场检查\n", "  group_size: 40\n  method: 现场检查\n")
    plan.write_text(head + block, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "2024-01-03T10:00:00+08:00", "计划和随机数来源声明")
    (repo / VALUES).parent.mkdir()
    (repo / VALUES).write_bytes(values)
    commit(repo, "2024-01-09T21:45:00+08:00", "开奖号码")
    return repo


def test_a_draw_that_fails_after_the_values_writes_a_public_failure_record(failed):
    out = ssjpub(failed, "draw", "baofeng/2024/2024-01")
    assert out.returncode == 1
    assert "group_size" not in out.stdout or "invalid-value" in out.stdout
    assert "可选检查人员" in out.stdout and f"已写入失败记录 {FAILURE}" in out.stderr and "Traceback" not in out.stderr
    record = json.loads((failed / FAILURE).read_text(encoding="utf-8"))
    assert record["outcome"] == "failed" and record["seed"] and record["parameters"]["group_size"] == 40
    assert [f["code"] for f in record["failure"]] == ["invalid-value"]
    assert not (failed / "plans/baofeng/2024/draws").exists()
    # It validates, re-executes to the same failure, and the same values cannot be drawn again.
    assert ssjpub(failed, "validate").returncode == 0
    verified = ssjpub(failed, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    again = ssjpub(failed, "draw", "baofeng/2024/2024-01")
    assert again.returncode == 1 and "duplicate-id" in again.stdout and "retry_of" in again.stdout


def test_a_failure_record_that_re_execution_does_not_give_fails_verify(failed):
    ssjpub(failed, "draw", "baofeng/2024/2024-01")
    path = failed / FAILURE
    record = json.loads(path.read_text(encoding="utf-8"))
    record["failure"][0]["message"] = "名录中没有人"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    out = ssjpub(failed, "verify")
    assert out.returncode == 1 and out.stdout.startswith(f"{FAILURE}:") and "draw-mismatch" in out.stdout


def _retry(repo: Path, expected_on: str = "2024-01-11") -> None:
    plan = repo / PLAN
    text = plan.read_text(encoding="utf-8")
    block = _task_block(text, "2024-01").replace("- id: 2024-01\n", f"- id: {RETRY}\n")
    block = block.replace("  group_size: 40\n", "").replace("expected_on: 2024-01-09", f"expected_on: {expected_on}")
    block = block.replace("issue: '2024004'", "issue: '2024005'") + f"  retry_of: 2024-01\n"
    plan.write_text(text + block, encoding="utf-8")


def _retry_values(repo: Path) -> None:
    text = (repo / VALUES).read_text(encoding="utf-8").replace("task: 2024-01\n", f"task: {RETRY}\n")
    text = text.replace("announced_on: 2024-01-09", "announced_on: 2024-01-11").replace("- - 2\n", "- - 7\n")
    (repo / f"plans/baofeng/2024/randomness/{RETRY}.yaml").write_text(text, encoding="utf-8")


def test_a_retry_declared_after_the_failure_landed_is_clean_and_both_pages_say_so(failed):
    ssjpub(failed, "draw", "baofeng/2024/2024-01")
    commit(failed, "2024-01-10T09:00:00+08:00", "失败记录")
    _retry(failed)
    commit(failed, "2024-01-10T15:00:00+08:00", "重新声明")
    _retry_values(failed)
    commit(failed, "2024-01-11T21:45:00+08:00", "重新抽取的开奖号码")
    out = ssjpub(failed, "draw", f"baofeng/2024/{RETRY}")
    assert out.returncode == 0, out.stdout + out.stderr
    commit(failed, "2024-01-12T09:00:00+08:00", "重新抽取")
    history = ssjpub(failed, "verify", "--history")
    assert history.returncode == 0, history.stdout + history.stderr
    repo, _ = validate(failed)
    pages = {p.url: p for p in site_pages(repo, history=read_history(repo))}
    failed_page = pages["baofeng/2024/2024-01/"].data
    assert failed_page["failure"]["reasons"] and failed_page["failure"]["retries"][0].url == f"baofeng/2024/{RETRY}/"
    assert [c.status for c in failed_page["claims"]] == ["proven"]
    retry_page = pages[f"baofeng/2024/{RETRY}/"].data
    assert retry_page["retry_of"].url == "baofeng/2024/2024-01/" and retry_page["draw"] is not None
    # Months later, the failed task owes nothing (no results, no merging with its own retry):
    # the retry does.
    later = ssjpub(failed, "check", "--as-of", "2025-03-01")
    failed_lines = [line for line in later.stdout.splitlines() if "任务 2024-01 " in line or "任务 2024-01的" in line]
    assert failed_lines == [], later.stdout
    assert "tasks-not-merged" not in later.stdout and f"任务 {RETRY}" in later.stdout  # its results are late


def test_a_retry_declared_before_the_failure_was_public_is_refused(failed):
    ssjpub(failed, "draw", "baofeng/2024/2024-01")
    _retry(failed)  # declared in the same commit as the failure record: not after it
    commit(failed, "2024-01-10T09:00:00+08:00", "失败记录和重新声明")
    _retry_values(failed)
    commit(failed, "2024-01-11T21:45:00+08:00", "重新抽取的开奖号码")
    assert ssjpub(failed, "draw", f"baofeng/2024/{RETRY}").returncode == 0
    commit(failed, "2024-01-12T09:00:00+08:00", "重新抽取")
    repo, _ = validate(failed)
    problems = [p for p in check_history(repo) if p.severity.value == "error"]  # not timestamp-missing
    assert [(p.code, p.file) for p in problems] == [("history-order", PLAN)]
    assert "失败记录" in problems[0].message


def test_a_retry_needs_a_failure_record(failed):
    _retry(failed)
    out = ssjpub(failed, "validate")
    assert out.returncode == 1 and "invalid-value" in out.stdout and "没有失败记录" in out.stdout


def test_a_published_failure_record_may_not_be_deleted_or_changed(failed):
    ssjpub(failed, "draw", "baofeng/2024/2024-01")
    commit(failed, "2024-01-10T09:00:00+08:00", "失败记录")
    (failed / FAILURE).unlink()
    commit(failed, "2023-12-30T09:00:00+08:00", "倒签日期删除失败记录")
    repo, _ = validate(failed)
    problems = [p for p in check_history(repo) if p.severity.value == "error"]  # not timestamp-missing
    assert [(p.code, p.file) for p in problems] == [("published-changed", FAILURE)]
    # `ssjpub check` says so too, and (judged as of a later day: the back-dated commit's own date
    # would say "not due yet") that the values now have neither record nor failure.
    out = ssjpub(failed, "check", "--as-of", "2024-02-01")
    assert out.returncode == 1 and f"{FAILURE}:1:1: published-changed" in out.stdout
    assert f"{VALUES}:" in out.stdout and "draw-missing" in out.stdout


def test_a_failure_made_by_editing_the_task_after_the_values_is_refused(failed):
    """The bureau sees the numbers, dislikes the draw they give, makes the task impossible and
    publishes a "failure" to earn a new declaration: the failure's task was not the declared one."""
    plan = failed / PLAN
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("  group_size: 40\n", ""), encoding="utf-8")  # what was declared
    shutil.rmtree(failed / ".git")
    git(failed, "init", "-q", "-b", "main")
    (failed / VALUES).rename(failed.parent / "held.yaml")
    commit(failed, "2024-01-03T10:00:00+08:00", "计划和随机数来源声明（每组 2 人）")
    (failed.parent / "held.yaml").rename(failed / VALUES)
    commit(failed, "2024-01-09T21:45:00+08:00", "开奖号码")
    plan.write_text(text, encoding="utf-8")  # group_size: 40 after the numbers
    assert "group_size: 40" in text
    assert ssjpub(failed, "draw", "baofeng/2024/2024-01").returncode == 1
    commit(failed, "2024-01-10T09:00:00+08:00", "改任务，写失败记录")
    repo, _ = validate(failed)
    problems = [p for p in check_history(repo) if p.severity.value == "error"]
    assert ("history-order", VALUES) in {(p.code, p.file) for p in problems}
    assert any("随机数来源声明" in p.message for p in problems)
    pages = {p.url: p for p in site_pages(repo, history=read_history(repo))}
    assert [c.status for c in pages["baofeng/2024/2024-01/"].data["claims"]] == ["refuted"]


def test_draw_will_not_remake_a_published_record_that_was_deleted(failed):
    assert ssjpub(failed, "draw", "baofeng/2024/2024-01").returncode == 1  # the failure record
    commit(failed, "2024-01-10T09:00:00+08:00", "失败记录")
    git(failed, "rm", "-q", FAILURE)
    out = ssjpub(failed, "draw", "baofeng/2024/2024-01")
    assert out.returncode == 1 and out.stdout.startswith(f"{FAILURE}:1:1: published-changed")
    assert "git checkout" in out.stdout and not (failed / FAILURE).exists()
