"""Demo service network for Beijing: centres, stations and free facilities, through the import.

Deterministic from the seed. Points are placed around the centre of each of Beijing's 16
districts (REFERENCE.md) that exists in the org tree, managed by that district's federation
(centres) or one of its streets (stations). They go through the service-point import
(`point_import_rows`), so a re-run updates nothing and creates nothing; a street that has a
mediation room already (gonghui.legal.demo makes streets' rooms) gets no second one. Free
facilities get venues with time slots over the next two weeks and a few bookings by members
(once: a re-run on the same day adds nothing).
"""

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.importing import ImportResult, Record
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import OrgKind, UnionOrg
from gonghui.places.models import Booking, PointKind, ServicePoint, Venue, VenueSlot
from gonghui.places.services import (
    BookingRefused,
    SlotPlan,
    booking_create,
    point_import_rows,
    slots_create,
)

CITY_CODE = "110000"
CITY_CENTRE = (39.904, 116.407)
DEFAULT_POINTS = 320
# District code → (name, centre latitude, longitude, spread in degrees around it).
DISTRICTS: dict[str, tuple[str, float, float, float]] = {
    "110101": ("东城区", 39.9288, 116.4160, 0.02),
    "110102": ("西城区", 39.9123, 116.3660, 0.02),
    "110105": ("朝阳区", 39.9219, 116.4436, 0.06),
    "110106": ("丰台区", 39.8585, 116.2870, 0.05),
    "110107": ("石景山区", 39.9056, 116.2229, 0.03),
    "110108": ("海淀区", 39.9593, 116.2981, 0.06),
    "110109": ("门头沟区", 39.9405, 116.1020, 0.05),
    "110111": ("房山区", 39.7355, 116.1430, 0.07),
    "110112": ("通州区", 39.9097, 116.6566, 0.06),
    "110113": ("顺义区", 40.1302, 116.6545, 0.06),
    "110114": ("昌平区", 40.2207, 116.2312, 0.07),
    "110115": ("大兴区", 39.7269, 116.3410, 0.07),
    "110116": ("怀柔区", 40.3160, 116.6316, 0.06),
    "110117": ("平谷区", 40.1406, 117.1210, 0.05),
    "110118": ("密云区", 40.3766, 116.8430, 0.06),
    "110119": ("延庆区", 40.4654, 115.9750, 0.06),
}
_OFFICE_HOURS = "周一至周五 08:30-17:30；节假日 休息"


@dataclass(frozen=True)
class _Station:
    weight: int
    suffix: str
    hours: tuple[str, ...]
    amenities: str
    services: str


