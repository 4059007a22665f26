"""``SSJPUB_AGENCIES``: a site of some agencies only, the first piece of publishing a city or a
province as one site per agency (docs/scale.md, 第四节第 2 条): a city's ten agencies in one site
are ~2.2 GiB, over GitHub Pages' 1 GB; one agency's are ~0.23 GiB.

The repository is validated, checked against the rules and its records against their inputs
whole, as for any build (a draw may name another agency's file, a rule may look across agencies);
only what is published is cut: the selected agencies' pages, and of the served inputs theirs and
the shared ones (plans/*.yaml, the calendar), never another agency's.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ssjpub.loader.repository import Repository
from ssjpub.problems import Problem
from ssjpub.site.setting_line import setting_problem

SETTING = "SSJPUB_AGENCIES"
# A build that only renders these agencies' pages into the site cache, as the whole site shows them
# (the CI's per-agency jobs, docs/scale.md 第四节第 3 条): the cache's keys are those of the full
# build, which restores them; its output folder is not a site (no cross-agency pages).
FILL = "SSJPUB_CACHE_ONLY"


def selection(settings: dict[str, Any], repo: Repository, root: Path, setting: str = SETTING
              ) -> tuple[tuple[str, ...] | None, list[Problem]]:
    """The agency codes the setting (``SSJPUB_AGENCIES`` or ``SSJPUB_CACHE_ONLY``) selects, None for
    every agency (unset or None); a problem for a value that is no non-empty list of the
    repository's agency codes, at the line that set it."""
    value = settings.get(setting)
    if value is None:
        return None, []
    known = sorted(repo.agencies)
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        why = f"应是机关代码的列表，如 {setting} = [\"{known[0] if known else '机关代码'}\"]"
    elif not value:  # a CI matrix that computed no agency must not publish every agency
        why = f"列表是空的；要构建全部机关，请不设或设为 None（如 {setting} = None）"
    else:
        unknown = [v for v in value if v not in repo.agencies]
        if not unknown:
            return tuple(sorted(set(value))), []
        why = f"没有机关 {'、'.join(unknown)}（仓库中的机关：{'、'.join(known) or '无'}）"
    return None, [setting_problem(root, setting, value, "invalid-value", f"设置 {setting} 无效：{why}")]


def only(repo: Repository, codes: tuple[str, ...]) -> Repository:
    """The repository with only these agencies: what the pages are made from."""
    return dataclasses.replace(repo, agencies={c: d for c, d in repo.agencies.items() if c in codes})


def served_by(rel: str, codes: tuple[str, ...], every: set[str]) -> bool:
    """Whether a served input (repository-relative) belongs in a site of ``codes``: an agency's own
    folder under plans/ or results/ only in its own site; everything else (shared) in every site."""
    top, _, rest = rel.partition("/")
    agency = rest.partition("/")[0]
    return not (top in ("plans", "results") and agency in every and agency not in codes)
