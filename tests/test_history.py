"""`ssjpub verify --history` on real temporary git repositories with chosen commit dates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ssjpub.draw.history import check_history
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
DRAW = "plans/baofeng/2024/draws/2024-01"
VALUES = "plans/baofeng/2024/randomness/2024-01.yaml"  # the demo declares it for 2024-01-09


def git(repo: Path, *args: str, when: str = "2024-01-02T10:00:00+08:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME="测试",
               GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="测试", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout


def baofeng_only(repo: Path) -> None:
    """The demo's baofeng data in `repo`, without its TSA: these tests are about the commit graph,
    and a drawn task without a token would add a timestamp-missing warning (tests/test_timestamp.py)."""
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, repo / name)
        shutil.rmtree(repo / name / "yanshi")
    agency = repo / "plans/baofeng/agency.yaml"
    text = agency.read_text(encoding="utf-8")
    agency.write_text(text[: text.index("timestamp:\n")], encoding="utf-8")
    shutil.rmtree(repo / "plans/baofeng/tsa")


def commit(repo: Path, when: str, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when)


@pytest.fixture
def staged(tmp_path) -> Path:
    """Baofeng's inputs first, then the public values, then the draw: the order a bureau follows."""
    repo = tmp_path / "repo"
    baofeng_only(repo)
    held = tmp_path / "held"
    shutil.move(repo / "plans/baofeng/2024/randomness", held / "randomness")
    shutil.move(repo / "plans/baofeng/2024/draws", held / "draws")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "2024-01-02T10:00:00+08:00", "计划、名录和随机数来源声明")
    (repo / "plans/baofeng/2024/randomness").mkdir()
    shutil.copy(held / "randomness/2024-01.yaml", repo / VALUES)
    commit(repo, "2024-01-09T21:30:00+08:00", "开奖号码")
    (repo / "plans/baofeng/2024/draws").mkdir()
    for suffix in (".json", ".yaml"):
        shutil.copy(held / f"draws/2024-01{suffix}", repo / f"{DRAW}{suffix}")
    commit(repo, "2024-01-10T09:00:00+08:00", "抽取")
    return repo


def history(repo: Path):
    repository, problems = validate(repo)
    assert [p for p in problems if p.severity.value == "error"] == []
    return check_history(repository)


def test_inputs_then_values_then_draw_is_clean(staged):
    assert history(staged) == []


def test_values_committed_with_the_declaration_are_refused(tmp_path):
    repo = tmp_path / "repo"
    baofeng_only(repo)
    for extra in ("2024-02", "2024-03", "2024-04", "2024-05", "2024-07"):
        for suffix in (".json", ".yaml"):
            (repo / f"plans/baofeng/2024/draws/{extra}{suffix}").unlink()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "2024-01-02T10:00:00+08:00", "一次提交全部")
    problems = history(repo)
    early = {("values-before-draw", f"plans/baofeng/2024/randomness/{t}.yaml")
             for t in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-07")}  # dated 2024-01-02
    assert {(p.code, p.file) for p in problems} == {("history-order", VALUES), ("roster-changed", f"{DRAW}.json")} | early
    messages = " ".join(p.message for p in problems)
    assert "名录快照" in messages and "随机数来源声明" in messages and "执法人员名录" in messages


def test_a_declaration_made_on_or_after_the_draw_date_is_refused(tmp_path, staged):
    late = tmp_path / "late"
    subprocess.run(["git", "clone", "-q", str(staged), str(late)], check=True)
    git(late, "reset", "-q", "--hard", "HEAD~2")
    plan = late / "plans/baofeng/2024/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("expected_on: 2024-01-09", "expected_on: 2024-01-10", 1), encoding="utf-8")
    commit(late, "2024-01-05T10:00:00+08:00", "改了开奖日期")
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("expected_on: 2024-01-10", "expected_on: 2024-01-09", 1), encoding="utf-8")
    commit(late, "2024-01-09T22:00:00+08:00", "开奖当晚改回")  # the declaration the record uses
    (late / "plans/baofeng/2024/randomness").mkdir()
    shutil.copy(staged / VALUES, late / VALUES)
    commit(late, "2024-01-09T23:00:00+08:00", "开奖号码")
    (late / "plans/baofeng/2024/draws").mkdir()
    for suffix in (".json", ".yaml"):
        shutil.copy(staged / f"{DRAW}{suffix}", late / f"{DRAW}{suffix}")
    commit(late, "2024-01-10T09:00:00+08:00", "抽取")
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
    commit(tuned, "2024-01-09T21:30:00+08:00", "开奖号码")
    roster.write_text(original, encoding="utf-8")
    (tuned / "plans/baofeng/2024/draws").mkdir()
    for suffix in (".json", ".yaml"):
        shutil.copy(staged / f"{DRAW}{suffix}", tuned / f"{DRAW}{suffix}")
    commit(tuned, "2024-01-10T09:00:00+08:00", "开奖后改名录再抽取")
    problems = history(tuned)
    assert [p.code for p in problems] == ["roster-changed"] and "执法人员名录" in problems[0].message


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


