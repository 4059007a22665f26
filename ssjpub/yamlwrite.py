"""Staff YAML files as ssjpub writes them: block style, keys in the order given, text quoted
wherever YAML 1.2 (what ssjpub and editors read) would not read it back as text."""

from __future__ import annotations

import os
from pathlib import PurePosixPath

import yaml

from ssjpub.loader.yamlfile import plain_is_text


class _Dumper(yaml.CSafeDumper):
    def ignore_aliases(self, data) -> bool:  # staff files never use anchors; ssjpub refuses them
        return True


def _str(dumper: yaml.SafeDumper, value: str):
    # PyYAML resolves by YAML 1.1 and writes "0847…" plain, which 1.2 reads as a number.
    style = "|" if "\n" in value else None if plain_is_text(value) else "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(body: dict) -> str:
    return yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)


def schema_line(rel: str, schema: str) -> str:
    """The first line of a data file at repository path ``rel``: its JSON Schema for editors."""
    where = os.path.relpath(f"docs/schema/{schema}.schema.json", PurePosixPath(rel).parent.as_posix())
    return f"# yaml-language-server: $schema={PurePosixPath(where).as_posix()}\n"
