"""JSON Schema of each YAML document, for editors (yaml-language-server) to flag mistakes while typing."""

from __future__ import annotations

import json
from pathlib import Path

from ssjpub.model import DOCUMENTS

# Which files each schema applies to, for .vscode/settings.json (yaml.schemas).
GLOBS = {
    "agency": "plans/*/agency.yaml",
    "checklist": "plans/*/checklist.yaml",
    "inspectors": "plans/*/inspectors.yaml",
    "plan": "plans/*/*/plan.yaml",
    "results": "results/*/*/*.yaml",
    "result-categories": "plans/result-categories.yaml",
    "randomness": "plans/*/*/randomness/*.yaml",
    "calendar": "plans/calendar/*.yaml",
    "timestamp": "plans/*/*/timestamps/*.yaml",
    "lottery-games": "plans/lottery-games.yaml",
    "import": "plans/*/import.yaml",
}


def schema_text(name: str) -> str:
    schema = DOCUMENTS[name].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(DOCUMENTS):
        path = out / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
