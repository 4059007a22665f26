"""`ssjpub drand-round`: the round to declare for a time, and a signature checked offline."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

import pytest

from conftest import FIXTURES, console_script, run_cli
from ssjpub.beacon.drand import CHINA, round_at

ROUNDS = json.loads((FIXTURES / "drand/rounds.json").read_text(encoding="utf-8"))["rounds"]


def _run(*args: str) -> subprocess.CompletedProcess:
    script = console_script()
    assert script is not None, "the ssjpub console script is not installed in this venv"
    result = subprocess.run([str(script), "drand-round", *args], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_cli_at_prints_the_round_to_declare_in_beijing_time():
    result = _run("--at", "2024-01-09 21:30")
    assert result.returncode == 0
    number = round_at(datetime(2024, 1, 9, 21, 30, tzinfo=CHINA))
    assert f"应声明的 drand 轮次：{number}\n" in result.stdout
    assert "2024-01-09 21:30:00（北京时间）" in result.stdout
    assert f"round: {number}\n    expected_on: 2024-01-09" in result.stdout
    assert f"/public/{number}" in result.stdout
    assert "已经过去" in result.stderr  # 2024 is past: such a round cannot be declared any more


def test_cli_check_accepts_a_real_round_and_prints_its_randomness():
    entry = ROUNDS[2]
    result = _run("--check", str(entry["round"]), entry["signature"])
    assert result.returncode == 0
    assert entry["published_randomness"] in result.stdout


@pytest.mark.parametrize("round_text, flip", [("657414", False), ("657413", True), ("六五七", False)])
def test_cli_check_refuses_with_the_reason(round_text, flip):
    sig = ROUNDS[2]["signature"]
    if flip:
        sig = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    result = run_cli("drand-round", "--check", round_text, sig)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stdout.startswith("无效：")


@pytest.mark.parametrize("args", [[], ["--at", "2024-13-01 00:00"], ["--at", "２０２４-01-09 21:30"]])
def test_cli_usage_errors_are_chinese_and_exit_2(args):
    result = run_cli("drand-round", *args)
    assert result.exit_code == 2
    assert "请给出" in result.stderr or "不是有效的时间" in result.stderr


def test_the_output_shown_in_docs_drand_md_is_what_the_command_prints():
    docs = (FIXTURES.parent.parent / "docs/drand.md").read_text(encoding="utf-8")
    result = run_cli("drand-round", "--at", "2024-01-09 21:30")
    shown = [line for line in result.stdout.splitlines() if not line.startswith("该轮公布之后")]
    assert all(line in docs for line in shown)
