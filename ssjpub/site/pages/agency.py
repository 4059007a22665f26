"""An agency's page: its facts, departments and sections.
"""

from __future__ import annotations

from ssjpub.loader.repository import AgencyData
from ssjpub.site import urls
from ssjpub.site.pages.common import HOME_LINK, SitePage, section_links
from ssjpub.site.tables import Table, cell, columns


def agency_page(data: AgencyData) -> SitePage:
    a = data.agency.model
    facts = [
        ("机关全称", a.name),
        ("简称", a.short_name),
        ("行政区划代码", a.division_code),
        ("上级主管部门", a.parent or ""),
        ("牵头股室", a.lead_department),
        ("年度计划报送股室", a.plan_office),
    ]
    departments = Table(
        key="departments",
        caption=f"{a.short_name}股室及职责",
        columns=columns("股室", "职责"),
        rows=tuple((cell(d.name), cell(d.duties)) for d in a.departments),
    )
    return SitePage(
        url=urls.agency(data.code),
        template="agency.html",
        title=a.name,
        crumbs=(HOME_LINK,),
        sources=(data.agency.file,),
        data={
            "facts": [(k, v) for k, v in facts if v],
            "repository": a.repository,
            "departments": departments,
            "sections": section_links(data),
        },
    )
