"""The steps `bench/run.py` times, each run in its own process so that its peak memory is its own.

    .venv/bin/python bench/steps.py draw-raw|draw-ssjpub|draw-cs [N]
    .venv/bin/python bench/steps.py markdown SITE_DIR MARKDOWN_DIR

The draw steps build the same N ids as bench/draw.py (fictional_credit_code("410000", i)) and time
the draw alone, as bench/draw.py does (its SEED, its three contenders); they print one JSON line.
`markdown` turns every HTML page of a built ssjpub site into a Markdown page with the same text and
tables, so that plain Pelican builds the same number of pages with the same content.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from draw import SEED  # noqa: E402  (bench/draw.py: the seed its comparison uses)

from ssjpub.demo.fake import fictional_credit_code  # noqa: E402
from ssjpub.draw.tickets import count_for, draw_plain  # noqa: E402


def _draw(kind: str, n: int) -> dict:
    start = time.perf_counter()
    ids = [fictional_credit_code("410000", i) for i in range(n)]
    take = count_for(Fraction(5, 100), n)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    if kind == "draw-raw":  # the floor: one SHA-256 of (prefix + id) per id, nothing selected
        prefix, sha = SEED.encode(), hashlib.sha256
        for i in ids:
            sha(prefix + i.encode()).digest()
        drawn = take
    elif kind == "draw-ssjpub":
        drawn = len(draw_plain(SEED, ids, take))
    else:
        from consistent_sampler import sampler

        drawn = len(list(sampler(ids, SEED, take=take, output="id")))
    seconds = time.perf_counter() - start
    assert drawn == take, (drawn, take)
    return {"seconds": seconds, "setup_seconds": setup, "n": n, "take": take}


class _Markdown(HTMLParser):
    """The text of <main>: headings, paragraphs, list items, definition lists and tables."""

    BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "caption", "pre", "summary"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <main>
        self.skip = 0  # inside <nav>, <script>, <style>
        self.lines: list[str] = []
        self.text: list[str] = []
        self.block: str | None = None
        self.row: list[str] | None = None
        self.rows: list[list[str]] = []
        self.title = ""
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag == "main":
            self.depth += 1
        if not self.depth:
            return
        if tag in ("nav", "script", "style"):
            self.skip += 1
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.text = []
        elif tag in self.BLOCKS:
            self.block, self.text = tag, []
        elif tag == "br":
            self.text.append(" ")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if not self.depth:
            return
        if tag == "main":
            self.depth -= 1
        elif tag in ("nav", "script", "style"):
            self.skip -= 1
        elif self.skip:
            return
        elif tag in ("td", "th") and self.row is not None:
            self.row.append(" ".join("".join(self.text).split()).replace("|", "\\|"))
            self.text = []
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif tag == "table":
            self.flush_table()
        elif tag == self.block:
            words = " ".join("".join(self.text).split())
            if words:
                prefix = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "li": "- ", "dt": "**"}.get(tag, "")
                suffix = "**" if tag == "dt" else ""
                self.lines += [prefix + words + suffix, ""]
            self.block, self.text = None, []

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.depth and not self.skip:
            self.text.append(data)

    def flush_table(self):
        if self.rows:
            width = max(len(r) for r in self.rows)
            rows = [r + [""] * (width - len(r)) for r in self.rows]
            self.lines.append("| " + " | ".join(rows[0]) + " |")
            self.lines.append("|" + " --- |" * width)
            self.lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
            self.lines.append("")
        self.rows = []


def markdown(site: Path, dst: Path) -> dict:
    pages = dst / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    count = size = 0
    for i, html in enumerate(sorted(site.rglob("*.html"))):
        parser = _Markdown()
        parser.feed(html.read_text(encoding="utf-8"))
        title = " ".join(parser.title.split()) or html.parent.name
        body = "\n".join(parser.lines)
        text = f"Title: {title}\nSlug: page-{i:06d}\n\n{body}\n"
        (pages / f"page-{i:06d}.md").write_text(text, encoding="utf-8")
        count += 1
        size += len(text.encode("utf-8"))
    return {"pages": count, "markdown_bytes": size}


def main() -> None:
    kind = sys.argv[1]
    if kind.startswith("draw-"):
        out = _draw(kind, int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
    elif kind == "markdown":
        out = markdown(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(f"unknown step {kind}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
