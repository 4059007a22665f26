"""The home page: each agency with its sections, the latest announcements, the documents.
"""

from __future__ import annotations

from typing import Iterable

from ssjpub.loader.repository import Repository
from ssjpub.site import urls
from ssjpub.site.pages.announcements import announcements
from ssjpub.site.pages.common import Document, SitePage, _agencies, _name, _short, clip, section_files, section_links


HOME_LATEST = 8


def home_page(repo: Repository, documents: Iterable[Document] = ()) -> SitePage:
    agencies = [
        {"name": _name(d), "short_name": _short(d), "url": urls.agency(code), "sections": section_links(d)}
        for code, d in _agencies(repo)
    ]
    latest = announcements(repo)[:HOME_LATEST]
    names = "、".join(a["short_name"] for a in agencies)
    depends = [f for _code, d in _agencies(repo) for f in (d.agency.file, *section_files(d))]
    depends += [f for a in latest for f in a.sources]
    return SitePage(
        url=urls.HOME,
        template="home.html",
        title="首页",
        description=clip(f"{names}“双随机、一公开”监管信息公示：随机抽查事项清单、检查对象名录、执法检查人员名录、"
                         "年度抽查工作计划、每次随机抽取的记录和检查结果。"),
        depends=tuple(dict.fromkeys(depends)),
        data={
            "agencies": agencies,
            "documents": list(documents),
            "latest": latest,
            "results_url": urls.RESULTS,
            "verify_url": urls.VERIFY,
            "feed_url": urls.FEED,
        },
    )
