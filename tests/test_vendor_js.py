"""The vendored JavaScript libraries (theme/static/verify/vendor/) are exactly what
scripts/vendor_js.py records: each file's SHA-256, the pinned package versions and their licences.
The refresh itself needs the npm registry and is run by hand, not by the tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "theme" / "static" / "verify" / "vendor"
MANIFEST = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))


def test_every_vendored_file_has_the_recorded_sha256():
    files = {p.name for p in VENDOR.iterdir()} - {"VENDOR.json"}
    assert files == set(MANIFEST["sha256"])
    for name, digest in MANIFEST["sha256"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_packages_are_pinned_with_licence_and_integrity():
    script = (ROOT / "scripts" / "vendor_js.py").read_text(encoding="utf-8")
    for pkg in MANIFEST["packages"]:
        assert f'"{pkg["package"]}": "{pkg["version"]}"' in script
        assert pkg["integrity"].startswith("sha512-")
        licence = VENDOR / f"LICENSE-{pkg['package'].replace('/', '-').lstrip('@')}"
        text = licence.read_text(encoding="utf-8")
        assert ("MIT License" in text) if pkg["license"] == "MIT" else ("ISC" in text or "Permission to use" in text)
        head = (VENDOR / pkg["file"]).read_text(encoding="utf-8")[:400]
        assert f"// {pkg['package']} {pkg['version']}, licence {pkg['license']}" in head
        assert f"function {pkg['function']}() {{" in head
