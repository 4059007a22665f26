"""python -m ssjpub.demo.replay DEST: the demo replayed into a new git repository, commit by commit,
in the order a bureau works (README, docs/staff-guide.md), so that `ssjpub verify --history` there
proves the order of every draw:

    the repository (theme, pages, checklist, rosters)        a week before the first event
    each snapshot                                           on the day it was taken
    the plan, with the declarations of the tasks whose      on its published_on; a task whose
      snapshot is already committed                           snapshot comes later is declared the
                                                              day that snapshot lands
    the trusted timestamps of those declarations            20 minutes later
    each task's public values                               the evening of the declared draw day
    each draw record                                        the next morning
    each task's results                                     on their published_on

The dates are those the data states (set as author and committer dates); the checks never trust
them, and the order holds along the commit graph whatever they say. Data whose own dates
contradict this order (a plan published after its first draw) is refused, not replayed.

The timestamps are real RFC 3161 tokens: `ssjpub timestamp --pending`, as CI runs it when a
declaration lands, asks the demo TSA (ssjpub/demo/tsa: `openssl ts -reply`), both with the clock set
by faketime to that moment. Every file but the tokens is the same on every run; the tokens differ
in their nonce (the client draws one per request), so the commits from the first 可信时间戳 commit
on get other ids each run. genTime, serial numbers and every commit's date, message and other files
do not change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ssjpub.demo.tsa import DemoTSA, TSAUnavailable, run_at
from ssjpub.timestamp.files import CHINA, record_file, token_file
from ssjpub.validate import validate

AUTHOR = {"GIT_AUTHOR_NAME": "演示工作人员", "GIT_AUTHOR_EMAIL": "demo@example.invalid",
          "GIT_COMMITTER_NAME": "演示工作人员", "GIT_COMMITTER_EMAIL": "demo@example.invalid"}

# Within one moment, the order of kinds: a snapshot before the plan that names it, the values
# before the record drawn from them.
_SNAPSHOT, _PLAN, _TIMESTAMP, _VALUES, _DRAW, _RESULTS = range(6)
# After a declaration is committed, CI asks the TSA (at _ASKED) and commits the tokens (at _STAMPED).
_ASKED, _STAMPED = timedelta(minutes=15), timedelta(minutes=20)


class ReplayError(Exception):
    pass


@dataclass(order=True)
class Event:
    when: datetime
    kind: int
    message: str = field(compare=False)
    files: dict[str, bytes] = field(compare=False)  # repository path -> content
    stamps: tuple[str, ...] = field(default=(), compare=False)  # token files `ssjpub timestamp` must write


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def plan_text(text: str, tasks: set[str]) -> str:
    """The plan file with only the named tasks (the file's own bytes, blocks in their order)."""
    head, sep, body = text.partition("\ntasks:\n")
    if not sep:
        raise ReplayError("计划文件中没有“tasks:”")
    blocks, current = [], ""
    for line in body.splitlines(keepends=True):
        if line.startswith("- id: ") and current:
            blocks.append(current)
            current = ""
        current += line
    if current:
        blocks.append(current)
    kept = [b for b in blocks if b[len("- id: "):].split("\n", 1)[0].strip().strip("'\"") in tasks]
    return head + sep + ("".join(kept) if kept else "")


def events(source: Path) -> tuple[list[str], list[Event]]:
    """The files of the first commit, and every later commit of the replay, in order."""
    repo, problems = validate(source)
    errors = [p for p in problems if p.severity.value == "error"]
    if errors:
        raise ReplayError(f"演示数据未通过校验（{len(errors)} 个错误）：先运行 ssjpub validate")
    # The work tree as it is (committed or not, never what .gitignore leaves out).
    tracked = subprocess.run(["git", "-C", str(source), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True).stdout
    sequenced: set[str] = set()
    out: list[Event] = []

    def read(rel: str) -> bytes:
        sequenced.add(rel)
        return (source / rel).read_bytes()

    for code, data in sorted(repo.agencies.items()):
        snapshot_days = {}
        for day in sorted(data.snapshots):
            rel = f"plans/{code}/targets/{day.isoformat()}.csv"
            snapshot_days[day] = _at(day, 9)  # exported in the morning
            out.append(Event(snapshot_days[day], _SNAPSHOT, f"{code}：检查对象名录快照 {day.isoformat()}", {rel: read(rel)}))
        for year, loaded in sorted(data.plans.items()):
            plan, plan_rel = loaded.model, f"plans/{code}/{year}/plan.yaml"
            text = read(plan_rel).decode("utf-8")
            published = _at(plan.published_on, 10)
            # Each task is declared once its snapshot is in the repository: with the plan, or the
            # evening its snapshot lands.
            declared: dict[datetime, set[str]] = {}
            for task in plan.tasks:
                snap = snapshot_days.get(task.snapshot) if task.snapshot else None
                when = max(published, snap + timedelta(hours=1)) if snap else published
                declared.setdefault(when, set()).add(task.id)
                # Its timestamp must be older than the draw day (ssjpub.timestamp.check.declared_deadline).
                first = task.earliest_source()
                if first is not None and when + _ASKED >= _at(first[1].expected_on, 0):
                    raise ReplayError(
                        f"{plan_rel}：任务 {task.id} 的随机数来源声明（{when:%Y-%m-%d}）不早于开奖（摇号）日期 "
                        f"{first[1].expected_on.isoformat()}，可信时间戳无从证明它在开奖之前：演示数据的日期自相矛盾")
            so_far: set[str] = set()
            for when in sorted(declared):
                so_far |= declared[when]
                first = not (so_far - declared[when])
                message = (f"{code}：{year} 年度抽查工作计划及随机数来源声明" if first
                           else f"{code}：{year} 年度计划增加任务 {'、'.join(sorted(declared[when]))}（名录快照已提交）")
                out.append(Event(when, _PLAN, message, {plan_rel: plan_text(text, so_far).encode("utf-8")}))
                stamped = sorted(t.id for t in plan.tasks if t.id in declared[when] and t.randomness is not None)
                if stamped:
                    for task_id in stamped:
                        sequenced |= {token_file(code, year, task_id), record_file(code, year, task_id)}
                    out.append(Event(when + _STAMPED, _TIMESTAMP,
                                     f"{code}：任务 {'、'.join(stamped)} 的可信时间戳（ssjpub timestamp --pending）", {},
                                     tuple(token_file(code, year, task_id) for task_id in stamped)))
            sequenced.add(plan_rel)
        for (year, task_id), values in sorted(data.randomness.items()):
            task = next(t for t in data.plans[year].model.tasks if t.id == task_id)
            rel = values.file
            last = max(s.expected_on for s in task.sources)  # the values exist once every source has drawn
            kinds = "、".join(s.kind for s in task.sources)
            out.append(Event(_at(last, 21, 45), _VALUES, f"{code}：任务 {task_id} 的公开随机数（{kinds}）", {rel: read(rel)}))
            record = data.draws.get((year, task_id))
            if record is not None:
                files = {record.file: read(record.file)}
                if record.yaml_file:
                    files[record.yaml_file] = read(record.yaml_file)
                out.append(Event(_at(last + timedelta(days=1), 9, 30), _DRAW,
                                 f"{code}：任务 {task_id} 的抽取记录（ssjpub draw）", files))
        for (year, task_id), results in sorted(data.results.items()):
            rel = results.file
            out.append(Event(_at(results.model.published_on, 10), _RESULTS,
                             f"{code}：任务 {task_id} 的检查结果公示", {rel: read(rel)}))
    base = sorted({p for p in tracked.decode("utf-8").split("\0")
                   if p and p not in sequenced and (source / p).is_file() and not (source / p).is_symlink()})
    return base, sorted(out)


def _git(dest: Path, *args: str, when: datetime | None = None) -> None:
    env = dict(os.environ, **AUTHOR)
    if when is not None:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(["git", "-C", str(dest), *args], env=env, check=True, capture_output=True)


def _timestamp(dest: Path, tsa: DemoTSA, event: Event) -> None:
    """What CI does when a declaration lands on main, at the moment it would: `ssjpub timestamp
    --pending` (the real command, its clock set too, since it skips tasks whose draw day is past)."""
    tsa.clock = (event.when - _STAMPED + _ASKED).replace(tzinfo=CHINA)
    done = run_at(tsa.clock, sys.executable, "-m", "ssjpub", "timestamp", "--pending", "--root", dest,
                  frozen=False, text=True)
    missing = [rel for rel in event.stamps if not (dest / rel).is_file()]
    if done.returncode != 0 or missing:
        raise ReplayError(f"ssjpub timestamp --pending 未取得{'、'.join(missing) or '时间戳'}：{done.stdout}{done.stderr}")


def replay(source: Path, dest: Path) -> int:
    """Write the replayed repository to `dest` (which must not exist); the number of commits."""
    if dest.exists():
        raise ReplayError(f"{dest} 已存在：请换一个目录，或先删除它")
    base, later = events(source)
    try:
        with DemoTSA() as tsa:
            return _commit_all(source, dest, base, later, tsa)
    except BaseException as exc:
        shutil.rmtree(dest, ignore_errors=True)  # nothing half-replayed is left to be mistaken for the demo
        if isinstance(exc, TSAUnavailable):
            raise ReplayError(str(exc)) from None
        raise


def _commit_all(source: Path, dest: Path, base: list[str], later: list[Event], tsa: DemoTSA) -> int:
    dest.mkdir(parents=True)
    _git(dest, "init", "-q", "-b", "main")
    for rel in base:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / rel, target)
    first = (later[0].when if later else datetime(2000, 1, 1)) - timedelta(days=7)
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "建立公示仓库：说明页面、网站主题、事项清单和执法检查人员名录", when=first)
    for event in later:
        if event.kind == _TIMESTAMP:
            _timestamp(dest, tsa, event)
        for rel, content in event.files.items():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        _git(dest, "add", "-A")
        _git(dest, "commit", "-q", "-m", event.message, when=event.when)
    return 1 + len(later)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("用法：python -m ssjpub.demo.replay 目标目录", file=sys.stderr)
        return 2
    source = Path(__file__).resolve().parents[2]
    try:
        count = replay(source, Path(argv[0]))
    except ReplayError as exc:
        print(f"无法重放演示数据：{exc}", file=sys.stderr)
        return 1
    print(f"已在 {argv[0]} 按顺序提交 {count} 次：名录快照和计划（含随机数来源声明）→ 可信时间戳 → 公开随机数 → 抽取记录"
          " → 检查结果。")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