_STATIONS: dict[str, _Station] = {
    PointKind.SERVICE_STATION: _Station(
        14, "街道职工服务站", (_OFFICE_HOURS,), "饮水、座椅、无线网络",
        "法律咨询、困难帮扶、入会办理",
    ),
    PointKind.WORKERS_HOME: _Station(
        10, "职工之家", ("周一至周五 09:00-18:00；周六 09:00-12:00；节假日 休息",),
        "饮水、书报、空调", "文体活动、职工培训",
    ),
    PointKind.COMMUNITY_STATION: _Station(
        10, "社区工会服务站", ("周一至周五 08:30-17:00；节假日 休息",), "饮水、座椅",
        "入会办理、政策咨询",
    ),
    PointKind.LACTATION_ROOM: _Station(
        10, "爱心妈咪小屋", ("周一至周五 08:00-18:00；节假日 休息",), "冰箱、座椅、空调",
        "哺乳、母婴护理咨询",
    ),
    # Outdoor workers (sanitation, couriers, drivers) work around the clock: most stations never
    # close, some serve the night shift only.
    PointKind.OUTDOOR_STATION: _Station(
        22, "劳动者驿站", ("24h", "24h", "每天 06:00-22:00", "每天 20:00-08:00"),
        "饮水、微波炉、充电、卫生间、座椅、急救药箱", "休息、饮水热饭、手机充电",
    ),
    PointKind.WHITE_COLLAR_STATION: _Station(
        6, "白领驿站", ("周一至周五 11:30-13:30,17:30-22:00",), "饮水、无线网络、座椅",
        "心理疏导、婚恋交友、职业讲座",
    ),
    PointKind.LIBRARY: _Station(
        8, "职工书屋", ("周二至周日 09:00-21:00",), "书报、无线网络、空调", "阅读、电子书借阅"
    ),
    PointKind.CANTEEN: _Station(
        6, "职工爱心餐厅", ("每天 06:30-09:00,11:00-13:30,17:00-19:30",), "饮水、卫生间",
        "优惠餐食",
    ),
    PointKind.MEDIATION_ROOM: _Station(
        4, "劳动争议调解室", ("周一至周五 09:00-17:00；节假日 休息",), "座椅",
        "劳动争议调解、法律援助",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class _Facility:
    district: str
    name: str
    kind: str
    at: tuple[float, float]
    venues: tuple[str, ...]


_FACILITIES = (
    _Facility("110101", "北京市劳动人民文化宫", PointKind.CULTURAL_PALACE, (39.9097, 116.3977),
              ("多功能厅", "书法教室", "舞蹈室")),
    _Facility("110105", "朝阳区职工俱乐部", PointKind.CLUB, (39.9240, 116.4600),
              ("羽毛球馆", "乒乓球室")),
    _Facility("110108", "海淀区职工体育中心", PointKind.SPORTS_VENUE, (39.9620, 116.3050),
              ("篮球场", "游泳馆", "健身房")),
    _Facility("110106", "丰台区工人文化宫", PointKind.CULTURAL_PALACE, (39.8600, 116.2880),
              ("剧场", "培训教室")),
    _Facility("110114", "北京职工疗养院", PointKind.SANATORIUM, (40.2300, 116.2100),
              ("疗休养房间",)),
    _Facility("110116", "怀柔区职工疗休养基地", PointKind.SANATORIUM, (40.3300, 116.6200),
              ("疗休养房间",)),
    _Facility("110112", "通州区职工之家活动中心", PointKind.CLUB, (39.9100, 116.6600),
              ("羽毛球馆", "阅览室")),
)  # fmt: skip
_FACILITY_HOURS = "每天 09:00-21:00；节假日 照常"
_SLOT_TIMES = ((time(9), time(11)), (time(14), time(16)), (time(19), time(21)))
_STREET_NAMES = "东西南北中新和安平兴华光明"


def _jitter(rng: random.Random, centre: tuple[float, float], spread: float) -> tuple[float, float]:
    return (
        round(centre[0] + rng.uniform(-spread, spread), 6),
        round(centre[1] + rng.uniform(-spread, spread) * 1.3, 6),
    )


def demo_point_rows(*, seed: int, count: int) -> list[dict[str, str]]:
    """The rows of an import file for the districts and streets present in the org tree."""
    rng = random.Random(seed)
    district_orgs = {o.code: o for o in UnionOrg.objects.filter(code__in=DISTRICTS)}
    streets: dict[str, list[str]] = {}
    for code, district in district_orgs.items():
        streets[code] = list(
            UnionOrg.objects.filter(path__startswith=district.path, kind=OrgKind.STREET)
            .order_by("code")
            .values_list("code", flat=True)
        ) or [code]
    rows: list[dict[str, str]] = []

    def add(
        code: str,
        name: str,
        kind: str,
        org: str,
        region: str,
        at: tuple[float, float],
        hours: str,
        amenities: str = "",
        services: str = "",
        grade: int = 0,
    ) -> None:
        rows.append({
            "code": code, "name": name, "kind": str(kind), "org_code": org, "region_code": region,
            "address": f"北京市{DISTRICTS.get(region, ('',))[0]}{name}", "lat": str(at[0]),
            "lng": str(at[1]), "hours": hours, "amenities": amenities, "services": services,
            "contact": f"010-{6500_0000 + len(rows):08d}", "grade": str(grade),
        })  # fmt: skip

    if UnionOrg.objects.filter(code=CITY_CODE).exists():
        add("BJ-000-000", "北京市职工服务中心", PointKind.SERVICE_CENTRE, CITY_CODE, "110101",
            CITY_CENTRE, "周一至周五 08:30-17:30；周六 09:00-12:00；节假日 休息",
            "饮水、卫生间、无障碍、无线网络", "法律援助、困难帮扶、入会办理", 5)  # fmt: skip
    for code in sorted(district_orgs):
        name, lat, lng, _spread = DISTRICTS[code]
        add(f"BJ-{code[-3:]}-000", f"{name}职工服务中心", PointKind.SERVICE_CENTRE, code, code,
            (lat, lng), "周一至周五 08:30-17:30；节假日 休息", "饮水、卫生间、无障碍",
            "法律援助、困难帮扶、入会办理", 4)  # fmt: skip
    for index, facility in enumerate(_FACILITIES):
        if facility.district in district_orgs:
            code = f"BJ-{facility.district[-3:]}-F{index:02d}"
            add(code, facility.name, facility.kind, facility.district, facility.district,
                facility.at, _FACILITY_HOURS, "饮水、卫生间、空调", "文体活动", 5)  # fmt: skip
    codes = sorted(district_orgs)
    if not codes:
        return rows
    kinds = list(_STATIONS)
    weights = [spec.weight for spec in _STATIONS.values()]
    for n in range(count):
        district = codes[n % len(codes)]
        dname, lat, lng, spread = DISTRICTS[district]
        kind = rng.choices(kinds, weights)[0]
        spec = _STATIONS[kind]
        street = rng.choice(streets[district])
        label = f"{dname[:-1]}{rng.choice(_STREET_NAMES)}{rng.randint(1, 30)}号{spec.suffix}"
        add(f"BJ-{district[-3:]}-{n:04d}", label, kind, street, district,
            _jitter(rng, (lat, lng), spread), rng.choice(spec.hours), spec.amenities,
            spec.services, rng.choice((0, 1, 2, 3)))  # fmt: skip
    # A street whose mediation room exists already (the legal demo's, with its mediator) gets
    # no second one; the other rows stay as they are.
    rooms: dict[str, set[str]] = {}
    existing = ServicePoint.objects.filter(kind=PointKind.MEDIATION_ROOM)
    for org_code, code in existing.values_list("org__code", "code"):
        rooms.setdefault(org_code, set()).add(code)
    return [
        row
        for row in rows
        if row["kind"] != PointKind.MEDIATION_ROOM
        or row["code"] in rooms.get(row["org_code"], {row["code"]})
    ]


def _records(rows: list[dict[str, str]]) -> list[Record]:
    return [(n, row, list(row.values())) for n, row in enumerate(rows, start=2)]


def load_places(*, seed: int, count: int = DEFAULT_POINTS, today: date) -> ImportResult:
    """Import the demo points, then venues, two weeks of slots and some bookings."""
    city = UnionOrg.objects.filter(code=CITY_CODE).first()
    if city is None:
        return ImportResult()
    result = point_import_rows(
        rows=_records(demo_point_rows(seed=seed, count=count)), scope_org=city
    )
    admin = User.objects.filter(scope_org=city, is_active=True, role="federation_admin").first()
    if admin is None:
        return result
    with transaction.atomic():
        _venues(admin, today)
        _bookings(seed, today)
    return result


def _venues(admin: User, today: date) -> None:
    facilities = ServicePoint.objects.filter(code__startswith="BJ-", code__contains="-F")
    by_name = {facility.name: facility for facility in _FACILITIES}
    for point in facilities.order_by("code"):
        facility = by_name.get(point.name)
        for venue_name in facility.venues if facility else ():
            venue, _created = Venue.objects.get_or_create(
                point=point, name=venue_name,
                defaults={"description": "会员免费开放", "member_limit": 2, "cancel_hours": 2},
            )  # fmt: skip
            capacity = 8 if point.kind == PointKind.SANATORIUM else 20
            for start, end in _SLOT_TIMES:
                slots_create(user=admin, venue=venue, plan=SlotPlan(
                    first_day=today + timedelta(days=1), last_day=today + timedelta(days=14),
                    weekdays=frozenset(range(7)), start=start, end=end, capacity=capacity,
                ))  # fmt: skip


def _bookings(seed: int, today: date) -> None:
    if Booking.objects.filter(slot__venue__point__code__startswith="BJ-").exists():
        return
    rng = random.Random(seed + 7)
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .exclude(phone_index="")
        .order_by("pk")[:60]
    )
    slots = list(VenueSlot.objects.filter(venue__point__code__startswith="BJ-").order_by("pk"))
    if not members or not slots:
        return
    for member in members:
        for slot in rng.sample(slots, min(2, len(slots))):
            try:
                booking_create(member=member, slot_id=slot.pk)
            except BookingRefused:
                continue
