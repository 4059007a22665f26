from __future__ import annotations

from pathlib import Path

import click

from ssjpub.schema import write_schemas


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs/schema"),
    show_default=True,
    help="输出目录。",
)
def schema(out: Path) -> None:
    """导出各类 YAML 文件的 JSON Schema，供编辑器（VS Code 的 YAML 插件等）边写边提示。"""
    for path in write_schemas(out):
        click.echo(f"已写入 {path}")
