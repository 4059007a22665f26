"""The site's URLs: explicit ASCII paths built from agency codes, years and ids, never slugified
from Chinese. Every URL is directory style and site-relative (no leading slash); a page is saved
as ``<url>index.html``. Templates write ``{{ SITEURL }}/{{ url }}``, so the same output works
with relative URLs (preview, file://) and with an absolute SITEURL (publishconf)."""

from __future__ import annotations

from urllib.parse import quote

HOME = ""


def save_as(url: str) -> str:
    return f"{url}index.html"


def agency(code: str) -> str:
    return f"{code}/"


def checklist(code: str) -> str:
    return f"{code}/checklist/"


def inspectors(code: str) -> str:
    return f"{code}/inspectors/"


def targets(code: str) -> str:
    return f"{code}/targets/"


def plan(code: str, year: int) -> str:
    return f"{code}/{year}/"


def checklist_item(code: str, item_id: str) -> str:
    """The checklist row of an item (an anchor on the checklist page)."""
    return f"{checklist(code)}#{item_anchor(item_id)}"


def item_anchor(item_id: str) -> str:
    return f"item-{item_id}"


def task_anchor(task_id: str) -> str:
    return f"task-{task_id}"



def task(code: str, year: int, task_id: str) -> str:
    """The page of one task: plan, draw record, groups, results and how to verify it."""
    return f"{code}/{year}/{task_id}/"


def target_anchor(credit_code: str) -> str:
    """A drawn (or named) enterprise's row in a task page's tables."""
    return f"t-{credit_code}"


DRAWN_PAGE_SIZE = 20  # drawn enterprises a page: keeps the median county task page under 50 KB (docs/scale.md)


def drawn(code: str, year: int, task_id: str, page: int = 1) -> str:
    """A page of a task's drawn table (1-based): the first is on the task page itself."""
    return task(code, year, task_id) if page <= 1 else f"{task(code, year, task_id)}drawn/{page}/"


def drawn_page_of(index: int) -> int:
    """The page of the drawn table holding the row at ``index`` (0-based, in ticket order)."""
    return index // DRAWN_PAGE_SIZE + 1


def drawn_row(code: str, year: int, task_id: str, index: int, credit_code: str, result: bool = False,
              here: str | None = None) -> str:
    """Where a drawn enterprise's row is (its #t- anchor, or its result cell's #r- with ``result``):
    every link into the drawn table is made here, so that it names the page that holds the row.
    From that very page (``here``) the anchor alone."""
    page = drawn(code, year, task_id, drawn_page_of(index))
    anchor = "#" + (result_anchor(credit_code) if result else target_anchor(credit_code))
    return anchor if page == here else page + anchor


def record_anchor(task_id: str) -> str:
    """A task's draw record in its annual plan page's list of records."""
    return f"d-{task_id}"


def result_anchor(credit_code: str) -> str:
    return f"r-{credit_code}"


def enterprise(code: str, credit_code: str) -> str:
    """An enterprise's record (企业抽查档案) at an agency: every draw it was in, its groups and results.
    Lower case: URLs are lower-case ASCII; a credit code has no two letters that differ only in case."""
    return f"{code}/enterprises/{credit_code.lower()}/"


def enterprises(code: str, page: int = 1) -> str:
    """The list of an agency's enterprise records, a page of it (1-based)."""
    return f"{code}/enterprises/" if page <= 1 else f"{code}/enterprises/p{page}/"


def visit_anchor(year: int, task_id: str) -> str:
    """A task's entry on an enterprise's record."""
    return f"v-{year}-{task_id}"


RESULTS = "results/"
VERIFY = "verify/"
SEARCH = "search/"
ABOUT = "about/"
FEED = "feed.atom"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
MANIFEST = "manifest.json"
FILES = "files/"  # the raw inputs, byte-identical (ssjpub.site.served)
FILES_INDEX = "files/index.json"


def served(path: str) -> str:
    """Where the site serves the repository file ``path`` (e.g. plans/baofeng/agency.yaml)."""
    return FILES + quote(path, safe="/")


def root_of(url: str) -> str:
    """The relative path from a page at ``url`` to the site root ("../../../" for a task page):
    what the browser verifier resolves files/ and theme/ against, from disk and over http."""
    return "../" * url.count("/") or "./"


def target_list(code: str, page: int = 1) -> str:
    """The list of every enterprise in the latest snapshot, a page of it (1-based)."""
    return f"{code}/targets/list/" if page <= 1 else f"{code}/targets/list/{page}/"


def area_anchor(row: int) -> str:
    """The first row of an area in the enterprise list (by its 0-based position)."""
    return f"a-{row + 1}"


def relative(url: str, here: str) -> str:
    """The site-relative ``url`` as a link from the page at ``here``: up to the folders they share
    only ("../../enterprises/…" from a task page, not "../../../<agency>/enterprises/…")."""
    path, mark, fragment = url.partition("#")
    at, to = here.split("/")[:-1], path.split("/")
    n = 0
    while n < len(at) and n < len(to) - 1 and at[n] == to[n]:
        n += 1
    return ("../" * (len(at) - n) + "/".join(to[n:]) or "./") + mark + fragment
