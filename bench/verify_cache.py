"""`ssjpub verify` with and without the verification cache on the synthetic county (bench/synth.py):

    .venv/bin/python bench/verify_cache.py [SCALE] [--runs N] [--cached-only]

full (--no-cache; left out with --cached-only), a pull request that adds one draw (every entry
cached but the latest record's), and nothing changed; each the best of N runs (wall seconds, and
the process's CPU seconds, which a busy shared machine inflates less). Prints one JSON line.
ssjpub's bytecode is compiled first: CI writes it on the first run, an environment with
PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run (~0.4 s).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE.parent))


FAILED: list[int] = []  # exit codes of runs that did not pass: their times mean nothing


def timed(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    if (code := subprocess.run(cmd, capture_output=True).returncode) != 0:
        FAILED.append(code)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scale", nargs="?", default="county")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cached-only", action="store_true", help="leave out the full (--no-cache) runs")
    args = parser.parse_args()
    compileall.compile_dir(HERE.parent / "ssjpub", quiet=1)
    from ssjpub.draw import verifycache
    from ssjpub.draw.engine import made_at
    from ssjpub.loader.repository import load_repository

    root = HERE / "data" / args.scale
    repo, _ = load_repository(root, results=False, deferred=True)  # what the keys need
    keys = verifycache.record_keys(repo)
    code = sorted(repo.agencies)[0]
    data = repo.agencies[code]
    latest = max(data.draws, key=lambda k: made_at(data, *k))
    verify = [str(BIN / "ssjpub"), "verify", "--root", str(root)]
    out = {"scale": args.scale, "draws": len(keys), "load_1min": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        subprocess.run([*verify, "--cache", str(cache)], capture_output=True)  # warm every entry
        entry = verifycache.Cache(cache).path(keys[(code, *latest, "draw")])
        kept = entry.read_bytes()
        runs: dict[str, list[tuple[float, float]]] = {"one_new_draw": [], "unchanged": []}
        if not args.cached_only:
            runs["full"] = []
        for _ in range(args.runs):
            if not args.cached_only:
                runs["full"].append(timed([*verify, "--no-cache"]))
            entry.unlink()  # the new draw of the pull request: its key has no entry yet
            runs["one_new_draw"].append(timed([*verify, "--cache", str(cache)]))
            entry.write_bytes(kept)
            runs["unchanged"].append(timed([*verify, "--cache", str(cache)]))
    for name, values in runs.items():
        out[name] = {"wall": round(min(w for w, _ in values), 2), "cpu": round(min(c for _, c in values), 2)}
    out["ok"] = not FAILED
    print(json.dumps(out))


if __name__ == "__main__":
    main()
