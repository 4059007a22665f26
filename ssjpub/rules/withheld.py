"""A withheld result publishes nothing of what it withholds (S0 三（五）, S1 四（五）).

The site hides a withheld result's findings, but the results YAML itself is public: the repository
is, and the site serves it byte-identical under files/. So the file must not hold the findings,
the handling or the follow-up's outcome at all; the category stays, so that the public still
learns whether a problem was found, and withheld.reason says why the rest is closed.
"""

from __future__ import annotations

from typing import Iterator

from ssjpub.loader.repository import Loaded
from ssjpub.model import FollowUp, Result, TaskResults
from ssjpub.problems import Problem

# (path under a result, its title, what to delete) for each field that would publish the content.
CLOSED = (
    (("findings",), Result.model_fields["findings"].title, "这一项"),
    (("handling",), Result.model_fields["handling"].title, "这一项"),
    (("follow_up", "outcome"), FollowUp.model_fields["outcome"].title, "整个整改回访 follow_up（回访日期和回访结果）"),
)


def withheld_problems(loaded: Loaded[TaskResults]) -> Iterator[Problem]:
    for i, result in enumerate(loaded.model.results):
        if result.withheld is None:
            continue
        for path, title, delete in CLOSED:
            value = result
            for part in path:
                value = getattr(value, part) if value is not None else None
            if value is None:
                continue
            yield loaded.doc.pos("results", i, *path, key=True).problem(
                "withheld-content-public",
                f"{result.target} 的结果不予公开，却写了“{title}”（{'.'.join(path)}）：仓库和网站都是公开的，"
                f"写在这里就会原样公开。请删去{delete}，内容留在内部案卷；不予公开的理由写在 withheld.reason 中"
                "（如“涉及商业秘密”，不要复述不予公开的内容），结果类别照常填写，公众由此知道是否发现了问题",
            )
