"""The 一单两库 + plan + results data model.

Pydantic does the typing, the unknown-key refusal and the JSON Schema for editors; the loader maps
its errors to positioned problems. Field titles are the Chinese names staff know; they appear in
error messages and in editor hovers. Enumerated values are Chinese, as staff write them.

Annotations are evaluated as Python reads them (no `from __future__ import annotations`), and
each model's validator is built when first used (`defer_build`): importing this module is on the
path of every `ssjpub verify`, and a cached one validates nothing (ssjpub.loader.parsecache), so
it no longer pays for 36 validators and ~900 string annotations compiled one by one.
"""

import re
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cached_property
from operator import itemgetter
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ssjpub.digits import non_ascii_digits
from ssjpub.identifiers import credit_code_problem
from ssjpub.pii import shown
from ssjpub.weburl import EXAMPLE, web_url_problem

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only: \d takes “２”


def _non_ascii(text: object, pattern: re.Pattern[str]) -> None:
    """Refuse a value that only its full-width (or other non-ASCII) digits keep from ``pattern``."""
    message = non_ascii_digits(text, pattern) if isinstance(text, str) else None
    if message:
        raise PydanticCustomError("non-ascii-digit", "{message}", {"message": message})


def _parse_day(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        _non_ascii(value, _DAY)
        raise PydanticCustomError("wrong-type", "应为日期，格式 YYYY-MM-DD（如 2024-03-01）")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("impossible-date", "日期“{value}”不存在", {"value": value})


Day = Annotated[
    date,
    BeforeValidator(_parse_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DAY.pattern}),
]


_MOMENT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})$")


