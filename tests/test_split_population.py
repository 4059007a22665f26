"""A snapshot split into several files (ssjpub-draw/3): read part by part, drawn, verified by
ssjpub and the standalone verifier, and its parts checked against real git histories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ssjpub.draw.history import check_history
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "vectors" / "draws" / "split-population"
PARTS = "plans/shili/targets/2023-01-03"
RECORD = "plans/shili/2024/draws/2024-01"
VALUES = "plans/shili/2024/randomness/2024-01.yaml"
VERIFIER = ROOT / "docs" / "verify_draw.py"


def ssjpub(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssjpub", *map(str, args)], capture_output=True, text=True)


def copy_case(dst: Path) -> Path:
    shutil.copytree(CASE, dst)
    (dst / "README.md").unlink()
    return dst


def record(root: Path) -> dict:
    return json.loads((root / f"{RECORD}.json").read_text(encoding="utf-8"))


def test_the_case_is_a_v3_record_that_both_verifiers_accept(tmp_path):
    root = copy_case(tmp_path / "repo")
    rec = record(root)
    assert rec["algorithm"] == "ssjpub-draw/3" and rec["population"]["file"] == PARTS
    assert list(rec["population"]) == ["file", "sha256", "rows", "parts"]
    done = ssjpub("verify", "--root", root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert subprocess.run([sys.executable, VERIFIER, "--all", "--root", root], capture_output=True).returncode == 0


def test_drawing_again_gives_the_same_bytes(tmp_path):
    root = copy_case(tmp_path / "repo")
    before = {s: (root / f"{RECORD}{s}").read_bytes() for s in (".json", ".yaml")}
    for s in before:
        (root / f"{RECORD}{s}").unlink()
    done = ssjpub("draw", "shili/2024/2024-01", "--root", root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {s: (root / f"{RECORD}{s}").read_bytes() for s in before} == before


def _verify_lines(root: Path) -> tuple[str, str]:
    done = ssjpub("verify", "--root", root)
    standalone = subprocess.run([sys.executable, VERIFIER, "--all", "--root", root], capture_output=True, text=True)
    assert done.returncode == 1 and standalone.returncode == 1
    return done.stdout + done.stderr, standalone.stdout


def test_a_changed_part_is_found_by_both_verifiers(tmp_path):
    root = copy_case(tmp_path / "repo")
    part = root / PARTS / "410421-宝丰县.csv"
    part.write_text(part.read_text(encoding="utf-8").replace("示例县示例005号", "示例县示例995号"), encoding="utf-8")
    ours, theirs = _verify_lines(root)
    assert "draw-mismatch" in ours and "population.parts[1].sha256" in ours
    assert "population.parts[1].sha256" in theirs and "各部分的摘要" in theirs


def test_a_part_added_or_taken_away_changes_the_population(tmp_path):
    root = copy_case(tmp_path / "repo")
    header = (root / PARTS / "410499.csv").read_text(encoding="utf-8")
    (root / PARTS / "410500.csv").write_text(header, encoding="utf-8")  # an empty county more
    ours, theirs = _verify_lines(root)
    assert "population.parts" in ours and "population.sha256" in ours
    assert "population.parts" in theirs
    (root / PARTS / "410500.csv").unlink()
    (root / PARTS / "410499.csv").unlink()
    ours, theirs = _verify_lines(root)
    assert "population.parts" in ours and "population.parts" in theirs



def test_the_verify_cache_re_executes_a_split_draw_and_sees_each_part(tmp_path):
    """A cached run (the pull-request default) reads a split snapshot as a full run does, and a
    part edited, added or removed after a clean cached run changes the draw's key."""
    root = copy_case(tmp_path / "repo")
    cache = tmp_path / "cache"
    for _ in range(2):  # the first run fills the cache, the second hits it
        done = ssjpub("verify", "--root", root, "--cache", cache)
        assert done.returncode == 0, done.stdout + done.stderr
    part = root / PARTS / "410421-宝丰县.csv"
    original = part.read_bytes()
    part.write_bytes(original.replace("示例县示例005号".encode(), "示例县示例995号".encode()))
    done = ssjpub("verify", "--root", root, "--cache", cache)
    assert done.returncode == 1 and "population.parts[1].sha256" in done.stdout, done.stdout + done.stderr
    part.write_bytes(original)
    header = (root / PARTS / "410499.csv").read_text(encoding="utf-8")
    (root / PARTS / "410500.csv").write_text(header, encoding="utf-8")
    done = ssjpub("verify", "--root", root, "--cache", cache)
    assert done.returncode == 1 and "population.parts" in done.stdout, done.stdout + done.stderr
    (root / PARTS / "410500.csv").unlink()
    assert ssjpub("verify", "--root", root, "--cache", cache).returncode == 0

