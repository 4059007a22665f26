"""The docs are part of the product: they must cover every code, field and command there is."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from ssjpub.cli.main import cli
from ssjpub.model import DOCUMENTS, SNAPSHOT_COLUMNS
from ssjpub.problems import CODES

ROOT = Path(__file__).resolve().parent.parent


def _models(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for tp in re.findall(r"ssjpub\.model\.(\w+)", str(field.annotation)):
            import ssjpub.model as m

            sub = getattr(m, tp)
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                _models(sub, seen)


def test_every_error_code_is_documented_and_nothing_else():
    text = (ROOT / "docs/errors.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", text, flags=re.M))
    assert documented == set(CODES)


def test_every_field_is_in_the_staff_guide():
    text = (ROOT / "docs/staff-guide.md").read_text(encoding="utf-8")
    models: set = set()
    for model in DOCUMENTS.values():
        _models(model, models)
    missing = sorted(
        f"{m.__name__}.{name}" for m in models for name in m.model_fields if f"`{name}`" not in text
    )
    assert missing == []
    assert [c for c in SNAPSHOT_COLUMNS if f"`{c}`" not in text] == []


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_chinese_help_and_is_in_the_readme(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert re.search(r"[\u4e00-\u9fff]", result.output)
    assert f"ssjpub {command}" in (ROOT / "README.md").read_text(encoding="utf-8") or command == "schema"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make html" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_readme_sample_output_is_what_validate_prints(tmp_path):
    """The README shows real output of a broken copy of the demo; keep it true."""
    import shutil

    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    plan = tmp_path / "plans/baofeng/2024/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  items:", "  itmes:", 1), encoding="utf-8")
    csv = tmp_path / "plans/baofeng/targets/2024-01-05.csv"
    lines = csv.read_text(encoding="utf-8").split("\n")
    lines[41] = lines[41][:17] + "X" + lines[41][18:]
    csv.write_text("\n".join(lines), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "ssjpub", "validate", str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 1
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in out.stdout.splitlines() + [out.stderr.strip()]:
        assert line in readme