def _parse_moment(value: object) -> object:
    """An ISO 8601 time with its offset (YAML keeps it as text; strict validation wants a datetime)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _MOMENT.fullmatch(value):
        _non_ascii(value, _MOMENT)
        raise PydanticCustomError("wrong-type", "应为带时区的时间，如 2024-01-05T10:00:00+08:00")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("impossible-date", "时间“{value}”不存在", {"value": value})


Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_parse_moment),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": _MOMENT.pattern}),
]


# A ratio is text matched before any arithmetic: at most 100, at most four decimals, no exponent,
# so no value (“1E-99999999%”, a million digits) reaches Fraction. _RATIO is also the schema's.
RATIO_DECIMALS = 4
_RATIO = re.compile(rf"^(100(?:\.0{{1,{RATIO_DECIMALS}}})?|[0-9]{{1,2}}(?:\.[0-9]{{1,{RATIO_DECIMALS}}})?)%$")
_ZERO_RATIO = re.compile(rf"^0{{1,2}}(?:\.0{{1,{RATIO_DECIMALS}}})?%$")
_PERCENT = re.compile(r"^[0-9]+(?:\.[0-9]+)?%$")  # a percentage, if not one we take
_RATIO_RANGE = f"比例应大于 0% 且不超过 100%，最多 {RATIO_DECIMALS} 位小数"


def _parse_ratio(value: object) -> Fraction:
    """'5%' or '12.5%' to an exact Fraction: no floats anywhere near the draw."""
    if isinstance(value, Fraction):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not _RATIO.fullmatch(text):
        if _PERCENT.fullmatch(text):
            raise PydanticCustomError("invalid-value", _RATIO_RANGE)
        _non_ascii(text, _RATIO)
        raise PydanticCustomError("wrong-type", "比例应写成百分数，如“5%”或“12.5%”")
    if _ZERO_RATIO.fullmatch(text):
        raise PydanticCustomError("invalid-value", _RATIO_RANGE)
    whole, _, decimals = text[:-1].partition(".")
    return Fraction(int(whole + decimals), 100 * 10 ** len(decimals))


def approx_percent(ratio: Fraction) -> str:
    """For messages only: a ratio as a percentage to one decimal (约 5.0%), exact arithmetic."""
    tenths = (ratio.numerator * 1000 * 2 + ratio.denominator) // (2 * ratio.denominator)  # rounded
    return f"{tenths // 10}.{tenths % 10}%"


def format_ratio(ratio: Fraction) -> str:
    percent = ratio * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return f"{Decimal(percent.numerator) / Decimal(percent.denominator):f}%"


Ratio = Annotated[
    Fraction,
    BeforeValidator(_parse_ratio),
    PlainSerializer(format_ratio, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": _RATIO.pattern, "not": {"pattern": _ZERO_RATIO.pattern}, "examples": ["5%"]}
    ),
]


def _check_credit_code(value: str) -> str:
    problem = credit_code_problem(value)
    if problem:
        raise PydanticCustomError(
            "invalid-credit-code", "统一社会信用代码“{code}”无效：{why}", {"code": shown(value), "why": problem}
        )
    return value


CreditCode = Annotated[str, AfterValidator(_check_credit_code)]


def _check_web_url(value: str) -> str:
    why = web_url_problem(value)
    if why:
        raise PydanticCustomError(
            "invalid-url", "网址无效：{why}。请写成“https://主机名/路径”，如 {example}", {"why": why, "example": EXAMPLE}
        )
    return value


# Every URL field of the data: see ssjpub.weburl for what is accepted and why.
WebUrl = Annotated[
    str,
    AfterValidator(_check_web_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": r"^https?://[^/?#@\s]+(/[A-Za-z0-9._~/:@+,=%-]*)?$",
                    "examples": ["https://github.com/ssjpub/ssjpub"]}),
]
# What each pattern of the models asks for, in words: a message never shows a regular expression
# (a staff member cannot read one). tests/test_schema.py checks that every pattern has its words.
PATTERN_WORDS = {
    r"^[a-z0-9][a-z0-9-]*$": "小写字母、数字和连字符“-”，以字母或数字开头，如 baofeng、2024-01",
    r"^[A-Za-z0-9][A-Za-z0-9-]*$": "字母、数字和连字符“-”，以字母或数字开头，如 2024-01、BF-07",
    r"^https?://[^\s]+$": "以 http:// 或 https:// 开头、中间没有空格的网址",
    r"^plans/[a-z0-9][a-z0-9-]*/tsa/[^/\s]+\.pem$": "本机关 tsa 文件夹中 .pem 证书文件的路径，如 plans/baofeng/tsa/ca.pem",
    r"^[0-2](\.(0|[1-9][0-9]*))+$": "用“.”分隔的数字（对象标识符），以 0、1 或 2 开头，如 1.2.3.4.1",
    r"^[0-9]{6}$": "6 位数字，如 410421",
    r"^[0-9]{20,}$": "至少 20 位半角数字 0–9，中间没有空格或其他符号，并加引号，如 '09876543210123456789'",
    r"^[0-9a-f]{96}$": "96 位小写十六进制数字（0–9 和 a–f），照 drand 公布的 signature 原样抄录并加引号",
    r"^[0-9a-f]{64}$": "64 位小写十六进制数字（0–9 和 a–f）",
    r"^([01][0-9]|2[0-3]):[0-5][0-9]$": "24 小时制的“时:分”，如 21:15",
    r"^([0-9a-f]{40}|[0-9a-f]{64})$": "40 位（或 64 位）小写十六进制的 git 提交编号",
}

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$", max_length=40)]
Text = Annotated[str, Field(min_length=1)]
DepartmentName = Text


class Certificate:
    """Marks a field of certificate numbers: a mobile-shaped number in it is a certificate number
    (冀人社监字第13010223001号, or the bare 13010223001), not personal data (ssjpub.loader.personal)."""


CertificateNo = Annotated[str, Field(min_length=1), Certificate()]


METHODS = ("现场检查", "书面检查", "网络检查", "信息比对")
Method = Literal["现场检查", "书面检查", "网络检查", "信息比对"]
Grade = Literal["A", "B", "C"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


# --- agency ---------------------------------------------------------------------------------


class Department(Model):
    name: Text = Field(title="股室名称", description="如“劳动保障监察股”")
    duties: str | None = Field(None, title="职责")


class TimestampAuthority(Model):
    """The RFC 3161 time-stamping authority an agency uses (docs/timestamps.md)."""

    name: Text = Field(title="时间戳服务名称", description="网站上显示的名称，如“某某可信时间戳服务中心”")
    url: Annotated[str, Field(pattern=r"^https?://[^\s]+$")] = Field(
        title="时间戳服务地址", description="RFC 3161 HTTP 服务地址（http:// 或 https://）"
    )
    ca_certificate: Annotated[str, Field(pattern=r"^plans/[a-z0-9][a-z0-9-]*/tsa/[^/\s]+\.pem$")] = Field(
        title="时间戳服务的 CA 证书", description="仓库中的 PEM 文件，如 plans/baofeng/tsa/ca.pem；令牌的签名证书须链接到它"
    )
    policy: Annotated[str, Field(pattern=r"^[0-2](\.(0|[1-9][0-9]*))+$")] | None = Field(
        None, title="时间戳策略 OID", description="填写后，令牌的策略必须与之相同，如 1.2.156.112562.1.1"
    )


class Agency(Model):
    """plans/<code>/agency.yaml"""

    code: Slug = Field(title="机关代号", description="与所在目录名相同，只用小写字母、数字和连字符")
    name: Text = Field(title="机关全称")
    short_name: Text = Field(title="简称")
    division_code: Annotated[str, Field(pattern=r"^[0-9]{6}$")] = Field(title="行政区划代码")
    parent: str | None = Field(None, title="上级主管部门")
    parent_agency: Slug | None = Field(None, title="上级机关代号", description="同一仓库中上级机关的代号")
    lead_department: DepartmentName = Field(title="牵头股室", description="统筹“双随机、一公开”工作的股室")
    plan_office: DepartmentName = Field(
        title="年度计划报送股室", description="年度抽查计划报送的股室，如“劳动保障监察股”"
    )
    departments: list[Department] = Field(min_length=1, title="股室")
    repository: WebUrl | None = Field(None, title="代码仓库地址", description="用于链接到记录来源的提交")
    snapshot_max_age_days: Annotated[int, Field(ge=1, le=3660)] = Field(
        183, title="名录快照最长有效天数", description="抽取时所用名录快照距开奖（摇号）日期不得超过的天数"
    )
    draw_within_working_days: Annotated[int, Field(ge=0, le=60)] = Field(
        3, title="抽取期限（工作日）", description="公开随机数公布后，须在多少个工作日内提交抽取记录或失败记录"
    )
    timestamp: TimestampAuthority | None = Field(
        None, title="可信时间戳服务", description="为任务的随机数来源声明取得 RFC 3161 可信时间戳（见 docs/timestamps.md）"
    )


# --- checklist (一单) -----------------------------------------------------------------------


class ChecklistItem(Model):
    id: Ident = Field(title="事项编号")
    name: Text = Field(title="抽查事项")
    sub_item: str | None = Field(None, title="抽查子项")
    # What S0 二（一）/S1 四（二）require each item to state is checked by the rule
    # checklist-item-incomplete, which cites the clause; the schema only checks types.
    category: Literal["重点", "一般"] | None = Field(None, title="事项类别")
    department: DepartmentName | None = Field(None, title="抽查主体")
    basis: list[Text] | None = Field(None, min_length=1, title="抽查依据")
    content: Text | None = Field(None, title="抽查内容")
    target_kind: Text = Field(title="抽查对象")
    methods: list[Method] | None = Field(None, min_length=1, title="抽查方式")
    ratio: Ratio = Field(title="抽查比例")
    frequency: Annotated[int, Field(ge=1)] = Field(title="抽查频次（次/年）")
    inspector_requirements: list[Text] = Field(
        default_factory=list, title="检查人员要求", description="检查人员须具备的资格"
    )
    status: Literal["有效", "停用"] = Field("有效", title="状态")


class Checklist(Model):
    """plans/<code>/checklist.yaml"""

    agency: Slug = Field(title="机关代号")
    updated_on: Day = Field(title="清单更新日期")
    items: list[ChecklistItem] = Field(min_length=1, title="抽查事项")


# --- inspector directory (一库) -------------------------------------------------------------


class Inspector(Model):
    id: Ident = Field(title="人员编号")
    # S1 四（三）'s 姓名、性别、单位、职务、监察证号: required by the rule inspector-incomplete.
    name: Text | None = Field(None, title="姓名")
    gender: Literal["男", "女"] | None = Field(None, title="性别")
    unit: Text | None = Field(None, title="单位")
    title: Text | None = Field(None, title="职务")
    cert_no: CertificateNo | None = Field(None, title="监察证号")
    cert_expires: Day = Field(title="监察证有效期至")
    department: DepartmentName = Field(title="所属股室")
    qualifications: list[Text] = Field(default_factory=list, title="业务资格")
    active: bool = Field(True, title="在岗")
    conflicts: list[CreditCode] = Field(
        default_factory=list, title="申报回避的单位", description="本人或近亲属有直接利害关系的单位的统一社会信用代码"
    )


class InspectorDirectory(Model):
    """plans/<code>/inspectors.yaml"""

    agency: Slug = Field(title="机关代号")
    updated_on: Day = Field(title="名录更新日期")
    inspectors: list[Inspector] = Field(min_length=1, title="执法检查人员")


# --- target directory (二库): CSV snapshots, see loader.csvfile -----------------------------

SNAPSHOT_COLUMNS = (
    "credit_code",
    "name",
    "area",
    "industry",
    "grade",
    "complaints",
    "serious_violation",
    "status",
    "source",
)
SNAPSHOT_TITLES = {
    "credit_code": "统一社会信用代码",
    "name": "单位名称",
    "area": "区域",
    "industry": "行业",
    "grade": "诚信等级",
    "complaints": "投诉举报数",
    "serious_violation": "严重违法记录",
    "status": "经营状态",
    "source": "来源",
}
TargetStatus = Literal["在营", "停业", "注销"]
TARGET_STATUSES: tuple[str, ...] = typing.get_args(TargetStatus)
TARGET_SOURCES = ("参保登记", "本部门审批")


class Target(typing.NamedTuple):
    """One snapshot row. A NamedTuple, not a frozen dataclass: a province snapshot makes a million,
    and a tuple is built in C (a frozen dataclass sets each field through object.__setattr__)."""

    credit_code: str
    name: str
    area: str
    industry: str
    grade: str
    complaints: int
    serious_violation: bool
    status: str
    source: str
    line: int

    @property
    def active(self) -> bool:
        return self.status == "在营"

    def row(self) -> list[str]:
        """The snapshot CSV row, in SNAPSHOT_COLUMNS order."""
        return [self.credit_code, self.name, self.area, self.industry, self.grade, str(self.complaints),
                "是" if self.serious_violation else "否", self.status, self.source]


class Columns(typing.NamedTuple):
    """A snapshot's rows by column, in file order, each a tuple as long as the snapshot: a
    province snapshot has a million rows, and a draw reads a few columns of them, never a row
    object (a column of a few distinct values costs a pointer per row)."""

    credit_code: tuple[str, ...]
    name: tuple[str, ...]
    area: tuple[str, ...]
    industry: tuple[str, ...]
    grade: tuple[str, ...]
    complaints: tuple[int, ...]
    serious_violation: tuple[bool, ...]
    status: tuple[str, ...]
    source: tuple[str, ...]
    line: tuple[int, ...]

    def row(self, i: int) -> Target:
        """The row at position `i` (file order)."""
        return Target._make(column[i] for column in self)

    @classmethod
    def of(cls, targets: typing.Iterable[Target]) -> "Columns":
        found = tuple(zip(*targets))
        return cls(*found) if found else cls(*([()] * len(cls._fields)))


class RowKinds(typing.NamedTuple):
    """Each row's kind, as the column reader finds it (ssjpub.loader.columns): a draw decides per
    kind, and rows of one kind share area, industry, grade, status, complaints and serious
    violation (ssjpub.draw.population.Kind, in that order). The reader knows every row's kind
    while it reads; grouping a million rows again would cost a second."""

    kinds: tuple[tuple, ...]  # each kind's six values (one kind may stand twice: ids mean nothing)
    of_row: list[int]  # per row, in file order, the index of its kind in `kinds`


@dataclass(frozen=True)
class SnapshotPart:
    """One file of a snapshot split into several (plans/<code>/targets/<day>/<name>.csv)."""

    file: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class Snapshot:
    agency: str
    taken_on: date
    file: str  # the CSV file, or the folder of a split snapshot
    sha256: str  # the file's SHA-256, or the parts' digest (ssjpub-draw/3)
    columns: Columns
    parts: tuple[SnapshotPart, ...] = ()  # a split snapshot's files, by name; () for one file
    # Each row's kind when the column reader read it (else None): derived from the columns, so
    # neither compared nor shown.
    kinds: RowKinds | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.columns.credit_code)

    @cached_property
    def targets(self) -> tuple[Target, ...]:
        """Every row, by credit code: built on first use, for the site and the importer (a draw
        reads the columns). Not a field, so equality and hashing stay the columns'."""
        return tuple(sorted(map(Target._make, zip(*self.columns)), key=itemgetter(0)))


