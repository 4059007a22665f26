"""The search page (Pagefind fills it in the browser).
"""

from __future__ import annotations

from ssjpub.site import urls
from ssjpub.site.pages.common import HOME_LINK, SitePage


def search_page() -> SitePage:
    return SitePage(url=urls.SEARCH, template="search.html", title="全文搜索", crumbs=(HOME_LINK,))
