"""ssjpub-draw/2: combined sources drawn and verified through the CLI; /1 records still verified as /1
(tests/fixtures/draw-v1 is the demo's first three records as ssjpub-draw/1 made them)."""

from __future__ import annotations

import hashlib
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
V1 = ROOT / "tests/fixtures/draw-v1"
TASK = "plans/baofeng/2024/draws/2024-07"
PLAN = "plans/baofeng/2024/plan.yaml"
VALUES = "plans/baofeng/2024/randomness/2024-07.yaml"

ONE = """  randomness:
    kind: 公开摇号
    source: 宝丰县人社局“双随机”公开摇号会（演示）
    expected_on: 2024-11-11
    place: 宝丰县人社局会议室
    witnesses:
    - 司法局派员（演示）
    - 企业代表（演示）
"""
TWO = """  randomness:
  - kind: 公开开奖
    game: 双色球
    source: 中国福利彩票双色球（演示：号码为虚构）
    issue: '2024130'
    expected_on: 2024-11-10
  - kind: 公开摇号
    source: 宝丰县人社局“双随机”公开摇号会（演示）
    expected_on: 2024-11-09
    place: 宝丰县人社局会议室
    witnesses:
    - 司法局派员（演示）
    - 企业代表（演示）
"""
TWO_VALUES = """agency: baofeng
year: 2024
task: 2024-07
sources:
- announced_on: 2024-11-10
  numbers: [[31, 3, 12, 15, 22, 28], [9]]
  evidence: 演示数据：号码为虚构，并非真实开奖结果
- announced_on: 2024-11-09
  digits: '234744438744631400942978'
  evidence: 演示数据：摇号记录为虚构
"""