# --- how an agency's exports name things: plans/<code>/import.yaml (ssjpub import-targets) ---

HeaderNames = list[Text]


class ImportColumns(Model):
    """Header names of this agency's exports, besides the usual ones ssjpub knows (ssjpub.importer)."""

    credit_code: HeaderNames = Field(default_factory=list, title="统一社会信用代码的列名")
    name: HeaderNames = Field(default_factory=list, title="单位名称的列名")
    area: HeaderNames = Field(default_factory=list, title="区域的列名")
    industry: HeaderNames = Field(default_factory=list, title="行业的列名")
    grade: HeaderNames = Field(default_factory=list, title="诚信等级的列名")
    complaints: HeaderNames = Field(default_factory=list, title="投诉举报数的列名")
    serious_violation: HeaderNames = Field(default_factory=list, title="严重违法记录的列名")
    status: HeaderNames = Field(default_factory=list, title="经营状态的列名")
    source: HeaderNames = Field(default_factory=list, title="来源的列名")


class ImportMapping(Model):
    """plans/<code>/import.yaml: the column names and status values of this agency's exports."""

    columns: ImportColumns = Field(
        default_factory=ImportColumns, title="列名", description="导出表中各字段的列名，在 ssjpub 默认识别的列名之外增加"
    )
    status: dict[Text, TargetStatus] = Field(
        default_factory=dict, title="单位状态对照",
        description="导出表中的单位状态 → 在营、停业或注销；与默认对照不同时以这里为准（如“暂停缴费: 在营”）",
    )


