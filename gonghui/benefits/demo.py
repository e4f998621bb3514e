"""Benefits of the demo city, through the real services: segments, service items (some on the
card), 职业发展助推计划 with applications in every state and two payment batches, purchased
projects with their sessions, and events with sign-ups, a waiting list and attendance.

Deterministic from the seed; nothing is created when the programme exists already (a re-run
changes nothing). Demo decisions and sign-ups send no SMS.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.models import (
    Event,
    EventKind,
    EventSignup,
    MemberProfile,
    SignupStatus,
    SubsidyChannel,
)
from gonghui.benefits.occupations import LISTED_OCCUPATIONS
from gonghui.benefits.services.catalogue import item_save, segment_save
from gonghui.benefits.services.events import event_save
from gonghui.benefits.services.projects import project_create, session_add, social_org_create
from gonghui.benefits.services.subsidies import (
    DuplicateCertificate,
    batch_create,
    batch_mark_paid,
    occupations_seed,
    programme_save,
    subsidy_apply,
    subsidy_decide,
)
from gonghui.core.validators import USCC_CHARSET, uscc_check_char
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import OrgKind, UnionOrg

PROGRAMME_CODE = "ZYFZ"
DEFAULT_APPLICATIONS = 80
PROFILE_SAMPLE = 50_000  # members looked at for the segment flags (the first by id)

SEGMENTS = {
    "户外劳动者": {"outdoor_worker": True},
    "“三高”职工": {"high_skill": True},
    "女职工": {"gender": "female"},
    "青年职工（18–35岁）": {"age_min": 18, "age_max": 35},
    "困难职工": {"hardship": True},
    "建筑业与交通运输业职工": {"industries": ["E", "G"]},
}

# name, category, provider kind, provider name, segment, on the card, how to use
ITEMS = (
    (
        "京卡·互助保障（住院津贴）",
        "mutual_aid",
        "union",
        "北京市总工会职工互助保障会",
        None,
        True,
        "住院出院后30日内持京卡和出院小结到所属工会申请。",
    ),
    (
        "职工法律援助",
        "legal",
        "union",
        "12351职工服务热线",
        None,
        True,
        "拨打12351或到区职工服务中心预约律师。",
    ),
    (
        "劳动争议调解",
        "legal",
        "union",
        "区劳动争议调解中心",
        None,
        True,
        "到区职工服务中心登记，调解员10个工作日内联系。",
    ),
    (
        "年度职工健康体检",
        "health",
        "merchant",
        "爱康国宾",
        None,
        True,
        "每年一次，凭京卡在小程序预约。",
    ),
    (
        "EAP心理咨询（每年6次）",
        "counselling",
        "social_org",
        "阳光心理社工事务所",
        None,
        True,
        "拨打心理咨询热线预约，首次咨询免费。",
    ),
    (
        "劳动者港湾热饭休息",
        "canteen",
        "union",
        "劳动者港湾",
        "户外劳动者",
        True,
        "到任一劳动者港湾出示京卡，可饮水、热饭、充电、休息。",
    ),
    (
        "白领午餐补贴",
        "canteen",
        "merchant",
        "东华门职工食堂",
        "“三高”职工",
        False,
        "工作日午餐凭京卡每餐减免5元。",
    ),
    (
        "爱心妈咪小屋",
        "women_childcare",
        "union",
        "各级职工服务中心",
        "女职工",
        True,
        "在服务点地图查找最近的爱心妈咪小屋，凭京卡使用。",
    ),
    (
        "职工子女暑期托管班",
        "women_childcare",
        "union",
        "区总工会",
        None,
        False,
        "每年6月在工会App报名，名额有限。",
    ),
    (
        "青年职工交友联谊",
        "matchmaking",
        "union",
        "团市委与市总工会",
        "青年职工（18–35岁）",
        False,
        "关注活动报名，凭京卡参加。",
    ),
    (
        "新就业形态劳动者保障性租赁住房",
        "housing",
        "union",
        "市保障房中心",
        "户外劳动者",
        False,
        "到区职工服务中心咨询申请条件。",
    ),
    (
        "职工疗休养",
        "recuperation",
        "union",
        "北京职工疗养院",
        None,
        False,
        "劳模和一线职工由所属工会推荐，每年分批安排。",
    ),
    (
        "职工书屋与电子阅读",
        "reading",
        "union",
        "职工书屋",
        None,
        True,
        "登录工会App阅读电子书，或到职工书屋借阅。",
    ),
    (
        "劳动人民文化宫免费开放",
        "culture_sport",
        "union",
        "北京市劳动人民文化宫",
        None,
        True,
        "凭京卡免费入园，每日9:00–17:00。",
    ),
    (
        "职工健身卡",
        "culture_sport",
        "merchant",
        "合作健身场馆",
        None,
        False,
        "凭京卡在合作场馆享受会员价。",
    ),
    (
        "技能提升培训补贴",
        "training",
        "union",
        "职工大学",
        None,
        False,
        "参加职业技能培训并取得证书后申请。",
    ),
    (
        "困难职工帮扶",
        "mutual_aid",
        "union",
        "区总工会帮扶中心",
        "困难职工",
        False,
        "由所属工会建档后申请生活、医疗、助学帮扶。",
    ),
    (
        "京卡商户优惠",
        "discounts",
        "merchant",
        "京卡合作商户",
        None,
        True,
        "在合作商户结账时出示京卡享受折扣。",
    ),
)

ORGANISATIONS = (
    ("北京阳光心理社工事务所", "心理关爱"),
    ("北京同心家园社会工作服务中心", "困难职工帮扶"),
    ("北京法苑职工法律服务中心", "法律服务进园区"),
    ("北京乐活体育文化发展中心", "职工健步走"),
    ("北京暖心妈咪社会服务中心", "女职工关爱"),
    ("北京新业态劳动者服务中心", "快递外卖骑手关爱"),
)

EVENTS = (
    (EventKind.LECTURE, "职工维权法律知识讲座", "东城区职工服务中心多功能厅", 60, None),
    (EventKind.HEALTH_CHECK, "女职工两癌筛查", "东华门社区卫生服务中心", 40, "女职工"),
    (EventKind.MATCHMAKING, "青年职工联谊会", "北京市劳动人民文化宫", 30, "青年职工（18–35岁）"),
    (EventKind.SKILLS_CONTEST, "焊工技能比武", "北京工业技师学院实训楼", 24, None),
    (
        EventKind.LABOUR_CONTEST,
        "重点工程劳动竞赛启动会",
        "东城区总工会报告厅",
        80,
        "建筑业与交通运输业职工",
    ),
    (EventKind.SPORTS, "职工健步走", "天坛公园东门", 200, None),
    (EventKind.LECTURE, "心理健康与压力管理讲座", "东华门街道职工之家", 8, None),
)


def _uscc(rng: random.Random) -> str:
    body = "52110101" + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_char(body)


@transaction.atomic
def load_benefits(*, count: int = DEFAULT_APPLICATIONS, seed: int, today: date) -> int:
    """Load the benefits of the demo city; the number of subsidy applications filed. Nothing
    when the demo's programme exists already, or for `count=0` (no benefits demo at all)."""
    from gonghui.benefits.models import SubsidyProgramme

    if count == 0 or SubsidyProgramme.objects.filter(code=PROGRAMME_CODE).exists():
        return 0
    admin = User.objects.get(username="city_admin")
    city = admin.scope_org
    assert city is not None
    rng = random.Random(seed)
    _profiles(rng)
    segments = {
        name: segment_save(org=city, name=name, rules=rules) for name, rules in SEGMENTS.items()
    }
    _items(city, segments)
    filed = _subsidies(rng, city, admin, count=count, today=today)
    _projects(rng, city, segments, today=today)
    _events(rng, city, segments)
    return filed


