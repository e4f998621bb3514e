"""Validation stage of the service-point import: one row in, one clean record or an error out.

Pure (no database): services.py resolves the managing unions and existing points in batches
and writes the set in one go. Kinds, amenities, statuses and grades are accepted as our codes or
as their Chinese (or English) names.
"""

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.core.tabular import Column
from gonghui.orgs.importing import RowInvalid
from gonghui.places.hours import HoursInvalid, parse_hours
from gonghui.places.models import Amenity, Grade, PointKind, PointStatus

POINT_COLUMNS = (
    Column("code", ("站点编号", "code", "编号", "站点代码"), required=True),
    Column("name", ("站点名称", "name", "名称"), required=True),
    Column("kind", ("站点类型", "kind", "类型"), required=True),
    Column("org_code", ("管理工会代码", "org_code", "工会代码", "管理单位代码"), required=True),
    Column("address", ("地址", "address", "详细地址"), required=True),
    Column("lat", ("纬度", "lat", "latitude"), required=True),
    Column("lng", ("经度", "lng", "longitude", "lon"), required=True),
    Column("region_code", ("行政区划代码", "region_code", "区划代码")),
    Column("hours", ("开放时间", "hours", "opening hours", "营业时间")),
    Column("amenities", ("设施", "amenities", "便民设施")),
    Column("services", ("服务项目", "services", "服务内容")),
    Column("contact", ("联系电话", "contact", "电话")),
    Column("status", ("状态", "status", "开放状态")),
    Column("grade", ("星级", "grade", "规范化等级", "等级")),
)

_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
_REGION_RE = re.compile(r"^[1-9]\d{5}$")
_LIST_SPLIT = re.compile(r"[,，、;；/|\n]+")
_CONTACT_RE = re.compile(r"^[0-9\-+ ()（）转]{3,40}$")
# A personal mobile number is personal data; a point's public contact is a landline or hotline.
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_EXTRA_KINDS = {
    "职工服务中心": PointKind.SERVICE_CENTRE,
    "工会服务站": PointKind.SERVICE_STATION,
    "职工之家": PointKind.WORKERS_HOME,
    "社区服务站": PointKind.COMMUNITY_STATION,
    "爱心妈咪小屋": PointKind.LACTATION_ROOM,
    "母婴室": PointKind.LACTATION_ROOM,
    "劳动者驿站": PointKind.OUTDOOR_STATION,
    "户外劳动者驿站": PointKind.OUTDOOR_STATION,
    "户外劳动者服务站点": PointKind.OUTDOOR_STATION,
    "白领驿站": PointKind.WHITE_COLLAR_STATION,
    "职工书屋": PointKind.LIBRARY,
    "职工食堂": PointKind.CANTEEN,
    "爱心餐厅": PointKind.CANTEEN,
    "劳动人民文化宫": PointKind.CULTURAL_PALACE,
    "文化宫": PointKind.CULTURAL_PALACE,
    "职工俱乐部": PointKind.CLUB,
    "疗休养院": PointKind.SANATORIUM,
    "疗养院": PointKind.SANATORIUM,
    "职工体育场馆": PointKind.SPORTS_VENUE,
    "劳动争议调解中心": PointKind.MEDIATION_CENTRE,
    "调解室": PointKind.MEDIATION_ROOM,
    "劳动争议调解室": PointKind.MEDIATION_ROOM,
}
_EXTRA_AMENITIES = {
    "饮水": Amenity.DRINKING_WATER, "饮用水": Amenity.DRINKING_WATER,
    "热水": Amenity.DRINKING_WATER,
    "微波炉": Amenity.MICROWAVE, "充电": Amenity.CHARGING, "手机充电": Amenity.CHARGING,
    "卫生间": Amenity.TOILET, "厕所": Amenity.TOILET, "座椅": Amenity.SEATS,
    "休息座椅": Amenity.SEATS, "急救药箱": Amenity.FIRST_AID, "医药箱": Amenity.FIRST_AID,
    "无线网络": Amenity.WIFI, "wifi": Amenity.WIFI, "空调": Amenity.AIR_CONDITIONING,
    "暖气": Amenity.HEATING, "取暖": Amenity.HEATING, "冰箱": Amenity.REFRIGERATOR,
    "储物柜": Amenity.LOCKERS, "书报": Amenity.BOOKS, "图书": Amenity.BOOKS,
    "无障碍": Amenity.ACCESSIBLE, "无障碍通道": Amenity.ACCESSIBLE,
}  # fmt: skip


