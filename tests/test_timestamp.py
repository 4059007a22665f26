"""Trusted timestamps (RFC 3161) against a real local TSA (`openssl ts -reply`, tests/tsa_server.py),
in real git repositories, through the real CLI; `openssl ts -verify` must agree with the validator."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, make_repo, problems_of
from tsa_server import OTHER_POLICY, POLICY, LocalTSA
from ssjpub.draw.history import Git
from ssjpub.timestamp.check import check_timestamps
from ssjpub.timestamp.client import request_token
from ssjpub.timestamp.statement import digest, statement
from ssjpub.timestamp.token import build_request, check_token, load_certificates
from ssjpub.validate import validate

TASK = "shili/2024/2024-01"
PLAN = "plans/shili/2024/plan.yaml"
TSR = "plans/shili/2024/timestamps/2024-01.tsr"
RECORD = "plans/shili/2024/timestamps/2024-01.yaml"
DECLARATION = """  randomness:
    kind: 公开开奖
    source: 中国福利彩票双色球
    game: 双色球
    issue: '2099004'
    expected_on: 2099-01-08
"""


def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="测试", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="测试", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout.strip()


_MINUTES = itertools.count()


def commit_all(repo: Path, message: str, when: str | None = None) -> str:
    """Each commit a minute after the one before (the date-based history check needs them apart),
    or at `when`."""
    git(repo, "add", "-A")
    minute = next(_MINUTES)
    when = when or f"2026-01-{1 + minute // 1440:02d}T{minute // 60 % 24:02d}:{minute % 60:02d}:00+08:00"
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="测试", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_AUTHOR_DATE=when,
                            GIT_COMMITTER_NAME="测试", GIT_COMMITTER_EMAIL="t@example.invalid", GIT_COMMITTER_DATE=when))
    return git(repo, "rev-parse", "HEAD")


def ssjpub(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed console script, as staff and CI run it."""
    return subprocess.run([str(Path(sys.executable).parent / "ssjpub"), *args, "--root", str(repo)],
                          capture_output=True, text=True, timeout=120)


def configure(repo: Path, tsa: LocalTSA, url: str | None = None, policy: str | None = POLICY) -> None:
    (repo / "plans/shili/tsa").mkdir(exist_ok=True)
    shutil.copyfile(tsa.ca_pem, repo / "plans/shili/tsa/ca.pem")
    lines = f"timestamp:\n  name: 测试时间戳服务\n  url: {url or tsa.url}\n  ca_certificate: plans/shili/tsa/ca.pem\n"
    if policy:
        lines += f"  policy: {policy}\n"
    with open(repo / "plans/shili/agency.yaml", "a", encoding="utf-8") as f:
        f.write(lines)


@pytest.fixture
def declared(tmp_path, local_tsa) -> Path:
    """The base repository with a TSA configured and task 2024-01 declaring its lottery draw, committed."""
    repo = make_repo(tmp_path / "repo")
    configure(repo, local_tsa)
    shutil.copyfile(REPO / "plans/lottery-games.yaml", repo / "plans/lottery-games.yaml")
    plan = repo / PLAN
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("  method: 现场检查\n", "  method: 现场检查\n" + DECLARATION, 1), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "计划和随机数来源声明")
    return repo


def token_for(tsa: LocalTSA, message_digest: bytes) -> bytes:
    return request_token(tsa.url, build_request(message_digest).der)


# --- the token validator, and openssl ts -verify beside it ---------------------------------


@pytest.fixture(scope="module")
def other_tsa(tmp_path_factory):
    return LocalTSA(tmp_path_factory.mktemp("other"), name="Other TSA")


@pytest.fixture(scope="module")
def good(local_tsa, tmp_path_factory) -> tuple[bytes, bytes, Path]:
    wanted = digest("shili", 2024, "2024-01", "a" * 40)
    request = build_request(wanted, POLICY)
    token = request_token(local_tsa.url, request.der)
    path = tmp_path_factory.mktemp("tokens") / "good.tsr"
    path.write_bytes(token)
    gen_time, reasons = check_token(token, load_certificates(local_tsa.ca_pem.read_bytes()), wanted, POLICY, request.nonce)
    assert reasons == [] and gen_time is not None
    return token, wanted, path