def _profiles(rng: random.Random) -> None:
    """Flag a deterministic share of members: outdoor work in construction, transport and
    catering; 三高 in IT, finance and research; hardship anywhere."""
    members = Member.objects.filter(status=MemberStatus.ACTIVE).order_by("pk")
    rows = list(members.values_list("pk", "employer__industry")[:PROFILE_SAMPLE])
    profiles = []
    for pk, industry in rows:
        outdoor = industry in ("E", "G", "H") and rng.random() < 0.5
        high = industry in ("I", "J", "M") and rng.random() < 0.4
        hardship = rng.random() < 0.03
        if outdoor or high or hardship:
            profiles.append(
                MemberProfile(
                    member_id=pk, outdoor_worker=outdoor, high_skill=high, hardship=hardship
                )
            )
    MemberProfile.objects.bulk_create(profiles, ignore_conflicts=True)


def _items(city: UnionOrg, segments: dict) -> None:  # type: ignore[type-arg]
    for name, category, kind, provider, segment, on_card, how in ITEMS:
        item_save(
            org=city, name=name, category=category, provider_kind=kind, provider_name=provider,
            segment=segments[segment] if segment else None, how_to_use=how, on_card=on_card,
        )  # fmt: skip
    for district in UnionOrg.objects.filter(
        path__startswith=city.path, kind=OrgKind.DISTRICT
    ).order_by("code")[:4]:
        short = district.name.removesuffix("总工会")
        item_save(org=district, name=f"{short}职工服务中心法律咨询", category="legal",
                  provider_kind="union", provider_name=f"{short}职工服务中心",
                  how_to_use="工作日到中心窗口咨询，或拨打12351转接。", on_card=True)  # fmt: skip


