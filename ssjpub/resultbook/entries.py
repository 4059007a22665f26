"""The enterprises a task's results are for, in the order the template lists them."""

from __future__ import annotations

from dataclasses import dataclass

from ssjpub.loader.repository import AgencyData, Repository
from ssjpub.model import Task
from ssjpub.problems import Pos, Problem
from ssjpub.site.pages.common import target_names


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    how: str  # how it was selected, as the template labels it


@dataclass(frozen=True)
class TaskRef:
    data: AgencyData
    year: int
    task: Task

    @property
    def ref(self) -> str:
        return f"{self.data.code}/{self.year}/{self.task.id}"

    @property
    def results_file(self) -> str:
        return f"results/{self.data.code}/{self.year}/{self.task.id}.yaml"


def find_task(repo: Repository, agency: str, year: int, task_id: str, where: Pos) -> TaskRef | Problem:
    """The task, or why there is none (a problem placed at ``where``)."""
    data = repo.agencies.get(agency)
    if data is None:
        known = "、".join(sorted(repo.agencies)) or "（无）"
        return where.problem("dangling-reference", f"机关“{agency}”不存在：plans/ 下的机关有 {known}")
    plan = data.plans.get(year)
    if plan is None:
        return where.problem("dangling-reference", f"机关 {agency} 没有 {year} 年度计划（plans/{agency}/{year}/plan.yaml）")
    task = next((t for t in plan.model.tasks if t.id == task_id), None)
    if task is None:
        known = "、".join(t.id for t in plan.model.tasks)
        return where.problem("dangling-reference", f"{agency} {year} 年度计划中没有任务“{task_id}”：有 {known}")
    return TaskRef(data, year, task)


def entries(ref: TaskRef) -> list[Entry] | None:
    """Drawn targets in draw order (a random task; None before its draw), else the targets the
    complaint or referral task names, labelled as not drawn."""
    task = ref.task
    if task.basis == "随机抽查":
        draw = ref.data.draws.get((ref.year, task.id))
        if draw is None:
            return None
        return [Entry(t["code"], t.get("name", ""), f"随机抽取（第 {t['rank']} 签）") for t in draw.data.get("targets", [])]
    names = target_names(ref.data, task.window.end)
    return [Entry(code, names.get(code, ""), f"{task.basis}（非随机）") for code in task.targets]
