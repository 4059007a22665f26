"""The search page (Pagefind fills it in the browser).
"""

from __future__ import annotations

from ssjpub.site import urls
from ssjpub.site.pages.common import HOME_LINK, SitePage, clip


def search_page() -> SitePage:
    return SitePage(url=urls.SEARCH, template="search.html", title="全文搜索", crumbs=(HOME_LINK,),
                    description=clip("全文搜索本站公示的随机抽查事项清单、检查对象名录、执法检查人员名录、年度计划、"
                                     "抽取记录和检查结果；搜索在浏览器中完成。"))
