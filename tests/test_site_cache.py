"""The incremental site build (ssjpub.site.sitecache): after each new commit (an empty one, a
result, a plan, a theme byte) and after a corrupt cache entry, the build with the cache writes
exactly the files, byte for byte, that a clean build without it writes, and the pages whose data
did not change are restored from the cache rather than rendered again (the cache's index lists
the pages the last build rendered).

Each build runs with another PYTHONHASHSEED: a key must not depend on the process."""

from __future__ import annotations

import itertools
import re
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "pelicanconf.py"
CACHE = ".ssjpub-cache/site"
GIT = ["git", "-c", "user.name=测试", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
SEEDS = itertools.count(1)


def git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True, text=True).stdout


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in ("plans", "results", "content", "theme"):
        shutil.copytree(ROOT / name, root / name)
    (root / ".gitignore").write_text(".ssjpub-cache/\n", encoding="utf-8")
    git(root, "init", "-q")
    commit(root, "数据")
    return root


def build_command(root: Path, out: Path, cached: bool, *settings: str, cache: str = CACHE) -> list[str]:
    """A Pelican build of `root`; `settings`: more NAME=JSON values for -e."""
    return [sys.executable, "-m", "pelican", str(root / "content"), "-s", str(CONF), "-o", str(out),
            "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(root))}",
            f"THEME={json.dumps(str(root / 'theme'))}", "SSJPUB_PAGEFIND=false",
            f"SSJPUB_CACHE={json.dumps(cache if cached else None)}", *settings]


def build(root: Path, out: Path, cached: bool, *settings: str, cache: str = CACHE) -> Path:
    cmd = build_command(root, out, cached, *settings, cache=cache)
    env = {**os.environ, "PYTHONHASHSEED": str(next(SEEDS)), "COLUMNS": "400", "NO_COLOR": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def assert_same(a: Path, b: Path) -> None:
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def index(root: Path) -> dict:
    return json.loads((root / CACHE / "index.json").read_bytes())


def check(root: Path, tmp: Path, name: str) -> set[str]:
    """An incremental build over the previous output equals a clean full build of the same tree;
    returns the pages it rendered."""
    incremental = build(root, tmp / "output", cached=True)
    assert not list((root / CACHE).rglob(".tmp-*"))  # nothing half-written left behind
    assert_same(incremental, build(root, tmp / f"full-{name}", cached=False))
    meta = index(root)
    blobs = {p.name for p in (root / CACHE / "blobs").rglob("*") if p.is_file()}
    assert blobs == {sha for files in meta["pages"].values() for sha in files.values()}  # no leftovers
    return set(meta["rendered"])


def test_incremental_build_equals_full_build(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "output", cached=True)
    pages = set(index(repo)["rendered"])
    assert {p.split("/")[0] for p in pages} == {"baofeng", "yanshi"}
    others = {p for p in pages if p.startswith("yanshi/")}

    # A new commit that changes no file: the build commit on every page is new, nothing is rendered.
    head = commit(repo, "空提交")
    assert check(repo, tmp_path, "empty") == set()
    assert head.encode() in (tmp_path / "output/yanshi/index.html").read_bytes()

    # One result file, committed: only pages that show it are rendered; the other agency's pages
    # and the other tasks' pages are restored.
    result = repo / "results/baofeng/2024/2024-07.yaml"
    text = result.read_text(encoding="utf-8")
    result.write_text(text.replace("已整改到位", "已整改到位（复查确认）", 1) if "已整改到位" in text
                      else text + "# 复查\n", encoding="utf-8")
    commit(repo, "结果")
    rendered = check(repo, tmp_path, "result")
    assert "baofeng/2024/2024-07/index.html" in rendered
    assert not rendered & others
    assert not {p for p in rendered if p.startswith("baofeng/2024/2024-0") and not p.startswith("baofeng/2024/2024-07")}
    assert len(rendered) < len(pages) - len(others)

    # One plan: the other agency's pages are all restored.
    plan = repo / "plans/yanshi/2023/plan.yaml"
    plan.write_bytes(plan.read_bytes() + "# 计划备注\n".encode())
    commit(repo, "计划")
    rendered = check(repo, tmp_path, "plan")
    assert rendered and all(p.startswith("yanshi/") for p in rendered)

    # One byte of the theme's CSS: every page links it, every page is rendered.
    css = repo / "theme/static/css/site.css"
    css.write_bytes(css.read_bytes().replace(b"}", b" }", 1))
    commit(repo, "主题")
    assert check(repo, tmp_path, "theme") == pages

    # A corrupt entry is never trusted: a stored page with a changed byte is rendered again. (Not
    # read at all by a build in place, whose output folder holds the page as written: one without
    # the record of the output folder, ssjpub.site.inplace, starts anew and reads every entry.)
    (repo / CACHE / "output.json").unlink()
    meta = index(repo)
    entry = next(files for files in meta["pages"].values() if "yanshi/index.html" in files)
    blob = repo / CACHE / "blobs" / entry["yanshi/index.html"][:2] / entry["yanshi/index.html"]
    good = blob.read_bytes()
    blob.write_bytes(good.replace(b"<", b"[", 1))
    assert check(repo, tmp_path, "corrupt") == {"yanshi/index.html"}
    assert blob.read_bytes() == good  # stored again

    # A torn index is an empty one: everything rendered, the same site.
    path = repo / CACHE / "index.json"
    path.write_bytes(path.read_bytes()[:-20])
    assert check(repo, tmp_path, "torn") == pages


def computed(root: Path) -> set[str]:
    """The groups of pages (ssjpub.site.groups) the last build computed rather than restored."""
    return set(index(root)["computed"])


def append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode("utf-8"))


