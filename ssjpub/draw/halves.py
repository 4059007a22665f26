"""Draw records left incomplete by a crash, found and, where it is safe, cleared for a redo.

`ssjpub draw` writes a record as two files, ``<task>.yaml`` (the staff copy) and
``<task>.json`` (the record), each staged as a hidden temporary file and then renamed: the YAML
copy first, the JSON last. The JSON rename is the commit point: before it the draw has not
happened, after it both files are complete. Only a hard crash between the two renames (or
while staging) leaves something else behind: a YAML copy without its record, or a temporary
file. A record without its YAML copy never comes from `ssjpub draw`; it is reported the same way.

Such a leftover is safe to remove and redo when git does not hold it (the draw never reached
anyone); when git does, a published record has lost its other half, and nothing is removed.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ssjpub.atomicfile import TEMP_MARK
from ssjpub.problems import Pos, Problem

_TEMP = re.compile(rf"^\.(?P<task>[a-z0-9][a-z0-9-]*)\.(?:json|yaml){re.escape(TEMP_MARK)}")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Half:
    path: Path
    task: str
    kind: str  # "temp", "yaml-only" or "json-only"


def find(folder: Path) -> list[Half]:
    """Every leftover in one draws/ folder, in name order."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        m = _TEMP.match(path.name)
        if m and path.is_file():
            found.append(Half(path, m["task"], "temp"))
        elif path.suffix in (".json", ".yaml") and _SLUG.match(path.stem) and path.is_file():
            other = path.with_suffix(".yaml" if path.suffix == ".json" else ".json")
            if not other.is_file():
                found.append(Half(path, path.stem, path.suffix[1:] + "-only"))
    return found


def _in_git_work_tree(root: Path) -> bool:
    return any((folder / ".git").exists() for folder in (root, *root.parents))


def _git_names(root: Path, *args: str) -> set[str]:
    out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True).stdout
    return {name for name in out.decode("utf-8", "surrogateescape").split("\0") if name}


def tracked(root: Path, rels: list[str]) -> set[str] | None:
    """Which of ``rels`` git holds, committed or staged; None when git cannot say (then nothing
    may be removed). Outside any git work tree, none."""
    if not rels:
        return set()
    if not _in_git_work_tree(root):
        return set()
    try:
        held = _git_names(root, "ls-files", "-z", "--", *rels)
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True)
        if head.returncode == 0:  # a repository without commits has no HEAD
            held |= _git_names(root, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", *rels)
    except (OSError, subprocess.CalledProcessError):
        return None
    return held & set(rels)


_WHAT = {
    "temp": "是 ssjpub draw 写到一半的临时文件",
    "yaml-only": "是抽取记录的 YAML 副本，却没有同名的 .json 抽取记录",
    "json-only": "是抽取记录，却没有同名的 .yaml 副本",
}


def _problem(rel: str, half: Half, redo: str, held: set[str] | None) -> Problem:
    what = f"抽取记录不完整：{half.path.name} {_WHAT[half.kind]}"
    if held is None:
        how = "无法用 git 确认它是否已提交，请先查明，不要直接删除"
    elif rel in held:
        how = ("它已提交到 git：已发布的抽取记录缺了一半，不能重抽；请查明是哪次提交删去或漏交了另一半，"
               "用 git 恢复它（已发布的抽取只增不改）")
    elif half.kind == "temp" and (half.path.parent / f"{half.task}.json").is_file():
        how = "它从未生效，抽取记录本身是完整的：可以直接删除这个临时文件"
    else:
        how = (f"这通常是抽取中途被中断留下的。JSON 记录最后写入，是抽取完成的标志，这次抽取从未完成，也未提交到 git，"
               f"可以放心重做：运行 ssjpub {redo}，会先删除它再重新抽取")
    return Pos(rel).problem("draw-incomplete", f"{what}。{how}")


def problems(root: Path, folder: Path, agency: str, year: int) -> list[Problem]:
    """Every leftover of one draws/ folder as a problem (`ssjpub validate`)."""
    halves = find(folder)
    if not halves:
        return []
    rels = [h.path.relative_to(root).as_posix() for h in halves]
    held = tracked(root, rels)
    return [_problem(rel, h, f"draw {agency}/{year}/{h.task}", held) for rel, h in zip(rels, halves)]


def clear(root: Path, agency: str, year: int, task: str) -> tuple[list[str], list[Problem]]:
    """Before drawing ``task``: remove its leftovers that git does not hold (returned), or, when
    git holds one or cannot say, remove nothing and return the problems."""
    if not (_SLUG.match(agency) and _SLUG.match(task)):  # not a task at all; never a path outside plans/
        return [], []
    halves = [h for h in find(root / "plans" / agency / str(year) / "draws") if h.task == task]
    rels = [h.path.relative_to(root).as_posix() for h in halves]
    held = tracked(root, rels)
    if held is None or held:
        redo = f"draw {agency}/{year}/{task}"
        return [], [_problem(rel, h, redo, held) for rel, h in zip(rels, halves) if held is None or rel in held]
    for h in halves:
        h.path.unlink()
    return rels, []
