"""The demo's hand-written parts: agencies, the checklist and the annual plans."""

from __future__ import annotations

from datetime import date

from ssjpub.demo import tsa

BAOFENG_AREAS = [
    ("城关镇", 24), ("周庄镇", 9), ("闹店镇", 6), ("石桥镇", 7), ("商酒务镇", 6), ("杨庄镇", 8),
    ("赵庄镇", 6), ("大营镇", 8), ("张八桥镇", 6), ("肖旗乡", 4), ("前营乡", 4), ("李庄乡", 5),
    ("观音堂林站", 2), ("产业集聚区", 5),
]
YANSHI_AREAS = [
    ("商城街道", 14), ("伊洛街道", 10), ("首阳山街道", 9), ("岳滩镇", 6), ("顾县镇", 6), ("翟镇镇", 6),
    ("佃庄镇", 5), ("李村镇", 5), ("庞村镇", 7), ("寇店镇", 4), ("府店镇", 4), ("高龙镇", 4),
    ("缑氏镇", 4), ("邙岭镇", 3), ("大口镇", 3), ("山化镇", 3), ("产业集聚区", 7),
]

AGENCIES = {
    "baofeng": {
        "code": "baofeng",
        "name": "宝丰县人力资源和社会保障局",
        "short_name": "宝丰县人社局",
        "division_code": "410421",
        "parent": "平顶山市人力资源和社会保障局",
        "lead_department": "劳动保障监察股",
        "plan_office": "劳动保障监察股",
        "departments": [
            {"name": "办公室", "duties": "综合协调、信息公开"},
            {"name": "劳动保障监察股", "duties": "统筹“双随机、一公开”工作，接收各股室年度抽查计划，组织劳动保障监察"},
            {"name": "劳动关系股", "duties": "劳动合同、工资、工时和特殊劳动保护"},
            {"name": "就业促进股", "duties": "就业服务和就业管理"},
            {"name": "社会保险股", "duties": "社会保险参保缴费和待遇"},
            {"name": "人力资源流动管理股", "duties": "人力资源服务机构和劳务派遣"},
            {"name": "职业能力建设股", "duties": "职业技能培训机构"},
        ],
        "repository": "https://github.com/ssjpub/ssjpub",
        "timestamp": tsa.config("baofeng"),
    },
    "yanshi": {
        "code": "yanshi",
        "name": "洛阳市偃师区人力资源和社会保障局",
        "short_name": "偃师区人社局",
        "division_code": "410307",
        "parent": "洛阳市人力资源和社会保障局",
        "lead_department": "行政审批科",
        "plan_office": "行政审批科",
        "departments": [
            {"name": "行政审批科", "duties": "牵头“双随机、一公开”监管，统筹检查事项清单和年度抽查计划编制"},
            {"name": "人力资源管理科", "duties": "人力资源服务机构、劳务派遣和劳动关系"},
            {"name": "就业促进科", "duties": "就业服务和职业技能培训机构"},
            {"name": "养老工伤失业保险科", "duties": "养老、工伤、失业保险参保缴费"},
            {"name": "区人力资源和社会保障综合执法大队", "duties": "劳动保障监察执法"},
        ],
        "repository": "https://github.com/ssjpub/ssjpub",
        "timestamp": tsa.config("yanshi"),
    },
}

# Which department of each agency carries each kind of work.
ROLES = {
    "baofeng": {"inspection": "劳动保障监察股", "labour": "劳动关系股", "employment": "就业促进股",
                "social": "社会保险股", "market": "人力资源流动管理股", "skills": "职业能力建设股"},
    "yanshi": {"inspection": "区人力资源和社会保障综合执法大队", "labour": "人力资源管理科",
               "employment": "就业促进科", "social": "养老工伤失业保险科", "market": "人力资源管理科",
               "skills": "就业促进科"},
}

