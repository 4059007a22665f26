"""A reference to something that does not exist names the closest existing values (or, when
there are few, all of them), so that the fix is in the message (issue 14: 建筑 → 建筑业)."""

from __future__ import annotations

from conftest import make_repo, run_cli
from ssjpub.rules.integrity import did_you_mean


def test_the_closest_values_or_the_few_there_are():
    assert did_you_mean("建筑", ["建筑业", "制造业", "住宿和餐饮业"]) == "，是否想写“建筑业”？"
    assert did_you_mean("监察股", ["劳动保障监察股", "办公室"]) == "，是否想写“劳动保障监察股”？"
    assert did_you_mean("宝丰镇", ["城关镇", "周庄镇"]) == "。可以写：周庄镇、城关镇"  # code-point order
    assert did_you_mean("xyz", [f"行业{i}" for i in range(40)]) == ""


def test_validate_suggests_the_department_meant(tmp_path):
    root = make_repo(tmp_path / "repo")
    path = root / "plans/shili/inspectors.yaml"
    text = path.read_text(encoding="utf-8")
    department = text.split("department: ", 1)[1].split("\n", 1)[0]
    path.write_text(text.replace(f"department: {department}", f"department: {department[1:]}", 1), encoding="utf-8")
    result = run_cli("validate", root)
    assert result.exit_code == 1
    assert f"股室“{department[1:]}”不存在，是否想写“{department}”？" in result.output
