"""The committed JSON Schemas (docs/schema/) are current, well-formed, and accept the demo as an
editor sees it: check-jsonschema, an independent validator (ruamel's YAML 1.2, jsonschema), is the
editor's stand-in here."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conftest import CASE_FILES, REPO, error_cases, run_cli
from ssjpub.loader.documents import validate_document
from ssjpub.loader.textfile import read_data_file
from ssjpub.loader.yamlfile import parse_yaml
from ssjpub.model import DOCUMENTS
from ssjpub.schema import GLOBS, schema_text

SCHEMA_DIR = REPO / "docs" / "schema"
NAMES = sorted(DOCUMENTS)


def committed(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", NAMES)
def test_committed_schema_is_current(name):
    path = SCHEMA_DIR / f"{name}.schema.json"
    assert path.is_file(), f"docs/schema/{name}.schema.json missing: run `make schema`"
    assert path.read_text(encoding="utf-8") == schema_text(name), "stale schema: run `make schema`"


def test_no_stale_schema_files():
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json")) == [f"{n}.schema.json" for n in NAMES]


def test_schema_command_writes_the_committed_files(tmp_path):
    result = run_cli("schema", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for name in NAMES:
        written = (tmp_path / "out" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert written == (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_a_well_formed_json_schema(name):
    schema = committed(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", NAMES)
def test_schema_refuses_unknown_keys_like_the_loader(name):
    """additionalProperties: false on every object model, so editors flag typos too."""
    schema = committed(name)
    assert schema["additionalProperties"] is False
    for def_name, sub in schema.get("$defs", {}).items():
        if sub.get("type") == "object" and "properties" in sub:
            assert sub.get("additionalProperties") is False, f"{name}: $defs.{def_name}"


def test_vscode_settings_wire_every_schema_to_its_files():
    settings = json.loads((REPO / ".vscode/settings.json").read_text(encoding="utf-8"))
    wired = {Path(k).name: v for k, v in settings["yaml.schemas"].items()}
    assert wired == {f"{name}.schema.json": GLOBS[name] for name in NAMES}


# --- an independent validator: check-jsonschema (YAML 1.2 via ruamel, JSON Schema via jsonschema) --


def schema_failures(name: str, files: list[Path]) -> dict[str, list[str]]:
    """check-jsonschema's verdict on ``files`` against docs/schema/<name>: the messages of each
    file it refuses (a file it cannot parse counts as refused)."""
    if not files:
        return {}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--schemafile", str(SCHEMA_DIR / f"{name}.schema.json"),
         "-o", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(done.stdout)
    failures: dict[str, list[str]] = {}
    for err in report.get("errors", []) + report.get("parse_errors", []):
        failures.setdefault(Path(err["filename"]).resolve().as_posix(), []).append(err["message"])
    assert done.returncode == (1 if failures else 0), done.stdout + done.stderr
    return failures


DEMO_DOCS = sorted(
    (name, p.relative_to(REPO).as_posix()) for name in NAMES for p in REPO.glob(GLOBS[name])
)


@pytest.mark.parametrize("name", sorted({n for n, _ in DEMO_DOCS}))
def test_demo_documents_pass_their_schema_in_an_independent_validator(name):
    files = [REPO / rel for n, rel in DEMO_DOCS if n == name]
    assert schema_failures(name, files) == {}


def test_the_independent_validator_does_reject_mistakes(tmp_path):
    """Not vacuous: the mistakes the loader refuses, check-jsonschema refuses too."""
    text = (REPO / "plans/baofeng/checklist.yaml").read_text(encoding="utf-8")
    mistakes = {
        "unknown-key": ("  target_kind:", "  target_kin:"),
        "enum": ("  - 现场检查\n", "  - 电话检查\n"),
        "pattern": ("  ratio: 5%", "  ratio: '5'"),
        "minimum": ("  frequency: 1", "  frequency: 0"),
        "quoted-integer": ("  frequency: 1", "  frequency: '1'"),
        "full-width-date": ("updated_on: 2024-01-05", "updated_on: ２０２４-01-05"),
    }
    files = []
    for name, (old, new) in mistakes.items():
        assert old in text, old
        path = tmp_path / f"{name}.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        files.append(path)
    assert sorted(schema_failures("checklist", files)) == sorted(p.resolve().as_posix() for p in files)


@pytest.mark.parametrize("rel", [r for _, r in DEMO_DOCS])
def test_demo_yaml_declares_its_schema_for_editors(rel):
    first = (REPO / rel).read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, f"{rel}: first line should be the yaml-language-server $schema comment"
    target = ((REPO / rel).parent / m.group(1)).resolve()
    name = next(n for n, r in DEMO_DOCS if r == rel)
    assert target == (SCHEMA_DIR / f"{name}.schema.json").resolve()


# --- the loader and the schema agree, file by file, on the demo and on every failing fixture ----

# Problems JSON Schema cannot express, or that are the YAML itself (each parser reads aliases,
# duplicate keys and depth its own way): files with these are left out of the comparison.
_YAML_LEVEL = {"yaml-syntax", "yaml-alias", "duplicate-key", "too-deep"}
_LOADER_ONLY = {"invalid-credit-code",  # the check character (GB 32100-2015)
                "drand-randomness-mismatch"}  # a SHA-256 of the signature


def _schema_for(rel: str) -> str | None:
    parts = rel.split("/")
    for name in NAMES:
        pattern = GLOBS[name].split("/")
        if len(pattern) == len(parts) and all(fnmatch.fnmatchcase(p, g) for p, g in zip(parts, pattern)):
            return name
    return None


def _compared_files() -> list[tuple[str, str, Path]]:
    """(schema, shown name, path) of every demo document and every YAML file of a fixture overlay."""
    files = [(name, rel, REPO / rel) for name, rel in DEMO_DOCS]
    for case in error_cases():
        for path in sorted(case.path.rglob("*.yaml")):
            rel = path.relative_to(case.path).as_posix()
            name = _schema_for(rel)
            if name is not None and rel not in CASE_FILES:
                files.append((name, f"{case.name}: {rel}", path))
    return files


def _loader_codes(path: Path, name: str) -> set[str] | None:
    """The codes of the file's own problems (not the cross-file ones); None if it cannot be read."""
    tf, _problems = read_data_file(path, path.name)
    if tf is None:
        return None
    doc, problems = parse_yaml(tf.text, path.name)
    if not problems:
        _model, problems = validate_document(doc, DOCUMENTS[name])
    return {p.code for p in problems}


