"""The demo replayed commit by commit (`make demo-history`): its history proves every draw's order."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ssjpub.demo.replay import ReplayError, events, plan_text, replay
from ssjpub.draw.history import check_history
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("replay") / "demo"
    replay(ROOT, dest)
    return dest


def test_the_replayed_demo_passes_verify_history_with_no_finding(replayed):
    out = subprocess.run([sys.executable, "-m", "ssjpub", "verify", "--history", "--root", str(replayed)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout == "" and "未发现问题" in out.stderr


def test_the_replay_ends_with_the_demo_exactly(replayed):
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True).stdout.split()
    for rel in tracked:
        if (ROOT / rel).is_file():
            assert (replayed / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    status = subprocess.run(["git", "-C", str(replayed), "status", "--porcelain"], capture_output=True, text=True).stdout
    assert status == ""


def test_the_replay_follows_the_documented_order(replayed):
    log = subprocess.run(["git", "-C", str(replayed), "log", "--reverse", "--format=%s"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert log[0].startswith("建立公示仓库")
    for task in ("2024-01", "2023-03"):
        values = next(i for i, s in enumerate(log) if f"任务 {task} 的公开随机数" in s)
        draw = next(i for i, s in enumerate(log) if f"任务 {task} 的抽取记录" in s)
        results = next(i for i, s in enumerate(log) if f"任务 {task} 的检查结果" in s)
        declared = max(i for i, s in enumerate(log[:values]) if "计划" in s)
        assert declared < values < draw < results


def test_every_replayed_declaration_and_values_commit_validates(replayed, tmp_path):
    """A bureau following this order never has a red pull request on the way: the commits that
    add a plan's tasks or public values (where a reference could dangle) each validate."""
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(replayed), str(work)], check=True)
    log = subprocess.run(["git", "-C", str(work), "log", "--reverse", "--format=%H %s"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    commits = [line.split()[0] for line in log if "计划" in line or "公开随机数" in line]
    assert len(commits) >= 10
    for sha in commits:
        subprocess.run(["git", "-C", str(work), "checkout", "-q", sha], check=True)
        _repo, problems = validate(work)
        assert [p for p in problems if p.severity.value == "error"] == [], sha


def test_a_partial_plan_keeps_the_files_bytes():
    text = (ROOT / "plans/baofeng/2024/plan.yaml").read_text(encoding="utf-8")
    ids = [line[len("- id: "):] for line in text.splitlines() if line.startswith("- id: ")]
    assert plan_text(text, set(ids)) == text
    partial = plan_text(text, {ids[1]})
    assert f"- id: {ids[1]}" in partial and f"- id: {ids[0]}" not in partial
    assert partial.startswith(text[: text.index("\ntasks:\n")])


def test_data_whose_dates_contradict_the_order_is_refused(tmp_path):
    source = tmp_path / "source"
    for rel in ("plans", "results", "docs/schema"):
        shutil.copytree(ROOT / rel, source / rel)
    plan = source / "plans/baofeng/2024/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("published_on: 2024-01-05", "published_on: 2024-01-12"),
                    encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    subprocess.run(["git", "-C", str(source), "add", "-A"], check=True)
    with pytest.raises(ReplayError, match="2024-01"):
        events(source)
    with pytest.raises(ReplayError, match="已存在"):
        replay(source, source)


# --- the task pages claim what this history proves, and nothing more ----------------------------

def _claims(root: Path) -> dict[str, list]:
    from ssjpub.draw.history import read_history
    from ssjpub.site.pages import site_pages

    repo, _ = validate(root)
    pages = site_pages(repo, history=read_history(repo))
    return {p.url: p.data["claims"] for p in pages if p.template == "task.html" and p.data.get("draw")}


def test_task_pages_of_the_replay_show_the_order_proven_and_say_what_was_not(replayed):
    claims = _claims(replayed)
    assert len(claims) == 10
    for url, found in claims.items():
        status = {c.label: c.status for c in found}
        assert status["输入先于随机数（提交图）"] == "proven", url
        assert status["发布后未被修改或删除"] == "proven", url
        assert status["可信时间戳"] == "unchecked", url  # no token in the demo: said plainly
        assert status["随机数在开奖（摇号）之后提交"] == "unchecked", url  # dates never prove
        assert "不能证明这些输入早于开奖" in found[0].text


def test_task_pages_never_claim_an_order_the_history_refutes(replayed, tmp_path):
    tampered = tmp_path / "tampered"
    subprocess.run(["git", "clone", "-q", str(replayed), str(tampered)], check=True)
    values = tampered / "plans/baofeng/2024/randomness/2024-02.yaml"
    values.write_text(values.read_text(encoding="utf-8") + "# 改过\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(tampered), "commit", "-qam", "改随机数"], check=True,
                   env={**__import__("os").environ, "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@example.invalid",
                        "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@example.invalid",
                        "GIT_COMMITTER_DATE": "2023-01-01T00:00:00+08:00"})
    claims = _claims(tampered)
    bad = {c.label: c for c in claims["baofeng/2024/2024-02/"]}
    assert bad["发布后未被修改或删除"].status == "refuted"
    assert "plans/baofeng/2024/randomness/2024-02.yaml" in bad["发布后未被修改或删除"].text
    assert {c.status for c in claims["baofeng/2024/2024-01/"]} <= {"proven", "unchecked"}


def test_without_history_nothing_is_claimed(tmp_path):
    from ssjpub.site.pages import site_pages

    repo, _ = validate(ROOT)
    for page in site_pages(repo):  # no history read: every order claim is "not checked"
        for claim in page.data.get("claims", []) if page.template == "task.html" else []:
            assert claim.status == "unchecked" and "未核对" in claim.text