def _subsidies(rng: random.Random, city: UnionOrg, admin: User, *, count: int, today: date) -> int:
    occupations_seed()
    programme = programme_save(
        org=city,
        code=PROGRAMME_CODE,
        name="职业发展助推计划",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        budget=Decimal("500000"),
        levels={1: Decimal(2000), 2: Decimal(1000)},
        min_member_months=6,
        occupation_codes=[code for code, _name in LISTED_OCCUPATIONS],
    )
    if today < programme.starts_on:
        return 0
    joined_before = today - timedelta(days=200)
    candidates = list(
        Member.objects.filter(
            status=MemberStatus.ACTIVE,
            joined_on__lte=joined_before,
            org__path__startswith=city.path,
        )
        .select_related("org")
        .order_by("pk")[: count * 3]
    )
    rng.shuffle(candidates)
    codes = [code for code, _name in LISTED_OCCUPATIONS]
    filed = []
    for n, member in enumerate(candidates[:count]):
        level = rng.choices([1, 2, 3], weights=[35, 55, 10])[0]
        try:
            filed.append(
                subsidy_apply(
                    programme=programme,
                    member=member,
                    certificate_no=f"S{today.year}{110000 + n:08d}",
                    level=level,
                    occupation_code=rng.choice(codes),
                    issued_on=today - timedelta(days=rng.randrange(20, 400)),
                    channel=rng.choice(
                        [SubsidyChannel.PORTAL, SubsidyChannel.PORTAL, SubsidyChannel.PAPER]
                    ),
                )
            )
        except DuplicateCertificate:
            continue
    waiting = [a for a in filed if a.status == "submitted"]
    approve = waiting[: len(waiting) * 55 // 100]
    reject = waiting[len(approve) : len(waiting) * 65 // 100]
    give_back = waiting[len(approve) + len(reject) : len(waiting) * 75 // 100]
    # The first approvals were paid; the later ones wait in a batch exported for the bank.
    for part, paid in ((approve[: len(approve) // 2], True), (approve[len(approve) // 2 :], False)):
        for application in part:
            subsidy_decide(user=admin, application=application, decision="approve", notify=False)
        if part:
            batch = batch_create(user=admin, programme=programme, org=city)
            if paid:
                batch_mark_paid(user=admin, batch=batch)
    for application in reject:
        subsidy_decide(user=admin, application=application, decision="reject",
                       note="证书信息与人社部门核验结果不符", notify=False)  # fmt: skip
    for application in give_back:
        subsidy_decide(user=admin, application=application, decision="return",
                       note="证书扫描件不清晰，请重新上传", notify=False)  # fmt: skip
    return len(filed)


def _projects(rng: random.Random, city: UnionOrg, segments: dict, *, today: date) -> None:  # type: ignore[type-arg]
    districts = list(
        UnionOrg.objects.filter(path__startswith=city.path, kind=OrgKind.DISTRICT).order_by("code")[
            :3
        ]
    )
    places = ["职工服务中心活动室", "社区职工之家", "产业园区会议室", "劳动者港湾", "企业职工书屋"]
    start = date(today.year, 1, 1)
    for n, (name, theme) in enumerate(ORGANISATIONS):
        buyer = districts[n % len(districts)] if districts else city
        organisation = social_org_create(
            org=buyer, name=name, uscc=_uscc(rng), contact="服务热线 010-6512351"
        )
        for k in range(1 + n % 2):
            planned = rng.randrange(12, 30)
            segment = segments["户外劳动者"] if "骑手" in theme else None
            project = project_create(
                org=buyer, organisation=organisation,
                name=f"{buyer.name.removesuffix('总工会')}{theme}项目{'一二'[k]}",
                contract_amount=Decimal(rng.randrange(8, 40) * 10_000), starts_on=start,
                ends_on=date(today.year, 12, 31), planned_sessions=planned, segment=segment,
            )  # fmt: skip
            days = max((today - start).days, 1)
            for _ in range(rng.randrange(planned // 3, planned)):
                session_add(project=project, held_on=start + timedelta(days=rng.randrange(days)),
                            place=rng.choice(places),
                            participants=rng.randrange(15, 120))  # fmt: skip


def _events(rng: random.Random, city: UnionOrg, segments: dict) -> None:  # type: ignore[type-arg]
    street = (
        UnionOrg.objects.filter(path__startswith=city.path, kind=OrgKind.STREET)
        .order_by("code")
        .first()
    )
    district = UnionOrg.objects.get_parent(street) if street is not None else None
    now = timezone.localtime()
    for n, (kind, title, place, capacity, segment) in enumerate(EVENTS):
        org = street if n % 3 == 2 and street else (district or city) if n % 3 == 1 else city
        assert org is not None
        starts = timezone.make_aware(
            datetime.combine(now.date() + timedelta(days=3 + 4 * n), time(14, 0))
        )
        event = event_save(org=org, title=title, kind=kind, starts_at=starts, place=place,
                           capacity=capacity, segment=segments[segment] if segment else None,
                           description=f"{title}，名额{capacity}人，先到先得，满员后候补。",
                           )  # fmt: skip
        _sign_ups(rng, event, overflow=n == len(EVENTS) - 1)
    # One past event with attendance: sign-ups, then the day went by and people checked in.
    past = Event.objects.filter(title="职工健步走").first()
    if past is not None:
        Event.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=10))
        confirmed = list(
            past.signups.filter(status=SignupStatus.CONFIRMED).values_list("pk", flat=True)
        )
        came = confirmed[: int(len(confirmed) * 0.8)]
        EventSignup.objects.filter(pk__in=came).update(
            checked_in_at=timezone.now() - timedelta(days=10)
        )


def _sign_ups(rng: random.Random, event: Event, *, overflow: bool) -> None:
    """Members of the audience sign up (without SMS); the small event overflows to a
    waiting list."""
    from gonghui.benefits.segments import segment_q

    audience = Member.objects.filter(org__path__startswith=event.org.path)
    if event.segment is not None:
        audience = audience.filter(segment_q(event.segment.rules, today=timezone.localdate()))
    wanted = (
        event.capacity + 5 if overflow else max(1, event.capacity * rng.randrange(30, 90) // 100)
    )
    ids = list(audience.order_by("pk").values_list("pk", flat=True)[:wanted])
    EventSignup.objects.bulk_create(
        [
            EventSignup(
                event=event,
                member_id=pk,
                status=SignupStatus.CONFIRMED if n < event.capacity else SignupStatus.WAITLISTED,
            )
            for n, pk in enumerate(ids)
        ]
    )
