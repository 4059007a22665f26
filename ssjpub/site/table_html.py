"""The rows of a ``Table`` as HTML, written in Python rather than by a Jinja macro per cell.

Why: a county's task pages hold about 400,000 cells, and a macro call per cell (with
``markupsafe.escape`` through Jinja's runtime) was a third of the site build. The markup is the
same the theme's ``table`` macro wraps (caption, ``<th scope="col">`` and the scrolling region stay
in the template); every text is still escaped, here, with markupsafe.
"""

from __future__ import annotations

from typing import Iterable

from markupsafe import Markup, escape

from ssjpub.site import urls
from ssjpub.site.tables import Cell, Column, Shown, Table


def column_class(column: Column) -> str:
    if column.numeric:
        return ' class="num"'
    if column.mono:
        return ' class="hash"'
    if column.wide:
        return ' class="wide"'
    return ""


def href(url: str, siteurl: str, here: str | None = None) -> str:
    """A site-relative URL ("baofeng/checklist/") under SITEURL; absolute URLs and same-page
    anchors ("#r-…": under SITEURL they would lead to the home page) pass through. With relative
    URLs (SITEURL "../.." is the way up from the page at ``here``), the shortest way there."""
    if "://" in url or url.startswith("#"):
        return url
    if here and all(part in (".", "..") for part in siteurl.split("/")):  # the home page keeps "./…"
        return urls.relative(url, here)
    return f"{siteurl}/{url}"


_CELL, _LINE = "\x1f", "\x1e"  # separators no validated text holds; checked below all the same


def _open(c: Cell, css: str, header: bool, siteurl: str, here: str | None) -> tuple[str, str]:
    """The tags before and after a cell's text."""
    tag = "th" if header else "td"
    attrs = ' scope="row"' if header else ""
    if c.anchor:
        attrs += f' id="{escape(c.anchor)}"'
    if c.url:
        return f'<{tag}{attrs}{css}><a href="{escape(href(c.url, siteurl, here))}">', f"</a></{tag}>"
    return f"<{tag}{attrs}{css}>", f"</{tag}>"


def _row(cells: tuple[Cell, ...], plain: list[tuple[str, str]], classes: list[str], siteurl: str,
         here: str | None) -> str:
    """``plain``: each column's tags for a cell without link or anchor (computed once a table)."""
    tags = [
        _open(c, css, tag[0].startswith("<th"), siteurl, here) if c.url or c.anchor else tag
        for c, tag, css in zip(cells, plain, classes)
    ]
    # The row's texts are escaped in one call: per cell, escaping was most of the table's cost.
    texts = _CELL.join([_LINE.join(c.lines) for c in cells])
    if texts.count(_CELL) == len(cells) - 1 and texts.count(_LINE) == sum(max(len(c.lines) - 1, 0) for c in cells):
        parts = str(escape(texts)).replace(_LINE, "<br>").split(_CELL)
    else:  # a separator inside the data itself: cell by cell
        parts = ["<br>".join([str(escape(line)) for line in c.lines]) for c in cells]
    return "<tr>" + "".join([a + t + b for (a, b), t in zip(tags, parts)]) + "</tr>\n"


def _rows(rows: Iterable[tuple[Cell, ...]], table: Table, siteurl: str, here: str | None) -> Markup:
    classes = [column_class(c) for c in table.columns]
    plain = [(f"<td{css}>", "</td>") for css in classes]
    if table.row_headers and plain:
        plain[0] = (f'<th scope="row"{classes[0]}>', "</th>")
    return Markup("".join([_row(r, plain, classes, siteurl, here) for r in rows]))


def _part(p: Cell, siteurl: str, here: str | None) -> str:
    text = "<br>".join([str(escape(line)) for line in p.lines])
    return f'<a href="{escape(href(p.url, siteurl, here))}">{text}</a>' if p.url else text


def _shown_rows(shown: Shown, siteurl: str, here: str | None) -> Markup:
    """A shown table's rows: the first cell is the row's header; a cell's parts are joined by a
    line break, each with its own link; the cell takes the id of its first anchored part. Column
    classes only where a column has one (the labels and the rest are the stylesheet's)."""
    # A column's width is its header's to set (min-width on the <th> in <thead>): only the classes
    # that style a cell's text are repeated per cell.
    classes = [column_class(c) if c.mono or c.numeric else "" for c in shown.columns]
    out = []
    for row in shown.rows:
        cells = []
        for i, (parts, css) in enumerate(zip(row, classes)):
            tag = "th" if i == 0 else "td"
            attrs = ' scope="row"' if i == 0 else ""
            anchor = next((p.anchor for p in parts if p.anchor), None)
            if anchor:
                attrs += f' id="{escape(anchor)}"'
            body = "<br>".join([_part(p, siteurl, here) for p in parts if p.lines])
            cells.append(f"<{tag}{attrs}{css}>{body}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>\n")
    return Markup("".join(out))


def table_rows(table: Table, siteurl: str = "", here: str | None = None) -> Markup:
    """``<tr>…</tr>`` for every body row (or shown row), one per line; ``here``: the page's URL."""
    if table.shown is not None:
        return _shown_rows(table.shown, siteurl, here)
    return _rows(table.rows, table, siteurl, here)


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and anything that could end the style element escaped."""
    return '"' + "".join(c if c.isalnum() or c in " （）、，-" else f"\\{ord(c):x} " for c in text) + '"'


def card_labels(tables: Iterable[Table | None]) -> Markup:
    """The labels of the card tables on a page, for the stylesheet's phone layout (each cell of a
    card starts with its column's title): taken from the columns the page shows, so that they never
    drift from the table headers, and written once a page rather than as an attribute per cell."""
    rules = []
    for t in tables:
        if t is None or not t.cards:
            continue
        cols = (t.shown or t).columns
        scope = f'[aria-labelledby="cap-{t.key}"]'
        for i, c in enumerate(cols, start=1):
            tag = "th" if i == 1 and (t.shown is not None or t.row_headers) else "td"
            rules.append(f"{scope} {tag}:nth-child({i})::before{{content:{_css_string(c.title)}}}")
    if not rules:
        return Markup("")
    return Markup("<style>@media (max-width:40rem){" + "\n".join(rules) + "}</style>\n")


def table_foot(table: Table, siteurl: str = "", here: str | None = None) -> Markup:
    return _rows([table.foot], table, siteurl, here) if table.foot else Markup("")
