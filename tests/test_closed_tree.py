"""The data tree is closed (issue 10, item 3).

Symbolic links under plans/, results/ and content/ are refused where they stand and never
followed: nothing behind them (here, a file outside the repository with a resident ID and a
secret sentence) reaches a message or a log. A draw record whose file fields leave the repository
is refused at load, with the field's line, by `validate`, `verify` and `verify --history` alike,
and by the standalone docs/verify_draw.py. Everything runs on real files, real links, real git
repositories and the real commands.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from conftest import SAMPLE_ID, make_repo
from ssjpub.loader.textfile import read_data_file
from ssjpub.loader.tree import path_problem
from test_site import ROOT, copy_demo

SECRET = "内部机密：这一行不得出现在任何输出中"


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssjpub", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def outside(tmp_path: Path) -> Path:
    """A folder beside the repository holding personal data and a secret, in data-like files."""
    folder = tmp_path / "outside"
    folder.mkdir(exist_ok=True)
    (folder / "secret.yaml").write_text(f"# {SECRET}\nid: {SAMPLE_ID}\n", encoding="utf-8")
    (folder / "2024-01-05.csv").write_text(f"credit_code,name\n{SAMPLE_ID},{SECRET}\n", encoding="utf-8")
    (folder / "2024-02.yaml").write_text(f"agency: shili\nnote: {SECRET}\n", encoding="utf-8")
    return folder


def assert_nothing_leaks(text: str, tmp_path: Path) -> None:
    assert SECRET not in text and SAMPLE_ID not in text
    assert "outside" not in text and str(tmp_path) not in text  # not even where the link points
    assert "Traceback" not in text


def symlinks(log: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^(\S+):1:1: symlink ", log, re.M)}


# --- symbolic links ----------------------------------------------------------------------------


def test_links_to_files_and_folders_outside_are_reported_and_never_read(tmp_path):
    root = make_repo(tmp_path / "repo")
    away = outside(tmp_path)
    (root / "plans/shili/checklist.yaml").unlink()
    (root / "plans/shili/checklist.yaml").symlink_to(away / "secret.yaml")
    shutil.rmtree(root / "plans/shili/targets")
    (root / "plans/shili/targets").symlink_to(away)  # a folder: never entered
    (root / "results/shili/2024/2024-02.yaml").unlink()
    (root / "results/shili/2024/2024-02.yaml").symlink_to(away / "2024-02.yaml")
    (root / "plans/other").symlink_to(away)  # an agency folder
    (root / "plans/shili/.hidden").symlink_to(away / "secret.yaml")  # hidden, still refused
    (root / "results/shili/2023").symlink_to("/nonexistent/folder")  # dangling
    (root / "content/pages").mkdir(parents=True)
    (root / "content/pages/secret.md").symlink_to(away / "secret.yaml")
    (root / "content/linked").symlink_to(away)

    done = run("validate", root)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert symlinks(done.stdout) == {
        "plans/shili/checklist.yaml", "plans/shili/targets", "results/shili/2024/2024-02.yaml", "plans/other",
        "plans/shili/.hidden", "results/shili/2023", "content/pages/secret.md", "content/linked",
    }
    # One line per link, and nothing more about what stands behind it (no missing snapshot, no
    # missing checklist, no personal data found in a file that was never opened).
    codes = [line.split()[1] for line in done.stdout.splitlines()]
    assert set(codes) == {"symlink"}, done.stdout
    assert_nothing_leaks(log, tmp_path)


def test_validate_named_a_link_reports_the_link_not_its_target(tmp_path):
    root = make_repo(tmp_path / "repo")
    away = outside(tmp_path)
    (root / "plans/shili/checklist.yaml").unlink()
    (root / "plans/shili/checklist.yaml").symlink_to(away / "secret.yaml")
    for arg, cwd in ((root / "plans/shili/checklist.yaml", ROOT), (Path("plans/shili/checklist.yaml"), root)):
        done = run("validate", arg, cwd=cwd)
        assert done.returncode == 1
        assert [line.split(" ")[:2] for line in done.stdout.splitlines()] == [["plans/shili/checklist.yaml:1:1:", "symlink"]]
        assert_nothing_leaks(done.stdout + done.stderr, tmp_path)


def test_the_whole_plans_folder_as_a_link_is_refused(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(ROOT / "tests/fixtures/base/plans", tmp_path / "real-plans")
    (root / "plans").symlink_to(tmp_path / "real-plans")
    done = run("validate", root)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "plans:1:1: symlink 这是符号链接（快捷方式）：数据目录中不允许符号链接，它不会被读取。请换成文件或目录本身"]


def test_a_link_inside_the_repository_is_refused_too(tmp_path):
    root = make_repo(tmp_path / "repo")
    (root / "plans/shili/inspectors.yaml").rename(root / "inspectors.yaml")
    (root / "plans/shili/inspectors.yaml").symlink_to("../../inspectors.yaml")
    done = run("validate", root)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith("plans/shili/inspectors.yaml:1:1: symlink ")
    assert len(done.stdout.splitlines()) == 1


def test_reading_a_data_file_never_goes_through_a_link(tmp_path):
    away = outside(tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(away / "secret.yaml")
    text, problems = read_data_file(link, "plans/x/link.yaml")
    assert text is None and [(p.file, p.code) for p in problems] == [("plans/x/link.yaml", "symlink")]


def test_verify_refuses_a_linked_input_before_re_executing(tmp_path):
    root = copy_demo(tmp_path / "repo")
    snapshot = root / "plans/baofeng/targets/2024-01-05.csv"
    copy = tmp_path / "elsewhere.csv"
    shutil.move(snapshot, copy)  # the very same bytes: only the link is wrong
    snapshot.symlink_to(copy)
    for args in (("verify",), ("verify", "--history")):
        done = run(*args, "--root", root)
        assert done.returncode == 1
        assert "plans/baofeng/targets/2024-01-05.csv:1:1: symlink " in done.stdout, done.stdout
        assert "Traceback" not in done.stderr and "elsewhere" not in done.stdout + done.stderr


def test_the_site_build_refuses_links_in_its_content_before_pelican_reads_them(tmp_path):
    """A content folder outside the repository (Pelican's PATH) is checked by the build itself."""
    from test_links import pelican

    root = copy_demo(tmp_path / "repo")
    away = outside(tmp_path)
    content = tmp_path / "content"
    shutil.copytree(root / "content", content)
    (content / "pages/secret.md").symlink_to(away / "secret.yaml")
    out = tmp_path / "output"
    out.mkdir()
    (out / "previous.html").write_text("上一次的网站", encoding="utf-8")
    done = pelican(root, out, content=content)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert "content/pages/secret.md:1:1: symlink " in log, log
    assert_nothing_leaks(log.replace(str(tmp_path / "output"), "").replace(str(root), ""), tmp_path)
    assert sorted(p.name for p in out.iterdir()) == ["previous.html"]


# --- file paths in draw records ----------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


HOSTILE_PATHS = ["../../../../etc/passwd", "/etc/passwd", "plans/../../etc/passwd", "C:/Windows/win.ini",
                 "plans\\baofeng\\targets\\2024-01-05.csv", "plans/baofeng//targets/2024-01-05.csv", "README.md"]


@pytest.mark.parametrize("bad", HOSTILE_PATHS)
def test_a_record_path_out_of_the_tree_is_refused_with_its_line_by_every_command(tmp_path, bad):
    root = copy_demo(tmp_path / "repo")
    rel = "plans/baofeng/2024/draws/2024-01.json"
    record = root / rel
    text = record.read_text(encoding="utf-8")
    old = '"file": "plans/baofeng/targets/2024-01-05.csv"'
    line = text[: text.index(old)].count("\n") + 1
    record.write_text(text.replace(old, f'"file": {json.dumps(bad)}'), encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "data")
    for args in (("validate", root), ("verify", "--root", root), ("verify", "--history", "--root", root)):
        done = run(*args)
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout.startswith(f"{rel}:{line}:13: invalid-path 抽取记录 population.file 中的文件路径无效："), (
            args, done.stdout)
        assert "Traceback" not in done.stderr and "fatal:" not in done.stdout + done.stderr
        assert "GitError" not in done.stdout + done.stderr


SEGMENT = st.text(alphabet="abcxyz0129-_.中文", min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))
CLEAN = st.lists(SEGMENT, min_size=1, max_size=5).map(lambda parts: "plans/" + "/".join(parts))


