"""Legal services of the demo city, through the real services: purchased firms and their
lawyers, lawyers' groups, mediation centres and rooms with mediators, the 12351 legal duty
roster, and 18 months of consultations, legal-aid cases and dispute cases across every
classification, path and outcome; a case that goes through mediation gets the mediator of the
nearest union above it (or its own) and that mediator's centre or room. Deterministic from the
seed; a re-run adds nothing. Past cases text nobody.
"""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import Role, User
from gonghui.appeals.models import Appeal
from gonghui.core import pii
from gonghui.legal import services
from gonghui.legal.models import (
    AidCaseType,
    AidOutcome,
    ConsultationChannel,
    DutyRoster,
    DutyShift,
    LawFirm,
    Lawyer,
    LawyerTeam,
    LegalAidCase,
    Mediator,
    ResolutionPath,
    Specialty,
    Topic,
)
from gonghui.orgs.models import Employer, EmployerStatus, OrgKind, UnionOrg
from gonghui.places.demo import CITY_CENTRE, DISTRICTS
from gonghui.places.models import PointKind, PointStatus, ServicePoint
from gonghui.places.services import point_import_rows

DEFAULT_LEGAL_CASES = 80
MONTHS = 18

FIRMS = (
    ("北京市京工律师事务所", "12351 法律热线值班、劳动争议调解、法律援助", "1200000"),
    ("北京市维权律师事务所", "法律援助案件代理、集体劳动争议", "980000"),
    ("北京市和谐律师事务所", "劳动仲裁与诉讼代理、企业用工法律体检", "760000"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "丽华", "志强", "秀英", "海涛", "静", "明", "晓东", "雪梅", "伟")
QUESTIONS = {
    Topic.WAGES: "单位拖欠两个月工资，应当怎样维权？",
    Topic.CONTRACT: "入职半年未签劳动合同，能否要求二倍工资？",
    Topic.DISMISSAL: "公司以业绩不达标为由辞退我，是否合法？",
    Topic.SOCIAL_INSURANCE: "单位一直没有缴纳社会保险，怎么办？",
    Topic.INJURY: "上班途中发生交通事故，能认定工伤吗？",
    Topic.HOURS: "每天工作十二小时，加班费怎么计算？",
    Topic.OTHER: "劳务派遣工与正式工同工不同酬，怎么办？",
}
ANSWER = "根据《劳动合同法》及相关规定，建议先与单位协商；协商不成可申请调解或劳动仲裁。"
# (type, subtype, claim type, outcome plan) — every path and every outcome appears; most
# contested cases end in a successful mediation, as in the seed (81 000 of 116 000).
PLANS = (
    ("rights", "contested", "wages", "mediated"),
    ("rights", "contested", "overtime", "mediated"),
    ("rights", "contested", "severance", "mediated"),
    ("rights", "contested", "wages", "mediated"),
    ("rights", "contested", "injury", "mediated"),
    ("rights", "contested", "wages", "mediated_unperformed"),
    ("rights", "contested", "severance", "negotiated"),
    ("rights", "contested", "overtime", "arbitration_award"),
    ("rights", "contested", "injury", "litigation"),
    ("rights", "contested", "wages", "withdrawn"),
    ("rights", "contested", "wages", "open_mediation"),
    ("rights", "contested", "severance", "open_arbitration"),
    ("rights", "illegal", "social_insurance", "corrected"),
    ("rights", "illegal", "wages", "referred"),
    ("interest", "", "pay_rise", "settled"),
    ("interest", "", "pay_rise", "open"),
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(n: int) -> str:
    return f"1390{n:07d}"


def _at(day: date, rng: random.Random) -> datetime:
    clock = time(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
    return timezone.make_aware(datetime.combine(day, clock))


def _providers(city: UnionOrg, districts: list[UnionOrg], streets: list[UnionOrg], today: date,
               rng: random.Random, password: str | None
               ) -> tuple[list[Lawyer], dict[str, Mediator]]:  # fmt: skip
    """The firms and their lawyers, the lawyers' groups, the mediators (each at their union's
    centre or room) and the duty roster; returns the lawyers and the mediators by union path."""
    lawyers: list[Lawyer] = []
    specialties = list(Specialty.values)
    for index, (name, scope, value) in enumerate(FIRMS):
        firm = LawFirm.objects.create(
            name=name,
            org=city,
            contract_start=date(today.year, 1, 1),
            contract_end=date(today.year, 12, 31),
            service_scope=scope,
            contract_value=Decimal(value),
        )
        for n in range(6):
            number = index * 10 + n + 1
            lawyers.append(
                Lawyer.objects.create(
                    firm=firm,
                    name=_name(rng),
                    licence_number=f"11101{2000 + number:011d}",
                    specialties=rng.sample(specialties, 2),
                    phone=pii.encrypt(_phone(number)),
                    phone_masked=pii.mask_phone(_phone(number)),
                )
            )
    # One lawyer may log in (role lawyer): they see only the cases assigned to them.
    login = User.objects.filter(username="lawyer").first()
    if login is None:
        login = User(username="lawyer", role=Role.LAWYER, scope_org=city, last_name="法律顾问")
        if password:
            login.set_password(password)
        else:
            login.set_unusable_password()
        login.save()
    lawyers[0].user = login
    lawyers[0].save(update_fields=["user"])
    city_team = LawyerTeam.objects.create(org=city, name="北京市总工会职工维权律师团")
    city_team.lawyers.add(*lawyers[:6])
    for i, district in enumerate(districts):
        team = LawyerTeam.objects.create(org=district, name=f"{district.name}律师团")
        team.lawyers.add(*[lawyers[(i * 3 + k) % len(lawyers)] for k in range(4)])
    points = _mediation_points(city, districts, streets[:30])
    mediators: dict[str, Mediator] = {}
    for org in [city, *districts, *streets[:30]]:
        place = _checked(points.get(org.pk), org)
        mediators[org.path] = Mediator.objects.create(org=org, place=place, name=_name(rng))
    for offset in range(14):
        day = today + timedelta(days=offset)
        for shift, lawyer in zip((DutyShift.MORNING, DutyShift.AFTERNOON),
                                 rng.sample(lawyers, 2), strict=True):  # fmt: skip
            DutyRoster.objects.create(lawyer=lawyer, day=day, shift=shift)
    return lawyers, mediators


def _checked(place: ServicePoint | None, org: UnionOrg) -> ServicePoint | None:
    """The place if a mediator of `org` may sit there (the admin form's check), else none."""
    if place is None:
        return None
    try:
        services.mediation_place_check(place=place, org=org)
    except ValidationError:
        return None
    return place


def _mediator_for(org: UnionOrg, mediators: dict[str, Mediator]) -> Mediator | None:
    """The mediator of `org` or of the nearest union above it that has a centre or room."""
    for length in range(len(org.path), 0, -UnionOrg.steplen):
        mediator = mediators.get(org.path[:length])
        if mediator is not None and mediator.place is not None:
            return mediator
    return None


_MEDIATION_HOURS = "周一至周五 09:00-17:00；节假日 休息"


def _mediation_points(city: UnionOrg, districts: list[UnionOrg],
                      streets: list[UnionOrg]) -> dict[int, ServicePoint]:  # fmt: skip
    """The city's and the districts' mediation centres and the streets' mediation rooms: service
    points, made through the places import (as the places demo's). A street that has a mediation
    room already (the places demo's, not closed down) keeps it; a point whose code exists is left
    as it is."""
    rooms: dict[int, ServicePoint] = {}
    kept = ServicePoint.objects.filter(kind=PointKind.MEDIATION_ROOM, org__in=streets)
    for room in kept.exclude(status=PointStatus.CLOSED).order_by("pk"):
        rooms.setdefault(room.org_id, room)
    district_of = {d.path: d for d in districts}
    rows: list[dict[str, str]] = []

    def add(org: UnionOrg, kind: str, name: str, region: str, address: str = "") -> None:
        district_name, lat, lng, _spread = DISTRICTS.get(region, ("", *CITY_CENTRE, 0.0))
        address = org.address or address or f"北京市{district_name}{name}"
        if kind == PointKind.MEDIATION_ROOM:  # a street lies within ~2 km of its district's centre
            jitter = random.Random(org.code)
            lat, lng = lat + jitter.uniform(-0.02, 0.02), lng + jitter.uniform(-0.02, 0.02)
        rows.append({
            "code": f"{'MC' if kind == PointKind.MEDIATION_CENTRE else 'MR'}-{org.code}",
            "name": name, "kind": str(kind), "org_code": org.code, "region_code": region,
            "address": address, "lat": f"{lat:.6f}",
            "lng": f"{lng:.6f}", "hours": _MEDIATION_HOURS, "amenities": "饮水、座椅",
            "services": "劳动争议调解、法律咨询",
        })  # fmt: skip

    add(city, PointKind.MEDIATION_CENTRE, "北京市劳动争议调解中心", "110101", "北京市东城区")
    for district in districts:
        add(district, PointKind.MEDIATION_CENTRE, f"{district.name}劳动争议调解中心",
            district.code if district.code in DISTRICTS else district.region_code)  # fmt: skip
    for street in streets:
        if street.pk not in rooms:
            district = district_of.get(street.path[: -UnionOrg.steplen])
            region = district.code if district and district.code in DISTRICTS else ""
            add(street, PointKind.MEDIATION_ROOM, f"{street.name}调解室", region)
    result = point_import_rows(
        rows=[(n, row, list(row.values())) for n, row in enumerate(rows, start=2)],
        scope_org=city,
    )
    if result.errors:
        raise ValueError(f"mediation points refused: {result.errors[:3]}")
    made = {p.org_id: p for p in ServicePoint.objects.filter(code__in=[r["code"] for r in rows])}
    return made | rooms


def load_legal(
    *,
    count: int = DEFAULT_LEGAL_CASES,
    seed: int,
    today: date,
    password: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Load the legal services; returns the number of dispute cases made (0 when loaded)."""
    if LawFirm.objects.filter(name=FIRMS[0][0]).exists() or count == 0:
        return 0
    admin = User.objects.filter(username="city_admin").first()
    city = admin.scope_org if admin else UnionOrg.objects.get_root_nodes().first()
    if city is None:
        return 0
    rng = random.Random(seed)
    districts = list(UnionOrg.objects.filter(path__startswith=city.path, kind=OrgKind.DISTRICT))
    streets = list(UnionOrg.objects.filter(path__startswith=city.path, kind=OrgKind.STREET))
    communities = list(
        UnionOrg.objects.filter(path__startswith=city.path, kind=OrgKind.COMMUNITY)[:200]
    ) or districts or [city]  # fmt: skip
    employers = list(
        Employer.objects.filter(org__path__startswith=city.path, status=EmployerStatus.OPERATING)
        .select_related("org")
        .order_by("uscc")[:400]
    )
    appeals = list(Appeal.objects.order_by("pk")[:40])
    with transaction.atomic():
        lawyers, mediators = _providers(city, districts, streets, today, rng, password)
    start = today - timedelta(days=30 * MONTHS)
    span = (today - start).days
    made = 0
    for n in range(count):
        with transaction.atomic():
            _one_round(n, rng, today, start, span, communities, employers, appeals, lawyers,
                       mediators)  # fmt: skip
        made += 1
        if progress is not None:
            progress(made)
    return made


def _one_round(n: int, rng: random.Random, today: date, start: date, span: int,
               communities: list[UnionOrg], employers: list[Employer], appeals: list[Appeal],
               lawyers: list[Lawyer], mediators: dict[str, Mediator]) -> None:  # fmt: skip
    """One dispute case, two consultations and (every third round) a legal-aid case."""
    day = start + timedelta(days=rng.randrange(span - 30)) if n >= len(PLANS) * 2 else (
        today - timedelta(days=rng.randint(5, 40))
    )  # fmt: skip
    org = rng.choice(communities)
    lawyer = lawyers[n % len(lawyers)]
    for k in range(2):
        topic = rng.choice(list(QUESTIONS))
        appeal = appeals[(2 * n + k) % len(appeals)] if appeals and (n + k) % 5 == 0 else None
        when = _at(day - timedelta(days=rng.randint(0, 20)), rng)
        services.consultation_create(
            org=appeal.org if appeal else org,
            channel=ConsultationChannel.APPEAL if appeal else rng.choice(
                [ConsultationChannel.HOTLINE, ConsultationChannel.WALK_IN,
                 ConsultationChannel.PORTAL]),
            topic=topic,
            question=QUESTIONS[topic],
            name=_name(rng),
            phone=_phone(100_000 + 2 * n + k),
            answer=ANSWER if (n + k) % 4 else "",
            duration_minutes=rng.randint(5, 40),
            lawyer=lawyer if (n + k) % 4 else None,
            appeal=appeal,
            created_at=when,
        )  # fmt: skip
    if n % 3 == 0:
        _aid(n, rng, org, day, lawyer)
    _dispute(n, rng, org, day, today, employers, lawyer, mediators)


def _aid(n: int, rng: random.Random, org: UnionOrg, day: date, lawyer: Lawyer) -> None:
    case = services.aid_apply(
        org=org,
        name=_name(rng),
        phone=_phone(300_000 + n),
        case_type=rng.choice([AidCaseType.WAGES, AidCaseType.INJURY, AidCaseType.DISMISSAL,
                              AidCaseType.CRIMINAL]),
        summary="申请法律援助：" + rng.choice(list(QUESTIONS.values())),
        hardship=n % 2 == 0,
        amount_claimed=str(rng.randint(5, 80) * 1000),
        created_at=_at(day, rng),
    )  # fmt: skip
    stage = n % 5
    if stage == 0:
        return
    LegalAidCase.objects.filter(pk=case.pk).update(
        status="approved" if case.eligible else "rejected",
        review_note="" if case.eligible else "不符合援助条件",
        reviewed_at=case.created_at + timedelta(days=2),
    )
    if not case.eligible or stage == 1:
        return
    fields: dict[str, Any] = {"lawyer": lawyer, "status": "assigned"}
    if stage >= 3:
        fields |= {"status": "handling", "handling_note": "已代理申请劳动仲裁"}
    if stage == 4:
        outcome = rng.choice(list(AidOutcome.values))
        fields |= {
            "status": "closed",
            "outcome": outcome,
            "amount_recovered": case.amount_claimed if outcome == "won" else Decimal(0),
            "closed_at": case.created_at + timedelta(days=40),
        }
    LegalAidCase.objects.filter(pk=case.pk).update(**fields)


def _dispute(n: int, rng: random.Random, org: UnionOrg, day: date, today: date,
             employers: list[Employer], lawyer: Lawyer,
             mediators: dict[str, Mediator]) -> None:  # fmt: skip
    dispute_type, subtype, claim, plan = PLANS[n % len(PLANS)]
    employer = employers[n % len(employers)] if employers else None
    workers = rng.choice([1, 1, 1, 2, 3, 5, 12, 30]) if dispute_type == "rights" else 40
    created = _at(day, rng)
    amount = Decimal(rng.randint(3, 60) * 1000 * min(workers, 10))
    case = services.dispute_create(
        user=None,
        org=employer.org if employer and n % 2 else org,
        dispute_type=dispute_type,
        rights_subtype=subtype,
        summary=f"{workers}名职工反映：" + rng.choice(list(QUESTIONS.values())),
        employer_name=employer.name if employer else "某建筑劳务公司",
        workers_involved=workers,
        claims=[{"type": claim, "amount": str(amount)}],
        workers=[{"name": _name(rng), "phone": _phone(500_000 + n * 5 + k)}
                 for k in range(min(workers, 5))],
        knew_on=day - timedelta(days=rng.randint(10, 120)),
        created_at=created,
        notify=False,
    )  # fmt: skip
    case.lawyers.add(lawyer)
    step_day = min(day + timedelta(days=3), today)

    def step(path: str, outcome: str, offset: int = 0) -> None:
        mediator = _mediator_for(case.org, mediators) if path == ResolutionPath.MEDIATION else None
        if mediator is not None:  # through the service: the same branch and kind checks
            services.dispute_mediation_assign(
                user=None, case=case, mediator=mediator, place=mediator.place
            )
        services.dispute_step_add(
            user=None, case=case, path=path, on=min(step_day + timedelta(days=offset), today),
            outcome=outcome, who=mediator.name if mediator else lawyer.name,
        )  # fmt: skip

    def close(outcome: str, **amounts: Any) -> None:
        services.dispute_close(user=None, case=case, outcome=outcome, **amounts)

    if plan.startswith("mediated"):
        step("mediation", "succeeded")
        close("mediated", amount_agreed=amount * Decimal("0.8"),
              amount_recovered=amount * Decimal("0.8") if plan == "mediated" else 0,
              performed=plan == "mediated")  # fmt: skip
    elif plan == "negotiated":
        step("negotiation", "succeeded")
        close("settled", amount_agreed=amount * Decimal("0.6"),
              amount_recovered=amount * Decimal("0.6"))  # fmt: skip
    elif plan == "arbitration_award":
        step("mediation", "failed")
        step("arbitration", "succeeded", 16)
        close("awarded", amount_recovered=amount)
    elif plan == "litigation":
        step("mediation", "failed")
        step("arbitration", "failed", 16)
        step("litigation", "ongoing", 60)
    elif plan == "withdrawn":
        step("negotiation", "ongoing")
        close("withdrawn")
    elif plan == "open_mediation":
        step("mediation", "ongoing")
    elif plan == "open_arbitration":
        step("mediation", "failed")
        step("arbitration", "ongoing", 16)
    elif plan == "corrected":
        step("administrative_supervision", "succeeded")
        close("corrected", amount_recovered=amount)
    elif plan == "referred":
        step("administrative_supervision", "ongoing")
        close("referred")
    elif plan == "settled":
        step("collective_negotiation", "succeeded")
        close("settled")
    elif plan == "open":
        step("collective_negotiation", "ongoing")
