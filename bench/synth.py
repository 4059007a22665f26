"""Synthetic ssjpub repositories at county, city and province scale, for `make bench`.

    .venv/bin/python bench/synth.py county   [OUT]    1 agency,     5,000 enterprises
    .venv/bin/python bench/synth.py city     [OUT]   10 agencies, 100,000 enterprises
    .venv/bin/python bench/synth.py province [OUT]  the province draw only (see below)

OUT defaults to bench/data/<scale> (git-ignored). Everything is fictional and deterministic: the
same code writes the same bytes and the same git commits (fixed author, dates and messages), so
the commit hash printed at the end identifies the data set.

Each agency has 10,000 enterprises (county: 5,000) made by ssjpub.demo.fake.enterprise() — valid
credit codes containing DEM0, the demo's industry, grade and status mix, twelve to seventeen areas —
two target-directory snapshots a year (January and July; 1 % of enterprises leave and 1 % arrive
every half-year, 5 % change grade, complaints or status), the demo's checklist and a 30-person
inspector directory with three declared conflicts. Every year (2016–2025) has an annual plan of
20 random tasks (joint items, grade strata, industry and area scopes, integer weights, batches;
their public randomness declared in the plan, lottery or ceremony) and one complaint case; the
draws are executed in plan order, across years, by ssjpub's own engine
(ssjpub.draw.engine.execute + ssjpub.draw.record.write_record), and every drawn enterprise gets a
result. The files are committed one commit per year (the inputs, randomness, draws and results
of that year), so the site sees a git history.

Generation loads the repository once per agency without its snapshots (the engine gets them from
memory, byte-identical to the CSV written), and agencies are generated in parallel (--jobs). It
does not validate: `ssjpub verify` and `ssjpub check` on the result are what the benchmark measures.

Province: a full 100-agency, 10-year repository would be 20,000 draws and about 4 GB of files
(10x the city); `make bench` does not build it. `province` writes what the province draw needs:
one province-wide agency whose single snapshot holds all 1,000,000 enterprises of the 100
agencies, and one task drawing 5 % of them (weighted), ready for `ssjpub draw`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import Pool
from pathlib import Path

from ssjpub.demo import data as demo
from ssjpub.demo.__main__ import GAMES_FILE, game_named, random_results, randomness_values, results_for, write_yaml
from ssjpub.demo.fake import enterprise, h, person_name, pick
from ssjpub.draw.engine import execute
from ssjpub.draw.record import record_paths, write_record
from ssjpub.loader.repository import DrawFile, load_repository
from ssjpub.lottery import draws_until, issue_for, on_schedule
from ssjpub.model import SNAPSHOT_COLUMNS, Snapshot, Target

HERE = Path(__file__).resolve().parent
FIRST_YEAR = 2016
GAME = "双色球"  # the lottery every synthetic plan declares
STAMP = ".synth.json"  # written last: its presence means the data set is complete


@dataclass(frozen=True)
class Scale:
    name: str
    agencies: int
    enterprises: int  # in all agencies together
    years: int = 10
    tasks: int = 20  # random tasks per agency and year (plus one complaint case)


SCALES = {
    "county": Scale("county", 1, 5_000),
    "city": Scale("city", 10, 100_000),
    "province": Scale("province", 100, 1_000_000),
}

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..199 in Chinese numerals: 一, 十, 十一, 二十三, 一百, 一百零五."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class AgencySpec:
    index: int
    code: str
    division: str
    place: str
    size: int
    areas: list[tuple[str, int]]


def agency_spec(scale: Scale, index: int) -> AgencySpec:
    """Agency `index` of a province of 10 cities of 10 counties: the county is the city's first
    county, the city the province's first city. Division codes 4190xx–4199xx are fictional."""
    city, county = divmod(index, 10)
    division = f"41{90 + city:02d}{1 + county:02d}"
    areas = demo.BAOFENG_AREAS if index % 2 == 0 else demo.YANSHI_AREAS
    return AgencySpec(index, f"x{division}", division, f"样本{chinese_number(index + 1)}县",
                      scale.enterprises // scale.agencies, areas)


ROLES = demo.ROLES["baofeng"]
KEY_WEIGHTS = {"grade": {"C": 3}, "complaints": {"at_least": 3, "weight": 2}, "serious_violation": 3}
STRATA = {"by": "grade", "ratios": {"A": "5%", "B": "5%", "C": "20%"}}


def area_groups(spec: AgencySpec, parts: int) -> list[list[str]]:
    names = [a for a, _ in spec.areas]
    return [names[g::parts] for g in range(parts)]


def task_templates(spec: AgencySpec) -> list[dict]:
    """The year's 20 random tasks, in plan (and time) order: each checklist item at least at its
    checklist ratio, split by area so that a task is a month's work for the inspection team."""
    quarter, half = area_groups(spec, 4), area_groups(spec, 2)
    building = {"industries": ["建筑业"]}

    def t(name, items, roles, **extra):
        return {"name": name, "items": items, "departments": [ROLES[r] for r in roles], **extra}

    joint = ("劳动合同、工资支付和工作时间联合随机抽查", ["LD-01", "LD-02", "LD-03"], ["inspection", "labour"])
    social = ("社会保险参保缴费随机抽查", ["SB-01"], ["social", "inspection"])
    return [
        t("春节前工程建设领域农民工工资支付随机抽查", ["NM-01"], ["inspection"], scope=building, ratio="20%",
          weights=KEY_WEIGHTS),
        *[t(f"{joint[0]}（第 {g + 1} 片区）", joint[1], joint[2], scope={"areas": quarter[g]}, strata=STRATA,
            weights={"complaints": {"at_least": 3, "weight": 2}, "serious_violation": 3}) for g in range(2)],
        *[t(f"{social[0]}（第 {g + 1} 片区）", social[1], social[2], scope={"areas": quarter[g]}, ratio="10%",
            method="书面检查", weights=KEY_WEIGHTS, batches=3) for g in range(2)],
        t("招用人员遵守就业促进法律法规情况随机抽查（上半年）", ["JY-01"], ["employment", "inspection"],
          scope={"areas": half[0]}, ratio="5%", method="网络检查", weights=KEY_WEIGHTS),
        t("人力资源服务机构和劳务派遣单位随机抽查", ["RL-01", "PQ-01"], ["market"],
          scope={"industries": ["租赁和商务服务业"]}, ratio="10%", weights=KEY_WEIGHTS),
        t("女职工和未成年工特殊劳动保护、禁止使用童工随机抽查（上半年）", ["LD-04", "LD-05"], ["inspection"],
          scope={"areas": half[0], "industries": ["制造业", "住宿和餐饮业"]}, ratio="5%", weights=KEY_WEIGHTS),
        t("年中工程建设领域农民工工资支付随机抽查", ["NM-01"], ["inspection"], scope=building, ratio="20%",
          weights=KEY_WEIGHTS),
        *[t(f"{joint[0]}（第 {g + 1} 片区）", joint[1], joint[2], scope={"areas": quarter[g]}, strata=STRATA,
            weights={"complaints": {"at_least": 3, "weight": 2}, "serious_violation": 3}) for g in (2, 3)],
        *[t(f"{social[0]}（第 {g + 1} 片区）", social[1], social[2], scope={"areas": quarter[g]}, ratio="10%",
            method="书面检查", weights=KEY_WEIGHTS, batches=3) for g in (2, 3)],
        t("招用人员遵守就业促进法律法规情况随机抽查（下半年）", ["JY-01"], ["employment", "inspection"],
          scope={"areas": half[1]}, ratio="5%", method="网络检查", weights=KEY_WEIGHTS),
        t("民办职业技能培训机构随机抽查", ["PX-01"], ["skills"], scope={"industries": ["教育"]}, ratio="10%",
          weights=KEY_WEIGHTS),
        t("女职工和未成年工特殊劳动保护、禁止使用童工随机抽查（下半年）", ["LD-04", "LD-05"], ["inspection"],
          scope={"areas": half[1], "industries": ["制造业", "住宿和餐饮业"]}, ratio="5%", weights=KEY_WEIGHTS),
        t("秋季工程建设领域农民工工资支付随机抽查", ["NM-01"], ["inspection"], scope=building, ratio="20%",
          weights=KEY_WEIGHTS),
        t("住宿餐饮业工作时间和休息休假随机抽查", ["LD-03"], ["inspection"],
          scope={"industries": ["住宿和餐饮业"]}, ratio="5%", weights=KEY_WEIGHTS),
        t("物业、保安和家政服务企业工资支付随机抽查", ["LD-02"], ["inspection"],
          scope={"industries": ["租赁和商务服务业", "居民服务、修理和其他服务业"]}, ratio="5%",
          weights=KEY_WEIGHTS),
        t("冬季工程建设领域农民工工资支付随机抽查", ["NM-01"], ["inspection"], scope=building, ratio="20%",
          weights=KEY_WEIGHTS),
    ]


def snapshot_days(year: int) -> list[date]:
    return [date(year, 1, 2), date(year, 7, 1)]


def lottery_source(on: date) -> dict:
    """A 双色球 draw declared as the validator asks: its game, on its first scheduled day from
    `on`, with that draw's issue number."""
    game = game_named(GAME)
    while not on_schedule(game, on):
        on += timedelta(days=1)
    return {"kind": "公开开奖", "game": game.name, "source": "中国福利彩票双色球（演示：号码为虚构）",
            "issue": issue_for(game, on, draws_until(game, on)), "expected_on": on}


def plan_for(spec: AgencySpec, year: int, first_snapshot: list[Target]) -> dict:
    tasks = []
    for k, template in enumerate(task_templates(spec)):
        start = date(year, 1, 15) + timedelta(days=16 * k)
        declared_on = start - timedelta(days=7)
        s1, s2 = snapshot_days(year)
        task = {"id": f"{year}-{k + 1:02d}", **{key: v for key, v in template.items() if key != "method"}}
        task["snapshot"] = s2 if declared_on >= s2 else s1
        task["window"] = {"start": start, "end": start + timedelta(days=34)}
        task["method"] = template.get("method", "现场检查")
        if k % 5 == 0:
            task["randomness"] = lottery_source(declared_on)
        else:
            task["randomness"] = {"kind": "公开摇号", "source": f"{spec.place}人社局“双随机”公开摇号会（演示）",
                                  "expected_on": declared_on, "place": f"{spec.place}人社局会议室",
                                  "witnesses": ["司法局派员（演示）", "企业代表（演示）"]}
        tasks.append(task)
    complained = [e.credit_code for e in first_snapshot if e.complaints >= 3 and e.status == "在营"]
    tasks.append({"id": f"{year}-{len(tasks) + 1:02d}", "name": "投诉举报线索核查（非随机）", "items": ["LD-02"],
                  "departments": [ROLES["inspection"]], "basis": "投诉举报",
                  "targets": (complained[h(spec.code, year) % 50:] or complained)[:3],
                  "window": {"start": date(year, 3, 1), "end": date(year, 12, 31)}, "method": "现场检查"})
    office = ROLES["inspection"]
    return {"agency": spec.code, "year": year,
            "title": f"{spec.place}人力资源和社会保障局 {year} 年度“双随机、一公开”抽查工作计划（虚构）",
            "doc_number": f"样人社〔{year}〕示{1 + spec.index}号", "lead_department": office, "reported_to": office,
            "reported_on": date(year, 1, 4), "published_on": date(year, 1, 6), "tasks": tasks}


def agency_body(spec: AgencySpec) -> dict:
    return {"code": spec.code, "name": f"{spec.place}人力资源和社会保障局（虚构）", "short_name": f"{spec.place}人社局",
            "division_code": spec.division, "parent": "样本市人力资源和社会保障局（虚构）",
            "lead_department": ROLES["inspection"], "plan_office": ROLES["inspection"],
            "departments": demo.AGENCIES["baofeng"]["departments"]}


def checklist_items() -> list[dict]:
    items = []
    for template in demo.CHECKLIST:
        item = {k: v for k, v in template.items() if k != "role" and v is not None}
        item["department"] = ROLES[template["role"]]
        items.append({k: item[k] for k in ("id", "name", "sub_item", "category", "department", "basis", "content",
                                           "target_kind", "methods", "ratio", "frequency",
                                           "inspector_requirements") if k in item})
    return items


def inspectors(spec: AgencySpec, codes: list[str]) -> list[dict]:
    """30 people, most in the inspection department; three declare a conflict with an enterprise."""
    plan = ["inspection"] * 14 + ["social"] * 5 + ["market"] * 5 + ["skills"] * 4 + ["labour"] * 2
    titles = {0: "股长", 1: "副股长"}
    people, names, rank = [], set(), {}
    for i, role in enumerate(plan, start=1):
        serial = i
        name, gender = person_name(spec.code, serial)
        while name in names:
            serial += 100
            name, gender = person_name(spec.code, serial)
        names.add(name)
        department = ROLES[role]
        r = rank[department] = rank.get(department, -1) + 1
        person = {
            "id": f"P{i:03d}", "name": name, "gender": gender, "unit": f"{spec.place}人力资源和社会保障局（虚构）",
            "title": titles.get(r, pick(["一级主任科员", "四级主任科员", "一级科员", "二级科员"], spec.code, i)),
            "cert_no": f"样人社监字第{spec.division}{i:03d}号（虚构）",
            "cert_expires": date(2027 + h(spec.code, i, "y") % 4, 1 + h(spec.code, i, "m") % 12,
                                 1 + h(spec.code, i, "d") % 28),
            "department": department, "qualifications": demo.QUALIFICATIONS[role],
        }
        if i in (5, 13, 21):
            person["conflicts"] = [codes[h(spec.code, i, "conflict") % len(codes)]]
        people.append(person)
    return people


def populations(spec: AgencySpec, days: list[date]):
    """(day, rows sorted by credit code) for every snapshot: each half-year 1 % leave (status 注销,
    dropped from the next export), 5 % change grade, complaints or status, 1 % arrive."""
    current: dict[int, Target] = {}
    place, division, areas = spec.place, spec.division, spec.areas
    arrivals = spec.size // 100
    serial = 0
    for k, day in enumerate(days):
        if k == 0:
            for serial in range(1, spec.size + 1):
                current[serial] = enterprise(place, division, areas, serial)
        else:
            for s in [s for s, e in current.items() if e.status == "注销"]:
                del current[s]
            for s, e in current.items():
                roll = h(place, s, k, "evolve") % 100
                if roll == 0:
                    current[s] = e._replace(status="注销")
                elif roll < 6:
                    current[s] = enterprise(place, division, areas, s, str(k))
            for serial in range(serial + 1, serial + 1 + arrivals):
                current[serial] = enterprise(place, division, areas, serial, str(k))
        rows = sorted(current.values(), key=lambda e: e.credit_code)
        yield day, rows


def snapshot_bytes(rows: list[Target]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SNAPSHOT_COLUMNS)
    writer.writerows(e.row() for e in rows)
    return out.getvalue().encode("utf-8")


def write_common(root: Path) -> None:
    (root / "plans").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(GAMES_FILE, root / "plans" / "lottery-games.yaml")  # the games the plans declare
    write_yaml(root, "plans/result-categories.yaml", "result-categories",
               {"categories": [{"name": n, "found_problem": f, **({"description": d} if d else {})}
                               for n, f, d in demo.RESULT_CATEGORIES]},
               "检查结果类别：封闭列表。基准测试用虚构数据。")
    pages = root / "content" / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    (pages / "about.md").write_text(
        "Title: 关于本站\nSlug: about\n\n基准测试用的虚构数据，由 bench/synth.py 生成。\n", encoding="utf-8")


def generate_agency(job: tuple[Scale, int, str]) -> dict:
    """Write one agency into its own staging root (so loading it reads nothing else); returns
    counts. The caller moves plans/<code> and results/<code> into the repository."""
    scale, index, stage = job
    spec = agency_spec(scale, index)
    root = Path(stage) / spec.code
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    write_common(root)
    base = f"plans/{spec.code}"
    years = range(FIRST_YEAR, FIRST_YEAR + scale.years)
    days = [d for y in years for d in snapshot_days(y)]
    snapshots: dict[date, Snapshot] = {}
    texts: dict[date, bytes] = {}
    first: list[Target] = []
    for day, rows in populations(spec, days):
        raw = snapshot_bytes(rows)
        rel = f"{base}/targets/{day.isoformat()}.csv"
        lined = tuple(e._replace(line=i) for i, e in enumerate(rows, start=2))
        snapshots[day] = Snapshot(spec.code, day, rel, hashlib.sha256(raw).hexdigest(), lined)
        texts[day] = raw
        first = first or rows
    write_yaml(root, f"{base}/agency.yaml", "agency", agency_body(spec), "基准测试用虚构数据：机关信息。")
    updated = days[0]
    write_yaml(root, f"{base}/checklist.yaml", "checklist",
               {"agency": spec.code, "updated_on": updated, "items": checklist_items()}, "随机抽查事项清单。虚构数据。")
    write_yaml(root, f"{base}/inspectors.yaml", "inspectors",
               {"agency": spec.code, "updated_on": updated, "inspectors": inspectors(spec, [e.credit_code for e in first])},
               "执法检查人员名录库。虚构数据。")
    plans = {}
    for year in years:
        plan = plans[year] = plan_for(spec, year, list(snapshots[snapshot_days(year)[0]].targets))
        write_yaml(root, f"{base}/{year}/plan.yaml", "plan", plan, "年度抽查工作计划。虚构数据。")
        for task in plan["tasks"]:
            if "randomness" in task:
                write_yaml(root, f"{base}/{year}/randomness/{task['id']}.yaml", "randomness",
                           randomness_values(spec.code, year, task), "公开随机数。虚构数据。")
            else:
                res = results_for(task, year)
                res["agency"] = spec.code
                write_yaml(root, f"results/{spec.code}/{year}/{task['id']}.yaml", "results", res, "检查结果。虚构数据。")
    repo, problems = load_repository(root)
    if problems:
        raise SystemExit("\n".join(f"{p.file}:{p.line}: {p.code} {p.message}" for p in problems))
    data = repo.agencies[spec.code]
    data.snapshots.update(snapshots)
    draws = targets = 0
    for year in years:
        for task in plans[year]["tasks"]:
            if "randomness" not in task:
                continue
            record = execute(repo, spec.code, year, task["id"])
            write_record(root, record)
            json_rel, yaml_rel = record_paths(spec.code, year, task["id"])
            data.draws[(year, task["id"])] = DrawFile(json_rel, record, yaml_rel)
            write_yaml(root, f"results/{spec.code}/{year}/{task['id']}.yaml", "results",
                       random_results(record, task, year), "检查结果。虚构数据。")
            draws += 1
            targets += len(record["targets"])
    for day, raw in texts.items():
        path = root / base / "targets" / f"{day.isoformat()}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
    return {"agency": spec.code, "draws": draws, "targets": targets,
            "rows": sum(len(s.targets) for s in snapshots.values()),
            "enterprises_last": len(snapshots[days[-1]].targets), "seconds": time.perf_counter() - started}


def git(root: Path, *args: str, env: dict | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip()


def commit_by_year(root: Path, years: range) -> str:
    """One commit per year (its snapshots, plans, randomness, draws and results), fixed identity
    and dates: the same data gives the same commit hashes."""
    git(root, "init", "--quiet", "--initial-branch=main")
    common = ["plans/result-categories.yaml", "content"]
    for year in years:
        stamp = f"{year}-12-31T12:00:00+08:00"
        env = {**os.environ, "GIT_AUTHOR_NAME": "ssjpub bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
               "GIT_COMMITTER_NAME": "ssjpub bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
               "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        paths = list(common)
        for agency in sorted(p.name for p in (root / "plans").iterdir() if p.is_dir()):
            base = Path("plans") / agency
            if year == years[0]:
                paths += [str(base / n) for n in ("agency.yaml", "checklist.yaml", "inspectors.yaml")]
            paths += [str(p.relative_to(root)) for p in sorted((root / base / "targets").glob(f"{year}-*.csv"))]
            paths += [str(base / str(year)), str(Path("results") / agency / str(year))]
        git(root, "-c", "core.autocrlf=false", "add", "--", *paths, env=env)
        git(root, "-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", f"{year} 年度数据（虚构）",
            env=env)
        common = []
    return git(root, "rev-parse", "HEAD")


def source_digest() -> str:
    """What the data depends on: this file, the demo generator, the engine and the model."""
    pkg = HERE.parent / "ssjpub"
    files = [Path(__file__).resolve(), pkg / "model.py", *sorted((pkg / "demo").glob("*.py")),
             *sorted((pkg / "draw").glob("*.py"))]
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def read_stamp(out: Path) -> dict | None:
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if stamp.get("source") == source_digest() else None


def generate(scale: Scale, out: Path, jobs: int = 2) -> dict:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    stage = out / ".stage"
    started = time.perf_counter()
    work = [(scale, i, str(stage)) for i in range(scale.agencies)]
    if jobs > 1 and len(work) > 1:
        with Pool(jobs) as pool:
            stats = pool.map(generate_agency, work, chunksize=1)
    else:
        stats = [generate_agency(w) for w in work]
    write_common(out)
    for s in stats:
        for top in ("plans", "results"):
            shutil.move(str(stage / s["agency"] / top / s["agency"]), str(out / top / s["agency"]))
    shutil.rmtree(stage)
    years = range(FIRST_YEAR, FIRST_YEAR + scale.years)
    generated = time.perf_counter() - started
    head = commit_by_year(out, years)
    stamp = {"scale": scale.name, "source": source_digest(), "commit": head, "agencies": scale.agencies,
             "years": scale.years, "draws": sum(s["draws"] for s in stats),
             "drawn_targets": sum(s["targets"] for s in stats), "snapshot_rows": sum(s["rows"] for s in stats),
             "enterprises_last": sum(s["enterprises_last"] for s in stats),
             "generate_seconds": round(generated, 2), "commit_seconds": round(time.perf_counter() - started - generated, 2)}
    (out / STAMP).write_text(json.dumps(stamp, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return stamp


# --- the province draw -----------------------------------------------------------------------

PROVINCE = "x41"
PROVINCE_YEAR = 2025
PROVINCE_TASK = "2025-01"


def province_rows(job: tuple[Scale, int]) -> list[tuple[str, str]]:
    """(credit code, CSV line) of every enterprise of agency `index`, as in its first snapshot."""
    scale, index = job
    spec = agency_spec(scale, index)
    out = []
    for s in range(1, spec.size + 1):
        row = enterprise(spec.place, spec.division, spec.areas, s).row()
        line = ",".join(row)
        assert line.count(",") == len(row) - 1 and '"' not in line  # what csv.writer would write
        out.append((row[0], line + "\n"))
    return out


def generate_province(scale: Scale, out: Path, jobs: int = 2) -> dict:
    """One agency whose snapshot holds the enterprises of all 100 agencies (1,000,000 rows) and
    a plan with one task drawing 5 % of them, weighted; its draw is left to `ssjpub draw`."""
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    write_common(out)
    day = date(PROVINCE_YEAR, 1, 2)
    work = [(scale, i) for i in range(scale.agencies)]
    rows: list[tuple[str, str]] = []
    if jobs > 1:
        with Pool(jobs) as pool:
            for part in pool.imap(province_rows, work, chunksize=4):
                rows += part
    else:
        for w in work:
            rows += province_rows(w)
    rows.sort()
    base = out / "plans" / PROVINCE
    (base / "targets").mkdir(parents=True)
    header = ",".join(SNAPSHOT_COLUMNS) + "\n"
    (base / "targets" / f"{day.isoformat()}.csv").write_text(header + "".join(line for _, line in rows),
                                                             encoding="utf-8", newline="\n")
    codes = [code for code, _ in rows]
    del rows
    spec = AgencySpec(0, PROVINCE, "419000", "样本省", scale.enterprises, demo.BAOFENG_AREAS)
    body = agency_body(spec) | {"name": "样本省人力资源和社会保障厅（虚构）", "short_name": "样本省人社厅",
                                "division_code": "410000", "parent": "人力资源和社会保障部"}
    write_yaml(out, f"plans/{PROVINCE}/agency.yaml", "agency", body, "基准测试用虚构数据。")
    write_yaml(out, f"plans/{PROVINCE}/checklist.yaml", "checklist",
               {"agency": PROVINCE, "updated_on": day, "items": checklist_items()}, "虚构数据。")
    write_yaml(out, f"plans/{PROVINCE}/inspectors.yaml", "inspectors",
               {"agency": PROVINCE, "updated_on": day, "inspectors": inspectors(spec, codes)}, "虚构数据。")
    start = date(PROVINCE_YEAR, 3, 3)
    task = {"id": PROVINCE_TASK, "name": "全省劳动合同和工资支付联合随机抽查", "items": ["LD-01", "LD-02"],
            "departments": [ROLES["inspection"], ROLES["labour"]], "snapshot": day, "ratio": "5%",
            "weights": KEY_WEIGHTS, "window": {"start": start, "end": date(PROVINCE_YEAR, 11, 28)},
            "method": "现场检查",
            "randomness": lottery_source(start - timedelta(days=7))}
    plan = {"agency": PROVINCE, "year": PROVINCE_YEAR, "title": "样本省 2025 年度“双随机、一公开”抽查工作计划（虚构）",
            "doc_number": "样人社〔2025〕示1号", "lead_department": ROLES["inspection"],
            "reported_to": ROLES["inspection"], "reported_on": date(2025, 1, 8), "published_on": date(2025, 1, 10),
            "tasks": [task]}
    write_yaml(out, f"plans/{PROVINCE}/{PROVINCE_YEAR}/plan.yaml", "plan", plan, "虚构数据。")
    write_yaml(out, f"plans/{PROVINCE}/{PROVINCE_YEAR}/randomness/{PROVINCE_TASK}.yaml", "randomness",
               randomness_values(PROVINCE, PROVINCE_YEAR, task), "虚构数据。")
    stamp = {"scale": scale.name, "source": source_digest(), "snapshot_rows": len(codes),
             "snapshot_bytes": (base / "targets" / f"{day.isoformat()}.csv").stat().st_size,
             "task": f"{PROVINCE}/{PROVINCE_YEAR}/{PROVINCE_TASK}",
             "generate_seconds": round(time.perf_counter() - started, 2)}
    (out / STAMP).write_text(json.dumps(stamp, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return stamp


def ensure(name: str, out: Path | None = None, jobs: int = 2, force: bool = False) -> tuple[dict, bool]:
    """(stamp, generated now): reuses a complete data set made by the same code."""
    scale = SCALES[name]
    out = out or HERE / "data" / name
    stamp = None if force else read_stamp(out)
    if stamp is not None:
        return stamp, False
    stamp = generate_province(scale, out, jobs) if name == "province" else generate(scale, out, jobs)
    return stamp, True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--force", action="store_true", help="regenerate even when the data set is current")
    args = parser.parse_args()
    stamp, made = ensure(args.scale, args.out, args.jobs, args.force)
    print(json.dumps(stamp | {"generated_now": made}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