LABOUR_LAW = "《劳动保障监察条例》第十一条"
CHECKLIST = [
    dict(id="LD-01", name="用人单位遵守劳动合同制度情况", sub_item="订立书面劳动合同、劳动合同必备条款",
         category="一般", role="inspection",
         basis=["《中华人民共和国劳动合同法》第十条、第十七条、第七十四条", LABOUR_LAW],
         content="检查用人单位与劳动者订立书面劳动合同情况、劳动合同是否具备必备条款、职工名册建立情况",
         target_kind="用人单位", methods=["现场检查", "书面检查"], ratio="5%", frequency=1,
         inspector_requirements=["劳动保障监察"]),
    dict(id="LD-02", name="用人单位遵守工资支付规定情况", sub_item="按时足额支付工资、执行最低工资标准",
         category="一般", role="inspection",
         basis=["《中华人民共和国劳动法》第四十八条、第五十条", "《工资支付暂行规定》", LABOUR_LAW],
         content="检查工资支付台账、工资是否按时足额以货币形式支付、是否低于当地最低工资标准",
         target_kind="用人单位", methods=["现场检查", "书面检查"], ratio="5%", frequency=1,
         inspector_requirements=["劳动保障监察"]),
    dict(id="LD-03", name="用人单位遵守工作时间和休息休假规定情况", sub_item=None,
         category="一般", role="inspection",
         basis=["《中华人民共和国劳动法》第三十六条、第四十一条", "《国务院关于职工工作时间的规定》",
                "《职工带薪年休假条例》"],
         content="检查考勤记录、加班安排及加班工资支付、带薪年休假落实情况",
         target_kind="用人单位", methods=["现场检查"], ratio="5%", frequency=1,
         inspector_requirements=["劳动保障监察"]),
    dict(id="LD-04", name="用人单位遵守女职工和未成年工特殊劳动保护规定情况", sub_item=None,
         category="一般", role="inspection",
         basis=["《女职工劳动保护特别规定》", "《未成年工特殊保护规定》", LABOUR_LAW],
         content="检查女职工“三期”保护、禁忌劳动范围执行情况，未成年工登记和定期健康检查情况",
         target_kind="用人单位", methods=["现场检查"], ratio="5%", frequency=1,
         inspector_requirements=["劳动保障监察"]),
    dict(id="LD-05", name="用人单位遵守禁止使用童工规定情况", sub_item=None,
         category="一般", role="inspection",
         basis=["《禁止使用童工规定》第二条、第四条", LABOUR_LAW],
         content="检查招用人员身份核验及录用登记、是否招用未满十六周岁的未成年人",
         target_kind="用人单位", methods=["现场检查"], ratio="5%", frequency=1,
         inspector_requirements=["劳动保障监察"]),
    dict(id="NM-01", name="工程建设领域保障农民工工资支付情况",
         sub_item="实名制管理、农民工工资专用账户、工资保证金、总包代发、维权信息公示",
         category="重点", role="inspection",
         basis=["《保障农民工工资支付条例》第二十六条至第三十四条", LABOUR_LAW],
         content="检查在建工程项目实名制管理、农民工工资专用账户开设和使用、工资保证金存储、"
                 "施工总承包单位代发工资、维权信息告示牌设置情况",
         target_kind="在建工程项目施工总承包单位", methods=["现场检查"], ratio="20%", frequency=2,
         inspector_requirements=["劳动保障监察"]),
    dict(id="SB-01", name="用人单位参加社会保险和缴纳社会保险费情况", sub_item=None,
         category="重点", role="social",
         basis=["《中华人民共和国社会保险法》第五十八条、第六十条、第八十四条、第八十六条",
                "《社会保险稽核办法》"],
         content="检查用人单位为职工办理社会保险登记、按时足额申报缴纳社会保险费情况",
         target_kind="用人单位", methods=["现场检查", "书面检查", "信息比对"], ratio="10%", frequency=1,
         inspector_requirements=["社会保险稽核"]),
    dict(id="JY-01", name="用人单位招用人员遵守就业促进法律法规情况", sub_item="就业歧视、招聘信息发布",
         category="重点", role="employment",
         basis=["《中华人民共和国就业促进法》第二十六条至第三十一条", "《就业服务与就业管理规定》第十四条"],
         content="检查招用人员简章、是否存在性别、民族、户籍等就业歧视，是否扣押劳动者证件或收取财物",
         target_kind="用人单位", methods=["现场检查", "网络检查"], ratio="5%", frequency=1,
         inspector_requirements=["劳动保障监察"]),
    dict(id="RL-01", name="人力资源服务机构遵守《人力资源市场暂行条例》情况", sub_item=None,
         category="一般", role="market",
         basis=["《人力资源市场暂行条例》第十八条、第二十四条、第四十一条"],
         content="检查行政许可及备案事项、服务台账、招聘信息审查、收费项目和标准公示情况",
         target_kind="经营性人力资源服务机构", methods=["现场检查", "书面检查"], ratio="10%", frequency=1,
         inspector_requirements=["人力资源市场管理"]),
    dict(id="PQ-01", name="劳务派遣单位经营劳务派遣业务情况", sub_item=None,
         category="一般", role="market",
         basis=["《中华人民共和国劳动合同法》第五十七条至第六十七条", "《劳务派遣行政许可实施办法》第二十条"],
         content="检查劳务派遣经营许可证、劳务派遣协议、被派遣劳动者同工同酬和社会保险情况",
         target_kind="劳务派遣单位", methods=["现场检查", "书面检查"], ratio="10%", frequency=1,
         inspector_requirements=["人力资源市场管理"]),
    dict(id="PX-01", name="民办职业技能培训机构办学情况", sub_item="办学许可、招生简章、收费和证书发放",
         category="一般", role="skills",
         basis=["《中华人民共和国民办教育促进法》第十二条", "《民办职业培训机构管理办法》"],
         content="检查办学许可证、招生简章和广告备案、培训收费公示、培训档案和证书发放情况",
         target_kind="民办职业技能培训机构", methods=["现场检查", "书面检查"], ratio="10%", frequency=1,
         inspector_requirements=["职业技能培训管理"]),
]

