from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from ssjpub.draw.history import check_vanished
from ssjpub.problems import format_problems, has_errors, sort_problems, summary
from ssjpub.rules.catalogue import RuleContext, calendar_of, catalogue_markdown, commit_date, latest_data_date, run_rules
from ssjpub.rules.checks.prelottery import verdicts
from ssjpub.rules.tasks import compliance, tasks
from ssjpub.cli.common import load_valid


def _day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是有效日期，格式为 YYYY-MM-DD")


@click.command("check")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="数据仓库根目录。")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="输出格式，同 ssjpub validate。")
@click.option("--as-of", "as_of", callback=_day, default=None, metavar="YYYY-MM-DD",
              help="按哪一天判断“尚未到期”，YYYY-MM-DD；默认为当前提交的日期（不用系统时钟，同一提交结果相同）。")
@click.option("--compliance", "compliance_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="把每个任务的合规记录（每条规则：符合、不符合、尚未到期……）写入此 JSON 文件。")
def check_cmd(root: Path, fmt: str, as_of: date | None, compliance_out: Path | None) -> None:
    """按规则目录（docs/rules.md）逐条检查清单、名录、计划、抽取和结果。

    先做 ssjpub validate 的全部校验；数据无误后再检查 S0、S1 规定的每一条规则。
    “错误”退出码为 1；“警告”照常列出并公开。
    """
    repo, problems = load_valid(root, fmt)
    day = as_of or commit_date(repo.root) or latest_data_date(repo)
    ctx = RuleContext(repo, day, calendar_of(repo))
    problems = sort_problems(problems + run_rules(ctx) + check_vanished(repo))
    sys.stdout.write(format_problems(problems, fmt))
    if compliance_out is not None:
        record = {"as_of": day.isoformat(), "tasks": compliance(ctx)}
        compliance_out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if fmt == "text":
        lines = verdicts(ctx, tasks(ctx))
        if lines:  # the pre-lottery verdict of every random task not drawn yet (issue 14)
            click.echo("尚未抽取的随机抽查任务（抽取前检查，与随机数无关）：", err=True)
            click.echo("\n".join(lines), err=True)
        click.echo(f"按 {day.isoformat()} 判断。" + summary(problems), err=True)
    sys.exit(1 if has_errors(problems) else 0)


@click.command("rules")
def rules_cmd() -> None:
    """列出规则目录（Markdown）：每条规则的代码、级别和出处原文。docs/rules.md 即由它生成。"""
    sys.stdout.write(catalogue_markdown())