# --- annual plan -----------------------------------------------------------------------------


class Scope(Model):
    areas: list[Text] = Field(default_factory=list, title="区域")
    industries: list[Text] = Field(default_factory=list, title="行业")
    grades: list[Grade] = Field(default_factory=list, title="诚信等级")


class Strata(Model):
    by: Literal["grade", "area", "industry"] = Field(title="分层依据")
    ratios: dict[str, Ratio] = Field(min_length=1, title="各层抽查比例")


class ComplaintWeight(Model):
    at_least: Annotated[int, Field(ge=1)] = Field(title="投诉举报数不少于")
    weight: Annotated[int, Field(ge=1, le=100)] = Field(title="权重")


class Weights(Model):
    grade: dict[Grade, Annotated[int, Field(ge=1, le=100)]] = Field(
        default_factory=dict, title="按诚信等级的权重", description="如 C: 3 表示 C 级单位的抽中机会为 3 倍"
    )
    complaints: ComplaintWeight | None = Field(None, title="投诉举报多的权重")
    serious_violation: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, title="有严重违法记录的权重"
    )


class Window(Model):
    start: Day = Field(title="开始日期")
    end: Day = Field(title="结束日期")


Basis = Literal["随机抽查", "投诉举报", "转办交办"]


SOURCE_KINDS = ("公开开奖", "公开摇号", "drand")
SourceKind = Literal["公开开奖", "公开摇号", "drand"]


