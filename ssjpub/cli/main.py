"""`ssjpub` entry point. Click gives every command its --help and carries exit codes."""

from __future__ import annotations

import importlib
import os
import sys

import click

from ssjpub import __version__
from ssjpub.cli import clickzh

# Each command's module is imported when that command runs or shows its help: `ssjpub verify`
# need not import the rules, the spreadsheets or the time-stamping client (start-up is part of a
# pull request's verification time). name -> (module, attribute).
COMMANDS = {
    "check": ("ssjpub.cli.checking", "check_cmd"),
    "drand-round": ("ssjpub.cli.beacon", "drand_round_cmd"),
    "draw": ("ssjpub.cli.drawing", "draw_cmd"),
    "import-results": ("ssjpub.cli.results", "import_results_cmd"),
    "import-targets": ("ssjpub.cli.importing", "import_targets"),
    "results-template": ("ssjpub.cli.results", "results_template_cmd"),
    "rules": ("ssjpub.cli.checking", "rules_cmd"),
    "schema": ("ssjpub.cli.schema", "schema"),
    "timestamp": ("ssjpub.cli.timestamping", "timestamp_cmd"),
    "validate": ("ssjpub.cli.validating", "validate_cmd"),
    "verify": ("ssjpub.cli.drawing", "verify_cmd"),
}


class _LazyGroup(click.Group):
    """Imports a command when it is first asked for, and gives it the Chinese usage placeholders."""

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            command.options_metavar = clickzh.OPTIONS_METAVAR
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=_LazyGroup, context_settings=CONTEXT, options_metavar=clickzh.OPTIONS_METAVAR,
             subcommand_metavar=clickzh.SUBCOMMAND_METAVAR)
@click.version_option(__version__, prog_name="ssjpub", message="%(prog)s %(version)s")
def cli() -> None:
    """ssjpub：把“双随机、一公开”的清单、名录、计划、抽取和结果发布为可验证的公开网站。

    常用命令：

    \b
      ssjpub validate            校验全部数据，逐条列出问题
      ssjpub import-targets ...  把参保系统导出的表格转为检查对象名录快照
      ssjpub draw 机关/年度/任务  执行一次抽取，写入抽取记录
      ssjpub verify              重新执行全部抽取并逐项比对
      ssjpub results-template 机关/年度/任务  生成任务的检查结果填报表（Excel）
      ssjpub import-results 表.xlsx  把填好的检查结果表写入 results/，逐个单元格列出问题
      ssjpub timestamp 机关/年度/任务  为任务的随机数来源声明取得可信时间戳（RFC 3161）
      ssjpub check               按规则目录检查 S0、S1 的每一条规定
      ssjpub schema              导出 YAML 文件的 JSON Schema（编辑器提示用）
      ssjpub drand-round --at 时间  选定要声明的 drand 轮次（--check 离线核对签名）
    """


def main() -> None:
    try:
        cli.main(prog_name="ssjpub", standalone_mode=True)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("SSJPUB_DEBUG"):
            raise
        click.echo(
            f"ssjpub 内部错误：{type(exc).__name__}: {exc}\n"
            "这是 ssjpub 的缺陷而不是数据的问题，请报告；设置环境变量 SSJPUB_DEBUG=1 可查看详细信息。",
            err=True,
        )
        sys.exit(2)
