"""A bad Pelican setting is reported at the line that set it: pelicanconf.py's, publishconf.py's
(read after it), or, for a value no file writes (the command line's -e), pelicanconf.py's own line
saying the value came from elsewhere."""

from __future__ import annotations

from ssjpub.site.setting_line import setting_problem
from ssjpub.site.selection import selection
from ssjpub.validate import validate
from test_site import ROOT

CONF = 'PLUGINS = ["ssjpub.site"]\n\nSSJPUB_AGENCIES = None\n'


def where(p):
    return p.file, p.line, p.column


def test_the_line_that_wrote_the_value(tmp_path):
    (tmp_path / "pelicanconf.py").write_text(CONF.replace("None", '["nosuch"]'), encoding="utf-8")
    p = setting_problem(tmp_path, "SSJPUB_AGENCIES", ["nosuch"], "invalid-value", "坏")
    assert where(p) == ("pelicanconf.py", 3, 1) and p.message == "坏"


def test_publishconf_is_read_after_pelicanconf(tmp_path):
    (tmp_path / "pelicanconf.py").write_text(CONF, encoding="utf-8")
    (tmp_path / "publishconf.py").write_text('from pelicanconf import *\n\n\nSSJPUB_AGENCIES = ("x",)\n', encoding="utf-8")
    p = setting_problem(tmp_path, "SSJPUB_AGENCIES", ("x",), "invalid-value", "坏")
    assert where(p) == ("publishconf.py", 4, 1)


def test_a_value_no_file_writes_came_from_the_command_line(tmp_path):
    (tmp_path / "pelicanconf.py").write_text(CONF, encoding="utf-8")
    p = setting_problem(tmp_path, "SSJPUB_AGENCIES", ["nosuch"], "invalid-value", "坏")
    assert where(p) == ("pelicanconf.py", 3, 1)
    assert p.message.startswith("坏（") and "-e SSJPUB_AGENCIES=" in p.message


def test_no_settings_file_and_a_broken_one_still_give_a_position(tmp_path):
    assert where(setting_problem(tmp_path, "X", 1, "invalid-value", "坏")) == ("pelicanconf.py", 1, 1)
    (tmp_path / "pelicanconf.py").write_text("X = (\n", encoding="utf-8")
    assert where(setting_problem(tmp_path, "X", 1, "invalid-value", "坏")) == ("pelicanconf.py", 1, 1)


def test_an_empty_selection_is_refused_rather_than_building_every_agency():
    repo, _ = validate(ROOT)
    for empty in ([], ()):
        codes, problems = selection({"SSJPUB_AGENCIES": empty}, repo, ROOT)
        assert codes is None and [p.code for p in problems] == ["invalid-value"]
        assert "列表是空的" in problems[0].message
    assert selection({"SSJPUB_AGENCIES": None}, repo, ROOT) == (None, [])
    assert selection({"SSJPUB_AGENCIES": ["yanshi", "baofeng", "baofeng"]}, repo, ROOT) == (("baofeng", "yanshi"), [])
