"""Trusted timestamps (RFC 3161) against a real local TSA (`openssl ts -reply`, tests/tsa_server.py),
in real git repositories, through the real CLI; `openssl ts -verify` must agree with the validator."""

from __future__ import annotations

import hashlib
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
    issue: '2099005'
    expected_on: 2099-01-08
"""


def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="测试", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="测试", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
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
