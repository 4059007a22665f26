"""The incremental site build (ssjpub.site.sitecache): after each new commit (an empty one, a
result, a plan, a theme byte) and after a corrupt cache entry, the build with the cache writes
exactly the files, byte for byte, that a clean build without it writes, and the pages whose data
did not change are restored from the cache rather than rendered again (the cache's index lists
the pages the last build rendered).

Each build runs with another PYTHONHASHSEED: a key must not depend on the process."""

from __future__ import annotations

import itertools
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


def build(root: Path, out: Path, cached: bool) -> Path:
    cmd = [sys.executable, "-m", "pelican", str(root / "content"), "-s", str(CONF), "-o", str(out),
           "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(root))}",
           f"THEME={json.dumps(str(root / 'theme'))}", "SSJPUB_PAGEFIND=false",
           f"SSJPUB_CACHE={json.dumps(CACHE if cached else None)}"]
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

    # A corrupt entry is never trusted: a stored page with a changed byte is rendered again.
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
