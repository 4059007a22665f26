"""`ssjpub verify --history` on real temporary git repositories with chosen commit dates."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ssjpub.draw.history import check_history
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
DRAW = "plans/baofeng/2024/draws/2024-01"
VALUES = "plans/baofeng/2024/randomness/2024-01.yaml"  # the demo declares it for 2024-01-08


def git(repo: Path, *args: str, when: str = "2024-01-02T10:00:00+08:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME="测试",
               GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="测试", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, when: str, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when)


@pytest.fixture
def staged(tmp_path) -> Path:
    """Baofeng's inputs first, then the public values, then the draw: the order a bureau follows."""
    repo = tmp_path / "repo"
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.rmtree(repo / "plans/yanshi")
    shutil.rmtree(repo / "results/yanshi")
    held = tmp_path / "held"
    shutil.move(repo / "plans/baofeng/2024/randomness", held / "randomness")
    shutil.move(repo / "plans/baofeng/2024/draws", held / "draws")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "2024-01-02T10:00:00+08:00", "计划、名录和随机数来源声明")
    (repo / "plans/baofeng/2024/randomness").mkdir()
    shutil.copy(held / "randomness/2024-01.yaml", repo / VALUES)
    commit(repo, "2024-01-08T21:30:00+08:00", "开奖号码")
    (repo / "plans/baofeng/2024/draws").mkdir()
    for suffix in (".json", ".yaml"):
        shutil.copy(held / f"draws/2024-01{suffix}", repo / f"{DRAW}{suffix}")
    commit(repo, "2024-01-09T09:00:00+08:00", "抽取")
    return repo


def history(repo: Path):
    repository, problems = validate(repo)
    assert [p for p in problems if p.severity.value == "error"] == []
    return check_history(repository)


def test_inputs_then_values_then_draw_is_clean(staged):
    assert history(staged) == []


def test_values_committed_with_the_declaration_are_refused(tmp_path):
    repo = tmp_path / "repo"
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.rmtree(repo / "plans/yanshi")
    shutil.rmtree(repo / "results/yanshi")
    for extra in ("2024-02", "2024-03", "2024-04", "2024-05", "2024-07"):
        for suffix in (".json", ".yaml"):
            (repo / f"plans/baofeng/2024/draws/{extra}{suffix}").unlink()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "2024-01-02T10:00:00+08:00", "一次提交全部")
    problems = history(repo)
    assert {(p.code, p.file) for p in problems} == {("history-order", VALUES)}
    messages = " ".join(p.message for p in problems)
    assert "名录快照" in messages and "随机数来源声明" in messages and "执法人员名录" in messages


def test_a_declaration_made_on_or_after_the_draw_date_is_refused(tmp_path, staged):
    late = tmp_path / "late"
    subprocess.run(["git", "clone", "-q", str(staged), str(late)], check=True)
    git(late, "reset", "-q", "--hard", "HEAD~2")
    plan = late / "plans/baofeng/2024/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("expected_on: 2024-01-08", "expected_on: 2024-01-09", 1), encoding="utf-8")
    commit(late, "2024-01-05T10:00:00+08:00", "改了开奖日期")
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("expected_on: 2024-01-09", "expected_on: 2024-01-08", 1), encoding="utf-8")
    commit(late, "2024-01-08T22:00:00+08:00", "开奖当晚改回")  # the declaration the record uses
    (late / "plans/baofeng/2024/randomness").mkdir()
    shutil.copy(staged / VALUES, late / VALUES)
    commit(late, "2024-01-08T23:00:00+08:00", "开奖号码")
    (late / "plans/baofeng/2024/draws").mkdir()
    for suffix in (".json", ".yaml"):
        shutil.copy(staged / f"{DRAW}{suffix}", late / f"{DRAW}{suffix}")
    commit(late, "2024-01-09T09:00:00+08:00", "抽取")
    problems = history(late)
    assert [p.code for p in problems] == ["history-order"]
    assert problems[0].file == "plans/baofeng/2024/plan.yaml" and "不早于开奖" in problems[0].message


@pytest.mark.parametrize("path", [f"{DRAW}.yaml", VALUES, "plans/baofeng/targets/2024-01-05.csv"])
def test_a_published_draw_or_its_inputs_never_change(staged, path):
    target = staged / path
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    commit(staged, "2024-02-01T10:00:00+08:00", "事后修改")
    target.write_text(target.read_text(encoding="utf-8")[:-1], encoding="utf-8")
    commit(staged, "2024-02-02T10:00:00+08:00", "又改回去：历史里仍看得见")
    problems = history(staged)
    assert [(p.code, p.file) for p in problems] == [("published-changed", path)]