def test_a_v2_record_whose_snapshot_was_split_since_is_refused(tmp_path, demo):
    """A published /2 record stays /2: its snapshot turned into a folder cannot re-execute it."""
    rel = "plans/baofeng/targets/2024-07-01"
    csv = demo / f"{rel}.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    (demo / rel).mkdir()
    (demo / rel / "a.csv").write_text("".join(lines[:100]), encoding="utf-8")
    (demo / rel / "b.csv").write_text(lines[0] + "".join(lines[100:]), encoding="utf-8")
    csv.unlink()
    done = ssjpub("verify", "--root", demo)
    assert done.returncode == 1
    assert "plans/baofeng/2024/plan.yaml" in done.stdout and "draw-mismatch" in done.stdout
    assert "现在却拆分成了目录 plans/baofeng/targets/2024-07-01/" in done.stdout


# --- the parts in the commit graph ----------------------------------------------------------------


def git(repo: Path, *args: str, when: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME="测试",
               GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="测试", GIT_COMMITTER_EMAIL="t@example.invalid")
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


def commit(repo: Path, day: date, message: str) -> None:
    git(repo, "add", "-A", when=f"{day.isoformat()}T10:00:00+08:00")
    git(repo, "commit", "-q", "-m", message, when=f"{day.isoformat()}T10:00:00+08:00")


def staged(tmp_path: Path, before_values=None, with_values=None, after_draw=None) -> Path:
    """The case as a bureau commits it: inputs, then the public values, then the draw; each hook
    changes the tree just before that commit."""
    repo = copy_case(tmp_path / "repo")
    expected = date.fromisoformat(record(repo)["parameters"]["randomness"][0]["expected_on"])
    held = tmp_path / "held"
    held.mkdir()
    shutil.move(repo / VALUES, held / "values.yaml")
    shutil.move(repo / "plans/shili/2024/draws", held / "draws")
    git(repo, "init", "-q", "-b", "main", when="2023-01-01T10:00:00+08:00")
    if before_values:
        before_values(repo)
    commit(repo, expected - timedelta(days=5), "计划、名录和随机数来源声明")
    shutil.move(held / "values.yaml", repo / VALUES)
    if with_values:
        with_values(repo)
    commit(repo, expected + timedelta(days=1), "开奖号码")
    shutil.move(held / "draws", repo / "plans/shili/2024/draws")
    commit(repo, expected + timedelta(days=2), "抽取")
    if after_draw:
        after_draw(repo)
        commit(repo, expected + timedelta(days=3), "之后的改动")
    return repo


def history(repo: Path):
    repository, problems = validate(repo)
    assert [p for p in problems if p.severity.value == "error"] == []
    return check_history(repository)


def test_every_part_before_the_values_is_clean(tmp_path):
    assert history(staged(tmp_path)) == []


def test_a_part_committed_with_the_values_is_refused(tmp_path):
    late = tmp_path / "late.csv"

    def hold(repo: Path) -> None:
        shutil.move(repo / PARTS / "410421-宝丰县.csv", late)

    def bring(repo: Path) -> None:
        shutil.move(late, repo / PARTS / "410421-宝丰县.csv")

    found = history(staged(tmp_path, before_values=hold, with_values=bring))
    assert [(p.file, p.code) for p in found] == [(VALUES, "history-order")]
    assert f"{PARTS}/410421-宝丰县.csv" in found[0].message


def test_a_part_taken_away_with_the_values_is_refused(tmp_path):
    """Removing a part once the values are known would choose between seeds: the parent of the
    values' commit must hold no part the record does not list."""
    def extra(repo: Path) -> None:
        (repo / PARTS / "410500.csv").write_text((repo / PARTS / "410499.csv").read_text(encoding="utf-8"), encoding="utf-8")

    def drop(repo: Path) -> None:
        (repo / PARTS / "410500.csv").unlink()

    found = history(staged(tmp_path, before_values=extra, with_values=drop))
    assert [(p.file, p.code) for p in found] == [(VALUES, "history-order")]
    assert "410500.csv" in found[0].message


