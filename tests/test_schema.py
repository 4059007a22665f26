"""The committed JSON Schemas (docs/schema/) are current, well-formed, and accept the demo as an
editor sees it. jsonschema is not a dependency: a small validator for the subset pydantic emits
stands in for it here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli
from ssjpub.model import DOCUMENTS
from ssjpub.schema import GLOBS, schema_text

SCHEMA_DIR = REPO / "docs" / "schema"
NAMES = sorted(DOCUMENTS)
TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}


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


def _walk(node, defs: dict, where: str):
    """Structural check of a JSON Schema (2020-12) node; yields nothing, asserts on faults."""
    if isinstance(node, bool):
        return
    assert isinstance(node, dict), where
    if "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/$defs/") and ref[8:] in defs, f"{where}: unresolved $ref {ref}"
    t = node.get("type")
    if t is not None:
        assert (t in TYPES) if isinstance(t, str) else set(t) <= TYPES, f"{where}: type {t}"
    if "pattern" in node:
        re.compile(node["pattern"])
    if "required" in node:
        assert set(node["required"]) <= set(node.get("properties", {})), f"{where}: required not a property"
    for key in ("properties", "$defs"):
        for name, sub in node.get(key, {}).items():
            _walk(sub, defs, f"{where}.{name}")
    for key in ("items", "additionalProperties", "propertyNames", "not"):
        if key in node:
            _walk(node[key], defs, f"{where}[{key}]")
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, sub in enumerate(node.get(key, [])):
            _walk(sub, defs, f"{where}.{key}[{i}]")


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_a_well_formed_json_schema(name):
    schema = committed(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    _walk(schema, schema.get("$defs", {}), name)


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


# --- the demo, as an editor (YAML 1.2 types) sees it, against the schemas -------------------------


class _EditorLoader(yaml.SafeLoader):
    """YAML 1.2 core schema, roughly: dates stay strings, yes/no stay strings."""


_EditorLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_EditorLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _errors(value, node, defs, where="") -> list[str]:
    if "$ref" in node:
        return _errors(value, defs[node["$ref"][8:]], defs, where)
    if "anyOf" in node:
        branches = [_errors(value, sub, defs, where) for sub in node["anyOf"]]
        return [] if any(not b for b in branches) else [f"{where}: no anyOf branch matches {value!r}"]
    errors = []
    t = node.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if t is not None and not checks[t](value):
        return [f"{where}: {value!r} is not {t}"]
    if "enum" in node and value not in node["enum"]:
        errors.append(f"{where}: {value!r} not in enum")
    if "const" in node and value != node["const"]:
        errors.append(f"{where}: {value!r} != const")
    if isinstance(value, str) and "pattern" in node and not re.search(node["pattern"], value):
        errors.append(f"{where}: {value!r} does not match {node['pattern']}")
    if isinstance(value, str) and len(value) < node.get("minLength", 0):
        errors.append(f"{where}: too short")
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            errors.append(f"{where}: below minimum")
        if "maximum" in node and value > node["maximum"]:
            errors.append(f"{where}: above maximum")
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            errors.append(f"{where}: too few items")
        for i, item in enumerate(value):
            errors += _errors(item, node.get("items", {}), defs, f"{where}[{i}]")
    if isinstance(value, dict):
        props = node.get("properties", {})
        for key in node.get("required", []):
            if key not in value:
                errors.append(f"{where}: missing {key}")
        for key, item in value.items():
            if key in props:
                errors += _errors(item, props[key], defs, f"{where}.{key}")
            elif node.get("additionalProperties") is False:
                errors.append(f"{where}: unknown key {key}")
            elif isinstance(node.get("additionalProperties"), dict):
                errors += _errors(item, node["additionalProperties"], defs, f"{where}.{key}")
            if "propertyNames" in node:
                errors += _errors(key, node["propertyNames"], defs, f"{where}[{key}]")
    return errors


DEMO_DOCS = sorted(
    (name, p.relative_to(REPO).as_posix()) for name in NAMES for p in REPO.glob(GLOBS[name])
)


@pytest.mark.parametrize("name, rel", DEMO_DOCS, ids=[r for _, r in DEMO_DOCS])
def test_demo_document_passes_its_schema_in_an_editor(name, rel):
    data = yaml.load((REPO / rel).read_text(encoding="utf-8"), Loader=_EditorLoader)
    schema = committed(name)
    assert _errors(data, schema, schema.get("$defs", {})) == []


def test_schema_validator_here_does_reject_mistakes():
    """The stand-in validator is not vacuous: the mistakes the loader refuses, it refuses too."""
    schema = committed("checklist")
    data = yaml.load((REPO / "plans/baofeng/checklist.yaml").read_text(encoding="utf-8"), Loader=_EditorLoader)
    data["items"][0]["target_kin"] = data["items"][0].pop("target_kind")
    data["items"][1]["methods"] = ["电话检查"]
    data["items"][2]["ratio"] = "5"
    data["items"][3]["frequency"] = 0
    errors = _errors(data, schema, schema["$defs"])
    assert len(errors) == 5, errors  # unknown key, missing key, enum, pattern, minimum


@pytest.mark.parametrize("rel", [r for _, r in DEMO_DOCS])
def test_demo_yaml_declares_its_schema_for_editors(rel):
    first = (REPO / rel).read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, f"{rel}: first line should be the yaml-language-server $schema comment"
    target = ((REPO / rel).parent / m.group(1)).resolve()
    name = next(n for n, r in DEMO_DOCS if r == rel)
    assert target == (SCHEMA_DIR / f"{name}.schema.json").resolve()