def test_plan_edits_elsewhere_are_fine_but_not_to_the_drawn_task(staged):
    plan = staged / "plans/baofeng/2024/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    at = text.index("id: 2024-05")
    plan.write_text(text[:at] + text[at:].replace("ratio: 30%", "ratio: 40%", 1), encoding="utf-8")
    commit(staged, "2024-03-01T10:00:00+08:00", "调整另一任务")
    assert history(staged) == []
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("ratio: 20%", "ratio: 25%", 1), encoding="utf-8")
    commit(staged, "2024-03-02T10:00:00+08:00", "改已抽取任务的比例")
    repository, _ = validate(staged)
    problems = check_history(repository)
    assert [p.code for p in problems] == ["published-changed"] and "2024-01" in problems[0].message


def test_a_shallow_clone_is_told_to_fetch_history(tmp_path, staged):
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{staged}", str(shallow)], check=True)
    problems = history(shallow)
    assert [p.code for p in problems] == ["shallow-clone"] and "fetch --unshallow" in problems[0].message


def test_the_roster_may_not_be_tuned_after_the_randomness(tmp_path, staged):
    """Groups depend on the roster: it must be the one committed before the public values."""
    tuned = tmp_path / "tuned"
    subprocess.run(["git", "clone", "-q", str(staged), str(tuned)], check=True)
    git(tuned, "reset", "-q", "--hard", "HEAD~2")
    roster = tuned / "plans/baofeng/inspectors.yaml"
    original = roster.read_text(encoding="utf-8")
    roster.write_text(original.replace("- id: BA002\n", "- id: BA002\n  active: false\n"), encoding="utf-8")
    commit(tuned, "2024-01-05T10:00:00+08:00", "名录")
    (tuned / "plans/baofeng/2024/randomness").mkdir()
    shutil.copy(staged / VALUES, tuned / VALUES)
    commit(tuned, "2024-01-08T21:30:00+08:00", "开奖号码")
    roster.write_text(original, encoding="utf-8")
    (tuned / "plans/baofeng/2024/draws").mkdir()
    for suffix in (".json", ".yaml"):
        shutil.copy(staged / f"{DRAW}{suffix}", tuned / f"{DRAW}{suffix}")
    commit(tuned, "2024-01-09T09:00:00+08:00", "开奖后改名录再抽取")
    problems = history(tuned)
    assert [p.code for p in problems] == ["history-order"] and "执法人员名录" in problems[0].message


def test_records_must_be_committed_in_plan_order(tmp_path, staged):
    """2024-02 committed before 2024-01 would mean 2024-01's re-execution counts a later draw."""
    swapped = tmp_path / "swapped"
    for name in ("plans", "results"):
        shutil.copytree(staged / name, swapped / name)
    shutil.rmtree(swapped / "plans/baofeng/2024/draws")
    shutil.rmtree(swapped / "plans/baofeng/2024/randomness")
    git(swapped, "init", "-q", "-b", "main")
    commit(swapped, "2024-01-02T10:00:00+08:00", "计划")
    (swapped / "plans/baofeng/2024/randomness").mkdir()
    for task in ("2024-01", "2024-02"):
        shutil.copy(ROOT / f"plans/baofeng/2024/randomness/{task}.yaml", swapped / f"plans/baofeng/2024/randomness/{task}.yaml")
    commit(swapped, "2024-03-30T10:00:00+08:00", "两次开奖")
    (swapped / "plans/baofeng/2024/draws").mkdir()
    for task, when in (("2024-02", "2024-03-31T10:00:00+08:00"), ("2024-01", "2024-04-01T10:00:00+08:00")):
        for suffix in (".json", ".yaml"):
            shutil.copy(ROOT / f"plans/baofeng/2024/draws/{task}{suffix}", swapped / f"plans/baofeng/2024/draws/{task}{suffix}")
        commit(swapped, when, f"抽取 {task}")
    problems = [p for p in history(swapped) if "按年度计划中的任务顺序" in p.message]
    assert [(p.code, p.file) for p in problems] == [("history-order", "plans/baofeng/2024/draws/2024-01.json")]
