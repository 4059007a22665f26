"""Where a task's trusted timestamp lives, and writing it (both files or neither)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

CHINA = timezone(timedelta(hours=8))


def folder(agency: str, year: int) -> str:
    return f"plans/{agency}/{year}/timestamps"


def token_file(agency: str, year: int, task: str) -> str:
    return f"{folder(agency, year)}/{task}.tsr"


def record_file(agency: str, year: int, task: str) -> str:
    return f"{folder(agency, year)}/{task}.yaml"


def record_text(agency: str, year: int, task: str, commit: str, digest_hex: str, tsa: str, gen_time: datetime) -> str:
    shown = gen_time.astimezone(CHINA).isoformat()
    return (
        "# yaml-language-server: $schema=../../../../docs/schema/timestamp.schema.json\n"
        f"# 可信时间戳（RFC 3161）：令牌是同名的 {task}.tsr。由 ssjpub timestamp 生成，不要手工编辑；\n"
        "# 核对方法见 docs/timestamps.md。\n"
        f"agency: {agency}\nyear: {year}\ntask: '{task}'\ncommit: '{commit}'\ndigest: '{digest_hex}'\n"
        f"tsa: {json.dumps(tsa, ensure_ascii=False)}\ngen_time: '{shown}'\n"
    )


def write_timestamp(root: Path, agency: str, year: int, task: str, token: bytes, record: str) -> list[str]:
    """Write <task>.tsr and <task>.yaml; FileExistsError (naming the token) when either exists:
    a task keeps its first timestamp. Temporary files are renamed only once both are written."""
    rels = [token_file(agency, year, task), record_file(agency, year, task)]
    paths = [root / rel for rel in rels]
    for rel, path in zip(rels, paths):
        if path.exists():
            raise FileExistsError(rel)
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    temps = [p.with_name(f".{p.name}.tmp") for p in paths]
    try:
        temps[0].write_bytes(token)
        temps[1].write_text(record, encoding="utf-8")
        for temp, path in zip(temps, paths):
            os.replace(temp, path)
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    return rels