class Source(Model):
    """One public randomness source a draw will use, declared before it exists (RFC 3797 §3)."""

    # The fields each kind needs, for editors too (_fields_of_kind is the loader's).
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": {"properties": {"kind": {"const": "drand"}}}, "then": {"required": ["round"]},
         "else": {"not": {"required": ["round"]}}},
        {"if": {"properties": {"kind": {"const": "公开摇号"}}}, "then": {"required": ["source"]}},
        {"if": {"properties": {"kind": {"const": "公开开奖"}}},
         "then": {"anyOf": [{"required": ["game"]}, {"required": ["source"]}]}},
    ]})

    kind: SourceKind = Field(
        title="随机数来源类型",
        description="公开开奖：指明某一期将来的彩票开奖；公开摇号：有见证人的现场摇号，至少 20 位数字；"
                    "drand：drand quicknet 信标将来的某一轮（任何人可用公钥核验）",
    )
    game: Text | None = Field(None, title="彩票玩法", description="公开开奖的玩法，取自 plans/lottery-games.yaml，如“双色球”")
    source: Text | None = Field(None, title="来源名称", description="如“中国福利彩票双色球”或“宝丰县人社局‘双随机’摇号会”；公开摇号必填")
    issue: str | None = Field(None, title="期号", description="公开开奖的期号，如 2024015")
    expected_on: Day = Field(title="开奖（摇号）日期", description="drand 为该轮的北京时间日期")
    place: str | None = Field(None, title="摇号地点")
    witnesses: list[Text] = Field(default_factory=list, title="见证人", description="见证人或公证机构（写单位和职务，不写个人信息）")
    round: Annotated[int, Field(ge=1)] | None = Field(None, title="drand 轮次", description="drand quicknet 的轮次；仅 drand 填写")

    @model_validator(mode="after")
    def _fields_of_kind(self) -> "Source":
        if self.kind == "drand" and self.round is None:
            raise PydanticCustomError("missing-field", "drand 来源须填写“round”（drand 轮次）")
        if self.kind != "drand" and self.round is not None:
            raise PydanticCustomError("invalid-value", "只有 drand 来源才填写“round”（drand 轮次）")
        if self.kind == "公开摇号" and self.source is None:
            raise PydanticCustomError("missing-field", "公开摇号须填写“source”（来源名称）")
        if self.kind == "公开开奖" and self.source is None and self.game is None:
            raise PydanticCustomError("missing-field", "公开开奖须填写“game”（彩票玩法）或“source”（来源名称）")
        return self


Randomness = Source  # the name of the one-source declaration before combined sources

# A declaration is one source (a mapping) or several (a list). The union is told apart by the
# value's shape, and the loader drops these tags from error locations (they are not in the file).
ONE_SOURCE, MANY_SOURCES = "one-source", "many-sources"
UNION_TAGS = frozenset({ONE_SOURCE, MANY_SOURCES})


def _one_or_many(value: object) -> str:
    return MANY_SOURCES if isinstance(value, list) else ONE_SOURCE


Sources = Annotated[
    Annotated[Source, Tag(ONE_SOURCE)] | Annotated[list[Source], Tag(MANY_SOURCES), Field(min_length=1)],
    Discriminator(_one_or_many),
]