def test_a_real_token_validates_and_openssl_agrees(good, local_tsa):
    token, wanted, path = good
    assert local_tsa.verify_with_openssl(path, wanted.hex())


def test_token_over_another_commit_is_an_imprint_mismatch(good, local_tsa):
    token, _, path = good
    other = digest("shili", 2024, "2024-01", "b" * 40)
    _, reasons = check_token(token, load_certificates(local_tsa.ca_pem.read_bytes()), other)
    assert len(reasons) == 1 and "消息摘要" in reasons[0]
    assert not local_tsa.verify_with_openssl(path, other.hex())


def test_token_signed_under_another_ca_fails_the_chain(good, local_tsa, other_tsa):
    token, wanted, path = good
    _, reasons = check_token(token, load_certificates(other_tsa.ca_pem.read_bytes()), wanted)
    assert len(reasons) == 1 and "不能链接到配置的时间戳服务 CA 证书" in reasons[0]
    assert not local_tsa.verify_with_openssl(path, wanted.hex(), ca=other_tsa.ca_pem)


def test_other_policy_is_a_policy_mismatch(good, local_tsa):
    token, wanted, _ = good
    _, reasons = check_token(token, load_certificates(local_tsa.ca_pem.read_bytes()), wanted, OTHER_POLICY)
    assert reasons == [f"令牌的时间戳策略 {POLICY} 与配置的 {OTHER_POLICY} 不符"]


def test_a_reply_to_another_request_is_a_nonce_mismatch(good, local_tsa):
    token, wanted, _ = good
    _, reasons = check_token(token, load_certificates(local_tsa.ca_pem.read_bytes()), wanted, nonce=1)
    assert len(reasons) == 1 and "nonce" in reasons[0]


def _gen_time_at(token: bytes) -> int:
    """Offset of the genTime digits inside the signed TSTInfo (GeneralizedTime, tag 0x18)."""
    match = re.search(rb"\x18\x0f\d{14}Z", token)
    assert match
    return match.start() + 2


def test_a_changed_gen_time_is_caught_by_the_signed_digest_and_openssl_agrees(good, local_tsa, tmp_path):
    """A changed genTime digit still parses: the signed message digest attribute catches it."""
    token, wanted, _ = good
    at = _gen_time_at(token)
    changed = bytearray(token)
    changed[at + 3] = ord("0") + (changed[at + 3] - ord("0") + 1) % 10
    _, reasons = check_token(bytes(changed), load_certificates(local_tsa.ca_pem.read_bytes()), wanted)
    assert reasons == ["签名属性中的消息摘要与令牌内容不符：令牌内容被改动过"]
    path = tmp_path / "changed.tsr"
    path.write_bytes(bytes(changed))
    assert not local_tsa.verify_with_openssl(path, wanted.hex())


@settings(max_examples=300)
@given(data=st.data())
def test_an_accepted_token_says_exactly_what_the_tsa_signed(good, local_tsa, data):
    """Any byte changed anywhere: the token is refused (with reasons, never an exception), or, where
    the byte is one no signature covers and the parser tolerates, what it says is unchanged."""
    token, wanted, _ = good
    cas = load_certificates(local_tsa.ca_pem.read_bytes())
    offset = data.draw(st.integers(0, len(token) - 1))
    mask = data.draw(st.integers(1, 255))
    changed = bytearray(token)
    changed[offset] ^= mask
    gen_time, reasons = check_token(bytes(changed), cas, wanted, POLICY)
    if not reasons:
        assert gen_time == check_token(token, cas, wanted, POLICY)[0]
        assert not (_gen_time_at(token) <= offset < _gen_time_at(token) + 14)


def test_garbage_is_reported_not_raised(local_tsa):
    cas = load_certificates(local_tsa.ca_pem.read_bytes())
    for junk in (b"", b"\x30\x03\x02\x01\x00", b"not a token", b"\x30\x82\xff\xff"):
        gen_time, reasons = check_token(junk, cas, b"\0" * 32)
        assert gen_time is None and len(reasons) == 1


