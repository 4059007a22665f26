"""Every published text file is scanned for personal data, not only the data files the loader reads:
Markdown pages, the draw records' YAML copies, notes beside the data, and for the site a content
folder of its own and the theme. Real files, the real CLI and real Pelican builds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SAMPLE_ID, SAMPLE_MOBILE, append_text, console_script, copy_demo, problems_of
from ssjpub.loader.published import PUBLISHED, scan_unread
from ssjpub.loader.textfile import read_data_file

PAGE = "Title: 联系我们\nSlug: contact\n\n如有疑问，请联系王某，电话 {}。\n"


def personal(problems):
    return [(p.file, p.line, p.column) for p in problems if p.code == "personal-data"]


def test_the_demo_pages_and_the_source_documents_are_clean():
    """S0 and S1 are full of dates, document numbers and statistics: none of them fires."""
    assert scan_unread(REPO, [REPO / f for f in PUBLISHED]) == []


def test_validate_reports_a_number_in_a_markdown_page_by_the_real_cli(tmp_path):
    root = copy_demo(tmp_path / "repo")
    shutil.copytree(REPO / "content", root / "content")
    (root / "content/pages/contact.md").write_text(PAGE.format("139 1234 5678"), encoding="utf-8")
    script = console_script()
    cmd = [str(script)] if script else [sys.executable, "-m", "ssjpub"]
    done = subprocess.run([*cmd, "validate"], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "content/pages/contact.md:4:15: personal-data 疑似手机号码（139****5678）" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_the_draw_records_yaml_copies_and_notes_beside_the_data_are_scanned(demo):
    copy = demo / "plans/baofeng/2024/draws/2024-01.yaml"
    line = append_text(copy, f"# 经办人手机 {SAMPLE_MOBILE}\n")
    (demo / "plans/baofeng/README.md").write_text(f"说明\n\n经办人身份证 {SAMPLE_ID}\n", encoding="utf-8")
    (demo / "results/baofeng/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + SAMPLE_MOBILE.encode())
    found = personal(problems_of(demo))
    assert ("plans/baofeng/2024/draws/2024-01.yaml", line, 9) in found
    assert ("plans/baofeng/README.md", 3, 8) in found
    assert all(f != "results/baofeng/photo.png" for f, _, _ in found)  # binary: no text to scan


def test_a_note_saved_as_gbk_is_scanned_too(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(f"说明\n联系电话 {SAMPLE_MOBILE}\n".encode("gbk"))
    tf, problems = read_data_file(path, "t.csv")
    assert tf is None
    assert [p.code for p in problems] == ["file-encoding", "personal-data"]
    assert personal(problems) == [("t.csv", 2, 6)]
    (tmp_path / "notes").mkdir()
    path.rename(tmp_path / "notes/t.txt")
    assert personal(scan_unread(tmp_path, [tmp_path / "notes"])) == [("notes/t.txt", 2, 6)]


def run_pelican(content: Path, out: Path, root: Path, theme: Path):
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(REPO / "pelicanconf.py"), "-o", str(out),
           "-t", str(theme), "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(root))}",
           "SSJPUB_PAGEFIND=false"]
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=600)


def test_the_site_refuses_a_content_folder_of_its_own_and_a_theme_with_personal_data(tmp_path):
    root = copy_demo(tmp_path / "repo")
    content = tmp_path / "elsewhere/content"
    shutil.copytree(REPO / "content", content)
    (content / "pages/contact.md").write_text(PAGE.format(f"Tel{SAMPLE_MOBILE}"), encoding="utf-8")
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    append_text(theme / "static/css/site.css", f"/* 维护人 {SAMPLE_ID} */\n")
    out = tmp_path / "output"
    out.mkdir()
    (out / "previous.html").write_text("上一次的网站", encoding="utf-8")

    done = run_pelican(content, out, root, theme)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert f"{(content / 'pages/contact.md').as_posix()}:4:18: personal-data 疑似手机号码" in log
    assert f"{(theme / 'static/css/site.css').as_posix()}:" in log and "疑似居民身份证号码" in log
    assert SAMPLE_MOBILE not in log and SAMPLE_ID not in log
    assert "Traceback" not in log
    assert (out / "previous.html").read_text(encoding="utf-8") == "上一次的网站"
    assert not (out / "index.html").exists()


def test_html_character_references_in_a_page_do_not_hide_a_number(tmp_path):
    """A page is rendered as HTML: &#49;&#51;&#56;… and &nbsp; show on the site as a phone number."""
    from ssjpub.loader.published import scan_unread

    page = tmp_path / "content/pages/note.md"
    page.parent.mkdir(parents=True)
    page.write_text("# 说明\n\n联系：&#49;&#51;&#56;12345678\n\n或 139&nbsp;1234&nbsp;5678\n", encoding="utf-8")
    found = scan_unread(tmp_path, [tmp_path / "content"])
    assert [(p.file, p.line, p.column, p.code) for p in found] == [
        ("content/pages/note.md", 3, 4, "personal-data"), ("content/pages/note.md", 5, 6, "personal-data")]


def test_an_unknown_key_that_is_a_mobile_number_is_masked_in_its_message(tmp_path):
    from ssjpub.loader.documents import validate_document
    from ssjpub.loader.yamlfile import parse_yaml
    from ssjpub.model import ResultCategories

    doc, _ = parse_yaml('categories: []\n"\\u0031\\u0033\\u0038\\u0031\\u0032\\u0033\\u0034\\u0035\\u0036\\u0037\\u0038": 1\n', "x.yaml")
    _loaded, problems = validate_document(doc, ResultCategories)
    unknown = [p for p in problems if p.code == "unknown-key"]
    assert unknown and all("13812345678" not in p.message for p in unknown)
