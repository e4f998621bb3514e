"""Validation stage of the org and employer imports: one row in, one clean record or errors out.

Each function here is pure (no database): services.py looks up what rows refer to in batches
and does the set-based write.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.tabular import Column, RowError, parse_date
from gonghui.core.validators import InvalidUscc, normalize_uscc
from gonghui.orgs.models import EmployerStatus, Industry, OrgKind

ORG_COLUMNS = (
    Column("code", ("工会代码", "code", "组织代码"), required=True),
    Column("name", ("工会名称", "name", "名称"), required=True),
    Column("kind", ("类型", "kind", "工会类型"), required=True),
    Column("parent_code", ("上级工会代码", "parent_code", "parent"), required=True),
    Column("region_code", ("行政区划代码", "region_code", "区划代码")),
    Column("established_on", ("成立日期", "established_on", "成立时间")),
)

EMPLOYER_COLUMNS = (
    Column("name", ("单位名称", "name", "企业名称"), required=True),
    Column("uscc", ("统一社会信用代码", "uscc", "信用代码"), required=True),
    Column("region_code", ("行政区划代码", "region_code", "区划代码")),
    Column("industry", ("行业门类", "industry", "行业")),
    Column("employees", ("职工人数", "employees", "从业人数", "员工人数")),
    Column("opened_on", ("成立日期", "opened_on", "成立时间")),
    Column("status", ("经营状态", "status", "登记状态")),
    Column("community_code", ("所属社区工会代码", "community_code", "社区工会代码")),
    Column("union_code", ("单位工会代码", "union_code", "工会代码")),
)

# Labels federations write in their spreadsheets, besides our code names.
_KIND_LABELS = {
    "市总工会": OrgKind.CITY,
    "省总工会": OrgKind.CITY,
    "区县总工会": OrgKind.DISTRICT,
    "区总工会": OrgKind.DISTRICT,
    "县总工会": OrgKind.DISTRICT,
    "乡镇(街道)总工会": OrgKind.STREET,
    "街道总工会": OrgKind.STREET,
    "乡镇总工会": OrgKind.STREET,
    "街道工会": OrgKind.STREET,
    "社区联合工会": OrgKind.COMMUNITY,
    "社区(村)联合工会": OrgKind.COMMUNITY,
    "村联合工会": OrgKind.COMMUNITY,
    "区域性工会联合会": OrgKind.JOINT,
    "行业性工会联合会": OrgKind.JOINT,
    "区域性、行业性工会联合会": OrgKind.JOINT,
    "工会联合会": OrgKind.JOINT,
    "产业工会": OrgKind.INDUSTRY,
    "局集团公司工会": OrgKind.GROUP,
    "集团公司工会": OrgKind.GROUP,
    "企业工会": OrgKind.ENTERPRISE,
    "基层工会": OrgKind.ENTERPRISE,
    "企业(基层)工会": OrgKind.ENTERPRISE,
}
_KINDS = {kind.value: kind for kind in OrgKind} | _KIND_LABELS

_STATUSES = {
    "存续": EmployerStatus.OPERATING,
    "在业": EmployerStatus.OPERATING,
    "开业": EmployerStatus.OPERATING,
    "在营": EmployerStatus.OPERATING,
    "operating": EmployerStatus.OPERATING,
    "注销": EmployerStatus.DEREGISTERED,
    "吊销": EmployerStatus.DEREGISTERED,
    "吊销,未注销": EmployerStatus.DEREGISTERED,
    "deregistered": EmployerStatus.DEREGISTERED,
}
_INDUSTRY_NAMES = {str(label): value for value, label in Industry.choices}
_INDUSTRY_CHINESE = {
    "农、林、牧、渔业": "A",
    "采矿业": "B",
    "制造业": "C",
    "电力、热力、燃气及水生产和供应业": "D",
    "建筑业": "E",
    "批发和零售业": "F",
    "交通运输、仓储和邮政业": "G",
    "住宿和餐饮业": "H",
    "信息传输、软件和信息技术服务业": "I",
    "金融业": "J",
    "房地产业": "K",
    "租赁和商务服务业": "L",
    "科学研究和技术服务业": "M",
    "水利、环境和公共设施管理业": "N",
    "居民服务、修理和其他服务业": "O",
    "教育": "P",
    "卫生和社会工作": "Q",
    "文化、体育和娱乐业": "R",
    "公共管理、社会保障和社会组织": "S",
    "国际组织": "T",
}
_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
_REGION_RE = re.compile(r"^[1-9]\d{5}$")


class RowInvalid(Exception):
    def __init__(self, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason

    def at(self, row: int, cells: list[str]) -> RowError:
        return RowError(
            row=row, column=self.column, value=self.value, reason=self.reason, cells=cells
        )


def _text(values: dict[str, str], field: str, *, limit: int, required: bool = False) -> str:
    value = values.get(field, "")
    if required and not value:
        raise RowInvalid(field, value, _("This field is required."))
    if len(value) > limit:
        raise RowInvalid(field, value, _("Longer than %(limit)d characters.") % {"limit": limit})
    return value


def _code(values: dict[str, str], field: str, *, required: bool) -> str:
    value = _text(values, field, limit=32, required=required)
    if value and not _CODE_RE.match(value):
        raise RowInvalid(
            field,
            value,
            _(
                "A union code may contain only letters, digits, '-', '_' "
                "and '.', at most 32 characters."
            ),
        )
    return value


def _region(values: dict[str, str]) -> str:
    value = values.get("region_code", "")
    if value and not _REGION_RE.match(value):
        raise RowInvalid("region_code", value, _("A region code has 6 digits (GB/T 2260)."))
    return value


def _past_date(values: dict[str, str], field: str, today: date) -> date | None:
    value = values.get(field, "")
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        raise RowInvalid(field, value, _("Not a date; write it as 2024-03-05.")) from None
    if parsed > today:
        raise RowInvalid(field, value, _("The date is in the future."))
    if parsed.year < 1900:
        raise RowInvalid(field, value, _("The date is before 1900."))
    return parsed


@dataclass(frozen=True)
class OrgRecord:
    code: str
    name: str
    kind: str
    parent_code: str
    region_code: str
    established_on: date | None


def clean_org(values: dict[str, str], *, today: date | None = None) -> OrgRecord:
    today = today or timezone.localdate()
    code = _code(values, "code", required=True)
    name = _text(values, "name", limit=200, required=True)
    raw_kind = values.get("kind", "")
    kind = _KINDS.get(raw_kind.replace("（", "(").replace("）", ")")) or _KINDS.get(
        raw_kind.lower()
    )
    if kind is None:
        raise RowInvalid(
            "kind",
            raw_kind,
            _("Unknown kind; use one of: %(kinds)s.")
            % {"kinds": ", ".join(k.value for k in OrgKind)},
        )
    parent_code = _code(values, "parent_code", required=False)
    if parent_code == code:
        raise RowInvalid("parent_code", parent_code, _("An org cannot be its own parent."))
    return OrgRecord(
        code=code,
        name=name,
        kind=kind.value,
        parent_code=parent_code,
        region_code=_region(values),
        established_on=_past_date(values, "established_on", today),
    )


@dataclass(frozen=True)
class EmployerRecord:
    name: str
    uscc: str
    uscc_check_failed: bool
    region_code: str
    industry: str
    employees: int | None
    opened_on: date | None
    status: str
    community_code: str
    union_code: str


def clean_employer(values: dict[str, str], *, today: date | None = None) -> EmployerRecord:
    today = today or timezone.localdate()
    name = _text(values, "name", limit=200, required=True)
    raw_uscc = values.get("uscc", "")
    try:
        uscc = normalize_uscc(raw_uscc)
    except InvalidUscc as exc:
        raise RowInvalid("uscc", raw_uscc, str(exc)) from None
    region = _region(values) or uscc.code[2:8]
    raw_industry = values.get("industry", "")
    industry = (
        raw_industry.upper()
        if len(raw_industry) == 1
        else (_INDUSTRY_CHINESE.get(raw_industry) or _INDUSTRY_NAMES.get(raw_industry, ""))
    )
    if raw_industry and industry not in Industry.values:
        raise RowInvalid(
            "industry", raw_industry, _("Unknown industry; use a GB/T 4754 section letter A–T.")
        )
    raw_employees = values.get("employees", "")
    employees = None
    if raw_employees:
        if not raw_employees.isdigit() or len(raw_employees) > 9:
            raise RowInvalid("employees", raw_employees, _("Employees must be a whole number."))
        employees = int(raw_employees)
    raw_status = values.get("status", "")
    status = _STATUSES.get(raw_status.lower()) if raw_status else EmployerStatus.OPERATING
    if status is None:
        raise RowInvalid(
            "status",
            raw_status,
            _("Unknown status; use 存续/在业 (operating) or 注销/吊销 (deregistered)."),
        )
    return EmployerRecord(
        name=name,
        uscc=uscc.code,
        uscc_check_failed=not uscc.check_ok,
        region_code=region,
        industry=industry,
        employees=employees,
        opened_on=_past_date(values, "opened_on", today),
        status=status.value,
        community_code=_code(values, "community_code", required=False),
        union_code=_code(values, "union_code", required=False),
    )


# The market-registration register (市场主体登记库) as the verification reads it.
REGISTER_COLUMNS = (
    Column("uscc", ("统一社会信用代码", "uscc", "信用代码", "credit code"), required=True),
    Column("name", ("企业名称", "name", "单位名称", "主体名称"), required=True),
    Column("status", ("登记状态", "status", "经营状态", "企业状态")),
    Column("opened_on", ("成立日期", "opened_on", "opened on", "成立时间")),
    Column("employees", ("从业人数", "employees", "职工人数", "员工人数")),
    Column("address", ("住所", "address", "地址", "注册地址")),
)


@dataclass(frozen=True)
class RegisterRecord:
    uscc: str
    uscc_check_failed: bool
    name: str
    status: str
    opened_on: date | None
    employees: int | None
    address: str
    region_code: str


def clean_register_row(values: dict[str, str], *, today: date | None = None) -> RegisterRecord:
    """One register row; the same checks as an employer row, plus the address."""
    employer = clean_employer(
        {key: value for key, value in values.items() if key != "address"}, today=today
    )
    return RegisterRecord(
        uscc=employer.uscc,
        uscc_check_failed=employer.uscc_check_failed,
        name=employer.name,
        status=employer.status,
        opened_on=employer.opened_on,
        employees=employer.employees,
        address=_text(values, "address", limit=300),
        region_code=employer.region_code,
    )
