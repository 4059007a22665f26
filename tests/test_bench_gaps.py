"""bench/run.py's section of unmet goals: each unmet goal shows its gap, reason and next step
(issue 16, "Done when"); met goals are not listed."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import run  # noqa: E402


def test_an_unmet_goal_has_its_gap_reason_and_next_step():
    rows = [
        run.Row(run.REBUILD_STEP, "county", goal="≤ 0.1× 完整构建", verdict="未达到",
                gap="0.30× 完整构建，目标的 3.0 倍"),
        run.Row(run.PAGEFIND_STEP, "county", goal="峰值内存 ≤ 1.5 GiB", verdict="达到"),
        run.Row("生成的网站（不含 Pagefind 索引）", "county", goal="市级 ≤ 300 MiB", untimed=True),
    ]
    (line,) = run.gaps(rows)
    reason, step = run.GAPS[run.REBUILD_STEP]
    assert run.REBUILD_STEP in line and "目标的 3.0 倍" in line
    assert f"原因：{reason}" in line and f"下一步：{step}" in line


def test_a_goal_not_measured_says_why():
    row = run.Row(run.SITE_STEP, "county", goal="≤ 0.3× 纯 Pelican", verdict="未测量", note="本次运行的时间预算已用完")
    (line,) = run.gaps([row])
    assert "未测量（本次运行的时间预算已用完）" in line and "原因" not in line


def test_every_goal_step_has_a_reason():
    steps = ["抽取 5%：ssjpub draw_plain", "`ssjpub draw` 全流程（读取、校验、抽取、写记录）",
             "`ssjpub verify`（重新执行全部抽取）", "`ssjpub verify --cache`：拉取请求新增一次抽取（其余命中验证缓存）",
             run.SITE_STEP, run.REBUILD_STEP, run.PAGEFIND_STEP, "生成的网站（不含 Pagefind 索引）"]
    for step in steps:
        assert any(step.startswith(k) for k in run.GAPS), step