class Task(Model):
    id: Slug = Field(title="任务编号")
    name: Text = Field(title="任务名称")
    items: list[Ident] = Field(min_length=1, title="抽查事项", description="多个事项即联合检查，一次完成")
    departments: list[DepartmentName] = Field(min_length=1, title="实施股室")
    basis: Basis = Field(
        "随机抽查", title="检查来源", description="投诉举报、转办交办的检查不是随机抽取，只作记录"
    )
    snapshot: Day | None = Field(None, title="检查对象名录快照日期")
    scope: Scope = Field(default_factory=Scope, title="抽查范围")
    ratio: Ratio | None = Field(None, title="抽查比例")
    count: Annotated[int, Field(ge=1)] | None = Field(None, title="抽查数量")
    strata: Strata | None = Field(None, title="分层抽取")
    weights: Weights = Field(default_factory=Weights, title="重点监管权重")
    window: Window = Field(title="实施时间")
    group_size: Annotated[int, Field(ge=1)] = Field(2, title="每组检查人员数")
    method: Method = Field(title="检查方式")
    targets: list[CreditCode] = Field(
        default_factory=list, title="检查对象", description="仅用于投诉举报、转办交办的非随机检查"
    )
    randomness: Sources | None = Field(
        None, title="公开随机数来源",
        description="须在随机数产生之前提交；抽取前必须声明。一个来源写成键值对；多个独立来源写成列表，"
                    "规范随机数按列表顺序连接（RFC 3797）；公开摇号须在彩票开奖（drand）之前的日子举行",
    )
    batches: Annotated[int, Field(ge=2, le=100)] | None = Field(
        None, title="检查批次数", description="抽中的单位按抽签顺序分成若干批次，批次顺序即由抽签决定"
    )
    retry_of: Slug | None = Field(
        None, title="重新抽取的原任务",
        description="本任务是哪个任务抽取失败后的重新抽取：该任务须已有失败记录（failures/<任务编号>.json），"
                    "本任务的随机数来源须在失败记录提交之后重新声明",
    )

    @property
    def sources(self) -> list[Source]:
        """The declared sources in declared order ([] when none is declared)."""
        r = self.randomness
        return [] if r is None else list(r) if isinstance(r, list) else [r]

    def earliest_source(self) -> tuple[tuple, Source] | None:
        """(path, source) of the first-dated declared source: everything committed before the
        randomness must be before this date (the first value that could be known)."""
        if not self.sources:
            return None
        i = min(range(len(self.sources)), key=lambda i: (self.sources[i].expected_on, i))
        return self.source_path(i), self.sources[i]

    def source_path(self, index: int) -> tuple:
        """Where source `index` is in the task's mapping: ("randomness",) or ("randomness", index)."""
        return ("randomness", index) if isinstance(self.randomness, list) else ("randomness",)


_SIGNATURE = r"^[0-9a-f]{96}$"
_SHA256_HEX = r"^[0-9a-f]{64}$"


def _check_source_values(v) -> None:
    """Exactly one of numbers, digits and round + signature."""
    given = [name for name, present in (("numbers", bool(v.numbers)), ("digits", v.digits is not None),
                                         ("round", v.round is not None or v.signature is not None)) if present]
    if not given:
        raise PydanticCustomError(
            "missing-field", "须填写“numbers”（开奖号码）、“digits”（摇号数字）或“round”与“signature”（drand）之一")
    if len(given) > 1:
        raise PydanticCustomError("invalid-value", "“numbers”（开奖号码）、“digits”（摇号数字）和 drand 的“round”只能填写一种")
    if given == ["round"] and (v.round is None or v.signature is None):
        raise PydanticCustomError("missing-field", "drand 须同时填写“round”（轮次）和“signature”（签名）")
    if v.randomness is not None and v.signature is None:
        raise PydanticCustomError("invalid-value", "“randomness”只用于 drand，与“signature”一起填写")
    # Whether `randomness` is SHA-256(signature) is checked with the signature (ssjpub.draw.sources):
    # a mistyped signature must be reported as such, not "corrected" by copying its hash.


# The value fields of one source, shared by an entry of `sources` and the one-source form.
Numbers = Annotated[list[Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]], Field(
    default_factory=list, title="开奖号码", description="每组号码一行，如 [[3, 12, 15, 22, 28, 31], [9]]（红球、蓝球）")]
Digits = Annotated[Annotated[str, Field(pattern=r"^[0-9]{20,}$")] | None, Field(
    None, title="摇号数字", description="公开摇号得到的数字串，至少 20 位")]
DrandRound = Annotated[Annotated[int, Field(ge=1)] | None, Field(None, title="drand 轮次")]
DrandSignature = Annotated[Annotated[str, Field(pattern=_SIGNATURE)] | None, Field(
    None, title="drand 签名", description="该轮的 BLS 签名（G1，48 字节），96 位小写十六进制")]
DrandRandomness = Annotated[Annotated[str, Field(pattern=_SHA256_HEX)] | None, Field(
    None, title="drand 随机数", description="可不填；填写时须等于签名的 SHA-256（64 位小写十六进制）")]
ScheduleNotice = Annotated[Text | None, Field(
    None, title="开奖时间调整的公告", description="彩票未按惯常的星期开奖时，官方调整开奖安排的公告")]


class SourceValues(Model):
    """The public values of one declared source, committed after they exist."""

    announced_on: Day = Field(title="开奖（摇号）日期")
    numbers: Numbers
    digits: Digits
    round: DrandRound
    signature: DrandSignature
    randomness: DrandRandomness
    evidence: Text = Field(title="出处", description="开奖公告、摇号记录或 drand 接口地址，供公众核对")
    schedule_notice: ScheduleNotice

    @model_validator(mode="after")
    def _one_kind(self) -> "SourceValues":
        _check_source_values(self)
        return self