def ssjpub(*args: str, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssjpub", *args, "--root", str(root)], capture_output=True, text=True)


def standalone(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", str(ROOT / "docs/verify_draw.py"), "--all", "--root", str(root)],
                          capture_output=True, text=True)


def declare(root: Path, declaration: str, values: str) -> None:
    """The demo's last drawn task re-declared (before its draw, which is removed)."""
    plan = root / PLAN
    text = plan.read_text(encoding="utf-8")
    cut = text.rindex("\n  randomness:\n") + 1  # the last task's declaration ends the file
    plan.write_text(text[:cut] + declaration, encoding="utf-8")
    (root / VALUES).write_text(values, encoding="utf-8")
    for suffix in (".json", ".yaml"):
        (root / (TASK + suffix)).unlink()


@pytest.fixture
def demo(tmp_path) -> Path:
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def combined(demo) -> Path:
    """The demo with its last draw's task declaring a lottery draw and a ceremony, not yet drawn."""
    declare(demo, TWO, TWO_VALUES)
    return demo


def test_combined_sources_draw_as_v2_and_verify(combined):
    done = ssjpub("draw", "baofeng/2024/2024-07", root=combined)
    assert done.returncode == 0, done.stdout + done.stderr
    record = json.loads((combined / (TASK + ".json")).read_text(encoding="utf-8"))
    assert record["algorithm"] == "ssjpub-draw/2"
    parts = ["3.12.15.22.28.31./9./", "234744438744631400942978/"]
    assert record["randomness"] == {
        "file": VALUES, "sources": [{"kind": "公开开奖", "canonical": parts[0]}, {"kind": "公开摇号", "canonical": parts[1]}],
        "canonical": "".join(parts)}
    declared = record["parameters"]["randomness"]
    assert [list(s) for s in declared] == [["kind", "game", "source", "issue", "expected_on", "place", "witnesses", "round"]] * 2
    assert declared[0]["game"] == "双色球" and declared[0]["witnesses"] == [] and declared[1]["round"] is None
    verified = ssjpub("verify", root=combined)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    alone = standalone(combined)
    assert alone.returncode == 0 and f"OK {TASK}.json" in alone.stdout, alone.stdout


# drand quicknet round 9367912, as published (tests/fixtures/drand/rounds.json): 2024-07-14 05:45 Beijing time.
ROUND, SIGNATURE = 9367912, "845091b99635a8a5f93a15cd8622fae0c7ee5307fb5b888dc67ee4fe997b5b326dbd637bd7ab39e3188fd507ea94b314"
DRAND = """  randomness:
  - kind: drand
    round: 9367912
    expected_on: 2024-07-14
  - kind: 公开摇号
    source: 宝丰县人社局“双随机”公开摇号会（演示）
    expected_on: 2024-07-13
    place: 宝丰县人社局会议室
    witnesses:
    - 司法局派员（演示）
    - 企业代表（演示）
"""
DRAND_VALUES = f"""agency: baofeng
year: 2024
task: 2024-07
sources:
- announced_on: 2024-07-14
  round: {ROUND}
  signature: {SIGNATURE}
  evidence: https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/{ROUND}
- announced_on: 2024-07-13
  digits: '234744438744631400942978'
  evidence: 演示数据：摇号记录为虚构
"""


def test_a_drand_source_draws_and_the_standalone_verifier_says_it_did_not_check_the_signature(demo):
    declare(demo, DRAND, DRAND_VALUES)
    assert ssjpub("draw", "baofeng/2024/2024-07", root=demo).returncode == 0
    record = json.loads((demo / (TASK + ".json")).read_text(encoding="utf-8"))
    drand = hashlib.sha256(bytes.fromhex(SIGNATURE)).hexdigest() + "/"
    assert record["randomness"]["sources"][0] == {"kind": "drand", "canonical": drand}
    assert record["randomness"]["canonical"] == drand + "234744438744631400942978/"
    assert record["parameters"]["randomness"][0]["round"] == ROUND
    assert ssjpub("verify", root=demo).returncode == 0
    alone = standalone(demo)
    assert alone.returncode == 0 and f"OK {TASK}.json" in alone.stdout
    note = [line for line in alone.stdout.splitlines() if line.startswith(f"{TASK}.json: 注意：")]
    assert len(note) == 1 and "没有核验 BLS 签名" in note[0]


def test_swapping_the_declared_order_is_caught(combined):
    assert ssjpub("draw", "baofeng/2024/2024-07", root=combined).returncode == 0
    values = combined / VALUES
    head, _, body = TWO_VALUES.partition("sources:\n")
    first, second = ("- announced_on:" + part for part in body.split("- announced_on:")[1:])
    values.write_text(head + "sources:\n" + second + first, encoding="utf-8")
    done = ssjpub("verify", root=combined)
    assert done.returncode == 1
    assert "randomness-kind-mismatch" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_the_demo_draws_are_v2():
    records = sorted((ROOT / "plans").glob("*/*/draws/*.json"))
    assert records and {json.loads(p.read_text(encoding="utf-8"))["algorithm"] for p in records} == {"ssjpub-draw/2"}


@pytest.fixture
def v1(tmp_path) -> Path:
    shutil.copytree(V1, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_v1_records_verify_as_v1(v1):
    repo, problems = validate(v1)
    assert problems == []
    checked, mismatches = verify_draws(repo)
    assert (checked, mismatches) == (3, [])
    algorithms = {d.data["algorithm"] for d in repo.agencies["baofeng"].draws.values()}
    assert algorithms == {"ssjpub-draw/1"}
    alone = standalone(v1)
    assert alone.returncode == 0 and alone.stdout.count("OK ") == 3, alone.stdout


def test_a_v1_record_relabelled_v2_fails(v1):
    path = v1 / "plans/baofeng/2024/draws/2024-01.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["algorithm"] = "ssjpub-draw/2"
    path.write_text(render_json(record), encoding="utf-8")
    path.with_suffix(".yaml").write_text(render_yaml(record), encoding="utf-8")
    repo, _ = validate(v1)
    _, mismatches = verify_draws(repo)
    assert {p.code for p in mismatches} == {"draw-mismatch"}
    assert any("parameters.randomness" in p.message for p in mismatches)
    assert standalone(v1).returncode == 1


def test_an_unknown_algorithm_is_named(v1):
    path = v1 / "plans/baofeng/2024/draws/2024-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["algorithm"] = "ssjpub-draw/9"
    path.write_text(render_json(record), encoding="utf-8")
    path.with_suffix(".yaml").write_text(render_yaml(record), encoding="utf-8")
    repo, _ = validate(v1)
    _, mismatches = verify_draws(repo)
    assert [p.code for p in mismatches] == ["draw-mismatch"] and "ssjpub-draw/9" in mismatches[0].message


def test_the_task_page_shows_every_declared_source_and_its_values(demo):
    from ssjpub.site.pages import site_pages

    declare(demo, DRAND, DRAND_VALUES)
    assert ssjpub("draw", "baofeng/2024/2024-07", root=demo).returncode == 0
    repo, _ = validate(demo)
    page = {p.url: p for p in site_pages(repo)}["baofeng/2024/2024-07/"].data
    declared = dict(page["facts"])["公开随机数来源"]
    assert declared[0] == f"来源 1：drand quicknet 第 {ROUND} 轮" and declared[2].startswith("来源 2：公开摇号：")
    assert "见证：司法局派员（演示）、企业代表（演示）" in declared
    assert page["draw"].numbers == [f"drand 第 {ROUND} 轮，签名 {SIGNATURE}", "234744438744631400942978"]


def test_one_source_may_be_written_either_way(demo):
    """The top-level form and a one-entry sources: list mean the same (draw-spec §2.2)."""
    values = demo / "plans/baofeng/2024/randomness/2024-01.yaml"  # the demo's one-source task
    text = values.read_text(encoding="utf-8")
    head, _, body = text.partition("announced_on:")
    values.write_text(head + "sources:\n- announced_on:" + body.replace("\n", "\n  ").rstrip() + "\n", encoding="utf-8")
    assert "  numbers:" in values.read_text(encoding="utf-8")
    repo, problems = validate(demo)
    assert problems == [] and repo.agencies["baofeng"].randomness[(2024, "2024-01")].model.entry_path(0) == ("sources", 0)
    assert verify_draws(repo) == (10, [])