def test_loader_and_schema_agree_on_every_demo_and_fixture_file():
    files = []
    for name, shown, path in _compared_files():
        codes = _loader_codes(path, name)
        # Not even shown to check-jsonschema when the YAML itself is at fault: ruamel expands the
        # billion-laughs fixture's aliases and never finishes.
        if codes is not None and not codes & _YAML_LEVEL and not (codes and codes <= _LOADER_ONLY):
            files.append((name, shown, path, codes))
    assert len(files) > 40
    refused: dict[str, list[str]] = {}
    for name in NAMES:
        refused.update(schema_failures(name, [path for n, _, path, _ in files if n == name]))
    disagreements = []
    for name, shown, path, codes in files:
        by_schema = refused.get(path.resolve().as_posix())
        if bool(codes) != bool(by_schema):
            disagreements.append(f"{shown}: loader {sorted(codes) or 'accepts'}, schema {by_schema or 'accepts'}")
    assert disagreements == []


def _core_patterns(node, found: set) -> None:
    if isinstance(node, dict):
        if node.get("type") == "str" and "pattern" in node:
            found.add(node["pattern"])
        for value in node.values():
            _core_patterns(value, found)
    elif isinstance(node, list):
        for value in node:
            _core_patterns(value, found)


def test_every_pattern_of_the_models_is_explained_in_words():
    """A message never shows a regular expression: each pattern the loader can reject a value by
    has words saying what to write (ssjpub.model.PATTERN_WORDS)."""
    import inspect

    from pydantic import BaseModel

    from ssjpub import model

    found: set = set()
    for _, cls in inspect.getmembers(model, inspect.isclass):
        if issubclass(cls, BaseModel) and cls.__module__ == model.__name__:
            _core_patterns(cls.__pydantic_core_schema__, found)
    assert found and found <= set(model.PATTERN_WORDS), found - set(model.PATTERN_WORDS)
    for words in model.PATTERN_WORDS.values():
        assert not any(c in words for c in "^$[]{}\\"), words


def test_a_pattern_mismatch_says_what_to_write(tmp_path):
    from conftest import make_repo, run_cli

    root = make_repo(tmp_path / "repo")
    agency = root / "plans/shili/agency.yaml"
    text = agency.read_text(encoding="utf-8")
    import re as _re

    code = _re.search(r"division_code: '?(\d{6})'?", text)
    assert code, text
    agency.write_text(text.replace(code.group(0), "division_code: '41042'"), encoding="utf-8")
    result = run_cli("validate", root)
    assert result.exit_code == 1
    assert "（行政区划代码）格式不对：应为6 位数字，如 410421" in result.output and "[0-9]" not in result.output
