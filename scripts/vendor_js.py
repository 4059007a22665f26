"""Refresh the JavaScript libraries the browser verifier uses (theme/static/verify/vendor/).

Each library is fetched from the npm registry at the version pinned below (npm checks the
registry's SHA-512 integrity), bundled by esbuild (pinned too) into one plain classic script that
declares a single function, and written with its licence. The function form lets the page load the
library with <script src> from a site opened from disk (module scripts and fetch are blocked on
file://) and hand its source text to a Web Worker built from a Blob.

VENDOR.json records, per file: package, version, licence, npm integrity and the file's SHA-256;
tests/test_vendor_js.py checks the committed files against it.

Run: python3 scripts/vendor_js.py   (needs node and npm; nothing else is installed globally)
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "theme" / "static" / "verify" / "vendor"
ESBUILD = "0.28.2"

# file stem -> (function name, packages with versions, entry module source)
BUNDLES = {
    "noble": (
        "ssjpubNoble",
        {"@noble/hashes": "2.4.0", "@noble/curves": "2.4.0"},
        "export { sha256 } from '@noble/hashes/sha2.js';\n"
        "export { bls12_381 } from '@noble/curves/bls12-381.js';\n",
    ),
    "yaml": (
        "ssjpubYaml",
        {"yaml": "2.9.1"},
        "export { parseDocument, parse, LineCounter, isMap, isSeq, isScalar, isAlias } from 'yaml';\n",
    ),
}


def run(cmd: list[str], cwd: Path) -> str:
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout


def main() -> int:
    if not shutil.which("npm") or not shutil.which("node"):
        print("需要 node 和 npm", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="ssjpub-vendor-") as tmp:
        work = Path(tmp)
        packages = {name: v for _, pkgs, _ in BUNDLES.values() for name, v in pkgs.items()}
        specs = [f"{n}@{v}" for n, v in sorted(packages.items())] + [f"esbuild@{ESBUILD}"]
        (work / "package.json").write_text('{"name": "ssjpub-vendor", "private": true}\n')
        run(["npm", "install", "--no-audit", "--no-fund", "--save-exact", *specs], work)
        lock = json.loads((work / "package-lock.json").read_text())["packages"]
        VENDOR.mkdir(parents=True, exist_ok=True)
        records = []
        for stem, (function, pkgs, entry) in sorted(BUNDLES.items()):
            (work / f"{stem}-entry.js").write_text(entry)
            code = run([str(work / "node_modules" / ".bin" / "esbuild"), f"{stem}-entry.js", "--bundle",
                        "--format=iife", "--global-name=__bundle", "--target=es2020",
                        "--legal-comments=inline", "--charset=utf8"], work)
            header = [f"// Vendored by scripts/vendor_js.py with esbuild {ESBUILD}: do not edit."]
            for name, version in sorted(pkgs.items()):
                meta = json.loads((work / "node_modules" / name / "package.json").read_text())
                header.append(f"// {name} {version}, licence {meta['license']} (see LICENSE-{name.replace('/', '-').lstrip('@')}).")
                licence = next(p for p in sorted((work / "node_modules" / name).iterdir())
                               if p.name.upper().startswith("LICENSE"))
                shutil.copyfile(licence, VENDOR / f"LICENSE-{name.replace('/', '-').lstrip('@')}")
            text = "\n".join(header) + f"\nfunction {function}() {{\n{code}return __bundle;\n}}\n"
            data = text.encode("utf-8")
            (VENDOR / f"{stem}.js").write_bytes(data)
            for name, version in sorted(pkgs.items()):
                entry_lock = lock[f"node_modules/{name}"]
                meta = json.loads((work / "node_modules" / name / "package.json").read_text())
                records.append({"file": f"{stem}.js", "function": function, "package": name,
                                "version": entry_lock["version"], "license": meta["license"],
                                "integrity": entry_lock["integrity"]})
            print(f"{stem}.js  {len(data):,} 字节  sha256 {hashlib.sha256(data).hexdigest()}")
        files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(VENDOR.iterdir())
                 if p.name != "VENDOR.json"}
        manifest = {"esbuild": ESBUILD, "packages": records, "sha256": files}
        (VENDOR / "VENDOR.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
