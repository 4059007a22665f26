"""What the search filters by (ssjpub.site.pages.facets), on the demo data's page values, and how
the theme hands it to Pagefind. The search itself runs in Chromium: tests/test_search.py."""

from __future__ import annotations

import pytest

from ssjpub.site import pages as P
from ssjpub.site.pages import facets as F
from ssjpub.validate import validate
from test_site import ROOT


@pytest.fixture(scope="module")
def pages():
    repo, problems = validate(ROOT)
    assert problems == [], problems
    return {p.url: p for p in P.site_pages(repo)}


def test_every_page_has_a_kind_and_agency_pages_their_agency_and_year(pages):
    assert all(p.facets is not None and p.facets.kind in F.KINDS for p in pages.values())
    task = pages["baofeng/2024/2024-01/"].facets
    assert (task.kind, task.agency, task.years, task.names) == (F.TASK, "宝丰县人社局", (2024,), ())
    assert pages["yanshi/2023/"].facets == F.Facets(F.PLAN, "偃师区人社局", (2023,))
    assert pages["baofeng/checklist/"].facets == F.Facets(F.DIRECTORY, "宝丰县人社局")
    assert pages["results/"].facets == F.Facets(F.RESULTS)
    assert pages[""].facets == F.Facets(F.OTHER)
    assert pages["baofeng/"].facets == F.Facets(F.OTHER, "宝丰县人社局")


def test_a_record_carries_its_name_its_years_and_its_description(pages):
    records = [p for p in pages.values() if p.template == "enterprise.html"]
    assert records
    for p in records:
        f = p.facets
        visits = p.data["random_visits"] + p.data["other_visits"]
        assert f.kind == F.RECORD and f.names == (p.data["who"].name,) and f.name_weight > 1
        assert f.years == tuple(sorted({v.year for v in visits})) and f.summary == p.description


def test_list_pages_carry_every_name_they_list_with_the_default_weight(pages):
    lists = [p for p in pages.values() if p.template in ("target_list.html", "enterprises.html")]
    assert lists
    for p in lists:
        assert p.facets.kind == F.DIRECTORY and p.facets.name_weight == 1
        assert len(p.facets.names) == len(p.data["table"].rows) > 0
    first = pages["baofeng/targets/list/"]
    assert first.facets.names[0] == first.data["table"].rows[0][1].text