def test_a_part_changed_after_the_draw_is_published_changed(tmp_path):
    def edit(repo: Path) -> None:
        part = repo / PARTS / "410402.csv"
        part.write_text(part.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a blank line: same rows

    found = history(staged(tmp_path, after_draw=edit))
    assert ("published-changed", f"{PARTS}/410402.csv") in {(p.code, p.file) for p in found}


# --- the joined snapshot is the one-file snapshot, however it is split -----------------------------


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=7), max_size=4))
def test_any_split_joins_to_the_same_rows(tmp_path_factory, cuts):
    root = copy_case(tmp_path_factory.mktemp("split") / "repo")
    folder = root / PARTS
    lines = [line for p in sorted(folder.iterdir()) for line in p.read_text(encoding="utf-8").splitlines()[1:]]
    header = (folder / "410499.csv").read_text(encoding="utf-8")
    one, _ = validate(root)
    before = one.agencies["shili"].snapshots[date(2023, 1, 3)]
    shutil.rmtree(folder)
    folder.mkdir()
    bounds = [0, *sorted(cuts), len(lines)]
    for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
        (folder / f"part-{i}.csv").write_text(header + "".join(f"{line}\n" for line in lines[a:b]), encoding="utf-8")
    repository, problems = validate(root)
    assert [p for p in problems if p.severity.value == "error" and p.code != "draw-mismatch"] == []
    after = repository.agencies["shili"].snapshots[date(2023, 1, 3)]
    assert [t[:9] for t in after.targets] == [t[:9] for t in before.targets]
    assert [p.rows for p in after.parts] == [b - a for a, b in zip(bounds, bounds[1:])]
    assert sum(p.rows for p in after.parts) == len(lines)


# --- the site -----------------------------------------------------------------------------------------


def test_the_site_serves_every_part_and_never_tells_to_hash_the_folder(tmp_path):
    """The demo with its last task drawn from a split copy of its snapshot: the task page's
    commands check each part (the folder's digest is no file's SHA-256), and every part is served
    for the browser verifier to fetch."""
    from test_site import build, copy_demo

    root = copy_demo(tmp_path / "repo")
    day = "plans/baofeng/targets/2024-07-02"
    lines = (root / "plans/baofeng/targets/2024-07-01.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (root / day).mkdir()
    (root / day / "410421-1.csv").write_text("".join(lines[:1000]), encoding="utf-8")
    (root / day / "410421-2.csv").write_text(lines[0] + "".join(lines[1000:]), encoding="utf-8")
    plan = root / "plans/baofeng/2024/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    at = text.index("- id: 2024-07")
    plan.write_text(text[:at] + text[at:].replace("snapshot: 2024-07-01", "snapshot: 2024-07-02", 1), encoding="utf-8")
    for rel in ("plans/baofeng/2024/draws/2024-07.json", "plans/baofeng/2024/draws/2024-07.yaml", "results/baofeng/2024/2024-07.yaml"):
        (root / rel).unlink()
    done = ssjpub("draw", "baofeng/2024/2024-07", "--root", root)
    assert done.returncode == 0, done.stdout + done.stderr
    rec = json.loads((root / "plans/baofeng/2024/draws/2024-07.json").read_text(encoding="utf-8"))
    assert rec["algorithm"] == "ssjpub-draw/3"
    out = build(root / "content", tmp_path / "out", root)
    for part in rec["population"]["parts"]:
        assert (out / "files" / part["file"]).read_bytes() == (root / part["file"]).read_bytes()
    page = (out / "baofeng/2024/2024-07/index.html").read_text(encoding="utf-8")
    listed = " ".join(p["file"] for p in rec["population"]["parts"])
    assert f"sha256sum {listed}</code>" in page and "population.parts" in page
    # Sources and links name the parts, never the folder (no file is served there).
    for html in out.rglob("*.html"):
        assert f'files/{day}"' not in html.read_text(encoding="utf-8"), html
    assert f"sha256sum {day}</code>" not in page and f"sha256sum {rec['population']['file']}<" not in page
    # The inputs list links every part with its SHA-256 (the no-clone download step needs them).
    for part in rec["population"]["parts"]:
        assert f'files/{part["file"]}"' in page and part["sha256"] in page, part["file"]


def test_a_broken_part_does_not_hide_the_duplicates_between_the_others(tmp_path):
    root = copy_case(tmp_path / "repo")
    folder = root / PARTS
    first = (folder / "410402.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "410499.csv").write_text(first[0] + first[1], encoding="utf-8")  # a row of 410402 again
    county = folder / "410421-宝丰县.csv"
    lines = county.read_text(encoding="utf-8").splitlines(keepends=True)
    code = lines[1].split(",", 1)[0]
    county.write_text("".join([lines[0], lines[1].replace(code, code[:-1] + ("0" if code[-1] != "0" else "1"), 1), *lines[2:]]),
                      encoding="utf-8")
    done = ssjpub("validate", root)
    assert done.returncode == 1
    codes = {line.split(": ", 1)[1].split(" ", 1)[0] for line in done.stdout.splitlines() if ": " in line}
    assert {"invalid-credit-code", "snapshot-parts-duplicate"} <= codes, done.stdout
