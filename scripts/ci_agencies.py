"""The agencies a change touches, as the CI job matrix: one job validates, verifies and renders
the pages of each (into its own site cache, merged by the job that builds the whole site).

    python3 scripts/ci_agencies.py [--base REF] [--root DIR]

Prints {"agency": [...]} (GitHub Actions `strategy.matrix`, GitLab `parallel:matrix` through a
generated child pipeline with --gitlab). The changed paths are `git diff --name-status -M` between
the merge base of REF and HEAD; a rename counts at both its old and its new path.

  plans/<agency>/…, results/<agency>/…   that agency
  anything else (plans/lottery-games.yaml, plans/result-categories.yaml, plans/calendar/, theme/,
  content/, ssjpub/, the settings, the CI files…)                          every agency
  no --base (a push to the default branch, a scheduled run)                  every agency

Only agencies that exist at HEAD are listed (a deleted one has nothing to check; the assembling
job builds the whole site all the same); when none is left, every agency is, so that a matrix is
never empty. Standard library only: it runs before ssjpub is installed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SHARED_UNDER_PLANS = {"calendar"}


def all_agencies(root: Path) -> list[str]:
    plans = root / "plans"
    if not plans.is_dir():
        return []
    return sorted(p.name for p in plans.iterdir()
                  if p.is_dir() and not p.is_symlink() and _SLUG.match(p.name) and p.name not in _SHARED_UNDER_PLANS)


def changed_paths(root: Path, base: str) -> list[str]:
    """Every path changed between the merge base of `base` and HEAD (both sides of a rename)."""
    out = subprocess.run(["git", "-C", str(root), "diff", "--name-status", "-M", "-z", f"{base}...HEAD"],
                         check=True, capture_output=True).stdout.decode("utf-8", "surrogateescape")
    fields = out.split("\0")
    paths, i = [], 0
    prefix = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-prefix"], check=True,
                            capture_output=True, text=True).stdout.strip()
    while i < len(fields) and fields[i]:
        status = fields[i]
        width = 2 if status[0] in "RC" else 1
        paths += fields[i + 1: i + 1 + width]
        i += 1 + width
    # git names paths from the top of the work tree; the data repository may be a folder of it
    # (a path outside that folder stays as it is: not an agency's, so every agency's concern).
    return [p[len(prefix):] if p.startswith(prefix) else p for p in paths]


def touched(paths: list[str], agencies: list[str]) -> list[str]:
    """The agencies these changed paths concern: every one when a shared file changed."""
    found: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if len(parts) >= 3 and parts[0] in ("plans", "results") and _SLUG.match(parts[1]) \
                and parts[1] not in _SHARED_UNDER_PLANS:
            found.add(parts[1])
        else:
            return list(agencies)
    return sorted(found & set(agencies)) or list(agencies)


def matrix(root: Path, base: str | None) -> dict:
    agencies = all_agencies(root)
    chosen = agencies if not base else touched(changed_paths(root, base), agencies)
    return {"agency": chosen}


def gitlab_child(chosen: list[str]) -> str:
    """A child pipeline running the per-agency job once per agency (GitLab's parallel:matrix): it
    validates and verifies its agency and renders its pages into its own site cache (an artifact);
    then `assemble` merges the caches and builds the preview from them (a parent job cannot read
    a child pipeline's artifacts, so the preview is built here). JSON is YAML, so the file is
    written as JSON."""
    job = {
        "image": "python:3.11-bookworm",
        "variables": {"GIT_DEPTH": "0"},
        "cache": {"key": "ssjpub-verify-$AGENCY", "paths": [".ssjpub-cache/verify/"]},
        "before_script": ['git config --global --add safe.directory "$CI_PROJECT_DIR"'],
        "parallel": {"matrix": [{"AGENCY": chosen}]},
        "script": ["make .venv/bin/ssjpub",
                   ".venv/bin/ssjpub validate --agency \"$AGENCY\"",
                   ".venv/bin/ssjpub verify --agency \"$AGENCY\" --cache .ssjpub-cache/verify",
                   # the preview's settings (they are in the pages' keys); this output is not a site
                   ".venv/bin/pelican content -s pelicanconf.py -o /tmp/cache-only --fatal errors"
                   " -e \"SSJPUB_CACHE_ONLY=[\\\"$AGENCY\\\"]\" SSJPUB_PAGEFIND=false",
                   # one folder per agency: the assembling job receives every job's artifacts at once
                   "mkdir -p \"site-caches/$AGENCY\" && cp -r .ssjpub-cache/site/index.json .ssjpub-cache/site/blobs \"site-caches/$AGENCY/\""],
        "artifacts": {"paths": ["site-caches/"], "expire_in": "1 day"},
    }
    assemble = {
        "image": job["image"],
        "variables": job["variables"],
        "before_script": job["before_script"],
        "needs": ["agency"],
        "script": ["make .venv/bin/ssjpub",
                   ".venv/bin/python -m ssjpub.site.sitecache merge .ssjpub-cache/site site-caches/*",
                   "make html"],
        "artifacts": {"expose_as": "网站预览", "paths": ["output/"], "expire_in": "2 weeks"},
    }
    return json.dumps({"agency": job, "assemble": assemble}, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", help="the branch or commit the change is compared with (its merge base with HEAD)")
    parser.add_argument("--root", type=Path, default=Path("."), help="the data repository (the folder holding plans/)")
    parser.add_argument("--gitlab", type=Path, metavar="FILE", help="also write a GitLab child pipeline to FILE")
    args = parser.parse_args(argv)
    try:
        out = matrix(args.root, args.base)
    except subprocess.CalledProcessError as exc:
        print(f"无法比较改动（git diff {args.base}...HEAD）：{exc.stderr.decode('utf-8', 'replace').strip()}",
              file=sys.stderr)
        return 1
    if args.gitlab is not None:
        args.gitlab.write_text(gitlab_child(out["agency"]), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