def new_snapshot(root: Path) -> None:
    """A later snapshot of yanshi's enterprises under new names: each record takes its name from
    the latest snapshot that has it."""
    folder = root / "plans/yanshi/targets"
    lines = sorted(folder.glob("*.csv"))[-1].read_text(encoding="utf-8").split("\n")
    renamed = [lines[0]] + [re.sub(r"^([^,]+),([^,]+),", r"\1,\2（更名）,", line) for line in lines[1:]]
    (folder / "2029-12-31.csv").write_text("\n".join(renamed), encoding="utf-8")


def holiday(root: Path) -> None:
    """A calendar override: 2024-07-15 a holiday, moving the working-day deadlines after it."""
    (root / "plans/calendar").mkdir(exist_ok=True)
    (root / "plans/calendar/2024.yaml").write_text(
        "year: 2024\nnotice: 《关于2024年部分节假日安排的通知》（测试用）\nholidays: [2024-07-15]\nworkdays: []\n",
        encoding="utf-8")


# Each kind of input the pages are built from, changed in a way the data stays valid; committed,
# so the pages that list the file show a new commit for it as well.
EDITS = {
    "result": lambda r: append(r / "results/yanshi/2023/2023-01.yaml", "# 复查\n"),
    "plan": lambda r: append(r / "plans/yanshi/2023/plan.yaml", "# 计划备注\n"),
    "snapshot": new_snapshot,
    "randomness": lambda r: append(sorted((r / "plans/yanshi/2023/randomness").glob("*.yaml"))[0], "# 备注\n"),
    "draw record": lambda r: append(sorted((r / "plans/yanshi/2023/draws").glob("*.json"))[0], "\n"),
    "inspectors": lambda r: append(r / "plans/yanshi/inspectors.yaml", "# 备注\n"),
    "checklist": lambda r: append(r / "plans/yanshi/checklist.yaml", "# 备注\n"),
    "result categories": lambda r: append(r / "plans/result-categories.yaml", "# 备注\n"),
    "calendar": holiday,
    "theme": lambda r: append(r / "theme/templates/enterprise.html", "\n"),
}


def test_each_input_kind_gives_the_full_build(repo: Path, tmp_path: Path) -> None:
    """A change to each kind of input, one commit each, cached build after cached build: the same
    bytes as a clean full build every time. A change inside one agency computes none of the other
    agency's groups; an empty commit computes none at all."""
    build(repo, tmp_path / "output", cached=True)
    everything = computed(repo)
    assert {g.split("/")[1] for g in everything} == {"agency", "year", "enterprise"}
    commit(repo, "空提交")
    check(repo, tmp_path, "empty")
    assert computed(repo) == set()
    for name, edit in EDITS.items():
        edit(repo)
        commit(repo, name)
        check(repo, tmp_path, name.replace(" ", "-"))
        groups = computed(repo)
        assert groups, name
        if name not in ("result categories", "calendar", "theme"):
            assert all(g.startswith("yanshi/") for g in groups), name
        if name == "result":
            # The one year's pages and the records of the enterprises in that task, not the others.
            assert "yanshi/year/2023" in groups and "yanshi/agency" in groups
            assert len(groups) < len({g for g in everything if g.startswith("yanshi/")})


MARK = ".ssjpub-incomplete"  # ssjpub.site.inplace.MARK


def test_a_rebuild_in_place_that_fails_or_is_killed_is_redone(repo: Path, tmp_path: Path) -> None:
    """The second cached build over an output folder updates it in place. One that stops on a data
    error has changed nothing; one killed while it writes leaves the folder marked incomplete, with
    no manifest.json, and the next build equals a clean full build."""
    out = build(repo, tmp_path / "output", cached=True)
    assert (repo / CACHE / "output.json").is_file()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    plan = repo / "plans/yanshi/2023/plan.yaml"
    good = plan.read_bytes()
    plan.write_bytes(good + b"unknown_field: 1\n")
    cmd = build_command(repo, out, cached=True)
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # untouched
    plan.write_bytes(good)

    # Every page rendered again (one byte of the theme): a long time writing, killed in it.
    css = repo / "theme/static/css/site.css"
    css.write_bytes(css.read_bytes().replace(b"}", b" }", 1))
    commit(repo, "主题")
    job = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not (out / MARK).exists() and job.poll() is None:
            pass
        job.kill()
    finally:
        job.wait()
    assert job.returncode == -9, "the build ended before it could be killed"
    assert (out / MARK).exists() and not (out / "manifest.json").exists()
    assert not (repo / CACHE / "output.json").exists()

    check(repo, tmp_path, "after-kill")
    assert not (out / MARK).exists() and (out / "manifest.json").is_file()
    # The output folder of the build that redid it is recorded again: the next one is in place.
    assert (repo / CACHE / "output.json").is_file()
    commit(repo, "空提交")
    check(repo, tmp_path, "in-place")