# --- the commit graph decides, never the dates ---------------------------------------------------

def _bare_inputs(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """Baofeng's inputs (no values, no draws) in a new repository not yet committed, and the held files."""
    repo = tmp_path / name
    baofeng_only(repo)
    held = tmp_path / f"{name}-held"
    shutil.move(repo / "plans/baofeng/2024/randomness", held / "randomness")
    shutil.move(repo / "plans/baofeng/2024/draws", held / "draws")
    for extra in ("2024-02", "2024-03", "2024-04", "2024-05", "2024-07"):
        for suffix in (".json", ".yaml"):
            (held / f"draws/{extra}{suffix}").unlink()
    git(repo, "init", "-q", "-b", "main")
    return repo, held


def _add_values(repo: Path, held: Path) -> None:
    (repo / "plans/baofeng/2024/randomness").mkdir(exist_ok=True)
    shutil.copy(held / "randomness/2024-01.yaml", repo / VALUES)


def _add_draw(repo: Path, held: Path) -> None:
    (repo / "plans/baofeng/2024/draws").mkdir(exist_ok=True)
    for suffix in (".json", ".yaml"):
        shutil.copy(held / f"draws/2024-01{suffix}", repo / f"{DRAW}{suffix}")


def _sha(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev).strip()


@pytest.mark.parametrize("forged", [False, True], ids=["honest-dates", "back-dated-inputs"])
def test_values_committed_before_the_inputs_are_refused_whatever_the_dates(tmp_path, forged):
    repo, held = _bare_inputs(tmp_path, "repo")
    plan = repo / "plans/baofeng/2024/plan.yaml"
    final = plan.read_text(encoding="utf-8")
    plan.write_text(final.replace("expected_on: 2024-01-09", "expected_on: 2024-01-15", 1), encoding="utf-8")
    commit(repo, "2024-01-02T10:00:00+08:00", "名录和一份不同的计划")
    _add_values(repo, held)
    commit(repo, "2024-01-09T21:30:00+08:00", "开奖号码")
    values_commit = _sha(repo)
    plan.write_text(final, encoding="utf-8")  # the declaration the record uses, after the values
    commit(repo, "2024-01-03T10:00:00+08:00" if forged else "2024-01-10T08:00:00+08:00", "开奖后改计划")
    _add_draw(repo, held)
    commit(repo, "2024-01-10T09:00:00+08:00", "抽取")
    problems = history(repo)
    order = [p for p in problems if p.code == "history-order"]
    assert [p.file for p in order] == [VALUES]
    assert values_commit[:10] in order[0].message and "随机数来源声明" in order[0].message
    # the record matches the final plan, so the late declaration is the only finding
    assert [p for p in problems if p.code != "history-order"] == []


def test_a_back_dated_change_of_a_published_record_is_caught(staged):
    record = staged / f"{DRAW}.json"
    record.write_text(record.read_text(encoding="utf-8").replace('"rows": 2600', '"rows": 2601'), encoding="utf-8")
    commit(staged, "2023-12-01T10:00:00+08:00", "倒签日期改记录")
    change = _sha(staged)
    problems = history(staged)
    assert [(p.code, p.file) for p in problems] == [("published-changed", f"{DRAW}.json")]
    assert change[:10] in problems[0].message


@pytest.mark.parametrize("what", ["record", "values", "both"])
def test_deleting_a_published_record_or_its_values_is_caught(staged, what):
    paths = {"record": [f"{DRAW}.json", f"{DRAW}.yaml"], "values": [VALUES],
             "both": [f"{DRAW}.json", f"{DRAW}.yaml", VALUES]}[what]
    for rel in paths:
        (staged / rel).unlink()
    commit(staged, "2023-12-01T10:00:00+08:00", "倒签日期删除")
    gone = _sha(staged)
    repository, _ = validate(staged)
    problems = check_history(repository)
    assert {p.file for p in problems if p.code == "published-changed"} == set(paths)
    assert all(gone[:10] in p.message for p in problems if p.code == "published-changed")


@pytest.mark.parametrize("style", ["merge-commit", "squash", "rebase"])
def test_pull_requests_merged_any_way_are_clean(tmp_path, style):
    repo, held = _bare_inputs(tmp_path, "repo")
    commit(repo, "2024-01-02T10:00:00+08:00", "计划、名录和随机数来源声明")
    for branch, when, message, change in (
        ("values", "2024-01-09T21:30:00+08:00", "开奖号码", lambda: _add_values(repo, held)),
        ("draw", "2024-01-10T09:00:00+08:00", "抽取", lambda: _add_draw(repo, held)),
    ):
        (repo / "README.md").write_text(f"{branch} on main meanwhile\n", encoding="utf-8")
        commit(repo, when, "主分支上的其他修改")  # main moves on while the branch is reviewed
        git(repo, "checkout", "-q", "HEAD~1")
        git(repo, "checkout", "-q", "-b", branch)
        change()
        commit(repo, when, message)
        git(repo, "checkout", "-q", "main")
        if style == "merge-commit":
            git(repo, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch, when=when)
        elif style == "squash":
            git(repo, "merge", "-q", "--squash", branch, when=when)
            git(repo, "commit", "-q", "-m", f"{message} (#1)", when=when)
        else:
            git(repo, "rebase", "-q", "main", branch, when=when)
            git(repo, "checkout", "-q", "main")
            git(repo, "merge", "-q", "--ff-only", branch, when=when)
    assert history(repo) == []


def test_values_made_on_a_branch_that_does_not_descend_from_the_declaration_are_refused(tmp_path):
    """The branch with the values was forked before the declaration landed: its commit cannot
    have been made after the declaration, even though the merge was."""
    repo, held = _bare_inputs(tmp_path, "repo")
    plan = repo / "plans/baofeng/2024/plan.yaml"
    final = plan.read_text(encoding="utf-8")
    plan.write_text(final.replace("expected_on: 2024-01-09", "expected_on: 2024-01-15", 1), encoding="utf-8")
    commit(repo, "2024-01-02T10:00:00+08:00", "名录和草拟的计划")
    git(repo, "checkout", "-q", "-b", "values")
    _add_values(repo, held)
    commit(repo, "2024-01-09T21:30:00+08:00", "开奖号码")
    side = _sha(repo)
    git(repo, "checkout", "-q", "main")
    plan.write_text(final, encoding="utf-8")
    commit(repo, "2024-01-03T10:00:00+08:00", "随机数来源声明")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge values", "values", when="2024-01-09T22:00:00+08:00")
    _add_draw(repo, held)
    commit(repo, "2024-01-10T09:00:00+08:00", "抽取")
    problems = history(repo)
    assert [(p.code, p.file) for p in problems] == [("history-order", VALUES)]
    assert side[:10] in problems[0].message


def test_records_landed_in_plan_order_with_dates_reversed_are_clean(tmp_path):
    """A staff clone whose later draw carries an earlier date: order follows the graph."""
    repo = tmp_path / "repo"
    baofeng_only(repo)
    for folder in ("draws", "randomness"):
        shutil.rmtree(repo / f"plans/baofeng/2024/{folder}")
        (repo / f"plans/baofeng/2024/{folder}").mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "2024-01-02T10:00:00+08:00", "计划")
    for task, when in (("2024-01", "2024-04-01T10:00:00+08:00"), ("2024-02", "2024-03-01T10:00:00+08:00")):
        shutil.copy(ROOT / f"plans/baofeng/2024/randomness/{task}.yaml", repo / f"plans/baofeng/2024/randomness/{task}.yaml")
        commit(repo, when, f"开奖 {task}")
        for suffix in (".json", ".yaml"):
            shutil.copy(ROOT / f"plans/baofeng/2024/draws/{task}{suffix}", repo / f"plans/baofeng/2024/draws/{task}{suffix}")
        commit(repo, when, f"抽取 {task}")
    assert [p for p in history(repo) if "任务顺序" in p.message] == []