class RandomnessValues(Model):
    """plans/<code>/<year>/randomness/<task>.yaml: the public values, committed after they exist.

    One source: its fields at the top level (as before combined sources). Several: `sources`, a
    list with one entry per declared source, in the declared order."""

    # Exactly one form; in the one-source form exactly one kind of value, as the draw needs; editors too.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["sources"],
                 "not": {"anyOf": [{"required": [k]} for k in
                                   ("announced_on", "numbers", "digits", "round", "signature", "randomness",
                                    "evidence", "schedule_notice")]}},
                {"required": ["announced_on", "evidence"], "not": {"required": ["sources"]},
                 "oneOf": [
                     {"required": ["numbers"], "properties": {"numbers": {"minItems": 1}}},
                     {"required": ["digits"], "properties": {"digits": {"type": "string"}}},
                     {"required": ["round", "signature"]},
                 ]},
            ]
        }
    )

    agency: Slug = Field(title="机关代号")
    year: Annotated[int, Field(ge=2000, le=2100)] = Field(title="年度")
    task: Slug = Field(title="任务编号")
    announced_on: Day | None = Field(None, title="开奖（摇号）日期")
    numbers: Numbers
    digits: Digits
    round: DrandRound
    signature: DrandSignature
    randomness: DrandRandomness
    evidence: Text | None = Field(None, title="出处", description="开奖公告或摇号记录的出处，供公众核对")
    schedule_notice: ScheduleNotice
    # Always the list once validated (the one-source form gives one entry): callers read this.
    sources: Annotated[list[SourceValues], Field(min_length=1)] | None = Field(
        None, title="各来源的公开随机数", description="声明了多个来源时，每个来源一项，顺序与声明相同"
    )

    @model_validator(mode="after")
    def _one_form(self) -> "RandomnessValues":
        if "sources" in self.model_fields_set:
            top = [k for k in _SOURCE_FIELDS if k in self.model_fields_set]
            if top:
                raise PydanticCustomError(
                    "invalid-value", "填写了“sources”（各来源的公开随机数）时，“{key}”应写在各来源之中",
                    {"key": top[0]})
            return self
        for key, title in (("announced_on", "开奖（摇号）日期"), ("evidence", "出处")):
            if getattr(self, key) is None:
                raise PydanticCustomError("missing-field", "缺少必填字段“{key}”（{title}）", {"key": key, "title": title})
        _check_source_values(self)
        # The one-source form is one entry: `sources` is always the list, in declared order.
        one = SourceValues.model_construct(**{k: getattr(self, k) for k in _SOURCE_FIELDS})
        object.__setattr__(self, "sources", [one])
        return self

    def last_announced(self) -> tuple[tuple, date]:
        """(path of its `announced_on`, the date) of the last-announced entry: every value is
        known from then on, and the draw can be made."""
        i = max(range(len(self.sources)), key=lambda i: (self.sources[i].announced_on, i))
        return self.entry_path(i) + ("announced_on",), self.sources[i].announced_on

    def entry_path(self, index: int) -> tuple:
        """Where entry `index` is in the file: () for the one-source form, else ("sources", index)."""
        return ("sources", index) if "sources" in self.model_fields_set else ()


_SOURCE_FIELDS = tuple(SourceValues.model_fields)


# --- lottery games (plans/lottery-games.yaml) ---------------------------------------------------

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")  # date.weekday() order
Weekday = Literal["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
# Issue numbers: the draw's year (four or two digits) and its serial number in that year.
ISSUE_FORMS = {"YYYYNNN": (4, "2024004"), "YYNNN": (2, "24004")}


class NumberGroup(Model):
    name: Text = Field(title="号码组名称", description="如“红色球”“前区”；按位开奖的游戏每位一组，如“百位”")
    count: Annotated[int, Field(ge=1, le=100)] = Field(title="开出个数")
    min: Annotated[int, Field(ge=0)] = Field(title="最小号码")
    max: Annotated[int, Field(ge=0)] = Field(title="最大号码")
    distinct: bool = Field(title="组内不重复", description="true：同一组的号码各不相同（摇出的球不放回）")
    not_in: Text | None = Field(
        None, title="不与哪一组重复", description="本组号码不会出现在前面哪一组中，如七乐彩的特别号码不与基本号码重复")


class LotteryGame(Model):
    name: Text = Field(title="游戏名称", description="声明中 game 写的名称，如“双色球”")
    operator: Literal["中国福利彩票", "中国体育彩票"] = Field(title="发行机构")
    rules: Text = Field(title="游戏规则", description="所依据的官方游戏规则的名称")
    positional: bool = Field(
        False, title="按位开奖", description="true：开奖号码是按位置排列的数字（如福彩3D），每位写成一组，顺序不能颠倒")
    groups: list[NumberGroup] = Field(min_length=1, title="号码组", description="按开奖公告的顺序")
    draw_days: list[Weekday] = Field(min_length=1, title="开奖日", description="每周的哪几天开奖；每天开奖的写全七天")
    draw_time: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = Field(
        title="开奖时间（北京时间）", description="如“21:15”")
    issue_form: Literal["YYYYNNN", "YYNNN"] = Field(
        title="期号格式", description="YYYYNNN：4 位年份加 3 位序号（如 2024004）；YYNNN：2 位年份加 3 位序号（如 24004）")
    result_page: WebUrl = Field(title="官方开奖公告网址", description="供公众核对开奖号码")


class LotteryGames(Model):
    """plans/lottery-games.yaml: the national lottery games a task may declare, with their rules."""

    games: list[LotteryGame] = Field(min_length=1, title="彩票游戏")

    def get(self, name: str | None) -> LotteryGame | None:
        return next((g for g in self.games if g.name == name), None)


class TimestampRecord(Model):
    """plans/<code>/<year>/timestamps/<task>.yaml: what the token <task>.tsr beside it says, for people
    and the site; written by `ssjpub timestamp`, checked against the token."""

    agency: Slug = Field(title="机关代号")
    year: Annotated[int, Field(ge=2000, le=2100)] = Field(title="年度")
    task: Slug = Field(title="任务编号")
    commit: Annotated[str, Field(pattern=r"^([0-9a-f]{40}|[0-9a-f]{64})$")] = Field(
        title="提交", description="取得时间戳的 git 提交（含本任务的随机数来源声明）"
    )
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] = Field(
        title="摘要", description="被时间戳的声明的 SHA-256（docs/timestamps.md 第 1 节）"
    )
    tsa: Text = Field(title="时间戳服务名称")
    gen_time: Moment = Field(title="时间戳时间", description="令牌中的 genTime，带时区")


