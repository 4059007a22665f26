"""An agency's page: its facts, departments and sections.
"""

from __future__ import annotations

from ssjpub.loader.repository import AgencyData
from ssjpub.site import urls
from ssjpub.site.pages.common import HOME_LINK, SitePage, clip, section_files, section_links
from ssjpub.site.tables import Table, cell, columns


def agency_page(data: AgencyData, records: tuple[int, list] = (0, [])) -> SitePage:
    """``records``: how many enterprise records the agency has and where each area begins in
    their list (ssjpub.site.pages.enterprise.record_areas): from here, two taps to a record."""
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
        description=agency_description(data),
        depends=section_files(data),
        data={
            "facts": [(k, v) for k, v in facts if v],
            "repository": a.repository,
            "departments": departments,
            "sections": section_links(data),
            "records": records[0],
            "record_areas": records[1],
            "records_url": urls.enterprises(data.code),
        },
    )


def agency_description(data: AgencyData) -> str:
    a = data.agency.model
    parts = []
    if data.checklist:
        parts.append(f"随机抽查事项 {sum(i.status == '有效' for i in data.checklist.model.items)} 项")
    if data.inspectors:
        parts.append(f"执法检查人员 {sum(p.active for p in data.inspectors.model.inspectors)} 人")
    if data.snapshots:
        parts.append(f"检查对象 {len(data.snapshots[max(data.snapshots)].targets)} 家")
    years = sorted(data.plans)
    if years:
        span = f"{years[0]}—{years[-1]}" if len(years) > 1 else f"{years[0]}"
        parts.append(f"{span} 年度抽查工作计划和检查结果")
    return clip(f"{a.name}“双随机、一公开”监管公示：" + "，".join(parts) + "。")