# --- plain verify checks the record's roster facts against the roster before the values ---------

def _verify(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssjpub", "verify", "--root", str(root), *args],
                          capture_output=True, text=True)


def _forge(repo: Path, change) -> None:
    """Rewrite the 2024-01 record as a forger would: the pinned roster changed, then re-drawn
    from it so that re-execution agrees with the record."""
    import json

    from ssjpub.draw.engine import execute
    from ssjpub.draw.record import write_record

    record = json.loads((repo / f"{DRAW}.json").read_text(encoding="utf-8"))
    roster = record["inspectors"]
    change(roster["pool"])
    repository, _ = validate(repo)
    forged = execute(repository, "baofeng", 2024, "2024-01", roster=roster)
    for suffix in (".json", ".yaml"):
        (repo / f"{DRAW}{suffix}").unlink()
    write_record(repo, forged)


def _rename(pool):
    pool[0]["name"] = "王示例"


def _conflict(pool):
    pool[3]["conflicts"] = sorted(pool[3]["conflicts"] + ["91410421DEM0002JTM"])


@pytest.mark.parametrize("change", [_rename, _conflict], ids=["forged-name", "invented-conflict"])
def test_plain_verify_catches_a_forged_roster_in_a_record(staged, change):
    assert _verify(staged).returncode == 0
    _forge(staged, change)
    commit(staged, "2024-01-10T09:30:00+08:00", "改写抽取记录中的人员信息")
    out = _verify(staged)
    assert out.returncode == 1, out.stderr
    assert [line.split(": ")[1].split()[0] for line in out.stdout.splitlines()] == ["roster-changed"]
    assert out.stdout.startswith(f"{DRAW}.json:1:1: roster-changed")