class Plan(Model):
    """plans/<code>/<year>/plan.yaml"""

    agency: Slug = Field(title="机关代号")
    year: Annotated[int, Field(ge=2000, le=2100)] = Field(title="年度")
    title: Text = Field(title="计划名称")
    doc_number: str | None = Field(None, title="文号")
    lead_department: DepartmentName = Field(title="牵头股室")
    reported_to: DepartmentName | None = Field(None, title="报送股室")
    reported_on: Day | None = Field(None, title="报送日期")
    published_on: Day | None = Field(None, title="公示日期")
    tasks: list[Task] = Field(min_length=1, title="抽查任务")


# --- results ---------------------------------------------------------------------------------


class FollowUp(Model):
    visited_on: Day = Field(title="回访日期")
    outcome: Text = Field(title="回访结果")


class Withheld(Model):
    reason: Text = Field(title="不予公开的理由", description="如“涉及商业秘密”")
    # Required by the rule withheld-unjustified (S0 三（五）、S1 四（五）).
    legal_basis: Text | None = Field(None, title="法律依据")
    approved_by: Text | None = Field(None, title="批准部门")


class Result(Model):
    target: CreditCode = Field(title="检查对象")
    # The order the results files are written in (the demo's, import-results'): an unchanged
    # import is byte-identical.
    inspected_on: Day = Field(title="检查日期")
    category: Text = Field(title="结果类别", description="取自 plans/result-categories.yaml")
    completed_on: Day | None = Field(None, title="办结日期")
    findings: str | None = Field(None, title="发现的问题")
    handling: str | None = Field(None, title="处理情况")
    follow_up: FollowUp | None = Field(None, title="整改回访")
    withheld: Withheld | None = Field(None, title="不予公开")


class TaskResults(Model):
    """results/<code>/<year>/<task>.yaml"""

    agency: Slug = Field(title="机关代号")
    year: Annotated[int, Field(ge=2000, le=2100)] = Field(title="年度")
    task: Slug = Field(title="任务编号")
    completed_on: Day = Field(title="任务完成日期")
    published_on: Day | None = Field(None, title="结果公示日期")
    archived_on: Day | None = Field(None, title="归档日期")
    results: list[Result] = Field(default_factory=list, title="检查结果")


class ResultCategory(Model):
    name: Text = Field(title="结果类别")
    found_problem: bool = Field(title="是否发现问题")
    description: str | None = Field(None, title="说明")


class ResultCategories(Model):
    """plans/result-categories.yaml: the closed list of result categories."""

    categories: list[ResultCategory] = Field(min_length=1, title="结果类别")


class CalendarYear(Model):
    """plans/calendar/<year>.yaml: a year's official holiday schedule, for years chinesecalendar
    does not cover yet (or to correct it). Transcribed from the State Council notice."""

    year: Annotated[int, Field(ge=2000, le=2100)] = Field(title="年度")
    notice: Text = Field(title="依据的通知", description="如《国务院办公厅关于2027年部分节假日安排的通知》（国办发明电〔2026〕X号）")
    holidays: list[Day] = Field(min_length=1, title="放假日期", description="全部放假的日期（含调休放假的工作日）")
    workdays: list[Day] = Field(default_factory=list, title="调休上班日期", description="调休上班的周末日期")


# The YAML documents and where they live, for the loader and the JSON Schema export.
DOCUMENTS: dict[str, type[Model]] = {
    "agency": Agency,
    "checklist": Checklist,
    "inspectors": InspectorDirectory,
    "plan": Plan,
    "results": TaskResults,
    "result-categories": ResultCategories,
    "randomness": RandomnessValues,
    "calendar": CalendarYear,
    "timestamp": TimestampRecord,
    "lottery-games": LotteryGames,
    "import": ImportMapping,
}
