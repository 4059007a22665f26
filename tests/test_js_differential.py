"""Differential property test: the Python engine writes the records, the JavaScript verifier
(theme/static/verify/, run by Node) re-computes them from the files alone,
and every step must be ✓ with `recomputed` byte-identical to the record the engine wrote.

Hypothesis generates whole repositories with the machinery of the whole-draw vectors
(ssjpub.draw.drawvectors: agency files, checklist, roster, snapshot, plans, public values, each
draw made by `ssjpub draw`): populations (statuses, areas, industries, grades, complaints, serious
violations; names and areas that differ only under NFC, full-width spaces, astral characters —
code point order is not JavaScript's default UTF-16 order), weights, strata by each column with
and without 其他, ratio or count, scope filters, batches, rosters with conflicts, inactive people,
missing qualifications and certificates expiring on the window's last day, one to three draws in
one or two years (so the yearly cap and the previous inspectors matter), retries after failures,
the /2 sources (lottery numbers, ceremony digits, the real drand round of
tests/fixtures/drand/rounds.json, combined), and draws that fail (failure records).

Node starts once for all examples (tests/js/differential.cjs: what tests/js/verify.cjs does, on
many roots), so the run costs one Node start and the verifier's own time. SSJPUB_DIFFERENTIAL_EXAMPLES=2000 runs more examples by hand; a failing repository
is kept under tests/artifacts/differential/ with what differed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ssjpub.draw import drawvectors as dv
from ssjpub.draw.drawvectors import Case, Draw, Unit, Writer

REPO = Path(__file__).resolve().parent.parent
RUNNER = REPO / "tests" / "js" / "differential.cjs"
ARTIFACTS = REPO / "tests" / "artifacts" / "differential"
NODE = shutil.which("node") or shutil.which("nodejs")
EXAMPLES = int(os.environ.get("SSJPUB_DIFFERENTIAL_EXAMPLES", "80"))

pytestmark = pytest.mark.skipif(NODE is None, reason="没有安装 Node.js（Debian：apt-get install -y nodejs）：差分测试跳过")

# Areas: the first three look alike (U+9686 隆, its CJK compatibility twin U+F9DC, and an astral
# U+2000B in the same place: code point order puts U+F9DC before U+2000B, UTF-16 order after);
# a full-width space around a name is trimmed (spec §2).
AREAS = ("兴隆镇", "兴\uf9dc镇", "兴\U0002000b镇", "城关镇", "\u3000城关镇 ", "周庄镇", "石桥镇")
INDUSTRIES = ("制造业", "建筑业", "餐饮（Café）", "餐饮（Cafe\u0301）", "\U00020bb7野餐饮", "\uff08其他）服务")
NAMES = (None, "示例县示例Cafe\u0301有限公司", '示例县示例"宏达",有限公司', "示例县\U00020bb7野有限公司", "示例县\u3000示例公司")
RATIOS = ("100%", "50%", "33.3333%", "66.7%", "12.5%", "5%", "5.0%", "0.0001%", "99.9999%", "25%")
BOTH = [dv.QUALIFICATION, dv.OTHER_QUALIFICATION]  # what a joint LD-01 + SB-01 task requires
# Qualifications beyond the checklist's: an astral one sorts differently in UTF-16.
EXTRA_QUALIFICATIONS = ("\U0002000b级资格", "\uff21级资格")
CERTS = (date(2023, 5, 30), date(2023, 5, 31), date(2024, 5, 30), date(2024, 5, 31), date(2024, 9, 29),
         date(2024, 9, 30), date(2030, 12, 31))
PEOPLE = ("赵甲", "钱乙", "孙丙", "李丁", "周戊", "吴己", "郑庚", "王辛", "冯壬", "陈癸")
KINDS = ("公开摇号", "公开开奖", ("公开摇号", "公开开奖"), ("公开开奖", "公开摇号"))
DRAND_KINDS = ("drand", ("drand", "公开开奖"), ("公开摇号", "drand"))
# The years of a case's draws, in drawing order: the cap needs three in a year, the previous
# inspectors any two.
YEARS = ((2024,), (2023, 2024), (2024, 2024), (2024, 2024, 2024), (2023, 2024, 2024), (2023, 2023, 2024),
         (2023, 2023, 2023))
DRAND_WINDOW = {"start": date(2024, 7, 22), "end": date(2024, 9, 30)}


def strip(text: str) -> str:
    return text.strip()  # str.strip() trims U+3000 too, as the snapshot reader does


@st.composite
def units(draw) -> tuple[Unit, ...]:
    n = draw(st.integers(1, 14))
    out = []
    for serial in range(1, n + 1):
        out.append(Unit(
            serial, area=draw(st.sampled_from(AREAS)), industry=draw(st.sampled_from(INDUSTRIES)),
            grade=draw(st.sampled_from("ABC")), complaints=draw(st.integers(0, 5)), serious=draw(st.booleans()),
            status=draw(st.sampled_from(("在营",) * 6 + ("停业", "注销"))), name=draw(st.sampled_from(NAMES))))
    return tuple(draw(st.permutations(out)))  # the row order never matters to the draw


@st.composite
def roster(draw, codes: list[str]) -> list[dict]:
    """Four people who can serve any task (but may declare conflicts) and up to five more with
    what keeps people out: inactive, a qualification missing, a certificate expiring, another
    department."""
    people = []
    for i in range(4 + draw(st.integers(0, 5))):
        if i < 4:
            conflicts = [draw(st.sampled_from(codes))] if draw(st.integers(0, 3)) == 0 else []
            people.append(dv.person(f"SL{i + 1:02d}", PEOPLE[i], qualifications=BOTH, conflicts=conflicts))
            continue
        quals = draw(st.sampled_from((BOTH,) * 3 + ([dv.QUALIFICATION], [dv.OTHER_QUALIFICATION], [])))
        quals = quals + draw(st.lists(st.sampled_from(EXTRA_QUALIFICATIONS), unique=True, max_size=2))
        extra = {"qualifications": draw(st.permutations(quals)),
                 "cert_expires": draw(st.sampled_from(CERTS)), "active": draw(st.booleans()),
                 "conflicts": draw(st.lists(st.sampled_from(codes), unique=True, max_size=2))}
        if draw(st.integers(0, 3)) == 0:
            extra["department"] = dv.OTHER_DEPARTMENT
        people.append(dv.person(f"SL{i + 1:02d}", PEOPLE[i % len(PEOPLE)], **extra))
    return draw(st.permutations(people))


@st.composite
def selection(draw, people: tuple[Unit, ...]) -> dict:
    """ratio, count or strata (by each column, named strata with or without 其他)."""
    how = draw(st.sampled_from(("ratio", "count", "strata", "strata")))
    if how == "ratio":
        return {"ratio": draw(st.sampled_from(RATIOS) | st.integers(1, 100).map(lambda p: f"{p}%"))}
    if how == "count":
        too_many = draw(st.integers(0, 5)) == 0  # more than there are: a failure record
        return {"count": len(people) + 1 if too_many else draw(st.integers(1, max(1, len(people) // 2)))}
    by = draw(st.sampled_from(("area", "industry", "grade")))
    present = sorted({strip(getattr(u, by)) for u in people})
    named = draw(st.lists(st.sampled_from(present), unique=True, max_size=len(present)))
    ratios = {k: draw(st.sampled_from(RATIOS)) for k in named}
    if draw(st.booleans()) or not ratios:
        ratios["其他"] = draw(st.sampled_from(RATIOS))
    return {"strata": {"by": by, "ratios": ratios}}


@st.composite
def scope(draw, people: tuple[Unit, ...]) -> dict:
    out = {}
    for key, column in (("areas", "area"), ("industries", "industry"), ("grades", "grade")):
        if draw(st.integers(0, 5)) == 0:  # values the snapshot has (a check refuses others)
            values = sorted({strip(getattr(u, column)) for u in people})
            out[key] = draw(st.lists(st.sampled_from(values), unique=True, min_size=1, max_size=3))
    return {"scope": out} if out else {}


@st.composite
def weights(draw) -> dict:
    w = {}
    if draw(st.booleans()):
        w["grade"] = draw(st.dictionaries(st.sampled_from("ABC"), st.sampled_from((1, 2, 3, 5, 100)), min_size=1))
    if draw(st.booleans()):
        w["complaints"] = {"at_least": draw(st.integers(1, 4)), "weight": draw(st.sampled_from((2, 3, 7)))}
    if draw(st.booleans()):
        w["serious_violation"] = draw(st.sampled_from((2, 5, 30)))
    return {"weights": w} if w else {}


@st.composite
def task(draw, people: tuple[Unit, ...], year: int, task_id: str) -> Draw:
    kinds = KINDS + DRAND_KINDS if year == 2024 else KINDS  # the real round is of 2024-07-14
    kind = draw(st.sampled_from(kinds))
    params = {**draw(scope(people)), **draw(selection(people)), **draw(weights())}
    if "drand" in dv.kinds_of(kind):
        params["window"] = DRAND_WINDOW  # after the round (Beijing time)
    items = draw(st.sampled_from(([dv.ITEM],) * 3 + ([dv.ITEM, dv.OTHER_ITEM], [dv.OTHER_ITEM])))
    if items != [dv.ITEM]:
        params["items"] = items
    if draw(st.integers(0, 2)) == 0:
        params["departments"] = [dv.DEPARTMENT, dv.OTHER_DEPARTMENT]
    params["group_size"] = draw(st.sampled_from((1, 1, 2, 2, 2, 2, 3)))
    if draw(st.booleans()):
        params["batches"] = draw(st.integers(2, 6))
    return Draw(year, task_id, params, kind=kind)


@st.composite
def repositories(draw) -> tuple[Case, bool]:
    """A case (no facts: every record is checked whole) and whether a failed draw is retried."""
    people = draw(units())
    codes = [u.code for u in people]
    years = draw(st.sampled_from(YEARS))
    draws: list[Draw] = []
    letters = draw(st.permutations("abcdef"))  # task ids out of plan order (spec §4)
    for i, year in enumerate(years):
        d = draw(task(people, year, f"{year}-{letters[i]}"))
        if draw(st.integers(0, 3)) == 0:  # a new roster before this draw (a declared conflict, say)
            d = replace(d, roster=draw(roster(codes)))
        draws.append(d)
    if draw(st.integers(0, 5)) == 0:  # a complaint check in the plan: not a draw, not a prior draw
        at = draw(st.integers(0, len(draws) - 1))
        draws.insert(at, Draw(draws[at].year, f"{draws[at].year}-t", {"basis": "投诉举报", "targets": [codes[0]]}, kind=None))
    case = Case(f"differential-{draw(st.integers(0, 10**6))}", "", "", "", people, tuple(draws), roster=draw(roster(codes)))
    return case, draw(st.booleans())


# ------------------------------------------------------------------------------ building

def remove_record(root: Path, d: Draw) -> None:
    for kind in ("draws", "failures"):
        for suffix in (".json", ".yaml"):
            (root / "plans" / dv.AGENCY / str(d.year) / kind / f"{d.task}{suffix}").unlink(missing_ok=True)


def build(root: Path, case: Case, retry: bool) -> Case:
    """Write the case and draw each task in order with `ssjpub draw`, whichever way it ends; a
    failed draw is followed by its retry (retry_of, three more people) when `retry`. Returns the
    case as drawn (with the retries)."""
    w = Writer(root, case)
    dv.write_inputs(w)
    i = 0
    while i < len(case.draws):
        d = case.draws[i]
        if d.roster is not None:
            dv.write_roster(w, d.roster)
        index = dv.write_plan(w, d)
        if d.kind is not None:
            w.yaml(f"plans/{dv.AGENCY}/{d.year}/randomness/{d.task}.yaml", dv.values(d.kind, case.name, d.year, d.task, index, 0))
            code, out = dv.ssjpub("draw", f"{dv.AGENCY}/{d.year}/{d.task}", "--root", str(root))
            made = dv.record_of(root, d.year, d.task)
            assert made is not None, f"the generator made a repository `ssjpub draw` refuses ({d}):\n{out}"
            if made[0] == "failures" and retry and "retry_of" not in d.params:
                people = (d.roster or case.roster) + [dv.person(f"SL9{k}", "褚子", qualifications=BOTH) for k in range(3)]
                again = replace(d, task=f"{d.task}-r", params={**d.params, "retry_of": d.task}, roster=people)
                case = replace(case, draws=case.draws[: i + 1] + (again,) + case.draws[i + 1:])
                w = Writer(root, case)
        i += 1
    return case


def records(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for kind in ("draws", "failures")
                  for p in (root / "plans").glob(f"*/*/{kind}/*.json"))


def run_js(roots: list[Path]) -> dict[tuple[Path, str], dict]:
    """One Node process for every root: {(root, record path): the runner's result line}."""
    done = subprocess.run([NODE, str(RUNNER)], input="".join(f"{r}\n" for r in roots), capture_output=True,
                          text=True, encoding="utf-8", timeout=600)
    out = {}
    for line in done.stdout.splitlines():
        result = json.loads(line)
        out[(Path(result["root"]), result["record"])] = result
    assert out or not roots, f"the runner printed nothing (exit {done.returncode}):\n{done.stderr[-3000:]}"
    return out


def disagreement(root: Path, record: str, result: dict | None) -> str | None:
    """What the JS verifier got wrong about one record, or None when it agrees."""
    if result is None:
        return "the runner gave no result"
    bad = [s for s in result["steps"] if s["status"] != "ok"]
    if bad:
        return json.dumps(bad[0], ensure_ascii=False)
    if result["recomputed"] != (root / record).read_text(encoding="utf-8"):
        return "recomputed differs from the record's bytes"
    return None


def keep(root: Path, case: Case, why: str) -> Path:
    target = ARTIFACTS / root.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(root, target)
    (target / "CASE.txt").write_text(f"{case!r}\n\n{why}\n", encoding="utf-8")
    return target


def test_javascript_verifier_recomputes_every_generated_record(tmp_path):
    built: list[tuple[Path, Case]] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate])
    @given(repositories())
    def generate(example):
        case, retry = example
        root = tmp_path / f"{len(built):05d}"
        built.append((root, build(root, case, retry)))

    generate()
    results = run_js([root for root, _ in built])
    total, wrong = 0, []
    for root, case in built:
        for record in records(root):
            total += 1
            why = disagreement(root, record, results.get((root, record)))
            if why:
                wrong.append(f"{keep(root, case, f'{record}: {why}')}: {record}: {why}")
    assert not wrong, f"{len(wrong)} of {total} records differ:\n" + "\n".join(wrong[:10])
    assert total >= len(built)  # every example drew at least once
