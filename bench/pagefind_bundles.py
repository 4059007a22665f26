"""Each search bundle of one agency indexed on its own, with its peak memory (docs/scale.md 第四节第 2 条):

    .venv/bin/python bench/pagefind_bundles.py SITE AGENCY [PAGES]

SITE is a built site (the build with SSJPUB_PAGEFIND=false), AGENCY an agency's code, PAGES the
most pages a bundle (ssjpub.site.search_index.PAGES by default). One line a bundle: its pages, the
bytes of HTML they are, Pagefind's peak resident memory and CPU time (GNU time), written to a
temporary folder, not into the site. What shows how Pagefind's memory follows the HTML it holds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from ssjpub.site import search_index as S

MiB = 1024 * 1024


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    site, code = Path(sys.argv[1]), sys.argv[2]
    pages = int(sys.argv[3]) if len(sys.argv) == 4 else S.PAGES
    for bundle in S.agency_bundles(site / code, code, pages):
        html = sum((bundle.folder / p).stat().st_size for p in bundle.pages)
        with tempfile.TemporaryDirectory() as work:
            (Path(work) / "pagefind.json").write_text(json.dumps({"glob": S._glob(bundle.pages)}), encoding="utf-8")
            done = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "pagefind", "--site",
                                   str(bundle.folder.resolve()), "--output-path", str(Path(work) / "out"), "--silent"],
                                  cwd=work, capture_output=True, text=True, check=False)
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) * 1024
        cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr))
        folders = sorted({S._first(p) or "." for p in bundle.pages})
        print(json.dumps({"bundle": bundle.name, "pages": len(bundle.pages), "html_mib": round(html / MiB, 1),
                          "peak_mib": round(rss / MiB), "cpu_s": round(cpu, 1), "ratio": round(rss / max(html, 1), 1),
                          "folders": f"{folders[0]}…{folders[-1]}", "ok": done.returncode == 0}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
