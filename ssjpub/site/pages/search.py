"""The search page (Pagefind fills it in the browser).

Each agency's pages have their own Pagefind bundles (ssjpub.site.search_index); the page is rendered
with the agencies, each with its short name (the “机关” filter's value), and the indexer rewrites the
list to every bundle of each agency, for search.js to merge.
"""

from __future__ import annotations

from ssjpub.loader.repository import Repository
from ssjpub.site import urls
from ssjpub.site.pages.common import HOME_LINK, SitePage, _agencies, _short, clip


def search_page(repo: Repository) -> SitePage:
    bundles = [{"agency": code, "name": _short(data)} for code, data in _agencies(repo)]
    return SitePage(url=urls.SEARCH, template="search.html", title="全文搜索", crumbs=(HOME_LINK,),
                    data={"bundles": bundles},
                    description=clip("全文搜索本站公示的随机抽查事项清单、检查对象名录、执法检查人员名录、年度计划、"
                                     "抽取记录和检查结果；搜索在浏览器中完成。"))
