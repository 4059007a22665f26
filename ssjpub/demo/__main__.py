"""python -m ssjpub.demo ROOT: write the demo data under ROOT/plans and ROOT/results."""

from __future__ import annotations

import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import yaml

from ssjpub import yamlwrite
from ssjpub.demo import data, tsa
from ssjpub.demo.fake import enterprise, h, person_name, pick
from ssjpub.draw.engine import execute
from ssjpub.draw.record import write_record
from ssjpub.lottery import draws_until, issue_for, on_schedule
from ssjpub.model import SNAPSHOT_COLUMNS, LotteryGame, LotteryGames
from ssjpub.spreadsheet import write_csv
from ssjpub.validate import validate

SNAPSHOT_SIZE = {"baofeng": 2600, "yanshi": 3400}
SNAPSHOTS = {"baofeng": [date(2024, 1, 5), date(2024, 7, 1)], "yanshi": [date(2023, 1, 10), date(2023, 7, 3)]}
PLACE = {"baofeng": "宝丰", "yanshi": "偃师"}
AREAS = {"baofeng": data.BAOFENG_AREAS, "yanshi": data.YANSHI_AREAS}


def write_yaml(root: Path, rel: str, schema: str, body: dict, comment: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    head = yamlwrite.schema_line(rel, schema)
    if comment:
        head += "".join(f"# {line}\n" for line in comment.splitlines())
    path.write_text(head + yamlwrite.dump(body), encoding="utf-8")


def snapshot_rows(agency: str, taken_on: date, index: int):
    """Each later snapshot adds ~3% new enterprises; status, grade and complaints move on."""
    agency_data = data.AGENCIES[agency]
    size = SNAPSHOT_SIZE[agency] * (100 + 3 * index) // 100
    era = taken_on.isoformat() if index else ""
    for serial in range(1, size + 1):
        e = enterprise(PLACE[agency], agency_data["division_code"], AREAS[agency], serial, era)
        if index and e.status == "注销" and h(agency, serial, "gone") % 2:
            continue  # deregistered and dropped from the later export
        yield e


def write_snapshot(root: Path, agency: str, taken_on: date, rows) -> None:
    text = write_csv([SNAPSHOT_COLUMNS, *(e.row() for e in sorted(rows, key=lambda e: e.credit_code))])
    path = root / "plans" / agency / "targets" / f"{taken_on.isoformat()}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# (head, deputy, staff ranks) of a department: the first two of each get the leading posts.
TITLES = {
    "baofeng": ("股长", "副股长", ["一级主任科员", "四级主任科员", "一级科员", "二级科员"]),
    "yanshi": ("科长", "副科长", ["一级主任科员", "四级主任科员", "一级科员", "二级科员"]),
}
TEAM_TITLES = ("大队长", "副大队长", ["执法队员", "四级主任科员", "一级科员"])


def inspectors(agency: str, first_snapshot: list) -> list[dict]:
    roles = data.ROLES[agency]
    a = data.AGENCIES[agency]
    seen_in: dict[str, int] = {}
    # Most inspectors sit in the inspection department; the others in the business departments.
    plan = ["inspection"] * 17 + ["social"] * 4 + ["market"] * 4 + ["skills"] * 3 + ["labour"] * 2
    people, names = [], set()
    for i, role in enumerate(plan, start=1):
        serial = i
        name, gender = person_name(agency, serial)
        while name in names:
            serial += 100
            name, gender = person_name(agency, serial)
        names.add(name)
        department = roles[role]
        unit = a["name"] if role != "inspection" or agency == "baofeng" else f"{a['name']}（{department}）"
        issued = 2019 + h(agency, i, "issued") % 5
        rank = seen_in[department] = seen_in.get(department, -1) + 1
        head, deputy, staff = TEAM_TITLES if department.endswith("大队") else TITLES[agency]
        title = head if rank == 0 else deputy if rank == 1 else pick(staff, agency, i, "title")
        person = {
            "id": f"{agency[:2].upper()}{i:03d}",
            "name": name,
            "gender": gender,
            "unit": unit,
            "title": title,
            "cert_no": f"豫人社监字第{a['division_code']}{issued % 100:02d}{i:03d}号",
            "cert_expires": date(issued + 5, 1 + h(agency, i, "m") % 12, 1 + h(agency, i, "d") % 28),
            "department": department,
            "qualifications": data.QUALIFICATIONS[role],
        }
        every, extra = data.CROSS_TRAINED.get(role, (0, []))
        if every and i % every == 0:
            person["qualifications"] = [*person["qualifications"], *extra]
        if i == 29:
            person["active"] = False  # transferred out: stays listed, never drawn
        if i in (5, 13, 21):
            code = first_snapshot[h(agency, i, "conflict") % len(first_snapshot)].credit_code
            person["conflicts"] = [code]
        people.append(person)
    return people


def checklist(agency: str) -> list[dict]:
    items = []
    for template in data.CHECKLIST:
        item = {k: v for k, v in template.items() if k != "role" and v is not None}
        item["department"] = data.ROLES[agency][template["role"]]
        ordered = {k: item[k] for k in ("id", "name", "sub_item", "category", "department", "basis", "content",
                                        "target_kind", "methods", "ratio", "frequency",
                                        "inspector_requirements") if k in item}
        items.append(ordered)
    return items


def results_for(task: dict, year: int) -> dict:
    start, end = task["window"]["start"], task["window"]["end"]
    rows = []
    for n, code in enumerate(task["targets"]):
        inspected = start + timedelta(days=20 + 30 * n)
        found = n % 2 == 0
        row = {"target": code, "inspected_on": inspected, "category": "发现问题已责令改正" if found else "未发现问题",
               "completed_on": inspected + timedelta(days=15 if found else 0)}
        if found:
            row["findings"], row["handling"] = data.finding_for(task["items"], task.get("method", "现场检查"), h(code, task["id"]))
            row["follow_up"] = {"visited_on": inspected + timedelta(days=30), "outcome": "已整改到位"}
        rows.append(row)
    completed = end
    return {"agency": None, "year": year, "task": task["id"], "completed_on": completed,
            "published_on": completed + timedelta(days=14), "archived_on": completed + timedelta(days=21),
            "results": rows}


# The national lottery each demo agency declares (plans/lottery-games.yaml), one per operator.
GAMES = {"baofeng": "双色球", "yanshi": "大乐透"}
GAMES_FILE = Path(__file__).resolve().parents[2] / "plans" / "lottery-games.yaml"  # the committed table


def game_named(name: str) -> LotteryGame:
    table = LotteryGames.model_validate(yaml.safe_load(GAMES_FILE.read_text(encoding="utf-8")))
    return table.get(name)


def lottery_game(agency: str) -> LotteryGame:
    return game_named(GAMES[agency])


def declare_randomness(agency: str, task: dict) -> dict | list[dict]:
    """The public sources, declared in the plan before they exist: the game's next draw day
    about a week before the task starts. Every task declares that lottery draw, which nobody in
    the bureau controls; all but each year's first also hold a witnessed ceremony the day
    before the lottery is drawn (never after it: ceremony-after-lottery) (RFC 3797: several independent sources, combined)."""
    game = lottery_game(agency)
    on = task["window"]["start"] - timedelta(days=7)
    while not on_schedule(game, on):
        on += timedelta(days=1)
    # The year's scheduled draws up to that day (the demo ignores the 春节 break).
    lottery = {"kind": "公开开奖", "game": game.name, "source": f"{game.operator}{game.name}（演示：号码为虚构）",
               "issue": issue_for(game, on, draws_until(game, on)), "expected_on": on}
    if task["id"].endswith("-01"):
        return lottery
    office = data.AGENCIES[agency]["short_name"]
    ceremony = {"kind": "公开摇号", "source": f"{office}“双随机”公开摇号会（演示，开奖前一天）",
                "expected_on": on - timedelta(days=1), "place": f"{office}会议室", "witnesses": ["司法局派员（演示）", "企业代表（演示）"]}
    return [ceremony, lottery]


def source_values(agency: str, task_id: str, declared: dict) -> dict:
    """One source's public values: fictional, within the game's rules for a lottery."""
    body = {"announced_on": declared["expected_on"]}
    if declared["kind"] == "公开开奖":
        numbers: dict[str, list[int]] = {}
        # The declared game's numbers; a declaration without a game (bench/synth.py's agencies,
        # which are not demo agencies) gets 双色球's.
        for group in game_named(declared.get("game") or "双色球").groups:
            drawn, k = [], 0
            taken = numbers.get(group.not_in, []) if group.not_in else []
            while len(drawn) < group.count:
                n = group.min + h(agency, task_id, group.name, k) % (group.max - group.min + 1)
                k += 1
                if not (group.distinct and n in drawn) and n not in taken:
                    drawn.append(n)
            numbers[group.name] = drawn
        body["numbers"] = list(numbers.values())
        body["evidence"] = "演示数据：号码为虚构，并非真实开奖结果"
    else:
        body["digits"] = "".join(str(h(agency, task_id, "digit", i) % 10) for i in range(24))
        body["evidence"] = "演示数据：摇号记录为虚构"
    return body


def randomness_values(agency: str, year: int, task: dict) -> dict:
    declared = task["randomness"]
    head = {"agency": agency, "year": year, "task": task["id"]}
    if isinstance(declared, list):
        return {**head, "sources": [source_values(agency, task["id"], d) for d in declared]}
    return {**head, **source_values(agency, task["id"], declared)}


def random_results(record: dict, task: dict, year: int) -> dict:
    """Fictional results for every drawn target: mostly clean, some problems put right."""
    end = task["window"]["end"]
    span = (end - task["window"]["start"]).days
    rows = []
    for n, target in enumerate(record["targets"]):
        inspected = task["window"]["start"] + timedelta(days=h(target["code"], task["id"]) % max(span, 1))
        roll = h(target["code"], task["id"], "result") % 20
        row = {"target": target["code"], "inspected_on": inspected}
        if roll < 13:
            row.update(category="未发现问题", completed_on=inspected)
        elif roll < 17:
            findings, handling = data.finding_for(task["items"], task["method"], h(target["code"], task["id"], "finding"))
            row.update(category="发现问题已责令改正", completed_on=min(end, inspected + timedelta(days=10)),
                       findings=findings, handling=handling,
                       follow_up={"visited_on": min(end, inspected + timedelta(days=20)), "outcome": "已整改到位"})
        elif roll < 18:
            findings, _ = data.finding_for(task["items"], task["method"], h(target["code"], task["id"], "finding"))
            row.update(category="责令改正", completed_on=min(end, inspected + timedelta(days=15)),
                       findings=findings, handling="下达《劳动保障监察限期整改指令书》，整改期限内尚未复查")
        elif roll < 19:
            row.update(category="已关闭停业或正在清算", completed_on=inspected)
        else:
            row.update(category="未发现开展本次抽查涉及的经营活动", completed_on=inspected)
        if n == 4 and record["task"].endswith("-03"):  # one result kept closed by law, as S0 三（五） allows
            # Only the category and why: the file is public, so what is withheld is never written.
            row = {"target": target["code"], "inspected_on": inspected, "category": "责令改正",
                   "completed_on": min(end, inspected + timedelta(days=15)),
                   "withheld": {"reason": "检查发现的问题涉及该单位的商业秘密",
                                "legal_basis": "《中华人民共和国政府信息公开条例》第十五条", "approved_by": "局办公室"}}
        rows.append(row)
    return {"agency": record["agency"], "year": year, "task": task["id"], "completed_on": end,
            "published_on": end + timedelta(days=14), "archived_on": end + timedelta(days=21), "results": rows}


def main(root: Path) -> None:
    write_yaml(root, "plans/result-categories.yaml", "result-categories",
               {"categories": [{"name": n, "found_problem": f, **({"description": d} if d else {})}
                               for n, f, d in data.RESULT_CATEGORIES]},
               "检查结果类别：封闭列表，结果文件只能使用这里列出的类别。")
    if (root / "plans" / "lottery-games.yaml").resolve() != GAMES_FILE:  # the table is staff-kept, not generated
        shutil.copyfile(GAMES_FILE, root / "plans" / "lottery-games.yaml")
    plans = data.plans()
    for agency, agency_info in data.AGENCIES.items():
        write_yaml(root, f"plans/{agency}/agency.yaml", "agency", agency_info,
                   "演示数据：机关信息。股室名称以 S0/S1 原文为准，其余为虚构。")
        ca = root / agency_info["timestamp"]["ca_certificate"]  # the demo TSA's CA (ssjpub/demo/tsa)
        ca.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tsa.CA_CERT, ca)
        snapshots = []
        for index, taken_on in enumerate(SNAPSHOTS[agency]):
            rows = list(snapshot_rows(agency, taken_on, index))
            write_snapshot(root, agency, taken_on, rows)
            snapshots.append(rows)
        first = snapshots[0]
        updated = SNAPSHOTS[agency][0]
        write_yaml(root, f"plans/{agency}/checklist.yaml", "checklist",
                   {"agency": agency, "updated_on": updated, "items": checklist(agency)},
                   "随机抽查事项清单（一单）。演示数据。")
        write_yaml(root, f"plans/{agency}/inspectors.yaml", "inspectors",
                   {"agency": agency, "updated_on": updated, "inspectors": inspectors(agency, first)},
                   "执法检查人员名录库。演示数据：姓名、证号均为虚构。")
        for (plan_agency, year), plan in plans.items():
            if plan_agency != agency:
                continue
            complained = [e.credit_code for e in first if e.complaints >= 3 and e.status == "在营"]
            for t in plan["tasks"]:
                if "basis" not in t:
                    t["randomness"] = declare_randomness(agency, t)
                    write_yaml(root, f"plans/{agency}/{year}/randomness/{t['id']}.yaml", "randomness",
                               randomness_values(agency, year, t),
                               "公开随机数：开奖（摇号）之后提交。演示数据。")
                if t.get("basis") in ("投诉举报", "转办交办"):
                    t["targets"] = complained[: 2 + h(agency, t["id"]) % 2]
                    res = results_for(t, year)
                    res["agency"] = agency
                    write_yaml(root, f"results/{agency}/{year}/{t['id']}.yaml", "results", res,
                               "检查结果。演示数据。")
            write_yaml(root, f"plans/{agency}/{year}/plan.yaml", "plan", plan,
                       "年度抽查工作计划。演示数据：文号中的“示”表示虚构。")
    # Draws in plan order, each seeing the records before it (the yearly cap, last inspectors).
    for (agency, year), plan in plans.items():
        for t in plan["tasks"]:
            if "basis" in t:
                continue
            repo, problems = validate(root)
            if problems:
                raise SystemExit("\n".join(f"{p.file}:{p.line}: {p.code} {p.message}" for p in problems))
            record = execute(repo, agency, year, t["id"])
            write_record(root, record)
            write_yaml(root, f"results/{agency}/{year}/{t['id']}.yaml", "results",
                       random_results(record, t, year), "检查结果。演示数据。")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
