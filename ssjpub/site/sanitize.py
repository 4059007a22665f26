"""Staff-written Markdown pages are sanitised like data: no script, no event handler, no
javascript: link, and no resource loaded from elsewhere (the site promises none)."""

from __future__ import annotations

import nh3

# Table headers keep their scope (accessibility); headings their id (in-page links).
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag in ("th", "td"):
    _ATTRIBUTES.setdefault(_tag, set()).update({"scope", "colspan", "rowspan"})
for _tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
    _ATTRIBUTES.setdefault(_tag, set()).add("id")
_LOADED = {"src", "srcset", "longdesc", "poster"}


def _keep(tag: str, attribute: str, value: str) -> str | None:
    if attribute in _LOADED and ("://" in value or value.startswith("//") or value.startswith("data:")):
        return None  # an image from another site would be an external resource
    return value


def clean_html(html: str) -> str:
    return nh3.clean(html, attributes=_ATTRIBUTES, attribute_filter=_keep,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def sanitize_content(content: object) -> None:
    """Pelican's content_object_init: clean a page's or article's HTML in place."""
    html = getattr(content, "_content", None)
    if isinstance(html, str):
        content._content = clean_html(html)