@given(CLEAN)
def test_plain_paths_under_plans_are_accepted(rel):
    assert path_problem(rel, ROOT / "tests/fixtures/base") is None


@given(CLEAN, st.sampled_from(["..", ".", "", "/", "\\", "C:", "\n"]), st.data())
def test_a_path_with_a_way_out_anywhere_is_refused(rel, bad, data):
    parts = rel.split("/")
    at = data.draw(st.integers(0, len(parts)))
    hostile = "/".join([*parts[:at], bad, *parts[at:]]) if bad not in ("/", "C:") else bad + rel
    assert path_problem(hostile, ROOT / "tests/fixtures/base") is not None, hostile


# --- the standalone verifier --------------------------------------------------------------------


def verify_draw(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "docs/verify_draw.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=600)


def test_the_standalone_verifier_never_reads_through_a_link(tmp_path):
    root = copy_demo(tmp_path / "repo")
    snapshot = root / "plans/baofeng/targets/2024-01-05.csv"
    shutil.move(snapshot, tmp_path / "same-bytes.csv")
    snapshot.symlink_to(tmp_path / "same-bytes.csv")
    done = verify_draw(root, "plans/baofeng/2024/draws/2024-01.json")
    assert done.returncode == 1, done.stdout
    assert "plans/baofeng/targets/2024-01-05.csv 是符号链接，不读取" in done.stdout
    assert "same-bytes" not in done.stdout + done.stderr

    shutil.move(root / "plans/yanshi/2023/draws", tmp_path / "draws")
    (root / "plans/yanshi/2023/draws").symlink_to(tmp_path / "draws")
    done = verify_draw(root, "--all")
    assert done.returncode == 1
    assert "plans/yanshi/2023/draws/2023-01.json: （文件）: 无法核对：无法读取：plans/yanshi/2023/draws 是符号链接" in done.stdout


def test_the_standalone_verifier_refuses_names_that_build_paths_out_of_the_tree(tmp_path):
    root = copy_demo(tmp_path / "repo")
    rel = "plans/baofeng/2024/draws/2024-01.json"
    record = json.loads((root / rel).read_text(encoding="utf-8"))
    record["agency"] = "../../.."
    (root / rel).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    done = verify_draw(root, rel)
    assert done.returncode == 1
    assert f"{rel}: agency: 无法核对：应为机关代号" in done.stdout, done.stdout


# --- writing into the tree -----------------------------------------------------------------------


def test_import_targets_never_writes_through_a_link_or_out_of_plans(tmp_path):
    from test_import_targets import ROWS, write_xlsx

    root = make_repo(tmp_path / "repo")
    away = tmp_path / "away"
    away.mkdir()
    shutil.rmtree(root / "plans/shili/targets")
    (root / "plans/shili/targets").symlink_to(away)
    xlsx = write_xlsx(tmp_path / "export.xlsx", rows=[ROWS[0], ROWS[1]])
    args = ("import-targets", xlsx, "--date", "2024-07-01", "--source", "参保登记", "--root", root)
    done = run(*args, "--agency", "shili")
    assert done.returncode == 1 and f"{root}/plans/shili/targets:1:1: symlink " in done.stdout, done.stdout
    assert list(away.iterdir()) == []
    done = run(*args, "--agency", "../../away")
    assert done.returncode == 1 and "invalid-value" in done.stdout and list(away.iterdir()) == []


def test_the_site_build_refuses_links_in_the_theme(tmp_path):
    """The theme's static files are copied into the site: a link there would publish whatever it
    points to (a folder of the build machine)."""
    from test_links import pelican

    root = copy_demo(tmp_path / "repo")
    away = outside(tmp_path)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "static/away").symlink_to(away, target_is_directory=True)
    out = tmp_path / "output"
    done = pelican(root, out, f"THEME={json.dumps(str(theme))}")
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert "static/away:1:1: symlink " in log, log
    assert not (out / "theme/away").exists()
    assert_nothing_leaks(log.replace(str(tmp_path / "output"), "").replace(str(root), ""), tmp_path)
