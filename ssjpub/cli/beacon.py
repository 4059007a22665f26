"""`ssjpub drand-round`: pick the drand round to declare, or check a round's signature offline."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click

from ssjpub.beacon.drand import CHINA, QUICKNET, randomness, round_at, round_reason, round_time, verify_hex

API = f"https://api.drand.sh/{QUICKNET.hash}/public"


def _moment(_ctx, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        if not value.isascii():
            raise ValueError
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"“{value}”不是有效的时间，格式为 YYYY-MM-DD HH:MM（北京时间，半角数字）") from None
    return moment.replace(tzinfo=CHINA) if moment.tzinfo is None else moment


def _shown(moment: datetime) -> str:
    return f"{moment.astimezone(CHINA):%Y-%m-%d %H:%M:%S}（北京时间）"


def _declare(moment: datetime) -> None:
    number = round_at(moment)
    if round_reason(number) is not None:
        raise click.BadParameter("这一时间晚于可以表示的最后一轮", param_hint="'--at'")
    when = round_time(number)
    click.echo(f"应声明的 drand 轮次：{number}")
    click.echo(f"该轮公布时间：{_shown(when)}，即 {when:%Y-%m-%dT%H:%M:%SZ}")
    click.echo("在计划的任务中写（随机数来源之一）：")
    click.echo(f"  - kind: drand\n    round: {number}\n    expected_on: {when.astimezone(CHINA).date().isoformat()}")
    click.echo(f"该轮公布之后取得它的签名：curl {API}/{number}")
    if when <= datetime.now(timezone.utc):
        click.echo(f"注意：这一时刻已经过去，第 {number} 轮已经公布，任何人都能知道它的随机数，"
                   "不能再作为事先声明的随机数来源；请选一个将来的时间。", err=True)


def _check(round_text: str, signature: str) -> None:
    number = int(round_text) if round_text.isascii() and round_text.isdigit() else None
    reason = round_reason(number) if number is not None else f"轮次“{round_text}”不是半角数字写的正整数"
    if reason is None:
        reason = verify_hex(number, signature)
    if reason is not None:
        click.echo(f"无效：{reason}")
        sys.exit(1)
    click.echo(f"有效：这是 drand quicknet（链 {QUICKNET.hash}）第 {number} 轮的签名。")
    click.echo(f"该轮公布时间：{_shown(round_time(number))}")
    click.echo(f"随机数 SHA-256(签名)：{randomness(bytes.fromhex(signature))}")


@click.command("drand-round")
@click.option("--at", "at", callback=_moment, metavar="时间",
              help="准备抽取的时间（北京时间），如 \"2024-01-09 21:30\"：打印这一时刻或之后公布的第一轮，即应声明的轮次。")
@click.option("--check", "check", nargs=2, metavar="轮次 签名",
              help="离线核对一轮的签名（96 位小写十六进制），通过则打印该轮的时间和随机数。")
def drand_round_cmd(at: datetime | None, check: tuple[str, str] | None) -> None:
    """drand quicknet 轮次助手：选定要声明的轮次，或离线核对一轮的签名。

    \b
      ssjpub drand-round --at "2024-01-09 21:30"    应声明哪一轮、它何时公布
      ssjpub drand-round --check 4001212 签名         不联网核对签名，打印随机数

    drand 每 3 秒公布一轮，第 N 轮的时间是 起始时刻 + 3 秒 × (N − 1)；签名用固定在本仓库中的
    公钥核对（ssjpub/beacon/quicknet.json）。详见 docs/drand.md。
    """
    if (at is None) == (check is None):
        raise click.UsageError("请给出 --at 时间 或 --check 轮次 签名 二者之一。")
    if at is not None:
        _declare(at)
    else:
        _check(*check)
