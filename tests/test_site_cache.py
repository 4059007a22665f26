"""The incremental site build (ssjpub.site.sitecache): after each change (a result, a plan, a
theme byte, a corrupt cache entry) the build with the cache writes exactly the files, byte for
byte, that a clean build without it writes, and an agency whose inputs did not change is restored
from its entry rather than rendered again.

The changes are left uncommitted, as in a local preview: a new commit changes the build commit
every page prints, which is in every agency's key (see ssjpub.site.sitecache)."""

from __future__ import annotations

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


def git(root: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True)


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


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
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "400", "NO_COLOR": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def assert_same(a: Path, b: Path) -> None:
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def entries(root: Path) -> dict[str, tuple[str, int]]:
    """Each agency's one entry: its key and when its entry.json was written."""
    out = {}
    for folder in sorted((root / CACHE).iterdir()):
        (entry,) = [e for e in folder.iterdir() if not e.name.startswith(".")]
        out[folder.name] = (entry.name, (entry / "entry.json").stat().st_mtime_ns)
    return out


def check(root: Path, tmp: Path, name: str) -> None:
    """An incremental build over the previous output equals a clean full build of the same tree."""
    incremental = build(root, tmp / "output", cached=True)
    assert not list((root / CACHE).glob("*/.tmp-*"))  # nothing half-written left behind
    assert_same(incremental, build(root, tmp / f"full-{name}", cached=False))


def test_incremental_build_equals_full_build(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "output", cached=True)
    first = entries(repo)
    assert set(first) == {"baofeng", "yanshi"}

    # One result file: only its agency is rendered again.
    result = sorted((repo / "results/baofeng").rglob("*.yaml"))[-1]
    text = result.read_text(encoding="utf-8")
    result.write_text(text.replace("已整改到位", "已整改到位（复查确认）", 1) if "已整改到位" in text
                      else text + "# 复查\n", encoding="utf-8")
    check(repo, tmp_path, "result")
    second = entries(repo)
    assert second["baofeng"][0] != first["baofeng"][0]
    assert second["yanshi"] == first["yanshi"]  # restored, not written again

    # One plan.
    plan = sorted((repo / "plans/yanshi").glob("*/plan.yaml"))[-1]
    plan.write_bytes(plan.read_bytes() + "# 计划备注\n".encode())
    check(repo, tmp_path, "plan")
    third = entries(repo)
    assert third["yanshi"][0] != second["yanshi"][0] and third["baofeng"] == second["baofeng"]

    # One byte of the theme's CSS: every agency's pages link it.
    css = repo / "theme/static/css/site.css"
    css.write_bytes(css.read_bytes().replace(b"}", b" }", 1))
    check(repo, tmp_path, "theme")
    fourth = entries(repo)
    assert all(fourth[c][0] != third[c][0] for c in fourth)

    # A corrupt entry is never trusted: one with a changed byte, one with a torn entry.json.
    key = fourth["baofeng"][0]
    page = repo / CACHE / "baofeng" / key / "files/baofeng/index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"<", b"[", 1))
    meta = repo / CACHE / "yanshi" / fourth["yanshi"][0] / "entry.json"
    meta.write_bytes(meta.read_bytes()[:-20])
    check(repo, tmp_path, "corrupt")
    assert page.read_bytes() == good  # rendered again and stored again
    assert json.loads(meta.read_bytes())["key"] == fourth["yanshi"][0]
