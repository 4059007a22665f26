"""The committed demo data: valid, reproducible byte for byte, visibly fictional, free of personal data."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO, problems_of
from ssjpub.identifiers import credit_code_problem
from ssjpub.pii import scan_text

DATA_DIRS = ("plans", "results")
DATA_FILES = sorted(p for d in DATA_DIRS for p in (REPO / d).rglob("*") if p.is_file())
TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUWXY]{18}(?![0-9A-Za-z])")
AGENCIES = ("baofeng", "yanshi")


def test_committed_demo_validates_clean():
    assert problems_of(REPO) == []


def test_regenerating_the_demo_reproduces_the_committed_files_byte_for_byte(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "ssjpub.demo", str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    for d in DATA_DIRS:
        committed = {p.relative_to(REPO).as_posix() for p in (REPO / d).rglob("*") if p.is_file()}
        regenerated = {p.relative_to(tmp_path).as_posix() for p in (tmp_path / d).rglob("*") if p.is_file()}
        assert regenerated == committed
    differing = [
        p.relative_to(REPO).as_posix()
        for p in DATA_FILES
        if (tmp_path / p.relative_to(REPO)).read_bytes() != p.read_bytes()
    ]
    assert differing == []


def test_every_demo_credit_code_is_visibly_fictional():
    codes = set()
    for path in DATA_FILES:
        codes |= {t for t in TOKEN.findall(path.read_text(encoding="utf-8")) if credit_code_problem(t) is None}
    assert len(codes) > 5_000  # a few thousand enterprises per agency
    assert sorted(c for c in codes if c[8:12] != "DEM0") == []


def test_every_snapshot_code_is_valid_and_marked_demo():
    for path in (REPO / "plans").glob("*/targets/*.csv"):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert len(rows) >= 2000, path
        for row in rows:
            assert credit_code_problem(row["credit_code"]) is None and row["credit_code"][8:12] == "DEM0"


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_personal_data_in_demo_file(path):
    assert scan_text(path.read_text(encoding="utf-8"), path.name) == []


def test_demo_data_files_are_utf8_without_bom_or_crlf():
    for path in DATA_FILES:
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw, path
        raw.decode("utf-8")


@pytest.mark.parametrize("agency", AGENCIES)
def test_demo_agency_is_realistic_in_size(agency):
    load = lambda rel: yaml.safe_load((REPO / "plans" / agency / rel).read_text(encoding="utf-8"))  # noqa: E731
    inspectors = load("inspectors.yaml")["inspectors"]
    assert 25 <= len(inspectors) <= 40
    assert all(set(p) >= {"name", "gender", "unit", "title", "cert_no"} for p in inspectors)
    items = load("checklist.yaml")["items"]
    assert {i["category"] for i in items} == {"重点", "一般"}
    assert len(list((REPO / "plans" / agency / "targets").glob("*.csv"))) >= 2
    (plan_path,) = (REPO / "plans" / agency).glob("*/plan.yaml")
    tasks = yaml.safe_load(plan_path.read_text(encoding="utf-8"))["tasks"]
    assert len(tasks) >= 3
    assert any(t.get("basis") in ("投诉举报", "转办交办") for t in tasks)
    assert any(t.get("basis", "随机抽查") == "随机抽查" for t in tasks)
    assert any(len(t["items"]) > 1 for t in tasks)  # a joint inspection


def test_demo_findings_fit_the_items_and_the_method_of_their_task():
    """A 书面检查 of social insurance finds document problems of social insurance, never an unsigned
    labour contract (issue 15): each finding comes from the table of one of the task's items, for
    the task's method; a withheld one says only why it is withheld."""
    from ssjpub.demo.data import FINDINGS

    for path in sorted((REPO / "results").glob("*/*/*.yaml")):
        results = yaml.safe_load(path.read_text(encoding="utf-8"))
        plan = yaml.safe_load((REPO / f"plans/{results['agency']}/{results['year']}/plan.yaml").read_text(encoding="utf-8"))
        task = next(t for t in plan["tasks"] if t["id"] == results["task"])
        method = task.get("method", "现场检查")
        fitting = {f for item in task["items"] for f, _ in FINDINGS[item].get(method, [])}
        for row in results["results"]:
            if "withheld" in row:  # the file is public: a withheld result holds only its category and why
                assert not {"findings", "handling", "follow_up"} & set(row), (path.name, row["target"])
            elif "findings" in row:
                assert row["findings"] in fitting, (path.name, task["items"], method, row["findings"])
