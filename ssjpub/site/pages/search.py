"""The search page (Pagefind fills it in the browser).

Each agency's pages have their own Pagefind bundle (ssjpub.site.search_index); the page lists them,
with the agency's short name (the “机关” filter's value), for search.js to merge.
"""

from __future__ import annotations

from ssjpub.loader.repository import Repository
from ssjpub.site import urls
from ssjpub.site.pages.common import HOME_LINK, SitePage, _agencies, _short, clip
from ssjpub.site.search_index import bundle_url


def search_page(repo: Repository) -> SitePage:
    bundles = [{"url": bundle_url(code), "name": _short(data)} for code, data in _agencies(repo)]
    return SitePage(url=urls.SEARCH, template="search.html", title="全文搜索", crumbs=(HOME_LINK,),
                    data={"bundles": bundles},
                    description=clip("全文搜索本站公示的随机抽查事项清单、检查对象名录、执法检查人员名录、年度计划、"
                                     "抽取记录和检查结果；搜索在浏览器中完成。"))
