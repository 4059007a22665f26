"""How to verify: every draw the site shows, and the commands that re-run them.
"""

from __future__ import annotations

import shlex

from ssjpub.loader.repository import Repository
from ssjpub.site import urls
from ssjpub.site.commands import checkout_command, clone_commands, install_commands, verify_draw_command
from ssjpub.site.served import Catalogue
from ssjpub.site.pages.common import HOME_LINK, SitePage, _agencies, _short, clip, task_of, verify_draw_argv
from ssjpub.site.tables import Table, cell, columns


DRAWS_COLUMNS = ("任务", "抽取记录", "单独核对这次抽取", "种子")


def verify_page(repo: Repository, commit: str = "未知", repository: str | None = None,
                files: Catalogue | None = None) -> SitePage:
    """`repository`: the site's address (SSJPUB_REPOSITORY), else the first agency's; `files` the
    copies the site serves (ssjpub.site.served), which the browser route reads."""
    rows = []
    sources = []
    plans = []  # the tasks' names
    repositories = []
    for code, data in _agencies(repo):
        if data.agency and data.agency.model.repository:
            repositories.append(data.agency.model.repository)
        plans += [data.plans[y].file for y in sorted(data.plans)]
        for (year, task_id), draw in sorted(data.draws.items()):
            task = task_of(data.plans[year].model, task_id) if year in data.plans else None
            title = f"{_short(data)}{year} 年 {task_id}" + (f" {task.name}" if task else "")
            rows.append(
                (
                    cell(title, url=urls.task(code, year, task_id) if task else None),
                    cell(draw.file),
                    cell(shlex.join(verify_draw_argv(draw.file))),
                    cell(str(draw.data.get("seed", ""))),
                )
            )
            sources.append(draw.file)
    table = Table(
        key="draws",
        caption=f"本站公示的全部抽取（{len(rows)} 次）",
        columns=columns(*DRAWS_COLUMNS),
        rows=tuple(rows),
    )
    repository = repository or (repositories[0] if repositories else None)
    first = sources[0] if sources else None
    return SitePage(
        url=urls.VERIFY,
        template="verify.html",
        title="如何验证抽取",
        crumbs=(HOME_LINK,),
        sources=tuple(sources),
        depends=tuple(plans),
        description=clip(f"如何验证本站公示的全部 {len(rows)} 次随机抽取：用公开的名录快照、任务参数和公开随机数重新计算种子，"
                         "只用 Python 标准库重新抽取，与抽取记录逐项比对。"),
        data={
            "table": table,
            "clone": clone_commands(repository),
            "checkout": checkout_command(commit),
            "standalone": [verify_draw_command("不安装任何软件，只用 Python 标准库，按算法说明独立重新计算全部抽取", "--all"),
                           *([verify_draw_command("只核对一次抽取时写出它的记录文件，例如", first)] if first else [])],
            "install": install_commands(),
            "root": urls.root_of(urls.VERIFY),
            "files": len(files or {}),
        },
    )
