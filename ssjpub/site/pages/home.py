"""The home page: each agency with its sections, the latest announcements, the documents.
"""

from __future__ import annotations

from typing import Iterable

from ssjpub.loader.repository import Repository
from ssjpub.site import urls
from ssjpub.site.pages.announcements import announcements
from ssjpub.site.pages.common import Document, SitePage, _agencies, _name, _short, section_links


HOME_LATEST = 8


def home_page(repo: Repository, documents: Iterable[Document] = ()) -> SitePage:
    agencies = [
        {"name": _name(d), "short_name": _short(d), "url": urls.agency(code), "sections": section_links(d)}
        for code, d in _agencies(repo)
    ]
    latest = announcements(repo)[:HOME_LATEST]
    return SitePage(
        url=urls.HOME,
        template="home.html",
        title="首页",
        data={
            "agencies": agencies,
            "documents": list(documents),
            "latest": latest,
            "results_url": urls.RESULTS,
            "verify_url": urls.VERIFY,
            "feed_url": urls.FEED,
        },
    )
