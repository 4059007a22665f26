"""The task page's statement of how random the inspector draw was (ssjpub.draw.choice)."""

from __future__ import annotations

from ssjpub.draw.choice import no_choice, sentence, task_choice
from ssjpub.loader.repository import AgencyData
from ssjpub.model import Task
from ssjpub.site.tables import Table, cell, columns


def choice_view(data: AgencyData, year: int, task: Task) -> dict | None:
    """{text, table, note} for a random task that has a draw record or is still to be drawn (a
    failed draw's page shows its failure instead); the table only when the number varies."""
    if task.basis != "随机抽查" or (year, task.id) in data.failures:
        return None
    c = task_choice(data, year, task)
    if c is None:
        return None
    if c.drawn:
        text = f"{sentence(c)}。共 {c.groups} 个检查组，出现 {c.distinct} 种不同的组员组合。"
    else:
        text = (f"按现有名录和快照预计（尚未抽取，{c.groups} 家可抽单位，实施股室 {c.pool} 人中符合条件的 "
                f"{c.base} 人）：{sentence(c)}。")
    table = None
    if len(c.kinds) > 1:
        count = "组数" if c.drawn else "可抽单位数"
        table = Table(
            key="choice",
            caption="各检查组从多少名可选检查人员中抽取" if c.drawn else "抽中各单位时，检查组可从多少名检查人员中抽取（预计）",
            columns=columns("可选检查人员", "回避", "上次检查过", count, numeric=("可选检查人员", "回避", "上次检查过", count)),
            rows=tuple((cell(k[0]), cell(k[1]), cell(k[2]), cell(n)) for k, n in c.kinds),
        )
    return {"text": text, "table": table, "note": no_choice(c) or None}
