"""The rows of a ``Table`` as HTML, written in Python rather than by a Jinja macro per cell.

Why: a county's task pages hold about 400,000 cells, and a macro call per cell (with
``markupsafe.escape`` through Jinja's runtime) was a third of the site build. The markup is the
same the theme's ``table`` macro wraps (caption, ``<th scope="col">`` and the scrolling region stay
in the template); every text is still escaped, here, with markupsafe.
"""

from __future__ import annotations

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
    """A site-relative URL ("baofeng/checklist/") under SITEURL; absolute URLs pass through."""
    return url if "://" in url else f"{siteurl}/{url}"


def _cell(c: Cell, css: str, header: bool, siteurl: str) -> str:
    tag = "th" if header else "td"
    attrs = ' scope="row"' if header else ""
    if c.anchor:
        attrs += f' id="{escape(c.anchor)}"'
    body = "<br>".join([escape(line) for line in c.lines])
    if c.url:
        body = f'<a href="{escape(href(c.url, siteurl))}">{body}</a>'
    return f"<{tag}{attrs}{css}>{body}</{tag}>"


def _row(cells: tuple[Cell, ...], classes: list[str], row_headers: bool, siteurl: str) -> str:
    out = []
    for i, (c, css) in enumerate(zip(cells, classes)):
        if c.url or c.anchor or (row_headers and not i) or len(c.lines) > 1:
            out.append(_cell(c, css, row_headers and not i, siteurl))
        else:  # most cells: one line of text or none
            out.append(f"<td{css}>{escape(c.lines[0]) if c.lines else ''}</td>")
    return f"<tr>{''.join(out)}</tr>\n"


def table_rows(table: Table, siteurl: str = "") -> Markup:
    """``<tr>…</tr>`` for every body row, one per line."""
    classes = [column_class(c) for c in table.columns]
    return Markup("".join([_row(r, classes, table.row_headers, siteurl) for r in table.rows]))


def table_foot(table: Table, siteurl: str = "") -> Markup:
    if not table.foot:
        return Markup("")
    return Markup(_row(table.foot, [column_class(c) for c in table.columns], table.row_headers, siteurl))