# Qualification tags by department role, for the inspector directory.
QUALIFICATIONS = {
    "inspection": ["劳动保障监察"],
    "social": ["社会保险稽核"],
    "market": ["人力资源市场管理", "劳动保障监察"],
    "skills": ["职业技能培训管理"],
    "labour": ["劳动保障监察"],
    "employment": ["劳动保障监察"],
}

# Cross-training, as bureaus do when a business department is small: every third inspector of the
# inspection department also holds these (so that the 245 social-insurance targets are not shared
# by the four auditors alone). The skills department is left as it is, with too few qualified
# inspectors: its task shows the no-choice warning (inspector-no-choice, S0 三（三）).
CROSS_TRAINED = {"inspection": (3, ["社会保险稽核"])}

WEIGHTS_KEY = {"grade": {"C": 3}, "complaints": {"at_least": 3, "weight": 2}, "serious_violation": 3}


def task(id, name, items, departments, window, method="现场检查", **extra):
    out = {"id": id, "name": name, "items": items, "departments": departments}
    out.update(extra)
    out["window"] = {"start": date.fromisoformat(window[0]), "end": date.fromisoformat(window[1])}
    out["method"] = method
    return out


def plans() -> dict[tuple[str, int], dict]:
    bf, ys = ROLES["baofeng"], ROLES["yanshi"]
    s1, s2 = date(2024, 1, 5), date(2024, 7, 1)
    baofeng = {
        "agency": "baofeng", "year": 2024,
        "title": "宝丰县人力资源和社会保障局 2024 年度“双随机、一公开”抽查工作计划",
        "doc_number": "宝人社〔2024〕示1号",
        "lead_department": bf["inspection"], "reported_to": bf["inspection"],
        "reported_on": date(2024, 1, 3), "published_on": date(2024, 1, 5),
        "tasks": [
            task("2024-01", "春节前工程建设领域农民工工资支付随机抽查", ["NM-01"], [bf["inspection"]],
                 ("2024-01-15", "2024-02-06"), snapshot=s1, scope={"industries": ["建筑业"]},
                 ratio="20%", weights=WEIGHTS_KEY),
            task("2024-02", "劳动合同、工资支付和工作时间联合随机抽查", ["LD-01", "LD-02", "LD-03"],
                 [bf["inspection"], bf["labour"]], ("2024-04-01", "2024-05-31"), snapshot=s1,
                 strata={"by": "grade", "ratios": {"A": "5%", "B": "5%", "C": "20%"}},
                 weights={"complaints": {"at_least": 3, "weight": 2}, "serious_violation": 3}),
            task("2024-03", "社会保险参保缴费随机抽查", ["SB-01"], [bf["social"], bf["inspection"]],
                 ("2024-06-03", "2024-07-31"), snapshot=s1, ratio="10%", method="书面检查",
                 weights=WEIGHTS_KEY, batches=3),
            task("2024-04", "人力资源服务机构和劳务派遣单位随机抽查", ["RL-01", "PQ-01"], [bf["market"]],
                 ("2024-09-02", "2024-10-31"), snapshot=s2, scope={"industries": ["租赁和商务服务业"]},
                 count=17, weights=WEIGHTS_KEY),
            task("2024-05", "民办职业技能培训机构随机抽查", ["PX-01"], [bf["skills"]],
                 ("2024-10-08", "2024-11-29"), snapshot=s2, scope={"industries": ["教育"]}, ratio="30%",
                 weights=WEIGHTS_KEY),
            task("2024-06", "投诉举报线索核查（非随机）", ["LD-02"], [bf["inspection"]],
                 ("2024-03-01", "2024-12-31"), basis="投诉举报", targets=[]),
            task("2024-07", "冬季工程建设领域农民工工资支付随机抽查", ["NM-01"], [bf["inspection"]],
                 ("2024-11-18", "2024-12-31"), snapshot=s2, scope={"industries": ["建筑业"]},
                 ratio="20%", weights=WEIGHTS_KEY),
        ],
    }
    t1, t2 = date(2023, 1, 10), date(2023, 7, 3)
    yanshi = {
        "agency": "yanshi", "year": 2023,
        "title": "洛阳市偃师区人力资源和社会保障局 2023年度“双随机、一公开”抽查工作计划",
        "doc_number": "偃人社〔2023〕15号",
        "lead_department": "行政审批科", "reported_to": "行政审批科",
        "reported_on": date(2023, 2, 15), "published_on": date(2023, 2, 20),
        "tasks": [
            task("2023-01", "劳动用工和工资支付联合随机抽查", ["LD-01", "LD-02", "LD-05"],
                 [ys["inspection"]], ("2023-03-06", "2023-04-28"), snapshot=t1,
                 strata={"by": "grade", "ratios": {"A": "5%", "B": "5%", "C": "15%"}},
                 weights={"complaints": {"at_least": 3, "weight": 2}, "serious_violation": 3}),
            task("2023-02", "社会保险参保缴费随机抽查", ["SB-01"], [ys["social"], ys["inspection"]],
                 ("2023-05-08", "2023-06-30"), snapshot=t1, ratio="10%", method="书面检查",
                 weights=WEIGHTS_KEY, batches=3),
            task("2023-03", "人力资源服务机构和劳务派遣单位随机抽查", ["RL-01", "PQ-01"], [ys["market"]],
                 ("2023-08-01", "2023-09-28"), snapshot=t2, scope={"industries": ["租赁和商务服务业"]},
                 count=21, weights=WEIGHTS_KEY),
            task("2023-04", "工程建设领域农民工工资支付随机抽查", ["NM-01"], [ys["inspection"]],
                 ("2023-10-09", "2023-12-15"), snapshot=t2, scope={"industries": ["建筑业"]},
                 ratio="20%", weights=WEIGHTS_KEY),
            task("2023-05", "转办交办线索核查（非随机）", ["LD-02", "NM-01"], [ys["inspection"]],
                 ("2023-06-01", "2023-12-29"), basis="转办交办", targets=[]),
        ],
    }
    return {("baofeng", 2024): baofeng, ("yanshi", 2023): yanshi}


