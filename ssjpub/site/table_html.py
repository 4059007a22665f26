"""The rows of a ``Table`` as HTML, written in Python rather than by a Jinja macro per cell.

Why: a county's task pages hold about 400,000 cells, and a macro call per cell (with
``markupsafe.escape`` through Jinja's runtime) was a third of the site build. The markup is the
same the theme's ``table`` macro wraps (caption, ``<th scope="col">`` and the scrolling region stay
in the template); every text is still escaped, here, with markupsafe.
"""

from __future__ import annotations

from typing import Iterable

from markupsafe import Markup, escape

from ssjpub.site.tables import Cell, Column, Table


def column_class(column: Column) -> str:
    if column.numeric:
        return ' class="num"'
    if column.mono:
        return ' class="hash"'
    if column.wide:
        return ' class="wide"'
    return ""


def href(url: str, siteurl: str) -> str:
    """A site-relative URL ("baofeng/checklist/") under SITEURL; absolute URLs and same-page
    anchors ("#r-…": under SITEURL they would lead to the home page) pass through."""
    return url if "://" in url or url.startswith("#") else f"{siteurl}/{url}"


_CELL, _LINE = "\x1f", "\x1e"  # separators no validated text holds; checked below all the same


def _open(c: Cell, css: str, header: bool, siteurl: str) -> tuple[str, str]:
    """The tags before and after a cell's text."""
    tag = "th" if header else "td"
    attrs = ' scope="row"' if header else ""
    if c.anchor:
        attrs += f' id="{escape(c.anchor)}"'
    if c.url:
        return f'<{tag}{attrs}{css}><a href="{escape(href(c.url, siteurl))}">', f"</a></{tag}>"
    return f"<{tag}{attrs}{css}>", f"</{tag}>"


def _row(cells: tuple[Cell, ...], plain: list[tuple[str, str]], classes: list[str], siteurl: str) -> str:
    """``plain``: each column's tags for a cell without link or anchor (computed once a table)."""
    tags = [
        _open(c, css, tag[0].startswith("<th"), siteurl) if c.url or c.anchor else tag
        for c, tag, css in zip(cells, plain, classes)
    ]
    # The row's texts are escaped in one call: per cell, escaping was most of the table's cost.
    texts = _CELL.join([_LINE.join(c.lines) for c in cells])
    if texts.count(_CELL) == len(cells) - 1 and texts.count(_LINE) == sum(max(len(c.lines) - 1, 0) for c in cells):
        parts = str(escape(texts)).replace(_LINE, "<br>").split(_CELL)
    else:  # a separator inside the data itself: cell by cell
        parts = ["<br>".join([str(escape(line)) for line in c.lines]) for c in cells]
    return "<tr>" + "".join([a + t + b for (a, b), t in zip(tags, parts)]) + "</tr>\n"


def _rows(rows: Iterable[tuple[Cell, ...]], table: Table, siteurl: str) -> Markup:
    classes = [column_class(c) for c in table.columns]
    plain = [(f"<td{css}>", "</td>") for css in classes]
    if table.row_headers and plain:
        plain[0] = (f'<th scope="row"{classes[0]}>', "</th>")
    return Markup("".join([_row(r, plain, classes, siteurl) for r in rows]))


def table_rows(table: Table, siteurl: str = "") -> Markup:
    """``<tr>…</tr>`` for every body row, one per line."""
    return _rows(table.rows, table, siteurl)


def table_foot(table: Table, siteurl: str = "") -> Markup:
    return _rows([table.foot], table, siteurl) if table.foot else Markup("")