def test_plain_verify_without_history_says_the_roster_was_not_checked(staged, tmp_path):
    bare = tmp_path / "bare"
    for name in ("plans", "results"):
        shutil.copytree(staged / name, bare / name)
    out = _verify(bare)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "未与随机数之前提交的名录核对" in out.stderr and "没有可读的 git 提交历史" in out.stderr


def _values_at(tmp_path: Path, when: str) -> Path:
    """Baofeng's inputs, then its public values committed at `when`, then the draw the next day."""
    repo = tmp_path / "early"
    baofeng_only(repo)
    held = tmp_path / "held-early"
    shutil.move(repo / "plans/baofeng/2024/randomness", held / "randomness")
    shutil.move(repo / "plans/baofeng/2024/draws", held / "draws")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "2024-01-02T10:00:00+08:00", "计划、名录和随机数来源声明")
    (repo / "plans/baofeng/2024/randomness").mkdir()
    shutil.copy(held / "randomness/2024-01.yaml", repo / VALUES)
    commit(repo, when, "开奖号码")
    (repo / "plans/baofeng/2024/draws").mkdir()
    for suffix in (".json", ".yaml"):
        shutil.copy(held / f"draws/2024-01{suffix}", repo / f"{DRAW}{suffix}")
    commit(repo, "2024-01-10T09:00:00+08:00", "抽取")
    return repo


@pytest.mark.parametrize("when", ["2024-01-08T21:30:00+08:00", "2024-01-09T20:59:00+08:00"])
def test_numbers_committed_before_their_lottery_are_refused(tmp_path, when):
    """The demo declares 双色球 2024004 for 2024-01-09, drawn at 21:15: numbers committed the day
    before, or that evening before the draw, cannot be its result."""
    repo = _values_at(tmp_path, when)
    out = _verify(repo, "--history")
    assert out.returncode == 1
    text = (repo / VALUES).read_text(encoding="utf-8")
    line = text[: text.index("announced_on:")].count("\n") + 1
    assert f"{VALUES}:{line}:15: values-before-draw " in out.stdout, out.stdout  # at the date
    problems = history(repo)
    assert [p.code for p in problems] == ["values-before-draw"]
    assert "双色球第 2024004 期的开奖时间 2024-01-09 21:15" in problems[0].message
    assert "不是所声明的那一次开奖" in problems[0].message


def test_numbers_committed_after_the_draw_time_that_evening_are_clean(tmp_path):
    assert history(_values_at(tmp_path, "2024-01-09T21:16:00+08:00")) == []


def _ceremony_then_lottery(tmp_path, at: str) -> list:
    """The demo's 2024-02 declares a ceremony on 2024-03-25 and the next evening's 双色球; its
    values committed at `at`."""
    repo = tmp_path / "ceremony"
    baofeng_only(repo)
    values = "plans/baofeng/2024/randomness/2024-02.yaml"
    git(repo, "init", "-q", "-b", "main")
    held = (repo / values).read_bytes()
    shutil.rmtree(repo / "plans/baofeng/2024/randomness")
    commit(repo, "2024-01-02T10:00:00+08:00", "计划和声明")
    (repo / values).parent.mkdir()
    (repo / values).write_bytes(held)
    commit(repo, at, "摇号数字和开奖号码")
    repository, _ = validate(repo)
    return [p for p in check_history(repository) if p.code == "values-before-draw"]


def test_ceremony_digits_committed_before_the_ceremony_day_are_refused(tmp_path):
    """A 公开摇号 cannot be checked against a draw time: the day's start is the bound."""
    problems = _ceremony_then_lottery(tmp_path, "2024-03-24T23:59:00+08:00")
    assert [p.file for p in problems] == ["plans/baofeng/2024/randomness/2024-02.yaml"] * 2
    assert "公开摇号日期 2024-03-25 的开始" in problems[0].message and "双色球" in problems[1].message


def test_combined_values_committed_after_the_ceremony_but_before_the_lottery_are_refused(tmp_path):
    """Each source is its own bound: the ceremony was held the day before, the lottery not yet drawn."""
    problems = _ceremony_then_lottery(tmp_path, "2024-03-26T12:00:00+08:00")
    assert len(problems) == 1 and "双色球" in problems[0].message and "21:15" in problems[0].message
    assert _ceremony_then_lottery(tmp_path / "after", "2024-03-26T21:30:00+08:00") == []