def _labels(choices: Any) -> dict[str, Any]:
    """Code, English label and Chinese label of each choice → the choice (case-insensitive)."""
    found: dict[str, Any] = {}
    for value, label in choices.choices:
        found[str(value).casefold()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                found[str(label).casefold()] = value
    return found


@dataclass
class PointRecord:
    code: str
    name: str
    kind: str
    org_code: str
    address: str
    lat: float
    lng: float
    region_code: str = ""
    hours: dict[str, Any] = field(default_factory=dict)
    amenities: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    contact: str = ""
    status: str = PointStatus.ACTIVE
    grade: int = Grade.UNRATED

    def fields(self) -> dict[str, Any]:
        values = dict(self.__dict__)
        values.pop("org_code")
        return values


class Vocabulary:
    """The accepted names of kinds, amenities, statuses and grades, built once per import."""

    def __init__(self) -> None:
        self.kinds = _labels(PointKind) | {k.casefold(): v for k, v in _EXTRA_KINDS.items()}
        self.amenities = _labels(Amenity) | {k.casefold(): v for k, v in _EXTRA_AMENITIES.items()}
        self.statuses = _labels(PointStatus) | {
            "开放": PointStatus.ACTIVE,
            "暂停": PointStatus.SUSPENDED,
        }
        self.statuses |= {"关闭": PointStatus.CLOSED, "撤销": PointStatus.CLOSED}
        self.grades = _labels(Grade) | {str(g.value): g.value for g in Grade}
        self.grades |= {f"{'一二三四五'[n - 1]}星": n for n in range(1, 6)} | {"": Grade.UNRATED}


def _text(values: dict[str, str], name: str, limit: int, *, required: bool = False) -> str:
    value = values.get(name, "")
    if required and not value:
        raise RowInvalid(name, value, _("This field is required."))
    if len(value) > limit:
        raise RowInvalid(name, value, _("Longer than %(limit)d characters.") % {"limit": limit})
    return value


def _coordinate(values: dict[str, str], name: str, bound: int) -> float:
    raw = values.get(name, "")
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise RowInvalid(
            name, raw, _("Not a coordinate in degrees between −%(b)d and %(b)d.") % {"b": bound}
        )
    return round(number, 6)


def _choice(values: dict[str, str], name: str, known: dict[str, Any], default: Any) -> Any:
    raw = values.get(name, "")
    if not raw:
        return default
    value = known.get(raw.casefold())
    if value is None:
        raise RowInvalid(name, raw, _("Unknown value “%(value)s”.") % {"value": raw})
    return value


def clean_point(values: dict[str, str], vocabulary: Vocabulary) -> PointRecord:
    code = _text(values, "code", 32, required=True)
    if not _CODE_RE.match(code):
        raise RowInvalid("code", code, _("Use letters, digits, dot, dash or underscore."))
    org_code = _text(values, "org_code", 32, required=True)
    kind = _choice(values, "kind", vocabulary.kinds, None)
    if kind is None:
        raise RowInvalid("kind", "", _("This field is required."))
    region = values.get("region_code", "")
    if region and not _REGION_RE.match(region):
        raise RowInvalid("region_code", region, _("A region code has 6 digits."))
    try:
        hours = parse_hours(values.get("hours", ""))
    except HoursInvalid as exc:
        raise RowInvalid("hours", values.get("hours", ""), str(exc)) from None
    amenities = []
    for part in _LIST_SPLIT.split(values.get("amenities", "")):
        if part.strip():
            amenity = vocabulary.amenities.get(part.strip().casefold())
            if amenity is None:
                raise RowInvalid(
                    "amenities", part, _("Unknown amenity “%(value)s”.") % {"value": part}
                )
            amenities.append(str(amenity))
    services = [s.strip()[:100] for s in _LIST_SPLIT.split(values.get("services", "")) if s.strip()]
    contact = _text(values, "contact", 40)
    if contact and (not _CONTACT_RE.match(contact) or _MOBILE_RE.search(contact)):
        raise RowInvalid(
            "contact", contact, _("Give the point's landline or hotline, not a personal mobile.")
        )
    return PointRecord(
        code=code,
        name=_text(values, "name", 100, required=True),
        kind=str(kind),
        org_code=org_code,
        address=_text(values, "address", 200, required=True),
        lat=_coordinate(values, "lat", 90),
        lng=_coordinate(values, "lng", 180),
        region_code=region,
        hours=hours.to_json(),
        amenities=sorted(set(amenities), key=amenities.index),
        services=services[:50],
        contact=contact,
        status=str(_choice(values, "status", vocabulary.statuses, PointStatus.ACTIVE)),
        grade=int(_choice(values, "grade", vocabulary.grades, Grade.UNRATED)),
    )