def test_statement_is_the_documented_bytes():
    assert statement("baofeng", 2024, "2024-01", "0" * 40) == b"ssjpub-timestamp/1\nbaofeng/2024/2024-01\n" + b"0" * 40 + b"\n"
    with pytest.raises(ValueError):
        statement("Bao Feng", 2024, "2024-01", "0" * 40)


# --- ssjpub timestamp, validate and verify --history on real repositories -------------------


def test_timestamp_command_writes_a_token_that_validates_and_openssl_verifies(declared, local_tsa):
    head = git(declared, "rev-parse", "HEAD")
    done = ssjpub(declared, "timestamp", TASK)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"已写入 {TSR}" in done.stdout and f"已写入 {RECORD}" in done.stdout
    record = yaml.safe_load((declared / RECORD).read_text(encoding="utf-8"))
    assert record["commit"] == head and record["tsa"] == "测试时间戳服务"
    assert record["gen_time"].endswith("+08:00")
    assert problems_of(declared) == []
    # The command docs/timestamps.md gives, with the statement rebuilt by printf and sha256sum.
    shown = subprocess.run(
        ["sh", "-c", f"printf 'ssjpub-timestamp/1\\n{TASK}\\n{head}\\n' | sha256sum | cut -c1-64"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert shown == record["digest"]
    assert local_tsa.verify_with_openssl(declared / TSR, shown, ca=declared / "plans/shili/tsa/ca.pem")
    commit_all(declared, "可信时间戳")
    verified = ssjpub(declared, "verify", "--history")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    again = ssjpub(declared, "timestamp", TASK)
    assert again.returncode == 1 and "timestamp-request" in again.stdout and "已有可信时间戳" in again.stdout


def test_declared_draw_day_before_the_token_time_is_late(declared):
    assert ssjpub(declared, "timestamp", TASK).returncode == 0
    commit_all(declared, "可信时间戳")
    plan = declared / PLAN
    text = plan.read_text(encoding="utf-8")
    line = text[: text.index("expected_on: 2099-01-08")].count("\n") + 1
    plan.write_text(text.replace("expected_on: 2099-01-08", "expected_on: 2024-02-20"), encoding="utf-8")
    problems = problems_of(declared)
    assert [(p.file, p.line, p.code) for p in problems] == [(PLAN, line, "timestamp-late")]
    assert "不早于开奖（摇号）日期 2024-02-20" in problems[0].message
    commit_all(declared, "改动开奖日期")
    repo, _ = validate(declared)
    history = check_timestamps(repo, Git(declared))
    assert [(p.file, p.code) for p in history] == [(RECORD, "timestamp-commit")]


def test_a_token_over_an_uncommitted_declaration_is_refused(declared):
    plan = declared / PLAN
    plan.write_text(plan.read_text(encoding="utf-8").replace("issue: '2099004'", "issue: '2099003'"), encoding="utf-8")
    done = ssjpub(declared, "timestamp", TASK)
    assert done.returncode == 1 and f"{PLAN}:1:1: timestamp-request" in done.stdout and "先提交" in done.stdout
    assert not (declared / TSR).exists() and not (declared / RECORD).exists()


def test_a_rewritten_history_loses_its_timestamp(declared):
    """The bureau rewrites the declaration commit after the fact: the token names a commit that is
    no longer in the history, and nothing it can commit makes the old token fit the new one."""
    assert ssjpub(declared, "timestamp", TASK).returncode == 0
    git(declared, "add", "-A")
    git(declared, "commit", "-q", "--amend", "-m", "改写的历史：声明和时间戳一起")
    repo, problems = validate(declared)
    assert problems == []  # the files themselves are intact
    history = check_timestamps(repo, Git(declared))
    assert [(p.file, p.code) for p in history] == [(RECORD, "timestamp-commit")]
    assert "不在本仓库的历史中" in history[0].message


def test_an_unreachable_tsa_is_a_clear_error_and_writes_nothing(tmp_path, local_tsa):
    repo = make_repo(tmp_path / "repo")
    configure(repo, local_tsa, url="http://127.0.0.1:9/tsa")  # discard port: nothing listens
    plan = repo / PLAN
    plan.write_text(plan.read_text(encoding="utf-8").replace("  method: 现场检查\n", "  method: 现场检查\n" + DECLARATION, 1), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "声明")
    done = ssjpub(repo, "timestamp", TASK)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert re.search(r"plans/shili/agency\.yaml:\d+:\d+: timestamp-request 无法连接时间戳服务", done.stdout)
    assert not (repo / "plans/shili/2024/timestamps").exists()


def test_pending_timestamps_every_declared_task_once(declared):
    first = ssjpub(declared, "timestamp", "--pending")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.count("已写入") == 2 and (declared / TSR).is_file()
    commit_all(declared, "可信时间戳")
    second = ssjpub(declared, "timestamp", "--pending")
    assert second.returncode == 0 and "没有需要取得时间戳的任务" in second.stdout


def test_pending_skips_agencies_without_a_tsa(tmp_path):
    repo = make_repo(tmp_path / "repo")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "无时间戳服务")
    done = ssjpub(repo, "timestamp", "--pending")
    assert done.returncode == 0 and "没有需要取得时间戳的任务" in done.stdout


def test_broken_token_and_missing_ca_are_positioned(declared):
    assert ssjpub(declared, "timestamp", TASK).returncode == 0
    token = (declared / TSR).read_bytes()
    (declared / TSR).write_bytes(token[:-40])
    problems = problems_of(declared)
    assert [(p.file, p.line, p.column, p.code) for p in problems] == [(TSR, 1, 1, "timestamp-invalid")]
    (declared / "plans/shili/tsa/ca.pem").unlink()
    problems = problems_of(declared)
    agency = (declared / "plans/shili/agency.yaml").read_text(encoding="utf-8")
    line = agency[: agency.index("ca_certificate:")].count("\n") + 1
    assert [(p.file, p.line, p.code) for p in problems] == [("plans/shili/agency.yaml", line, "timestamp-config")]


def test_a_drawn_task_without_a_token_is_a_warning_where_a_tsa_is_configured(tmp_path):
    """The demo configures its TSA (ssjpub/demo/tsa) but carries no token: its tasks, committed at
    once, are each a warning."""
    repo = tmp_path / "repo"
    for name in ("plans", "results"):
        shutil.copytree(REPO / name, repo / name)
    shutil.rmtree(repo / "plans/yanshi")
    shutil.rmtree(repo / "results/yanshi")
    assert "timestamp:" in (repo / "plans/baofeng/agency.yaml").read_text(encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "全部")
    repository, problems = validate(repo)
    assert [p for p in problems if p.severity.value == "error"] == []
    missing = check_timestamps(repository, Git(repo))
    assert {p.code for p in missing} == {"timestamp-missing"}
    assert all(p.severity.value == "warning" for p in missing)
    assert len(missing) == len(repository.agencies["baofeng"].draws)
    assert "只能以 git 提交历史判断" in missing[0].message


VALUES = """agency: shili
year: 2024
task: 2024-01
announced_on: 2099-01-08
numbers: [[3, 12, 15, 22, 28, 31], [9]]
evidence: 测试：虚构的开奖公告
"""


def _draw(repo: Path) -> None:
    (repo / "plans/shili/2024/randomness").mkdir()
    (repo / "plans/shili/2024/randomness/2024-01.yaml").write_text(VALUES, encoding="utf-8")
    commit_all(repo, "开奖号码", "2099-01-08T21:45:00+08:00")  # after the draw (values-before-draw)
    done = ssjpub(repo, "draw", TASK)
    assert done.returncode == 0, done.stdout + done.stderr
    commit_all(repo, "抽取", "2099-01-09T09:00:00+08:00")


def test_declaration_timestamp_values_draw_in_order_verifies(declared):
    assert ssjpub(declared, "timestamp", TASK).returncode == 0
    commit_all(declared, "可信时间戳")
    _draw(declared)
    done = ssjpub(declared, "verify", "--history")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_token_taken_after_the_values_were_committed_is_refused(declared):
    _draw(declared)
    done = ssjpub(declared, "timestamp", TASK)  # HEAD holds the declaration, but also the values
    assert done.returncode == 0, done.stdout + done.stderr
    commit_all(declared, "迟到的时间戳")
    repo, _ = validate(declared)
    history = check_timestamps(repo, Git(declared))
    assert [(p.file, p.code) for p in history] == [(RECORD, "timestamp-commit")]
    assert "之前的提交" in history[0].message


def test_git_keeps_token_bytes_as_they_are():
    """plans/** is text with LF endings; a DER token holding CR LF bytes would be altered on commit."""
    out = subprocess.run(["git", "-C", str(REPO), "check-attr", "text", "--", "plans/a/2024/timestamps/t.tsr"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("text: unset")


# --- the evidence on the task page ------------------------------------------------------------


def test_task_page_names_the_tsa_and_its_time(declared):
    """The page context (test_site.py's real demo build shows the template renders it)."""
    from ssjpub.site import pages

    assert ssjpub(declared, "timestamp", TASK).returncode == 0
    repo, problems = validate(declared)
    assert problems == []
    data = repo.agencies["shili"]
    page = pages.task_page(data, 2024, data.plans[2024].model.tasks[0])
    record = yaml.safe_load((declared / RECORD).read_text(encoding="utf-8"))
    when = record["gen_time"][:19].replace("T", " ")
    assert page.data["timestamp_evidence"].startswith(
        f"随机数来源声明于提交 {record['commit'][:10]} 取得可信时间戳（测试时间戳服务，{when} 北京时间）")
    assert RECORD in page.sources
    non_random = pages.task_page(data, 2024, data.plans[2024].model.tasks[1])
    assert non_random.data["timestamp_evidence"] is None


def test_task_page_says_plainly_when_order_rests_on_git_alone():
    from ssjpub.site import pages

    repo, _ = validate(REPO)
    data = repo.agencies["baofeng"]
    task = next(t for t in data.plans[2024].model.tasks if t.id == "2024-01")
    page = pages.task_page(data, 2024, task)
    assert page.data["timestamp_evidence"] == "本任务没有可信时间戳：随机数来源声明是否早于开奖，只能以 git 提交历史判断。"


def test_the_openssl_commands_in_the_docs_verify_a_real_token(declared):
    text = (REPO / "docs/timestamps.md").read_text(encoding="utf-8")
    block = text.split("<!-- timestamp-verify-command: tests/test_timestamp.py runs this block -->\n```sh\n")[1].split("```")[0]
    lines = block.splitlines()
    assert lines[0] == "A=baofeng Y=2024 T=2024-01"
    script = "set -e\nA=shili Y=2024 T=2024-01\n" + "\n".join(lines[1:]) + "\n"
    assert ssjpub(declared, "timestamp", TASK).returncode == 0
    commit_all(declared, "可信时间戳")
    done = subprocess.run(["bash", "-c", script], cwd=declared, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verification: OK" in done.stdout and "Time stamp:" in done.stdout
    assert f"Policy OID: {POLICY}" in done.stdout and "在当前分支的历史中" in done.stdout
    # The same commands refuse the token once the record names another commit.
    record = declared / RECORD
    record.write_text(re.sub(r"commit: '?\w+'?", "commit: '" + "f" * 40 + "'", record.read_text(encoding="utf-8")), encoding="utf-8")
    refused = subprocess.run(["bash", "-c", script], cwd=declared, capture_output=True, text=True)
    assert refused.returncode != 0 and "Verification: OK" not in refused.stdout


def test_ci_timestamps_pending_declarations_on_main_only():
    gh = yaml.safe_load((REPO / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    job = gh["jobs"]["timestamp"]
    assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert job["permissions"] == {"contents": "write"} and gh["permissions"] == {"contents": "read"}
    runs = [s.get("run", "") for s in job["steps"]]
    assert any("ssjpub timestamp --pending" in r for r in runs)
    assert any("git push origin HEAD:main" in r for r in runs)
    gl = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    script = "\n".join(gl["timestamp"]["script"])
    assert "ssjpub timestamp --pending" in script and "SSJPUB_PUSH_TOKEN" in script
    assert gl["timestamp"]["rules"] == [{"if": '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"'}]