RESULT_CATEGORIES = [
    ("未发现问题", False, None),
    ("发现问题已责令改正", True, "检查发现问题，已当场或限期责令改正"),
    ("责令改正", True, "下达《劳动保障监察限期整改指令书》"),
    ("行政处理决定", True, "作出劳动保障监察行政处理决定"),
    ("行政处罚", True, "作出行政处罚决定"),
    ("违法行为已立案查处", True, None),
    ("移送其他机关处理", True, "移送公安、司法或其他行政机关"),
    ("未发现开展本次抽查涉及的经营活动", False, None),
    ("通过登记的住所无法联系", False, None),
    ("不配合检查情节严重", True, None),
    ("已关闭停业或正在清算", False, None),
]


# What an inspection of each checklist item finds, by method (a 书面检查 reads the documents an
# employer sends in; a 现场检查 also sees the workplace and asks the workers): (findings, what was
# done about it). Fictional, but each is a problem that item and method would really turn up.
FINDINGS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "LD-01": {
        "现场检查": [("现场询问的 12 名劳动者中有 3 人未签订书面劳动合同", "责令限期补签，已补签"),
                 ("未建立职工名册，在岗人员无法与用工记录对应", "责令建立职工名册，已建立")],
        "书面检查": [("报送的劳动合同文本缺少劳动报酬、工作时间等必备条款", "责令按示范文本修订合同，已重新签订"),
                 ("职工名册未载明用工起始时间和劳动合同期限", "责令补全职工名册，已补全")],
    },
    "LD-02": {
        "现场检查": [("工资发放表显示 2 名劳动者当月工资低于本地最低工资标准", "责令补足差额，已补发"),
                 ("劳动者反映工资比约定日期晚半个月发放，工资支付日期未公示", "责令按约定日期支付并公示，已整改")],
        "书面检查": [("工资支付记录只保存了一年，不足两年", "责令完善工资支付台账，已整改"),
                 ("工资支付记录没有劳动者签字", "责令规范工资支付记录，已整改")],
    },
    "LD-03": {
        "现场检查": [("考勤记录显示生产岗位连续 6 周每周工作 6 天，未安排补休", "责令安排补休或支付加班工资，已支付"),
                 ("每月延长工作时间超过 36 小时，未与工会和劳动者协商", "责令调整排班，已整改")],
    },
    "LD-04": {
        "现场检查": [("安排怀孕 7 个月以上的女职工上夜班", "责令调整岗位，已调整"),
                 ("未按规定对未成年工定期进行健康检查", "责令限期组织体检，已完成")],
    },
    "LD-05": {
        "现场检查": [("招用人员时未查验身份证件，无法核实 1 名员工的年龄", "责令建立招用人员身份核验制度，已建立")],
    },
    "NM-01": {
        "现场检查": [("施工现场未设置维权信息告示牌", "责令设置维权信息告示牌，已设置"),
                 ("考勤表与实名制管理台账的人数不一致，相差 5 人", "责令更新实名制台账，已整改"),
                 ("分包单位直接发放工资，未由总承包单位代发", "责令通过农民工工资专用账户代发，已整改")],
    },
    "SB-01": {
        "现场检查": [("在岗人员中有 2 人未参加社会保险", "责令办理参保登记并补缴，已办理")],
        "书面检查": [("申报的缴费基数低于 4 名职工的实际工资", "责令按实际工资补缴差额，已补缴"),
                 ("新招用的 3 名职工未在 30 日内办理社会保险登记", "责令办理登记，已办理")],
        "信息比对": [("比对发现参保人数比工资发放人数少 6 人", "责令补办参保，已补办")],
    },
    "JY-01": {
        "现场检查": [("未为新招用的 4 名人员办理就业登记", "责令办理就业登记，已办理")],
        "网络检查": [("网上发布的招聘信息含有“限男性”的条件", "责令撤下并修改招聘信息，已整改")],
    },
    "RL-01": {
        "现场检查": [("服务场所未公示服务项目、收费标准和监督电话", "责令公示，已整改")],
        "书面检查": [("未按时报送上年度经营情况报告", "责令限期报送，已报送")],
    },
    "PQ-01": {
        "现场检查": [("被派遣劳动者从事的是主营业务岗位，不属于临时性、辅助性或替代性岗位", "责令调整用工方式，已整改")],
        "书面检查": [("劳务派遣协议未载明派遣期限和社会保险费数额", "责令修订派遣协议，已修订")],
    },
    "PX-01": {
        "现场检查": [("办学场所未公示办学许可证和收费标准", "责令公示，已整改")],
        "书面检查": [("招生简章未按规定备案", "责令备案，已备案")],
    },
}


def finding_for(items: list[str], method: str, pick: int) -> tuple[str, str]:
    """One finding a check of these items by this method would turn up (chosen by `pick`)."""
    options = [f for item in items for f in FINDINGS.get(item, {}).get(method, [])]
    if not options:  # a method the items have no table for: what any check of them could find
        options = [f for item in items for fs in FINDINGS.get(item, {}).values() for f in fs]
    return options[pick % len(options)]
