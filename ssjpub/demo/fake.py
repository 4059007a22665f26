"""Deterministic fictional enterprises and inspectors (shared with the benchmark generator)."""

from __future__ import annotations

import hashlib

from ssjpub.identifiers import CREDIT_CHARSET, credit_check_char
from ssjpub.model import Target


def h(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def pick(options, *key: object):
    return options[h(*key) % len(options)]


def weighted(options: list[tuple[str, int]], *key: object) -> str:
    total = sum(w for _, w in options)
    x = h(*key) % total
    for value, w in options:
        if x < w:
            return value
        x -= w
    raise AssertionError("unreachable")


def fictional_credit_code(division: str, serial: int, kind: str = "91") -> str:
    """``kind`` + division + 'DEM0' + five serial characters + check: valid, and visibly a demo."""
    chars, n = [], serial
    for _ in range(5):
        n, r = divmod(n, len(CREDIT_CHARSET))
        chars.append(CREDIT_CHARSET[r])
    body = f"{kind}{division}DEM0{''.join(reversed(chars))}"
    return body + credit_check_char(body)


INDUSTRIES = [
    ("制造业", 26), ("建筑业", 14), ("批发和零售业", 20), ("住宿和餐饮业", 9),
    ("交通运输、仓储和邮政业", 6), ("租赁和商务服务业", 6), ("居民服务、修理和其他服务业", 6),
    ("信息传输、软件和信息技术服务业", 3), ("农、林、牧、渔业", 5), ("教育", 2),
    ("卫生和社会工作", 2), ("房地产业", 1),
]
TRADES = {
    "制造业": ["机械制造", "建材", "食品", "耐火材料", "服装", "铸造", "塑料制品", "家具", "电子"],
    "建筑业": ["建筑工程", "建设工程", "路桥工程", "装饰工程", "水利工程", "市政工程"],
    "批发和零售业": ["商贸", "农资", "医药", "五金", "超市", "汽车销售"],
    "住宿和餐饮业": ["餐饮管理", "酒店管理", "快餐", "宾馆"],
    "交通运输、仓储和邮政业": ["物流", "运输", "仓储", "快递服务"],
    "租赁和商务服务业": ["人力资源服务", "劳务派遣", "物业服务", "企业管理咨询", "保安服务"],
    "居民服务、修理和其他服务业": ["家政服务", "汽车维修", "保洁服务", "洗涤服务"],
    "信息传输、软件和信息技术服务业": ["网络科技", "信息技术", "软件开发"],
    "农、林、牧、渔业": ["农业发展", "养殖", "种植专业", "林业"],
    "教育": ["职业培训学校", "技能培训学校"],
    "卫生和社会工作": ["医院", "养老服务中心", "诊所"],
    "房地产业": ["置业", "房地产开发"],
}
BRAND_CHARS = "恒宏鑫华瑞盛兴昌源泰达丰润隆祥和安福嘉顺德信诚永新金利"
FORMS = [("有限公司", 70), ("有限责任公司", 20), ("股份有限公司", 4), ("商行", 3), ("专业合作社", 3)]
GRADES = [("A", 60), ("B", 32), ("C", 8)]
STATUSES = [("在营", 95), ("停业", 3), ("注销", 2)]


def enterprise(place: str, division: str, areas: list[tuple[str, int]], serial: int, era: str = "") -> Target:
    """The ``serial``-th fictional enterprise of a place; ``era`` varies the changeable fields."""
    industry = weighted(INDUSTRIES, place, serial, "industry")
    trade = pick(TRADES[industry], place, serial, "trade")
    school = trade.endswith("学校") or industry in ("卫生和社会工作",) and trade != "诊所"
    approved = trade in ("人力资源服务", "劳务派遣") or trade.endswith("学校")
    # A bijection of the serial onto three brand characters keeps names unique within a place.
    n = len(BRAND_CHARS)
    b = (serial * 7919) % n**3
    brand = BRAND_CHARS[b % n] + BRAND_CHARS[(b // n) % n] + BRAND_CHARS[b // n // n]
    form = "" if school else weighted(FORMS, place, serial, "form")
    if form == "专业合作社" and industry != "农、林、牧、渔业":
        form = "有限公司"
    name = f"{place}示例{brand}{trade}{form}"
    complaints = max(0, (h(place, serial, era, "complaints") % 20) - 15)
    return Target(
        credit_code=fictional_credit_code(division, serial, "52" if school else "91"),
        name=name,
        area=weighted(areas, place, serial, "area"),
        industry=industry,
        grade=weighted(GRADES, place, serial, era, "grade"),
        complaints=complaints,
        serious_violation=h(place, serial, era, "serious") % 50 == 0,
        status=weighted(STATUSES, place, serial, era, "status"),
        source="本部门审批" if approved else "参保登记",
        line=0,
    )


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN_M = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆"
GIVEN_F = "芳娜敏静丽艳娟霞燕玲桂丹萍红玉兰琳雪慧颖倩婷"


def person_name(place: str, serial: int) -> tuple[str, str]:
    gender = "女" if h(place, serial, "gender") % 3 == 0 else "男"
    pool = GIVEN_F if gender == "女" else GIVEN_M
    surname = pick(SURNAMES, place, serial, "surname")
    given = pick(pool, place, serial, "g1")
    if h(place, serial, "len") % 4:
        given += pick(pool, place, serial, "g2")
    return surname + given, gender
